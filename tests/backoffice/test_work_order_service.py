"""WorkOrderService for the back office (R9, R10, I3) on SQLite and PostgreSQL: the queue
with age and due time, one holder per order, the history of every attempt."""

from __future__ import annotations

import datetime as dt

import pytest

from counter_app.services import auth
from counter_app.services.errors import WorkOrderStateError
from counter_app.store.models import WorkOrder
from tests.services.conftest import World
from tests.services.test_payments import assert_invariants


def orders(world: World, n: int) -> list[int]:
    for i in range(n):
        c = world.customer(f"S{i:02d}")
        world.dispatcher.script = ["channel-failure"]
        world.services.payments.take_payment(c.customer_no, 500 + i, operator="teller1")
    return [int(o.id) for o in WorkOrder.select().order_by(WorkOrder.id)]


def test_r10_queue_shows_age_due_and_overdue_most_urgent_first(world: World) -> None:
    first, second = orders(world, 2)
    WorkOrder.update(due_at=dt.datetime(2020, 1, 1)).where(WorkOrder.id == second).execute()
    tech = auth.authenticate("tech1", "tech1-pass")
    queue = world.services.work_orders.list_orders(user=tech)
    assert [o.id for o in queue] == [second, first]  # the overdue one first
    now = world.services.ctx.clock.now()
    assert queue[0].overdue(now) and not queue[1].overdue(now)
    assert queue[1].age(now) >= dt.timedelta(0) and queue[1].due_at is not None
    assert queue[1].due_at - queue[1].created_at == dt.timedelta(hours=48)
    assert (queue[0].attempts, queue[0].last_outcome) == (3, "channel-failure")
    assert world.services.work_orders.take_next(tech).id == second  # type: ignore[union-attr]


def test_r10_one_holder_per_order_release_and_retry(world: World) -> None:
    (order_id,) = orders(world, 1)
    tech = auth.authenticate("tech1", "tech1-pass")
    boss = auth.authenticate("super1", "super1-pass")
    wo = world.services.work_orders
    assert wo.take(order_id, tech).taken_by == "tech1"
    with pytest.raises(WorkOrderStateError):
        wo.take(order_id, boss)
    with pytest.raises(WorkOrderStateError, match="taken by tech1"):
        wo.retry(order_id, boss)  # nobody retries an order another person holds
    auth.create_user("tech2", "tech2-pass", "technician")
    with pytest.raises(WorkOrderStateError):
        wo.release(order_id, auth.authenticate("tech2", "tech2-pass"))
    assert wo.release(order_id, boss).state == "open"  # a supervisor may give it back
    with pytest.raises(WorkOrderStateError, match="success"):
        wo.close(order_id, tech, success=True)  # not loaded: cannot close as success
    world.dispatcher.script = ["count-mismatch"]
    failed = wo.retry(order_id, boss)  # an open order is taken by the retry itself
    assert failed.state == "work-order" and wo.get(order_id).taken_by == "super1"
    loaded = wo.retry(order_id, boss)
    assert loaded.loaded and wo.get(order_id).state == "closed-success"
    history = wo.history(order_id, tech)
    assert [(a.round_no, a.outcome) for a in history.attempts][-4:] == [
        (2, "count-mismatch"),
        (2, "count-mismatch"),
        (2, "count-mismatch"),
        (3, "success"),
    ]
    actions = [e.action for e in history.events]
    assert actions.count("work-order-taken") == 2 and "work-order-released" in actions
    assert {e.counter_id for e in history.events} == {"T1"}  # I3: at which counter
    assert world.dispatcher.calls[-1][2] == world.dispatcher.calls[0][2]  # the same n (R8)
    assert_invariants()
