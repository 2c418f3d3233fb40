"""The data identifiers a cost-control counter needs, in one table with their formats.

Values are integers in the unit the table names — fen for money (``XXXXXX.XX`` yuan is the
integer of its digits), 0.01 kWh for energy, counts as counts, status words as the binary
word — strings for numbers printed on a nameplate, ``date``/``time`` for the clock. Never a
float (house rule). Source: DLT645 notes §5.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, time

from .bcd import bcd_le_to_digits, bcd_le_to_int, byte_to_int, digits_to_bcd_le, int_to_bcd_le
from .errors import PayloadError

DIValue = int | str | date | time | tuple[int, ...]


class Kind(enum.Enum):
    """How the bytes of a value are laid out."""

    BCD = "bcd"  # unsigned BCD integer, low byte first
    SIGNED_BCD = "signed-bcd"  # BCD with the top bit of the high byte as the sign
    BCD_BLOCK = "bcd-block"  # several BCD items of ``length`` bytes each
    DIGITS = "digits"  # a printed number (meter no., customer no.), as a string
    DATE_WEEK = "date-week"  # YYMMDDWW
    TIME = "time"  # hhmmss
    WORD = "word"  # binary bit field, low byte first (status words)
    DATETIME5 = "datetime5"  # YYMMDDhhmm, returned as the 10 digits YYMMDDhhmm
    RECORD = "record"  # BCD fields of the widths in ``fields``, as a tuple of integers


@dataclass(frozen=True, slots=True)
class DataId:
    """One data identifier: number, name, layout and unit of the integer value."""

    di: int
    name: str
    kind: Kind
    length: int
    unit: str
    writable: bool = False
    items: int = 1
    fields: tuple[int, ...] = ()

    @property
    def code(self) -> str:
        """The identifier as written in the standard, e.g. ``00900200``."""
        return f"{self.di:08X}"

    @property
    def size(self) -> int:
        """Bytes of the whole value on the wire."""
        return sum(self.fields) if self.fields else self.length * self.items

    def decode(self, raw: bytes) -> DIValue:
        """The value of the unscrambled bytes that follow the DI in a reply."""
        if len(raw) != self.size:
            raise PayloadError(f"{self.code} {self.name}: {len(raw)} bytes, expected {self.size}")
        if self.kind is Kind.BCD:
            return bcd_le_to_int(raw)
        if self.kind is Kind.SIGNED_BCD:
            negative = bool(raw[-1] & 0x80)
            value = bcd_le_to_int(raw[:-1] + bytes([raw[-1] & 0x7F]))
            return -value if negative else value
        if self.kind is Kind.BCD_BLOCK:
            return tuple(
                bcd_le_to_int(raw[i : i + self.length]) for i in range(0, self.size, self.length)
            )
        if self.kind is Kind.RECORD:
            values, at = [], 0
            for width in self.fields:
                values.append(bcd_le_to_int(raw[at : at + width]))
                at += width
            return tuple(values)
        if self.kind in (Kind.DIGITS, Kind.DATETIME5):
            return bcd_le_to_digits(raw)
        if self.kind is Kind.DATE_WEEK:
            _week, day, month, year = (byte_to_int(b) for b in raw)
            try:
                return date(2000 + year, month, day)
            except ValueError as exc:
                raise PayloadError(f"{self.code}: {exc}") from None
        if self.kind is Kind.TIME:
            second, minute, hour = (byte_to_int(b) for b in raw)
            try:
                return time(hour, minute, second)
            except ValueError as exc:
                raise PayloadError(f"{self.code}: {exc}") from None
        return int.from_bytes(raw, "little")  # Kind.WORD

    def encode(self, value: DIValue) -> bytes:
        """The wire bytes (before +33H) of ``value``."""
        if self.kind is Kind.BCD and isinstance(value, int):
            return int_to_bcd_le(value, self.length)
        if self.kind is Kind.SIGNED_BCD and isinstance(value, int):
            raw = bytearray(int_to_bcd_le(abs(value), self.length))
            if raw[-1] & 0x80:
                raise PayloadError(f"{value} does not fit in {self.code}")
            if value < 0:
                raw[-1] |= 0x80
            return bytes(raw)
        if self.kind is Kind.BCD_BLOCK and isinstance(value, tuple):
            if len(value) != self.items:
                raise PayloadError(f"{self.code} needs {self.items} items")
            return b"".join(int_to_bcd_le(v, self.length) for v in value)
        if self.kind is Kind.RECORD and isinstance(value, tuple):
            if len(value) != len(self.fields):
                raise PayloadError(f"{self.code} needs {len(self.fields)} fields")
            return b"".join(int_to_bcd_le(v, w) for v, w in zip(value, self.fields, strict=True))
        if self.kind in (Kind.DIGITS, Kind.DATETIME5) and isinstance(value, str):
            if len(value) != 2 * self.size:
                raise PayloadError(f"{self.code} needs {2 * self.size} digits")
            return digits_to_bcd_le(value)
        if self.kind is Kind.DATE_WEEK and isinstance(value, date):
            week = (value.weekday() + 1) % 7  # DL/T 645: 0 = Sunday
            return digits_to_bcd_le(
                f"{value.year % 100:02d}{value.month:02d}{value.day:02d}{week:02d}"
            )
        if self.kind is Kind.TIME and isinstance(value, time):
            return digits_to_bcd_le(f"{value.hour:02d}{value.minute:02d}{value.second:02d}")
        if self.kind is Kind.WORD and isinstance(value, int):
            if not 0 <= value < 1 << (8 * self.length):
                raise PayloadError(f"{value} does not fit in {self.code}")
            return value.to_bytes(self.length, "little")
        raise PayloadError(f"{self.code} ({self.kind.value}) cannot hold {value!r}")


def _t(di: int, name: str, kind: Kind, length: int, unit: str, **kw: object) -> DataId:
    return DataId(di, name, kind, length, unit, **kw)  # type: ignore[arg-type]


TABLE: tuple[DataId, ...] = (
    _t(0x00000000, "combined active energy", Kind.SIGNED_BCD, 4, "0.01 kWh"),
    _t(0x00010000, "forward active energy", Kind.BCD, 4, "0.01 kWh"),
    _t(0x0001FF00, "forward active energy block", Kind.BCD_BLOCK, 4, "0.01 kWh", items=5),
    _t(0x00900200, "remaining balance", Kind.BCD, 4, "fen"),
    _t(0x00900201, "overdraft", Kind.BCD, 4, "fen"),
    _t(0x009002FF, "balance and overdraft block", Kind.BCD_BLOCK, 4, "fen", items=2),
    _t(0x03330101, "last purchase time", Kind.DATETIME5, 5, "YYMMDDhhmm"),
    _t(0x03330201, "purchase count", Kind.BCD, 2, "count"),
    _t(0x03330301, "last purchase amount", Kind.BCD, 4, "fen"),
    _t(0x03330401, "balance before last purchase", Kind.BCD, 4, "fen"),
    _t(0x03330501, "balance after last purchase", Kind.BCD, 4, "fen"),
    _t(0x03330601, "cumulative purchased", Kind.BCD, 4, "fen"),
    _t(
        0x0333FF01,
        "last purchase record block",
        Kind.RECORD,
        0,
        "YYMMDDhhmm, count, fen x4",
        fields=(5, 2, 4, 4, 4, 4),
    ),
    _t(0x04001001, "alarm amount 1", Kind.BCD, 4, "fen", writable=True),
    _t(0x04001002, "alarm amount 2", Kind.BCD, 4, "fen", writable=True),
    _t(0x04001003, "overdraft limit", Kind.BCD, 4, "fen", writable=True),
    _t(0x04001004, "hoarding limit", Kind.BCD, 4, "fen", writable=True),
    _t(0x04001005, "reconnect limit", Kind.BCD, 4, "fen", writable=True),
    _t(0x02800020, "current price", Kind.BCD, 4, "0.0001 yuan/kWh"),
    _t(0x02800022, "session time left", Kind.BCD, 2, "min"),
    _t(0x04000101, "date", Kind.DATE_WEEK, 4, "date"),
    _t(0x04000102, "time", Kind.TIME, 3, "time"),
    _t(0x04000401, "communication address", Kind.DIGITS, 6, "digits"),
    _t(0x04000402, "meter number", Kind.DIGITS, 6, "digits"),
    _t(0x0400040E, "customer number", Kind.DIGITS, 6, "digits"),
    _t(0x04000503, "status word 3", Kind.WORD, 2, "bits"),
)

PURCHASE_RECORD_FIELDS: tuple[tuple[int, str, Kind, int, str], ...] = (
    (0x01, "purchase time", Kind.DATETIME5, 5, "YYMMDDhhmm"),
    (0x02, "count after purchase", Kind.BCD, 2, "count"),
    (0x03, "purchase amount", Kind.BCD, 4, "fen"),
    (0x04, "balance before purchase", Kind.BCD, 4, "fen"),
    (0x05, "balance after purchase", Kind.BCD, 4, "fen"),
    (0x06, "cumulative purchased after purchase", Kind.BCD, 4, "fen"),
)
"""Purchase event records 0333FFnn: field FF of the n-th last purchase (n = 1..10)."""

TABLE = TABLE + tuple(
    _t(0x03330000 | (field_no << 8) | n, f"{name} (purchase -{n})", kind, length, unit)
    for n in range(2, 11)
    for field_no, name, kind, length, unit in PURCHASE_RECORD_FIELDS
)

BY_DI: dict[int, DataId] = {item.di: item for item in TABLE}

ALIASES: dict[str, int] = {
    "energy": 0x00000000,
    "forward-energy": 0x00010000,
    "balance": 0x00900200,
    "overdraft": 0x00900201,
    "money-block": 0x009002FF,
    "last-purchase-record": 0x0333FF01,
    "purchase-count": 0x03330201,
    "last-purchase": 0x03330301,
    "last-purchase-time": 0x03330101,
    "cumulative-purchased": 0x03330601,
    "alarm1": 0x04001001,
    "alarm2": 0x04001002,
    "overdraft-limit": 0x04001003,
    "hoarding-limit": 0x04001004,
    "reconnect-limit": 0x04001005,
    "price": 0x02800020,
    "date": 0x04000101,
    "time": 0x04000102,
    "address": 0x04000401,
    "meter-number": 0x04000402,
    "customer-number": 0x0400040E,
    "status3": 0x04000503,
}

# Status word 3 (04000503) bits used by cost-control logic (DLT645 notes §5).
STATUS3_RELAY_OPEN = 1 << 4
STATUS3_RELAY_COMMAND_TRIP = 1 << 6
STATUS3_PRE_TRIP_ALARM = 1 << 7
STATUS3_MONEY_PREPAID = 0b10 << 8
STATUS3_KEEP_POWER = 1 << 12
STATUS3_SESSION_VALID = 1 << 13
STATUS3_LOCAL_NOT_OPENED = 1 << 14
STATUS3_REMOTE_NOT_OPENED = 1 << 15


def lookup(item: str | int) -> DataId:
    """A table entry by alias (``balance``), by code (``00900200``) or by number."""
    if isinstance(item, int):
        di = item
    elif item.lower() in ALIASES:
        di = ALIASES[item.lower()]
    else:
        try:
            di = int(item, 16)
        except ValueError:
            raise KeyError(f"unknown data item {item!r}") from None
    try:
        return BY_DI[di]
    except KeyError:
        raise KeyError(f"data identifier {di:08X} is not in the table") from None
