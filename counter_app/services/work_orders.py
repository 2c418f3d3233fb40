"""Re-dispatch work orders (R10): opened by a failed dispatch, taken by inspection staff,
retried through the `Dispatcher` (R7–R9, same count n), closed as success or failure.

Closing as failed queues the "bring your card" SMS (R11) and leaves the purchase in
``work-order``: the teller writes purchase n onto the card at the next visit (R12,
`CardService.begin_card_write(purchase_id=...)`). Taking the next order uses
``FOR UPDATE SKIP LOCKED`` on PostgreSQL so several workers share the queue; SQLite's single
writer (``BEGIN IMMEDIATE``) serialises the same step. A retry takes an open order first (so
two counters never retry the same order at once) and refuses an order someone else holds.

Roles (`services.auth`): viewing needs ``view-work-orders``, taking
``take-work-order``, retrying ``retry-dispatch``, closing ``close-work-order`` — a teller has
none of them, whatever the window shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from counter_app.core.purchase_state import PurchaseState
from counter_app.services import audit, auth, lookup, notifications
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import DispatchService, DispatchSummary
from counter_app.services.errors import UnknownWorkOrder, WorkOrderStateError
from counter_app.services.ports import DispatchProgress
from counter_app.services.work_order_closing import LIVE
from counter_app.store.database import locked, write_transaction
from counter_app.store.indexes import live_work_orders
from counter_app.store.models import (
    AuditLog,
    Customer,
    DispatchAttempt,
    Meter,
    Purchase,
    WorkOrder,
    WorkOrderState,
)

A = auth.Action


@dataclass(frozen=True)
class WorkOrderView:
    """One order as the queue shows it: what to load where, who holds it, how old, when due."""

    id: int
    state: str
    purchase_id: int
    purchase_state: str
    count: int
    amount_fen: int
    meter_address: str
    customer_no: str
    taken_by: str | None
    due_at: dt.datetime | None
    note: str
    created_at: dt.datetime | None = None
    taken_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    meter_no: str = ""
    customer_name: str = ""
    attempts: int = 0
    last_outcome: str | None = None
    last_reason: str = ""

    def age(self, now: dt.datetime) -> dt.timedelta:
        """How long the order has waited (since it was opened)."""
        return now - self.created_at if self.created_at is not None else dt.timedelta(0)

    def overdue(self, now: dt.datetime) -> bool:
        live = self.state in LIVE
        return live and self.due_at is not None and now > self.due_at


@dataclass(frozen=True)
class AttemptRow:
    """One R7 attempt of the order's purchase (R9: reason, reads, timings)."""

    round_no: int
    attempt_no: int
    outcome: str
    reason: str
    balance_fen: int | None
    count_read: int | None
    started_at: dt.datetime | None
    duration_ms: int
    step_timings: dict[str, float]


@dataclass(frozen=True)
class HistoryEvent:
    """One audited step of the order or its purchase (I3): who, when, where, what."""

    at: dt.datetime
    actor: str
    counter_id: str
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class WorkOrderHistory:
    order: WorkOrderView
    attempts: tuple[AttemptRow, ...]
    events: tuple[HistoryEvent, ...]


def _views(orders: list[WorkOrder]) -> list[WorkOrderView]:
    """Views of `orders` in their order, in three statements whatever their number.

    The queue shows every live order; one statement per order (purchase, meter, customer,
    attempts) made the queue's cost grow with the backlog, at a province's size by seconds.
    """
    if not orders:
        return []
    purchase_ids = [int(o.purchase_id) for o in orders]
    rows: Any = (
        Purchase.select(Purchase, Meter, Customer)
        .join(Meter, on=(Purchase.meter == Meter.id))
        .switch(Purchase)
        .join(Customer, on=(Purchase.customer == Customer.id))
        .where(Purchase.id.in_(purchase_ids))
    )
    purchases = {int(p.id): p for p in rows}
    tallies = lookup.attempt_tallies(purchase_ids)
    views = []
    for order in orders:
        p = purchases[int(order.purchase_id)]
        m, c = p.meter, p.customer
        tally = tallies.get(int(p.id), lookup.NO_ATTEMPT)
        views.append(
            WorkOrderView(
                id=int(order.id),
                state=str(order.state),
                purchase_id=int(p.id),
                purchase_state=str(p.state),
                count=int(p.count),
                amount_fen=int(p.amount_fen),
                meter_address=str(m.address),
                customer_no=str(c.customer_no),
                taken_by=order.taken_by,
                due_at=order.due_at,
                note=str(order.note),
                created_at=order.created_at,
                taken_at=order.taken_at,
                closed_at=order.closed_at,
                meter_no=str(m.meter_no),
                customer_name=str(c.name),
                attempts=tally.attempts,
                last_outcome=tally.last_outcome,
                last_reason=tally.last_reason,
            )
        )
    return views


def _view(order: WorkOrder) -> WorkOrderView:
    return _views([order])[0]


class WorkOrderService:
    """R10 work orders."""

    def __init__(self, ctx: ServiceContext, dispatch: DispatchService | None = None) -> None:
        self.ctx = ctx
        self.dispatch = dispatch or DispatchService(ctx)

    def list_orders(
        self, *, live_only: bool = True, user: auth.SignedInUser | None = None, limit: int = 500
    ) -> list[WorkOrderView]:
        """The queue, most urgent first (due time, then age). With `user`, role-checked."""
        if user is not None:
            auth.require(user, A.VIEW_WORK_ORDERS)
        query = WorkOrder.select()
        if live_only:
            query = query.where(live_work_orders()).order_by(WorkOrder.due_at, WorkOrder.id)
        else:
            query = query.order_by(WorkOrder.id.desc())
        return _views(list(query.limit(limit)))

    def history(
        self, work_order_id: int, user: auth.SignedInUser | None = None
    ) -> WorkOrderHistory:
        """Every dispatch attempt of the order's purchase (first dispatch and all retries, R9)
        and every audited step of the order and the purchase (I3), oldest first."""
        if user is not None:
            auth.require(user, A.VIEW_WORK_ORDERS)
        order = WorkOrder.get_or_none(WorkOrder.id == work_order_id)
        if order is None:
            raise UnknownWorkOrder(work_order_id)
        attempts = tuple(
            AttemptRow(
                round_no=int(a.round_no),
                attempt_no=int(a.attempt_no),
                outcome=str(a.outcome),
                reason=str(a.reason),
                balance_fen=None if a.balance_fen is None else int(a.balance_fen),
                count_read=None if a.count_read is None else int(a.count_read),
                started_at=a.started_at,
                duration_ms=int(a.duration_ms),
                step_timings={str(k): float(v) for k, v in dict(a.step_timings or {}).items()},
            )
            for a in DispatchAttempt.select()
            .where(DispatchAttempt.purchase == order.purchase_id)
            .order_by(DispatchAttempt.round_no, DispatchAttempt.attempt_no, DispatchAttempt.id)
        )
        logs = AuditLog.select().where(
            ((AuditLog.entity == "work_order") & (AuditLog.entity_id == str(order.id)))
            | ((AuditLog.entity == "purchase") & (AuditLog.entity_id == str(order.purchase_id)))
        )
        events = tuple(
            HistoryEvent(
                at=r.at,
                actor=str(r.actor),
                counter_id=str(r.counter_id),
                action=str(r.action),
                detail=dict(r.after or {}),
            )
            for r in logs.order_by(AuditLog.id)
        )
        return WorkOrderHistory(_view(order), attempts, events)

    def get(self, work_order_id: int) -> WorkOrderView:
        order = WorkOrder.get_or_none(WorkOrder.id == work_order_id)
        if order is None:
            raise UnknownWorkOrder(work_order_id)
        return _view(order)

    def take_next(self, user: auth.SignedInUser) -> WorkOrderView | None:
        """Take the oldest open order nobody holds (SKIP LOCKED on PostgreSQL)."""
        auth.require(user, A.TAKE_WORK_ORDER)
        with write_transaction():
            query = (
                WorkOrder.select()
                .where(WorkOrder.state == WorkOrderState.OPEN)
                .order_by(WorkOrder.due_at, WorkOrder.id)
                .limit(1)
            )
            order = locked(query, skip_locked=True).first()
            if order is None:
                return None
            self._take(order, user)
        return _view(order)

    def take(self, work_order_id: int, user: auth.SignedInUser) -> WorkOrderView:
        """Take one chosen open order (refused when someone else took it first)."""
        auth.require(user, A.TAKE_WORK_ORDER)
        with write_transaction():
            order = self._lock(work_order_id)
            if order.state != WorkOrderState.OPEN:
                raise WorkOrderStateError(work_order_id, str(order.state), "take it")
            self._take(order, user)
        return _view(order)

    def release(self, work_order_id: int, user: auth.SignedInUser) -> WorkOrderView:
        """Give a taken order back to the queue (its holder or a supervisor)."""
        auth.require(user, A.TAKE_WORK_ORDER)
        with write_transaction():
            order = self._lock(work_order_id)
            if order.state != WorkOrderState.TAKEN:
                raise WorkOrderStateError(work_order_id, str(order.state), "release it")
            holder = str(order.taken_by or "")
            if holder != user.username and not user.may(A.AUTHORIZE_REVERSAL):
                raise WorkOrderStateError(work_order_id, f"taken by {holder}", "release it")
            order.state = WorkOrderState.OPEN
            order.taken_by = None
            order.taken_at = None
            order.save()
            audit.record(
                user.username,
                self.ctx.counter_id,
                "work-order-released",
                "work_order",
                order.id,
                before={"state": WorkOrderState.TAKEN, "taken_by": holder},
                after={"state": WorkOrderState.OPEN},
            )
        return _view(order)

    def _lock(self, work_order_id: int) -> WorkOrder:
        order = locked(WorkOrder.select().where(WorkOrder.id == work_order_id)).first()
        if order is None:
            raise UnknownWorkOrder(work_order_id)
        return cast(WorkOrder, order)

    def _take(self, order: WorkOrder, user: auth.SignedInUser) -> None:
        order.state = WorkOrderState.TAKEN
        order.taken_by = user.username
        order.taken_at = self.ctx.clock.now()
        order.save()
        audit.record(
            user.username,
            self.ctx.counter_id,
            "work-order-taken",
            "work_order",
            order.id,
            before={"state": WorkOrderState.OPEN},
            after={"state": WorkOrderState.TAKEN},
        )

    def retry(
        self, work_order_id: int, user: auth.SignedInUser, progress: DispatchProgress | None = None
    ) -> DispatchSummary:
        """R10: re-dispatch the order's purchase (R7–R9, same n, R8). Success closes the order.

        An open order is taken first, in its own transaction, so that two counters never
        retry the same order; an order another person holds is refused. Run it on the meter
        bus's owner thread: it waits for the meter (up to three attempts).
        """
        auth.require(user, A.RETRY_DISPATCH)
        with write_transaction():
            order = self._lock(work_order_id)
            if order.state not in LIVE:
                raise WorkOrderStateError(work_order_id, str(order.state), "retry it")
            if order.state == WorkOrderState.OPEN:
                self._take(order, user)
            elif order.taken_by != user.username:
                raise WorkOrderStateError(work_order_id, f"taken by {order.taken_by}", "retry it")
            purchase_id = int(order.purchase_id)
        return self.dispatch.dispatch_purchase(purchase_id, user.username, progress)

    def close(
        self, work_order_id: int, user: auth.SignedInUser, *, success: bool, note: str = ""
    ) -> WorkOrderView:
        """Close an order. Failed: the customer is told to bring the card (R10, R11)."""
        auth.require(user, A.CLOSE_WORK_ORDER)
        now = self.ctx.clock.now()
        with write_transaction():
            order = self._lock(work_order_id)
            if order.state not in LIVE:
                raise WorkOrderStateError(work_order_id, str(order.state), "close it")
            purchase = Purchase.get_by_id(order.purchase_id)
            if success and purchase.state != PurchaseState.LOADED:
                raise WorkOrderStateError(
                    work_order_id,
                    str(order.state),
                    f"close it as success while the purchase is {purchase.state}",
                )
            before = {"state": str(order.state)}
            order.state = WorkOrderState.CLOSED_SUCCESS if success else WorkOrderState.CLOSED_FAILED
            order.closed_at = now
            order.note = note
            order.save()
            if not success:
                customer = Customer.get_by_id(purchase.customer_id)
                meter = Meter.get_by_id(purchase.meter_id)
                notifications.queue(
                    customer,
                    notifications.TEMPLATE_BRING_CARD,
                    notifications.bring_card_text(
                        customer, meter, int(purchase.amount_fen), purchase_id=int(purchase.id)
                    ),
                )
            audit.record(
                user.username,
                self.ctx.counter_id,
                "work-order-closed",
                "work_order",
                order.id,
                before=before,
                after={"state": order.state, "note": note},
            )
        return _view(order)
