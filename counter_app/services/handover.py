"""The hand-over of dispatch tasks to the collection system, and its results (R7–R11).

The marketing side (this program) decides *what* to load; the collection system (the
station) decides *how* to reach the meter (R7–R9) and reports the final result. Neither
trusts the other to be up, so every hand-over is written before it is sent and is
idempotent on its key:

1. **write** — `hand_over_in_transaction` runs in the payment's (or the retry's) own
   transaction: the purchase goes ``dispatching`` and a `StationTask` row is written in
   state ``queued`` with a fresh `task_id`. A crash after the commit loses nothing: the task
   is in our outbox.
2. **send** — after the commit, `send` submits it (``POST /tasks``). The station is
   idempotent on `task_id` (and on meter + count), so sending again after a crash, a lost
   reply or a second sender is one task at the station. Unreachable: the row stays
   ``queued`` and the sender worker tries again.
3. **apply** — the final result comes back by whichever way is first: the payment
   following the task live (`follow`), the station's callback (``POST /station/results`` of
   the counter-server) or the result poller (`poll`). `apply` locks the task row and applies
   the result only if the task is not ``applied`` yet: loaded → count committed (I2),
   success SMS; final failure → R10 work order and the failure SMS (R11). Exactly once,
   however many times the result arrives.

Until step 3 the purchase is ``dispatching`` with a live task: "result not yet known"
(下发中), a normal state the window, the receipt and the work-order queue show.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

from counter_app.core.purchase_state import PurchaseState
from counter_app.services import audit
from counter_app.services.context import ServiceContext
from counter_app.services.dispatch_results import OUTBOX_OUTCOME, PENDING_OUTCOME, DispatchSummary
from counter_app.services.lookup import lock_purchase_with_owners
from counter_app.services.ports import (
    DispatchProgress,
    DispatchReport,
    DispatchTask,
    StationUnavailable,
    TaskHandover,
    TaskRefused,
    TaskResult,
)
from counter_app.services.work_order_closing import live_work_order
from counter_app.store.database import locked, write_transaction
from counter_app.store.models import (
    Purchase,
    StationCursor,
    StationTask,
    StationTaskState,
)

if TYPE_CHECKING:
    from counter_app.services.dispatching import DispatchService

REFUSED_OUTCOME = "station-refused"
"""Our outcome when the collection system refused a task outright (conflict, bad field)."""
CURSOR_NAME = "station"
SYSTEM_ACTOR = "collection-system"
"""Who applied a result that came back by callback or poll (I3: the audit names it)."""


class Applied(enum.Enum):
    """What `HandoverService.apply` did with one result."""

    APPLIED = "applied"  # this call applied it
    ALREADY = "already"  # applied before (a repeated delivery): nothing changed
    NOT_DONE = "not-done"  # the task is still queued or running at the station
    UNKNOWN = "unknown"  # not one of our tasks (another counter database's)


@dataclass(frozen=True)
class PollReport:
    results: int
    applied: int
    last_seq: int


def new_task_id() -> str:
    """A task id unique across every counter database that shares a station."""
    return uuid.uuid4().hex


class HandoverService:
    """Outbox, sender and result application of the station hand-over (module docstring)."""

    def __init__(self, ctx: ServiceContext, dispatch: DispatchService) -> None:
        if ctx.handover is None:
            raise ValueError("the hand-over needs a collection system (ServiceContext.handover)")
        self.ctx = ctx
        self.dispatch = dispatch
        self.station: TaskHandover = ctx.handover

    @property
    def origin(self) -> str:
        return f"counter:{self.ctx.counter_id}"[:64]

    # -- 1. write ----------------------------------------------------------------------------
    def hand_over_in_transaction(self, purchase: Purchase, operator: str, now: dt.datetime) -> str:
        """In the caller's transaction (purchase locked): ``dispatching`` + the outbox row."""
        round_no = self.dispatch.start_in_transaction(purchase, operator, now)
        meter = purchase.meter
        task = StationTask.create(
            task_id=new_task_id(),
            purchase=purchase,
            round_no=round_no,
            meter_address=str(meter.address),
            customer_no=str(meter.customer_no),
            amount_fen=int(purchase.amount_fen),
            count=int(purchase.count),
            origin=self.origin,
            state=StationTaskState.QUEUED,
            created_at=now,
        )
        audit.record(
            operator,
            self.ctx.counter_id,
            "dispatch-handed-over",
            "purchase",
            purchase.id,
            after={
                "task_id": task.task_id,
                "round_no": round_no,
                "count": int(purchase.count),
                "amount_fen": int(purchase.amount_fen),
            },
        )
        return str(task.task_id)

    def hand_over(self, purchase_id: int, operator: str) -> str:
        """A new task for a purchase outside a payment (retry, resume), in its own step."""
        now = self.ctx.clock.now()
        with write_transaction():
            _, _, purchase = lock_purchase_with_owners(purchase_id)
            return self.hand_over_in_transaction(purchase, operator, now)

    def live_task_of(self, purchase_id: int) -> str | None:
        row = (
            StationTask.select(StationTask.task_id)
            .where(
                (StationTask.purchase == purchase_id)
                & StationTask.state.in_(list(StationTaskState.LIVE))
            )
            .order_by(StationTask.id.desc())
            .first()
        )
        return None if row is None else str(row.task_id)

    def latest_task_of(self, purchase_id: int) -> str | None:
        row = (
            StationTask.select(StationTask.task_id)
            .where(StationTask.purchase == purchase_id)
            .order_by(StationTask.id.desc())
            .first()
        )
        return None if row is None else str(row.task_id)

    # -- 2. send -----------------------------------------------------------------------------
    def send(self, task_id: str, actor: str = SYSTEM_ACTOR) -> str:
        """Submit one queued task (no transaction is open during the network call).

        Returns the task's state after: ``sent`` (or ``applied`` when the station already
        had the result), ``queued`` when the station could not be reached, ``refused``.
        """
        task = StationTask.get(StationTask.task_id == task_id)
        if task.state != StationTaskState.QUEUED:
            return str(task.state)
        request = DispatchTask(
            task_id=str(task.task_id),
            meter_address=str(task.meter_address),
            customer_no=str(task.customer_no),
            amount_fen=int(task.amount_fen),
            count=int(task.count),
            origin=str(task.origin),
        )
        try:
            result = self.station.submit(request)
        except StationUnavailable as exc:
            self._note_try(task_id, str(exc))
            return StationTaskState.QUEUED
        except TaskRefused as exc:
            self._refuse(task_id, exc.reason, actor)
            return StationTaskState.REFUSED
        now = self.ctx.clock.now()
        with write_transaction():
            row = locked(StationTask.select().where(StationTask.task_id == task_id)).first()
            if row is not None and row.state == StationTaskState.QUEUED:
                row.state = StationTaskState.SENT
                row.sent_at = now
                row.tries = int(row.tries) + 1
                row.last_error = ""
                row.station_task_id = result.task_id
                row.save()
        if result.done:
            # the station may know the purchase under another id (meter + count): its
            # result is this task's result
            self.apply(replace(result, task_id=task_id), actor)
        return str(StationTask.get(StationTask.task_id == task_id).state)

    def _note_try(self, task_id: str, error: str) -> None:
        with write_transaction():
            row = locked(StationTask.select().where(StationTask.task_id == task_id)).first()
            if row is not None and row.state == StationTaskState.QUEUED:
                row.tries = int(row.tries) + 1
                row.last_error = error[:500]
                row.save()

    def _refuse(self, task_id: str, reason: str, actor: str) -> None:
        """The station will never take this task: a final failure on our side (R10), and
        the meter flagged, since a conflict on meter + count means the counts disagree."""
        report = DispatchReport(outcome=REFUSED_OUTCOME, reason=reason[:200])
        now = self.ctx.clock.now()
        task = StationTask.get(StationTask.task_id == task_id)
        with write_transaction():
            _, meter, purchase = lock_purchase_with_owners(int(task.purchase_id))
            row = locked(StationTask.select().where(StationTask.task_id == task_id)).first()
            if row is None or row.state not in StationTaskState.LIVE:
                return
            meter.needs_reconciliation = True
            meter.reconciliation_note = (
                f"{meter.reconciliation_note}\ncollection system refused purchase "
                f"{purchase.count}: {reason}".strip()
            )
            self.dispatch.record_result(
                purchase, meter, actor, int(row.round_no), report, now, notify_failure=True
            )
            row.state = StationTaskState.REFUSED
            row.outcome = REFUSED_OUTCOME
            row.last_error = reason[:500]
            row.applied_at = now
            row.save()

    def send_pending(self, limit: int = 20, actor: str = SYSTEM_ACTOR) -> int:
        """The sender worker's round: submit queued tasks, oldest first; how many went out.

        Stops at the first unreachable answer (the station is down for all of them)."""
        ids = [
            str(t.task_id)
            for t in StationTask.select(StationTask.task_id)
            .where(StationTask.state == StationTaskState.QUEUED)
            .order_by(StationTask.id)
            .limit(limit)
        ]
        sent = 0
        for task_id in ids:
            state = self.send(task_id, actor)
            if state == StationTaskState.QUEUED:
                break
            sent += 1
        return sent

    # -- 3. apply ----------------------------------------------------------------------------
    def apply(self, result: TaskResult, actor: str = SYSTEM_ACTOR) -> Applied:
        """Apply one final result, exactly once by `task_id` (the row lock decides)."""
        task = self._task_for(result.task_id)
        if task is None:
            return Applied.UNKNOWN
        if task.state in (StationTaskState.APPLIED, StationTaskState.REFUSED):
            return Applied.ALREADY
        if not result.done or result.report is None:
            return Applied.NOT_DONE
        report = result.report
        now = self.ctx.clock.now()
        with write_transaction():
            _, meter, purchase = lock_purchase_with_owners(int(task.purchase_id))
            row = locked(StationTask.select().where(StationTask.id == task.id)).first()
            if row is None or row.state not in StationTaskState.LIVE:
                return Applied.ALREADY
            work_order_id = self.dispatch.record_result(
                purchase, meter, actor, int(row.round_no), report, now, notify_failure=True
            )
            row.state = StationTaskState.APPLIED
            row.outcome = report.outcome
            row.reason = (result.station_reason or "")[:32] or None
            row.result = dict(result.raw)
            row.result_seq = result.result_seq
            row.applied_at = now
            if row.sent_at is None:
                row.sent_at = now
            row.save()
            audit.record(
                actor,
                self.ctx.counter_id,
                "dispatch-result-applied",
                "purchase",
                purchase.id,
                after={
                    "task_id": str(row.task_id),
                    "station_task_id": result.task_id,
                    "outcome": report.outcome,
                    "station_outcome": result.station_outcome,
                    "station_reason": result.station_reason,
                    "state": str(purchase.state),
                    "work_order_id": work_order_id,
                },
            )
        return Applied.APPLIED

    @staticmethod
    def _task_for(task_id: str) -> StationTask | None:
        """Our task for an id the station used: ours, or the one it recognised ours as
        (a live one first: a result is owed to the task that still waits for it)."""
        rows = list(
            StationTask.select()
            .where((StationTask.task_id == task_id) | (StationTask.station_task_id == task_id))
            .order_by(StationTask.id)
        )
        live = [r for r in rows if r.state in StationTaskState.LIVE]
        chosen = live or rows
        return chosen[0] if chosen else None

    def poll(self, limit: int = 100, actor: str = SYSTEM_ACTOR) -> PollReport:
        """The result poller's round: read the station's result feed after our cursor,
        apply each result (exactly once), acknowledge it, move the cursor."""
        cursor = StationCursor.get_or_none(StationCursor.name == CURSOR_NAME)
        after = 0 if cursor is None else int(cursor.last_seq)
        results, last_seq = self.station.results(after, limit)
        applied = 0
        for result in results:
            outcome = self.apply(result, actor)
            if outcome is Applied.APPLIED:
                applied += 1
            if outcome in (Applied.APPLIED, Applied.ALREADY):
                # unacknowledged: the station calls back again; applying again changes nothing
                with contextlib.suppress(StationUnavailable):
                    self.station.acknowledge(result.task_id)
        seqs = [r.result_seq for r in results if r.result_seq is not None]
        if seqs:
            new_seq = max(seqs)
        elif last_seq < after:
            new_seq = last_seq  # the station's feed was started again: read it from there
        else:
            new_seq = after
        if new_seq != after:
            self._move_cursor(new_seq)
        return PollReport(len(results), applied, new_seq)

    def _move_cursor(self, seq: int) -> None:
        now = self.ctx.clock.now()
        with write_transaction():
            row = locked(StationCursor.select().where(StationCursor.name == CURSOR_NAME)).first()
            if row is None:
                StationCursor.create(name=CURSOR_NAME, last_seq=seq, updated_at=now)
            else:
                row.last_seq = seq
                row.updated_at = now
                row.save()

    # -- following a task live ---------------------------------------------------------------
    def follow(
        self,
        task_id: str,
        operator: str,
        progress: DispatchProgress | None = None,
        timeout_s: float | None = None,
    ) -> DispatchSummary:
        """Send the task if it is still in the outbox, relay its live steps, apply its result
        when it comes within `timeout_s` (default: the context's wait). Otherwise the summary
        says `pending` (or `outbox`): result not yet known, applied when it comes back."""
        wait = self.ctx.handover_wait_s if timeout_s is None else timeout_s
        state = self.send(task_id, operator)
        if state == StationTaskState.SENT and wait > 0:
            task = StationTask.get(StationTask.task_id == task_id)
            try:
                result = self.station.follow(str(task.station_task_id or task_id), progress, wait)
            except StationUnavailable:
                result = None
            if result is not None and result.done:
                self.apply(replace(result, task_id=task_id), operator)
        return self.summary(task_id)

    def summary(self, task_id: str) -> DispatchSummary:
        """The task's purchase as the screen and the receipt show it."""
        task = StationTask.get(StationTask.task_id == task_id)
        purchase = Purchase.get_by_id(task.purchase_id)
        raw = cast(dict[str, Any], task.result or {})
        order = live_work_order(int(purchase.id))
        if task.state in StationTaskState.LIVE and purchase.state == PurchaseState.DISPATCHING:
            outcome = PENDING_OUTCOME if task.state == StationTaskState.SENT else OUTBOX_OUTCOME
            reason = str(task.last_error or "")
        else:
            outcome = str(task.outcome or "")
            reason = str(task.reason or task.last_error or "")
        attempts = raw.get("attempts")
        return DispatchSummary(
            purchase_id=int(purchase.id),
            count=int(purchase.count),
            outcome=outcome,
            reason=reason,
            state=str(purchase.state),
            balance_fen=_int_or_none(raw.get("balance_fen")),
            meter_count=_int_or_none(raw.get("meter_count")),
            attempts=len(attempts) if isinstance(attempts, list) else 0,
            work_order_id=None if order is None else int(order.id),
        )

    def waiting_count(self) -> int:
        """Tasks whose result is not known yet (queued in our outbox or at the station)."""
        return int(
            StationTask.select().where(StationTask.state.in_(list(StationTaskState.LIVE))).count()
        )


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
