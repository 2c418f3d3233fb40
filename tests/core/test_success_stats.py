"""The success board (pure): paths of remote purchases and failures by cause (R7–R10, R12)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from counter_app.core.success_stats import (
    CSV_HEADER,
    FAILURE_CAUSES,
    AttemptFact,
    PurchaseFact,
    PurchasePath,
    classify,
    compute_stats,
    csv_row,
    failed_round_causes,
    stats_by_day,
    stats_by_meter,
)

D1, D2 = dt.date(2026, 3, 1), dt.date(2026, 3, 2)


def fact(
    pid: int,
    state: str,
    *outcomes: tuple[int, str],
    card: bool = False,
    meter: str = "m1",
    day: dt.date = D1,
) -> PurchaseFact:
    numbered: list[AttemptFact] = []
    per_round: dict[int, int] = {}
    for round_no, outcome in outcomes:
        per_round[round_no] = per_round.get(round_no, 0) + 1
        numbered.append(AttemptFact(round_no, per_round[round_no], outcome))
    return PurchaseFact(pid, meter, day, state, card, tuple(numbered))


FIRST = fact(1, "loaded", (1, "success"))
THIRD = fact(2, "loaded", (1, "timeout"), (1, "channel-failure"), (1, "already-loaded"))
WORK_ORDER = fact(
    3,
    "loaded",
    (1, "channel-failure"),
    (1, "channel-failure"),
    (1, "timeout"),
    (2, "success"),
    meter="m2",
)
CARD = fact(4, "loaded", (1, "hoarding-limit"), card=True, meter="m2", day=D2)
PENDING = fact(5, "work-order", (1, "security-refusal"), (2, "count-mismatch"), day=D2)
REVERSED = fact(
    6, "reversed", (1, "channel-failure"), (1, "channel-failure"), (1, "channel-failure")
)
NEVER = fact(7, "created")


def test_r7_r9_r10_r12_paths() -> None:
    assert classify(FIRST) is PurchasePath.FIRST_ATTEMPT
    assert classify(THIRD) is PurchasePath.WITHIN_THREE
    assert classify(WORK_ORDER) is PurchasePath.AFTER_WORK_ORDER
    assert classify(CARD) is PurchasePath.BY_CARD
    assert classify(PENDING) is PurchasePath.PENDING
    assert classify(REVERSED) is PurchasePath.REVERSED
    # R8: an interrupted round settled by a probe counts for that round
    assert classify(fact(8, "loaded", (1, "unresolved"))) is PurchasePath.FIRST_ATTEMPT


def test_cumulative_rates_and_failures_by_cause() -> None:
    stats = compute_stats([FIRST, THIRD, WORK_ORDER, CARD, PENDING, REVERSED, NEVER])
    assert stats.total == 6  # the never-dispatched purchase is not on the board
    assert (stats.first_attempt, stats.within_three, stats.after_work_orders) == (1, 2, 3)
    assert stats.eventually == 4
    assert stats.first_attempt_rate == 16.7 and stats.eventually_rate == 66.7
    assert stats.failures == {
        "timeout": 1,  # round 1 of WORK_ORDER
        "hoarding-limit": 1,
        "security-refusal": 1,
        "count-mismatch": 1,
        "channel-failure": 1,
    }
    assert failed_round_causes(THIRD) == []


def test_by_day_and_by_meter_partition_the_total() -> None:
    facts = [FIRST, THIRD, WORK_ORDER, CARD, PENDING, REVERSED]
    days = stats_by_day(facts)
    assert [d for d, _ in days] == [D1, D2]
    assert [s.total for _, s in days] == [4, 2]
    meters = dict(stats_by_meter(facts))
    assert meters["m2"].after_work_orders == 1 and meters["m2"].eventually == 2
    row = csv_row("all", "", compute_stats(facts))
    assert len(row) == len(CSV_HEADER)


outcome = st.sampled_from(["success", "already-loaded", *FAILURE_CAUSES[:-1], "weird"])
STATES = ["loaded", "failed", "work-order", "reversed", "card-written"]


@st.composite
def purchase_fact(draw: st.DrawFn) -> PurchaseFact:
    pid = draw(st.integers(1, 10**6))
    attempts = draw(st.lists(st.tuples(st.integers(1, 3), outcome), max_size=6))
    return fact(
        pid,
        draw(st.sampled_from(STATES)),
        *attempts,
        card=draw(st.booleans()),
        meter=draw(st.sampled_from(["m0", "m1", "m2"])),
        day=D1 + dt.timedelta(days=draw(st.integers(0, 3))),
    )


facts_strategy = st.lists(purchase_fact(), max_size=30)


@given(facts_strategy)
def test_groups_add_up_and_rates_are_monotonic(facts: list[PurchaseFact]) -> None:
    stats = compute_stats(facts)
    assert stats.total == sum(1 for f in facts if f.attempts)
    assert sum(stats.paths.values()) == stats.total
    assert sum(s.total for _, s in stats_by_day(facts)) == stats.total
    assert sum(s.total for _, s in stats_by_meter(facts)) == stats.total
    assert (
        stats.first_attempt_rate
        <= stats.within_three_rate
        <= stats.after_work_orders_rate
        <= stats.eventually_rate
        <= 100.0
    )
    assert set(stats.failures) <= set(FAILURE_CAUSES)


def test_channel_failures_located_by_the_collection_system_count_where_they_happened() -> None:
    """A failed round whose last attempt the station named (terminal offline, carrier route
    lost, meter silent) is counted under that cause, not as a bare channel failure."""
    from counter_app.core.success_stats import AttemptFact, PurchaseFact, compute_stats

    def failed(pid: int, reason: str) -> PurchaseFact:
        attempts = tuple(AttemptFact(1, k, "channel-failure", reason) for k in (1, 2, 3))
        return PurchaseFact(pid, f"{pid:012d}", dt.date(2026, 12, 1), "failed", False, attempts)

    stats = compute_stats(
        [
            failed(1, "terminal-offline"),
            failed(2, "route-lost"),
            failed(3, "meter-silent"),
            failed(4, "connection refused"),
        ]
    )
    assert stats.failures == {
        "terminal-offline": 1,
        "route-lost": 1,
        "meter-silent": 1,
        "channel-failure": 1,
    }
