"""Shifts and cash on both engines: float, cash in/out, X, blind count, Z, supervisor view.

Payments and reversals go through the real `PaymentService` and `ReversalService` (R15); the
shift finds them by operator + counter + time window, and every figure comes from the one
ledger (`core.shift_ledger`).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from counter_app.services import audit
from counter_app.services.errors import InvalidInput, NotAuthorized
from counter_app.services.shift_summary import render_shift_summary
from counter_app.services.shifts import ShiftConflict, ShiftRefused, ShiftService
from counter_app.store.models import AuditLog
from tests.office_views.conftest import Office


def _service(office: Office, counter_id: str = "C1") -> ShiftService:
    return ShiftService(office.services_at(counter_id).ctx)


def test_shift_ledger_counts_counter_cash_and_r15_refunds(office: Office) -> None:
    shifts = ShiftService(office.services.ctx)
    teller = office.users["teller1"]
    office.customer("S1")
    shift = shifts.open_shift(teller, 50_000)
    pays = office.services.payments
    p1 = pays.take_payment("S1", 10_000, operator="teller1")
    pays.take_payment("S1", 2_500, operator="teller1")
    pays.take_payment("S1", 7_000, channel="bank", operator="teller1")  # not cash
    pays.take_payment("S1", 900, operator="teller2")  # another teller: not this shift
    office.services.reversals.reverse_payment(
        p1.receipt_no,
        operator="teller1",
        supervisor="super1",
        supervisor_password="super1-pass",
        reason="wrong customer",
    )
    shifts.cash_movement(teller, shift.id, "in", 5_000, "change top-up")
    shifts.cash_movement(teller, shift.id, "out", 20_000, "cash drop to safe")

    x = shifts.x_read(teller, shift.id)
    led = x.ledger
    assert led.payment_count == 3 and led.payments_fen == 19_500
    assert led.cash_payments_fen == 12_500 and led.channel_fen("bank") == 7_000
    assert led.refund_count == 1 and led.refunds_fen == 10_000
    assert led.expected_cash_fen == 50_000 + 12_500 - 10_000 + 5_000 - 20_000
    assert [line.kind for line in x.lines].count("refund") == 1

    # blind count: stored first, compared afterwards; short by 1.00 yuan
    result = shifts.record_blind_count(teller, shift.id, 37_400)
    assert (result.expected_fen, result.variance_fen, result.kind) == (37_500, -100, "short")
    with pytest.raises(ShiftRefused):
        shifts.record_blind_count(teller, shift.id, 37_500)  # the count is taken once
    with pytest.raises(InvalidInput):
        shifts.close_shift(teller, shift.id, "")  # short needs a reason
    # payments after the count belong to no window of this shift
    pays.take_payment("S1", 1_000, operator="teller1")
    z = shifts.close_shift(teller, shift.id, "miscounted change")
    outside = shifts.payments_outside_shifts(office.users["super1"], shift.opened_at)
    assert [(u.operator, u.amount_fen) for u in outside] == [("teller2", 900), ("teller1", 1_000)]
    with pytest.raises(NotAuthorized):
        shifts.payments_outside_shifts(teller, shift.opened_at)
    assert z.shift.state == "closed" and z.ledger == led
    assert z.variance is not None and z.variance.fen == -100
    actions = [r.action for r in AuditLog.select().where(AuditLog.entity == "shift")]
    assert actions == [
        "shift-open",
        "cash-in",
        "cash-out",
        "shift-x-read",
        "shift-count",
        "shift-close",
    ]


def test_one_live_shift_per_teller_and_per_counter(office: Office) -> None:
    c1, c2 = _service(office, "C1"), _service(office, "C2")
    first = c1.open_shift(office.users["teller1"], 0)
    with pytest.raises(ShiftConflict):
        c2.open_shift(office.users["teller1"], 0)  # same person, other counter
    with pytest.raises(ShiftConflict):
        c1.open_shift(office.users["teller2"], 0)  # same drawer
    other = c2.open_shift(office.users["teller2"], 100)
    sup = office.users["super1"]
    assert {r.shift.id for r in c1.open_shifts(sup)} == {first.id, other.id}
    with pytest.raises(NotAuthorized):
        c1.open_shifts(office.users["teller1"])
    with pytest.raises(NotAuthorized):
        c1.open_shift(office.users["tech1"], 0)
    with pytest.raises(NotAuthorized):  # nobody works another person's drawer
        c1.cash_movement(sup, first.id, "in", 100, "x")
    refused = audit.entries(actions=["permission-refused"])  # I3: each refusal on record
    assert [e.after["action"] for e in refused] == [
        "view-open-shifts",
        "open-shift",
        "work another person's shift",
    ]
    assert c1.x_read(sup, first.id).shift.operator == "teller1"  # a supervisor may read it


def test_cash_movement_needs_reason_and_open_shift(office: Office) -> None:
    shifts = _service(office)
    teller = office.users["teller1"]
    s = shifts.open_shift(teller, 1_000)
    with pytest.raises(InvalidInput):
        shifts.cash_movement(teller, s.id, "in", 100, "  ")
    with pytest.raises(ShiftRefused):
        shifts.close_shift(teller, s.id, "")  # close before the blind count
    result = shifts.record_blind_count(teller, s.id, 1_000)
    assert result.kind == "exact" and not result.needs_reason
    with pytest.raises(ShiftRefused):
        shifts.cash_movement(teller, s.id, "out", 100, "late drop")
    assert shifts.close_shift(teller, s.id).shift.state == "closed"
    assert shifts.open_shift(teller, 0).state == "open"  # a new shift after the close


def test_shift_pdf_totals_equal_the_ledger(office: Office, tmp_path: Path) -> None:
    shifts = _service(office)
    teller = office.users["teller1"]
    office.customer("S2")
    s = shifts.open_shift(teller, 123_456)
    office.services.payments.take_payment("S2", 98_765, operator="teller1")
    shifts.cash_movement(teller, s.id, "out", 4_321, "银行解款 bank deposit")
    shifts.record_blind_count(teller, s.id, 217_800)
    report = shifts.close_shift(teller, s.id, "找零错误 wrong change")
    pdf = tmp_path / "shift.pdf"
    pdf.write_bytes(render_shift_summary(report))
    figures = pdf_figures(pdf)
    led = report.ledger
    assert figures["备用金"] == led.float_fen == 123_456
    assert figures["现金收费"] == led.cash_payments_fen == 98_765
    assert figures["冲正退款"] == led.refunds_fen == 0
    assert figures["现金取出"] == led.cash_out_fen == 4_321
    assert figures["应有现金"] == led.expected_cash_fen == 123_456 + 98_765 - 4_321
    assert figures["盲点现金"] == 217_800
    assert figures["差额"] == 217_800 - led.expected_cash_fen
    text = pdf_text(pdf)
    assert "wrong change" in text and "班次结算单" in text and "短款" in text


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def pdf_figures(path: Path) -> dict[str, int]:
    """Label (its Chinese word) -> amount in fen, read back from the PDF's text."""
    figures: dict[str, int] = {}
    for line in pdf_text(path).splitlines():
        parts = line.split()
        if len(parts) < 2 or not re.fullmatch(r"-?[\d,]+\.\d\d", parts[-1]):
            continue
        yuan, cents = parts[-1].replace(",", "").split(".")
        sign = -1 if yuan.startswith("-") else 1
        figures.setdefault(parts[0], sign * (abs(int(yuan)) * 100 + int(cents)))
    return figures
