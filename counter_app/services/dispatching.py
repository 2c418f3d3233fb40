"""Remote dispatch of a purchase (R7–R11), crash-recoverable (R8).

Three business steps, each its own transaction, with the device call between them:

1. *start*: the purchase goes ``dispatching`` and is committed **before** the dispatcher is
   called, so that after a crash the purchase is known to be unresolved (R8, R16);
2. the `Dispatcher` port runs up to three R7 attempts (R9), outside any transaction;
3. *finish*: every attempt is recorded (R9); on ``success``/``already-loaded`` the purchase is
   ``loaded`` and only now is the meter's committed count moved to ``n`` (I2) and the success
   SMS queued (R11); any other outcome makes it ``failed`` and opens a re-dispatch work order
   (R10).

Whatever the `Dispatcher` (a local DL/T 645 link, a station service), its failures take the
same way out, so that no purchase is ever left without a next step:

- the dispatcher *raises* (the link cannot be opened: connection refused, no serial port; the
  station does not answer): the call is an attempt like a silent meter's — recorded with its
  reason (``channel-failure`` when it broke before the recharge step, ``unresolved`` when the
  recharge may have been sent), tried again up to three times (R9), then R8 (a)+(b) through
  ``probe`` decides: loaded, or ``failed`` with a re-dispatch work order (R10), whose closing as
  failed queues the "bring your card" SMS (R11);
- a purchase left ``dispatching`` by a crash is settled by `resolve_unresolved` (``counterctl
  resume``, a reversal, the window's meter check): meter count ``n`` → loaded; anything else,
  or a meter that cannot be read → ``failed`` with an open work order (R10), never a dead end;
- a ``failed`` purchase without a live work order (left by an older version or an interrupted
  step) gets one from `reopen_failed`.

With a collection system configured (``ServiceContext.handover``) step 2 is a hand-over
instead: step 1 also writes a task to our outbox in the same transaction, the task is sent
after the commit and its result is applied by step 3 whenever it comes back — by the payment
that follows it, the result poller or the station's callback, exactly once
(`counter_app.services.handover`). Until then the purchase is ``dispatching`` with a live task:
"result not yet known" (下发中), a normal state the teller sees.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from counter_app.core.purchase_state import PurchaseEvent, PurchaseState, transition
from counter_app.services import audit, notifications
from counter_app.services.context import ServiceContext
from counter_app.services.dispatch_results import (  # re-exported: the dispatch's API
    UNRESOLVED_OUTCOME as UNRESOLVED_OUTCOME,
)
from counter_app.services.dispatch_results import (
    DispatchSummary as DispatchSummary,
)
from counter_app.services.errors import PurchaseStateError, ServiceError
from counter_app.services.lookup import lock_purchase_with_owners
from counter_app.services.ports import (
    ChannelHealth,
    DispatchAttemptReport,
    DispatchOutcome,
    DispatchProgress,
    DispatchReport,
    MeterProbe,
)
from counter_app.services.work_order_closing import close_live_work_orders, live_work_order
from counter_app.store.database import write_transaction
from counter_app.store.models import (
    Customer,
    DispatchAttempt,
    Meter,
    Purchase,
    StationTask,
    StationTaskState,
    WorkOrder,
    WorkOrderState,
)

NOT_LOADED_OUTCOME = "not-loaded"
"""An R8 probe found the meter at ``n-1``: the recharge never arrived."""

MAY_HAVE_BEEN_SENT = frozenset({UNRESOLVED_OUTCOME, DispatchOutcome.TIMEOUT})
"""Attempt outcomes after which the recharge may have reached the meter (R8): before a
reversal of such a purchase the meter is probed, never guessed (R16)."""

SENDING_STEPS = frozenset({"recharge", "read-back"})
"""Progress steps from which on a recharge may be on its way to the meter."""


class NoDispatcher(ServiceError):
    code = "no-dispatcher"

    def __init__(self) -> None:
        super().__init__("no meter link is configured: the purchase stays queued")


def _text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:400]


def _broken_attempt(
    attempt_no: int, exc: Exception, steps: Sequence[str], started: dt.datetime
) -> DispatchAttemptReport:
    """A dispatcher call that raised, as an R9 attempt: a channel failure when it broke before
    the recharge step (nothing was sent: a link that cannot be opened, a silent station),
    ``unresolved`` when the recharge may be on its way (R8 then probes before anything)."""
    sending = any(step in SENDING_STEPS for step in steps)
    outcome = UNRESOLVED_OUTCOME if sending else DispatchOutcome.CHANNEL_FAILURE
    where = f"after {steps[-1]}" if steps else "before the channel test"
    return DispatchAttemptReport(
        attempt_no, outcome, f"link unavailable {where}: {_text(exc)}", started_at=started
    )


def _after_broken(
    broken: Sequence[DispatchAttemptReport], report: DispatchReport
) -> DispatchReport:
    """The round's attempts: the calls that raised first, then the dispatcher's own."""
    if not broken:
        return report
    own = report.attempts or (
        DispatchAttemptReport(1, report.outcome, report.reason, report.balance_fen, report.count),
    )
    shifted = tuple(dataclasses.replace(a, attempt_no=len(broken) + a.attempt_no) for a in own)
    return dataclasses.replace(report, attempts=(*broken, *shifted))


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
        from counter_app.services.handover import HandoverService

        self.ctx = ctx
        self.handover = HandoverService(ctx, self) if ctx.handover is not None else None

    @property
    def hands_over(self) -> bool:
        """True when purchases go to the collection system as tasks (station mode)."""
        return self.handover is not None

    # -- step 1 --------------------------------------------------------------------------------
    def _start(self, purchase_id: int, operator: str) -> tuple[Purchase, Meter, int]:
        now = self.ctx.clock.now()
        with write_transaction():
            _, meter, purchase = lock_purchase_with_owners(purchase_id)
            round_no = self.start_in_transaction(purchase, operator, now)
        return purchase, meter, round_no

    def start_in_transaction(self, purchase: Purchase, operator: str, now: dt.datetime) -> int:
        """Step 1 inside the caller's transaction (the purchase locked): ``dispatching``,
        audited; returns the round number of this dispatch (R9 attempts are per round)."""
        state = PurchaseState(str(purchase.state))
        if state is not PurchaseState.CARD_WRITTEN:  # R5: the card twin is already written
            if PurchaseEvent.START_DISPATCH not in _events(state):
                raise PurchaseStateError(int(purchase.id), state.value, "dispatch")
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
        last_round = (
            DispatchAttempt.select(DispatchAttempt.round_no)
            .where(DispatchAttempt.purchase == purchase.id)
            .order_by(DispatchAttempt.round_no.desc())
            .scalar()
        )
        last_task_round = (
            StationTask.select(StationTask.round_no)
            .where(StationTask.purchase == purchase.id)
            .order_by(StationTask.round_no.desc())
            .scalar()
        )
        return max(int(last_round or 0), int(last_task_round or 0)) + 1

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

        A retry resends the same n, never a new one (R8). A dispatcher that raises is retried
        like a silent meter (R9) and then settled by an R8 probe (module docstring): the
        purchase comes back loaded or failed with an open work order, whatever went wrong.
        With a collection system the dispatch is a new task (written, sent, followed for a
        while): the summary may say `pending` — result not yet known, applied when it comes
        back.
        """
        if self.handover is not None:
            task_id = self.handover.hand_over(purchase_id, operator)
            return self.handover.follow(task_id, operator, progress)
        dispatcher = self.ctx.dispatcher
        if dispatcher is None:
            raise NoDispatcher()
        purchase, meter, round_no = self._start(purchase_id, operator)
        broken: list[DispatchAttemptReport] = []
        for attempt_no in range(1, max(1, self.ctx.dispatch_attempts) + 1):
            seen: list[str] = []

            def relay(step: str, attempt: int, _seen: list[str] = seen) -> None:
                _seen.append(str(step))
                if progress is not None:
                    progress(step, attempt)

            started = self.ctx.clock.now()
            try:
                report = dispatcher.dispatch(
                    str(meter.address),
                    str(meter.customer_no),
                    int(purchase.amount_fen),
                    int(purchase.count),
                    relay,
                    meter_no=str(meter.meter_no),
                )
            except Exception as exc:  # the link itself broke: an attempt that got no answer
                broken.append(_broken_attempt(attempt_no, exc, seen, started))
                continue
            return self._finish(
                purchase_id,
                operator,
                round_no,
                _after_broken(broken, report),
                open_work_order=open_work_order,
            )
        return self._settle_broken(purchase_id, operator, round_no, broken, open_work_order)

    def _settle_broken(
        self,
        purchase_id: int,
        operator: str,
        round_no: int,
        broken: list[DispatchAttemptReport],
        open_work_order: bool,
    ) -> DispatchSummary:
        """Every call raised: R8 (a)+(b) decides, then `_finish` records the round (R9, R10)."""
        assert self.ctx.dispatcher is not None
        last = broken[-1]
        meter = Meter.get_by_id(Purchase.get_by_id(purchase_id).meter_id)
        purchase = Purchase.get_by_id(purchase_id)
        try:
            probe = self.ctx.dispatcher.probe(str(meter.address))
        except Exception as exc:
            report = DispatchReport(
                last.outcome,
                f"{last.reason}; R8 probe failed: {_text(exc)}"[:500],
                None,
                None,
                tuple(broken),
            )
            return self._finish(
                purchase_id, operator, round_no, report, open_work_order=open_work_order
            )
        n = int(purchase.count)
        if probe.count == n and probe.last_purchase_fen in (None, int(purchase.amount_fen)):
            outcome, reason = DispatchOutcome.ALREADY_LOADED, f"R8 probe: meter holds purchase {n}"
        elif probe.count == n - 1:
            outcome, reason = last.outcome, f"{last.reason}; R8 probe: meter count {n - 1}"
        else:
            outcome = DispatchOutcome.COUNT_MISMATCH
            reason = f"R8 probe: meter count {probe.count}, purchase {n}"
        report = DispatchReport(
            outcome, reason[:500], probe.balance_fen, probe.count, tuple(broken)
        )
        return self._finish(
            purchase_id, operator, round_no, report, open_work_order=open_work_order
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
        with write_transaction():
            _, meter, purchase = lock_purchase_with_owners(purchase_id)
            work_order_id = self.record_result(
                purchase, meter, operator, round_no, report, now, open_work_order=open_work_order
            )
        return DispatchSummary(
            purchase_id=int(purchase.id),
            count=int(purchase.count),
            outcome=report.outcome,
            reason=report.reason,
            state=str(purchase.state),
            balance_fen=report.balance_fen,
            meter_count=report.count,
            attempts=len(report.attempts) or 1,
            work_order_id=work_order_id,
        )

    def record_result(
        self,
        purchase: Purchase,
        meter: Meter,
        operator: str,
        round_no: int,
        report: DispatchReport,
        now: dt.datetime,
        *,
        open_work_order: bool = True,
        notify_failure: bool = False,
    ) -> int | None:
        """Step 3 inside the caller's transaction (purchase and meter locked): record every
        attempt (R9), then loaded → count committed (I2) and success SMS (R11); failed → R10
        work order (and, with `notify_failure`, the failure SMS, R11). Returns the id of the
        work order opened, if any.

        A result may come back to a purchase that moved on meanwhile (a late station result
        after an R8 probe, a card twin, R5): loaded then still confirms it once
        (``meter-confirmed``), never twice; a failure changes nothing but the record.
        """
        work_order_id: int | None = None
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
        state = PurchaseState(str(purchase.state))
        if report.loaded:
            action = "dispatch-loaded"
            if state in (PurchaseState.DISPATCHING, PurchaseState.CARD_WRITTEN):
                self._mark_loaded(
                    purchase, meter, PurchaseEvent.DISPATCH_SUCCEEDED, now, report.balance_fen
                )
            elif PurchaseEvent.METER_CONFIRMED in _events(state):
                self._mark_loaded(
                    purchase, meter, PurchaseEvent.METER_CONFIRMED, now, report.balance_fen
                )
            elif state is not PurchaseState.LOADED:  # reversed or on a card being written
                meter.needs_reconciliation = True
                meter.reconciliation_note = (
                    f"{meter.reconciliation_note}\nmeter loaded purchase {purchase.count} "
                    f"while it was {state.value}".strip()
                )
            self._close_work_orders(
                purchase, WorkOrderState.CLOSED_SUCCESS, now, f"dispatch {report.outcome}"
            )
        else:
            action = "dispatch-failed"
            if state in (PurchaseState.DISPATCHING, PurchaseState.CARD_WRITTEN):
                _set_state(purchase, PurchaseEvent.DISPATCH_FAILED, now)
            if open_work_order and purchase.state == PurchaseState.FAILED:
                already_open = live_work_order(int(purchase.id)) is not None
                work_order_id = self._open_work_order(purchase, now)
                if notify_failure and not already_open:  # once per failure, not per retry
                    customer = Customer.get_by_id(purchase.customer_id)
                    notifications.queue(
                        customer,
                        notifications.TEMPLATE_DISPATCH_FAILED,
                        notifications.dispatch_failed_text(
                            customer, meter, int(purchase.amount_fen), purchase_id=int(purchase.id)
                        ),
                    )
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
        return work_order_id

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
        live = live_work_order(int(purchase.id))
        if live is not None:
            return int(live.id)
        order = WorkOrder.create(
            purchase=purchase,
            state=WorkOrderState.OPEN,
            created_at=now,
            due_at=now + dt.timedelta(hours=self.ctx.work_order_due_hours),
        )
        return int(order.id)

    @staticmethod
    def _close_work_orders(purchase: Purchase, state: str, now: dt.datetime, note: str) -> None:
        close_live_work_orders(int(purchase.id), state, now, note)

    # -- R8 -------------------------------------------------------------------------------------
    def resolve_unresolved(self, purchase_id: int, operator: str) -> DispatchSummary:
        """R8 (a)+(b): probe the meter of a ``dispatching`` purchase and settle it.

        Meter count = n (and its last purchase equals ours, when the meter reports it):
        loaded. Meter count = n-1: the recharge never arrived. Another count (the meter is
        flagged for reconciliation) or a meter that cannot be read (the recharge may have been
        sent: the probe is recorded ``unresolved``): not known to be loaded. In every case but
        the first the purchase goes back to the retry path — ``failed`` with an open
        re-dispatch work order (R10), whose retry runs (a)+(b) again before sending — so a
        probe never leaves a purchase where nobody picks it up.
        """
        dispatcher = self.ctx.dispatcher
        if dispatcher is None:
            raise NoDispatcher()
        purchase = Purchase.get_by_id(purchase_id)
        if purchase.state != PurchaseState.DISPATCHING:
            raise PurchaseStateError(purchase_id, str(purchase.state), "resolve a dispatch")
        meter = Meter.get_by_id(purchase.meter_id)
        started = self.ctx.clock.now()
        probe: MeterProbe | None = None
        problem = ""
        try:
            probe = dispatcher.probe(str(meter.address))
        except Exception as exc:
            problem = _text(exc)
        now = self.ctx.clock.now()
        n = int(purchase.count)
        work_order_id: int | None = None
        with write_transaction():
            _, meter, purchase = lock_purchase_with_owners(purchase_id)
            if purchase.state != PurchaseState.DISPATCHING:
                raise PurchaseStateError(purchase_id, str(purchase.state), "resolve a dispatch")
            round_no = 1 + int(
                DispatchAttempt.select(DispatchAttempt.round_no)
                .where(DispatchAttempt.purchase == purchase.id)
                .order_by(DispatchAttempt.round_no.desc())
                .scalar()
                or 0
            )
            if probe is not None:
                meter.last_balance_fen = probe.balance_fen
                meter.last_seen_at = now
                same_amount = probe.last_purchase_fen in (None, int(purchase.amount_fen))
            if probe is not None and probe.count == n and same_amount:
                outcome = DispatchOutcome.ALREADY_LOADED
                reason = f"R8 probe: meter holds purchase {n}"
                self._mark_loaded(
                    purchase, meter, PurchaseEvent.METER_CONFIRMED, now, probe.balance_fen
                )
                self._close_work_orders(
                    purchase, WorkOrderState.CLOSED_SUCCESS, now, "R8 probe: loaded"
                )
            else:
                if probe is None:
                    outcome = UNRESOLVED_OUTCOME
                    reason = f"R8 probe failed: {problem}"
                elif probe.count == n - 1:
                    outcome = NOT_LOADED_OUTCOME
                    reason = f"R8 probe: meter count {n - 1}, the recharge never arrived"
                else:
                    outcome = DispatchOutcome.COUNT_MISMATCH
                    reason = (
                        f"R8 probe: meter count {probe.count}, purchase {n}, "
                        f"last purchase {probe.last_purchase_fen}"
                    )
                    meter.needs_reconciliation = True
                    meter.reconciliation_note = f"{meter.reconciliation_note}\n{reason}".strip()
                DispatchAttempt.create(
                    purchase=purchase,
                    round_no=round_no,
                    attempt_no=1,
                    outcome=outcome,
                    reason=reason[:500],
                    balance_fen=None if probe is None else probe.balance_fen,
                    count_read=None if probe is None else probe.count,
                    started_at=started,
                )
                _set_state(purchase, PurchaseEvent.DISPATCH_FAILED, now)
                work_order_id = self._open_work_order(purchase, now)
            purchase.save()
            meter.save()
            audit.record(
                operator,
                self.ctx.counter_id,
                "dispatch-probe",
                "purchase",
                purchase.id,
                before={"state": PurchaseState.DISPATCHING.value},
                after={
                    "state": str(purchase.state),
                    "outcome": outcome,
                    "reason": reason,
                    "meter_count": None if probe is None else probe.count,
                    "balance_fen": None if probe is None else probe.balance_fen,
                    "work_order_id": work_order_id,
                },
            )
        return DispatchSummary(
            int(purchase.id),
            n,
            outcome,
            reason,
            str(purchase.state),
            None if probe is None else probe.balance_fen,
            None if probe is None else probe.count,
            0,
            work_order_id,
        )

    def reopen_failed(self, operator: str, *, customer_id: int | None = None) -> list[int]:
        """R10 for every ``failed`` purchase without a live work order (a step interrupted
        between the failure and the order, or a dispatch run without one): open its order so
        that inspection staff retry it. Returns the orders opened."""
        now = self.ctx.clock.now()
        opened: list[int] = []
        query = Purchase.select(Purchase.id).where(Purchase.state == PurchaseState.FAILED)
        if customer_id is not None:
            query = query.where(Purchase.customer == customer_id)
        for pid in [int(p.id) for p in query.order_by(Purchase.id)]:
            with write_transaction():
                _, _, purchase = lock_purchase_with_owners(pid)
                if purchase.state != PurchaseState.FAILED:
                    continue
                order_id = self._open_work_order(purchase, now)
                purchase.save()
                audit.record(
                    operator,
                    self.ctx.counter_id,
                    "work-order-opened",
                    "purchase",
                    purchase.id,
                    before={"state": PurchaseState.FAILED.value},
                    after={"state": str(purchase.state), "work_order_id": order_id},
                )
                opened.append(order_id)
        return opened

    @staticmethod
    def may_have_been_sent(purchase_id: int) -> bool:
        """R8: some attempt of this purchase may have delivered its recharge (a lost reply, a
        link that broke after sending): a reversal must probe the meter first (R16)."""
        return bool(
            DispatchAttempt.select()
            .where(
                (DispatchAttempt.purchase == purchase_id)
                & DispatchAttempt.outcome.in_(sorted(MAY_HAVE_BEEN_SENT))
            )
            .exists()
        )

    def confirm_not_loaded(self, purchase_id: int, operator: str) -> bool | None:
        """R8/R16 before reversing a ``failed`` or ``work-order`` purchase: probe its meter.

        True: the meter holds purchase n (now ``loaded``, its count committed: the reversal is
        then payment-only, R15). False: the meter is at n-1 or otherwise without it. None: the
        meter cannot be read (no dispatcher, or the link is down).
        """
        dispatcher = self.ctx.dispatcher
        if dispatcher is None:
            return None
        purchase = Purchase.get_by_id(purchase_id)
        meter = Meter.get_by_id(purchase.meter_id)
        try:
            probe = dispatcher.probe(str(meter.address))
        except Exception:
            return None
        n = int(purchase.count)
        if not (probe.count == n and probe.last_purchase_fen in (None, int(purchase.amount_fen))):
            return False
        now = self.ctx.clock.now()
        with write_transaction():
            _, meter, purchase = lock_purchase_with_owners(purchase_id)
            state = PurchaseState(str(purchase.state))
            if PurchaseEvent.METER_CONFIRMED not in _events(state):
                return state is PurchaseState.LOADED
            self._mark_loaded(
                purchase, meter, PurchaseEvent.METER_CONFIRMED, now, probe.balance_fen
            )
            meter.last_balance_fen = probe.balance_fen
            meter.last_seen_at = now
            self._close_work_orders(
                purchase, WorkOrderState.CLOSED_SUCCESS, now, "R8 probe: loaded"
            )
            purchase.save()
            meter.save()
            audit.record(
                operator,
                self.ctx.counter_id,
                "dispatch-probe",
                "purchase",
                purchase.id,
                before={"state": state.value},
                after={
                    "state": str(purchase.state),
                    "outcome": DispatchOutcome.ALREADY_LOADED,
                    "meter_count": probe.count,
                    "balance_fen": probe.balance_fen,
                },
            )
        return True

    def unresolved_purchases(self) -> list[int]:
        """Purchases left ``dispatching`` (after a crash): resolve them before anything else.

        A purchase whose task the collection system holds (a live task in our outbox) is not
        unresolved: its result will come back; it is left to the hand-over.
        """
        live = StationTask.select(StationTask.purchase).where(
            StationTask.state.in_(list(StationTaskState.LIVE))
        )
        query = Purchase.select(Purchase.id).where(
            (Purchase.state == PurchaseState.DISPATCHING) & Purchase.id.not_in(live)
        )
        return [int(p.id) for p in query.order_by(Purchase.id)]

    def carry_out(
        self, purchase_id: int, operator: str, progress: DispatchProgress | None = None
    ) -> DispatchSummary:
        """Bring a just-paid purchase to its meter: follow the task its payment handed over
        (station mode), or dispatch it now over this PC's link (direct mode)."""
        if self.handover is not None:
            task_id = self.handover.live_task_of(purchase_id)
            if task_id is None:
                task_id = self.handover.hand_over(purchase_id, operator)
            return self.handover.follow(task_id, operator, progress)
        return self.dispatch_purchase(purchase_id, operator, progress)

    def purchase_status(self, purchase_id: int) -> DispatchSummary:
        """Where a purchase stands now (the window watches a 下发中 purchase with it)."""
        if self.handover is not None:
            task_id = self.handover.latest_task_of(purchase_id)
            if task_id is not None:
                return self.handover.summary(task_id)
        purchase = Purchase.get_by_id(purchase_id)
        last = (
            DispatchAttempt.select()
            .where(DispatchAttempt.purchase == purchase_id)
            .order_by(DispatchAttempt.id.desc())
            .first()
        )
        order = live_work_order(purchase_id)
        return DispatchSummary(
            int(purchase.id),
            int(purchase.count),
            "" if last is None else str(last.outcome),
            "" if last is None else str(last.reason),
            str(purchase.state),
            None if last is None or last.balance_fen is None else int(last.balance_fen),
            None if last is None or last.count_read is None else int(last.count_read),
            DispatchAttempt.select().where(DispatchAttempt.purchase == purchase_id).count(),
            None if order is None else int(order.id),
        )

    def station_health(self) -> Mapping[str, object] | None:
        """The collection system's health (``GET /health``), or None without one; raises
        `StationUnavailable` when it cannot be reached."""
        handover = self.ctx.handover
        if handover is None:
            return None
        return handover.health()

    def channel_health(self, meter_address: str) -> ChannelHealth | None:
        """The collection system's knowledge of the meter's channel, or None without one.

        Blocking network call (run it off the window's thread); raises
        `StationUnavailable` when the station cannot be asked."""
        handover = self.ctx.handover
        if handover is None:
            return None
        return handover.channel_health(meter_address)

    def queued_purchases(self) -> list[int]:
        """Remote purchases still ``created`` (no meter link at the time, or never started)."""
        query = Purchase.select(Purchase.id).where(
            (Purchase.state == PurchaseState.CREATED) & (Purchase.route == "remote")
        )
        return [int(p.id) for p in query.order_by(Purchase.id)]


def _events(state: PurchaseState) -> frozenset[PurchaseEvent]:
    from counter_app.core.purchase_state import legal_events

    return legal_events(state)
