"""counterctl's card commands: ``card write CUSTOMER METER`` writes a purchase onto the
customer's purchase card at the shell (R6, R10, R12, R12a, R13).

It runs the same procedure as the window's card-write dialog
(`services.cards.CardWriteProcedure`); the person at the terminal answers its questions
(`counter_app.shell_prompts.ShellCardPrompts`): insert the card, write it, put a pulled card
back. The operator signs in first (``counterctl login``, or the password as the first line
on standard input); the answers follow, one a line.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from counter_app.bootstrap import card_crypto_from_environment, open_purchase_card
from counter_app.cli_common import CliError, emit, open_from_args
from counter_app.cli_session import OPERATOR_HELP, signed_in_operator
from counter_app.core.money import format_yuan
from counter_app.shell_prompts import ShellCardPrompts

if TYPE_CHECKING:
    pass


def cmd_card_write(args: argparse.Namespace) -> int:
    """R12 at the shell: the failed purchase of the meter (R10, same n) or a new one from the
    prepayment (R6), written and read back, or settled by reading the card again."""
    from counter_app.services import auth
    from counter_app.services.cards import CardTarget, CardWriteProcedure, CardWriteState
    from counter_app.services.lookup import find_customer, find_meter

    counter = open_from_args(args, dispatch=False)
    try:
        operator = signed_in_operator(counter, args, auth.Action.WRITE_CARD)
        customer = find_customer(args.customer)
        meter = find_meter(args.meter)
        if int(meter.customer_id) != int(customer.id):
            raise CliError(f"meter {args.meter} is not a meter of customer {args.customer}")
        cards = counter.services.cards
        purchase_id = cards.purchase_to_write(int(meter.id))
        card = open_purchase_card(
            args.reader or counter.config.reader_name or None, card_crypto_from_environment()
        )
        procedure = CardWriteProcedure(
            cards, card, ShellCardPrompts(sys.stdin, sys.stderr), operator=operator.username
        )
        result = procedure.run(lambda: CardTarget.for_meter(int(meter.id), purchase_id=purchase_id))
    finally:
        counter.close()
    ticket = result.ticket
    if result.state is not CardWriteState.WRITTEN or ticket is None:
        reasons = {
            CardWriteState.CANCELLED: "stopped: nothing was written to the card",
            CardWriteState.REFUSED: f"card refused ({result.error}): nothing was written; "
            "send the customer to the technician's workbench",
            CardWriteState.RECONCILE: "the card shows another purchase: nothing more is "
            "written; the supervisor reconciles",
            CardWriteState.UNRESOLVED: "the card was not read again: the purchase stays "
            "'card-writing' until the card is read (counterctl card write again)",
        }
        raise CliError(reasons.get(result.state, str(result.state)))
    data: dict[str, Any] = {
        "purchase_id": ticket.purchase_id,
        "meter": ticket.meter_no,
        "count": ticket.count,
        "amount_fen": ticket.amount_fen,
        "card_serial": None if result.card is None else result.card.serial,
        "state": "card-written",
    }
    emit(
        args,
        data,
        [
            f"purchase {ticket.purchase_id}: no. {ticket.count} of "
            f"{format_yuan(ticket.amount_fen)} written to the card of meter {ticket.meter_no}"
        ],
    )
    return 0


def add_card_commands(
    sub: Any,
    common: argparse.ArgumentParser,
    parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser,
) -> Any:
    """``card write CUSTOMER METER``; returns the ``card`` subcommands for the others
    (``card settle``, ``card writeback``: `counter_app.cli_recovery`)."""
    card = sub.add_parser("card", parents=[common], help="purchase cards")
    csub = card.add_subparsers(dest="card_command", required=True, parser_class=parser_class)
    cw = csub.add_parser(
        "write",
        parents=[common],
        help="write a purchase onto the customer's card (R6, R10, R12); answers on stdin",
    )
    cw.add_argument("customer", help="customer number (户号)")
    cw.add_argument("meter", help="meter address or number")
    cw.add_argument("--operator", help=OPERATOR_HELP)
    cw.add_argument("--reader", help="card reader name fragment (default: the configuration)")
    cw.set_defaults(func=cmd_card_write)
    return csub
