"""R1 allocation: a payment settles arrears oldest first; the rest becomes prepayment.

Arrears include consumption bills and the debits left by reversals of loaded purchases (R15);
both are "open bills" here. The core does not know which kind a bill is: it only orders them
(issue date, then bill id, so two bills of the same day are settled in a stable order) and cuts
the payment across them, partially settling the last one it reaches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class OpenBill:
    """A receivable with money still owed on it (``outstanding_fen`` > 0)."""

    bill_id: int
    issued_on: date
    outstanding_fen: int


@dataclass(frozen=True)
class Allocation:
    """Where a payment goes under R1.

    ``settlements`` are ``(bill_id, fen)`` pairs oldest first, only for bills that receive money;
    ``to_prepayment`` is what is left after all open bills are paid; ``arrears_after_fen`` is what
    is still owed after this payment (R2 and R4 refuse a dispatch while it is above zero).
    """

    settlements: tuple[tuple[int, int], ...]
    to_prepayment: int
    arrears_after_fen: int

    @property
    def settled_fen(self) -> int:
        """Total fen this payment puts onto bills."""
        return sum(fen for _, fen in self.settlements)


def oldest_first(open_bills: Sequence[OpenBill]) -> list[OpenBill]:
    """Bills in the order R1 settles them: issue date, then bill id."""
    return sorted(open_bills, key=lambda bill: (bill.issued_on, bill.bill_id))


def allocate(amount_fen: int, open_bills: Sequence[OpenBill]) -> Allocation:
    """R1: cut ``amount_fen`` across ``open_bills`` oldest first; the rest is prepayment.

    The sum is preserved exactly (``settled_fen + to_prepayment == amount_fen``) and no figure is
    negative. Raises ``ValueError`` for a negative amount, a bill with nothing outstanding, or the
    same bill listed twice: each would mean the caller's figures are already wrong.
    """
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise TypeError("amount_fen must be int fen")
    if amount_fen < 0:
        raise ValueError(f"R1: cannot allocate a negative amount ({amount_fen} fen)")
    seen: set[int] = set()
    for bill in open_bills:
        if bill.outstanding_fen <= 0:
            raise ValueError(f"R1: bill {bill.bill_id} has nothing outstanding")
        if bill.bill_id in seen:
            raise ValueError(f"R1: bill {bill.bill_id} listed twice")
        seen.add(bill.bill_id)
    remaining = amount_fen
    settlements: list[tuple[int, int]] = []
    arrears_after = 0
    for bill in oldest_first(open_bills):
        take = min(remaining, bill.outstanding_fen)
        if take > 0:
            settlements.append((bill.bill_id, take))
            remaining -= take
        arrears_after += bill.outstanding_fen - take
    return Allocation(
        settlements=tuple(settlements), to_prepayment=remaining, arrears_after_fen=arrears_after
    )
