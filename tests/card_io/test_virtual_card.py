"""The virtual card's APDU interpreter (card side), without PC/SC."""

from __future__ import annotations

import json
from pathlib import Path

from card_io import apdu as A
from card_io.card_files import CardKind, CardParameters, Wallet
from card_io.security import SoftwareCardCrypto
from card_io.virtual import VirtualCardState, serial_from_atr

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
    assert sw(s.process(A.read_binary(2, 0, 8))) == A.SW_NO_EF
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
    assert sw(s.process(header + Wallet(9999, 2).encode() + mac)) == A.SW_MAC_WRONG
    assert s.wallet() == Wallet(100, 1)
