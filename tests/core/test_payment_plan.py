"""R1-R6 together through plan_payment / plan_offset / plan_card_purchase; R4/R5 channels."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from counter_app.core.allocation import OpenBill
from counter_app.core.channels import (
    Channel,
    is_new_money,
    is_purchase_channel,
    terminal_writes_card,
)
from counter_app.core.eligibility import IneligibleReason, MeterFacts, PurchaseMode
from counter_app.core.payment_plan import (
    PlanError,
    PlannedPurchase,
    Route,
    plan_card_purchase,
    plan_offset,
    plan_payment,
)

METER = MeterFacts(
    meter_id=7,
    is_card_meter=True,
    collection_capable=True,
    mode=PurchaseMode.REMOTE,
    active=True,
    last_committed_count=3,
)
OLD = OpenBill(bill_id=1, issued_on=date(2026, 1, 31), outstanding_fen=3000)
NEW = OpenBill(bill_id=2, issued_on=date(2026, 2, 28), outstanding_fen=2000)
ALL_CHANNELS = list(Channel)
MONEY_CHANNELS = [c for c in Channel if c is not Channel.OFFSET]


def test_r1_r2_r3_clean_payment_becomes_one_purchase_of_whole_prepayment() -> None:
    plan = plan_payment(10000, Channel.COUNTER, [NEW, OLD], prepayment_fen=500, meters=[METER])
    assert plan.allocation.settlements == ((1, 3000), (2, 2000))
    assert plan.route is Route.REMOTE
    assert plan.reason is None
    # R3: whole prepayment (old 500 + new 5000), n = last committed + 1
    assert plan.purchase == PlannedPurchase(meter_id=7, amount_fen=5500, count=4)
    assert plan.prepayment_before_fen == 500
    assert plan.prepayment_after_fen == 0
    assert plan.paid_fen == 10000


def test_r2_payment_that_leaves_arrears_dispatches_nothing() -> None:
    plan = plan_payment(4000, Channel.COUNTER, [OLD, NEW], prepayment_fen=0, meters=[METER])
    assert plan.allocation.settlements == ((1, 3000), (2, 1000))
    assert plan.purchase is None
    assert plan.route is Route.NONE
    assert plan.reason is IneligibleReason.ARREARS_REMAIN
    assert plan.prepayment_after_fen == 0


def test_r2_payment_exactly_clearing_arrears_has_nothing_to_load() -> None:
    plan = plan_payment(5000, Channel.COUNTER, [OLD, NEW], prepayment_fen=0, meters=[METER])
    assert plan.purchase is None
    assert plan.reason is IneligibleReason.NOTHING_TO_LOAD
    assert plan.route is Route.NONE


@pytest.mark.parametrize("channel", [Channel.TRANSFER, Channel.OFFSET])
def test_r4_non_purchase_channels_dispatch_nothing_while_arrears_remain(channel: Channel) -> None:
    plan = plan_payment(1000, channel, [OLD], prepayment_fen=1000, meters=[METER])
    assert plan.purchase is None
    assert plan.reason is IneligibleReason.ARREARS_REMAIN
    assert plan.allocation.arrears_after_fen == 2000


def test_r4_transfer_follows_r1_to_r3_once_no_arrears_remain() -> None:
    plan = plan_payment(1000, Channel.TRANSFER, [], prepayment_fen=0, meters=[METER])
    assert plan.route is Route.REMOTE
    assert plan.purchase == PlannedPurchase(7, 1000, 4)
    assert not is_purchase_channel(Channel.TRANSFER)


def test_r4_offset_spends_prepayment_on_arrears_and_is_not_new_money() -> None:
    plan = plan_payment(3000, Channel.OFFSET, [OLD, NEW], prepayment_fen=3500, meters=[METER])
    assert plan.allocation.settlements == ((1, 3000),)
    assert plan.prepayment_after_fen == 500
    assert plan.paid_fen == 0
    assert plan.reason is IneligibleReason.ARREARS_REMAIN


def test_r4_offset_that_clears_all_arrears_then_dispatches_the_rest() -> None:
    plan = plan_offset([OLD, NEW], prepayment_fen=8000, meters=[METER])
    assert plan is not None
    assert plan.amount_fen == 5000
    assert plan.allocation.arrears_after_fen == 0
    assert plan.purchase == PlannedPurchase(7, 3000, 4)
    assert plan.prepayment_after_fen == 0


def test_r4_offset_with_nothing_to_offset() -> None:
    assert plan_offset([], prepayment_fen=8000, meters=[METER]) is None
    assert plan_offset([OLD], prepayment_fen=0, meters=[METER]) is None


def test_r4_offset_cannot_exceed_prepayment() -> None:
    with pytest.raises(PlanError) as caught:
        plan_payment(3000, Channel.OFFSET, [OLD], prepayment_fen=100, meters=[METER])
    assert caught.value.code == "amount-exceeds-prepayment"


@pytest.mark.parametrize("channel", MONEY_CHANNELS)
def test_r5_every_channel_follows_r1_to_r4(channel: Channel) -> None:
    clean = plan_payment(2000, channel, [], 0, [METER])
    assert clean.route is Route.REMOTE and clean.purchase == PlannedPurchase(7, 2000, 4)
    owing = plan_payment(2000, channel, [OLD], 0, [METER])
    assert owing.purchase is None and owing.reason is IneligibleReason.ARREARS_REMAIN


@pytest.mark.parametrize("channel", ALL_CHANNELS)
def test_r5_r6_every_channel_obeys_the_multi_meter_rule(channel: Channel) -> None:
    second = replace(METER, meter_id=8)
    plan = plan_payment(2000, channel, [], 5000, [METER, second])
    assert plan.purchase is None
    assert plan.reason is IneligibleReason.MULTI_METER
    assert plan.route is Route.CARD
    assert plan.prepayment_after_fen == 5000 + (2000 if is_new_money(channel) else 0)


def test_r5_terminal_writes_the_card_with_the_same_purchase() -> None:
    plan = plan_payment(2000, Channel.TERMINAL, [], 0, [METER])
    assert plan.also_write_card
    assert plan.purchase is not None and plan.purchase.count == 4
    assert terminal_writes_card(Channel.TERMINAL)
    for channel in Channel:
        if channel is not Channel.TERMINAL:
            assert not terminal_writes_card(channel)
            assert not plan_payment(2000, channel, [], 5000, [METER]).also_write_card


def test_r5_purchase_channels() -> None:
    assert {c for c in Channel if is_purchase_channel(c)} == {
        Channel.COUNTER,
        Channel.TERMINAL,
        Channel.BANK,
        Channel.OTHER,
    }
    assert {c for c in Channel if not is_new_money(c)} == {Channel.OFFSET}


def test_channel_accepts_its_string_value() -> None:
    plan = plan_payment(100, "counter", [], 0, [METER])  # type: ignore[arg-type]
    assert plan.channel is Channel.COUNTER


@pytest.mark.parametrize(
    ("meter", "reason", "route"),
    [
        (replace(METER, mode=PurchaseMode.CARD), IneligibleReason.CARD_MODE, Route.CARD),
        (
            replace(METER, collection_capable=False),
            IneligibleReason.NOT_COLLECTION_CAPABLE,
            Route.CARD,
        ),
        (replace(METER, is_card_meter=False), IneligibleReason.NOT_CARD_METER, Route.NONE),
        (replace(METER, active=False), IneligibleReason.NO_ACTIVE_METER, Route.NONE),
        (replace(METER, pending_purchase=True), IneligibleReason.PURCHASE_PENDING, Route.NONE),
    ],
)
def test_r2_money_stays_in_prepayment_with_the_reason(
    meter: MeterFacts, reason: IneligibleReason, route: Route
) -> None:
    plan = plan_payment(2000, Channel.COUNTER, [], 300, [meter])
    assert plan.purchase is None
    assert plan.reason is reason
    assert plan.route is route
    assert plan.prepayment_after_fen == 2300


@pytest.mark.parametrize("amount", [0, -1, 100_000_000])
def test_payment_amount_must_be_within_bounds(amount: int) -> None:
    with pytest.raises(PlanError) as caught:
        plan_payment(amount, Channel.COUNTER, [], 0, [METER])
    assert caught.value.code == "bad-amount"


def test_payment_refuses_negative_prepayment() -> None:
    with pytest.raises(ValueError, match="I1"):
        plan_payment(100, Channel.COUNTER, [], -1, [METER])


def test_r6_card_purchase_of_whole_prepayment_for_the_chosen_meter() -> None:
    second = replace(METER, meter_id=8, last_committed_count=11)
    assert plan_card_purchase(5000, second) == PlannedPurchase(8, 5000, 12)


def test_r6_card_purchase_of_part_of_the_prepayment() -> None:
    assert plan_card_purchase(5000, METER, 1200) == PlannedPurchase(7, 1200, 4)


@pytest.mark.parametrize(
    ("prepayment", "meter", "amount", "code"),
    [
        (0, METER, None, "nothing-to-load"),
        (5000, METER, 6000, "amount-exceeds-prepayment"),
        (5000, METER, 0, "bad-amount"),
        (5000, replace(METER, active=False), None, "meter-inactive"),
        (5000, replace(METER, is_card_meter=False), None, "not-card-meter"),
        (5000, replace(METER, pending_purchase=True), None, "purchase-pending"),
    ],
)
def test_r6_r12a_card_purchase_refusals(
    prepayment: int, meter: MeterFacts, amount: int | None, code: str
) -> None:
    with pytest.raises(PlanError) as caught:
        plan_card_purchase(prepayment, meter, amount)
    assert caught.value.code == code
