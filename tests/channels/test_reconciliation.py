"""R17: the bank's statement of a day against our books, single-sided accounts both ways, a
report (PDF with the embedded CJK font, CSV) and the supervisor's sign-off: nothing changes
before it, everything proposed happens after it. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest

from counter_app.core.purchase_state import PurchaseState
from counter_app.services.bank import BankCollectionService
from counter_app.services.errors import AuthenticationFailed, NotAuthorized
from counter_app.services.reconciliation import (
    ReconciliationRefused,
    ReconciliationService,
    report_csv,
    write_report_pdf,
)
from counter_app.store.models import ChannelPayment, Payment, Purchase, Refund
from tests.channels.conftest import YESTERDAY, assert_invariants, bank_file, bank_line
from tests.fixtures.database import TestDatabase
from tests.services.conftest import World


def _books(world: World) -> BankCollectionService:
    """Our books of yesterday: S1 (matched), S2 (matched), S3 (bank forgot it: created
    purchase), S4 (bank forgot it: dispatch unresolved), S5 (bank has another amount)."""
    for no in ("RC1", "RC2", "RC3", "RC4", "RC5", "RC6"):
        world.customer(no)
    service = BankCollectionService(world.services.ctx, world.services.reversals)
    service.import_bytes(
        bank_file(
            "ICBC01",
            YESTERDAY,
            [
                bank_line("S1", "RC1", 1000),
                bank_line("S2", "RC2", 2000),
                bank_line("S3", "RC3", 3000),
                bank_line("S4", "RC4", 4000),
                bank_line("S5", "RC5", 5000),
            ],
        ),
        file_name="collection.csv",
        operator="super1",
    )
    world.dispatcher.script.append("raise")
    p4 = Purchase.get(Purchase.amount_fen == 4000)
    world.services.dispatch.dispatch_purchase(p4.id, "worker")
    assert Purchase.get_by_id(p4.id).state == PurchaseState.DISPATCHING
    return service


STATEMENT = bank_file(
    "ICBC01",
    YESTERDAY,
    [
        bank_line("S1", "RC1", 1000),
        bank_line("S2", "RC2", 2000),
        bank_line("S5", "RC5", 5500),
        bank_line("S6", "RC6", 6000),  # bank only, known customer: book
        bank_line("S7", "NOBODY", 7000),  # bank only, unknown customer: refuse
        "D,S8,RC6,abc,20261130093000,A,O",  # unreadable: refuse with its line
    ],
)


def test_single_sided_accounts_both_ways(world: World, db: TestDatabase, tmp_path: Path) -> None:
    _books(world)
    service = ReconciliationService(world.services.ctx, world.services.reversals)
    payments_before = Payment.select().count()

    report = service.prepare(STATEMENT, YESTERDAY, file_name="statement.csv", operator="super1")

    by_serial = {i["serial"]: (i["kind"], i["action"]) for i in report.items}
    assert by_serial == {
        "S3": ("ours-only", "reverse"),
        "S4": ("ours-only", "hold"),
        "S5": ("differs", "hold"),
        "S6": ("bank-only", "book"),
        "S7": ("bank-only", "refuse"),
        "S8": ("bank-only", "refuse"),
    }
    assert report.matched_count == 2
    assert (report.bank_count, report.ours_count) == (5, 5)
    # nothing changes until the sign-off
    assert Payment.select().count() == payments_before
    assert Refund.select().count() == 0
    assert_invariants()

    pdf = write_report_pdf(report, tmp_path / "report.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "银行代收对账单" in text and "冲正 reverse" in text and "S6" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "yes" in fonts.splitlines()[-1].split()  # the CJK font is embedded
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert rows[1][:2] == ["kind", "action"] and len(rows) == 2 + 6

    with pytest.raises(NotAuthorized):  # a teller never signs off
        service.sign_off(
            report.id, operator="teller1", supervisor="teller2", supervisor_password="teller2-pass"
        )
    with pytest.raises(AuthenticationFailed):
        service.sign_off(
            report.id, operator="teller1", supervisor="super1", supervisor_password="wrong"
        )
    with pytest.raises(NotAuthorized):  # nor the one who runs it
        service.sign_off(
            report.id, operator="super1", supervisor="super1", supervisor_password="super1-pass"
        )
    assert Payment.select().count() == payments_before

    signed = service.sign_off(
        report.id, operator="teller1", supervisor="super1", supervisor_password="super1-pass"
    )
    assert signed.state == "signed-off" and signed.signed_by == "super1"
    outcomes = {i["serial"]: i["outcome"] or "" for i in signed.items}
    assert outcomes["S6"].startswith("booked")
    assert outcomes["S3"].startswith("reversed (payment-and-purchase)")
    assert outcomes["S4"] == "" and outcomes["S5"] == ""  # held: not touched
    assert ChannelPayment.get(ChannelPayment.serial == "S6").amount_fen == 6000
    assert Payment.get(Payment.receipt_no == "bank-ICBC01-S3").reversed
    assert Purchase.get(Purchase.amount_fen == 3000).state == PurchaseState.REVERSED
    assert not Payment.get(Payment.receipt_no == "bank-ICBC01-S4").reversed
    assert Refund.get().supervisor == "super1"
    assert_invariants()

    with pytest.raises(ReconciliationRefused) as info:
        service.sign_off(
            report.id, operator="teller1", supervisor="super1", supervisor_password="super1-pass"
        )
    assert info.value.bank_code == 706
    with pytest.raises(ReconciliationRefused) as info:
        service.prepare(STATEMENT, YESTERDAY, file_name="again.csv", operator="super1")
    assert info.value.bank_code == 706


def test_only_past_days_and_a_new_report_replaces_an_unsigned_one(
    world: World, db: TestDatabase
) -> None:
    _books(world)
    service = ReconciliationService(world.services.ctx, world.services.reversals)
    today = dt.date.today()
    with pytest.raises(ReconciliationRefused) as info:
        service.prepare(bank_file("ICBC01", today, []), today, file_name="t.csv", operator="super1")
    assert info.value.bank_code == 707
    first = service.prepare(STATEMENT, YESTERDAY, file_name="s.csv", operator="super1")
    second = service.prepare(STATEMENT, YESTERDAY, file_name="s2.csv", operator="super1")
    assert service.get(first.id).state == "cancelled"
    with pytest.raises(ReconciliationRefused):
        service.sign_off(
            first.id, operator="teller1", supervisor="super1", supervisor_password="super1-pass"
        )
    service.sign_off(
        second.id, operator="teller1", supervisor="super1", supervisor_password="super1-pass"
    )
    assert_invariants()
