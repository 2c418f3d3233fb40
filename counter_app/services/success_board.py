"""The success board's query: remote purchases and their dispatch attempts, then the pure stats.

`SuccessBoardService.board` reads every remote purchase with at least one `DispatchAttempt`
(optionally in a date range), turns the rows into `core.success_stats.PurchaseFact`s and
returns the totals, the rows by day and by meter, and the failures by cause. `write_csv`
exports the same figures (one header, rows for "all", each day and each meter), so the CSV
and the screen can never disagree. The day of a purchase is the date of its creation
(timestamps are stored as UTC).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_app.core.success_stats import (
    CSV_HEADER,
    AttemptFact,
    PurchaseFact,
    SuccessStats,
    compute_stats,
    csv_row,
    stats_by_day,
    stats_by_meter,
)
from counter_app.services import auth
from counter_app.services.auth import SignedInUser
from counter_app.services.context import ServiceContext
from counter_app.store.models import DispatchAttempt, Meter, Purchase

ACTION_VIEW = auth.Action.VIEW_SUCCESS_BOARD


@dataclass(frozen=True)
class Board:
    """Everything the success board shows."""

    since: dt.date | None
    until: dt.date | None
    overall: SuccessStats
    by_day: tuple[tuple[dt.date, SuccessStats], ...]
    by_meter: tuple[tuple[str, SuccessStats], ...]


def purchase_facts(
    since: dt.date | None = None, until: dt.date | None = None
) -> list[PurchaseFact]:
    """Remote purchases that were dispatched, with their attempts (days inclusive)."""
    query_condition = Purchase.route == "remote"
    if since is not None:
        query_condition &= Purchase.created_at >= dt.datetime.combine(since, dt.time())
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
        query_condition &= Purchase.created_at < end
    query = (
        Purchase.select(Purchase, Meter.address)
        .join(Meter)
        .where(query_condition)
        .order_by(Purchase.id)
    )
    purchases = list(query)
    # the attempts of the same purchases in one statement: the range condition again, joined
    # (an IN list of ids per 500 purchases made the planner read the whole attempts table)
    attempt_rows: Any = (
        DispatchAttempt.select(
            DispatchAttempt.purchase,
            DispatchAttempt.round_no,
            DispatchAttempt.attempt_no,
            DispatchAttempt.outcome,
            DispatchAttempt.reason,
        )
        .join(Purchase, on=(DispatchAttempt.purchase == Purchase.id))
        .where(query_condition)
        .order_by(DispatchAttempt.id)
        .tuples()
    )
    attempts: dict[int, list[AttemptFact]] = {}
    for purchase_id, round_no, attempt_no, outcome, reason in attempt_rows:
        attempts.setdefault(int(purchase_id), []).append(
            AttemptFact(int(round_no), int(attempt_no), str(outcome), str(reason or ""))
        )
    return [
        PurchaseFact(
            purchase_id=int(p.id),
            meter=str(p.meter.address),
            day=p.created_at.date(),
            state=str(p.state),
            written_to_card=p.card_serial is not None,
            attempts=tuple(attempts.get(int(p.id), ())),
        )
        for p in purchases
        if int(p.id) in attempts
    ]


class SuccessBoardService:
    """Remote-purchase success rate by path, day, meter and failure cause."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def board(
        self,
        user: SignedInUser,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> Board:
        auth.require(user, ACTION_VIEW)
        return compute_board(since, until)


def compute_board(since: dt.date | None = None, until: dt.date | None = None) -> Board:
    """The board without a role check (counterctl and reports run with database access)."""
    facts = purchase_facts(since, until)
    return Board(
        since,
        until,
        compute_stats(facts),
        tuple(stats_by_day(facts)),
        tuple(stats_by_meter(facts)),
    )


def board_csv(board: Board) -> str:
    """The board as CSV text (UTF-8; header `core.success_stats.CSV_HEADER`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerow(csv_row("all", "", board.overall))
    for day, stats in board.by_day:
        writer.writerow(csv_row("day", day.isoformat(), stats))
    for meter, stats in board.by_meter:
        writer.writerow(csv_row("meter", meter, stats))
    return out.getvalue()


def write_csv(board: Board, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(board_csv(board), encoding="utf-8")
    return path
