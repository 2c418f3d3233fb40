"""The remote-purchase success board (pure): how purchases reached their meters, and why not.

The field report behind DOMAIN.md counts remote purchases and says "nearly 80%" succeeded;
a supervisor needs to see the same figure here, split by how far each purchase had to go:

==================  ==============================================================
path                meaning
==================  ==============================================================
first-attempt       round 1, attempt 1 loaded it (R7 success or R8 already-loaded)
within-three        round 1 loaded it at attempt 2 or 3 (R9)
after-work-order    a later dispatch round loaded it (a retry or an R10 work order)
by-card             not loaded remotely; written to the purchase card and the
                    card's write-back showed it loaded (R10 → R12, R13)
pending             not loaded yet (failed, work order open, on a card, dispatching)
reversed            reversed with its payment before it loaded (R15)
==================  ==============================================================

The rates are cumulative: *within 3 attempts* includes the first-attempt successes,
*after work orders* includes both, *eventually* adds the card path. The denominator is every
remote purchase that was dispatched at least once.

Failures by cause count failed dispatch **rounds** (one round = up to 3 attempts whose result
goes back to the counter, R9) by the outcome of their last attempt; the outcome strings are
`meter_link.dispatch.DispatchOutcome` values (channel-failure, count-mismatch,
security-refusal, hoarding-limit, timeout), plus ``unresolved`` when the link itself broke
(R8); a channel failure the collection system located is counted by where it happened:
terminal offline, carrier route lost, meter silent. No Qt, no database:
`counter_app.services.success_board` gathers the facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

LOADED_OUTCOMES = frozenset({"success", "already-loaded"})
LINK_CAUSES: tuple[str, ...] = ("terminal-offline", "route-lost", "meter-silent")
"""Where on the way master station -> terminal -> meter a channel failure happened, as the
collection system names it (the seed's channel test covers the whole link)."""

FAILURE_CAUSES: tuple[str, ...] = (
    *LINK_CAUSES,
    "channel-failure",
    "count-mismatch",
    "security-refusal",
    "hoarding-limit",
    "timeout",
    "unresolved",
    "other",
)
"""Causes in display order (the first five are the meter link's `DispatchOutcome` values)."""


class PurchasePath(StrEnum):
    FIRST_ATTEMPT = "first-attempt"
    WITHIN_THREE = "within-three"
    AFTER_WORK_ORDER = "after-work-order"
    BY_CARD = "by-card"
    PENDING = "pending"
    REVERSED = "reversed"


@dataclass(frozen=True)
class AttemptFact:
    round_no: int
    attempt_no: int
    outcome: str
    reason: str = ""


@dataclass(frozen=True)
class PurchaseFact:
    """One remote purchase as the board sees it."""

    purchase_id: int
    meter: str
    day: dt.date
    state: str  # core PurchaseState value
    written_to_card: bool
    attempts: tuple[AttemptFact, ...]


def _ordered(attempts: Iterable[AttemptFact]) -> list[AttemptFact]:
    return sorted(attempts, key=lambda a: (a.round_no, a.attempt_no))


def classify(fact: PurchaseFact) -> PurchasePath:
    """How this purchase got to its meter (see the table in the module docstring)."""
    attempts = _ordered(fact.attempts)
    if fact.state == "loaded":
        loaded = next((a for a in attempts if a.outcome in LOADED_OUTCOMES), None)
        if loaded is None and not fact.written_to_card and attempts:
            # an R8 probe settled an interrupted round: it counts for that round
            loaded = attempts[-1]
        if loaded is None:
            return PurchasePath.BY_CARD
        first_round = attempts[0].round_no if attempts else loaded.round_no
        if loaded.round_no == first_round:
            if loaded is attempts[0]:
                return PurchasePath.FIRST_ATTEMPT
            return PurchasePath.WITHIN_THREE
        return PurchasePath.AFTER_WORK_ORDER
    if fact.state == "reversed":
        return PurchasePath.REVERSED
    return PurchasePath.PENDING


def failed_round_causes(fact: PurchaseFact) -> list[str]:
    """The cause of each dispatch round of this purchase that did not load it."""
    rounds: dict[int, list[AttemptFact]] = {}
    for a in _ordered(fact.attempts):
        rounds.setdefault(a.round_no, []).append(a)
    causes = []
    for attempts in rounds.values():
        if any(a.outcome in LOADED_OUTCOMES for a in attempts):
            continue
        last = attempts[-1]
        if last.reason in LINK_CAUSES:  # the collection system said where the link broke
            causes.append(last.reason)
        else:
            causes.append(last.outcome if last.outcome in FAILURE_CAUSES else "other")
    return causes


def percent(part: int, whole: int) -> float:
    """A rate in percent, one decimal (rates are not money: a float is fine here)."""
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass(frozen=True)
class SuccessStats:
    """Counts of one group of purchases; the ``*_rate`` properties are cumulative percents."""

    total: int = 0
    paths: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    attempts: int = 0

    def count(self, path: PurchasePath) -> int:
        return self.paths.get(path.value, 0)

    @property
    def first_attempt(self) -> int:
        return self.count(PurchasePath.FIRST_ATTEMPT)

    @property
    def within_three(self) -> int:
        return self.first_attempt + self.count(PurchasePath.WITHIN_THREE)

    @property
    def after_work_orders(self) -> int:
        return self.within_three + self.count(PurchasePath.AFTER_WORK_ORDER)

    @property
    def eventually(self) -> int:
        return self.after_work_orders + self.count(PurchasePath.BY_CARD)

    @property
    def first_attempt_rate(self) -> float:
        return percent(self.first_attempt, self.total)

    @property
    def within_three_rate(self) -> float:
        return percent(self.within_three, self.total)

    @property
    def after_work_orders_rate(self) -> float:
        return percent(self.after_work_orders, self.total)

    @property
    def eventually_rate(self) -> float:
        return percent(self.eventually, self.total)

    @property
    def failed_rounds(self) -> int:
        return sum(self.failures.values())


def compute_stats(facts: Iterable[PurchaseFact]) -> SuccessStats:
    """The board for these purchases (those never dispatched are left out)."""
    paths: dict[str, int] = {}
    failures: dict[str, int] = {}
    total = attempts = 0
    for fact in facts:
        if not fact.attempts:
            continue
        total += 1
        attempts += len(fact.attempts)
        path = classify(fact).value
        paths[path] = paths.get(path, 0) + 1
        for cause in failed_round_causes(fact):
            failures[cause] = failures.get(cause, 0) + 1
    return SuccessStats(total, paths, failures, attempts)


K = TypeVar("K", bound=Hashable)


def _grouped(
    facts: Iterable[PurchaseFact], key: Callable[[PurchaseFact], K]
) -> list[tuple[K, SuccessStats]]:
    groups: dict[K, list[PurchaseFact]] = {}
    for fact in facts:
        if fact.attempts:
            groups.setdefault(key(fact), []).append(fact)
    return [(k, compute_stats(groups[k])) for k in sorted(groups)]  # type: ignore[type-var]


def stats_by_day(facts: Iterable[PurchaseFact]) -> list[tuple[dt.date, SuccessStats]]:
    return _grouped(facts, lambda f: f.day)


def stats_by_meter(facts: Iterable[PurchaseFact]) -> list[tuple[str, SuccessStats]]:
    return _grouped(facts, lambda f: f.meter)


CSV_HEADER: tuple[str, ...] = (
    "group",
    "key",
    "dispatched",
    "first_attempt",
    "within_3",
    "after_work_orders",
    "eventually_incl_card",
    "by_card",
    "pending",
    "reversed",
    "first_attempt_pct",
    "within_3_pct",
    "after_work_orders_pct",
    "eventually_pct",
    *(f"failed_{c}" for c in FAILURE_CAUSES),
)


def csv_row(group: str, key: object, s: SuccessStats) -> list[str]:
    """One CSV row (`CSV_HEADER`) for a group: "all", "day" or "meter"."""
    return [
        group,
        str(key),
        str(s.total),
        str(s.first_attempt),
        str(s.within_three),
        str(s.after_work_orders),
        str(s.eventually),
        str(s.count(PurchasePath.BY_CARD)),
        str(s.count(PurchasePath.PENDING)),
        str(s.count(PurchasePath.REVERSED)),
        f"{s.first_attempt_rate:.1f}",
        f"{s.within_three_rate:.1f}",
        f"{s.after_work_orders_rate:.1f}",
        f"{s.eventually_rate:.1f}",
        *(str(s.failures.get(c, 0)) for c in FAILURE_CAUSES),
    ]
