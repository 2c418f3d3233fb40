"""counterctl's back-office commands: ``shift`` (open shifts, a shift's report and PDF),
``day`` (the hall's end of day and its deposit slip) and ``board`` (the remote-purchase
success board, optionally as CSV).

Read-only: opening, counting and closing a shift need the person at the drawer and are done
in the back office. The figures are the same ones the back office shows (one ledger,
`core.shift_ledger`; one board, `core.success_stats`).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from counter_app.cli_common import emit, open_from_args
from counter_app.core.money import format_yuan


def cmd_shift_list(args: argparse.Namespace) -> int:

    counter = open_from_args(args, dispatch=False)
    reports = counter.services.shifts.live_reports()
    lines = [
        f"shift {r.shift.id} {r.shift.state}: {r.shift.operator} at {r.shift.counter_id} since "
        f"{r.shift.opened_at:%Y-%m-%d %H:%M} UTC; float {format_yuan(r.ledger.float_fen)}, "
        f"payments {format_yuan(r.ledger.payments_fen)} ({r.ledger.payment_count}), refunds "
        f"{format_yuan(r.ledger.refunds_fen)}, expected cash "
        f"{format_yuan(r.ledger.expected_cash_fen)}"
        for r in reports
    ] or ["no open shift"]
    data = [
        {"shift": r.shift, "ledger": r.ledger, "expected_cash_fen": r.ledger.expected_cash_fen}
        for r in reports
    ]
    emit(args, data, lines)
    return 0


def cmd_shift_report(args: argparse.Namespace) -> int:
    from counter_app.services.shift_summary import summary_lines, write_shift_summary

    counter = open_from_args(args, dispatch=False)
    report = counter.services.shifts.report(args.shift)
    lines = [f"{label}: {value}" for label, value in summary_lines(report)]
    if args.pdf:
        path = write_shift_summary(report, Path(args.pdf))
        lines.append(f"PDF: {path}")
    data = {
        "shift": report.shift,
        "ledger": report.ledger,
        "expected_cash_fen": report.ledger.expected_cash_fen,
        "lines": report.lines,
    }
    emit(args, data, lines)
    return 0


def cmd_board(args: argparse.Namespace) -> int:
    from counter_app.core.success_stats import FAILURE_CAUSES
    from counter_app.services.success_board import compute_board, write_csv

    since = dt.date.fromisoformat(args.since) if args.since else None
    until = dt.date.fromisoformat(args.until) if args.until else None
    open_from_args(args, dispatch=False)
    board = compute_board(since, until)
    o = board.overall
    lines = [
        f"{o.total} remote purchases dispatched: first attempt {o.first_attempt_rate:.1f}%, "
        f"within 3 attempts {o.within_three_rate:.1f}%, after work orders "
        f"{o.after_work_orders_rate:.1f}%, eventually (incl. card) {o.eventually_rate:.1f}%",
        "failed dispatches by cause: "
        + (", ".join(f"{c} {o.failures[c]}" for c in FAILURE_CAUSES if o.failures.get(c)) or "-"),
    ]
    if args.csv:
        lines.append(f"CSV: {write_csv(board, Path(args.csv))}")
    data = {
        "overall": o,
        "rates": {
            "first_attempt": o.first_attempt_rate,
            "within_three": o.within_three_rate,
            "after_work_orders": o.after_work_orders_rate,
            "eventually": o.eventually_rate,
        },
        "by_day": [{"day": d, "stats": s} for d, s in board.by_day],
        "by_meter": [{"meter": m, "stats": s} for m, s in board.by_meter],
    }
    emit(args, data, lines)
    return 0


def cmd_day(args: argparse.Namespace) -> int:
    """The hall's end of day (日结): the day as it stands, or with ``--slip`` settled for good
    (refused while a shift is open) and the deposit slip written."""
    from counter_app.cli_common import CliError
    from counter_app.cli_session import signed_in_operator
    from counter_app.services.daily_settlement import settlement_lines
    from counter_app.services.shifts import ACTION_SUPERVISE

    try:
        day = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
    except ValueError:
        raise CliError(f"--date {args.date!r} is not a date (YYYY-MM-DD)") from None
    counter = open_from_args(args, dispatch=False)
    user = signed_in_operator(counter, args, ACTION_SUPERVISE)
    service = counter.services.daily_settlement
    desk = counter.config.desk
    if args.slip:
        settlement, path = service.issue_deposit_slip(
            user, day, Path(args.slip), hall=desk.hall, supplier=desk.supplier
        )
    else:
        settlement, path = service.settlement(user, day), None
    lines = [f"{label}: {value}" for label, value in settlement_lines(settlement)]
    if path is not None:
        lines.append(f"deposit slip: {path}")
    data = {
        "day": day.isoformat(),
        "settled": settlement.settled,
        "all_in_shifts": settlement.all_in_shifts,
        "shifts": [d.report.shift for d in settlement.shifts],
        "channels": settlement.channels,
        "reversals": settlement.reversals,
        "differences": settlement.differences,
        "payments_fen": settlement.payments_fen,
        "refunds_fen": settlement.refunds_fen,
        "counted_fen": settlement.counted_fen,
        "variance_fen": settlement.variance_fen,
        "to_bank_fen": settlement.to_bank_fen,
        "slip": str(path) if path is not None else None,
    }
    emit(args, data, lines)
    return 0


def add_office_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``shift list``, ``shift report ID [--pdf FILE]`` and ``board [--csv FILE]``."""
    shift = sub.add_parser("shift", parents=[common], help="teller shifts and cash (read-only)")
    ssub = shift.add_subparsers(dest="shift_command", required=True)
    sl = ssub.add_parser("list", parents=[common], help="every open shift with its figures")
    sl.set_defaults(func=cmd_shift_list)
    sr = ssub.add_parser("report", parents=[common], help="one shift's ledger (X or Z)")
    sr.add_argument("shift", type=int, help="shift number")
    sr.add_argument("--pdf", metavar="FILE", help="also write the shift summary PDF")
    sr.set_defaults(func=cmd_shift_report)

    day = sub.add_parser(
        "day", parents=[common], help="the hall's end of day (日结) across every counter"
    )
    day.add_argument("--date", metavar="YYYY-MM-DD", help="the day (default: today)")
    day.add_argument(
        "--slip", metavar="FILE", help="settle the day and write the deposit slip (缴款单) PDF"
    )
    day.add_argument("--operator", help="the supervisor (password on stdin)")
    day.set_defaults(func=cmd_day)

    board = sub.add_parser("board", parents=[common], help="remote-purchase success board")
    board.add_argument("--since", metavar="YYYY-MM-DD", help="first day (inclusive)")
    board.add_argument("--until", metavar="YYYY-MM-DD", help="last day (inclusive)")
    board.add_argument("--csv", metavar="FILE", help="also write the board as CSV")
    board.set_defaults(func=cmd_board)
