"""counterctl: the counter's services from a shell (scriptable; docs/counterctl.md).

Every command takes ``--db URL`` (default: the configuration, see `counter_app.config`) and
``--json``. On an error nothing is changed, the exit code is not 0, and standard error gets one
line: ``counterctl: error: ...``. A supervisor's password is read from standard input (without
echo on a terminal), never from an argument.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import Any

import peewee

from counter_app.cli_common import CliError, emit, open_from_args, read_secret
from counter_app.config import ConfigError
from counter_app.core.money import format_yuan

EXIT_ERROR = 1
EXIT_CHECK_FAILED = 3


# -- commands ---------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from counter_app.store.database import redact_url
    from counter_app.store.migrations import current_version

    counter = open_from_args(args, dispatch=False)
    url = redact_url(counter.config.database_url)
    upgrade = counter.upgrade
    lines = [f"database {url} ready (schema version {current_version()})"]
    backup = str(upgrade.backup) if upgrade and upgrade.backup else None
    if upgrade and upgrade.found and upgrade.applied:
        lines.append(f"upgraded from schema version {upgrade.found}; copy kept in {backup}")
    emit(
        args,
        {"database": url, "schema_version": current_version(), "backup": backup},
        lines,
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from counter_app.demo import DEMO_USERS, load_demo

    counter = open_from_args(args, dispatch=False)
    result = load_demo(counter.services)
    lines = [
        f"demo data: {len(result.customers)} customers and {len(result.users)} users "
        f"created ({len(result.skipped)} already there)"
    ]
    lines += [f"  user {u:<8} password {p:<14} role {r}" for u, p, r, _ in DEMO_USERS]
    emit(
        args,
        {
            "customers": result.customers,
            "users": result.users,
            "skipped": result.skipped,
            "demo_users": [{"username": u, "password": p, "role": r} for u, p, r, _ in DEMO_USERS],
        },
        lines,
    )
    return 0


def cmd_customer_list(args: argparse.Namespace) -> int:
    from counter_app.services.customers import list_customers

    open_from_args(args, dispatch=False)
    rows = list_customers(args.search or "")
    lines = [f"{'customer':<14}{'name':<10}{'meters':>7}{'prepayment':>12}{'arrears':>12}"]
    lines += [
        f"{c.customer_no:<14}{c.name:<10}{c.meter_count:>7}"
        f"{format_yuan(c.prepayment_fen):>12}{format_yuan(c.arrears_fen):>12}"
        for c in rows
    ]
    emit(args, rows, lines)
    return 0


def cmd_customer_show(args: argparse.Namespace) -> int:
    from counter_app.services.customers import customer_detail

    open_from_args(args, dispatch=False)
    d = customer_detail(args.customer)
    s = d.summary
    lines = [
        f"customer {s.customer_no} {s.name} ({s.address}) phone {s.phone or '-'}",
        f"prepayment {format_yuan(s.prepayment_fen)}  arrears {format_yuan(s.arrears_fen)}",
    ]
    for m in d.meters:
        lines.append(
            f"  meter {m.address} no {m.meter_no} mode {m.purchase_mode} "
            f"{'collection-capable' if m.collection_capable else 'not collection-capable'} "
            f"count {m.committed_count} balance "
            f"{format_yuan(m.last_balance_fen) if m.last_balance_fen is not None else '?'}"
            + (" NEEDS RECONCILIATION" if m.needs_reconciliation else "")
        )
    for b in d.open_bills:
        lines.append(
            f"  bill {b.id} {b.kind} {b.issued_on} outstanding "
            f"{format_yuan(b.outstanding_fen)} of {format_yuan(b.amount_fen)}"
        )
    for p in d.payments:
        lines.append(
            f"  payment {p.id} {p.receipt_no} {format_yuan(p.amount_fen)} {p.channel} "
            f"by {p.operator}" + (" REVERSED" if p.reversed else "")
        )
    for pu in d.purchases:
        lines.append(
            f"  purchase {pu.id} meter {pu.meter_address} n={pu.count} "
            f"{format_yuan(pu.amount_fen)} {pu.state}"
        )
    emit(args, d, lines)
    return 0


def cmd_pay(args: argparse.Namespace) -> int:
    from counter_app.services import auth
    from counter_app.services.payments import parse_amount

    amount = parse_amount(args.amount)  # before opening anything: a bad amount changes nothing
    counter = open_from_args(args, dispatch=not args.no_dispatch)
    operator = auth.get_user(args.operator)
    auth.require(operator, "take-payment")

    def progress(step: str, attempt: int) -> None:
        if not args.json:
            print(f"  dispatch attempt {attempt}: {step}", file=sys.stderr)

    outcome = counter.services.payments.take_payment(
        args.customer,
        amount,
        channel=args.channel,
        operator=operator.username,
        dispatch=not args.no_dispatch,
        progress=progress,
    )
    counter.close()
    emit(args, outcome, outcome.explain())
    return 0


def cmd_reverse(args: argparse.Namespace) -> int:
    from counter_app.services import auth
    from counter_app.services.lookup import find_payment

    counter = open_from_args(args)
    auth.get_user(args.operator)
    find_payment(args.payment)  # unknown payment: say so before asking for a password
    password = read_secret(f"password of supervisor {args.supervisor}: ")
    outcome = counter.services.reversals.reverse_payment(
        args.payment,
        operator=args.operator,
        supervisor=args.supervisor,
        supervisor_password=password,
        reason=args.reason,
    )
    counter.close()
    emit(args, outcome, outcome.explain())
    return 0


def cmd_bill(args: argparse.Namespace) -> int:
    from counter_app.services.payments import parse_amount

    amount = parse_amount(args.amount)
    counter = open_from_args(args, dispatch=False)
    issued = dt.date.fromisoformat(args.issued_on) if args.issued_on else None
    bill_id = counter.services.payments.issue_bill(
        args.customer, amount, issued_on=issued, period=args.period or "", operator=args.operator
    )
    emit(
        args,
        {"bill_id": bill_id, "amount_fen": amount},
        [f"bill {bill_id}: {format_yuan(amount)} for {args.customer}"],
    )
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from counter_app.services import auth

    open_from_args(args, dispatch=False)
    password = read_secret(f"password for {args.username}: ")
    user = auth.create_user(
        args.username, password, args.role, full_name=args.name or "", actor="counterctl"
    )
    emit(args, user, [f"user {user.username} ({user.role}) created"])
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from counter_app.services.checks import check_database

    open_from_args(args, dispatch=False)
    breaks = check_database()
    lines = [str(b) for b in breaks] or ["I1 and I2 hold for every customer and meter"]
    emit(args, {"ok": not breaks, "breaks": breaks}, lines)
    return EXIT_CHECK_FAILED if breaks else 0


def cmd_resume(args: argparse.Namespace) -> int:
    """R8 after a restart: probe unresolved dispatches, then dispatch queued purchases."""
    counter = open_from_args(args)
    d = counter.services.dispatch
    done = []
    for pid in d.unresolved_purchases():
        done.append(d.resolve_unresolved(pid, args.operator))
    for pid in d.queued_purchases():
        done.append(d.dispatch_purchase(pid, args.operator))
    counter.close()
    emit(
        args,
        done,
        [f"purchase {s.purchase_id} n={s.count}: {s.outcome} -> {s.state}" for s in done]
        or ["nothing to resume"],
    )
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    """R11: how many messages wait; with --drain, send them through the SMS gateway."""
    from counter_app.services import notifications

    counter = open_from_args(args, dispatch=False)
    result = None
    if args.drain:
        gateway = counter.services.ctx.sms_gateway
        if gateway is None:
            raise CliError("no SMS gateway configured ([sms] gateway_url or COUNTER_SMS_GATEWAY)")
        result = notifications.drain_outbox(gateway, limit=args.limit)
    pending = notifications.pending_count()
    lines = [f"{pending} message(s) queued"]
    if result is not None:
        lines.insert(0, f"sent {result.sent}, will retry {result.retried}, failed {result.failed}")
    emit(args, {"queued": pending, "drain": result}, lines)
    return 0


# -- parser -----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2 (usage)
        self.exit(2, f"counterctl: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    def options(parser: argparse.ArgumentParser, default: Any) -> argparse.ArgumentParser:
        # The same options before or after the command; after it they must not reset what
        # was given before it (argparse.SUPPRESS keeps the top-level value).
        def d(value: Any) -> Any:
            return argparse.SUPPRESS if default is argparse.SUPPRESS else value

        parser.add_argument(
            "--db",
            metavar="URL",
            default=d(None),
            help="database URL "
            "(sqlite:///file or postgresql://...); default from the configuration",
        )
        parser.add_argument(
            "--config", metavar="FILE", default=d(None), help="configuration file (TOML)"
        )
        parser.add_argument("--json", action="store_true", default=d(False), help="print JSON")
        return parser

    common = options(argparse.ArgumentParser(add_help=False), argparse.SUPPRESS)
    p = options(_Parser(prog="counterctl", description="Counter services from the shell."), None)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sub.add_parser("init", parents=[common], help="create or migrate the database").set_defaults(
        func=cmd_init
    )
    sub.add_parser("demo", parents=[common], help="load demo customers and users").set_defaults(
        func=cmd_demo
    )

    cust = sub.add_parser("customer", parents=[common], help="customers")
    csub = cust.add_subparsers(dest="customer_command", required=True, parser_class=_Parser)
    cl = csub.add_parser("list", parents=[common], help="list customers")
    cl.add_argument("--search", help="fragment of customer number, name or meter")
    cl.set_defaults(func=cmd_customer_list)
    cs = csub.add_parser("show", parents=[common], help="one customer in detail")
    cs.add_argument("customer", help="customer number (户号)")
    cs.set_defaults(func=cmd_customer_show)

    pay = sub.add_parser("pay", parents=[common], help="take a payment (R1-R11)")
    pay.add_argument("customer", help="customer number (户号)")
    pay.add_argument("amount", help="amount in yuan, e.g. 100 or 88.50")
    pay.add_argument(
        "--channel", default="counter", choices=["counter", "terminal", "bank", "transfer", "other"]
    )
    pay.add_argument("--operator", required=True, help="username of the teller")
    pay.add_argument("--counter", help="counter id (default from the configuration)")
    pay.add_argument(
        "--no-dispatch", action="store_true", help="leave a remote purchase queued (created)"
    )
    pay.set_defaults(func=cmd_pay)

    rev = sub.add_parser(
        "reverse",
        parents=[common],
        help="reverse a payment (R15/R16); supervisor password on stdin",
    )
    rev.add_argument("payment", help="payment id or receipt number")
    rev.add_argument("--operator", required=True, help="username of the teller")
    rev.add_argument(
        "--supervisor",
        required=True,
        help="username of the authorizing supervisor (their password is read from standard input)",
    )
    rev.add_argument("--reason", required=True, help="why the payment is reversed")
    rev.add_argument("--counter", help="counter id (default from the configuration)")
    rev.set_defaults(func=cmd_reverse)

    bill = sub.add_parser("bill", parents=[common], help="issue a consumption bill")
    bill.add_argument("customer")
    bill.add_argument("amount", help="amount in yuan")
    bill.add_argument("--issued-on", help="YYYY-MM-DD (default today)")
    bill.add_argument("--period", help="billing period, e.g. 2026-10")
    bill.add_argument("--operator", default="counterctl")
    bill.set_defaults(func=cmd_bill)

    user = sub.add_parser("user", parents=[common], help="users")
    usub = user.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    ua = usub.add_parser("add", parents=[common], help="add a user (password on stdin)")
    ua.add_argument("username")
    ua.add_argument("role", choices=["teller", "supervisor", "technician", "admin"])
    ua.add_argument("--name", help="full name")
    ua.set_defaults(func=cmd_user_add)

    res = sub.add_parser(
        "resume",
        parents=[common],
        help="R8: resolve unresolved dispatches, dispatch queued purchases",
    )
    res.add_argument("--operator", required=True)
    res.set_defaults(func=cmd_resume)

    ob = sub.add_parser("outbox", parents=[common], help="SMS outbox (R11): count or --drain")
    ob.add_argument("--drain", action="store_true", help="send queued messages now")
    ob.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    ob.set_defaults(func=cmd_outbox)

    sub.add_parser(
        "check", parents=[common], help="verify I1 and I2 over the whole database"
    ).set_defaults(func=cmd_check)

    from counter_app.cli_office import add_office_commands  # shift, board

    add_office_commands(sub, common)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from counter_app.services.errors import ServiceError
    from counter_app.store.database import DatabaseUrlError
    from counter_app.store.migrations import SchemaTooNewError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (CliError, ServiceError, ConfigError, DatabaseUrlError, SchemaTooNewError) as exc:
        message = str(exc)
        code = getattr(exc, "code", "error")
    except peewee.OperationalError as exc:
        message = f"database: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}"
        code = "database"
    except (LookupError, OSError) as exc:
        message = str(exc) or type(exc).__name__
        code = "error"
    except KeyboardInterrupt:
        message, code = "interrupted", "interrupted"
    if getattr(args, "json", False):
        print(json.dumps({"error": code, "message": message}, ensure_ascii=False))
    print(f"counterctl: error: {message}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
