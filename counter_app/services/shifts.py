"""Shifts and cash (班次与现金): open with a float, cash in/out, X read, blind count, Z close.

What counter staff expect from mature POS software, on the ledger every report shares:

* `open_shift`: a teller (or supervisor) opens a shift at this counter with a float. One live
  shift per person and per counter (one drawer), enforced by partial unique indexes too.
* `cash_movement`: cash in/out of the drawer, always with a reason (audited, I3).
* `x_read`: a mid-shift read of the ledger; the shift goes on.
* `record_blind_count`: the teller types what the drawer holds *before* seeing the expected
  figure; the count is stored at once and cannot be taken again, and it ends the shift's
  window. Only then does the service say what was expected and the variance.
* `close_shift` (Z): a short or over drawer needs a reason; the shift is closed.
* `open_shifts`: every live shift with its figures, for supervisors.

Payments are not edited to carry a shift id: a payment (or refund, R15) belongs to the live
shift of its operator at its counter when it was taken, looked up here by operator + counter
+ time window (``opened_at <= created_at <= counted_at``), so `services.payments` stays as it
is and the counter window needs no shift to take money. Every figure comes from
`core.shift_ledger.compute_ledger` over those rows: the X read, the Z close, the PDF
(`services.shift_summary`) and the supervisor's list cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import peewee

from counter_app.core.shift_ledger import (
    CASH_CHANNELS,
    CashDirection,
    LedgerCashMovement,
    LedgerPayment,
    LedgerRefund,
    ShiftLedger,
    ShiftState,
    ShiftStateError,
    Variance,
    accepts_cash,
    blind_variance,
    compute_ledger,
    next_state,
)
from counter_app.services import audit, auth
from counter_app.services.auth import SignedInUser
from counter_app.services.context import ServiceContext
from counter_app.services.errors import InvalidAmount, InvalidInput, NotAuthorized, ServiceError
from counter_app.store.database import locked, write_transaction
from counter_app.store.models import CashMovement, Payment, Refund, Shift

ACTION_OPEN = auth.Action.OPEN_SHIFT
ACTION_WORK = auth.Action.CLOSE_SHIFT  # cash in/out, X read, count and close of one's shift
ACTION_SUPERVISE = auth.Action.VIEW_OPEN_SHIFTS
LIVE_STATES = [ShiftState.OPEN.value, ShiftState.COUNTED.value]


class UnknownShift(ServiceError):
    code = "unknown-shift"

    def __init__(self, shift: object) -> None:
        super().__init__(f"unknown shift {shift!r}", shift=str(shift))


class ShiftConflict(ServiceError):
    """A second live shift for the same person or the same counter (one drawer each)."""

    code = "shift-conflict"

    def __init__(self, who: str, counter_id: str, shift_id: int) -> None:
        super().__init__(
            f"shift {shift_id} of {who} at counter {counter_id} is still open: close it first",
            operator=who,
            counter_id=counter_id,
            shift_id=shift_id,
        )


class ShiftRefused(ServiceError):
    """The step is not allowed in the shift's state (a second count, cash after the count...)."""

    code = "shift-refused"

    def __init__(self, shift_id: int, state: str, step: str) -> None:
        super().__init__(
            f"shift {shift_id} is {state}: cannot {step}", shift_id=shift_id, state=state, step=step
        )


@dataclass(frozen=True)
class ShiftView:
    id: int
    operator: str
    counter_id: str
    state: str
    float_fen: int
    opened_at: dt.datetime
    counted_at: dt.datetime | None
    counted_fen: int | None
    expected_fen: int | None
    variance_fen: int | None
    variance_reason: str
    closed_at: dt.datetime | None
    closed_by: str | None


@dataclass(frozen=True)
class LedgerLine:
    """One row behind the ledger, for the reports' detail lists."""

    at: dt.datetime
    kind: str  # "payment" | "refund" | "cash-in" | "cash-out"
    reference: str  # receipt number, or the reason of a cash movement
    channel: str
    amount_fen: int


@dataclass(frozen=True)
class UncoveredMoney:
    """A counter payment or refund that no shift's window covers (in no drawer's ledger)."""

    at: dt.datetime
    kind: str  # "payment" | "refund"
    receipt_no: str
    operator: str
    counter_id: str
    amount_fen: int


def _audit_head(s: Shift) -> str:
    """The head a report prints: the close record of a closed shift (the same on every reprint
    of its Z), else the newest record."""
    if s.state == ShiftState.CLOSED.value:
        closed = audit.entries(entity="shift", entity_id=s.id, actions=["shift-close"])
        if closed:
            return audit.hash_of(closed[-1].id)
    return audit.head_hash()


@dataclass(frozen=True)
class ShiftReport:
    """A shift with its ledger (the same figures for X, Z, PDF and the supervisor's view)."""

    shift: ShiftView
    ledger: ShiftLedger
    lines: tuple[LedgerLine, ...]
    until: dt.datetime  # end of the window the ledger covers
    audit_head: str = ""
    """The audit chain's head (I3): for a Z, the hash of the shift's close record; for an X,
    the newest record's. Printed so that it can be kept outside the database."""

    @property
    def variance(self) -> Variance | None:
        if self.shift.counted_fen is None:
            return None
        return blind_variance(self.ledger, self.shift.counted_fen)


@dataclass(frozen=True)
class CountResult:
    """What the teller learns *after* the blind count was recorded."""

    shift_id: int
    counted_fen: int
    expected_fen: int
    variance_fen: int
    kind: str  # core VarianceKind
    needs_reason: bool


def _view(s: Shift) -> ShiftView:
    return ShiftView(
        id=int(s.id),
        operator=str(s.operator),
        counter_id=str(s.counter_id),
        state=str(s.state),
        float_fen=int(s.float_fen),
        opened_at=s.opened_at,
        counted_at=s.counted_at,
        counted_fen=None if s.counted_fen is None else int(s.counted_fen),
        expected_fen=None if s.expected_fen is None else int(s.expected_fen),
        variance_fen=None if s.variance_fen is None else int(s.variance_fen),
        variance_reason=str(s.variance_reason),
        closed_at=s.closed_at,
        closed_by=None if s.closed_by is None else str(s.closed_by),
    )


def _money(amount_fen: object, what: str) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise InvalidAmount(repr(amount_fen), f"{what} must be integer fen")
    if amount_fen < 0:
        raise InvalidAmount(str(amount_fen), f"{what} must not be negative")
    return amount_fen


def shift_window_rows(
    operator: str, counter_id: str, since: dt.datetime, until: dt.datetime
) -> tuple[list[Any], list[Any]]:
    """Payments and refunds of `operator` at `counter_id` taken in ``[since, until]``."""
    payments = list(
        Payment.select()
        .where(
            (Payment.operator == operator)
            & (Payment.counter_id == counter_id)
            & (Payment.created_at >= since)
            & (Payment.created_at <= until)
        )
        .order_by(Payment.created_at, Payment.id)
    )
    refunds = list(
        Refund.select(Refund, Payment)
        .join(Payment)
        .where(
            (Refund.operator == operator)
            & (Refund.counter_id == counter_id)
            & (Refund.created_at >= since)
            & (Refund.created_at <= until)
        )
        .order_by(Refund.created_at, Refund.id)
    )
    return payments, refunds


class ShiftService:
    """Shifts of this counter (see the module docstring)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- reading ---------------------------------------------------------------------------
    def _get(self, shift_id: int) -> Shift:
        row = Shift.get_or_none(Shift.id == shift_id)
        if row is None:
            raise UnknownShift(shift_id)
        return row

    def _own_or_supervised(self, user: SignedInUser, s: Shift) -> None:
        if str(s.operator) == user.username:
            auth.require(user, ACTION_WORK)
        else:
            auth.require(user, ACTION_SUPERVISE)

    def current_shift(self, user: SignedInUser) -> ShiftView | None:
        """The user's live (open or counted) shift, wherever it was opened."""
        row = (
            Shift.select()
            .where((Shift.operator == user.username) & Shift.state.in_(LIVE_STATES))
            .first()
        )
        return _view(row) if row is not None else None

    def report(self, shift_id: int) -> ShiftReport:
        """The ledger of a shift over its window (up to now while it is open)."""
        s = self._get(shift_id)
        until = s.counted_at or self.ctx.clock.now()
        return self._report(s, until)

    def _report(self, s: Shift, until: dt.datetime) -> ShiftReport:
        payments, refunds = shift_window_rows(
            str(s.operator), str(s.counter_id), s.opened_at, until
        )
        movements = list(
            CashMovement.select()
            .where(CashMovement.shift == s.id)
            .order_by(CashMovement.created_at, CashMovement.id)
        )
        ledger = compute_ledger(
            int(s.float_fen),
            [
                LedgerPayment(int(p.id), int(p.amount_fen), str(p.channel), bool(p.reversed))
                for p in payments
            ],
            [LedgerRefund(int(r.payment_id), int(r.amount_fen)) for r in refunds],
            [
                LedgerCashMovement(
                    CashDirection(str(m.direction)), int(m.amount_fen), str(m.reason)
                )
                for m in movements
            ],
        )
        lines = [
            LedgerLine(
                p.created_at, "payment", str(p.receipt_no), str(p.channel), int(p.amount_fen)
            )
            for p in payments
        ]
        lines += [
            LedgerLine(
                r.created_at, "refund", str(r.payment.receipt_no), "counter", int(r.amount_fen)
            )
            for r in refunds
        ]
        lines += [
            LedgerLine(m.created_at, f"cash-{m.direction}", str(m.reason), "", int(m.amount_fen))
            for m in movements
        ]
        lines.sort(key=lambda line: line.at)
        return ShiftReport(_view(s), ledger, tuple(lines), until, _audit_head(s))

    def x_read(self, user: SignedInUser, shift_id: int) -> ShiftReport:
        """The mid-shift read (X): the ledger so far; nothing changes but the audit trail."""
        s = self._get(shift_id)
        self._own_or_supervised(user, s)
        report = self.report(shift_id)
        with write_transaction():
            audit.record(
                user.username,
                self.ctx.counter_id,
                "shift-x-read",
                "shift",
                s.id,
                after={
                    "expected_cash_fen": report.ledger.expected_cash_fen,
                    "payments_fen": report.ledger.payments_fen,
                    "refunds_fen": report.ledger.refunds_fen,
                },
            )
        return report

    def open_shifts(self, user: SignedInUser) -> list[ShiftReport]:
        """Every live shift of every counter with its figures so far (supervisors)."""
        auth.require(user, ACTION_SUPERVISE)
        return self.live_reports()

    def live_reports(self) -> list[ShiftReport]:
        """Every live shift with its ledger so far (no role check: counterctl, reports)."""
        now = self.ctx.clock.now()
        rows = Shift.select().where(Shift.state.in_(LIVE_STATES)).order_by(Shift.opened_at)
        return [self._report(s, s.counted_at or now) for s in rows]

    def payments_outside_shifts(
        self, user: SignedInUser, since: dt.datetime, until: dt.datetime | None = None
    ) -> list[UncoveredMoney]:
        """Counter (cash) payments and refunds in ``[since, until]`` that no shift covers.

        Cash taken by someone without an open shift is in no drawer's ledger: the supervisor
        sees it here (the counter window itself does not require a shift).
        """
        auth.require(user, ACTION_SUPERVISE)
        until = until or self.ctx.clock.now()
        windows: dict[tuple[str, str], list[tuple[dt.datetime, dt.datetime]]] = {}
        for s in Shift.select().where(
            (Shift.opened_at <= until)
            & ((Shift.counted_at.is_null()) | (Shift.counted_at >= since))
        ):
            end = s.counted_at or until
            windows.setdefault((str(s.operator), str(s.counter_id)), []).append((s.opened_at, end))

        def covered(operator: str, counter_id: str, at: dt.datetime) -> bool:
            return any(a <= at <= b for a, b in windows.get((operator, counter_id), []))

        lines: list[UncoveredMoney] = []
        payments = Payment.select().where(
            (Payment.created_at >= since)
            & (Payment.created_at <= until)
            & Payment.channel.in_(sorted(CASH_CHANNELS))
        )
        for p in payments.order_by(Payment.created_at):
            if not covered(str(p.operator), str(p.counter_id), p.created_at):
                lines.append(
                    UncoveredMoney(
                        p.created_at,
                        "payment",
                        str(p.receipt_no),
                        str(p.operator),
                        str(p.counter_id),
                        int(p.amount_fen),
                    )
                )
        refunds = (
            Refund.select(Refund, Payment)
            .join(Payment)
            .where((Refund.created_at >= since) & (Refund.created_at <= until))
        )
        for r in refunds.order_by(Refund.created_at):
            if not covered(str(r.operator), str(r.counter_id), r.created_at):
                lines.append(
                    UncoveredMoney(
                        r.created_at,
                        "refund",
                        str(r.payment.receipt_no),
                        str(r.operator),
                        str(r.counter_id),
                        int(r.amount_fen),
                    )
                )
        lines.sort(key=lambda line: line.at)
        return lines

    def shifts(self, user: SignedInUser, *, limit: int = 200) -> list[ShiftView]:
        """Recent shifts, newest first: all of them for a supervisor, one's own otherwise."""
        query = Shift.select().order_by(Shift.opened_at.desc(), Shift.id.desc())
        if not user.may(ACTION_SUPERVISE):
            auth.require(user, ACTION_WORK)
            query = query.where(Shift.operator == user.username)
        return [_view(s) for s in query.limit(limit)]

    # -- changing --------------------------------------------------------------------------
    def open_shift(self, user: SignedInUser, float_fen: int) -> ShiftView:
        """Open a shift at this counter with `float_fen` in the drawer (audited)."""
        auth.require(user, ACTION_OPEN)
        _money(float_fen, "the float")
        now = self.ctx.clock.now()
        with write_transaction():
            live = locked(
                Shift.select().where(
                    Shift.state.in_(LIVE_STATES)
                    & (
                        (Shift.operator == user.username)
                        | (Shift.counter_id == self.ctx.counter_id)
                    )
                )
            ).first()
            if live is not None:
                raise ShiftConflict(str(live.operator), str(live.counter_id), int(live.id))
            try:
                with write_transaction():  # savepoint: the unique index is the last guard
                    s = Shift.create(
                        operator=user.username,
                        counter_id=self.ctx.counter_id,
                        state=ShiftState.OPEN.value,
                        float_fen=float_fen,
                        opened_at=now,
                    )
            except peewee.IntegrityError:
                raise ShiftConflict(user.username, self.ctx.counter_id, 0) from None
            audit.record(
                user.username,
                self.ctx.counter_id,
                "shift-open",
                "shift",
                s.id,
                after={"float_fen": float_fen, "state": ShiftState.OPEN.value},
            )
        return _view(s)

    def _check_own(self, user: SignedInUser, shift_id: int) -> None:
        """Refuse (audited, outside the step's transaction) work on another person's shift;
        `_lock_own` checks again under the lock."""
        s = self._get(shift_id)
        if str(s.operator) != user.username:
            raise auth.refuse(user, "work another person's shift", counter_id=self.ctx.counter_id)

    def _lock_own(self, user: SignedInUser, shift_id: int) -> Shift:
        s: Shift | None = locked(Shift.select().where(Shift.id == shift_id)).first()
        if s is None:
            raise UnknownShift(shift_id)
        if str(s.operator) != user.username:
            raise NotAuthorized(user.username, user.role, "work another person's shift")
        return s

    def cash_movement(
        self, user: SignedInUser, shift_id: int, direction: str, amount_fen: int, reason: str
    ) -> int:
        """Cash into or out of the drawer of one's open shift, with a reason; returns its id."""
        auth.require(user, ACTION_WORK)
        try:
            way = CashDirection(direction)
        except ValueError:
            raise InvalidInput("direction", "must be 'in' or 'out'") from None
        if _money(amount_fen, "the amount") == 0:
            raise InvalidAmount("0", "the amount must be above zero")
        if not reason.strip():
            raise InvalidInput("reason", "a cash movement needs a reason")
        now = self.ctx.clock.now()
        self._check_own(user, shift_id)
        with write_transaction():
            s = self._lock_own(user, shift_id)
            if not accepts_cash(ShiftState(str(s.state))):
                raise ShiftRefused(int(s.id), str(s.state), f"take cash {way.value}")
            m = CashMovement.create(
                shift=s,
                direction=way.value,
                amount_fen=amount_fen,
                reason=reason.strip(),
                operator=user.username,
                counter_id=self.ctx.counter_id,
                created_at=now,
            )
            audit.record(
                user.username,
                self.ctx.counter_id,
                f"cash-{way.value}",
                "shift",
                s.id,
                after={"amount_fen": amount_fen, "reason": reason.strip(), "movement_id": m.id},
            )
        return int(m.id)

    def record_blind_count(
        self, user: SignedInUser, shift_id: int, counted_fen: int
    ) -> CountResult:
        """Store the blind count (once; it ends the shift's window), then compare (Z, step 1)."""
        auth.require(user, ACTION_WORK)
        _money(counted_fen, "the counted cash")
        now = self.ctx.clock.now()
        self._check_own(user, shift_id)
        with write_transaction():
            s = self._lock_own(user, shift_id)
            try:
                new_state = next_state(ShiftState(str(s.state)), "count")
            except ShiftStateError:
                raise ShiftRefused(int(s.id), str(s.state), "count the drawer again") from None
            report = self._report(s, now)
            variance = blind_variance(report.ledger, counted_fen)
            s.state = new_state.value
            s.counted_at = now
            s.counted_fen = counted_fen
            s.expected_fen = variance.expected_fen
            s.variance_fen = variance.fen
            s.save()
            audit.record(
                user.username,
                self.ctx.counter_id,
                "shift-count",
                "shift",
                s.id,
                before={"state": ShiftState.OPEN.value},
                after={
                    "state": new_state.value,
                    "counted_fen": counted_fen,
                    "expected_fen": variance.expected_fen,
                    "variance_fen": variance.fen,
                },
            )
        return CountResult(
            int(s.id),
            counted_fen,
            variance.expected_fen,
            variance.fen,
            variance.kind.value,
            variance.needs_reason,
        )

    def close_shift(self, user: SignedInUser, shift_id: int, reason: str = "") -> ShiftReport:
        """Z: close a counted shift; a short or over drawer needs a reason (audited)."""
        auth.require(user, ACTION_WORK)
        now = self.ctx.clock.now()
        self._check_own(user, shift_id)
        with write_transaction():
            s = self._lock_own(user, shift_id)
            try:
                new_state = next_state(ShiftState(str(s.state)), "close")
            except ShiftStateError:
                step = "close before the blind count" if s.state == "open" else "close again"
                raise ShiftRefused(int(s.id), str(s.state), step) from None
            if int(s.variance_fen or 0) != 0 and not reason.strip():
                raise InvalidInput("reason", "a short or over drawer is closed only with a reason")
            s.state = new_state.value
            s.variance_reason = reason.strip()
            s.closed_at = now
            s.closed_by = user.username
            s.save()
            report = self._report(s, s.counted_at or now)
            audit.record(
                user.username,
                self.ctx.counter_id,
                "shift-close",
                "shift",
                s.id,
                before={"state": ShiftState.COUNTED.value},
                after={
                    "state": new_state.value,
                    "expected_fen": report.ledger.expected_cash_fen,
                    "counted_fen": s.counted_fen,
                    "variance_fen": s.variance_fen,
                    "reason": reason.strip(),
                },
            )
            report = replace(report, audit_head=_audit_head(s))
        return report
