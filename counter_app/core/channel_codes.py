"""Numbers the bank and terminal systems give our refusals, by our own refusal codes.

Our services refuse with stable text codes (``no-record``, ``not-today`` ...); the channels'
systems know numbers. No public specification of those numbers was found; this one table is
seeded from a vending system's MIS link (INTEGRATION.md: 701 terminal not on MIS, 703
reconciliation in progress, 704 no record to reverse, 706 reconciliation already done, 707 only
past days can be reconciled, 709 file transfer error) and is the only place to change them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

CHANNEL_CODES: Final[Mapping[str, int]] = MappingProxyType(
    {
        "not-authorized": 701,  # the terminal is not registered (or not active) here
        "in-progress": 703,  # a reconciliation of this day is being signed off
        "no-record": 704,  # no payment with that serial to reverse or show
        "already-done": 706,  # the day is already reconciled
        "not-a-past-day": 707,  # only past days can be reconciled
        "not-today": 707,  # a reversal by serial is for the same day only (later: R17)
        "file-incomplete": 709,  # the bank file has no trailer: the transfer was cut short
    }
)


def channel_code(refusal: str) -> int | None:
    """The channels' number for one of our refusal codes, None when they have none."""
    return CHANNEL_CODES.get(refusal)
