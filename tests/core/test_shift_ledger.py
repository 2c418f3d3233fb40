"""The shift ledger (pure): expected cash = float + counter payments − refunds (R15) + in − out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.core.shift_ledger import (
    CashDirection,
    LedgerCashMovement,
    LedgerError,
    LedgerPayment,
    LedgerRefund,
    ShiftState,
    ShiftStateError,
    VarianceKind,
    accepts_cash,
    blind_variance,
    compute_ledger,
    next_state,
)

CHANNELS = ["counter", "terminal", "bank", "transfer", "offset", "other"]
fen = st.integers(min_value=0, max_value=10**9)
payments = st.lists(
    st.builds(LedgerPayment, st.integers(1, 10**6), fen, st.sampled_from(CHANNELS), st.booleans())
)
refunds = st.lists(st.builds(LedgerRefund, st.integers(1, 10**6), fen))
movements = st.lists(
    st.builds(LedgerCashMovement, st.sampled_from(list(CashDirection)), fen, st.just("why"))
)


def test_worked_example_r15_refund_leaves_the_drawer() -> None:
    ledger = compute_ledger(
        50_000,
        [
            LedgerPayment(1, 10_000, "counter", reversed=True),
            LedgerPayment(2, 2_500, "counter"),
            LedgerPayment(3, 7_000, "bank"),
        ],
        [LedgerRefund(1, 10_000)],
        [
            LedgerCashMovement(CashDirection.IN, 5_000, "change"),
            LedgerCashMovement(CashDirection.OUT, 20_000, "drop"),
        ],
    )
    assert ledger.expected_cash_fen == 37_500
    assert ledger.payments_fen == 19_500 and ledger.cash_payments_fen == 12_500
    assert [(c.channel, c.count, c.amount_fen) for c in ledger.by_channel] == [
        ("bank", 1, 7_000),
        ("counter", 2, 12_500),
    ]
    assert ledger.reversed_count == 1 and ledger.net_cash_fen == -12_500


@given(st.integers(0, 10**9), payments, refunds, movements)
def test_expected_cash_is_the_sum_of_its_parts(
    float_fen: int,
    ps: list[LedgerPayment],
    rs: list[LedgerRefund],
    ms: list[LedgerCashMovement],
) -> None:
    ledger = compute_ledger(float_fen, ps, rs, ms)
    cash = sum(p.amount_fen for p in ps if p.channel == "counter")
    ins = sum(m.amount_fen for m in ms if m.direction is CashDirection.IN)
    outs = sum(m.amount_fen for m in ms if m.direction is CashDirection.OUT)
    refunded = sum(r.amount_fen for r in rs)
    assert ledger.expected_cash_fen == float_fen + cash - refunded + ins - outs
    assert sum(c.amount_fen for c in ledger.by_channel) == ledger.payments_fen
    assert sum(c.count for c in ledger.by_channel) == ledger.payment_count == len(ps)
    assert isinstance(ledger.expected_cash_fen, int)  # fen, never float
    # order does not matter: the same rows give the same ledger, whoever reports them
    assert compute_ledger(float_fen, ps[::-1], rs[::-1], ms[::-1]) == ledger


@given(st.integers(0, 10**9), payments, st.integers(0, 10**9))
def test_blind_variance_is_counted_minus_expected(
    float_fen: int, ps: list[LedgerPayment], counted: int
) -> None:
    ledger = compute_ledger(float_fen, ps, [], [])
    v = blind_variance(ledger, counted)
    assert v.fen == counted - ledger.expected_cash_fen
    assert v.needs_reason == (v.fen != 0)
    expected_kind = (
        VarianceKind.SHORT if v.fen < 0 else VarianceKind.OVER if v.fen > 0 else VarianceKind.EXACT
    )
    assert v.kind is expected_kind


@pytest.mark.parametrize("bad", [1.5, -1, True, "100"])
def test_money_must_be_non_negative_integer_fen(bad: object) -> None:
    with pytest.raises(LedgerError):
        compute_ledger(bad, [], [], [])  # type: ignore[arg-type]
    with pytest.raises(LedgerError):
        compute_ledger(0, [LedgerPayment(1, bad, "counter")], [], [])  # type: ignore[arg-type]


def test_shift_states_count_once_then_close() -> None:
    assert next_state(ShiftState.OPEN, "count") is ShiftState.COUNTED
    assert next_state(ShiftState.COUNTED, "close") is ShiftState.CLOSED
    for state, event in [
        (ShiftState.OPEN, "close"),
        (ShiftState.COUNTED, "count"),
        (ShiftState.CLOSED, "count"),
        (ShiftState.CLOSED, "close"),
    ]:
        with pytest.raises(ShiftStateError):
            next_state(state, event)
    assert accepts_cash(ShiftState.OPEN) and not accepts_cash(ShiftState.COUNTED)
