"""One task on its link: R8's resume probe, R9's attempts through the dispatcher, the result.

Each attempt is one call of :meth:`MeterDispatcher.dispatch` with one attempt (R7 with R8's
checks: channel test, count check, authentication, recharge with the task's ``n``,
read-back), written to the store before the next begins. Only a silent or broken link is
tried again (:attr:`DispatchOutcome.retryable`), up to three attempts in all (R9); a link
that cannot even be opened is an attempt too (``link-refused``).

A task found ``running`` when the station starts was on its link when the station died:
its recharge may have reached the meter. It is never sent blind: the meter is probed first
(R8) — count ``n`` with the last purchase equal to the amount is ``already-loaded``; count
``n-1`` means the recharge never landed and the attempts go on with the same ``n``; any
other count is ``count-mismatch``. The meter itself refuses a second recharge of the same
count (SERR 0x0002), which the dispatcher confirms by reading back: a purchase count is
loaded at most once (I2).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from ..dispatch import (
    COUNT_MODULUS,
    AttemptRecord,
    DispatchOutcome,
    DispatchRequest,
    DispatchStep,
)
from ..errors import LinkUnavailable, MeterLinkError
from .events import RESULT, EventHub, TaskEvent
from .links import LinkOwner
from .reasons import Reason, TaskOutcome, TaskState, attempt_reason, cause_reason, task_outcome
from .store import AttemptEntry, TaskStore, TaskView, database_away, utcnow

log = logging.getLogger("meter_link.station")

ATTEMPTS = 3
"""R9: up to three attempts per dispatch."""

STATION_ERRORS_BEFORE_FAILING = 3
STATION_ERROR_PAUSE_S = 2.0
"""Pause before a task hit by a fault of the station itself is tried again (times the tries)."""


def _same_count(meter_count: int, n: int) -> bool:
    return meter_count % COUNT_MODULUS == n % COUNT_MODULUS


class TaskRunner:
    """Runs tasks on their link threads and reports steps, attempts and results."""

    def __init__(
        self,
        store: TaskStore,
        events: EventHub,
        *,
        retry_delay: float = 1.0,
        on_result: Callable[[TaskView], None] | None = None,
        requeue: Callable[[str, float], None] | None = None,
        hold: Callable[[str], None] | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.store = store
        self.requeue = requeue
        self.hold = hold
        self._errors: dict[str, int] = {}  # station errors per task, on the link threads
        self.events = events
        self.retry_delay = retry_delay
        self.on_result = on_result
        self.today = today
        self.stopping = threading.Event()

    # -- entry point, on the link's thread --------------------------------------------------
    def run(self, owner: LinkOwner, task_id: str) -> None:
        try:
            task = self.store.get(task_id)
        except Exception as exc:
            if not database_away(exc) or self.hold is None:
                raise
            log.warning(
                "task %s held: the database cannot be reached (%s)", task_id, str(exc).strip()
            )
            self.hold(task_id)
            return
        if task is None or task.outcome is not None:
            return
        try:
            self._run(owner, task)
        except Exception as exc:  # a fault of the station (its database), not of the meter
            if database_away(exc):
                log.warning(
                    "task %s held: the database cannot be reached (%s)", task_id, str(exc).strip()
                )
            else:
                log.exception("task %s", task_id)
            self._station_error(task, exc)
        else:
            self._errors.pop(task_id, None)

    def _station_error(self, task: TaskView, exc: Exception) -> None:
        """The task stays ``running`` and is taken up again later like after a restart —
        probing the meter first (R8), since a recharge may have been sent.

        While the database is unreachable nothing can be recorded, so the task is held until
        the database answers again, however long that takes; any other fault of ours ends the
        task as ``station-error`` once it has happened three times.
        """
        if database_away(exc) and self.hold is not None:
            self.hold(task.task_id)
            return
        errors = self._errors.get(task.task_id, 0) + 1
        self._errors[task.task_id] = errors
        if self.requeue is not None and errors < STATION_ERRORS_BEFORE_FAILING:
            self.requeue(task.task_id, STATION_ERROR_PAUSE_S * errors)
            return
        self._errors.pop(task.task_id, None)
        self._finish(task, TaskOutcome.FAILED, Reason.STATION_ERROR, f"station error: {exc}")

    def _run(self, owner: LinkOwner, task: TaskView) -> None:
        resumed = task.state is TaskState.RUNNING
        self.store.mark_running(task.task_id)
        done = len(task.attempts)
        if resumed and self._resume(owner, task, done):
            return
        last: AttemptEntry | None = task.attempts[-1] if task.attempts else None
        for number in range(done + 1, ATTEMPTS + 1):
            if self.stopping.is_set():
                return  # stays running: the next start resumes it by probing (R8)
            if number > 1 and self.retry_delay > 0:
                self.events.step(
                    task.task_id, number, "waiting", f"attempt {number} in {self.retry_delay:g} s"
                )
                if self.stopping.wait(self.retry_delay):
                    return
            entry = self._attempt(owner, task, number)
            self.store.add_attempt(task.task_id, entry)
            last = entry
            outcome = DispatchOutcome(entry.outcome)
            if not outcome.retryable:
                break
        if last is None:  # nothing left to try and nothing recorded: cannot happen
            self._finish(task, TaskOutcome.FAILED, Reason.STATION_ERROR, "no attempt was made")
            return
        self._finish_from(task, last)

    # -- R8 on restart ----------------------------------------------------------------------
    def _resume(self, owner: LinkOwner, task: TaskView, done: int) -> bool:
        """Probe a task that was on its link when the station stopped; True if finished."""
        n = task.count
        number = min(done + 1, ATTEMPTS)
        self.events.step(
            task.task_id, number, "channel-test", "station restarted: probing the meter first (R8)"
        )
        started, t0 = utcnow(), time.monotonic()
        try:
            reading = owner.dispatcher().probe(task.meter)
        except MeterLinkError as exc:
            if isinstance(exc, LinkUnavailable):
                owner.drop_client()
            self.store.record_channel(task.meter, cause_reason(exc), self.today())
            if done >= ATTEMPTS:
                last = task.attempts[-1]
                self._finish_from(task, last)
                return True
            return False  # the attempts that are left start with the same probe
        self.store.record_channel(task.meter, None, self.today())
        elapsed = int((time.monotonic() - t0) * 1000)
        self.events.step(
            task.task_id, number, "count-check", f"meter count {reading.count}, purchase {n}"
        )
        if _same_count(reading.count, n - 1):
            if done < ATTEMPTS:
                return False  # the recharge never landed: go on with the same n
            self._finish_from(task, task.attempts[-1])  # R9's attempts were all made
            return True
        if _same_count(reading.count, n) and reading.last_purchase_fen == task.amount_fen:
            outcome, reason = DispatchOutcome.ALREADY_LOADED, None
            detail = (
                f"resumed after a restart: meter already holds purchase {n} "
                f"of {task.amount_fen} fen (R8)"
            )
        else:
            outcome, reason = DispatchOutcome.COUNT_MISMATCH, Reason.COUNT_MISMATCH
            detail = (
                f"resumed after a restart: meter count {reading.count}, last purchase "
                f"{reading.last_purchase_fen} fen; purchase {n} of {task.amount_fen} fen "
                "does not fit (R8)"
            )
        entry = AttemptEntry(
            attempt=number if done < ATTEMPTS else ATTEMPTS,
            outcome=outcome.value,
            reason=None if reason is None else reason.value,
            detail=detail,
            balance_fen=reading.balance_fen,
            meter_count=reading.count,
            started_at=started,
            elapsed_ms=elapsed,
            steps_ms={"channel-test": elapsed},
        )
        if done < ATTEMPTS:
            self.store.add_attempt(task.task_id, entry)
        self._finish_from(task, entry)
        return True

    # -- one attempt ------------------------------------------------------------------------
    def _attempt(self, owner: LinkOwner, task: TaskView, number: int) -> AttemptEntry:
        request = DispatchRequest(task.meter, task.customer_no, task.amount_fen, task.count)

        def progress(step: DispatchStep, attempt: int, total: int) -> None:
            self.events.step(
                task.task_id, number, step.value, f"attempt {number}/{ATTEMPTS}: {step.value}"
            )

        started, t0 = utcnow(), time.monotonic()
        try:
            dispatcher = owner.dispatcher()
        except LinkUnavailable as exc:
            self.events.step(
                task.task_id, number, "channel-test", f"attempt {number}/{ATTEMPTS}: {exc}"
            )
            elapsed = int((time.monotonic() - t0) * 1000)
            self.store.record_channel(task.meter, Reason.LINK_REFUSED, self.today())
            return AttemptEntry(
                attempt=number,
                outcome=DispatchOutcome.CHANNEL_FAILURE.value,
                reason=Reason.LINK_REFUSED.value,
                detail=f"the link cannot be opened: {exc}",
                balance_fen=None,
                meter_count=None,
                started_at=started,
                elapsed_ms=elapsed,
                steps_ms={"channel-test": elapsed},
            )
        result = dispatcher.dispatch(request, progress)
        record: AttemptRecord = result.attempts[-1]
        reason = attempt_reason(record)
        if isinstance(record.cause, LinkUnavailable):
            owner.drop_client()
        self.store.record_channel(task.meter, reason, self.today())
        return AttemptEntry(
            attempt=number,
            outcome=record.outcome.value,
            reason=None if reason is None else reason.value,
            detail=record.reason,
            balance_fen=record.balance_fen,
            meter_count=record.count,
            started_at=record.started_at.astimezone(dt.UTC).replace(tzinfo=None),
            elapsed_ms=int(record.duration_s * 1000),
            steps_ms={k: int(v * 1000) for k, v in record.step_times.items()},
        )

    # -- the result -------------------------------------------------------------------------
    def _finish_from(self, task: TaskView, last: AttemptEntry) -> None:
        outcome = task_outcome(DispatchOutcome(last.outcome))
        reason = (
            None if outcome is not TaskOutcome.FAILED else Reason(last.reason or "meter-silent")
        )
        self._finish(task, outcome, reason, last.detail, last.balance_fen, last.meter_count)

    def _finish(
        self,
        task: TaskView,
        outcome: TaskOutcome,
        reason: Reason | None,
        detail: str,
        balance_fen: int | None = None,
        meter_count: int | None = None,
    ) -> None:
        view = self.store.finish(
            task.task_id,
            outcome,
            None if reason is None else reason.value,
            detail,
            balance_fen,
            meter_count,
        )
        self.events.publish(TaskEvent(RESULT, task.task_id, view.to_json()))
        if self.on_result is not None:
            self.on_result(view)
