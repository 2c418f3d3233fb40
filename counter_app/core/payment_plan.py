"""R1-R6 together: what one payment does, computed before anything is written.

The services turn a :class:`PaymentPlan` into rows in one transaction (bill settlements, the new
prepayment balance, the purchase with its count taken under a row lock). Keeping the decision
pure means the counter, the CLI, bank files and the property tests all share one rule book.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from counter_app.core.allocation import Allocation, OpenBill, allocate
from counter_app.core.channels import Channel, is_new_money, terminal_writes_card
from counter_app.core.eligibility import (
    IneligibleReason,
    MeterFacts,
    adjusted_fee,
    check_remote_eligibility,
    next_purchase_count,
)
from counter_app.core.money import MAX_AMOUNT_FEN


class Route(StrEnum):
    """Where the payment's prepayment goes next."""

    REMOTE = "remote"  # R3: one purchase, dispatched through the collection channel
    CARD = "card"  # R2 card mode / R6 multi-meter: waits in prepayment for a card write
    NONE = "none"  # stays in prepayment: arrears remain, no card meter, nothing to load, ...


#: Reasons for which the money waits for a card purchase (R6, R2 card mode / not reachable).
_CARD_REASONS = frozenset(
    {
        IneligibleReason.MULTI_METER,
        IneligibleReason.CARD_MODE,
        IneligibleReason.NOT_COLLECTION_CAPABLE,
    }
)


class PlanError(ValueError):
    """A payment or card purchase cannot be planned; ``code`` says why (UI translates it).

    Codes: ``bad-amount``, ``amount-exceeds-prepayment``, ``nothing-to-load``,
    ``not-card-meter``, ``meter-inactive``, ``purchase-pending``.
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class PlannedPurchase:
    """R3: one amount bound for one meter with purchase count ``n``."""

    meter_id: int
    amount_fen: int
    count: int


@dataclass(frozen=True)
class PaymentPlan:
    """The outcome of R1-R6 for one payment.

    ``prepayment_after_fen`` is the customer's prepayment once the plan is applied (the purchase,
    if any, has already been taken out of it: that money is "in transit"). ``reason`` is ``None``
    exactly when ``route`` is ``REMOTE``.
    """

    amount_fen: int
    channel: Channel
    allocation: Allocation
    prepayment_before_fen: int
    prepayment_after_fen: int
    purchase: PlannedPurchase | None
    route: Route
    reason: IneligibleReason | None

    @property
    def paid_fen(self) -> int:
        """Fen that count as "paid" for I1: the amount, except for an R4 offset (0)."""
        return self.amount_fen if is_new_money(self.channel) else 0

    @property
    def also_write_card(self) -> bool:
        """R5: a terminal writes the same purchase (same ``n``) to the card as well."""
        return self.purchase is not None and terminal_writes_card(self.channel)


def _check_amount(amount_fen: int, what: str) -> None:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise TypeError(f"{what} must be int fen")
    if amount_fen <= 0 or amount_fen > MAX_AMOUNT_FEN:
        raise PlanError(
            "bad-amount",
            f"{what} must be between 1 and {MAX_AMOUNT_FEN} fen, got {amount_fen}",
            amount_fen=amount_fen,
        )


def plan_payment(
    amount_fen: int,
    channel: Channel,
    open_bills: Sequence[OpenBill],
    prepayment_fen: int,
    meters: Sequence[MeterFacts],
) -> PaymentPlan:
    """Decide where a payment goes (R1-R6).

    1. R1: ``amount_fen`` settles ``open_bills`` oldest first, the rest joins the prepayment.
       For ``Channel.OFFSET`` (R4) the amount is not new money: it is taken out of the existing
       ``prepayment_fen`` (so it must not exceed it) and applied the same way.
    2. R3: the adjusted fee is the whole prepayment after step 1.
    3. R2/R4/R6: if eligible, the adjusted fee becomes one purchase for the single card meter with
       ``n = last committed + 1`` and prepayment drops to zero (``route=REMOTE``). Otherwise the
       money stays in prepayment: ``route=CARD`` when it waits for a card purchase (multi-meter,
       card mode, not reachable), ``route=NONE`` otherwise, with the reason for the receipt.
    """
    _check_amount(amount_fen, "R1: a payment")
    channel = Channel(channel)
    if prepayment_fen < 0:
        raise ValueError(f"I1: prepayment cannot be negative ({prepayment_fen} fen)")
    pool = prepayment_fen
    if not is_new_money(channel):
        if amount_fen > prepayment_fen:
            raise PlanError(
                "amount-exceeds-prepayment",
                f"R4: cannot offset {amount_fen} fen from a prepayment of {prepayment_fen} fen",
                amount_fen=amount_fen,
                prepayment_fen=prepayment_fen,
            )
        pool -= amount_fen
    allocation = allocate(amount_fen, open_bills)
    pool += allocation.to_prepayment
    fee = adjusted_fee(pool)
    eligibility = check_remote_eligibility(meters, allocation.arrears_after_fen, fee)
    if eligibility.eligible:
        assert eligibility.meter_id is not None
        meter = next(m for m in meters if m.meter_id == eligibility.meter_id)
        purchase = PlannedPurchase(
            meter_id=meter.meter_id,
            amount_fen=fee,
            count=next_purchase_count(meter.last_committed_count),
        )
        return PaymentPlan(
            amount_fen=amount_fen,
            channel=channel,
            allocation=allocation,
            prepayment_before_fen=prepayment_fen,
            prepayment_after_fen=pool - fee,
            purchase=purchase,
            route=Route.REMOTE,
            reason=None,
        )
    route = Route.CARD if eligibility.reason in _CARD_REASONS and pool > 0 else Route.NONE
    return PaymentPlan(
        amount_fen=amount_fen,
        channel=channel,
        allocation=allocation,
        prepayment_before_fen=prepayment_fen,
        prepayment_after_fen=pool,
        purchase=None,
        route=route,
        reason=eligibility.reason,
    )


def plan_offset(
    open_bills: Sequence[OpenBill], prepayment_fen: int, meters: Sequence[MeterFacts]
) -> PaymentPlan | None:
    """R4: offset arrears from prepayment as far as it goes; ``None`` if there is nothing to do."""
    arrears = sum(bill.outstanding_fen for bill in open_bills)
    amount = min(arrears, prepayment_fen)
    if amount <= 0:
        return None
    return plan_payment(amount, Channel.OFFSET, open_bills, prepayment_fen, meters)


def plan_card_purchase(
    prepayment_fen: int, meter: MeterFacts, amount_fen: int | None = None
) -> PlannedPurchase:
    """R6/R12: a card purchase from prepayment for the meter the teller chose.

    Multi-meter households (R6) and card-mode meters get their money this way. The amount is the
    whole prepayment unless the teller splits it (``amount_fen``). Refused (``PlanError``) for an
    inactive or non-card meter, a meter with a purchase still pending (R12a: the previous purchase
    must reach the meter first), or an amount that is not within the prepayment.
    """
    if prepayment_fen < 0:
        raise ValueError(f"I1: prepayment cannot be negative ({prepayment_fen} fen)")
    if not meter.active:
        raise PlanError(
            "meter-inactive", f"meter {meter.meter_id} is not active", meter_id=meter.meter_id
        )
    if not meter.is_card_meter:
        raise PlanError(
            "not-card-meter", f"meter {meter.meter_id} is not a card meter", meter_id=meter.meter_id
        )
    if meter.pending_purchase:
        raise PlanError(
            "purchase-pending",
            f"R12a: the previous purchase of meter {meter.meter_id} has not reached the meter",
            meter_id=meter.meter_id,
        )
    amount = prepayment_fen if amount_fen is None else amount_fen
    if amount == 0 and amount_fen is None:
        raise PlanError("nothing-to-load", "R6: no prepayment to write to the card")
    _check_amount(amount, "R6: a card purchase")
    if amount > prepayment_fen:
        raise PlanError(
            "amount-exceeds-prepayment",
            f"R6: {amount} fen exceeds the prepayment of {prepayment_fen} fen",
            amount_fen=amount,
            prepayment_fen=prepayment_fen,
        )
    return PlannedPurchase(
        meter_id=meter.meter_id,
        amount_fen=amount,
        count=next_purchase_count(meter.last_committed_count),
    )
