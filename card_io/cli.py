"""card-tool: purchase cards from the command line, for technicians.

    card-tool readers
    card-tool read [--reader FRAGMENT] [--virtual-state FILE]
    card-tool issue --customer N --meter N [--amount-fen A --count 1] [--overwrite]
    card-tool write-purchase --customer N --meter N --serial HEX --last-count C --amount-fen A
    card-tool reissue --customer N --meter N --last-amount-fen A --last-count C
    card-tool clear --customer N --meter N --serial HEX --amount-fen A --count N
    card-tool unblock
    card-tool meter-insert --meter-state FILE --meter ADDRESS [--virtual-state FILE]

Without ``--reader`` the tool takes a real reader holding a card, else the virtual reader
(vsmartcard's "Virtual PCD") holding a card. ``read`` and ``meter-insert`` can also insert a
virtual card from its state file for the duration of the command (``--virtual-state`` or
``CARD_VIRTUAL_STATE``) when no reader holds a card; a virtual card whose process was just
stopped is waited out (pcscd reports a removal up to one poll, ~0.4 s, late). ``readers``
waits up to ``--wait`` seconds (default 2) for a card when the virtual reader is empty, so a
virtual card started just before is listed. Writing needs the card keys: ``--key-file``,
``CARD_KEY_FILE`` or ``CARD_MASTER_KEY``; with them ``read`` also verifies the MAC of the
write-back file (a forged card is refused).

``meter-insert`` is the customer putting the card into a meter: the simulated meter of
``meter-sim``'s state file (stop ``meter-sim serve`` on that file first) meets the card in the
reader, verifies its cryptograms with the card keys its ESAM holds (the same key source),
loads or refuses it as the meter would and writes back; the meter's state file is saved.

Every error prints one line ``card-tool: <code>: <message>`` on stderr and exits non-zero
(2 usage, 3 PC/SC service / reader / card, 4 card refused by our rules or by the meter,
5 key or MAC: wrong keys, a forged card, a blocked card).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from card_io.errors import (
    CardBlocked,
    CardError,
    CardRefused,
    CardRemoved,
    CountMismatch,
    ForeignCard,
    ForgedCard,
    NoCard,
    NoCardKeys,
    UnissuedCard,
    WrongKeyOrMac,
)
from card_io.purchase_card import CardContents, PurchaseCard, validate_ids
from card_io.reader import PcscReader, ReaderStatus, reader_status
from card_io.security import ENV_KEY_FILE, ENV_MASTER_KEY, SoftwareCardCrypto

ENV_VIRTUAL_STATE = "CARD_VIRTUAL_STATE"
READERS_WAIT_S = 2.0  # a virtual card process needs ~0.3 s to start, pcscd up to 0.4 s to see it
REMOVAL_WAIT_S = 2.0  # pcscd reports a closed virtual card up to one poll (~0.4 s) late

T = TypeVar("T")


class MeterRefused(CardError):
    """The simulated meter refused the card (its own error and display code)."""

    code = "meter-refused"


def _exit_code(exc: CardError) -> int:
    if isinstance(exc, WrongKeyOrMac | NoCardKeys | CardBlocked | ForgedCard):
        return 5
    if isinstance(exc, MeterRefused):
        return 4
    if isinstance(exc, CardRefused | ForeignCard | UnissuedCard | CountMismatch):
        return 4
    return 3


def _print_card(c: CardContents) -> None:
    print(json.dumps(c.to_json(), ensure_ascii=False, indent=2))


def _wait_statuses(
    done: Callable[[list[ReaderStatus]], bool], timeout: float
) -> list[ReaderStatus]:
    """Poll pcscd until ``done(statuses)`` or ``timeout``; the last statuses either way."""
    deadline = time.monotonic() + timeout
    while True:
        statuses = reader_status()
        if done(statuses) or time.monotonic() >= deadline:
            return statuses
        time.sleep(0.05)


def _with_virtual_fallback(args: argparse.Namespace, op: Callable[[], T]) -> T:
    """Run ``op`` on the card in a reader; without one, on the virtual card of the state file
    (``--virtual-state`` / ``CARD_VIRTUAL_STATE``) inserted for the duration of ``op``.

    A virtual card whose process was just killed is still reported present by pcscd for up
    to one poll: an operation that then finds no card (removed / none) waits until pcscd
    reports the virtual reader empty and runs again on the card from the state file.
    """
    state = getattr(args, "virtual_state", None) or os.environ.get(ENV_VIRTUAL_STATE)
    if args.reader or not state:
        return op()
    statuses = reader_status()
    virtual = [s.name for s in statuses if s.virtual]
    if any(s.card_present for s in statuses):
        try:
            return op()
        except (CardRemoved, NoCard):
            present_real = any(s.card_present and not s.virtual for s in reader_status())
            if not virtual or present_real:
                raise
        statuses = _wait_statuses(
            lambda st: not any(s.card_present for s in st if s.virtual), REMOVAL_WAIT_S
        )
        if any(s.card_present for s in statuses if s.virtual):
            raise NoCard(virtual[0])
    if not virtual:
        return op()
    from card_io.virtual import VirtualPurchaseCard

    card = VirtualPurchaseCard.load(Path(state))
    card.insert()
    try:
        args.wait = max(args.wait, 3.0)
        args.reader = virtual[0]
        return op()
    finally:
        card.stop()


def _card(args: argparse.Namespace, need_keys: bool) -> PurchaseCard:
    crypto = None
    configured = args.key_file or os.environ.get(ENV_KEY_FILE) or os.environ.get(ENV_MASTER_KEY)
    if need_keys or configured:
        try:
            crypto = SoftwareCardCrypto.from_environment(args.key_file)
        except NoCardKeys:
            if need_keys or args.key_file:
                raise
    return PurchaseCard(PcscReader(args.reader), crypto, wait_s=args.wait)


def cmd_readers(args: argparse.Namespace) -> int:
    statuses = reader_status()
    wait = args.wait if args.wait > 0 else READERS_WAIT_S
    if any(s.virtual for s in statuses) and not any(s.card_present for s in statuses):
        # a virtual card started a moment ago is not seen until pcscd's next poll
        statuses = _wait_statuses(lambda st: any(s.card_present for s in st), wait)
    if not statuses:
        print("no readers")
    for s in statuses:
        card = f"card {s.atr.hex().upper()}" if s.card_present else "no card"
        kind = " (virtual)" if s.virtual else ""
        print(f"{s.name}{kind}: {card}")
    return 0


def cmd_read(args: argparse.Namespace) -> int:
    _print_card(_with_virtual_fallback(args, lambda: _card(args, need_keys=False).read_card()))
    return 0


def cmd_unblock(args: argparse.Namespace) -> int:
    _print_card(_card(args, need_keys=True).unblock_card())
    return 0


def cmd_meter_insert(args: argparse.Namespace) -> int:
    """The customer inserts the card into the simulated meter of a ``meter-sim`` state file."""
    from card_io.meter_card import insert_card
    from meter_link.simulator.bus import MeterSimulator

    crypto = SoftwareCardCrypto.from_environment(args.key_file)
    state = Path(args.meter_state)
    if not state.exists():
        raise ValueError(f"no meter state file {state}")
    sim = MeterSimulator(state_file=state)
    sim.load()
    if args.meter not in sim.addresses:
        raise ValueError(f"no meter {args.meter} in {state} (meters: {', '.join(sim.addresses)})")
    now = dt.datetime.now()

    def op() -> dict[str, object]:
        reader = PcscReader(args.reader)
        with reader.session(args.wait) as session, sim.meter(args.meter) as meter:
            result = insert_card(session, meter, now, crypto)
            return {
                "meter": args.meter,
                "card_serial": session.serial.hex().upper(),
                "ok": result.ok,
                "error": None if result.error is None else result.error.name.lower(),
                "display": None if result.error is None else result.error.display,
                "message": None if result.error is None else result.error.text,
                "loaded_fen": result.loaded_fen,
                "wrote_back": result.wrote_back,
                "card_count": result.card_count,
                "meter_count": meter.purchase_count,
                "meter_balance_fen": meter.balance_fen,
                "illegal_insertions": meter.illegal_insertions,
            }

    out = _with_virtual_fallback(args, op)
    sim.save()
    print(json.dumps(out, ensure_ascii=False, indent=2))
    if not out["ok"]:
        raise MeterRefused(f"the meter shows {out['display']}: {out['message']}")
    return 0


def cmd_issue(args: argparse.Namespace) -> int:
    validate_ids(args.customer, args.meter)
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
    validate_ids(args.customer, args.meter, args.serial)
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
    validate_ids(args.customer, args.meter)
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
    validate_ids(args.customer, args.meter, args.serial)
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
    ap.add_argument(
        "--wait",
        type=float,
        default=0.0,
        help="seconds to wait for a card (readers: default 2 when the virtual reader is empty)",
    )
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
            # R12: the card must be the one registered for the account; never skipped
            p.add_argument(
                "--serial", required=True, help="card serial registered for the account (hex)"
            )

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

    p = sub.add_parser(
        "unblock", help="reset the card's retry counters after a blocked key (issuer, 6983)"
    )
    p.set_defaults(func=cmd_unblock)

    p = sub.add_parser(
        "meter-insert", help="insert the card into a simulated meter (meter-sim state file)"
    )
    p.add_argument("--meter-state", required=True, help="meter-sim state file (JSON)")
    p.add_argument("--meter", required=True, help="meter address in that file")
    p.add_argument("--virtual-state", help="virtual card to insert when no reader has a card")
    p.set_defaults(func=cmd_meter_insert)
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
