"""The virtual card's APDU interpreter (card side), without PC/SC."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from smartcard.ATR import ATR

from card_io import apdu as A
from card_io.card_files import CardKind, CardParameters, Wallet
from card_io.security import SoftwareCardCrypto
from card_io.virtual import VirtualCardState, serial_from_atr
from card_io.virtual.card import MAX_TRIES

CRYPTO = SoftwareCardCrypto(bytes(range(16)))
SERIAL = bytes.fromhex("0102030405060708")


def state(path: Path | None = None) -> VirtualCardState:
    p = CardParameters(meter_no="000012345678", customer_no="310000000001", kind=CardKind.PURCHASE)
    return VirtualCardState.issued(SERIAL, CRYPTO.card_keys(SERIAL), p, Wallet(100, 1), path)


def sw(resp: bytes) -> int:
    return (resp[-2] << 8) | resp[-1]


def test_serial_sits_in_atr_bytes_5_to_12() -> None:
    assert serial_from_atr(state().atr) == SERIAL


def test_sfi_access_needs_df01() -> None:
    s = state()
    assert sw(s.process(A.read_binary(2, 0, 8))) == A.SW_NOT_FOUND  # ISO 7816-4: 6A82
    s.process(A.select(A.DF_ELECTRICITY))
    assert s.process(A.read_binary(2, 0, 8)) == Wallet(100, 1).encode() + b"\x90\x00"


def test_wrong_le_answers_6cxx() -> None:
    s = state()
    s.process(A.select(A.DF_ELECTRICITY))
    assert sw(s.process(A.read_binary(2, 0, 0))) == 0x6C08


def test_blank_card_answers_6b00_on_the_parameter_file() -> None:
    s = VirtualCardState.blank(SERIAL, CRYPTO.card_keys(SERIAL))
    s.process(A.select(A.DF_ELECTRICITY))
    assert sw(s.process(A.read_binary(1, 0, 45))) == A.SW_UNISSUED


def test_internal_authenticate_goes_through_get_response() -> None:
    s = state()
    rnd = bytes(range(8))
    assert sw(s.process(A.internal_authenticate(rnd))) == 0x6108
    r = s.process(A.get_response(8))
    assert r[:-2] == CRYPTO.internal_auth(SERIAL, rnd) and sw(r) == A.SW_OK


def _write(s: VirtualCardState, crypto: SoftwareCardCrypto, data: bytes) -> int:
    ch = s.process(A.get_challenge(8))[:-2]
    s.process(A.external_authenticate(crypto.external_auth(SERIAL, ch)))
    ch = s.process(A.get_challenge(4))[:-2]
    header = A.update_binary_header(2, 0, len(data))
    return sw(s.process(header + data + crypto.write_mac(SERIAL, ch, header, data)))


def test_write_needs_authentication_and_a_valid_mac(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    s = state(path)
    s.process(A.select(A.DF_ELECTRICITY))
    plain = bytes([0x00, 0xD6, 0x82, 0x00, 0x08]) + bytes(8)
    assert sw(s.process(plain)) == A.SW_SECURITY
    assert _write(s, SoftwareCardCrypto(bytes(16)), Wallet(5, 2).encode()) in (
        A.SW_AUTH_FAILED,
        A.SW_SECURITY,
    )
    assert s.wallet() == Wallet(100, 1)
    assert _write(s, CRYPTO, Wallet(5, 2).encode()) == A.SW_OK
    assert VirtualCardState.load(path).wallet() == Wallet(5, 2)
    assert json.loads(path.read_text())["serial"] == SERIAL.hex()


def test_mac_over_other_data_is_refused() -> None:
    s = state()
    s.process(A.select(A.DF_ELECTRICITY))
    ch = s.process(A.get_challenge(8))[:-2]
    s.process(A.external_authenticate(CRYPTO.external_auth(SERIAL, ch)))
    ch = s.process(A.get_challenge(4))[:-2]
    header = A.update_binary_header(2, 0, 8)
    mac = CRYPTO.write_mac(SERIAL, ch, header, Wallet(5, 2).encode())
    assert sw(s.process(header + Wallet(9999, 2).encode() + mac)) == A.SW_TRIES_LEFT | 4
    assert s.wallet() == Wallet(100, 1)


def test_atr_declares_as_many_historical_bytes_as_it_carries() -> None:
    """ISO 7816-3: T0's low nibble counts the historical bytes; with no TD1 there is no TCK.
    pyscard's parser must find the whole serial in the historical bytes, not a check byte."""
    atr = ATR(list(state().atr))
    assert atr.getHistoricalBytesCount() == len(atr.getHistoricalBytes()) == 9
    assert bytes(atr.getHistoricalBytes())[1:] == SERIAL
    assert not atr.hasChecksum and atr.getChecksum() is None
    assert atr.isT0Supported() and not atr.isT1Supported()
    assert len(state().atr) == 4 + atr.getHistoricalBytesCount()


def _ext_auth(s: VirtualCardState, crypto: SoftwareCardCrypto) -> int:
    ch = s.process(A.get_challenge(8))[:-2]
    return sw(s.process(A.external_authenticate(crypto.external_auth(SERIAL, ch))))


def test_wrong_external_authentication_counts_down_then_blocks(tmp_path: Path) -> None:
    """63Cx with the tries left; at zero 6983, even for the right cryptogram, and still after
    a power cycle and a reload (the counter is on the card); a right one in between resets."""
    path = tmp_path / "card.json"
    s = state(path)
    wrong = SoftwareCardCrypto(bytes(16))
    assert _ext_auth(s, wrong) == 0x63C4
    assert _ext_auth(s, CRYPTO) == A.SW_OK  # the right key resets the counter
    answers = [_ext_auth(s, wrong) for _ in range(MAX_TRIES)]
    assert answers == [0x63C4, 0x63C3, 0x63C2, 0x63C1, 0x63C0]
    assert _ext_auth(s, CRYPTO) == A.SW_BLOCKED
    s = VirtualCardState.load(path)
    s.power_on()
    assert _ext_auth(s, CRYPTO) == A.SW_BLOCKED
    assert json.loads(path.read_text())["tries"]["external"] == 0


def test_wrong_write_macs_block_the_line_protection_key() -> None:
    s = state()
    s.process(A.select(A.DF_ELECTRICITY))
    assert _ext_auth(s, CRYPTO) == A.SW_OK
    header = A.update_binary_header(2, 0, 8)
    for left in range(MAX_TRIES - 1, -1, -1):
        s.process(A.get_challenge(4))
        assert sw(s.process(header + Wallet(5, 2).encode() + bytes(4))) == 0x63C0 | left
    assert _write(s, CRYPTO, Wallet(5, 2).encode()) == A.SW_BLOCKED
    r = s.process(A.read_binary_with_mac(2, 0, bytes(4), A.esam_header_for(8)))
    assert sw(r) == A.SW_BLOCKED
    assert s.wallet() == Wallet(100, 1)


def _unblock(s: VirtualCardState, crypto: SoftwareCardCrypto) -> int:
    ch = s.process(A.get_challenge(4))[:-2]
    return sw(s.process(A.unblock(crypto.unblock_mac(SERIAL, ch))))


def test_only_the_issuers_unblock_key_unblocks() -> None:
    s = state()
    wrong = SoftwareCardCrypto(bytes(16))
    for _ in range(MAX_TRIES):
        _ext_auth(s, wrong)
    assert _unblock(s, wrong) == A.SW_MAC_WRONG
    assert _ext_auth(s, CRYPTO) == A.SW_BLOCKED
    assert sw(s.process(A.unblock(bytes(4)))) == A.SW_MAC_MISSING  # no challenge taken
    assert _unblock(s, CRYPTO) == A.SW_OK
    assert s.tries == {"external": MAX_TRIES, "mac": MAX_TRIES}
    s.process(A.select(A.DF_ELECTRICITY))
    assert _write(s, CRYPTO, Wallet(5, 2).encode()) == A.SW_OK


def test_read_with_mac_returns_the_data_and_the_cards_mac() -> None:
    """04 B0 (card notes §1.9-3): data + MAC through 61xx / GET RESPONSE; the MAC verifies
    with the issuer's keys and not with others."""
    s = state()
    s.process(A.select(A.DF_ELECTRICITY))
    random, header = bytes.fromhex("01020304"), A.esam_header_for(8, ins=0x42)
    r = s.process(A.read_binary_with_mac(2, 0, random, header))
    assert sw(r) == 0x610C
    r = s.process(A.get_response(0x0C))
    data, mac = r[:8], r[8:12]
    assert sw(r) == A.SW_OK and data == Wallet(100, 1).encode()
    assert mac == CRYPTO.read_mac(SERIAL, random, header, data)
    assert mac != SoftwareCardCrypto(bytes(16)).read_mac(SERIAL, random, header, data)
    s.process(A.read_binary_with_mac(2, 0, random, header))
    assert sw(s.process(A.get_response(4))) == 0x6C0C  # wrong Le: 6Cxx with the length


def test_iso_status_words_for_missing_files_and_wrong_lengths() -> None:
    s = state()
    s.process(A.select(A.DF_ELECTRICITY))
    assert sw(s.process(A.read_binary(9, 0, 4))) == A.SW_NOT_FOUND
    assert sw(s.process(A.read_binary_with_mac(9, 0, bytes(4), A.esam_header_for(4)))) == 0x6A82
    assert sw(s.process(A.select(0x1234))) == A.SW_NOT_FOUND
    # the ESAM header asks for more than the wallet holds: wrong length
    assert sw(s.process(A.read_binary_with_mac(2, 0, bytes(4), A.esam_header_for(9)))) == 0x6700
    assert sw(s.process(bytes([0x04, 0xB0, 0x82, 0x00, 0x04]) + bytes(4))) == 0x6700
    assert sw(s.process(A.read_binary(2, 0, 9))) == 0x6C08
    assert sw(s.process(A.read_binary(2, 8, 1))) == A.SW_WRONG_P1P2  # beyond the end


def test_state_file_is_private_from_its_first_byte(tmp_path: Path) -> None:
    """The state file holds the card's keys: mode 0600 even with a permissive umask, and no
    temp file is left behind."""
    old = os.umask(0)
    try:
        path = tmp_path / "card.json"
        s = state(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        s.write_file(A.SFI_WALLET, Wallet(7, 2).encode())
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.json"]
