"""counterctl's recovery commands: every purchase not yet final has a way out from the shell.

``purchase list`` (every open purchase with its next step), ``purchase dispatch`` (R7 for one
purchase: a queued one, or the remote twin of a card-written one, R5), ``purchase cancel`` (a
card purchase from prepayment whose write was abandoned), ``work-order list|retry|close``
(R10), ``card settle`` (R12: read the card again after an interrupted write) and ``card
writeback`` (R13). ``resume`` itself lives in `counter_app.cli`. The table of ways out is
`counter_app.services.recovery.WAYS_OUT`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from counter_app.core.money import format_yuan

if TYPE_CHECKING:
    from counter_app.bootstrap import CardDevices, Counter


def _user(counter: Any, args: argparse.Namespace, action: str) -> Any:
    """The operator, signed in like every counterctl operator (session or password on
    standard input) and allowed `action`."""
    from counter_app.cli_session import signed_in_operator

    return signed_in_operator(counter, args, action)


def cmd_purchase_list(args: argparse.Namespace) -> int:
    from counter_app.cli_common import emit as _emit
    from counter_app.cli_common import open_from_args as _open
    from counter_app.services.lookup import find_customer

    counter = _open(args, dispatch=False)
    customer_id = int(find_customer(args.customer).id) if args.customer else None
    rows = counter.services.recovery.open_purchases(customer_id)
    lines = [
        f"purchase {r.purchase_id} {r.customer_no} meter {r.meter_address} n={r.count} "
        f"{format_yuan(r.amount_fen)} {r.state}"
        + (f" (work order {r.work_order_id})" if r.work_order_id is not None else "")
        + f": next {r.next_step}"
        for r in rows
    ] or ["every purchase is final (loaded or reversed)"]
    _emit(args, rows, lines)
    return 0


def cmd_purchase_dispatch(args: argparse.Namespace) -> int:
    from counter_app.cli_common import emit as _emit
    from counter_app.cli_common import open_from_args as _open

    counter = _open(args)
    user = _user(counter, args, "take-payment")
    summary = counter.services.dispatch.dispatch_purchase(args.purchase, user.username)
    counter.close()
    _emit(
        args,
        summary,
        [
            f"purchase {summary.purchase_id} n={summary.count}: {summary.outcome} after "
            f"{summary.attempts} attempt(s) -> {summary.state}"
            + (f" (work order {summary.work_order_id})" if summary.work_order_id else "")
        ],
    )
    return 0


def cmd_purchase_cancel(args: argparse.Namespace) -> int:
    from counter_app.cli_common import emit as _emit
    from counter_app.cli_common import open_from_args as _open

    counter = _open(args, dispatch=False)
    user = _user(counter, args, "write-card")
    prepayment = counter.services.cards.cancel_card_purchase(args.purchase, operator=user.username)
    _emit(
        args,
        {"purchase_id": args.purchase, "prepayment_fen": prepayment},
        [f"purchase {args.purchase} returned to prepayment ({format_yuan(prepayment)})"],
    )
    return 0


def cmd_work_order_list(args: argparse.Namespace) -> int:
    from counter_app.cli_common import emit as _emit
    from counter_app.cli_common import open_from_args as _open

    counter = _open(args, dispatch=False)
    orders = counter.services.work_orders.list_orders(live_only=not args.all)
    lines = [
        f"work order {o.id} {o.state}: purchase {o.purchase_id} ({o.purchase_state}) n={o.count} "
        f"{format_yuan(o.amount_fen)} meter {o.meter_address}"
        + (f" taken by {o.taken_by}" if o.taken_by else "")
        + (f"; last {o.last_outcome}" if o.last_outcome else "")
        for o in orders
    ] or ["no work order"]
    _emit(args, orders, lines)
    return 0


def cmd_work_order_retry(args: argparse.Namespace) -> int:
    from counter_app.cli_common import emit as _emit
    from counter_app.cli_common import open_from_args as _open

    counter = _open(args)
    user = _user(counter, args, "retry-dispatch")
    summary = counter.services.work_orders.retry(args.order, user)
    counter.close()
    _emit(
        args,
        summary,
        [
            f"work order {args.order}: purchase {summary.purchase_id} n={summary.count} "
            f"{summary.outcome} after {summary.attempts} attempt(s) -> {summary.state}"
        ],
    )
    return 0


def cmd_work_order_close(args: argparse.Namespace) -> int:
    from counter_app.cli_common import emit as _emit
    from counter_app.cli_common import open_from_args as _open

    counter = _open(args, dispatch=False)
    user = _user(counter, args, "close-work-order")
    view = counter.services.work_orders.close(
        args.order, user, success=not args.failed, note=args.note or ""
    )
    extra = " (the customer is asked to bring the card, R11)" if args.failed else ""
    _emit(args, view, [f"work order {view.id} {view.state}{extra}"])
    return 0


def _card_devices(counter: Counter, reader: str | None) -> CardDevices:
    """The purchase card in the named (else the configured) reader, read without card keys,
    and the workbench on it: built by the composition root."""
    from counter_app.bootstrap import open_card_devices

    return open_card_devices(
        counter.services, reader or counter.config.reader_name or None, None, wait_s=2.0
    )


def cmd_card_settle(args: argparse.Namespace) -> int:
    """R12: read the card again and settle an interrupted write (never write twice); only
    the card of the purchase's meter (its registered serial) settles it."""
    from counter_app.cli_common import emit as _emit
    from counter_app.cli_common import open_from_args as _open
    from counter_app.store.models import Meter, Purchase

    counter = _open(args, dispatch=False)
    user = _user(counter, args, "write-card")
    purchase = Purchase.get_or_none(Purchase.id == args.purchase)
    if purchase is None:
        from counter_app.services.errors import PurchaseStateError

        raise PurchaseStateError(args.purchase, "unknown", "settle a card write")
    meter = Meter.get_by_id(purchase.meter_id)
    card = _card_devices(counter, args.reader).purchase_card
    # only the card of this purchase's meter settles it: another card's count says nothing
    seen = card.purchase_state(
        int(purchase.amount_fen),
        int(purchase.count),
        expected_customer_no=str(meter.customer_no),
        expected_meter_no=str(meter.meter_no),
        expected_serial=None if meter.card_serial is None else str(meter.card_serial),
    ).value
    state = counter.services.cards.settle_card_write(args.purchase, seen, operator=user.username)
    _emit(
        args,
        {"purchase_id": args.purchase, "card": seen, "state": state},
        [f"purchase {args.purchase}: the card shows it {seen} -> {state}"],
    )
    return 0


def cmd_card_writeback(args: argparse.Namespace) -> int:
    """R13: read the card's write-back (after the meter) and load what it shows."""
    from counter_app.cli_common import emit as _emit
    from counter_app.cli_common import open_from_args as _open

    counter = _open(args, dispatch=False)
    user = _user(counter, args, "apply-writeback")
    devices = _card_devices(counter, args.reader)
    card, bench = devices.purchase_card, devices.workbench
    result = bench.apply_writeback(user, card.read_card())
    _emit(
        args,
        result,
        [
            f"meter {result.meter_id}: committed count {result.committed_count}, loaded "
            f"purchases {list(result.loaded_purchase_ids) or '-'}"
        ]
        + [f"  flag: {f}" for f in result.flags],
    )
    return 0


def add_recovery_commands(sub: Any, common: argparse.ArgumentParser, card: Any) -> None:
    """Add ``purchase``, ``work-order``, and ``settle`` and ``writeback`` to the ``card``
    subcommands `card` (see the module docstring)."""
    from counter_app.cli_common import CommandParser as _Parser

    pu = sub.add_parser("purchase", parents=[common], help="purchases not yet final")
    psub = pu.add_subparsers(dest="purchase_command", required=True, parser_class=_Parser)
    pl = psub.add_parser("list", parents=[common], help="every open purchase, with its next step")
    pl.add_argument("--customer", help="only this customer (户号)")
    pl.set_defaults(func=cmd_purchase_list)
    pd = psub.add_parser(
        "dispatch", parents=[common], help="dispatch one purchase (R7; R5 twin of a card write)"
    )
    pd.add_argument("purchase", type=int)
    pd.add_argument("--operator", required=True)
    pd.set_defaults(func=cmd_purchase_dispatch)
    pc = psub.add_parser(
        "cancel", parents=[common], help="return an unwritten card purchase to the prepayment"
    )
    pc.add_argument("purchase", type=int)
    pc.add_argument("--operator", required=True)
    pc.set_defaults(func=cmd_purchase_cancel)

    wo = sub.add_parser("work-order", parents=[common], help="re-dispatch work orders (R10)")
    wsub = wo.add_subparsers(dest="work_order_command", required=True, parser_class=_Parser)
    wl = wsub.add_parser("list", parents=[common], help="live orders (--all: every order)")
    wl.add_argument("--all", action="store_true")
    wl.set_defaults(func=cmd_work_order_list)
    wr = wsub.add_parser("retry", parents=[common], help="retry an order's dispatch (R7-R9)")
    wr.add_argument("order", type=int)
    wr.add_argument("--operator", required=True, help="inspection staff (technician)")
    wr.set_defaults(func=cmd_work_order_retry)
    wc = wsub.add_parser("close", parents=[common], help="close an order (--failed: R10/R11)")
    wc.add_argument("order", type=int)
    wc.add_argument("--operator", required=True)
    wc.add_argument("--failed", action="store_true", help="close as failed: bring-card SMS")
    wc.add_argument("--note")
    wc.set_defaults(func=cmd_work_order_close)

    csub = card
    cs = csub.add_parser(
        "settle",
        parents=[common],
        help="read the card again after an interrupted write (R12)",
        description="R12: read the card in the reader again and settle the purchase's "
        "interrupted write: written -> card-written, unchanged -> created (never written twice)",
    )
    cs.add_argument("purchase", type=int)
    cs.add_argument("--operator", required=True)
    cs.add_argument("--reader", help="fragment of the reader name (default: configuration)")
    cs.set_defaults(func=cmd_card_settle)
    cw = csub.add_parser("writeback", parents=[common], help="apply the card's write-back (R13)")
    cw.add_argument("--operator", required=True)
    cw.add_argument("--reader", help="fragment of the reader name (default: configuration)")
    cw.set_defaults(func=cmd_card_writeback)
