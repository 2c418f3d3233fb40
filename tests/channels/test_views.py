"""The back office's bank collection and reconciliation tabs and the account view's offset
dialog, driven like a person would (pytest-qt), on the real services and owner threads."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from counter_app.services import auth
from counter_app.services.auth import SignedInUser
from counter_app.services.counter_views import load_account
from counter_app.store.models import Bill, Customer, Payment
from tests.channels.conftest import YESTERDAY, assert_invariants, bank_file, bank_line
from tests.services.conftest import World
from tests.ui.conftest import counter_look

__all__ = ["counter_look"]

WAIT_MS = 20_000


@dataclass
class Office:
    ctx: Any
    world: World
    users: dict[str, SignedInUser]


@pytest.fixture
def office(world: World, qapp: Any, tmp_path: Path) -> Iterator[Office]:
    from counter_app.ui.backoffice.context import BackOfficeContext
    from counter_app.ui.workers import Workers

    workers = Workers()
    ctx = BackOfficeContext(
        services=world.services, counter_id="T1", workers=workers, data_dir=tmp_path
    )
    users = {u: auth.authenticate(u, f"{u}-pass") for u in ("teller1", "super1")}
    yield Office(ctx, world, users)
    workers.shutdown()


def test_bank_collection_tab_imports_and_lists_what_was_not_booked(
    qtbot: Any, office: Office, tmp_path: Path
) -> None:
    from counter_app.ui.backoffice.bank import BankCollectionTab

    office.world.customer("UI1")
    path = tmp_path / "icbc.csv"
    path.write_bytes(
        bank_file(
            "ICBC01",
            YESTERDAY,
            [
                bank_line("S1", "UI1", 1000),
                bank_line("S2", "NOBODY", 500),
                bank_line("S1", "UI1", 1000),
            ],
        )
    )
    tab = BankCollectionTab(office.ctx, office.users["super1"])
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: tab.busy == 0, timeout=WAIT_MS)
    tab.import_file(path)
    qtbot.waitUntil(lambda: tab.last_report is not None and tab.busy == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tab.lines_table.rowCount() == 2, timeout=WAIT_MS)
    assert "booked 1" in tab.status.text()
    cells = {
        (tab.lines_table.item(r, 0).text(), tab.lines_table.item(r, 2).text()) for r in range(2)
    }
    assert cells == {("3", "unknown customer"), ("4", "already booked")}
    assert tab.imports_table.rowCount() == 1

    refused = BankCollectionTab(office.ctx, office.users["teller1"])
    qtbot.addWidget(refused)
    refused.import_file(path)
    qtbot.waitUntil(lambda: refused.last_error is not None, timeout=WAIT_MS)
    assert Payment.select().count() == 1
    assert_invariants()


def test_reconciliation_tab_prepares_exports_and_signs_off(
    qtbot: Any, office: Office, tmp_path: Path
) -> None:
    from counter_app.services.bank import BankCollectionService
    from counter_app.ui.backoffice.bank import ReconciliationTab

    office.world.customer("UI1")
    office.world.customer("UI2")
    BankCollectionService(office.world.services.ctx).import_bytes(
        bank_file("ICBC01", YESTERDAY, [bank_line("S1", "UI1", 1000)]),
        file_name="c.csv",
        operator="super1",
    )
    statement = tmp_path / "statement.csv"
    statement.write_bytes(bank_file("ICBC01", YESTERDAY, [bank_line("S2", "UI2", 2000)]))
    tab = ReconciliationTab(office.ctx, office.users["super1"])
    qtbot.addWidget(tab)
    tab.prepare(statement, YESTERDAY)
    qtbot.waitUntil(lambda: tab.report is not None, timeout=WAIT_MS)
    assert tab.items_table.rowCount() == 2
    actions = {tab.items_table.item(r, 1).text() for r in range(2)}
    assert actions == {"book", "reverse"}
    assert tab.sign_button.isEnabled()
    assert tab.export_pdf(tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert "S2" in tab.export_csv(tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert Payment.select().count() == 1  # nothing before the sign-off

    tab.sign_off("super1", "super1-pass")  # the one at the keyboard never signs their own
    qtbot.waitUntil(lambda: tab.last_error is not None, timeout=WAIT_MS)
    assert tab.report.state == "prepared"
    auth.create_user("super2", "super2-pass", "supervisor")
    tab.sign_off("super2", "super2-pass")
    qtbot.waitUntil(
        lambda: tab.report is not None and tab.report.state == "signed-off", timeout=WAIT_MS
    )
    assert not tab.sign_button.isEnabled()
    assert Payment.select().count() == 2
    assert Payment.get(Payment.receipt_no == "bank-ICBC01-S1").reversed
    assert_invariants()


def test_offset_dialog_needs_a_supervisor_and_settles_arrears(qtbot: Any, office: Office) -> None:
    from counter_app.ui.offset import OffsetDialog

    world = office.world
    c = world.customer("UI1", remote=False)
    world.services.payments.take_payment("UI1", 800, operator="teller1")
    world.services.payments.issue_bill("UI1", 500, issued_on=dt.date(2026, 10, 1))
    dialog = OffsetDialog(
        world.services.offsets, office.ctx.workers, office.users["teller1"], load_account("UI1")
    )
    qtbot.addWidget(dialog)
    assert "5.00" in dialog.summary.text()
    dialog.reason.setText("customer asked")
    dialog.supervisor.setText("teller2")
    dialog.password.setText("teller2-pass")
    dialog.confirm()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert dialog.message.text().startswith("Refused")
    assert Bill.get(Bill.customer == c.id).outstanding_fen == 500
    dialog.supervisor.setText("super1")
    dialog.password.setText("super1-pass")
    with qtbot.waitSignal(dialog.sig_offset, timeout=WAIT_MS):
        dialog.confirm()
    assert Bill.get(Bill.customer == c.id).outstanding_fen == 0
    assert Customer.get_by_id(c.id).prepayment_fen == 300
    assert_invariants()


def test_transfer_dialog_moves_prepayment_to_another_customer(qtbot: Any, office: Office) -> None:
    from counter_app.ui.offset import TransferDialog

    world = office.world
    giver = world.customer("UI1", remote=False)
    taker = world.customer("UI2", remote=False)
    world.services.payments.take_payment("UI1", 800, operator="teller1")
    dialog = TransferDialog(
        world.services.offsets, office.ctx.workers, office.users["teller1"], load_account("UI1")
    )
    qtbot.addWidget(dialog)
    dialog.target.setText("UI2")
    dialog.amount.setText("3.5")
    dialog.reason.setText("account merge")
    dialog.supervisor.setText("super1")
    dialog.password.setText("super1-pass")
    with qtbot.waitSignal(dialog.sig_transferred, timeout=WAIT_MS):
        dialog.confirm()
    assert Customer.get_by_id(giver.id).prepayment_fen == 450
    assert Customer.get_by_id(taker.id).prepayment_fen == 350
    assert_invariants()
