"""I1 and I2 as pure checks over figures the store (or a test model) has summed up.

I1 as computed here, per customer::

    paid − refunded = consumption bills settled + prepayment + in transit + loaded
                      − reversal debits outstanding − returned from removed meters

DOMAIN.md states I1 without the last term. It is needed because of R15: a reversal of a payment
whose purchase was loaded refunds the money while the meter keeps the credit. The fen are not
lost: they are owed back, as a "reversal debit" bill. Until it is settled the debit is subtracted;
when a later payment settles it (R1), that settlement is *not* counted as consumption settled
(the money went to the meter, which ``loaded`` already counts). ``docs/rules.md`` works an example.

The last term is R19's: a replaced meter's final balance was loaded once and now comes back out
of the meter into prepayment (held for review, R20). Without subtracting it those fen would be
counted twice, in "loaded" and in "prepayment".

I2, per meter: the committed purchase counts are first, first+1, first+2, ... (first = 1 for a
meter whose count started at 0) with no gap and no duplicate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields

from counter_app.core.money import format_yuan


@dataclass(frozen=True)
class CustomerLedger:
    """One customer's money, summed up by the store (all int fen, none negative)."""

    paid_fen: int
    refunded_fen: int
    consumption_settled_fen: int
    prepayment_fen: int
    in_transit_fen: int
    loaded_fen: int
    reversal_debit_outstanding_fen: int
    returned_from_meters_fen: int = 0

    @property
    def left_side_fen(self) -> int:
        """paid − refunded."""
        return self.paid_fen - self.refunded_fen

    @property
    def right_side_fen(self) -> int:
        """settled + prepayment + in transit + loaded − reversal debits − returned (R19)."""
        return (
            self.consumption_settled_fen
            + self.prepayment_fen
            + self.in_transit_fen
            + self.loaded_fen
            - self.reversal_debit_outstanding_fen
            - self.returned_from_meters_fen
        )


def check_i1(ledger: CustomerLedger) -> list[str]:
    """I1: no fen created or lost. Empty list when it holds, else one line per break."""
    breaks: list[str] = []
    for field in fields(ledger):
        value = getattr(ledger, field.name)
        if value < 0:
            breaks.append(f"I1: {field.name} is negative ({format_yuan(value)})")
    left, right = ledger.left_side_fen, ledger.right_side_fen
    if left != right:
        breaks.append(
            "I1: paid − refunded = "
            f"{format_yuan(left)} but settled + prepayment + in transit + loaded − reversal debits "
            f"= {format_yuan(right)} (difference {format_yuan(left - right)})"
        )
    return breaks


def check_i2(committed_counts: Sequence[int], *, first: int = 1) -> list[str]:
    """I2: committed counts are ``first, first+1, ...`` with no gap and no duplicate.

    Order does not matter (the store may list them in any order). ``first`` is 1 for a meter that
    started at count 0; a replacement meter (R19) starts after its own count.
    """
    breaks: list[str] = []
    tally = Counter(committed_counts)
    for count, times in sorted(tally.items()):
        if times > 1:
            breaks.append(f"I2: count {count} committed {times} times")
    if tally:
        low, high = min(tally), max(tally)
        if low < first:
            breaks.append(f"I2: counts start at {low}, expected {first}")
        missing = [n for n in range(first, high + 1) if n not in tally]
        if missing:
            shown = ", ".join(str(n) for n in missing[:10])
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            breaks.append(f"I2: counts missing: {shown}{more}")
    return breaks
