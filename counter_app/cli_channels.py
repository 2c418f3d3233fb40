"""counterctl's channel commands: ``bank`` (import, reverse, reconcile, sign-off), ``offset``
(arrears, transfer) and ``terminal`` (add, serve).

The same services as the back office (`services.bank`, `services.reconciliation`,
`services.offsets`, `services.terminals`). A supervisor's password is read from standard
input, never from an argument. ``bank import`` exits with `EXIT_LINES_REJECTED` when lines were
rejected (the rest of the file is booked, and each rejected line is printed with its number
and reason), so a script notices.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from counter_app.cli_common import CliError, CommandParser, emit, open_from_args, read_secret
from counter_app.cli_session import signed_in_operator
from counter_app.core.money import format_yuan

EXIT_LINES_REJECTED = 4


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--date {text!r}: use YYYY-MM-DD") from None


def cmd_bank_import(args: argparse.Namespace) -> int:

    counter = open_from_args(args, dispatch=False)
    operator = signed_in_operator(counter, args, "bank-collection").username
    report = counter.services.bank.import_file(Path(args.file), operator=operator)
    lines = report.explain()
    if args.report:
        path = Path(args.report)
        rows = ["line,status,code,serial,detail"]
        for status, problems in (("rejected", report.rejected), ("duplicate", report.duplicates)):
            for p in problems:
                detail = p.detail.replace('"', "'")
                rows.append(f'{p.line_no},{status},{p.code.value},{p.serial},"{detail}"')
        path.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
        lines.append(f"report: {path}")
    emit(args, report, lines)
    return EXIT_LINES_REJECTED if report.rejected_count else 0


def cmd_bank_reverse(args: argparse.Namespace) -> int:

    counter = open_from_args(args)
    operator = signed_in_operator(counter, args, "bank-collection").username
    done = counter.services.bank.reverse(
        args.bank, args.serial, args.reversal_serial, reason=args.reason, operator=operator
    )
    counter.close()
    emit(args, done, done.explain())
    return 0


def cmd_bank_reconcile(args: argparse.Namespace) -> int:
    from counter_app.services.reconciliation import (
        write_report_csv,
        write_report_pdf,
    )

    day = _date(args.date)
    counter = open_from_args(args, dispatch=False)
    operator = signed_in_operator(counter, args, "reconcile").username
    report = counter.services.reconciliation.prepare_file(Path(args.file), day, operator=operator)
    lines = report.explain()
    if args.pdf:
        lines.append(f"PDF: {write_report_pdf(report, Path(args.pdf))}")
    if args.csv:
        lines.append(f"CSV: {write_report_csv(report, Path(args.csv))}")
    lines.append(
        f"sign it off: counterctl bank sign-off {report.id} --operator ... --supervisor ..."
    )
    emit(args, report, lines)
    return 0


def cmd_bank_sign_off(args: argparse.Namespace) -> int:
    from counter_app.services.reconciliation import (
        write_report_csv,
        write_report_pdf,
    )

    counter = open_from_args(args)
    operator = signed_in_operator(counter, args, "reconcile", "take-payment").username
    service = counter.services.reconciliation
    service.get(args.reconciliation)  # unknown report: say so before asking for a password
    password = read_secret(f"password of supervisor {args.supervisor}: ")
    report = service.sign_off(
        args.reconciliation,
        operator=operator,
        supervisor=args.supervisor,
        supervisor_password=password,
    )
    counter.close()
    lines = report.explain()
    if args.pdf:
        lines.append(f"PDF: {write_report_pdf(report, Path(args.pdf))}")
    if args.csv:
        lines.append(f"CSV: {write_report_csv(report, Path(args.csv))}")
    emit(args, report, lines)
    return 0


def cmd_offset_arrears(args: argparse.Namespace) -> int:

    counter = open_from_args(args)
    operator = signed_in_operator(counter, args, "take-payment", "authorize-offset").username
    service = counter.services.offsets
    preview = service.preview(args.customer)
    if preview.amount_fen <= 0:
        raise CliError(
            f"customer {preview.customer_no}: arrears {format_yuan(preview.arrears_fen)}, "
            f"prepayment {format_yuan(preview.prepayment_fen)}: nothing to offset"
        )
    password = read_secret(f"password of supervisor {args.supervisor}: ")
    outcome = service.offset_arrears(
        args.customer,
        operator=operator,
        supervisor=args.supervisor,
        supervisor_password=password,
        reason=args.reason,
    )
    counter.close()
    emit(args, outcome, outcome.explain())
    return 0


def cmd_offset_transfer(args: argparse.Namespace) -> int:
    from counter_app.services.payments import parse_amount

    amount = parse_amount(args.amount)
    counter = open_from_args(args)
    operator = signed_in_operator(counter, args, "take-payment", "authorize-offset").username
    service = counter.services.offsets
    password = read_secret(f"password of supervisor {args.supervisor}: ")
    outcome = service.transfer(
        args.from_customer,
        args.to_customer,
        amount,
        operator=operator,
        supervisor=args.supervisor,
        supervisor_password=password,
        reason=args.reason,
    )
    counter.close()
    emit(args, outcome, outcome.explain())
    return 0


def cmd_terminal_add(args: argparse.Namespace) -> int:
    counter = open_from_args(args, dispatch=False)
    operator = signed_in_operator(counter, args, "manage-terminals").username
    token = counter.services.terminals.register(args.terminal, name=args.name or "", actor=operator)
    emit(
        args,
        {"terminal_id": args.terminal, "token": token},
        [f"terminal {args.terminal} registered; its token (shown once): {token}"],
    )
    return 0


def cmd_terminal_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from counter_app.server.terminals import create_terminal_app

    counter = open_from_args(args)
    app = create_terminal_app(counter.services.terminals)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    counter.close()
    return 0


def add_channel_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``bank``, ``offset`` and ``terminal`` with their subcommands."""

    bank = sub.add_parser("bank", parents=[common], help="bank collection and reconciliation")
    bsub = bank.add_subparsers(dest="bank_command", required=True, parser_class=CommandParser)
    bi = bsub.add_parser("import", parents=[common], help="import a bank's collection file")
    bi.add_argument("file", help="the bank file (docs/channels.md describes it)")
    bi.add_argument(
        "--operator", required=True, help="username (a supervisor; password on standard input)"
    )
    bi.add_argument("--report", metavar="CSV", help="also write the lines not booked as CSV")
    bi.add_argument("--counter", help="counter id (default from the configuration)")
    bi.set_defaults(func=cmd_bank_import)

    br = bsub.add_parser("reverse", parents=[common], help="a bank's reversal (代收冲正)")
    br.add_argument("--bank", required=True, help="bank id")
    br.add_argument("--serial", required=True, help="the bank serial of the payment")
    br.add_argument("--reversal-serial", required=True, help="the bank's serial of the reversal")
    br.add_argument("--reason", required=True)
    br.add_argument(
        "--operator", required=True, help="username (a supervisor; password on standard input)"
    )
    br.set_defaults(func=cmd_bank_reverse)

    bc = bsub.add_parser(
        "reconcile", parents=[common], help="compare a bank's statement with our books (R17)"
    )
    bc.add_argument("file", help="the bank's statement of the day (same format as imports)")
    bc.add_argument("--date", required=True, help="accounting date YYYY-MM-DD (a past day)")
    bc.add_argument(
        "--operator", required=True, help="username (a supervisor; password on standard input)"
    )
    bc.add_argument("--pdf", metavar="FILE", help="write the report as PDF")
    bc.add_argument("--csv", metavar="FILE", help="write the report as CSV")
    bc.set_defaults(func=cmd_bank_reconcile)

    bs = bsub.add_parser(
        "sign-off",
        parents=[common],
        help="sign off a reconciliation and apply it; supervisor password on stdin",
    )
    bs.add_argument("reconciliation", type=int, help="reconciliation number")
    bs.add_argument("--operator", required=True, help="who runs the sign-off")
    bs.add_argument("--supervisor", required=True, help="the supervisor signing off")
    bs.add_argument("--pdf", metavar="FILE", help="write the signed report as PDF")
    bs.add_argument("--csv", metavar="FILE", help="write the signed report as CSV")
    bs.set_defaults(func=cmd_bank_sign_off)

    offset = sub.add_parser("offset", parents=[common], help="R4 offsets and transfers")
    osub = offset.add_subparsers(dest="offset_command", required=True, parser_class=CommandParser)
    oa = osub.add_parser(
        "arrears",
        parents=[common],
        help="prepayment offsets arrears; supervisor password on stdin",
    )
    oa.add_argument("customer", help="customer number (户号)")
    oa.add_argument("--operator", required=True)
    oa.add_argument("--supervisor", required=True)
    oa.add_argument("--reason", required=True)
    oa.set_defaults(func=cmd_offset_arrears)
    ot = osub.add_parser(
        "transfer",
        parents=[common],
        help="move prepayment to another customer; supervisor password on stdin",
    )
    ot.add_argument("from_customer", metavar="FROM", help="customer giving prepayment")
    ot.add_argument("to_customer", metavar="TO", help="customer receiving it")
    ot.add_argument("amount", help="amount in yuan")
    ot.add_argument("--operator", required=True)
    ot.add_argument("--supervisor", required=True)
    ot.add_argument("--reason", required=True)
    ot.set_defaults(func=cmd_offset_transfer)

    term = sub.add_parser("terminal", parents=[common], help="self-service terminals")
    tsub = term.add_subparsers(dest="terminal_command", required=True, parser_class=CommandParser)
    ta = tsub.add_parser("add", parents=[common], help="register a terminal; prints its token")
    ta.add_argument("terminal", help="terminal id (1-16 letters or digits)")
    ta.add_argument("--name", help="where it stands")
    ta.add_argument("--operator", required=True, help="username (an admin)")
    ta.set_defaults(func=cmd_terminal_add)
    ts = tsub.add_parser("serve", parents=[common], help="serve the terminal API (HTTP)")
    ts.add_argument("--host", default="127.0.0.1")
    ts.add_argument("--port", type=int, default=8700)
    ts.set_defaults(func=cmd_terminal_serve)
