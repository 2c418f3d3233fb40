"""R17 reconciliation (对账): a channel's statement for a day against our books.

Pure: the services hand in the statement's lines and our records of the same channel, source
and day; out come the single-sided accounts (单边帐) with what to do about each. Nothing is
done here, and nothing is done by the services either until a supervisor signs off.

===============  ===================================  ============================================
kind             proposed action                      why
===============  ===================================  ============================================
bank-only        ``book``                              R17: a payment only on the channel side is
                                                      booked (R1–R6, channel bank)
bank-only        ``refuse`` + reason                   the line cannot be booked: unknown customer,
                                                      malformed line, serial reversed here
ours-only        ``reverse`` + R15 case                R17: a payment only in the system is
                                                      reversed by R15's rules (dispatch state)
ours-only        ``hold`` + R16 refusal                R16: its dispatch or card write is
                                                      unresolved; resolve it, then reconcile again
differs          ``hold``                              same serial, other customer or amount:
                                                      a person compares the slips
===============  ===================================  ============================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from counter_app.core.purchase_state import PurchaseState
from counter_app.core.reversal import REFUSAL_TEXT, decide_reversal


class ItemKind(StrEnum):
    BANK_ONLY = "bank-only"
    OURS_ONLY = "ours-only"
    DIFFERS = "differs"


class ItemAction(StrEnum):
    BOOK = "book"
    REFUSE = "refuse"
    REVERSE = "reverse"
    HOLD = "hold"


@dataclass(frozen=True)
class StatementLine:
    """A payment on the channel's statement."""

    line_no: int
    serial: str
    customer_no: str
    amount_fen: int


@dataclass(frozen=True)
class BookedPayment:
    """One of our channel payments of the day: serial, figures, and where its purchase is."""

    serial: str
    customer_no: str
    amount_fen: int
    payment_id: int
    receipt_no: str
    reversed: bool
    purchase_state: PurchaseState | None


@dataclass(frozen=True)
class Item:
    """A single-sided account (or a difference) with the action proposed for it."""

    kind: ItemKind
    action: ItemAction
    serial: str
    customer_no: str
    amount_fen: int
    reason: str
    line_no: int | None = None
    payment_id: int | None = None
    receipt_no: str | None = None


@dataclass(frozen=True)
class Comparison:
    matched: int
    items: tuple[Item, ...]


def compare(
    statement: Sequence[StatementLine],
    ours: Iterable[BookedPayment],
    known_customers: frozenset[str],
    unusable: Sequence[tuple[int, str, str]] = (),
) -> Comparison:
    """Compare a statement with our books (see the module docstring).

    `known_customers` are the statement's customer numbers that exist here; `unusable` are
    statement lines that could not be read (line number, serial if any, reason): each becomes
    a refused bank-only item so the report shows it.
    """
    mine = {p.serial: p for p in ours}
    items: list[Item] = []
    matched = 0
    listed: set[str] = set()
    for line in statement:
        listed.add(line.serial)
        booked = mine.get(line.serial)
        if booked is None:
            if line.customer_no in known_customers:
                items.append(
                    Item(
                        ItemKind.BANK_ONLY,
                        ItemAction.BOOK,
                        line.serial,
                        line.customer_no,
                        line.amount_fen,
                        "R17: on the statement, not in our books: book it",
                        line_no=line.line_no,
                    )
                )
            else:
                items.append(
                    Item(
                        ItemKind.BANK_ONLY,
                        ItemAction.REFUSE,
                        line.serial,
                        line.customer_no,
                        line.amount_fen,
                        f"unknown customer {line.customer_no}: cannot be booked",
                        line_no=line.line_no,
                    )
                )
            continue
        if (booked.customer_no, booked.amount_fen) != (line.customer_no, line.amount_fen):
            items.append(
                Item(
                    ItemKind.DIFFERS,
                    ItemAction.HOLD,
                    line.serial,
                    line.customer_no,
                    line.amount_fen,
                    f"our books have customer {booked.customer_no}, {booked.amount_fen} fen",
                    line_no=line.line_no,
                    payment_id=booked.payment_id,
                    receipt_no=booked.receipt_no,
                )
            )
            continue
        if booked.reversed:
            items.append(
                Item(
                    ItemKind.BANK_ONLY,
                    ItemAction.REFUSE,
                    line.serial,
                    line.customer_no,
                    line.amount_fen,
                    "reversed here (代收冲正) but on the statement: ask the bank",
                    line_no=line.line_no,
                    payment_id=booked.payment_id,
                    receipt_no=booked.receipt_no,
                )
            )
            continue
        matched += 1
    for line_no, serial, reason in unusable:
        items.append(
            Item(ItemKind.BANK_ONLY, ItemAction.REFUSE, serial, "", 0, reason, line_no=line_no)
        )
    for p in sorted(mine.values(), key=lambda p: p.payment_id):
        if p.serial in listed or p.reversed:
            continue
        decision = decide_reversal(False, p.purchase_state)
        if decision.allowed:
            assert decision.case is not None
            items.append(
                Item(
                    ItemKind.OURS_ONLY,
                    ItemAction.REVERSE,
                    p.serial,
                    p.customer_no,
                    p.amount_fen,
                    f"R17: in our books, not on the statement: reverse ({decision.case.value})",
                    payment_id=p.payment_id,
                    receipt_no=p.receipt_no,
                )
            )
        else:
            assert decision.refusal is not None
            items.append(
                Item(
                    ItemKind.OURS_ONLY,
                    ItemAction.HOLD,
                    p.serial,
                    p.customer_no,
                    p.amount_fen,
                    f"R16: {REFUSAL_TEXT[decision.refusal]}",
                    payment_id=p.payment_id,
                    receipt_no=p.receipt_no,
                )
            )
    return Comparison(matched, tuple(items))
