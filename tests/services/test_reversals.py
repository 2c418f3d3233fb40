"""ReversalService (R15, R16) on SQLite and PostgreSQL: authorization, matrix, money, I1/I2/I3."""

from __future__ import annotations

import datetime as dt

import pytest

from counter_app.services import audit
from counter_app.services.context import ServiceContext
from counter_app.services.errors import AuthenticationFailed, NotAuthorized, ReversalRefused
from counter_app.services.registry import build_services
from counter_app.store.models import Bill, Meter, Payment, Purchase, Refund
from tests.services.conftest import ProcessKilled, World
from tests.services.test_payments import assert_invariants, money_snapshot


def reverse(world: World, payment: int, **overrides: str):  # type: ignore[no-untyped-def]
    kwargs = {
        "operator": "teller1",
        "supervisor": "super1",
        "supervisor_password": "super1-pass",
        "reason": "wrong customer",
    }
    kwargs.update(overrides)
    return world.services.reversals.reverse_payment(payment, **kwargs)


def test_r15_unloaded_purchase_is_reversed_with_payment_and_count_is_free(world: World) -> None:
    c = world.customer()
    world.dispatcher.script = ["channel-failure"]
    out = world.services.payments.take_payment(c.customer_no, 2_000, operator="teller1")
    assert out.dispatch is not None and out.dispatch.state == "work-order"
    rev = reverse(world, out.payment_id)
    assert rev.case == "payment-and-purchase" and rev.purchase_reversed
    assert rev.refund_fen == 2_000 and rev.debit_fen == 0 and rev.prepayment_after_fen == 0
    assert Purchase.get_by_id(out.purchase_id).state == "reversed"
    assert_invariants()
    # n = 1 is free again: the next payment gets count 1 and loads
    again = world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    assert again.purchase_count == 1 and again.dispatch is not None
    assert again.dispatch.state == "loaded"
    assert_invariants()


def test_r15_loaded_purchase_refund_leaves_reversal_debit_collected_by_r1(world: World) -> None:
    c = world.customer()
    out = world.services.payments.take_payment(c.customer_no, 3_000, operator="teller1")
    assert out.dispatch is not None and out.dispatch.state == "loaded"
    rev = reverse(world, out.payment_id)
    assert rev.case == "payment-only" and not rev.purchase_reversed
    assert rev.debit_fen == 3_000 and rev.debit_bill_id is not None
    assert Bill.get_by_id(rev.debit_bill_id).kind == "reversal-debit"
    assert Purchase.get_by_id(out.purchase_id).state == "loaded"  # the meter keeps its credit
    assert Meter.get(Meter.customer == c.id).committed_count == 1
    assert_invariants()
    nxt = world.services.payments.take_payment(c.customer_no, 5_000, operator="teller1")
    assert nxt.settlements == ((rev.debit_bill_id, 3_000),)  # R1 collects the debit first
    assert nxt.adjusted_fee_fen == 2_000 and nxt.purchase_count == 2
    assert_invariants()


def test_r15_payment_without_purchase_reopens_bills(world: World) -> None:
    c = world.customer()
    bill = world.services.payments.issue_bill(c.customer_no, 4_000, issued_on=dt.date(2026, 1, 5))
    out = world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    rev = reverse(world, out.payment_id)
    assert rev.case == "payment-no-purchase" and rev.reopened_fen == 1_000
    assert Bill.get_by_id(bill).outstanding_fen == 4_000
    assert_invariants()


def test_r15_reversal_is_audited_with_supervisor(world: World) -> None:
    c = world.customer()
    out = world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    reverse(world, out.payment_id, reason="customer changed mind")
    entry = audit.entries(entity="payment", entity_id=out.payment_id, actions=["reverse-payment"])[
        0
    ]
    assert entry.actor == "teller1" and entry.after["supervisor"] == "super1"
    assert entry.after["reason"] == "customer changed mind"
    refund = Refund.get(Refund.payment == out.payment_id)
    assert (refund.supervisor, refund.operator) == ("super1", "teller1")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"supervisor_password": "wrong"}, AuthenticationFailed),
        ({"supervisor": "teller2", "supervisor_password": "teller2-pass"}, NotAuthorized),
        ({"supervisor": "teller1", "supervisor_password": "teller1-pass"}, ReversalRefused),
        ({"supervisor": "nobody", "supervisor_password": "x"}, AuthenticationFailed),
        ({"reason": "  "}, ReversalRefused),
    ],
    ids=["wrong-password", "teller-account", "own-password", "unknown", "no-reason"],
)
def test_r15_only_a_supervisors_own_credentials_authorize(
    world: World, overrides: dict[str, str], error: type[Exception]
) -> None:
    c = world.customer()
    out = world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    before = money_snapshot()
    with pytest.raises(error):
        reverse(world, out.payment_id, **overrides)
    assert money_snapshot() == before
    assert Refund.select().count() == 0
    refused = audit.entries(actions=["authorization-refused", "reversal-refused"])
    assert len(refused) == 1  # I3: the refused attempt is on record


def test_r15_already_reversed_is_refused_and_changes_nothing(world: World) -> None:
    c = world.customer()
    out = world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    reverse(world, out.payment_id)
    before = money_snapshot()
    with pytest.raises(ReversalRefused, match="already-reversed"):
        reverse(world, out.payment_id)
    assert money_snapshot() == before
    assert Refund.select().count() == 1
    assert_invariants()


def test_r16_unresolved_dispatch_refused_until_r8_probe_resolves_it(world: World) -> None:
    c = world.customer()
    world.dispatcher.script = ["killed"]  # the counter died before anything was sent
    with pytest.raises(ProcessKilled):
        world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    payment_id = int(Payment.get(Payment.customer == c.id).id)
    assert Purchase.get(Purchase.payment == payment_id).state == "dispatching"
    offline = build_services(ServiceContext(counter_id="T2", dispatcher=None))
    before = money_snapshot()
    with pytest.raises(ReversalRefused, match="unresolved-dispatch"):
        offline.reversals.reverse_payment(
            payment_id,
            operator="teller1",
            supervisor="super1",
            supervisor_password="super1-pass",
            reason="x",
        )
    assert money_snapshot() == before
    # with the meter reachable, R8 (a)+(b) shows count n-1: not loaded, so reversible
    rev = reverse(world, payment_id)
    assert rev.case == "payment-and-purchase"
    assert_invariants()


def test_r16_probe_finding_the_purchase_loaded_makes_it_payment_only(world: World) -> None:
    c = world.customer()
    world.dispatcher.script = ["lost-reply"]
    out = world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    rev = reverse(world, out.payment_id)
    assert rev.case == "payment-only" and rev.debit_fen == 1_000
    assert Meter.get(Meter.customer == c.id).committed_count == 1
    assert_invariants()
