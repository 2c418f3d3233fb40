"""PaymentService on SQLite and PostgreSQL: R1–R11, I1/I2 after every money movement."""

from __future__ import annotations

import datetime as dt

import pytest

from counter_app.services import audit
from counter_app.services.checks import check_database
from counter_app.services.context import ServiceContext
from counter_app.services.errors import InvalidAmount, InvalidInput, UnknownCustomer
from counter_app.services.payments import PaymentService, parse_amount
from counter_app.store.models import (
    Bill,
    Customer,
    DispatchAttempt,
    Meter,
    Notification,
    Payment,
    Purchase,
    WorkOrder,
)
from tests.fixtures.database import TestDatabase
from tests.services.conftest import ProcessKilled, World


def assert_invariants() -> None:
    assert [str(b) for b in check_database()] == []


def money_snapshot() -> tuple[object, ...]:
    return (
        list(Customer.select(Customer.id, Customer.prepayment_fen).tuples()),
        list(Bill.select(Bill.id, Bill.outstanding_fen).tuples()),
        Payment.select().count(),
        list(Purchase.select(Purchase.id, Purchase.state).tuples()),
        list(Meter.select(Meter.id, Meter.committed_count).tuples()),
    )


def test_r2_r3_single_remote_meter_dispatches_whole_prepayment(world: World) -> None:
    c = world.customer(remote=False)
    first = world.services.payments.take_payment(c.customer_no, 500, operator="teller1")
    assert first.reason == "card-mode" and first.prepayment_after_fen == 500
    Meter.update(purchase_mode="remote").where(Meter.customer == c.id).execute()
    out = world.services.payments.take_payment(c.customer_no, 10_000, operator="teller1")
    assert out.route == "remote" and out.reason is None
    assert out.adjusted_fee_fen == 10_500  # R3: the whole prepayment
    assert out.prepayment_after_fen == 0
    assert out.purchase_count == 1
    assert out.dispatch is not None and out.dispatch.state == "loaded"
    assert Meter.get(Meter.customer == c.id).committed_count == 1
    assert world.dispatcher.calls == [(out.meter_address, 10_500, 1)]
    assert out.receipt_no.startswith("T1-")
    assert_invariants()


def test_r1_arrears_settled_oldest_first_and_r2_no_dispatch_while_arrears_remain(
    world: World,
) -> None:
    c = world.customer()
    pay = world.services.payments
    old = pay.issue_bill(c.customer_no, 3_000, issued_on=dt.date(2026, 1, 1))
    new = pay.issue_bill(c.customer_no, 4_000, issued_on=dt.date(2026, 2, 1))
    out = pay.take_payment(c.customer_no, 5_000, operator="teller1")
    assert out.settlements == ((old, 3_000), (new, 2_000))
    assert out.arrears_after_fen == 2_000
    assert out.reason == "arrears-remain" and out.purchase_id is None
    assert world.dispatcher.calls == []
    out2 = pay.take_payment(c.customer_no, 2_500, operator="teller1")
    assert out2.settlements == ((new, 2_000),)
    assert out2.adjusted_fee_fen == 500 and out2.dispatch is not None
    assert_invariants()


@pytest.mark.parametrize(
    ("kwargs", "reason", "route"),
    [
        ({"meters": 2}, "multi-meter", "card"),  # R6
        ({"remote": False}, "card-mode", "card"),  # R2
        ({"capable": False}, "not-collection-capable", "card"),  # R2
        ({"card_meter": False}, "not-card-meter", "none"),  # R2
        ({"meters": 0}, "no-active-meter", "none"),
    ],
)
def test_r2_r6_ineligible_money_stays_in_prepayment_with_reason(
    world: World, kwargs: dict[str, object], reason: str, route: str
) -> None:
    c = world.customer(**kwargs)  # type: ignore[arg-type]
    out = world.services.payments.take_payment(c.customer_no, 1_234, operator="teller1")
    assert (out.reason, out.route, out.purchase_id) == (reason, route, None)
    assert Customer.get_by_id(c.id).prepayment_fen == 1_234
    assert world.dispatcher.calls == []
    assert_invariants()


def test_r10_failed_dispatch_opens_work_order_and_keeps_count_uncommitted(world: World) -> None:
    c = world.customer()
    world.dispatcher.script = ["channel-failure"]
    out = world.services.payments.take_payment(c.customer_no, 2_000, operator="teller1")
    assert out.dispatch is not None
    assert out.dispatch.outcome == "channel-failure" and out.dispatch.state == "work-order"
    assert out.dispatch.work_order_id is not None
    assert DispatchAttempt.select().count() == 3  # R9: every attempt recorded
    assert Meter.get(Meter.customer == c.id).committed_count == 0  # I2: not confirmed
    assert Notification.select().count() == 0  # R11: no SMS before the order is closed
    assert_invariants()
    # the purchase is pending: a further payment waits in prepayment (one purchase per meter)
    out2 = world.services.payments.take_payment(c.customer_no, 100, operator="teller1")
    assert out2.reason == "purchase-pending" and out2.purchase_id is None
    assert_invariants()


def test_r11_success_sms_queued_in_outbox(world: World) -> None:
    c = world.customer(phone="13900000001")
    world.services.payments.take_payment(c.customer_no, 3_000, operator="teller1")
    (note,) = Notification.select()
    assert note.template == "dispatch-success" and "30.00" in note.body
    assert note.state == "queued"


def test_r8_already_loaded_counts_as_success(world: World) -> None:
    c = world.customer()
    meter = Meter.get(Meter.customer == c.id)
    world.dispatcher.script = ["lost-reply"]  # the recharge arrived but the reply was lost
    out = world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    # the next attempt's count check finds the meter at n: already loaded (R8, R9)
    assert out.dispatch is not None and out.dispatch.state == "loaded"
    assert out.dispatch.outcome == "already-loaded"
    assert Meter.get_by_id(meter.id).committed_count == 1
    assert_invariants()


def test_r8_probe_after_a_crash_finds_the_purchase_loaded(world: World) -> None:
    c = world.customer()
    meter = Meter.get(Meter.customer == c.id)
    world.dispatcher.script = ["killed-after-send"]  # the counter died after sending
    with pytest.raises(ProcessKilled):
        world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    (pid,) = world.services.dispatch.unresolved_purchases()
    assert_invariants()
    summary = world.services.dispatch.resolve_unresolved(pid, "teller1")
    assert summary.state == "loaded" and summary.outcome == "already-loaded"
    assert Meter.get_by_id(meter.id).committed_count == 1
    assert_invariants()


def test_no_dispatcher_leaves_purchase_queued(world: World) -> None:
    c = world.customer()
    service = PaymentService(ServiceContext(counter_id="T9", dispatcher=None))
    out = service.take_payment(c.customer_no, 700, operator="teller1")
    assert out.purchase_state == "created" and out.dispatch is None
    assert any("queued" in n for n in out.notes)
    assert_invariants()


@pytest.mark.parametrize("text", ["-1", "1.234", "abc", "1e5", "nan", "99999999999", "", "0"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(InvalidAmount):
        parse_amount(text)


def test_bad_inputs_change_nothing(world: World) -> None:
    c = world.customer()
    before = money_snapshot()
    audit_before = len(audit.entries())
    with pytest.raises(UnknownCustomer):
        world.services.payments.take_payment("NOPE", 100, operator="teller1")
    with pytest.raises(InvalidAmount):
        world.services.payments.take_payment(c.customer_no, 0, operator="teller1")
    with pytest.raises(InvalidAmount):
        world.services.payments.take_payment(c.customer_no, 100_000_000_000, operator="teller1")
    with pytest.raises(InvalidInput):
        world.services.payments.take_payment(
            c.customer_no, 100, channel="barter", operator="teller1"
        )
    assert money_snapshot() == before
    assert len(audit.entries()) == audit_before


def test_i3_payment_is_audited_with_before_and_after(world: World) -> None:
    c = world.customer()
    out = world.services.payments.take_payment(c.customer_no, 900, operator="teller2")
    (entry,) = audit.entries(entity="payment", entity_id=out.payment_id)
    assert entry.actor == "teller2" and entry.counter_id == "T1"
    assert entry.before == {"prepayment_fen": 0, "arrears_fen": 0}
    assert entry.after["amount_fen"] == 900
    actions = [e.action for e in audit.entries(entity="purchase")]
    assert actions == ["dispatch-start", "dispatch-loaded"]


def test_work_order_retry_and_close_failed_queues_bring_card(world: World) -> None:
    from counter_app.services import auth

    c = world.customer(phone="13900000002")
    world.dispatcher.script = ["timeout"]
    out = world.services.payments.take_payment(c.customer_no, 1_500, operator="teller1")
    tech = auth.authenticate("tech1", "tech1-pass")
    teller = auth.authenticate("teller1", "teller1-pass")
    wo = world.services.work_orders
    with pytest.raises(Exception, match="may not"):
        wo.take_next(teller)
    order = wo.take_next(tech)
    assert order is not None and order.taken_by == "tech1"
    assert wo.take_next(tech) is None
    world.dispatcher.script = ["count-mismatch"]
    summary = wo.retry(order.id, tech)
    assert summary.state == "work-order" and summary.work_order_id == order.id
    assert WorkOrder.select().count() == 1
    closed = wo.close(order.id, tech, success=False, note="meter unreachable")
    assert closed.state == "closed-failed"
    (note,) = Notification.select()
    assert note.template == "bring-card"
    assert out.purchase_id is not None
    assert_invariants()


def test_work_order_retry_success_closes_order(world: World) -> None:
    from counter_app.services import auth

    c = world.customer()
    world.dispatcher.script = ["channel-failure"]
    world.services.payments.take_payment(c.customer_no, 1_500, operator="teller1")
    tech = auth.authenticate("tech1", "tech1-pass")
    (order,) = world.services.work_orders.list_orders()
    summary = world.services.work_orders.retry(order.id, tech)
    assert summary.state == "loaded"
    assert world.services.work_orders.get(order.id).state == "closed-success"
    assert Meter.get(Meter.customer == c.id).committed_count == 1
    assert_invariants()


def test_work_orders_are_shared_with_skip_locked(world: World, db: TestDatabase) -> None:
    """Two workers taking orders at once get different orders (PostgreSQL: SKIP LOCKED)."""
    import threading

    from counter_app.services import auth
    from counter_app.store.database import database, locked, write_transaction

    for n in ("W1", "W2"):
        c = world.customer(n)
        world.dispatcher.script = ["channel-failure"]
        world.services.payments.take_payment(c.customer_no, 100, operator="teller1")
    tech = auth.authenticate("tech1", "tech1-pass")
    if db.kind == "sqlite":  # one writer: BEGIN IMMEDIATE serialises take_next
        a, b = (
            world.services.work_orders.take_next(tech),
            world.services.work_orders.take_next(tech),
        )
        assert a is not None and b is not None and a.id != b.id
        assert world.services.work_orders.take_next(tech) is None
        return
    first_locked = threading.Event()
    release = threading.Event()

    def hold_first_order() -> None:
        with write_transaction():
            query = WorkOrder.select().order_by(WorkOrder.id).limit(1)
            assert locked(query).first() is not None
            first_locked.set()
            release.wait(10)
        database.close()

    holder = threading.Thread(target=hold_first_order)
    holder.start()
    assert first_locked.wait(10)
    try:
        taken = world.services.work_orders.take_next(tech)  # must not wait for the holder
    finally:
        release.set()
        holder.join(10)
    first, second = (o.id for o in WorkOrder.select().order_by(WorkOrder.id))
    assert taken is not None and taken.id == second
    assert WorkOrder.get_by_id(first).state == "open"


def test_r4_prepayment_offsets_arrears_without_new_money(world: World) -> None:
    c = world.customer(remote=False)
    world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    world.services.payments.issue_bill(c.customer_no, 600)
    out = world.services.payments.offset_arrears(c.customer_no, operator="teller1")
    assert out is not None and out.channel == "offset" and out.settled_fen == 600
    assert Customer.get_by_id(c.id).prepayment_fen == 400
    assert world.services.payments.offset_arrears(c.customer_no, operator="teller1") is None
    assert_invariants()
