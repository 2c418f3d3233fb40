"""R2 eligibility (each reason), R3 adjusted fee and purchase count, R6 multi-meter."""

from __future__ import annotations

from dataclasses import replace

import pytest

from counter_app.core.eligibility import (
    REASON_TEXT,
    IneligibleReason,
    MeterFacts,
    PurchaseMode,
    adjusted_fee,
    check_remote_eligibility,
    next_purchase_count,
)

REMOTE_METER = MeterFacts(
    meter_id=1,
    is_card_meter=True,
    collection_capable=True,
    mode=PurchaseMode.REMOTE,
    active=True,
    last_committed_count=4,
)


def test_r2_all_conditions_hold_eligible_for_the_single_card_meter() -> None:
    result = check_remote_eligibility([REMOTE_METER], arrears_after_fen=0, adjusted_fee_fen=500)
    assert result.eligible
    assert result.reason is None
    assert result.meter_id == 1


def test_r2_arrears_remain_after_r1() -> None:
    result = check_remote_eligibility([REMOTE_METER], arrears_after_fen=1, adjusted_fee_fen=500)
    assert not result.eligible
    assert result.reason is IneligibleReason.ARREARS_REMAIN


def test_r2_arrears_is_reported_before_meter_problems() -> None:
    card_mode = replace(REMOTE_METER, mode=PurchaseMode.CARD)
    result = check_remote_eligibility([card_mode], arrears_after_fen=100, adjusted_fee_fen=0)
    assert result.reason is IneligibleReason.ARREARS_REMAIN


@pytest.mark.parametrize(
    "meters",
    [[], [replace(REMOTE_METER, active=False)]],
    ids=["no-meter", "inactive-meter"],
)
def test_r2_no_active_meter(meters: list[MeterFacts]) -> None:
    result = check_remote_eligibility(meters, 0, 500)
    assert result.reason is IneligibleReason.NO_ACTIVE_METER
    assert result.meter_id is None


def test_r2_not_a_card_meter() -> None:
    plain = replace(REMOTE_METER, is_card_meter=False)
    result = check_remote_eligibility([plain], 0, 500)
    assert result.reason is IneligibleReason.NOT_CARD_METER
    assert result.meter_id is None


def test_r2_not_collection_capable() -> None:
    meter = replace(REMOTE_METER, collection_capable=False)
    result = check_remote_eligibility([meter], 0, 500)
    assert result.reason is IneligibleReason.NOT_COLLECTION_CAPABLE
    assert result.meter_id == 1


def test_r2_card_mode() -> None:
    meter = replace(REMOTE_METER, mode=PurchaseMode.CARD)
    result = check_remote_eligibility([meter], 0, 500)
    assert result.reason is IneligibleReason.CARD_MODE
    assert result.meter_id == 1


def test_r2_adjusted_fee_must_be_above_zero() -> None:
    result = check_remote_eligibility([REMOTE_METER], 0, 0)
    assert result.reason is IneligibleReason.NOTHING_TO_LOAD


def test_r2_ours_pending_purchase_blocks_a_second_one() -> None:
    meter = replace(REMOTE_METER, pending_purchase=True)
    result = check_remote_eligibility([meter], 0, 500)
    assert result.reason is IneligibleReason.PURCHASE_PENDING


def test_r6_multi_meter_never_remote_even_if_every_meter_qualifies() -> None:
    second = replace(REMOTE_METER, meter_id=2)
    result = check_remote_eligibility([REMOTE_METER, second], 0, 500)
    assert not result.eligible
    assert result.reason is IneligibleReason.MULTI_METER
    assert result.meter_id is None


def test_r6_inactive_or_non_card_meters_do_not_make_a_multi_meter_household() -> None:
    old = replace(REMOTE_METER, meter_id=2, active=False)
    plain = replace(REMOTE_METER, meter_id=3, is_card_meter=False)
    result = check_remote_eligibility([old, REMOTE_METER, plain], 0, 500)
    assert result.eligible
    assert result.meter_id == 1


def test_r2_negative_figures_are_refused() -> None:
    with pytest.raises(ValueError, match="R2"):
        check_remote_eligibility([REMOTE_METER], -1, 500)


def test_every_reason_has_english_text() -> None:
    assert set(REASON_TEXT) == set(IneligibleReason)


@pytest.mark.parametrize("prepayment", [0, 1, 12345, 99_999_999])
def test_r3_adjusted_fee_is_the_whole_prepayment(prepayment: int) -> None:
    assert adjusted_fee(prepayment) == prepayment


def test_r3_adjusted_fee_refuses_negative_prepayment() -> None:
    with pytest.raises(ValueError, match="R3"):
        adjusted_fee(-1)


@pytest.mark.parametrize(("last", "n"), [(0, 1), (1, 2), (41, 42)])
def test_r3_purchase_count_is_last_committed_plus_one(last: int, n: int) -> None:
    assert next_purchase_count(last) == n


def test_r3_purchase_count_refuses_negative() -> None:
    with pytest.raises(ValueError):
        next_purchase_count(-1)
