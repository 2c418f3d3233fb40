"""Money parsing and formatting: integer fen only; every bad input gets its own code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.core.money import (
    MAX_AMOUNT_FEN,
    MONEY_ERROR_CODES,
    MoneyError,
    format_yuan,
    parse_yuan,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("0.01", 1),
        (".5", 50),
        ("12.", 1200),
        (" 1,234.56 ", 123456),
        ("123,456.78", 12345678),
        ("¥12", 1200),
        ("￥ 12.30", 1230),
        ("12元", 1200),
        ("１２．５", 1250),  # full-width digits from a Chinese IME
        ("+7", 700),
        ("007.10", 710),
        ("999999.99", MAX_AMOUNT_FEN),
        ("999,999.99", MAX_AMOUNT_FEN),
    ],
)
def test_parse_accepts_plain_amounts(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("", "empty", "No amount"),
        ("   ", "empty", "No amount"),
        ("-1", "negative", "negative"),
        ("-0.01", "negative", "negative"),
        ("−5", "negative", "negative"),  # unicode minus
        ("1.234", "too-many-decimals", "two decimals"),
        ("1.230", "too-many-decimals", "two decimals"),
        ("abc", "not-a-number", "not an amount"),
        ("12a", "not-a-number", "not an amount"),
        ("1.2.3", "not-a-number", "decimal point"),
        ("12,34", "not-a-number", "threes"),
        ("1,2345", "not-a-number", "threes"),
        ("¥", "not-a-number", "not an amount"),
        ("-", "not-a-number", "not an amount"),
        ("--1", "not-a-number", "not an amount"),
        (".", "not-a-number", "not an amount"),
        ("0x10", "not-a-number", "not an amount"),
        ("1_000", "not-a-number", "not an amount"),
        ("1e5", "exponent", "exponent"),
        ("1E5", "exponent", "exponent"),
        ("2.5e-3", "exponent", "exponent"),
        ("nan", "not-finite", "not a number"),
        ("NaN", "not-finite", "not a number"),
        ("inf", "not-finite", "not a number"),
        ("-Infinity", "not-finite", "not a number"),
        ("99999999999", "too-large", "too large"),
        ("1000000", "too-large", "too large"),
        ("1000000.00", "too-large", "too large"),
        ("0", "zero", "above zero"),
        ("0.00", "zero", "above zero"),
    ],
)
def test_parse_rejects_with_distinct_code_and_clear_message(
    text: str, code: str, words: str
) -> None:
    with pytest.raises(MoneyError) as caught:
        parse_yuan(text)
    assert caught.value.code == code
    assert code in MONEY_ERROR_CODES
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.text == text.strip()


def test_absurdly_long_input_is_too_large_with_a_short_message() -> None:
    with pytest.raises(MoneyError) as caught:
        parse_yuan("9" * 100_000)
    assert caught.value.code == "too-large"
    assert len(str(caught.value)) < 120


def test_every_error_code_is_reachable() -> None:
    samples = ["", "x", "-1", "1.001", "1" * 20, "0", "nan", "1e3"]
    codes = set()
    for sample in samples:
        with pytest.raises(MoneyError) as caught:
            parse_yuan(sample)
        codes.add(caught.value.code)
    assert codes == MONEY_ERROR_CODES


def test_zero_allowed_when_asked() -> None:
    assert parse_yuan("0", allow_zero=True) == 0
    assert parse_yuan("0.00", allow_zero=True) == 0


def test_parse_refuses_non_strings() -> None:
    with pytest.raises(TypeError):
        parse_yuan(12.5)  # type: ignore[arg-type]


def test_money_error_is_a_value_error_with_params() -> None:
    with pytest.raises(ValueError, match="too large") as caught:
        parse_yuan("10000000")
    assert isinstance(caught.value, MoneyError)
    assert caught.value.params["max"] == "999,999.99"


@pytest.mark.parametrize(
    ("fen", "plain", "grouped"),
    [
        (0, "0.00", "0.00"),
        (1, "0.01", "0.01"),
        (10, "0.10", "0.10"),
        (1234, "12.34", "12.34"),
        (123456, "1234.56", "1,234.56"),
        (-1234, "-12.34", "-12.34"),
        (-123456789, "-1234567.89", "-1,234,567.89"),
        (MAX_AMOUNT_FEN, "999999.99", "999,999.99"),
    ],
)
def test_format(fen: int, plain: str, grouped: str) -> None:
    assert format_yuan(fen) == plain
    assert format_yuan(fen, grouping=True) == grouped


@pytest.mark.parametrize("bad", [1.5, "12", True, None])
def test_format_refuses_non_int(bad: object) -> None:
    with pytest.raises(TypeError):
        format_yuan(bad)  # type: ignore[arg-type]


@given(fen=st.integers(min_value=1, max_value=MAX_AMOUNT_FEN), grouping=st.booleans())
def test_format_then_parse_returns_the_same_fen(fen: int, grouping: bool) -> None:
    assert parse_yuan(format_yuan(fen, grouping=grouping)) == fen


@given(fen=st.integers(min_value=0, max_value=MAX_AMOUNT_FEN))
def test_round_trip_including_zero(fen: int) -> None:
    assert parse_yuan(format_yuan(fen), allow_zero=True) == fen


@given(text=st.text(max_size=30))
def test_parse_never_raises_anything_but_money_error(text: str) -> None:
    try:
        fen = parse_yuan(text)
    except MoneyError as error:
        assert error.code in MONEY_ERROR_CODES
    else:
        assert isinstance(fen, int)
        assert 0 < fen <= MAX_AMOUNT_FEN
