"""card-tool: purchase cards from the command line, for technicians.

    card-tool readers
    card-tool read [--reader FRAGMENT] [--virtual-state FILE]
    card-tool issue --customer N --meter N [--amount-fen A --count 1] [--overwrite]
    card-tool write-purchase --customer N --meter N --serial HEX --last-count C --amount-fen A
    card-tool reissue --customer N --meter N --last-amount-fen A --last-count C
    card-tool clear --customer N --meter N --serial HEX --amount-fen A --count N

Without ``--reader`` the tool takes a real reader holding a card, else the virtual reader
(vsmartcard's "Virtual PCD") holding a card. ``read`` can also insert a virtual card from its
state file for the duration of the command (``--virtual-state`` or ``CARD_VIRTUAL_STATE``)
when no reader holds a card. Writing needs the card keys: ``--key-file``, ``CARD_KEY_FILE``
or ``CARD_MASTER_KEY``.

Every error prints one line ``card-tool: <code>: <message>`` on stderr and exits non-zero
(2 usage, 3 PC/SC service / reader / card, 4 card refused by our rules, 5 key or MAC).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from card_io.errors import (
    CardError,
    CardRefused,
    CountMismatch,
    ForeignCard,
    NoCardKeys,
    UnissuedCard,
    WrongKeyOrMac,
)
from card_io.purchase_card import CardContents, PurchaseCard
from card_io.reader import PcscReader, reader_status
from card_io.security import SoftwareCardCrypto

ENV_VIRTUAL_STATE = "CARD_VIRTUAL_STATE"


def _exit_code(exc: CardError) -> int:
    if isinstance(exc, WrongKeyOrMac | NoCardKeys):
        return 5
    if isinstance(exc, CardRefused | ForeignCard | UnissuedCard | CountMismatch):
        return 4
    return 3


def _print_card(c: CardContents) -> None:
    print(json.dumps(c.to_json(), ensure_ascii=False, indent=2))


@contextlib.contextmanager
def _virtual_fallback(args: argparse.Namespace) -> Iterator[None]:
    """Insert the virtual card from its state file when no reader holds a card."""
    state = args.virtual_state or os.environ.get(ENV_VIRTUAL_STATE)
    if args.reader or not state:
        yield
        return
    statuses = reader_status()
    if any(s.card_present for s in statuses):
        yield
        return
    virtual = [s.name for s in statuses if s.virtual]
    if not virtual:
        yield
        return
    from card_io.virtual import VirtualPurchaseCard

    card = VirtualPurchaseCard.load(Path(state))
    card.insert()
    try:
        args.wait = max(args.wait, 3.0)
        args.reader = virtual[0]
        yield
    finally:
        card.stop()


def _card(args: argparse.Namespace, need_keys: bool) -> PurchaseCard:
    crypto = None
    if need_keys or args.key_file or os.environ.get("CARD_MASTER_KEY"):
        try:
            crypto = SoftwareCardCrypto.from_environment(args.key_file)
        except NoCardKeys:
            if need_keys:
                raise
    return PurchaseCard(PcscReader(args.reader), crypto, wait_s=args.wait)


def cmd_readers(args: argparse.Namespace) -> int:
    statuses = reader_status()
    if not statuses:
        print("no readers")
    for s in statuses:
        card = f"card {s.atr.hex().upper()}" if s.card_present else "no card"
        kind = " (virtual)" if s.virtual else ""
        print(f"{s.name}{kind}: {card}")
    return 0


def cmd_read(args: argparse.Namespace) -> int:
    with _virtual_fallback(args):
        _print_card(_card(args, need_keys=False).read_card())
    return 0


def cmd_issue(args: argparse.Namespace) -> int:
    c = _card(args, need_keys=True).issue_card(
        customer_no=args.customer,
        meter_no=args.meter,
        amount_fen=args.amount_fen,
        count=args.count,
        alarm1_fen=args.alarm1_fen,
        alarm2_fen=args.alarm2_fen,
        overwrite=args.overwrite,
    )
    _print_card(c)
    return 0


def cmd_write_purchase(args: argparse.Namespace) -> int:
    c = _card(args, need_keys=True).write_purchase(
        expected_customer_no=args.customer,
        expected_meter_no=args.meter,
        expected_serial=args.serial,
        last_committed_count=args.last_count,
        amount_fen=args.amount_fen,
        count=args.last_count + 1,
    )
    _print_card(c)
    return 0


def cmd_reissue(args: argparse.Namespace) -> int:
    c = _card(args, need_keys=True).reissue_card(
        customer_no=args.customer,
        meter_no=args.meter,
        last_amount_fen=args.last_amount_fen,
        last_count=args.last_count,
        overwrite=args.overwrite,
    )
    _print_card(c)
    return 0


def cmd_clear(args: argparse.Namespace) -> int:
    c = _card(args, need_keys=True).clear_purchase(
        expected_customer_no=args.customer,
        expected_meter_no=args.meter,
        expected_serial=args.serial,
        amount_fen=args.amount_fen,
        count=args.count,
    )
    _print_card(c)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="card-tool", description="Read and write purchase cards.")
    ap.add_argument("--reader", help="use the reader whose name contains this text")
    ap.add_argument("--wait", type=float, default=0.0, help="seconds to wait for a card")
    ap.add_argument("--key-file", help="card master key file (else CARD_KEY_FILE/CARD_MASTER_KEY)")
    sub = ap.add_subparsers(dest="command", required=True)

    sub.add_parser("readers", help="list readers and cards").set_defaults(func=cmd_readers)

    p = sub.add_parser("read", help="print the card as JSON")
    p.add_argument("--virtual-state", help="virtual card to insert when no reader has a card")
    p.set_defaults(func=cmd_read)

    def ids(p: argparse.ArgumentParser, serial: bool) -> None:
        p.add_argument("--customer", required=True, help="customer number (12 digits)")
        p.add_argument("--meter", required=True, help="meter number (12 digits)")
        if serial:
            p.add_argument("--serial", help="card serial registered for the account (hex)")

    p = sub.add_parser("issue", help="issue an open-account card (R14)")
    ids(p, serial=False)
    p.add_argument("--amount-fen", type=int, default=0)
    p.add_argument("--count", type=int, default=0, choices=(0, 1))
    p.add_argument("--alarm1-fen", type=int, default=0)
    p.add_argument("--alarm2-fen", type=int, default=0)
    p.add_argument("--overwrite", action="store_true", help="allow a card that is not blank")
    p.set_defaults(func=cmd_issue)

    p = sub.add_parser("write-purchase", help="write purchase (amount, last count + 1) (R12)")
    ids(p, serial=True)
    p.add_argument("--last-count", type=int, required=True, help="last committed count")
    p.add_argument("--amount-fen", type=int, required=True)
    p.set_defaults(func=cmd_write_purchase)

    p = sub.add_parser("reissue", help="re-issue card carrying the last purchase (R14)")
    ids(p, serial=False)
    p.add_argument("--last-amount-fen", type=int, required=True)
    p.add_argument("--last-count", type=int, required=True)
    p.add_argument("--overwrite", action="store_true", help="allow a card that is not blank")
    p.set_defaults(func=cmd_reissue)

    p = sub.add_parser("clear", help="clear an unloaded purchase before a reversal (R16)")
    ids(p, serial=True)
    p.add_argument("--amount-fen", type=int, required=True)
    p.add_argument("--count", type=int, required=True)
    p.set_defaults(func=cmd_clear)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        rc: int = args.func(args)
        return rc
    except CardError as exc:
        print(f"card-tool: {exc.code}: {exc}", file=sys.stderr)
        return _exit_code(exc)
    except ValueError as exc:
        print(f"card-tool: invalid-argument: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.
        return 0


if __name__ == "__main__":
    sys.exit(main())
