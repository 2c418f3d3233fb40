"""No purchase strands: every dispatch failure, whatever the dispatcher, ends on the retry path.

A link that cannot be opened is a channel failure like a silent meter (R9 attempts, R10 work
order, R11 "bring your card" when the order closes failed); a purchase a probe finds not loaded
goes back to the retry path (R8, R10); a purchase whose recharge may have reached the meter is
never reversed without reading the meter first (R8, R16) — so no meter is credited twice (I1).
"""

from __future__ import annotations

import pytest

from counter_app.bootstrap import MeterLinkDispatcher
from counter_app.config import MeterLinkConfig
from counter_app.services import auth
from counter_app.services.context import ServiceContext
from counter_app.services.errors import ReversalRefused
from counter_app.services.registry import build_services
from counter_app.store.models import (
    Customer,
    DispatchAttempt,
    Meter,
    Notification,
    Payment,
    Purchase,
    WorkOrder,
)
from meter_link.client import Dlt645Client
from meter_link.simulator.faults import Fault, FaultKind
from tests.fixtures.meters import FAST_TIMEOUTS, MeterBus
from tests.fixtures.postgres import free_port
from tests.services.conftest import ProcessKilled, World
from tests.services.test_payments import assert_invariants


def reverse(world: World, payment_id: int) -> object:
    return world.services.reversals.reverse_payment(
        payment_id,
        operator="teller1",
        supervisor="super1",
        supervisor_password="super1-pass",
        reason="customer changed their mind",
    )


def test_link_that_cannot_be_opened_is_a_channel_failure_with_work_order_and_sms(
    world: World,
) -> None:
    """Connection refused: three recorded channel failures, an open work order (R9, R10); the
    order's retry fails the same way; closed as failed, the customer is told (R11)."""
    c = world.customer(phone="13900000009")
    refused = MeterLinkDispatcher(
        MeterLinkConfig(url=f"socket://127.0.0.1:{free_port()}"), security=object()
    )
    services = build_services(ServiceContext(counter_id="T1", dispatcher=refused))
    out = services.payments.take_payment(c.customer_no, 2_500, operator="teller1")
    d = out.dispatch
    assert d is not None and d.state == "work-order" and d.work_order_id is not None
    assert d.outcome == "channel-failure" and d.attempts == 3
    attempts = list(DispatchAttempt.select().where(DispatchAttempt.purchase == out.purchase_id))
    assert [a.outcome for a in attempts] == ["channel-failure"] * 3
    assert all("refused" in a.reason.lower() or "cannot open" in a.reason for a in attempts)
    order = WorkOrder.get_by_id(d.work_order_id)
    assert order.state == "open"
    tech = auth.authenticate("tech1", "tech1-pass")
    again = services.work_orders.retry(order.id, tech)
    assert again.state == "work-order" and again.outcome == "channel-failure"
    assert DispatchAttempt.select().where(DispatchAttempt.purchase == out.purchase_id).count() == 6
    services.work_orders.close(order.id, tech, success=False, note="link down all day")
    (sms,) = Notification.select().where(Notification.template == "bring-card")
    assert sms.customer_id == c.id
    assert Purchase.get_by_id(out.purchase_id).state == "work-order"  # the card is next (R12)
    assert Meter.get(Meter.customer == c.id).committed_count == 0
    assert_invariants()


def test_probe_finding_the_purchase_not_loaded_reopens_the_retry_path(world: World) -> None:
    """kill -9 mid-dispatch, then resume: the meter is at n-1, so the purchase gets a work
    order (R10) instead of a dead-end ``failed``; the order's retry loads it."""
    c = world.customer()
    world.dispatcher.script = ["killed"]
    with pytest.raises(ProcessKilled):
        world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    result = world.services.recovery.resume("teller1")
    (summary,) = result.summaries
    assert summary.outcome == "not-loaded" and summary.state == "work-order"
    assert summary.work_order_id is not None
    assert WorkOrder.get_by_id(summary.work_order_id).state == "open"
    assert world.services.recovery.open_purchases()[0].work_order_id == summary.work_order_id
    assert_invariants()
    tech = auth.authenticate("tech1", "tech1-pass")
    loaded = world.services.work_orders.retry(summary.work_order_id, tech)
    assert loaded.state == "loaded"
    assert WorkOrder.get_by_id(summary.work_order_id).state == "closed-success"
    assert world.services.recovery.open_purchases() == []
    assert_invariants()


def test_meter_unreadable_on_resume_opens_a_work_order_and_blocks_a_blind_reversal(
    world: World,
) -> None:
    """The counter died after sending and the meter cannot be read: resume opens a work
    order (not a CLI error, not a dead end); the reversal waits for the meter (R16); once the
    meter answers it shows the purchase loaded and the reversal is payment-only (R15)."""
    c = world.customer()
    world.dispatcher.script = ["killed-after-send"]
    with pytest.raises(ProcessKilled):
        world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    world.dispatcher.probe_fails = True
    (summary,) = world.services.recovery.resume("teller1").summaries
    assert summary.state == "work-order" and summary.outcome == "unresolved"
    payment_id = int(Payment.get(Payment.customer == c.id).id)
    with pytest.raises(ReversalRefused, match="unresolved-dispatch"):
        reverse(world, payment_id)
    world.dispatcher.probe_fails = False
    rev = reverse(world, payment_id)
    assert rev.case == "payment-only" and rev.debit_fen == 1_000  # type: ignore[attr-defined]
    assert Meter.get(Meter.customer == c.id).committed_count == 1
    assert_invariants()


def test_no_double_credit_when_a_lost_reply_is_followed_by_a_dead_link(
    sqlite_db: object, meter_bus: MeterBus
) -> None:
    """Real DL/T 645 path: the meter applies the recharge but its reply is lost, then the bus
    goes down. The purchase fails into a work order; a reversal is refused until the meter
    answers, and then is payment-only: the meter keeps its credit once, the books say so."""
    auth.create_user("teller1", "teller1-pass", "teller")
    auth.create_user("super1", "super1-pass", "supervisor")
    address = meter_bus.addresses[0]
    customer_no = f"{100000000000 + int(address):012d}"
    c = Customer.create(customer_no=customer_no, name="Sim")
    Meter.create(
        customer=c,
        address=address,
        meter_no=address,
        customer_no=customer_no,
        collection_capable=True,
        purchase_mode="remote",
    )
    dispatcher = MeterLinkDispatcher(
        MeterLinkConfig(url=meter_bus.url),
        security=meter_bus.security,
        client_factory=lambda url: Dlt645Client(url, timeouts=FAST_TIMEOUTS),
    )
    services = build_services(ServiceContext(counter_id="SIM", dispatcher=dispatcher))
    meter_bus.simulator.inject(
        address, Fault(FaultKind.REPLY_LOST_AFTER_APPLY, times=1, di=0x070102FF)
    )

    def bus_dies_after_first_attempt(step: str, attempt: int) -> None:
        if attempt == 2 and step == "channel-test":
            meter_bus.simulator.bus_down(120)

    try:
        out = services.payments.take_payment(
            customer_no, 3_000, operator="teller1", progress=bus_dies_after_first_attempt
        )
        assert out.dispatch is not None and out.dispatch.state == "work-order"
        with meter_bus.simulator.meter(address) as m:
            assert m.purchase_count == 1  # the meter did load it
        with pytest.raises(ReversalRefused, match="unresolved-dispatch"):
            services.reversals.reverse_payment(
                out.payment_id,
                operator="teller1",
                supervisor="super1",
                supervisor_password="super1-pass",
                reason="wrong amount",
            )
        meter_bus.simulator.clear_faults()
        rev = services.reversals.reverse_payment(
            out.payment_id,
            operator="teller1",
            supervisor="super1",
            supervisor_password="super1-pass",
            reason="wrong amount",
        )
        assert rev.case == "payment-only" and rev.debit_fen == 3_000
        assert Meter.get(Meter.address == address).committed_count == 1
        assert Purchase.get_by_id(out.purchase_id).state == "loaded"
        assert_invariants()
    finally:
        dispatcher.close()
