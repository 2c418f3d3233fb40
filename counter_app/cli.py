"""counterctl: the counter's services from a shell (scriptable; docs/counterctl.md).

Every command takes ``--db URL`` (default: the configuration, see `counter_app.config`) and
``--json``. On an error nothing is changed, the exit code is not 0, and standard error gets one
line: ``counterctl: error: ...``. Passwords are read from standard input (without echo on a
terminal), never from an argument.

Who is at the shell: every command that changes something needs a signed-in operator whose
role allows it — the same role matrix as the window (`services.auth.PERMISSIONS`). Either
``counterctl login NAME`` first (password on standard input; a token file readable by the
owner only, valid for ``[security] session_minutes``, default 15), or ``--operator NAME`` with
the operator's password as the first line on standard input. The first administrator of a new
database is created by ``counterctl admin bootstrap``, which works only while there is none.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import peewee

from counter_app.cli_common import CliError, CommandParser, emit, open_from_args, read_secret
from counter_app.cli_session import (
    OPERATOR_HELP,
    read_session_file,
    session_file,
    signed_in_operator,
    write_session_file,
)
from counter_app.config import ConfigError, load_config
from counter_app.core.money import format_yuan

if TYPE_CHECKING:
    pass

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

    config = load_config(args.config)
    if config.production and not args.db:
        raise CliError(
            f"the configuration {config.source} names a production database: demo users "
            "with published passwords are not loaded there"
        )
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
    operator = signed_in_operator(counter, args, auth.Action.TAKE_PAYMENT)

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
    find_payment(args.payment)  # unknown payment: say so before asking for a password
    operator = signed_in_operator(counter, args, auth.Action.TAKE_PAYMENT)
    password = read_secret(f"password of supervisor {args.supervisor}: ")
    outcome = counter.services.reversals.reverse_payment(
        args.payment,
        operator=operator.username,
        supervisor=args.supervisor,
        supervisor_password=password,
        reason=args.reason,
    )
    counter.close()
    emit(args, outcome, outcome.explain())
    return 0


def cmd_bill(args: argparse.Namespace) -> int:
    from counter_app.services import auth
    from counter_app.services.payments import parse_amount

    amount = parse_amount(args.amount)
    counter = open_from_args(args, dispatch=False)
    operator = signed_in_operator(counter, args, auth.Action.ISSUE_BILL)
    issued = dt.date.fromisoformat(args.issued_on) if args.issued_on else None
    bill_id = counter.services.payments.issue_bill(
        args.customer,
        amount,
        issued_on=issued,
        period=args.period or "",
        operator=operator.username,
    )
    emit(
        args,
        {"bill_id": bill_id, "amount_fen": amount},
        [f"bill {bill_id}: {format_yuan(amount)} for {args.customer}"],
    )
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from counter_app.services import auth, users

    counter = open_from_args(args, dispatch=False)
    admin = signed_in_operator(counter, args, auth.Action.MANAGE_USERS)
    password = read_secret(f"password for {args.username}: ")
    row = users.create_user(
        admin,
        args.username,
        password,
        args.role,
        full_name=args.name or "",
        counter_id=counter.services.ctx.counter_id,
    )
    emit(args, row, [f"user {row.username} ({row.role}) created by {admin.username}"])
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from counter_app.services import auth, users

    counter = open_from_args(args, dispatch=False)
    admin = signed_in_operator(counter, args, auth.Action.MANAGE_USERS)
    rows = users.list_users(admin)
    lines = [
        f"{u.username:<12}{u.role:<12}{'active' if u.active else 'inactive':<10}{u.full_name}"
        for u in rows
    ]
    emit(args, rows, lines)
    return 0


def cmd_user_role(args: argparse.Namespace) -> int:
    from counter_app.services import auth, users

    counter = open_from_args(args, dispatch=False)
    admin = signed_in_operator(counter, args, auth.Action.MANAGE_USERS)
    row = users.change_role(
        admin, args.username, args.role, counter_id=counter.services.ctx.counter_id
    )
    emit(args, row, [f"user {row.username} is now {row.role}"])
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from counter_app.services import auth, users

    counter = open_from_args(args, dispatch=False)
    admin = signed_in_operator(counter, args, auth.Action.MANAGE_USERS)
    password = read_secret(f"new password for {args.username}: ")
    row = users.reset_password(
        admin, args.username, password, counter_id=counter.services.ctx.counter_id
    )
    emit(args, row, [f"password of {row.username} reset"])
    return 0


def cmd_user_active(args: argparse.Namespace) -> int:
    from counter_app.services import auth, users

    counter = open_from_args(args, dispatch=False)
    admin = signed_in_operator(counter, args, auth.Action.MANAGE_USERS)
    active = args.user_command == "activate"
    row = users.set_active(admin, args.username, active, counter_id=counter.services.ctx.counter_id)
    emit(args, row, [f"user {row.username} {'activated' if active else 'deactivated'}"])
    return 0


def cmd_admin_bootstrap(args: argparse.Namespace) -> int:
    """The first administrator of a new database (refused once any administrator exists)."""
    from counter_app.services import auth

    counter = open_from_args(args, dispatch=False)
    if auth.admin_exists():  # say so before asking for a password (refused again below)
        auth.bootstrap_admin(args.username, "", counter_id=counter.services.ctx.counter_id)
    password = read_secret(f"password for {args.username}: ")
    user = auth.bootstrap_admin(
        args.username,
        password,
        full_name=args.name or "",
        counter_id=counter.services.ctx.counter_id,
    )
    emit(args, user, [f"administrator {user.username} created; add the other users with it"])
    return 0


def cmd_login(args: argparse.Namespace) -> int:
    from counter_app.services import sessions
    from counter_app.store.database import redact_url

    counter = open_from_args(args, dispatch=False)
    password = read_secret(f"password of {args.username}: ")
    opened = sessions.open_session(
        args.username,
        password,
        counter_id=counter.services.ctx.counter_id,
        minutes=counter.config.session_minutes,
    )
    path = write_session_file(
        {
            "token": opened.token,
            "username": opened.user.username,
            "database": redact_url(counter.config.database_url),
            "expires_at": opened.expires_at.isoformat(timespec="seconds"),
        }
    )
    emit(
        args,
        {
            "username": opened.user.username,
            "role": opened.user.role,
            "expires_at": opened.expires_at,
        },
        [
            f"{opened.user.username} ({opened.user.role}) signed in until "
            f"{opened.expires_at:%H:%M:%S} UTC (token in {path})"
        ],
    )
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    from counter_app.services import sessions

    counter = open_from_args(args, dispatch=False)
    saved = read_session_file(counter.config.database_url)
    closed = False
    if saved is not None:
        closed = sessions.close_session(
            saved.get("token", ""), counter_id=counter.services.ctx.counter_id
        )
    if os.path.exists(session_file()):
        os.unlink(session_file())
    emit(args, {"closed": closed}, ["signed out" if closed else "nobody was signed in"])
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from counter_app.services import audit
    from counter_app.services.checks import check_database

    open_from_args(args, dispatch=False)
    breaks = check_database()
    head = audit.head_hash()
    lines = [str(b) for b in breaks] or [
        "I1 and I2 hold for every customer and meter; the audit chain (I3) is intact"
    ]
    lines.append(f"audit head {head}")
    emit(args, {"ok": not breaks, "breaks": breaks, "audit_head": head}, lines)
    return EXIT_CHECK_FAILED if breaks else 0


def cmd_resume(args: argparse.Namespace) -> int:
    """R8/R10 after a restart or a link failure: with a collection system, first send what
    waits in our outbox and apply the results that came back (purchases whose task the station
    holds are left to it); then probe unresolved dispatches, dispatch queued purchases, open a
    work order for every failed purchase without one, and say what is still open and its next
    step (`counter_app.services.recovery`).

    Who may: whoever dispatches at the window (takes payments) or retries dispatches from
    the work-order queue.
    """
    from counter_app.services import auth
    from counter_app.services.recovery import RecoveryService

    counter = open_from_args(args)
    operator = signed_in_operator(
        counter, args, auth.Action.TAKE_PAYMENT, auth.Action.RETRY_DISPATCH
    )
    d = counter.services.dispatch
    lines: list[str] = []
    if d.handover is not None:
        from counter_app.services.ports import StationUnavailable

        try:
            sent = d.handover.send_pending(limit=1000, actor=operator.username)
            polled = d.handover.poll(limit=1000, actor=operator.username)
            lines.append(
                f"outbox: {sent} task(s) sent; {polled.applied} result(s) applied "
                f"of {polled.results} read"
            )
        except StationUnavailable as exc:
            lines.append(f"collection system unreachable: {exc}; tasks stay in the outbox")
    recovery: RecoveryService = counter.services.recovery
    result = recovery.resume(operator.username)
    counter.close()
    still_open = recovery.open_purchases()
    lines += result.lines() + [
        f"open: purchase {p.purchase_id} n={p.count} {p.state}: next {p.next_step}"
        for p in still_open
    ]
    emit(args, list(result.summaries), lines)
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    """R11: how many messages wait; with --drain, send them through the SMS gateway."""
    from counter_app.services import auth, notifications

    counter = open_from_args(args, dispatch=False)
    result = None
    if args.drain:
        signed_in_operator(counter, args, auth.Action.SEND_OUTBOX)
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


_Parser = CommandParser


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

    common = _Parser(add_help=False)  # the options again after the command (a parent)
    options(common, argparse.SUPPRESS)
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
    pay.add_argument("--operator", help=OPERATOR_HELP)
    pay.add_argument("--counter", help="counter id (default from the configuration)")
    pay.add_argument(
        "--no-dispatch", action="store_true", help="leave a remote purchase queued (created)"
    )
    pay.set_defaults(func=cmd_pay)

    rev = sub.add_parser(
        "reverse",
        parents=[common],
        help="reverse a payment (R15/R16); supervisor password on stdin "
        "(after the operator's own, unless signed in)",
    )
    rev.add_argument("payment", help="payment id or receipt number")
    rev.add_argument("--operator", help=OPERATOR_HELP)
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
    bill.add_argument("--operator", help=OPERATOR_HELP)
    bill.set_defaults(func=cmd_bill)

    user = sub.add_parser("user", parents=[common], help="users (administrators only)")
    usub = user.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    ua = usub.add_parser(
        "add", parents=[common], help="add a user (the new password on stdin, last)"
    )
    ua.add_argument("username")
    ua.add_argument("role", choices=["teller", "supervisor", "technician", "admin"])
    ua.add_argument("--name", help="full name")
    ua.add_argument("--operator", help=OPERATOR_HELP)
    ua.set_defaults(func=cmd_user_add)
    ul = usub.add_parser("list", parents=[common], help="every user with role and state")
    ul.add_argument("--operator", help=OPERATOR_HELP)
    ul.set_defaults(func=cmd_user_list)
    ur = usub.add_parser("role", parents=[common], help="change a user's role")
    ur.add_argument("username")
    ur.add_argument("role", choices=["teller", "supervisor", "technician", "admin"])
    ur.add_argument("--operator", help=OPERATOR_HELP)
    ur.set_defaults(func=cmd_user_role)
    up = usub.add_parser(
        "passwd", parents=[common], help="reset a user's password (the new one on stdin, last)"
    )
    up.add_argument("username")
    up.add_argument("--operator", help=OPERATOR_HELP)
    up.set_defaults(func=cmd_user_passwd)
    for name, text in (("deactivate", "a user can no longer sign in"), ("activate", "undo it")):
        ux = usub.add_parser(name, parents=[common], help=text)
        ux.add_argument("username")
        ux.add_argument("--operator", help=OPERATOR_HELP)
        ux.set_defaults(func=cmd_user_active)

    admin = sub.add_parser("admin", parents=[common], help="the first administrator")
    asub = admin.add_subparsers(dest="admin_command", required=True, parser_class=_Parser)
    ab = asub.add_parser(
        "bootstrap",
        parents=[common],
        help="create the first administrator (password on stdin); only while none exists",
    )
    ab.add_argument("username")
    ab.add_argument("--name", help="full name")
    ab.set_defaults(func=cmd_admin_bootstrap)

    li = sub.add_parser(
        "login", parents=[common], help="sign in for a few minutes (password on stdin)"
    )
    li.add_argument("username")
    li.add_argument("--counter", help="counter id (default from the configuration)")
    li.set_defaults(func=cmd_login)
    sub.add_parser("logout", parents=[common], help="end the sign-in of login").set_defaults(
        func=cmd_logout
    )

    res = sub.add_parser(
        "resume",
        parents=[common],
        help="R8/R10: resolve unresolved dispatches, dispatch queued purchases, reopen failed",
    )
    res.add_argument("--operator", help=OPERATOR_HELP)
    res.set_defaults(func=cmd_resume)

    ob = sub.add_parser("outbox", parents=[common], help="SMS outbox (R11): count or --drain")
    ob.add_argument("--drain", action="store_true", help="send queued messages now")
    ob.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    ob.add_argument("--operator", help=OPERATOR_HELP + " (for --drain)")
    ob.set_defaults(func=cmd_outbox)

    sub.add_parser(
        "check",
        parents=[common],
        help="verify I1 and I2 over the whole database, and the audit chain (I3)",
    ).set_defaults(func=cmd_check)

    from counter_app.cli_card import add_card_commands  # card write
    from counter_app.cli_office import add_office_commands  # shift, board

    add_office_commands(sub, common)
    card_commands = add_card_commands(sub, common, _Parser)
    from counter_app.cli_business import add_business_commands  # archive, change, review

    add_business_commands(sub, common)
    from counter_app.cli_channels import add_channel_commands  # bank, offset, terminal

    add_channel_commands(sub, common)
    from counter_app.cli_recovery import add_recovery_commands  # purchase, work-order, card

    add_recovery_commands(sub, common, card_commands)
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
