"""R2 eligibility for remote dispatch, R3 adjusted fee and purchase count, R6 multi-meter.

The decision is made from plain facts about the customer's meters (:class:`MeterFacts`) so that
the same function serves the counter, the terminals, bank files and the review of business
changes. When the answer is "no", the reason travels to the receipt (R2: "the receipt says why").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class PurchaseMode(StrEnum):
    """Per-meter purchase mode (R2, R18)."""

    REMOTE = "remote"
    CARD = "card"


@dataclass(frozen=True)
class MeterFacts:
    """What R2/R3/R6 need to know about one meter of the customer.

    ``pending_purchase`` (ours, an addition to R2): the meter already has a purchase that is
    neither loaded nor reversed. The meter accepts purchase ``n`` only when its count is ``n-1``,
    so a second purchase would get the same ``n`` (I2) or could never load; the money waits in
    prepayment until the pending one is resolved (compare R12a for cards).
    """

    meter_id: int
    is_card_meter: bool
    collection_capable: bool
    mode: PurchaseMode
    active: bool
    last_committed_count: int
    pending_purchase: bool = False


class IneligibleReason(StrEnum):
    """Why money stayed in prepayment instead of being dispatched (R2, R4, R6)."""

    ARREARS_REMAIN = "arrears-remain"
    NO_ACTIVE_METER = "no-active-meter"
    MULTI_METER = "multi-meter"
    NOT_CARD_METER = "not-card-meter"
    NOT_COLLECTION_CAPABLE = "not-collection-capable"
    CARD_MODE = "card-mode"
    PURCHASE_PENDING = "purchase-pending"
    NOTHING_TO_LOAD = "nothing-to-load"


#: English text for each reason, for the CLI and logs (the UI translates by code).
REASON_TEXT: dict[IneligibleReason, str] = {
    IneligibleReason.ARREARS_REMAIN: "arrears remain after this payment; nothing is dispatched",
    IneligibleReason.NO_ACTIVE_METER: "the customer has no active meter",
    IneligibleReason.MULTI_METER: (
        "the customer has several card meters; the card is written at the next card purchase"
    ),
    IneligibleReason.NOT_CARD_METER: "the customer's meter is not a card meter",
    IneligibleReason.NOT_COLLECTION_CAPABLE: "the meter cannot be reached by the collection system",
    IneligibleReason.CARD_MODE: "the meter is in card mode; the purchase is written to the card",
    IneligibleReason.PURCHASE_PENDING: (
        "an earlier purchase for this meter has not reached the meter yet"
    ),
    IneligibleReason.NOTHING_TO_LOAD: "no prepayment left to load",
}


@dataclass(frozen=True)
class Eligibility:
    """Answer of :func:`check_remote_eligibility`.

    ``meter_id`` names the customer's single active card meter whenever there is one, even when
    not eligible (a card-mode meter still gets its purchase by card); ``None`` otherwise.
    """

    eligible: bool
    reason: IneligibleReason | None
    meter_id: int | None


def active_card_meters(meters: Sequence[MeterFacts]) -> list[MeterFacts]:
    """The meters that count for R2's "exactly one active card meter" and R6."""
    return [m for m in meters if m.active and m.is_card_meter]


def check_remote_eligibility(
    meters: Sequence[MeterFacts], arrears_after_fen: int, adjusted_fee_fen: int
) -> Eligibility:
    """R2: may the adjusted fee be dispatched remotely? If not, why.

    Checked in this order, the first failing one is the reason: arrears left after R1 (R2, R4);
    an active meter exists; exactly one active card meter (R6: several are never dispatched);
    that meter is a card meter, collection-capable, in remote mode; no purchase of it is pending
    (ours, see :class:`MeterFacts`); the adjusted fee (R3) is above zero.
    """
    if arrears_after_fen < 0 or adjusted_fee_fen < 0:
        raise ValueError("R2: arrears and adjusted fee cannot be negative")
    card_meters = active_card_meters(meters)
    meter_id = card_meters[0].meter_id if len(card_meters) == 1 else None

    def no(reason: IneligibleReason) -> Eligibility:
        return Eligibility(eligible=False, reason=reason, meter_id=meter_id)

    if arrears_after_fen > 0:
        return no(IneligibleReason.ARREARS_REMAIN)
    if not any(m.active for m in meters):
        return no(IneligibleReason.NO_ACTIVE_METER)
    if len(card_meters) > 1:
        return no(IneligibleReason.MULTI_METER)
    if not card_meters:
        return no(IneligibleReason.NOT_CARD_METER)
    meter = card_meters[0]
    if not meter.collection_capable:
        return no(IneligibleReason.NOT_COLLECTION_CAPABLE)
    if meter.mode is not PurchaseMode.REMOTE:
        return no(IneligibleReason.CARD_MODE)
    if meter.pending_purchase:
        return no(IneligibleReason.PURCHASE_PENDING)
    if adjusted_fee_fen <= 0:
        return no(IneligibleReason.NOTHING_TO_LOAD)
    return Eligibility(eligible=True, reason=None, meter_id=meter.meter_id)


def adjusted_fee(prepayment_fen: int) -> int:
    """R3: the adjusted fee is the whole prepayment balance (after R1 has run)."""
    if prepayment_fen < 0:
        raise ValueError(f"R3: prepayment cannot be negative ({prepayment_fen} fen)")
    return prepayment_fen


def next_purchase_count(last_committed_count: int) -> int:
    """R3: a new purchase for a meter carries ``n = last committed count + 1``.

    The meter accepts purchase ``n`` only when its own count is ``n-1`` (Terms); I2 keeps the
    committed counts 1, 2, 3, ... so the next one is always one more than the last.
    """
    if last_committed_count < 0:
        raise ValueError(f"I2: a purchase count cannot be negative ({last_committed_count})")
    return last_committed_count + 1
