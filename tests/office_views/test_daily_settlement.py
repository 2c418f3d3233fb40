"""The hall's end of day (日结) on both engines: two counters' shifts, channel totals, a
reversal, cash taken outside any shift, the deposit slip PDF with its capitals, the audit
record, and a refusal while a drawer is still open."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest

from counter_app.services import audit
from counter_app.services.daily_settlement import (
    DayNotSettled,
    settlement_lines,
)
from counter_app.services.errors import NotAuthorized
from counter_app.services.shifts import ShiftService
from tests.office_views.conftest import WAIT_MS, Office, ViewEnv


def test_the_hall_day_across_counters_and_its_deposit_slip(office: Office, tmp_path: Path) -> None:
    teller1, teller2, boss = (
        office.users["teller1"],
        office.users["teller2"],
        office.users["super1"],
    )
    office.customer("D1")
    c1, c2 = office.services_at("C1"), office.services_at("C2")
    s1 = ShiftService(c1.ctx).open_shift(teller1, 50_000)
    s2 = ShiftService(c2.ctx).open_shift(teller2, 30_000)
    paid = c1.payments.take_payment("D1", 20_000, operator="teller1")
    c1.payments.take_payment("D1", 10_000, channel="transfer", operator="teller1")
    c2.payments.take_payment("D1", 15_000, operator="teller2")
    c1.reversals.reverse_payment(
        paid.receipt_no,
        operator="teller1",
        supervisor="super1",
        supervisor_password="super1-pass",
        reason="wrong customer",
    )
    office.services_at("C3").payments.take_payment("D1", 700, operator="super1")  # no shift

    day = dt.date.today()
    service = office.services.daily_settlement
    with pytest.raises(NotAuthorized):
        service.settlement(teller1, day)
    open_day = service.settlement(boss, day)
    assert not open_day.settled and len(open_day.open_shifts) == 2
    with pytest.raises(DayNotSettled):
        service.issue_deposit_slip(boss, day, tmp_path / "slip.pdf")

    # both drawers counted and closed (Z); counter 2 is one yuan short
    ShiftService(c1.ctx).record_blind_count(teller1, s1.id, 50_000)
    ShiftService(c1.ctx).close_shift(teller1, s1.id, "")
    ShiftService(c2.ctx).record_blind_count(teller2, s2.id, 44_900)
    ShiftService(c2.ctx).close_shift(teller2, s2.id, "gave too much change")

    settlement, slip = service.issue_deposit_slip(
        boss, day, tmp_path / "slip.pdf", hall="城东营业厅", supplier="国网示范供电公司"
    )
    assert settlement.settled and not settlement.all_in_shifts
    assert {c.channel: (c.count, c.amount_fen) for c in settlement.channels} == {
        "counter": (3, 35_700),
        "transfer": (1, 10_000),
    }
    assert [(r.receipt_no, r.amount_fen, r.supervisor) for r in settlement.reversals] == [
        (paid.receipt_no, 20_000, "super1")
    ]
    assert settlement.counted_fen == 94_900 and settlement.floats_fen == 80_000
    assert settlement.to_bank_fen == 14_900  # (500 - 500) + (449 - 300) yuan
    assert settlement.variance_fen == -100
    kinds = {(d.kind, d.who, d.amount_fen) for d in settlement.differences}
    assert kinds == {("short", "teller2", -100), ("outside-shift", "super1", 700)}
    assert any("gave too much change" in d.explanation for d in settlement.differences)
    labels = dict(settlement_lines(settlement))
    assert labels["解缴银行"] == "149.00" and labels["班外收款"].startswith("1 笔")

    text = subprocess.run(["pdftotext", "-layout", str(slip), "-"], capture_output=True).stdout
    flat = "".join(text.decode().split())
    for expected in ("现金缴款单", "城东营业厅", "¥149.00", "壹佰肆拾玖元整", "班外收款", "短款"):
        assert expected in flat, (expected, flat)
    (record,) = audit.entries(entity="hall-day", actions=("daily-settlement",))
    assert record.after["to_bank_fen"] == 14_900 and record.actor == "super1"


def test_the_supervisors_tab_settles_the_day(qtbot: Any, view_env: ViewEnv) -> None:
    from PySide6.QtCore import Qt

    from counter_app.ui.backoffice.daily_settlement import DailySettlementTab

    env = view_env
    teller = env.users["teller1"]
    shifts = ShiftService(env.services.ctx)
    shift = shifts.open_shift(teller, 10_000)
    env.services.payments.take_payment(env.customers[0], 5_000, operator="teller1")
    tab = DailySettlementTab(env.ctx, env.users["super1"])
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.settlement is not None and tab.busy == 0, timeout=WAIT_MS)
    assert not tab.slip_button.isEnabled() and "still open" in tab.state_label.text()
    assert tab.shifts_table.item(0, 4).text() == "150.00"  # expected cash of the open drawer

    shifts.record_blind_count(teller, shift.id, 15_000)
    shifts.close_shift(teller, shift.id, "")
    tab.refresh()
    qtbot.waitUntil(lambda: tab.slip_button.isEnabled() and tab.busy == 0, timeout=WAIT_MS)
    qtbot.mouseClick(tab.slip_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.last_slip is not None, timeout=WAIT_MS)
    assert tab.last_slip.exists() and "50.00" in tab.totals_label.text()
    assert tab.channels_table.item(0, 0).text() == "counter"
