"""The cash desk's figures: 大写金额, change, large amounts, the hoarding-limit warning (R21)
and the kWh estimate — exact integer arithmetic, table-tested."""

from __future__ import annotations

import pytest

from counter_app.core.desk import (
    DeskError,
    amount_in_capitals,
    change_fen,
    estimated_kwh_hundredths,
    format_kwh,
    hoarding_warning,
    is_large,
    parse_tariff,
)


@pytest.mark.parametrize(
    ("fen", "capitals"),
    [
        (0, "零元整"),
        (50, "零元伍角"),
        (5, "零元零伍分"),
        (55, "零元伍角伍分"),
        (100, "壹元整"),
        (105, "壹元零伍分"),
        (1_000, "壹拾元整"),
        (1_050, "壹拾元伍角"),
        (20_000, "贰佰元整"),
        (100_500, "壹仟零伍元整"),
        (1_005_000, "壹万零伍拾元整"),
        (1_000_000, "壹万元整"),
        (1_234_567, "壹万贰仟叁佰肆拾伍元陆角柒分"),
        (10_000_000, "壹拾万元整"),
        (10_050_000, "壹拾万零伍佰元整"),
        (99_999_999, "玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        (10_500_000, "壹拾万伍仟元整"),
        (30_001_000, "叁拾万零壹拾元整"),
        (20_000_001, "贰拾万元零壹分"),
    ],
)
def test_amount_in_capitals(fen: int, capitals: str) -> None:
    assert amount_in_capitals(fen) == capitals


def test_capitals_refuse_what_no_receipt_can_hold() -> None:
    for bad in (-1, 100_000_000):
        with pytest.raises(DeskError):
            amount_in_capitals(bad)


@pytest.mark.parametrize(
    ("amount", "tendered", "change"),
    [(20_000, 20_000, 0), (17_770, 20_000, 2_230), (1, 10_000, 9_999)],
)
def test_change(amount: int, tendered: int, change: int) -> None:
    assert change_fen(amount, tendered) == change


def test_change_refuses_a_short_tender() -> None:
    with pytest.raises(DeskError) as short:
        change_fen(20_000, 19_999)
    assert short.value.code == "tendered-short"


def test_large_amount_threshold() -> None:
    assert is_large(500_000, 500_000) and not is_large(499_999, 500_000)
    assert not is_large(10**8, 0)  # no threshold configured


def test_hoarding_warning_uses_the_last_known_balance_r21() -> None:
    warning = hoarding_warning(450_000, 60_000, 500_000)
    assert warning is not None
    assert (warning.after_fen, warning.room_fen) == (510_000, 50_000)
    assert hoarding_warning(440_000, 60_000, 500_000) is None  # exactly at the limit is fine
    assert hoarding_warning(None, 60_000, 500_000) is None  # never read: no guess
    assert hoarding_warning(450_000, 60_000, 0) is None  # no limit configured
    assert hoarding_warning(520_000, 100, 500_000) is not None
    assert hoarding_warning(520_000, 100, 500_000).room_fen == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "value"), [("0.5283", 5_283), ("1", 10_000), (".56", 5_600), ("0.48830", None)]
)
def test_tariff(text: str, value: int | None) -> None:
    if value is None:
        with pytest.raises(DeskError):
            parse_tariff(text)
    else:
        assert parse_tariff(text) == value


def test_kwh_estimate_rounds_down() -> None:
    assert format_kwh(estimated_kwh_hundredths(20_000, 5_283)) == "378.57"  # 200 / 0.5283
    assert format_kwh(estimated_kwh_hundredths(100, 10_000)) == "1.00"
    for bad in ("0", "abc", "-1", ""):
        with pytest.raises(DeskError):
            parse_tariff(bad)
