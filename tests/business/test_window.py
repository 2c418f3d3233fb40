"""The back office's business-change and archive-import tabs, driven like a person would
(pytest-qt), on the real services and simulated meters: a technician files a replacement of a
meter that cannot be read, a supervisor approves it and the money reaches the new meter; the
archive import moves its progress bar and lists the refused lines."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from counter_app.core.archive import COLUMNS
from counter_app.store.models import Customer, Meter, ReviewedPrepayment
from meter_link.simulator.faults import Fault, FaultKind
from tests.business.conftest import Hall
from tests.ui.conftest import counter_look

__all__ = ["counter_look"]

WAIT_MS = 20_000
OLD, NEW = "000000000001", "000000000031"


@pytest.fixture
def office_ctx(sqlite_hall: Hall, tmp_path: Path, qapp: Any) -> Iterator[Any]:
    from counter_app.ui.backoffice.context import BackOfficeContext
    from counter_app.ui.workers import Workers

    workers = Workers()
    yield BackOfficeContext(
        services=sqlite_hall.services, counter_id="B1", workers=workers, data_dir=tmp_path
    )
    workers.shutdown()


def idle(qtbot: Any, tab: Any) -> None:
    qtbot.waitUntil(lambda: tab.busy == 0, timeout=WAIT_MS)


def test_technician_files_a_dead_meter_replacement_supervisor_approves(
    qtbot: Any, sqlite_hall: Hall, office_ctx: Any
) -> None:
    from counter_app.ui.backoffice.business_changes import BusinessChangesTab

    hall = sqlite_hall
    hall.new_meter_on_bus(NEW, count=4)
    hall.bus.simulator.inject(OLD, Fault(FaultKind.NO_REPLY, times=None))
    tech = BusinessChangesTab(office_ctx, hall.users["tech1"])
    qtbot.addWidget(tech)
    tech.show()
    idle(qtbot, tech)
    assert not tech.review_box.isVisible()  # technicians file, they do not review
    tech.kind.setCurrentIndex(tech.kind.findData("meter-replacement"))
    assert tech.new_meter.isVisible() and not tech.balance.isVisible()
    qtbot.keyClicks(tech.meter, OLD)
    qtbot.keyClicks(tech.new_meter, NEW)
    qtbot.mouseClick(tech.file_button, Qt.MouseButton.LeftButton)
    idle(qtbot, tech)
    assert tech.last_error is not None and tech.last_error.code == "meter-unreadable"
    assert "cannot be read" in tech.status.text()

    tech.dead.setChecked(True)
    assert tech.balance.isVisible() and tech.count.isVisible()
    qtbot.keyClicks(tech.balance, "48.80")
    qtbot.keyClicks(tech.reason, "meter burnt")
    qtbot.mouseClick(tech.file_button, Qt.MouseButton.LeftButton)
    idle(qtbot, tech)
    assert tech.last_error is None, tech.status.text()
    assert "48.80" in tech.status.text() and tech.changes_table.rowCount() == 1
    assert not Meter.get(Meter.address == OLD).active

    boss = BusinessChangesTab(office_ctx, hall.users["super1"])
    qtbot.addWidget(boss)
    boss.show()
    idle(qtbot, boss)
    assert boss.review_box.isVisible() and boss.review_table.rowCount() == 1
    assert not boss.approve_button.isEnabled()
    boss.review_table.selectRow(0)
    assert boss.approve_button.isEnabled()
    qtbot.mouseClick(boss.approve_button, Qt.MouseButton.LeftButton)
    idle(qtbot, boss)
    assert boss.last_error is None, boss.status.text()
    assert boss.review_table.rowCount() == 0
    assert "Dispatched" in boss.status.text()
    with hall.sim(NEW) as m:
        assert (m.purchase_count, m.balance_fen) == (5, 4_880)
    assert ReviewedPrepayment.get().state == "approved"
    hall.assert_invariants()


def test_supervisor_refuses_with_a_reason_and_new_installation_from_the_form(
    qtbot: Any, sqlite_hall: Hall, office_ctx: Any
) -> None:
    from counter_app.ui.backoffice.business_changes import BusinessChangesTab

    hall = sqlite_hall
    out = hall.services.business.replace_meter(
        hall.users["tech1"], "000000000002", new_meter_address="000000000032", open_account=False
    )
    boss = BusinessChangesTab(office_ctx, hall.users["super1"])
    qtbot.addWidget(boss)
    boss.show()
    idle(qtbot, boss)
    boss.review_table.selectRow(0)
    qtbot.mouseClick(boss.refuse_button, Qt.MouseButton.LeftButton)  # no reason: refused
    idle(qtbot, boss)
    assert boss.last_error is not None and boss.last_error.code == "invalid-input"
    qtbot.keyClicks(boss.review_reason, "balance disputed")
    qtbot.mouseClick(boss.refuse_button, Qt.MouseButton.LeftButton)
    idle(qtbot, boss)
    held = ReviewedPrepayment.get_by_id(out.held_id)
    assert (held.state, held.review_reason) == ("refused", "balance disputed")
    assert boss.review_table.item(0, 7).text() == "balance disputed"

    hall.new_meter_on_bus("000000000033", opened=False)
    boss.kind.setCurrentIndex(boss.kind.findData("new-installation"))
    qtbot.keyClicks(boss.customer, "200000000009")
    boss.name.setText("新户 New")  # typed through an input method, not key by key
    qtbot.keyClicks(boss.meter, "000000000033")
    qtbot.mouseClick(boss.file_button, Qt.MouseButton.LeftButton)
    idle(qtbot, boss)
    assert boss.last_error is None, boss.status.text()
    assert "remote" in boss.status.text() and "opened remotely" in boss.status.text()
    assert Customer.get(Customer.customer_no == "200000000009").name == "新户 New"
    hall.assert_invariants()


def test_archive_import_tab_shows_progress_and_refusals(
    qtbot: Any, sqlite_hall: Hall, office_ctx: Any, tmp_path: Path
) -> None:
    from counter_app.ui.backoffice.archive_import import ArchiveImportTab

    lines = [",".join(COLUMNS)]
    for i in range(1, 41):
        kind = "smart" if i % 10 == 0 else "card"
        lines.append(f"{700000000000 + i},用户{i},,,0,{800000000000 + i},,,{kind},1,,0,,,")
    export = tmp_path / "export.csv"
    export.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))

    teller = ArchiveImportTab(office_ctx, sqlite_hall.users["teller1"])
    qtbot.addWidget(teller)
    teller.path.setText(str(export))
    qtbot.mouseClick(teller.import_button, Qt.MouseButton.LeftButton)
    assert teller.last_error is not None and teller.last_error.code == "not-authorized"

    tab = ArchiveImportTab(office_ctx, sqlite_hall.users["tech1"])
    qtbot.addWidget(tab)
    tab.show()
    tab.path.setText(str(export))
    qtbot.keyClick(tab.path, Qt.Key.Key_Return)  # Enter in the path starts it, as the button
    qtbot.waitUntil(lambda: tab.result is not None, timeout=WAIT_MS)
    assert tab.bar.value() == tab.bar.maximum() and tab.progress_seen
    assert tab.result.imported == 36 and tab.result.encoding == "gb18030"
    assert tab.table.rowCount() == 4 and tab.table.item(0, 1).text() == "unknown meter kind"
    assert "rejected.csv" in tab.status.text()
    assert Meter.select().where(Meter.address.startswith("8")).count() == 36
    sqlite_hall.assert_invariants()


def test_enter_in_the_change_form_files_it(qtbot: Any, sqlite_hall: Hall, office_ctx: Any) -> None:
    """Enter submits a back-office form: typed into the replacement form, Enter files it
    as the button does (here the old meter cannot be read: the form asks for its figures)."""
    from counter_app.ui.backoffice.business_changes import BusinessChangesTab

    hall = sqlite_hall
    hall.new_meter_on_bus(NEW, count=4)
    hall.bus.simulator.inject(OLD, Fault(FaultKind.NO_REPLY, times=None))
    tech = BusinessChangesTab(office_ctx, hall.users["tech1"])
    qtbot.addWidget(tech)
    tech.show()
    idle(qtbot, tech)
    tech.kind.setCurrentIndex(tech.kind.findData("meter-replacement"))
    qtbot.keyClicks(tech.meter, OLD)
    qtbot.keyClicks(tech.new_meter, NEW)
    qtbot.keyClick(tech.new_meter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tech.last_error is not None, timeout=WAIT_MS)
    assert tech.last_error.code == "meter-unreadable"
    tech.dead.setChecked(True)
    qtbot.keyClicks(tech.balance, "48.80")
    qtbot.keyClicks(tech.reason, "meter burnt")
    qtbot.keyClick(tech.reason, Qt.Key.Key_Return)
    idle(qtbot, tech)
    qtbot.waitUntil(lambda: tech.changes_table.rowCount() == 1, timeout=WAIT_MS)
    assert tech.last_error is None, tech.status.text()
