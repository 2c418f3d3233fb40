"""R19 meter replacement and R20 review, against simulated meters over the real meter link.

The old meter's final balance and count come from the meter (the probe) or, when it is dead,
from the technician's form; the balance is held for a supervisor's review; approved, it is
computed like any purchase (R1–R3) and dispatched to the new meter, whose counts go on from
its own count (I2). I1 and I2 are checked after every step.
"""

from __future__ import annotations

import pytest

from counter_app.services import audit
from counter_app.services.business import ChangeRefused, MeterUnreadable
from counter_app.services.errors import NotAuthorized
from counter_app.services.receipts import receipt_lines, render_receipt
from counter_app.store.models import (
    Bill,
    BusinessChange,
    Meter,
    Notification,
    PrepaymentRefund,
    Purchase,
    ReviewedPrepayment,
)
from meter_link.simulator.faults import Fault, FaultKind
from tests.business.conftest import Hall

OLD, NEW = "000000000001", "000000000007"
CUSTOMER = "100000000001"


def test_readable_replacement_carries_the_balance_to_the_new_meter(hall: Hall) -> None:
    s = hall.services
    paid = s.payments.take_payment(CUSTOMER, 2_000, operator="teller1")
    assert paid.dispatch is not None and paid.dispatch.loaded and paid.purchase_count == 1
    hall.new_meter_on_bus(NEW, count=3)  # a refurbished meter that already counted 3

    out = s.business.replace_meter(hall.users["tech1"], OLD, new_meter_address=NEW)

    assert out.reading.source == "meter"
    assert (out.reading.balance_fen, out.reading.count) == (7_000, 1)
    assert out.new_base_count == 3 and out.opening.way == "remote"
    old, new = Meter.get(Meter.address == OLD), Meter.get(Meter.address == NEW)
    assert not old.active and new.active and new.purchase_mode == "remote"
    assert (new.base_count, new.committed_count) == (3, 3)
    held = ReviewedPrepayment.get_by_id(out.held_id)
    assert (held.state, held.amount_fen, held.meter_id) == ("pending", 7_000, new.id)
    hall.assert_invariants()

    # the held money is not swept by the next payment (R20): only the new money is loaded
    second = s.payments.take_payment(CUSTOMER, 1_000, operator="teller1")
    assert second.purchase_count == 4 and second.adjusted_fee_fen == 1_000
    assert second.dispatch is not None and second.dispatch.loaded
    hall.assert_invariants()

    review = s.business.approve(hall.users["super1"], out.held_id)
    assert review.state == "approved" and review.payment is not None
    assert review.payment.purchase_count == 5 and review.payment.adjusted_fee_fen == 7_000
    assert review.dispatch is not None and review.dispatch.loaded
    with hall.sim(NEW) as m:
        assert (m.purchase_count, m.balance_fen) == (5, 8_000)
    assert Meter.get_by_id(new.id).committed_count == 5
    counts = sorted(p.count for p in Purchase.select().where(Purchase.meter == new.id))
    assert counts == [4, 5]  # I2 across the swap: the new meter goes on from its own count
    sms = Notification.select().where(Notification.template == "dispatch-success")
    assert any("70.00" in n.body and "80.00" in n.body for n in sms)  # R19: with an SMS
    hall.assert_invariants()
    actions = [e.action for e in audit.entries(entity="reviewed-prepayment")]
    assert actions == ["prepayment-approved"]
    assert [e.action for e in audit.entries(actions=["meter-replacement"])] == ["meter-replacement"]


def test_dead_meter_figures_from_the_form_then_refused_then_refunded(hall: Hall) -> None:
    s = hall.services
    hall.new_meter_on_bus(NEW)
    hall.bus.simulator.inject(OLD, Fault(FaultKind.NO_REPLY, times=None))
    with pytest.raises(MeterUnreadable):
        s.business.replace_meter(hall.users["tech1"], OLD, new_meter_address=NEW)
    assert BusinessChange.select().count() == 0  # nothing booked

    out = s.business.replace_meter(
        hall.users["tech1"],
        OLD,
        new_meter_address=NEW,
        dead=True,
        final_balance_fen=4_990,
        final_count=0,
        reason="display dark, figures from the last write-back card",
    )
    assert out.reading.source == "form" and out.held_id is not None
    assert BusinessChange.get_by_id(out.change_id).details["dead"] is True
    hall.assert_invariants()

    with pytest.raises(NotAuthorized):  # who filed does not review
        s.business.refuse(hall.users["tech1"], out.held_id, reason="x")
    with pytest.raises(NotAuthorized):
        s.business.approve(hall.users["teller1"], out.held_id)
    refusals = audit.entries(actions=["authorization-refused"])
    assert [(e.actor, e.after["filed_by"]) for e in refusals] == [
        ("tech1", "tech1"),
        ("teller1", "tech1"),
    ]
    refused = s.business.refuse(
        hall.users["super1"], out.held_id, reason="figures to be confirmed by the meter lab"
    )
    held = ReviewedPrepayment.get_by_id(out.held_id)
    assert (held.state, held.review_reason) == (
        "refused",
        "figures to be confirmed by the meter lab",
    )
    assert refused.state == "refused"
    hall.assert_invariants()
    assert [r.id for r in s.business.reviews()] == [out.held_id]  # still in the queue

    refund = s.business.refund_cash(hall.users["super2"], out.held_id, reason="customer moves away")
    assert refund.refund_receipt_no is not None
    row = PrepaymentRefund.get(PrepaymentRefund.receipt_no == refund.refund_receipt_no)
    assert (row.amount_fen, row.supervisor) == (4_990, "super2")
    assert s.business.reviews() == []
    receipt = s.business.refund_receipt(refund.refund_receipt_no)
    rows = dict(receipt_lines(receipt))
    assert rows["退款金额"] == "¥49.90" and rows["审核人"] == "super2"
    assert rows["退款原因"] == "customer moves away"
    assert render_receipt(receipt).startswith(b"%PDF")
    with pytest.raises(ChangeRefused):
        s.business.approve(hall.users["super1"], out.held_id)
    hall.assert_invariants()


def test_a_form_count_that_does_not_match_the_archive_is_refused(hall: Hall) -> None:
    hall.new_meter_on_bus(NEW)
    with pytest.raises(ChangeRefused) as caught:
        hall.services.business.replace_meter(
            hall.users["tech1"],
            OLD,
            new_meter_address=NEW,
            dead=True,
            final_balance_fen=100,
            final_count=4,
        )
    assert caught.value.refusal == "count-mismatch"
    assert Meter.get(Meter.address == OLD).active
    assert Meter.get_or_none(Meter.address == NEW) is None
    assert ReviewedPrepayment.select().count() == 0


def test_overdraft_becomes_arrears_settled_first_at_approval(hall: Hall) -> None:
    s = hall.services
    hall.new_meter_on_bus(NEW)
    out = s.business.replace_meter(
        hall.users["tech1"],
        OLD,
        new_meter_address=NEW,
        dead=True,
        final_balance_fen=3_000,
        final_count=0,
        final_overdraft_fen=0,
    )
    s.payments.issue_bill(CUSTOMER, 1_200, period="2026-10")
    review = s.business.approve(hall.users["super1"], out.held_id)
    assert review.payment is not None
    assert review.payment.settled_fen == 1_200  # R1: arrears first
    assert review.payment.adjusted_fee_fen == 1_800 and review.dispatch is not None
    assert review.dispatch.loaded
    assert Bill.get(Bill.period == "2026-10").outstanding_fen == 0
    hall.assert_invariants()

    # an overdraft read at removal is consumption the meter lent: it becomes a bill
    other = "000000000008"
    hall.new_meter_on_bus(other)
    with hall.sim(NEW) as m:
        m.balance_fen, m.overdraft_fen = 0, 350
    bill_out = s.business.replace_meter(hall.users["tech1"], NEW, new_meter_address=other)
    assert bill_out.held_id is None and bill_out.overdraft_bill_id is not None
    assert Bill.get_by_id(bill_out.overdraft_bill_id).outstanding_fen == 350
    hall.assert_invariants()
