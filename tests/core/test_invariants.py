"""I1 and I2 checks (the pure part; the store sums the figures)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from counter_app.core.invariants import CustomerLedger, check_i1, check_i2

BALANCED = CustomerLedger(
    paid_fen=20000,
    refunded_fen=0,
    consumption_settled_fen=5000,
    prepayment_fen=1000,
    in_transit_fen=4000,
    loaded_fen=10000,
    reversal_debit_outstanding_fen=0,
)


def test_i1_holds() -> None:
    assert check_i1(BALANCED) == []


def test_i1_reading_with_reversal_debit() -> None:
    """Paid 100.00, loaded 100.00, payment reversed: refunded 100.00, debit 100.00 owed."""
    reversed_ = CustomerLedger(10000, 10000, 0, 0, 0, 10000, 10000)
    assert check_i1(reversed_) == []
    # the debit settled later by another payment: not consumption, and no longer outstanding
    settled = CustomerLedger(20000, 10000, 0, 0, 0, 10000, 0)
    assert check_i1(settled) == []


def test_i1_one_fen_off_is_reported_with_the_difference() -> None:
    broken = replace(BALANCED, prepayment_fen=1001)
    [message] = check_i1(broken)
    assert "I1" in message
    assert "200.00" in message and "200.01" in message and "-0.01" in message


def test_i1_negative_figure_is_a_break_even_if_the_sum_balances() -> None:
    broken = replace(BALANCED, prepayment_fen=-1000, in_transit_fen=6000)
    assert check_i1(broken) == ["I1: prepayment_fen is negative (-10.00)"]


@pytest.mark.parametrize("counts", [[], [1], [1, 2, 3], [3, 1, 2]])
def test_i2_holds(counts: list[int]) -> None:
    assert check_i2(counts) == []


def test_i2_replacement_meter_starting_later() -> None:
    assert check_i2([6, 7], first=6) == []
    assert check_i2([7], first=6) == ["I2: counts missing: 6"]
    assert check_i2([5, 6], first=6) == ["I2: counts start at 5, expected 6"]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([1, 1], ["I2: count 1 committed 2 times"]),
        ([1, 3], ["I2: counts missing: 2"]),
        ([2, 3], ["I2: counts missing: 1"]),
        ([0, 1], ["I2: counts start at 0, expected 1"]),
        ([1, 2, 2, 4], ["I2: count 2 committed 2 times", "I2: counts missing: 3"]),
    ],
)
def test_i2_breaks(counts: list[int], expected: list[str]) -> None:
    assert check_i2(counts) == expected


def test_i2_long_gap_is_summarised() -> None:
    [message] = check_i2([1, 100])
    assert message.startswith("I2: counts missing: 2, 3,") and message.endswith("and 88 more")
