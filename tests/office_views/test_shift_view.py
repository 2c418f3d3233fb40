"""Done-when: a shift opened, payments and a reversal taken, a blind close
with a shortage recorded, and the shift PDF's totals equal the ledger's.

The ShiftsTab is driven like a teller drives it (keys and clicks); payments go through the
real `PaymentService` and are dispatched over DL/T 645 to the simulated meters
(`meter_bus`); the reversal is a real R15 reversal authorized by a supervisor.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from counter_app.services.shifts import ShiftService
from tests.office_views.conftest import WAIT_MS, ViewEnv


def pdf_figures(path: Path) -> dict[str, int]:
    """The PDF's label (first word) -> amount in fen, read back with pdftotext."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    figures: dict[str, int] = {}
    for line in out.stdout.decode().splitlines():
        parts = line.split()
        if len(parts) >= 2 and re.fullmatch(r"-?[\d,]+\.\d\d", parts[-1]):
            yuan, cents = parts[-1].replace(",", "").split(".")
            sign = -1 if yuan.startswith("-") else 1
            figures.setdefault(parts[0], sign * (abs(int(yuan)) * 100 + int(cents)))
    return figures


def idle(qtbot: Any, *tabs: Any) -> None:
    qtbot.waitUntil(lambda: all(t.busy == 0 for t in tabs), timeout=WAIT_MS)


def test_shift_blind_close_with_shortage_and_pdf_equals_ledger(
    qtbot: Any, view_env: ViewEnv
) -> None:
    from counter_app.ui.backoffice.shifts import ShiftsTab

    env = view_env
    tab = ShiftsTab(env.ctx, env.users["teller1"])
    qtbot.addWidget(tab)
    tab.show()
    idle(qtbot, tab)
    assert tab.current is None and tab.open_button.isEnabled()

    # open with a float of 500.00 yuan
    qtbot.keyClicks(tab.float_edit, "500.00")
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.current is not None, timeout=WAIT_MS)
    shift_id = tab.current.id

    # payments at the counter, dispatched to the simulated meters (R7), and an R15 reversal
    pays = env.services.payments
    first = pays.take_payment(env.customers[0], 20_000, operator="teller1")
    second = pays.take_payment(env.customers[1], 15_000, operator="teller1")
    assert first.dispatch is not None and first.dispatch.loaded
    assert second.dispatch is not None and second.dispatch.loaded
    with env.bus.simulator.meter(env.bus.addresses[0]) as meter:
        assert meter.purchase_count == 1 and meter.last_purchase_fen == 20_000
    reversal = env.services.reversals.reverse_payment(
        second.receipt_no,
        operator="teller1",
        supervisor="super1",
        supervisor_password="super1-pass",
        reason="customer paid twice",
    )
    assert reversal.refund_fen == 15_000

    # cash out with a reason
    tab.direction.setCurrentIndex(tab.direction.findData("out"))
    qtbot.keyClicks(tab.cash_amount, "100")
    qtbot.keyClicks(tab.cash_reason, "cash drop to safe")
    qtbot.mouseClick(tab.cash_button, Qt.MouseButton.LeftButton)
    idle(qtbot, tab)
    assert tab.last_error is None

    # a supervisor sees the open shift with the same expected cash
    sup_tab = ShiftsTab(env.ctx, env.users["super1"])
    qtbot.addWidget(sup_tab)
    qtbot.waitUntil(lambda: len(sup_tab.open_reports) == 1 and sup_tab.busy == 0, timeout=WAIT_MS)
    expected = 50_000 + 20_000 + 15_000 - 15_000 - 10_000
    assert sup_tab.open_reports[0].ledger.expected_cash_fen == expected
    assert sup_tab.open_table.item(0, 1).text() == "teller1"
    assert sup_tab.open_table.item(0, 9).text() == "600.00"
    assert sup_tab.outside == [] and "belongs to a shift" in sup_tab.outside_label.text()

    # X read shows the figures
    qtbot.mouseClick(tab.x_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.last_report is not None, timeout=WAIT_MS)
    assert tab.last_report.ledger.expected_cash_fen == expected
    assert tab.figures.rowCount() > 0

    # blind count: the figures leave the screen before the teller types the count
    qtbot.mouseClick(tab.start_count_button, Qt.MouseButton.LeftButton)
    assert tab.figures.rowCount() == 0 and not tab.variance_label.isVisible()
    assert "600.00" not in tab.state_label.text()
    qtbot.keyClicks(tab.count_edit, "598.50")
    qtbot.mouseClick(tab.count_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.last_count is not None, timeout=WAIT_MS)
    assert (tab.last_count.variance_fen, tab.last_count.kind) == (-150, "short")
    assert tab.variance_label.isVisible() and "600.00" in tab.variance_label.text()

    # Z without a reason is refused; with one it closes and writes the PDF
    qtbot.mouseClick(tab.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.last_error is not None, timeout=WAIT_MS)
    assert tab.current is not None and tab.last_pdf is None
    qtbot.keyClicks(tab.reason_edit, "short change given")
    qtbot.mouseClick(tab.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.last_pdf is not None, timeout=WAIT_MS)
    assert tab.current is None and tab.open_button.isEnabled()

    # the PDF's totals are the ledger's, and the ledger is the service's own
    ledger = ShiftService(env.services.ctx).report(shift_id).ledger
    assert tab.last_report is not None and tab.last_report.ledger == ledger
    figures = pdf_figures(tab.last_pdf)
    assert figures["备用金"] == ledger.float_fen == 50_000
    assert figures["收费合计"] == ledger.payments_fen == 35_000
    assert figures["现金收费"] == ledger.cash_payments_fen == 35_000
    assert figures["冲正退款"] == ledger.refunds_fen == 15_000
    assert figures["现金存入"] == ledger.cash_in_fen == 0
    assert figures["现金取出"] == ledger.cash_out_fen == 10_000
    assert figures["应有现金"] == ledger.expected_cash_fen == expected
    assert figures["盲点现金"] == 59_850
    assert figures["差额"] == -150
    text = subprocess.run(["pdftotext", str(tab.last_pdf), "-"], capture_output=True).stdout
    assert "short change given" in text.decode() and "短款" in text.decode()

    # cash taken after the close is in no drawer: the supervisor sees it
    pays.take_payment(env.customers[2], 500, operator="teller1")
    qtbot.mouseClick(sup_tab.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sup_tab.open_reports == [] and sup_tab.busy == 0, timeout=WAIT_MS)
    assert [(u.operator, u.amount_fen) for u in sup_tab.outside] == [("teller1", 500)]
    assert "5.00" in sup_tab.outside_label.text()
