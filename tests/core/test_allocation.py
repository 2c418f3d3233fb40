"""R1 allocation: arrears oldest first, the rest to prepayment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.core.allocation import OpenBill, allocate, oldest_first

JAN = OpenBill(bill_id=10, issued_on=date(2026, 1, 31), outstanding_fen=3000)
FEB = OpenBill(bill_id=11, issued_on=date(2026, 2, 28), outstanding_fen=5000)
MAR = OpenBill(bill_id=12, issued_on=date(2026, 3, 31), outstanding_fen=2000)


def test_r1_no_bills_everything_to_prepayment() -> None:
    result = allocate(10000, [])
    assert result.settlements == ()
    assert result.to_prepayment == 10000
    assert result.arrears_after_fen == 0


def test_r1_settles_oldest_first_whatever_the_input_order() -> None:
    result = allocate(20000, [MAR, JAN, FEB])
    assert result.settlements == ((10, 3000), (11, 5000), (12, 2000))
    assert result.to_prepayment == 10000
    assert result.arrears_after_fen == 0
    assert result.settled_fen == 10000


def test_r1_partial_bill_is_the_oldest_one_not_fully_paid() -> None:
    result = allocate(4000, [FEB, JAN, MAR])
    assert result.settlements == ((10, 3000), (11, 1000))
    assert result.to_prepayment == 0
    assert result.arrears_after_fen == 4000 + 2000


def test_r1_payment_smaller_than_the_oldest_bill() -> None:
    result = allocate(1, [FEB, JAN])
    assert result.settlements == ((10, 1),)
    assert result.arrears_after_fen == 7999


def test_r1_exact_payment_leaves_no_prepayment() -> None:
    result = allocate(10000, [JAN, FEB, MAR])
    assert result.to_prepayment == 0
    assert result.arrears_after_fen == 0


def test_r1_same_day_bills_settled_by_bill_id() -> None:
    a = OpenBill(bill_id=7, issued_on=date(2026, 1, 1), outstanding_fen=100)
    b = OpenBill(bill_id=3, issued_on=date(2026, 1, 1), outstanding_fen=100)
    assert allocate(150, [a, b]).settlements == ((3, 100), (7, 50))
    assert [bill.bill_id for bill in oldest_first([a, b])] == [3, 7]


def test_r1_zero_amount_settles_nothing() -> None:
    result = allocate(0, [JAN])
    assert result.settlements == ()
    assert result.arrears_after_fen == 3000


@pytest.mark.parametrize(
    ("amount", "bills"),
    [
        (-1, []),
        (100, [OpenBill(1, date(2026, 1, 1), 0)]),
        (100, [OpenBill(1, date(2026, 1, 1), -5)]),
        (100, [JAN, JAN]),
    ],
)
def test_r1_refuses_figures_that_are_already_wrong(amount: int, bills: list[OpenBill]) -> None:
    with pytest.raises(ValueError, match="R1"):
        allocate(amount, bills)


bills_strategy = st.lists(
    st.tuples(st.integers(min_value=0, max_value=400), st.integers(1, 50_000)),
    max_size=8,
).map(
    lambda rows: [
        OpenBill(bill_id=i + 1, issued_on=date(2025, 1, 1) + timedelta(days=d), outstanding_fen=f)
        for i, (d, f) in enumerate(rows)
    ]
)


@given(amount=st.integers(min_value=0, max_value=500_000), bills=bills_strategy)
def test_r1_property_sum_preserved_oldest_first_never_negative(
    amount: int, bills: list[OpenBill]
) -> None:
    result = allocate(amount, bills)
    total_owed = sum(b.outstanding_fen for b in bills)
    # sum preserved
    assert result.settled_fen + result.to_prepayment == amount
    assert result.settled_fen + result.arrears_after_fen == total_owed
    # never negative, never more than a bill owes
    owed = {b.bill_id: b.outstanding_fen for b in bills}
    assert result.to_prepayment >= 0 and result.arrears_after_fen >= 0
    for bill_id, fen in result.settlements:
        assert 0 < fen <= owed[bill_id]
    # prepayment only once all arrears are paid
    assert result.to_prepayment == 0 or result.arrears_after_fen == 0
    # oldest first: every settled bill but the last is paid in full, and every bill older than
    # the last settled one is settled
    ordered = oldest_first(bills)
    settled_ids = [bill_id for bill_id, _ in result.settlements]
    assert settled_ids == [b.bill_id for b in ordered[: len(settled_ids)]]
    for bill_id, fen in result.settlements[:-1]:
        assert fen == owed[bill_id]
