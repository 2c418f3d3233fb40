"""The cash ledger of one teller's shift: float, payments, refunds, cash in/out (pure).

Why one pure function: the expected cash in the drawer, the mid-shift read (X), the close (Z),
the shift summary PDF and the supervisor's view of open shifts must all show the *same*
figures. They all call `compute_ledger` over the same rows, so no report can disagree with
another about a single fen.

The drawer (what a teller is accountable for):

* the float (备用金) counted into the drawer when the shift opens;
* payments taken on the ``counter`` channel (柜台, R5) — cash. Payments on other channels
  (terminal, bank, transfer, offset: R4/R5) are listed by channel but never enter the drawer;
* refunds of counter reversals (坐收冲正, R15) paid out at this counter — cash out of the
  drawer, whatever shift took the original payment. A reversed payment stays in the payment
  total (the money did come in); its refund is the movement that takes it out again, so
  ``payments − refunds`` is what the customer's account says too (I1: paid − refunded);
* cash in / cash out with a reason (a change top-up, a cash drop to the safe).

``expected = float + counter payments − refunds + cash in − cash out``. The blind count is
compared with it: ``variance = counted − expected`` (negative: short, positive: over).

No Qt, no database, no I/O: `counter_app.services.shifts` gathers the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

CASH_CHANNELS: frozenset[str] = frozenset({"counter"})
"""Payment channels whose money enters the teller's drawer (R5: 柜台)."""


class LedgerError(ValueError):
    """A ledger input that cannot be money (not integer fen, negative, unknown kind)."""


class CashDirection(StrEnum):
    """A cash movement into or out of the drawer that is not a payment or a refund."""

    IN = "in"
    OUT = "out"


class ShiftState(StrEnum):
    """open → counted (blind count recorded, the window of the shift ends) → closed (Z)."""

    OPEN = "open"
    COUNTED = "counted"
    CLOSED = "closed"


class VarianceKind(StrEnum):
    EXACT = "exact"
    SHORT = "short"
    OVER = "over"


def _fen(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LedgerError(f"{what} must be integer fen, got {value!r}")
    if value < 0:
        raise LedgerError(f"{what} must not be negative, got {value}")
    return value


@dataclass(frozen=True)
class LedgerPayment:
    """A payment taken by the shift's teller at its counter during the shift."""

    payment_id: int
    amount_fen: int
    channel: str
    reversed: bool = False


@dataclass(frozen=True)
class LedgerRefund:
    """A refund (R15) paid out by the shift's teller at its counter during the shift."""

    payment_id: int
    amount_fen: int


@dataclass(frozen=True)
class LedgerCashMovement:
    direction: CashDirection
    amount_fen: int
    reason: str


@dataclass(frozen=True)
class ChannelTotal:
    channel: str
    count: int
    amount_fen: int


@dataclass(frozen=True)
class ShiftLedger:
    """Every total of a shift, in fen; `expected_cash_fen` is what the drawer should hold."""

    float_fen: int
    by_channel: tuple[ChannelTotal, ...]
    payment_count: int
    payments_fen: int  # all channels
    cash_payments_fen: int  # counter channel only: the drawer
    reversed_count: int
    refund_count: int
    refunds_fen: int
    cash_in_fen: int
    cash_out_fen: int
    cash_in_count: int
    cash_out_count: int

    @property
    def expected_cash_fen(self) -> int:
        return (
            self.float_fen
            + self.cash_payments_fen
            - self.refunds_fen
            + self.cash_in_fen
            - self.cash_out_fen
        )

    @property
    def net_cash_fen(self) -> int:
        """What the shift changed in the drawer (expected minus the float)."""
        return self.expected_cash_fen - self.float_fen

    def channel_fen(self, channel: str) -> int:
        return sum(c.amount_fen for c in self.by_channel if c.channel == channel)


def compute_ledger(
    float_fen: int,
    payments: Iterable[LedgerPayment],
    refunds: Iterable[LedgerRefund],
    movements: Iterable[LedgerCashMovement],
) -> ShiftLedger:
    """The shift's totals and expected cash (see the module docstring for the formula)."""
    _fen(float_fen, "float")
    totals: dict[str, list[int]] = {}
    payment_count = payments_fen = cash_payments = reversed_count = 0
    for p in payments:
        amount = _fen(p.amount_fen, f"payment {p.payment_id}")
        row = totals.setdefault(p.channel, [0, 0])
        row[0] += 1
        row[1] += amount
        payment_count += 1
        payments_fen += amount
        if p.channel in CASH_CHANNELS:
            cash_payments += amount
        if p.reversed:
            reversed_count += 1
    refund_count = refunds_fen = 0
    for r in refunds:
        refunds_fen += _fen(r.amount_fen, f"refund of payment {r.payment_id}")
        refund_count += 1
    cash_in = cash_out = n_in = n_out = 0
    for m in movements:
        amount = _fen(m.amount_fen, "cash movement")
        if m.direction == CashDirection.IN:
            cash_in += amount
            n_in += 1
        elif m.direction == CashDirection.OUT:
            cash_out += amount
            n_out += 1
        else:
            raise LedgerError(f"unknown cash direction {m.direction!r}")
    return ShiftLedger(
        float_fen=float_fen,
        by_channel=tuple(ChannelTotal(ch, n, fen) for ch, (n, fen) in sorted(totals.items())),
        payment_count=payment_count,
        payments_fen=payments_fen,
        cash_payments_fen=cash_payments,
        reversed_count=reversed_count,
        refund_count=refund_count,
        refunds_fen=refunds_fen,
        cash_in_fen=cash_in,
        cash_out_fen=cash_out,
        cash_in_count=n_in,
        cash_out_count=n_out,
    )


@dataclass(frozen=True)
class Variance:
    """The blind count against the ledger: ``fen = counted − expected``."""

    expected_fen: int
    counted_fen: int

    @property
    def fen(self) -> int:
        return self.counted_fen - self.expected_fen

    @property
    def kind(self) -> VarianceKind:
        if self.fen < 0:
            return VarianceKind.SHORT
        if self.fen > 0:
            return VarianceKind.OVER
        return VarianceKind.EXACT

    @property
    def needs_reason(self) -> bool:
        """A short or over drawer is closed only with a reason (Z)."""
        return self.fen != 0


def blind_variance(ledger: ShiftLedger, counted_fen: int) -> Variance:
    """Compare a blind count (taken before the teller saw the expected figure) with the ledger."""
    return Variance(ledger.expected_cash_fen, _fen(counted_fen, "counted cash"))


_NEXT: dict[tuple[ShiftState, str], ShiftState] = {
    (ShiftState.OPEN, "count"): ShiftState.COUNTED,
    (ShiftState.COUNTED, "close"): ShiftState.CLOSED,
}


class ShiftStateError(ValueError):
    """``event`` is not allowed in ``state`` (a second blind count, a close before counting)."""

    def __init__(self, state: ShiftState, event: str) -> None:
        super().__init__(f"a shift in state {state.value!r} cannot {event}")
        self.state = state
        self.event = event


def next_state(state: ShiftState, event: str) -> ShiftState:
    """open --count--> counted --close--> closed; nothing else (the count is taken once)."""
    try:
        return _NEXT[(ShiftState(state), event)]
    except KeyError:
        raise ShiftStateError(ShiftState(state), event) from None


def accepts_cash(state: ShiftState) -> bool:
    """Cash in/out and new payments belong to a shift only while it is open."""
    return ShiftState(state) is ShiftState.OPEN
