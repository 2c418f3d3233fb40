"""card-tool through the real stack: JSON on stdout, one line and a non-zero exit on errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from card_io import apdu as A
from card_io.card_files import Wallet, WriteBack
from card_io.cli import main
from card_io.purchase_card import PurchaseCard
from card_io.reader import PcscReader
from card_io.security import SoftwareCardCrypto
from tests.fixtures.pcsc import (
    SLOT_READERS,
    TEST_CUSTOMER_NO,
    TEST_METER_NO,
    CardFactory,
    PcscService,
    insert,
)

pytestmark = pytest.mark.pcsc
MASTER = bytes(range(16))


def test_read_prints_json(
    virtual_card_factory: CardFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    card = virtual_card_factory(amount_fen=1234, count=2)
    insert(card)
    assert main(["--reader", SLOT_READERS[0], "read"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["serial"] == card.serial_hex and out["wallet"] == {"amount_fen": 1234, "count": 2}
    assert out["meter_no"] == TEST_METER_NO


def test_errors_are_one_line_and_non_zero(
    pcsc_service: PcscService, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--reader", "No Such Reader", "read"]) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("card-tool: no-reader:") and "\n" not in err
    assert main(["--reader", SLOT_READERS[1], "read"]) == 3
    assert capsys.readouterr().err.startswith("card-tool: no-card:")


def test_write_purchase_and_refusal(
    virtual_card_factory: CardFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARD_MASTER_KEY", MASTER.hex())
    monkeypatch.delenv("CARD_KEY_FILE", raising=False)
    card = virtual_card_factory(crypto=SoftwareCardCrypto(MASTER))
    insert(card)
    base = ["--reader", SLOT_READERS[0], "write-purchase", "--customer", TEST_CUSTOMER_NO]
    base += ["--meter", TEST_METER_NO, "--serial", card.serial_hex, "--last-count", "0"]
    assert main([*base, "--amount-fen", "5000"]) == 0
    assert card.state.wallet() == Wallet(5000, 1)
    capsys.readouterr()
    assert main([*base, "--amount-fen", "5000"]) == 4
    assert capsys.readouterr().err.startswith("card-tool: already-on-card:")
    monkeypatch.setenv("CARD_MASTER_KEY", bytes(16).hex())
    assert main([*base[:-1], "1", "--amount-fen", "100"]) in (4, 5)


def test_read_falls_back_to_the_virtual_card(
    virtual_card_factory: CardFactory, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    card = virtual_card_factory(amount_fen=777, count=1)  # created, not inserted
    assert card.state.path is not None
    assert main(["read", "--virtual-state", str(card.state.path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["serial"] == card.serial_hex and out["reader"] == SLOT_READERS[0]


@pytest.mark.parametrize("command", ["write-purchase", "clear"])
def test_serial_is_required_where_r12_checks_it(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """R12: the registered card serial is never silently skipped."""
    args = [command, "--customer", TEST_CUSTOMER_NO, "--meter", TEST_METER_NO]
    args += ["--amount-fen", "100"] + (["--last-count", "0"] if command != "clear" else [])
    args += ["--count", "1"] if command == "clear" else []
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2
    assert "--serial" in capsys.readouterr().err


def test_arguments_checked_before_any_card_is_touched(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A bad customer or meter number is refused in one line without a reader or a key."""
    args = ["--reader", "No Such Reader", "write-purchase", "--customer", "12"]
    args += ["--meter", TEST_METER_NO, "--serial", "AB", "--last-count", "0"]
    assert main([*args, "--amount-fen", "5"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "card-tool: invalid-argument: customer number must be 12 digits, got '12'"
    assert main(["--reader", "x", "clear", "--customer", TEST_CUSTOMER_NO, "--meter", "1x"
                 , "--serial", "AB", "--amount-fen", "5", "--count", "1"]) == 2  # fmt: skip
    assert "meter number must be 12 digits" in capsys.readouterr().err


def test_overwrite_with_a_bad_number_writes_nothing(
    virtual_card_factory: CardFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """issue --overwrite validates everything before the first write: the meter's write-back
    on the card survives a mistyped customer number."""
    monkeypatch.setenv("CARD_MASTER_KEY", MASTER.hex())
    card = virtual_card_factory(crypto=SoftwareCardCrypto(MASTER), amount_fen=100, count=1)
    wb = WriteBack(TEST_METER_NO, TEST_CUSTOMER_NO, 4_200, 1, 0, 0, dt.datetime(2026, 11, 1))
    card.state.write_file(A.SFI_WRITEBACK, wb.encode())
    files = dict(card.state.files)
    insert(card)
    for bad in (["--customer", "31000000000X"], ["--customer", TEST_CUSTOMER_NO + "0"]):
        args = ["--reader", SLOT_READERS[0], "issue", *bad, "--meter", TEST_METER_NO]
        assert main([*args, "--overwrite"]) == 2
        assert capsys.readouterr().err.startswith("card-tool: invalid-argument: customer number")
        assert card.state.files == files
    # the library itself refuses before its first APDU too
    pc = PurchaseCard(PcscReader(SLOT_READERS[0]), SoftwareCardCrypto(MASTER))
    before = card.state.apdu_count
    with pytest.raises(ValueError):
        pc.issue_card(customer_no="1", meter_no=TEST_METER_NO, overwrite=True)
    with pytest.raises(ValueError):
        pc.issue_card(
            customer_no=TEST_CUSTOMER_NO, meter_no=TEST_METER_NO, alarm1_fen=-1, overwrite=True
        )
    assert card.state.apdu_count == before and card.state.files == files


def test_clear_names_the_mismatch(
    virtual_card_factory: CardFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """R16: a card carrying purchase 1 of 50 yuan is not cleared as 60 yuan or as purchase 2,
    and the message says which of the two differs."""
    monkeypatch.setenv("CARD_MASTER_KEY", MASTER.hex())
    card = virtual_card_factory(crypto=SoftwareCardCrypto(MASTER), amount_fen=5000, count=1)
    insert(card)
    base = ["--reader", SLOT_READERS[0], "clear", "--customer", TEST_CUSTOMER_NO]
    base += ["--meter", TEST_METER_NO, "--serial", card.serial_hex]
    assert main([*base, "--amount-fen", "6000", "--count", "1"]) == 4
    assert capsys.readouterr().err.strip() == (
        "card-tool: amount-mismatch: purchase 1 on the card is of 5000 fen, "
        "the system expects 6000 fen"
    )
    assert main([*base, "--amount-fen", "5000", "--count", "2"]) == 4
    assert capsys.readouterr().err.strip() == (
        "card-tool: count-mismatch: purchase count on the card is 1, the system expects 2"
    )
    assert card.state.wallet() == Wallet(5000, 1)
    assert main([*base, "--amount-fen", "5000", "--count", "1"]) == 0
    assert card.state.wallet() == Wallet(0, 0)


def test_read_right_after_the_virtual_card_process_stopped(
    virtual_card_factory: CardFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """``kill %1; card-tool read --virtual-state card.json``: pcscd still reports the stopped
    card for up to one poll; the tool waits it out and reads the card from its file."""
    card = virtual_card_factory(amount_fen=321, count=1)
    insert(card)
    assert card.state.path is not None
    card.stop()  # the card process is gone; pcscd has not noticed yet
    assert main(["read", "--virtual-state", str(card.state.path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["serial"] == card.serial_hex and out["wallet"] == {"amount_fen": 321, "count": 1}


def test_readers_waits_for_a_card_that_is_being_inserted(
    virtual_card_factory: CardFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m card_io.virtual … &; card-tool readers``: the card connects a moment later
    and pcscd sees it at its next poll; ``readers`` waits for it (up to ``--wait``)."""
    card = virtual_card_factory()
    card.insert()  # not waited for
    assert main(["readers"]) == 0
    assert f"{SLOT_READERS[0]} (virtual): card 3B69" in capsys.readouterr().out
