"""card-tool through the real stack: JSON on stdout, one line and a non-zero exit on errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from card_io.card_files import Wallet
from card_io.cli import main
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
