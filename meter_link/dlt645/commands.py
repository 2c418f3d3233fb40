"""Payloads of the plain commands: password and operator fields, broadcast time, relay (1CH).

Broadcast time is ``ss mm hh DD MM YY`` — seconds first, as every other field (DLT645
notes §6; the PyPI ``dlt645`` package sends natural order, which a standard meter reads
backwards). Relay control carries ``PA P0 P1 P2 | C0..C3 | N1 N2 ss mm hh DD MM YY``
(§7); with PA = 98H the eight bytes travel as a 16-byte ciphertext plus a 4-byte MAC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from .bcd import byte_to_int, digits_to_bcd_le
from .errors import PayloadError

PASSWORD_LEVEL_CIPHER = 0x98


class RelayCommand(enum.IntEnum):
    """N1 of the relay-control command."""

    TRIP = 0x1A
    ALLOW_CLOSE = 0x1B
    CLOSE = 0x1C
    ALARM = 0x2A
    ALARM_OFF = 0x2B
    KEEP_POWER = 0x3A
    KEEP_POWER_OFF = 0x3B


def password_field(password: str) -> bytes:
    """``PA P0 P1 P2`` from 8 hex digits as printed (``02123456`` = level 02, 123456).

    The level goes first on the wire, then the password low byte first.
    """
    if len(password) != 8:
        raise PayloadError("password must be 8 hex digits: level PA then P2 P1 P0")
    try:
        raw = bytes.fromhex(password)
    except ValueError:
        raise PayloadError(f"password {password!r} is not hex") from None
    return bytes([raw[0], raw[3], raw[2], raw[1]])


def password_text(field: bytes) -> str:
    """Inverse of :func:`password_field`."""
    if len(field) != 4:
        raise PayloadError("password field needs 4 bytes")
    return bytes([field[0], field[3], field[2], field[1]]).hex().upper()


def operator_field(operator: str) -> bytes:
    """Operator code C0..C3 (8 hex digits as printed), low byte first."""
    if len(operator) != 8:
        raise PayloadError("operator code must be 8 hex digits")
    try:
        return bytes(reversed(bytes.fromhex(operator)))
    except ValueError:
        raise PayloadError(f"operator code {operator!r} is not hex") from None


def time_field(moment: datetime) -> bytes:
    """``ss mm hh DD MM YY`` wire bytes of a moment (broadcast time, relay deadline)."""
    return digits_to_bcd_le(
        f"{moment.year % 100:02d}{moment.month:02d}{moment.day:02d}"
        f"{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )


def parse_time_field(raw: bytes) -> datetime:
    """Inverse of :func:`time_field`."""
    if len(raw) != 6:
        raise PayloadError(f"time field has {len(raw)} bytes, expected 6")
    second, minute, hour, day, month, year = (byte_to_int(b) for b in raw)
    try:
        return datetime(2000 + year, month, day, hour, minute, second)
    except ValueError as exc:
        raise PayloadError(f"time field: {exc}") from None


@dataclass(frozen=True, slots=True)
class RelayPlaintext:
    """The eight bytes R1..R8 of a relay command: command, reserved byte, deadline."""

    command: int
    valid_until: datetime
    reserved: int = 0

    def to_bytes(self) -> bytes:
        return bytes([self.command, self.reserved]) + time_field(self.valid_until)

    @classmethod
    def from_bytes(cls, raw: bytes) -> RelayPlaintext:
        if len(raw) != 8:
            raise PayloadError(f"relay command has {len(raw)} bytes, expected 8")
        return cls(raw[0], parse_time_field(raw[2:8]), raw[1])


BAUD_CODES: dict[int, int] = {
    600: 0x02,
    1200: 0x04,
    2400: 0x08,
    4800: 0x10,
    9600: 0x20,
    19200: 0x40,
}
"""17H speed word Z: one bit per rate (DLT645 notes §2). The PyPI ``dlt645`` package
uses 16H/32H/64H for 4800/9600/19200, which standard meters reject."""


def freeze_field(month: int, day: int, hour: int, minute: int) -> bytes:
    """16H freeze time ``mm hh DD MM`` (minute first; 99 = every), low byte first."""
    return digits_to_bcd_le(f"{month:02d}{day:02d}{hour:02d}{minute:02d}")
