"""counterctl verbs for business changes (R18–R20) and the customer archive.

``archive import FILE`` loads the marketing export with a progress bar on standard error;
``change ...`` files a change as a technician (signed in like every counterctl operator:
``counterctl login`` or ``--operator`` with the password on standard input); ``review ...`` is the
supervisor's review of held prepayments, with the supervisor's password read from standard
input like ``reverse``. Errors: one line on standard error, exit code 1, nothing booked.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from counter_app.cli_common import CliError, emit, open_from_args, read_secret
from counter_app.cli_session import signed_in_operator
from counter_app.core.money import format_yuan


def _yuan(text: str | None) -> int | None:
    from counter_app.services.payments import parse_amount

    if text is None:
        return None
    return 0 if text.strip() in ("0", "0.0", "0.00") else parse_amount(text)


class ProgressBar:
    """A one-line progress bar on standard error (redrawn in place on a terminal)."""

    def __init__(self, stream: Any = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.drawn = False

    def __call__(self, p: Any) -> None:
        filled = int(self.width * p.fraction)
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {p.fraction:6.1%} "
            f"{p.rows:,} rows, {p.rejected:,} rejected, {p.rows_per_second:,.0f} rows/s"
        )
        end = "" if self.stream.isatty() else "\n"
        print(f"\r{line}", end=end, file=self.stream, flush=True)
        self.drawn = True

    def done(self) -> None:
        if self.drawn and self.stream.isatty():
            print(file=self.stream)


def cmd_archive_import(args: argparse.Namespace) -> int:
    from counter_app.services.archive import import_archive

    counter = open_from_args(args, dispatch=False)
    actor = signed_in_operator(counter, args, "import-archive").username
    bar = ProgressBar()
    try:
        result = import_archive(
            args.file,
            actor=actor,
            counter_id=counter.services.ctx.counter_id,
            report_path=args.report,
            batch_size=args.batch,
            progress=None if args.quiet else bar,
        )
    finally:
        bar.done()
    data = {
        **{k: v for k, v in vars(result).items() if k != "rejections"},
        "rejected": result.rejected,
        "rows_per_second": round(result.rows_per_second),
        "rejections": [
            {"row": r.row, "reason": r.code.value, "detail": r.detail} for r in result.rejections
        ],
    }
    emit(args, data, result.explain())
    return 0


def cmd_change_install(args: argparse.Namespace) -> int:
    counter = open_from_args(args)
    user = signed_in_operator(counter, args, "file-business-change")
    out = counter.services.business.install_meter(
        user,
        customer_no=args.customer,
        meter_address=args.meter,
        name=args.name or "",
        address=args.address or "",
        phone=args.phone or "",
        meter_no=args.meter_no or "",
        meter_customer_no=args.meter_customer_no or "",
        is_card_meter=not args.plain,
        collection_capable=not args.not_capable,
        count=args.count,
        open_account=not args.no_open,
    )
    counter.close()
    emit(args, out, out.explain())
    return 0


def cmd_change_replace(args: argparse.Namespace) -> int:
    if args.dead and (args.balance is None or args.count is None):
        raise CliError("a dead meter needs --balance and --count from the technician's form")
    balance = _yuan(args.balance)
    overdraft = _yuan(args.overdraft) or 0
    counter = open_from_args(args)
    user = signed_in_operator(counter, args, "file-business-change")
    out = counter.services.business.replace_meter(
        user,
        args.old_meter,
        new_meter_address=args.new_meter,
        new_meter_no=args.new_meter_no or "",
        new_collection_capable=not args.not_capable,
        new_count=args.new_count,
        dead=args.dead,
        final_balance_fen=balance,
        final_count=args.count,
        final_overdraft_fen=overdraft,
        reason=args.reason or "",
        open_account=not args.no_open,
    )
    counter.close()
    emit(args, out, out.explain())
    return 0


def cmd_change_close(args: argparse.Namespace) -> int:
    counter = open_from_args(args, dispatch=False)
    user = signed_in_operator(counter, args, "file-business-change")
    change_id, held = counter.services.business.close_account(
        user, args.customer, reason=args.reason
    )
    lines = [f"change {change_id}: account {args.customer} closed"]
    if held is not None:
        lines.append(f"prepayment held for a supervisor's cash refund: review {held}")
    emit(args, {"change_id": change_id, "held_prepayment_id": held}, lines)
    return 0


def cmd_change_move(args: argparse.Namespace) -> int:
    counter = open_from_args(args, dispatch=False)
    user = signed_in_operator(counter, args, "file-business-change")
    change_id = counter.services.business.move_meter(
        user, args.meter, args.to_customer, reason=args.reason
    )
    emit(
        args,
        {"change_id": change_id},
        [f"change {change_id}: meter {args.meter} moved to {args.to_customer}"],
    )
    return 0


def cmd_change_mode(args: argparse.Namespace) -> int:
    counter = open_from_args(args, dispatch=False)
    user = signed_in_operator(counter, args, "file-business-change")
    capable = {None: None, "yes": True, "no": False}[args.collection_capable]
    change_id = counter.services.business.change_mode(
        user, args.meter, args.mode, reason=args.reason, collection_capable=capable
    )
    emit(
        args,
        {"change_id": change_id},
        [f"change {change_id}: meter {args.meter} now in {args.mode} mode"],
    )
    return 0


def cmd_change_list(args: argparse.Namespace) -> int:
    counter = open_from_args(args, dispatch=False)
    rows = counter.services.business.changes(limit=args.limit)
    lines = [
        f"{c.id:>5} {c.created_at:%Y-%m-%d %H:%M} {c.kind:<18} {c.customer_no:<13} "
        f"{c.meter_address or '-':<13} {c.new_meter_address or '-':<13} {c.filed_by}"
        + (f"  ({c.reason})" if c.reason else "")
        for c in rows
    ] or ["no business changes"]
    emit(args, rows, lines)
    return 0


def cmd_review_list(args: argparse.Namespace) -> int:
    counter = open_from_args(args, dispatch=False)
    rows = counter.services.business.reviews()
    lines = [
        f"{r.id:>5} {r.state:<8} {format_yuan(r.amount_fen):>10} {r.customer_no:<13} "
        f"{r.source:<14} meter {r.meter_address or '-'} filed by {r.filed_by}"
        + (f"  refused: {r.review_reason}" if r.state == "refused" else "")
        for r in rows
    ] or ["nothing waits for review"]
    emit(args, rows, lines)
    return 0


def _supervisor(args: argparse.Namespace) -> Any:
    from counter_app.services import auth

    password = read_secret(f"password of supervisor {args.supervisor}: ")
    return auth.authenticate(args.supervisor, password)


def cmd_review(args: argparse.Namespace) -> int:
    counter = open_from_args(args, dispatch=args.decision == "approve")
    reviewer = _supervisor(args)
    business = counter.services.business
    if args.decision == "approve":
        out = business.approve(reviewer, args.review, reason=args.reason or "")
    elif args.decision == "refuse":
        out = business.refuse(reviewer, args.review, reason=args.reason or "")
    else:
        out = business.refund_cash(reviewer, args.review, reason=args.reason or "")
        if args.pdf and out.refund_receipt_no:
            from pathlib import Path

            from counter_app.services.receipts import write_receipt

            write_receipt(business.refund_receipt(out.refund_receipt_no), Path(args.pdf))
    counter.close()
    emit(args, out, out.explain())
    return 0


def add_business_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """``archive``, ``change`` and ``review`` (called by `counter_app.cli.build_parser`)."""
    archive = sub.add_parser("archive", parents=[common], help="customer archive (档案)")
    asub = archive.add_subparsers(dest="archive_command", required=True)
    ai = asub.add_parser(
        "import", parents=[common], help="import the marketing export (CSV, UTF-8 or GB18030)"
    )
    ai.add_argument("file", help="the export (docs/archive-import.md lists the columns)")
    ai.add_argument("--report", help="rejection report (default FILE.rejected.csv)")
    ai.add_argument("--batch", type=int, default=5000, help="rows per transaction")
    ai.add_argument("--operator", help="who imports (password on standard input)")
    ai.add_argument("--quiet", action="store_true", help="no progress bar")
    ai.set_defaults(func=cmd_archive_import)

    change = sub.add_parser("change", parents=[common], help="business changes (R18, R19)")
    chsub = change.add_subparsers(dest="change_command", required=True)

    inst = chsub.add_parser("install", parents=[common], help="R18 new installation")
    inst.add_argument("customer", help="customer number (12 digits); new ones need --name")
    inst.add_argument("meter", help="meter address (12 digits)")
    inst.add_argument("--name")
    inst.add_argument("--address")
    inst.add_argument("--phone")
    inst.add_argument("--meter-no")
    inst.add_argument("--meter-customer-no", help="customer number held in the meter")
    inst.add_argument("--plain", action="store_true", help="not a card meter")
    inst.add_argument("--not-capable", action="store_true", help="not collection-capable")
    inst.add_argument("--count", type=int, default=0, help="the meter's purchase count now")
    inst.add_argument("--no-open", action="store_true", help="do not open the account remotely")
    inst.add_argument("--operator", required=True)
    inst.set_defaults(func=cmd_change_install)

    rep = chsub.add_parser("replace", parents=[common], help="R19 meter replacement")
    rep.add_argument("old_meter")
    rep.add_argument("new_meter", help="address of the new meter (12 digits)")
    rep.add_argument("--new-meter-no")
    rep.add_argument("--new-count", type=int, help="the new meter's count (default: read it)")
    rep.add_argument("--not-capable", action="store_true", help="new meter not collection-capable")
    rep.add_argument("--dead", action="store_true", help="old meter cannot be read: use the form")
    rep.add_argument("--balance", help="final balance from the form, yuan (with --dead)")
    rep.add_argument("--count", type=int, help="final purchase count from the form (with --dead)")
    rep.add_argument("--overdraft", help="final overdraft from the form, yuan")
    rep.add_argument("--reason")
    rep.add_argument("--no-open", action="store_true", help="do not open the account remotely")
    rep.add_argument("--operator", required=True)
    rep.set_defaults(func=cmd_change_replace)

    close = chsub.add_parser("close", parents=[common], help="close an account (refund reviewed)")
    close.add_argument("customer")
    close.add_argument("--reason", required=True)
    close.add_argument("--operator", required=True)
    close.set_defaults(func=cmd_change_close)

    move = chsub.add_parser("move", parents=[common], help="move a meter to another customer")
    move.add_argument("meter")
    move.add_argument("to_customer")
    move.add_argument("--reason", required=True)
    move.add_argument("--operator", required=True)
    move.set_defaults(func=cmd_change_move)

    mode = chsub.add_parser("mode", parents=[common], help="purchase mode remote or card")
    mode.add_argument("meter")
    mode.add_argument("mode", choices=["remote", "card"])
    mode.add_argument("--reason", required=True)
    mode.add_argument(
        "--collection-capable", choices=["yes", "no"], help="record the meter's collection state"
    )
    mode.add_argument("--operator", required=True)
    mode.set_defaults(func=cmd_change_mode)

    cl = chsub.add_parser("list", parents=[common], help="latest business changes")
    cl.add_argument("--limit", type=int, default=50)
    cl.set_defaults(func=cmd_change_list)

    review = sub.add_parser(
        "review", parents=[common], help="R20 review of held prepayments (supervisors)"
    )
    rsub = review.add_subparsers(dest="review_command", required=True)
    rsub.add_parser("list", parents=[common], help="what waits for review").set_defaults(
        func=cmd_review_list
    )
    for decision, text in (
        ("approve", "approve: the money joins the prepayment and is dispatched (R1-R3)"),
        ("refuse", "refuse: the money stays held, with the reason"),
        ("refund", "refund the held money in cash (a receipt)"),
    ):
        r = rsub.add_parser(decision, parents=[common], help=text)
        r.add_argument("review", type=int, help="number of the held prepayment")
        r.add_argument("--supervisor", required=True, help="password read from standard input")
        r.add_argument("--reason", required=decision != "approve")
        if decision == "refund":
            r.add_argument("--pdf", metavar="FILE", help="also write the refund receipt (PDF)")
        r.set_defaults(func=cmd_review, decision=decision, pdf=None)
