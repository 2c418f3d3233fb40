"""The card's security as a real CPU card and a real meter have it, through the real stack
(pyscard -> pcscd -> vpcd -> virtual card): raw APDUs with pyscard's own connection, then
the same through ``card-tool``.

* the ATR is ISO 7816-3 (pyscard's parser finds 9 historical bytes and no check byte);
* wrong cryptograms count down (63Cx) and block the key (6983); the counter and card-tool
  say so in words and send the customer to the technician; only the issuer's unblock (the
  master key) or a re-issue ends it;
* read with MAC (04 B0) and ISO status words;
* a forged card (right layout, wrong MAC key) and a foreign card (other keys) are refused by
  the simulated meter (Err-32, nothing loaded, no write-back, an illegal insertion) and by the
  counter's write-back reader;
* ``card-tool meter-insert``: the customer inserts the card into a meter of a ``meter-sim``
  state file, from the shell.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from smartcard.ATR import ATR
from smartcard.System import readers

from card_io import apdu as A
from card_io.card_files import CardKind, Wallet, WriteBack
from card_io.cli import main
from card_io.errors import CardBlocked, CardNotBlank, ForgedCard
from card_io.meter_card import MeterCardError, insert_card
from card_io.purchase_card import PurchaseCard
from card_io.reader import PcscReader
from card_io.security import CardKeys, SoftwareCardCrypto
from card_io.virtual import VirtualPurchaseCard
from card_io.virtual.card import MAX_TRIES
from meter_link.simulator.bus import MeterSimulator
from tests.card_io.conftest import DemoMeter
from tests.fixtures.pcsc import (
    SLOT_READERS,
    TEST_CUSTOMER_NO,
    TEST_METER_NO,
    CardFactory,
    insert,
)

pytestmark = pytest.mark.pcsc
MASTER = bytes(range(16))
CRYPTO = SoftwareCardCrypto(MASTER)
NOW = datetime(2026, 11, 24, 10, 0)
METER_ADDRESS = "000000000001"
CUSTOMER = "100000000001"


def connect(slot: int = 0) -> Any:
    """pyscard's own connection to the slot (not card_io): raw APDUs as a test tool sends."""
    (reader,) = [r for r in readers() if str(r) == SLOT_READERS[slot]]
    connection = reader.createConnection()
    connection.connect()
    return connection


def send(connection: Any, apdu: bytes) -> tuple[bytes, int]:
    data, sw1, sw2 = connection.transmit(list(apdu))
    return bytes(data), (sw1 << 8) | sw2


def external_auth(connection: Any, crypto: SoftwareCardCrypto, serial: bytes) -> int:
    challenge, sw = send(connection, A.get_challenge(8))
    assert sw == A.SW_OK
    return send(connection, A.external_authenticate(crypto.external_auth(serial, challenge)))[1]


@pytest.fixture
def keys_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARD_MASTER_KEY", MASTER.hex())
    monkeypatch.delenv("CARD_KEY_FILE", raising=False)
    monkeypatch.delenv("CARD_VIRTUAL_STATE", raising=False)


def test_atr_through_pcscd_parses_per_iso_7816_3(virtual_card_factory: CardFactory) -> None:
    card = virtual_card_factory(crypto=CRYPTO)
    insert(card)
    connection = connect()
    try:
        atr = ATR(connection.getATR())
        assert atr.getHistoricalBytesCount() == len(atr.getHistoricalBytes()) == 9
        assert bytes(atr.getHistoricalBytes())[1:] == card.serial  # the serial, whole
        assert not atr.hasChecksum and atr.isT0Supported()
        assert bytes(connection.getATR())[5:13] == card.serial  # where meters take it
    finally:
        connection.disconnect()


def test_wrong_cryptograms_block_the_card_and_card_tool_explains_it(
    virtual_card_factory: CardFactory,
    keys_env: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    card = virtual_card_factory(crypto=CRYPTO)
    insert(card)
    connection = connect()
    try:
        wrong = SoftwareCardCrypto(bytes(16))
        answers = [external_auth(connection, wrong, card.serial) for _ in range(MAX_TRIES)]
        assert answers == [0x63C0 | n for n in range(MAX_TRIES - 1, -1, -1)]
        assert external_auth(connection, CRYPTO, card.serial) == A.SW_BLOCKED
    finally:
        connection.disconnect()

    base = ["--reader", SLOT_READERS[0], "write-purchase", "--customer", TEST_CUSTOMER_NO]
    base += ["--meter", TEST_METER_NO, "--serial", card.serial_hex, "--last-count", "0"]
    assert main([*base, "--amount-fen", "5000"]) == 5
    err = capsys.readouterr().err.strip()
    assert err.startswith("card-tool: card-blocked:") and "\n" not in err
    assert "technician's workbench" in err and "unblock or re-issue" in err
    assert card.state.wallet() == Wallet(0, 0)

    # only the issuer's procedure unblocks: a counter with other keys cannot
    other = _key_file(tmp_path, bytes(16))
    assert main(["--reader", SLOT_READERS[0], "--key-file", str(other), "unblock"]) == 5
    capsys.readouterr()
    assert card.state.tries["external"] == 0
    assert main(["--reader", SLOT_READERS[0], "unblock"]) == 0
    assert card.state.tries == {"external": MAX_TRIES, "mac": MAX_TRIES}
    capsys.readouterr()
    assert main([*base, "--amount-fen", "5000"]) == 0
    assert card.state.wallet() == Wallet(5000, 1)


def _key_file(folder: Path, key: bytes) -> Path:
    path = folder / "other.key"
    path.write_text(key.hex() + "\n", encoding="ascii")
    return path


def test_blocked_mac_key_is_reported_on_read_by_the_counter(
    virtual_card_factory: CardFactory,
) -> None:
    card = virtual_card_factory(crypto=CRYPTO)
    card.state.tries["mac"] = 0  # blocked by wrong MACs earlier
    insert(card)
    with pytest.raises(CardBlocked) as e:
        PurchaseCard(PcscReader(SLOT_READERS[0]), CRYPTO).read_card()
    assert "technician" in str(e.value)


def test_read_with_mac_and_iso_status_words_over_pcsc(virtual_card_factory: CardFactory) -> None:
    card = virtual_card_factory(crypto=CRYPTO, amount_fen=1234, count=2)
    insert(card)
    connection = connect()
    try:
        assert send(connection, A.select(A.DF_ELECTRICITY))[1] == A.SW_OK
        random, header = secrets.token_bytes(4), A.esam_header_for(49)
        data, sw = send(connection, A.read_binary_with_mac(5, 0, random, header))
        assert sw == 0x6135  # 49 bytes + MAC wait for GET RESPONSE (T=0 case 4)
        data, sw = send(connection, A.get_response(0x35))
        assert sw == A.SW_OK and len(data) == 53
        assert data[49:] == CRYPTO.read_mac(card.serial, random, header, data[:49])
        assert send(connection, A.read_binary(7, 0, 4))[1] == A.SW_NOT_FOUND  # 6A82
        assert send(connection, bytes([0x04, 0xB0, 0x82, 0x00, 0x03, 1, 2, 3]))[1] == 0x6700
        assert send(connection, A.read_binary(2, 0, 0x20))[1] == 0x6C08
    finally:
        connection.disconnect()


def _forged(factory: CardFactory, **kw: Any) -> VirtualPurchaseCard:
    """A card with the right layout and the right authentication keys, but a MAC key that
    is not the issuer's: what a forger who cloned a card's answers could make."""
    card = factory(crypto=CRYPTO, **kw)
    genuine = card.state.keys
    other = SoftwareCardCrypto(secrets.token_bytes(16)).card_keys(card.serial)
    card.state.keys = CardKeys(genuine.internal, genuine.external, other.mac, genuine.unblock)
    return card


def test_forged_writeback_refused_by_the_counter(
    virtual_card_factory: CardFactory, keys_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    card = _forged(virtual_card_factory, amount_fen=5000, count=1)
    # the forger claims the meter loaded purchase 1 and has 999 999.99 yuan left
    fake = WriteBack(TEST_METER_NO, TEST_CUSTOMER_NO, 99_999_999, 1, 0, 0, NOW)
    card.state.write_file(A.SFI_WRITEBACK, fake.encode())
    insert(card)
    with pytest.raises(ForgedCard):
        PurchaseCard(PcscReader(SLOT_READERS[0]), CRYPTO).read_writeback()
    assert main(["--reader", SLOT_READERS[0], "read"]) == 5
    err = capsys.readouterr().err
    assert err.startswith("card-tool: forged-card:") and "write-back" in err
    # a key file named but unreadable is an error, never a silent unverified read
    assert main(["--reader", SLOT_READERS[0], "--key-file", "/nonexistent", "read"]) == 5
    assert capsys.readouterr().err.startswith("card-tool: no-card-keys:")


def test_read_without_keys_marks_the_writeback_unverified(
    virtual_card_factory: CardFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CARD_MASTER_KEY", raising=False)
    monkeypatch.delenv("CARD_KEY_FILE", raising=False)
    card = virtual_card_factory(crypto=CRYPTO)
    insert(card)
    assert main(["--reader", SLOT_READERS[0], "read"]) == 0
    assert json.loads(capsys.readouterr().out)["write_back_verified"] is False


def _meter_state(tmp_path: Path, card: VirtualPurchaseCard, count: int = 0) -> Path:
    path = tmp_path / "meters.json"
    sim = MeterSimulator(master_key=secrets.token_bytes(16), state_file=path)
    sim.populate(2, balance_fen=1_000)
    with sim.meter(METER_ADDRESS) as meter:
        meter.card_serial = card.serial_hex
        meter.purchase_count = count
    sim.save()
    return path


def _meter(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    (meter,) = [m for m in data["meters"] if m["address"] == METER_ADDRESS]
    return meter  # type: ignore[no-any-return]


def test_meter_insert_from_the_shell_loads_and_writes_back(
    virtual_card_factory: CardFactory,
    keys_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    card = virtual_card_factory(
        crypto=CRYPTO, customer_no=CUSTOMER, meter_no=METER_ADDRESS, amount_fen=5000, count=1
    )
    state = _meter_state(tmp_path, card)
    insert(card)
    args = ["--reader", SLOT_READERS[0], "meter-insert", "--meter-state", str(state)]
    assert main([*args, "--meter", METER_ADDRESS]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["loaded_fen"] == 5000 and out["meter_count"] == 1
    meter = _meter(state)
    assert (meter["purchase_count"], meter["balance_fen"]) == (1, 6_000)
    # the counter reads the write-back, MAC verified
    assert main(["--reader", SLOT_READERS[0], "read"]) == 0
    read = json.loads(capsys.readouterr().out)
    assert read["write_back_verified"] and read["write_back"]["count"] == 1
    assert read["write_back"]["remaining_fen"] == 6_000
    # inserted again: equal counts, nothing more loaded
    assert main([*args, "--meter", METER_ADDRESS]) == 0
    assert json.loads(capsys.readouterr().out)["loaded_fen"] == 0
    assert _meter(state)["balance_fen"] == 6_000
    assert main([*args, "--meter", "000000000009"]) == 2
    assert "no meter 000000000009" in capsys.readouterr().err


def test_meter_insert_with_the_virtual_card_file(
    virtual_card_factory: CardFactory,
    keys_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    card = virtual_card_factory(
        crypto=CRYPTO, customer_no=CUSTOMER, meter_no=METER_ADDRESS, amount_fen=700, count=1
    )  # not inserted: card-tool puts it into the virtual reader from its state file
    assert card.state.path is not None
    state = _meter_state(tmp_path, card)
    args = ["meter-insert", "--meter-state", str(state), "--meter", METER_ADDRESS]
    assert main([*args, "--virtual-state", str(card.state.path)]) == 0
    assert json.loads(capsys.readouterr().out)["loaded_fen"] == 700
    written = WriteBack.decode(json_file_bytes(card.state.path, A.SFI_WRITEBACK))
    assert written is not None and written.count == 1


def json_file_bytes(path: Path, sfi: int) -> bytes:
    return bytes.fromhex(json.loads(path.read_text())["files"][str(sfi)])


@pytest.mark.parametrize("kind", ["forged", "foreign"])
def test_forged_or_foreign_card_refused_by_the_simulated_meter(
    kind: str,
    virtual_card_factory: CardFactory,
    keys_env: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Right layout, wrong MAC (forged) or all keys another issuer's (foreign): the meter
    shows Err-32, loads nothing, writes nothing back and counts an illegal insertion."""
    fields: dict[str, Any] = dict(
        customer_no=CUSTOMER, meter_no=METER_ADDRESS, amount_fen=90_000, count=1
    )
    if kind == "forged":
        card = _forged(virtual_card_factory, **fields)
        expected = MeterCardError.MAC_ERROR
    else:
        card = virtual_card_factory(crypto=SoftwareCardCrypto(secrets.token_bytes(16)), **fields)
        expected = MeterCardError.AUTHENTICATION
    before = card.state.read_file(A.SFI_WRITEBACK)
    state = _meter_state(tmp_path, card)
    insert(card)
    args = ["--reader", SLOT_READERS[0], "meter-insert", "--meter-state", str(state)]
    assert main([*args, "--meter", METER_ADDRESS]) == 4
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert (out["ok"], out["error"], out["display"]) == (False, expected.name.lower(), "Err-32")
    assert captured.err.startswith("card-tool: meter-refused: the meter shows Err-32")
    meter = _meter(state)
    assert (meter["purchase_count"], meter["balance_fen"]) == (0, 1_000)
    assert meter["illegal_insertions"] == 1
    assert card.state.read_file(A.SFI_WRITEBACK) == before  # nothing written back


def test_meter_refuses_forged_card_directly_and_loads_the_genuine_one(
    virtual_card_factory: CardFactory,
) -> None:
    """The library call the tests and the demo use: the same checks on a card touched
    directly (no reader), the genuine card of the same layout loads."""
    meter = DemoMeter(meter_no=TEST_METER_NO, customer_no=TEST_CUSTOMER_NO, opened=True)
    forged = _forged(virtual_card_factory, amount_fen=100, count=1)
    meter.card_serial = forged.serial_hex
    r = insert_card(forged, meter, NOW, CRYPTO)
    assert (r.ok, r.error, r.loaded_fen) == (False, MeterCardError.MAC_ERROR, 0)
    genuine = virtual_card_factory(crypto=CRYPTO, amount_fen=100, count=1, slot=1)
    meter.card_serial = genuine.serial_hex
    r = insert_card(genuine, meter, NOW, CRYPTO)
    assert r.ok and r.loaded_fen == 100 and meter.illegal_insertions == 1
    assert genuine.state.kind is CardKind.PURCHASE


def test_reissue_with_overwrite_unblocks_the_same_card(virtual_card_factory: CardFactory) -> None:
    """The issuer re-personalising its own blocked card unblocks it on the way; without
    overwrite the issued card is refused as not blank before any key is tried."""
    card = virtual_card_factory(crypto=CRYPTO, amount_fen=300, count=2)
    card.state.tries.update(external=0, mac=0)
    insert(card)
    pc = PurchaseCard(PcscReader(SLOT_READERS[0]), CRYPTO)
    with pytest.raises(CardNotBlank):
        pc.reissue_card(
            customer_no=TEST_CUSTOMER_NO, meter_no=TEST_METER_NO, last_amount_fen=300, last_count=2
        )
    assert card.state.tries["external"] == 0
    c = pc.reissue_card(
        customer_no=TEST_CUSTOMER_NO,
        meter_no=TEST_METER_NO,
        last_amount_fen=300,
        last_count=2,
        overwrite=True,
    )
    assert c.kind is CardKind.REISSUE and c.wallet == Wallet(300, 2) and c.write_back_verified
    assert card.state.tries == {"external": MAX_TRIES, "mac": MAX_TRIES}


def test_wrong_macs_block_the_mac_key_over_pcsc_and_card_tool_unblocks(
    virtual_card_factory: CardFactory, keys_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Wrong write MACs count down (63Cx) and block the line-protection key (6983): the
    counter's verified read then reports the blocked card; the issuer's unblock ends it."""
    card = virtual_card_factory(crypto=CRYPTO, amount_fen=10, count=1)
    insert(card)
    connection = connect()
    try:
        assert send(connection, A.select(A.DF_ELECTRICITY))[1] == A.SW_OK
        assert external_auth(connection, CRYPTO, card.serial) == A.SW_OK
        header = A.update_binary_header(A.SFI_WALLET, 0, 8)
        answers = []
        for _ in range(MAX_TRIES + 1):
            assert send(connection, A.get_challenge(4))[1] == A.SW_OK
            answers.append(send(connection, header + Wallet(99_999, 2).encode() + bytes(4))[1])
        assert answers == [0x63C0 | n for n in range(MAX_TRIES - 1, -1, -1)] + [A.SW_BLOCKED]
    finally:
        connection.disconnect()
    assert card.state.wallet() == Wallet(10, 1)
    assert main(["--reader", SLOT_READERS[0], "read"]) == 5
    assert capsys.readouterr().err.startswith("card-tool: card-blocked:")
    assert main(["--reader", SLOT_READERS[0], "unblock"]) == 0
    assert json.loads(capsys.readouterr().out)["write_back_verified"] is True
    assert card.state.tries == {"external": MAX_TRIES, "mac": MAX_TRIES}
