"""Figures of the cash desk: change, the large-amount check, the hoarding-limit warning, the
kWh a purchase buys, and the amount in Chinese capitals (大写金额) for receipts.

Pure integer arithmetic on fen (no floats): a teller's change and a receipt's capitals must
be exact to the fen. The hoarding-limit warning uses what the counter last knew of the
meter's balance; the meter itself decides (R21), the warning only lets the teller ask the
customer before taking the money.
"""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.core.money import MAX_AMOUNT_FEN

TARIFF_SCALE = 10_000
"""Tariffs are held in 1/10000 yuan per kWh (0.5283 yuan/kWh is 5283): exact, no floats."""


class DeskError(ValueError):
    """A desk figure that cannot be computed; ``code`` names why (the UI translates it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def change_fen(amount_fen: int, tendered_fen: int) -> int:
    """找零: what the customer gets back; refused when less than the amount is tendered."""
    if amount_fen <= 0 or tendered_fen < 0:
        raise DeskError("bad-amount", "amounts must be positive fen")
    if tendered_fen < amount_fen:
        raise DeskError(
            "tendered-short", f"tendered {tendered_fen} fen is less than {amount_fen} fen"
        )
    return tendered_fen - amount_fen


def is_large(amount_fen: int, threshold_fen: int) -> bool:
    """A payment at or above the hall's threshold needs a second, explicit confirmation."""
    return threshold_fen > 0 and amount_fen >= threshold_fen


@dataclass(frozen=True)
class HoardingWarning:
    """The purchase would take the meter's balance past its hoarding limit (R21)."""

    balance_fen: int
    purchase_fen: int
    limit_fen: int

    @property
    def after_fen(self) -> int:
        return self.balance_fen + self.purchase_fen

    @property
    def room_fen(self) -> int:
        """The most this meter can take now."""
        return max(self.limit_fen - self.balance_fen, 0)


def hoarding_warning(
    balance_fen: int | None, purchase_fen: int, limit_fen: int
) -> HoardingWarning | None:
    """A warning when the last known balance plus the purchase passes the limit, else None.

    Unknown balance (never read) or no configured limit (0): no warning — the counter does
    not guess.
    """
    if balance_fen is None or limit_fen <= 0 or purchase_fen <= 0:
        return None
    if balance_fen + purchase_fen <= limit_fen:
        return None
    return HoardingWarning(balance_fen, purchase_fen, limit_fen)


def parse_tariff(text: str) -> int:
    """A tariff in yuan per kWh ("0.5283") as 1/10000 yuan (5283); at most four decimals."""
    s = text.strip()
    whole, _, decimals = s.partition(".")
    if not s or not (whole or decimals) or not (whole or "0").isdigit():
        raise DeskError("bad-tariff", f"{text!r} is not a tariff in yuan per kWh")
    if decimals and (not decimals.isdigit() or len(decimals) > 4):
        raise DeskError("bad-tariff", f"{text!r}: at most four decimals")
    value = int(whole or "0") * TARIFF_SCALE + int(decimals.ljust(4, "0") or "0")
    if value <= 0:
        raise DeskError("bad-tariff", f"{text!r}: the tariff must be above zero")
    return value


def estimated_kwh_hundredths(amount_fen: int, tariff: int) -> int:
    """The kWh ``amount_fen`` buys at ``tariff`` (1/10000 yuan per kWh), in 0.01 kWh, rounded
    down: an estimate (the meter's tariff and steps decide)."""
    if tariff <= 0:
        raise DeskError("bad-tariff", "the tariff must be above zero")
    # fen → 1/10000 yuan is ×100; hundredths of kWh is another ×100
    return amount_fen * 100 * 100 // tariff


def format_kwh(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿")


def _four_digits(n: int) -> str:
    """0 < n < 10000 in capitals with its inner zeros (1005 → 壹仟零伍)."""
    out = ""
    zero = False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[d] + _SMALL_UNITS[pos]
    return out


def _integer_capitals(n: int) -> str:
    if n == 0:
        return ""
    groups = []
    while n:
        groups.append(n % 10_000)
        n //= 10_000
    out = ""
    need_zero = False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or g < 1000):
            out += "零"
        out += _four_digits(g) + _BIG_UNITS[i]
        need_zero = False
    return out


def amount_in_capitals(fen: int) -> str:
    """大写金额 as Chinese receipts write it: 10050.00 → 壹万零伍拾元整, 0.50 → 零元伍角,
    1.05 → 壹元零伍分, 0 → 零元整.

    Rules of the financial capitals: a run of zeros inside the number is one 零; a missing
    角 before a 分 is 零; a whole amount ends in 整.
    """
    if fen < 0 or fen > MAX_AMOUNT_FEN:
        raise DeskError("bad-amount", f"{fen} fen cannot be written in capitals")
    yuan, rest = divmod(fen, 100)
    jiao, fen_part = divmod(rest, 10)
    head = _integer_capitals(yuan) or "零"
    out = head + "元"
    if jiao == 0 and fen_part == 0:
        return out + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    else:
        out += "零"
    if fen_part:
        out += _DIGITS[fen_part] + "分"
    return out
