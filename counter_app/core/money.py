"""Money as integer fen (分): parsing what a teller types and formatting what a receipt shows.

Why integers: a float cannot hold 0.10 yuan exactly, and a counter that loses or creates a fen
breaks I1. Every amount in the program, in JSON and in protocol values is an ``int`` of fen;
yuan strings exist only at the edges (input fields, receipts, the CLI).

Why so strict: a mistyped amount becomes a real purchase loaded into a meter. Anything that is not
plainly "a non-negative amount with at most two decimals" is refused with a code the UI can
translate and an English message the CLI can print on one line.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

#: The largest amount a single payment or purchase may carry: 999 999.99 yuan. The meter's
#: display (and so its hoarding limit, R21) cannot show more, so anything above is a typo.
MAX_AMOUNT_FEN: Final = 99_999_999

#: Error codes of :class:`MoneyError` (the UI translates by code).
EMPTY: Final = "empty"
NOT_A_NUMBER: Final = "not-a-number"
NEGATIVE: Final = "negative"
TOO_MANY_DECIMALS: Final = "too-many-decimals"
TOO_LARGE: Final = "too-large"
ZERO: Final = "zero"
NOT_FINITE: Final = "not-finite"  # "nan", "inf", "Infinity": what float() would have accepted
EXPONENT: Final = "exponent"  # "1e5": a float habit; a teller must type the amount in full

MONEY_ERROR_CODES: Final = frozenset(
    {EMPTY, NOT_A_NUMBER, NEGATIVE, TOO_MANY_DECIMALS, TOO_LARGE, ZERO, NOT_FINITE, EXPONENT}
)
_SHOWN_MAX = 24

# After NFKC normalisation (full-width digits typed through a Chinese IME become ASCII) an amount
# is: digits, optionally grouped by commas in threes, optionally a point and decimals.
_PLAIN_INT = r"[0-9]+"
_GROUPED_INT = r"[0-9]{1,3}(?:,[0-9]{3})+"
_AMOUNT = re.compile(rf"^(?P<int>{_GROUPED_INT}|{_PLAIN_INT})?(?:\.(?P<dec>[0-9]*))?$")
_EXPONENT_FORM = re.compile(r"^(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+$")
_CURRENCY_PREFIXES = ("¥", "￥", "RMB", "CNY")
_CURRENCY_SUFFIXES = ("元",)
_MINUS_SIGNS = ("-", "−", "－")
# Integer part longer than this is "absurd" without converting it (int() of a huge string is slow).
_MAX_INT_DIGITS = len(str(MAX_AMOUNT_FEN // 100))


class MoneyError(ValueError):
    """An amount string was refused.

    ``code`` is one of :data:`MONEY_ERROR_CODES`; ``text`` is what was typed; ``str(error)`` is a
    one-line English message for the CLI and the log.
    """

    def __init__(self, code: str, text: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.text = text
        self.message = message

    @property
    def params(self) -> dict[str, object]:
        """Fields for a translated message (named placeholders)."""
        return {"text": self.text, "max": format_yuan(MAX_AMOUNT_FEN, grouping=True)}


def _strip_currency(s: str) -> str:
    for prefix in _CURRENCY_PREFIXES:
        if s.upper().startswith(prefix):
            s = s[len(prefix) :].strip()
            break
    for suffix in _CURRENCY_SUFFIXES:
        if s.endswith(suffix):
            s = s[: -len(suffix)].strip()
            break
    return s


def parse_yuan(text: str, *, allow_zero: bool = False) -> int:
    """Parse a yuan amount typed by a person into integer fen.

    Accepted: ``"12"``, ``"12.5"``, ``"12.50"``, ``".5"``, ``" 1,234.56 "``, ``"¥12"``,
    ``"12元"``, full-width digits. Refused, each with its own code: empty input (``empty``);
    ``"nan"``/``"inf"`` (``not-finite``); ``"1e5"`` (``exponent``); anything else that is not a
    plain decimal number: letters, two points, bad digit grouping (``not-a-number``); negatives;
    more than two decimals (also ``"1.230"``: a third decimal is a typo at a
    counter), more than :data:`MAX_AMOUNT_FEN`, and zero unless ``allow_zero``.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_yuan expects str, got {type(text).__name__}")
    stripped = text.strip()
    # The message stays one short line even for a pasted novel.
    shown = stripped if len(stripped) <= _SHOWN_MAX else stripped[: _SHOWN_MAX - 1] + "…"
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        raise MoneyError(EMPTY, stripped, "No amount entered.")
    s = _strip_currency(s)
    negative = s.startswith(_MINUS_SIGNS)
    if negative or s.startswith("+"):
        s = s[1:].strip()
    if not s:
        raise MoneyError(NOT_A_NUMBER, stripped, f"{shown!r} is not an amount.")
    match = _AMOUNT.match(s)
    if match is None or (match.group("int") is None and not match.group("dec")):
        if s.lower() in ("nan", "inf", "infinity", "snan"):
            raise MoneyError(NOT_FINITE, stripped, f"{shown!r} is not an amount: not a number.")
        if _EXPONENT_FORM.match(s):
            raise MoneyError(
                EXPONENT,
                stripped,
                f"{shown!r} is not an amount: exponent notation is not accepted; "
                "type the amount in full.",
            )
        if s.count(".") > 1:
            detail = "more than one decimal point"
        elif "," in s:
            detail = "digit grouping must be in threes, like 1,234.56"
        else:
            detail = "only digits and one decimal point are accepted"
        raise MoneyError(NOT_A_NUMBER, stripped, f"{shown!r} is not an amount: {detail}.")
    int_part = (match.group("int") or "0").replace(",", "")
    dec_part = match.group("dec") or ""
    if negative and (int(int_part) > 0 or dec_part.strip("0")):
        raise MoneyError(NEGATIVE, stripped, f"{shown!r}: an amount cannot be negative.")
    if len(dec_part) > 2:
        raise MoneyError(
            TOO_MANY_DECIMALS, stripped, f"{shown!r}: at most two decimals (fen) are accepted."
        )
    significant = int_part.lstrip("0")
    too_large = MoneyError(
        TOO_LARGE,
        stripped,
        f"{shown!r} is too large: the most is {format_yuan(MAX_AMOUNT_FEN, grouping=True)} yuan.",
    )
    if len(significant) > _MAX_INT_DIGITS:
        raise too_large
    fen = int(int_part) * 100 + int(dec_part.ljust(2, "0"))
    if fen > MAX_AMOUNT_FEN:
        raise too_large
    if fen == 0 and not allow_zero:
        raise MoneyError(ZERO, stripped, f"{shown!r}: the amount must be above zero.")
    return fen


def format_yuan(fen: int, *, grouping: bool = False) -> str:
    """Format integer fen as yuan with exactly two decimals: ``1234 -> "12.34"``.

    Negative amounts are formatted (``"-12.34"``) because balances, reversal debits and
    differences can be negative; ``grouping`` adds thousands commas for receipts and reports.
    The result always parses back to the same fen with :func:`parse_yuan` when non-negative.
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"format_yuan expects int fen, got {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    whole = f"{yuan:,}" if grouping else str(yuan)
    return f"{sign}{whole}.{cents:02d}"
