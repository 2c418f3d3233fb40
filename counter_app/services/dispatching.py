"""Remote dispatch of a purchase (R7–R11), crash-recoverable (R8).

Three business steps, each its own transaction, with the device call between them:

1. *start*: the purchase goes ``dispatching`` and is committed **before** the dispatcher is
   called, so that after a crash the purchase is known to be unresolved (R8, R16);
2. the `Dispatcher` port runs up to three R7 attempts (R9), outside any transaction;
3. *finish*: every attempt is recorded (R9); on ``success``/``already-loaded`` the purchase is
   ``loaded`` and only now is the meter's committed count moved to ``n`` (I2) and the success
   SMS queued (R11); any other outcome makes it ``failed`` and opens a re-dispatch work order
   (R10).

If the dispatcher raises (a crash of the link, not a meter answer) the purchase stays
``dispatching``; `resolve_unresolved` runs R8 (a)+(b) through ``probe`` and settles it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from counter_app.core.purchase_state import PurchaseEvent, PurchaseState, transition
from counter_app.services import audit, notifications
from counter_app.services.context import ServiceContext
from counter_app.services.errors import PurchaseStateError, ServiceError
from counter_app.services.lookup import lock_purchase_with_owners
from counter_app.services.ports import (
    DispatchAttemptReport,
    DispatchOutcome,
    DispatchProgress,
    DispatchReport,
    MeterProbe,
)
from counter_app.services.work_order_closing import LIVE, close_live_work_orders
from counter_app.store.database import write_transaction
from counter_app.store.models import (
    Customer,
    DispatchAttempt,
    Meter,
    Purchase,
    WorkOrder,
    WorkOrderState,
)

UNRESOLVED_OUTCOME = "unresolved"
"""Reported when the dispatcher itself failed: the recharge may or may not have been sent."""


class NoDispatcher(ServiceError):
    code = "no-dispatcher"

    def __init__(self) -> None:
        super().__init__("no meter link is configured: the purchase stays queued")


@dataclass(frozen=True)
class DispatchSummary:
    """What a dispatch did to one purchase, for the receipt and the screen."""

    purchase_id: int
    count: int
    outcome: str
    reason: str
    state: str
    balance_fen: int | None
    meter_count: int | None
    attempts: int
    work_order_id: int | None

    @property
    def loaded(self) -> bool:
        return self.state == PurchaseState.LOADED


def _set_state(purchase: Purchase, event: PurchaseEvent, now: dt.datetime) -> str:
    before = str(purchase.state)
    purchase.state = transition(PurchaseState(before), event).value
    purchase.updated_at = now
    return before


def commit_count(meter: Meter, count: int) -> str | None:
    """I2: the meter confirmed purchase `count`; move the committed count. Returns a problem
    text (and flags the meter for reconciliation) when the counts do not line up."""
    committed = int(meter.committed_count)
    if committed == count - 1:
        meter.committed_count = count
        return None
    if committed >= count:
        return None  # already committed (e.g. the card's write-back got there first, R5/R13)
    problem = f"meter confirmed count {count} while the committed count is {committed}"
    meter.needs_reconciliation = True
    meter.reconciliation_note = (str(meter.reconciliation_note) + "\n" + problem).strip()
    return problem


class DispatchService:
    """Dispatch, re-dispatch and R8 resolution of remote purchases."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- step 1 --------------------------------------------------------------------------------
    def _start(self, purchase_id: int, operator: str) -> tuple[Purchase, Meter, int]:
        now = self.ctx.clock.now()
        with write_transaction():
            _, _, purchase = lock_purchase_with_owners(purchase_id)
            state = PurchaseState(str(purchase.state))
            if state is not PurchaseState.CARD_WRITTEN:  # R5: the card twin is already written
                if PurchaseEvent.START_DISPATCH not in _events(state):
                    raise PurchaseStateError(purchase_id, state.value, "dispatch")
                before = _set_state(purchase, PurchaseEvent.START_DISPATCH, now)
                purchase.save()
                audit.record(
                    operator,
                    self.ctx.counter_id,
                    "dispatch-start",
                    "purchase",
                    purchase.id,
                    before={"state": before},
                    after={"state": purchase.state, "count": purchase.count},
                )
            meter = Meter.get_by_id(purchase.meter_id)
            last_round = (
                DispatchAttempt.select(DispatchAttempt.round_no)
                .where(DispatchAttempt.purchase == purchase.id)
                .order_by(DispatchAttempt.round_no.desc())
                .scalar()
            )
        return purchase, meter, int(last_round or 0) + 1

    # -- the whole dispatch -----------------------------------------------------------------------
    def dispatch_purchase(
        self,
        purchase_id: int,
        operator: str,
        progress: DispatchProgress | None = None,
        *,
        open_work_order: bool = True,
    ) -> DispatchSummary:
        """R7–R10: dispatch one purchase (created, failed or in a work order) with its count n.

        A retry resends the same n, never a new one (R8).
        """
        dispatcher = self.ctx.dispatcher
        if dispatcher is None:
            raise NoDispatcher()
        purchase, meter, round_no = self._start(purchase_id, operator)
        try:
            report = dispatcher.dispatch(
                str(meter.address),
                str(meter.customer_no),
                int(purchase.amount_fen),
                int(purchase.count),
                progress,
                meter_no=str(meter.meter_no),
            )
        except Exception as exc:  # the link itself broke: leave it unresolved (R8)
            return self._interrupted(purchase_id, operator, round_no, exc)
        return self._finish(
            purchase_id, operator, round_no, report, open_work_order=open_work_order
        )

    def _interrupted(
        self, purchase_id: int, operator: str, round_no: int, exc: Exception
    ) -> DispatchSummary:
        reason = f"{type(exc).__name__}: {exc}"[:500]
        with write_transaction():
            _, _, purchase = lock_purchase_with_owners(purchase_id)
            DispatchAttempt.create(
                purchase=purchase,
                round_no=round_no,
                attempt_no=1,
                outcome=UNRESOLVED_OUTCOME,
                reason=reason,
                started_at=self.ctx.clock.now(),
            )
            audit.record(
                operator,
                self.ctx.counter_id,
                "dispatch-interrupted",
                "purchase",
                purchase.id,
                after={"state": purchase.state, "reason": reason},
            )
        return DispatchSummary(
            purchase_id,
            int(purchase.count),
            UNRESOLVED_OUTCOME,
            reason,
            str(purchase.state),
            None,
            None,
            1,
            None,
        )

    # -- step 3 ------------------------------------------------------------------------------------
    def _finish(
        self,
        purchase_id: int,
        operator: str,
        round_no: int,
        report: DispatchReport,
        *,
        open_work_order: bool,
    ) -> DispatchSummary:
        now = self.ctx.clock.now()
        work_order_id: int | None = None
        with write_transaction():
            _, meter, purchase = lock_purchase_with_owners(purchase_id)
            attempts = report.attempts or (
                DispatchAttemptReport(
                    1, report.outcome, report.reason, report.balance_fen, report.count
                ),
            )
            for a in attempts:
                DispatchAttempt.create(
                    purchase=purchase,
                    round_no=round_no,
                    attempt_no=a.attempt_no,
                    outcome=a.outcome,
                    reason=a.reason,
                    balance_fen=a.balance_fen,
                    count_read=a.count,
                    step_timings=dict(a.step_timings),
                    started_at=a.started_at or now,
                    duration_ms=a.duration_ms,
                )
            before = {"state": str(purchase.state), "committed_count": int(meter.committed_count)}
            if report.balance_fen is not None:
                meter.last_balance_fen = report.balance_fen
                meter.last_seen_at = now
            if report.loaded:
                self._mark_loaded(
                    purchase, meter, PurchaseEvent.DISPATCH_SUCCEEDED, now, report.balance_fen
                )
                action = "dispatch-loaded"
                close_live_work_orders(
                    int(purchase.id),
                    WorkOrderState.CLOSED_SUCCESS,
                    now,
                    f"dispatch {report.outcome}",
                )
            else:
                _set_state(purchase, PurchaseEvent.DISPATCH_FAILED, now)
                action = "dispatch-failed"
                if open_work_order and purchase.state == PurchaseState.FAILED:
                    work_order_id = self._open_work_order(purchase, now)
            purchase.save()
            meter.save()
            audit.record(
                operator,
                self.ctx.counter_id,
                action,
                "purchase",
                purchase.id,
                before=before,
                after={
                    "state": str(purchase.state),
                    "outcome": report.outcome,
                    "reason": report.reason,
                    "committed_count": int(meter.committed_count),
                    "balance_fen": report.balance_fen,
                    "work_order_id": work_order_id,
                },
            )
        return DispatchSummary(
            purchase_id=int(purchase.id),
            count=int(purchase.count),
            outcome=report.outcome,
            reason=report.reason,
            state=str(purchase.state),
            balance_fen=report.balance_fen,
            meter_count=report.count,
            attempts=len(attempts),
            work_order_id=work_order_id,
        )

    def _mark_loaded(
        self,
        purchase: Purchase,
        meter: Meter,
        event: PurchaseEvent,
        now: dt.datetime,
        balance_fen: int | None,
    ) -> None:
        _set_state(purchase, event, now)
        purchase.loaded_at = now
        commit_count(meter, int(purchase.count))
        customer = Customer.get_by_id(purchase.customer_id)
        notifications.queue(
            customer,
            notifications.TEMPLATE_DISPATCH_SUCCESS,
            notifications.dispatch_success_text(
                customer,
                meter,
                int(purchase.amount_fen),
                balance_fen,
                purchase_id=int(purchase.id),
            ),
        )

    def _open_work_order(self, purchase: Purchase, now: dt.datetime) -> int:
        """R10: a failed dispatch becomes a re-dispatch task (one live order per purchase)."""
        _set_state(purchase, PurchaseEvent.OPEN_WORK_ORDER, now)
        live = WorkOrder.get_or_none(
            (WorkOrder.purchase == purchase.id) & WorkOrder.state.in_(list(LIVE))
        )
        if live is not None:
            return int(live.id)
        order = WorkOrder.create(
            purchase=purchase,
            state=WorkOrderState.OPEN,
            created_at=now,
            due_at=now + dt.timedelta(hours=self.ctx.work_order_due_hours),
        )
        return int(order.id)

    # -- R8 -------------------------------------------------------------------------------------
    def resolve_unresolved(self, purchase_id: int, operator: str) -> DispatchSummary:
        """R8 (a)+(b): probe the meter of a ``dispatching`` purchase and settle it.

        Meter count = n (and its last purchase equals ours, when the meter reports it):
        loaded. Meter count = n-1: the recharge never arrived, the purchase is ``failed`` (a
        retry or a reversal may follow). Anything else: left unresolved and the meter flagged.
        """
        dispatcher = self.ctx.dispatcher
        if dispatcher is None:
            raise NoDispatcher()
        purchase = Purchase.get_by_id(purchase_id)
        if purchase.state != PurchaseState.DISPATCHING:
            raise PurchaseStateError(purchase_id, str(purchase.state), "resolve a dispatch")
        meter = Meter.get_by_id(purchase.meter_id)
        probe: MeterProbe = dispatcher.probe(str(meter.address))
        now = self.ctx.clock.now()
        n = int(purchase.count)
        with write_transaction():
            _, meter, purchase = lock_purchase_with_owners(purchase_id)
            if purchase.state != PurchaseState.DISPATCHING:
                raise PurchaseStateError(purchase_id, str(purchase.state), "resolve a dispatch")
            meter.last_balance_fen = probe.balance_fen
            meter.last_seen_at = now
            same_amount = probe.last_purchase_fen in (None, int(purchase.amount_fen))
            if probe.count == n and same_amount:
                outcome = DispatchOutcome.ALREADY_LOADED
                self._mark_loaded(
                    purchase, meter, PurchaseEvent.METER_CONFIRMED, now, probe.balance_fen
                )
            elif probe.count == n - 1:
                outcome = "not-loaded"
                _set_state(purchase, PurchaseEvent.DISPATCH_FAILED, now)
            else:
                outcome = DispatchOutcome.COUNT_MISMATCH
                meter.needs_reconciliation = True
                meter.reconciliation_note = (
                    f"{meter.reconciliation_note}\nR8 probe: meter count {probe.count}, "
                    f"purchase {n}, last purchase {probe.last_purchase_fen}".strip()
                )
            purchase.save()
            meter.save()
            audit.record(
                operator,
                self.ctx.counter_id,
                "dispatch-probe",
                "purchase",
                purchase.id,
                after={
                    "state": str(purchase.state),
                    "outcome": outcome,
                    "meter_count": probe.count,
                    "balance_fen": probe.balance_fen,
                },
            )
        return DispatchSummary(
            int(purchase.id),
            n,
            outcome,
            "R8 probe",
            str(purchase.state),
            probe.balance_fen,
            probe.count,
            0,
            None,
        )

    def unresolved_purchases(self) -> list[int]:
        """Purchases left ``dispatching`` (after a crash): resolve them before anything else."""
        query = Purchase.select(Purchase.id).where(Purchase.state == PurchaseState.DISPATCHING)
        return [int(p.id) for p in query.order_by(Purchase.id)]

    def queued_purchases(self) -> list[int]:
        """Remote purchases still ``created`` (no meter link at the time, or never started)."""
        query = Purchase.select(Purchase.id).where(
            (Purchase.state == PurchaseState.CREATED) & (Purchase.route == "remote")
        )
        return [int(p.id) for p in query.order_by(Purchase.id)]


def _events(state: PurchaseState) -> frozenset[PurchaseEvent]:
    from counter_app.core.purchase_state import legal_events

    return legal_events(state)
