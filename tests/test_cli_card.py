"""``counterctl card write`` over pyscard → pcscd → vpcd → the virtual card: the window's
card-write procedure (R6, R12) run from the shell, the person answering on standard input."""

from __future__ import annotations

import json
import secrets

import pytest

from card_io.security import SoftwareCardCrypto
from tests.fixtures.pcsc import SLOT_READERS, insert
from tests.test_cli import TELLER, Run, counterctl, data

pytestmark = pytest.mark.pcsc

__all__ = ["counterctl"]  # the fixture, shared with the other counterctl tests

CHEN_JING = "100000000005"  # two card meters 000000000005 / 000000000006 (demo data)


def _card_meter_purchases(run: Run) -> list[dict[str, object]]:
    shown = data(run("--json", "customer", "show", CHEN_JING))
    return [p for p in shown["purchases"] if p["meter_address"] == "000000000005"]


def test_card_write_from_the_shell_writes_the_prepayment_onto_the_card(
    counterctl: Run, virtual_card_factory: object
) -> None:
    master = secrets.token_bytes(16)
    card = virtual_card_factory(  # type: ignore[operator]
        customer_no=CHEN_JING,
        meter_no="000000000005",
        serial="00000000C0000005",
        count=0,
        crypto=SoftwareCardCrypto(master),
    )
    insert(card)
    keys = {"CARD_MASTER_KEY": master.hex()}
    assert counterctl("init").returncode == 0
    assert counterctl("demo").returncode == 0
    paid = data(counterctl("--json", "pay", CHEN_JING, "80", "--operator", "teller1", stdin=TELLER))
    assert paid["route"] == "card"

    # the teller stops at the checks: nothing recorded, nothing written
    stopped = counterctl(
        "card", "write", CHEN_JING, "000000000005", "--operator", "teller1",
        "--reader", SLOT_READERS[0], stdin=TELLER + "\nn\n", extra_env=keys,
    )  # fmt: skip
    assert stopped.returncode == 1
    assert stopped.stderr.strip().splitlines()[-1] == (
        "counterctl: error: stopped: nothing was written to the card"
    )
    assert "ok   card count C = 0" in stopped.stderr
    assert card.state.wallet().count == 0 and _card_meter_purchases(counterctl) == []

    # Enter: the card is in; y: write it
    written = counterctl(
        "--json", "card", "write", CHEN_JING, "000000000005", "--operator", "teller1",
        "--reader", SLOT_READERS[0], stdin=TELLER + "\ny\n", extra_env=keys,
    )  # fmt: skip
    result = data(written)
    assert (result["count"], result["amount_fen"], result["state"]) == (1, 8_000, "card-written")
    assert "recording the card write before writing (R12)" in written.stderr
    wallet = card.state.wallet()
    assert (wallet.count, wallet.amount_fen) == (1, 8_000)
    purchases = _card_meter_purchases(counterctl)
    assert [(p["count"], p["amount_fen"], p["state"]) for p in purchases] == [
        (1, 8_000, "card-written")
    ]
    shown = data(counterctl("--json", "customer", "show", CHEN_JING))
    assert shown["summary"]["prepayment_fen"] == 0


def test_card_write_without_a_card_reader_answer_stops_cleanly(counterctl: Run) -> None:
    """End of input at the first question: nothing is read, recorded or written."""
    assert counterctl("init").returncode == 0
    assert counterctl("demo").returncode == 0
    stopped = counterctl(
        "--json", "card", "write", CHEN_JING, "000000000005", "--operator", "teller1",
        stdin=TELLER,
    )  # fmt: skip
    assert stopped.returncode == 1
    assert json.loads(stopped.stdout)["message"] == "stopped: nothing was written to the card"
