"""Control codes, special addresses and the ERR / SERR error words of DL/T 645-2007.

The ERR byte comes with the exception reply of every plain command (D1H, D4H, DCH, ...);
the SERR word comes with C3H, the exception reply of the 03H security commands of
cost-control meters (DLT645 notes §3). Both are bit fields, decoded into named reasons so
that the dispatch result (R7) can say *why* a meter refused.
"""

from __future__ import annotations

import enum

BROADCAST_ADDRESS = "999999999999"
"""Broadcast time (08H) and broadcast freeze (16H) only; meters never answer it."""

WILDCARD_ADDRESS = "AAAAAAAAAAAA"
"""Any meter (缩位寻址): read address, or reads when a single meter is on the bus."""

DIRECTION_REPLY = 0x80
EXCEPTION_FLAG = 0x40
FOLLOW_UP_FLAG = 0x20
FUNCTION_MASK = 0x1F


class Function(enum.IntEnum):
    """Function code, the low 5 bits of the control byte."""

    SECURITY = 0x03
    BROADCAST_TIME = 0x08
    READ = 0x11
    READ_FOLLOW_UP = 0x12
    READ_ADDRESS = 0x13
    WRITE = 0x14
    WRITE_ADDRESS = 0x15
    FREEZE = 0x16
    CHANGE_BAUD = 0x17
    CHANGE_PASSWORD = 0x18
    CLEAR_DEMAND = 0x19
    CLEAR_METER = 0x1A
    CLEAR_EVENTS = 0x1B
    RELAY_CONTROL = 0x1C
    OUTPUT_CONTROL = 0x1D


class ErrFlag(enum.IntFlag):
    """ERR byte of an exception reply to a plain command (DLT645 notes §3.1)."""

    OTHER = 0x01
    NO_DATA = 0x02
    PASSWORD = 0x04
    BAUD_UNCHANGEABLE = 0x08
    TOO_MANY_YEAR_ZONES = 0x10
    TOO_MANY_DAY_PERIODS = 0x20
    TOO_MANY_TARIFFS = 0x40
    RESERVED = 0x80


ERR_REASONS: dict[ErrFlag, str] = {
    ErrFlag.OTHER: "other error",
    ErrFlag.NO_DATA: "no requested data (unknown or unsupported data identifier)",
    ErrFlag.PASSWORD: "wrong password or not authorised",
    ErrFlag.BAUD_UNCHANGEABLE: "baud rate cannot be changed",
    ErrFlag.TOO_MANY_YEAR_ZONES: "too many year zones",
    ErrFlag.TOO_MANY_DAY_PERIODS: "too many day periods",
    ErrFlag.TOO_MANY_TARIFFS: "too many tariffs",
    ErrFlag.RESERVED: "reserved bit 7",
}


class SerrFlag(enum.IntFlag):
    """SERR word of a C3H reply to a 03H security command (DLT645 notes §3.2)."""

    OTHER = 0x0001
    REPEATED_RECHARGE = 0x0002
    ESAM_MAC = 0x0004
    AUTHENTICATION = 0x0008
    CUSTOMER_NUMBER = 0x0010
    PURCHASE_COUNT = 0x0020
    HOARDING_LIMIT = 0x0040
    ADDRESS = 0x0080
    SUSPENDED = 0x0100
    VENDOR_8000 = 0x8000


SERR_REASONS: dict[SerrFlag, str] = {
    SerrFlag.OTHER: "other error",
    SerrFlag.REPEATED_RECHARGE: "repeated recharge (purchase count already applied)",
    SerrFlag.ESAM_MAC: "ESAM verification failed (MAC or key)",
    SerrFlag.AUTHENTICATION: "identity authentication failed or session expired",
    SerrFlag.CUSTOMER_NUMBER: "customer number mismatch",
    SerrFlag.PURCHASE_COUNT: "purchase count error",
    SerrFlag.HOARDING_LIMIT: "purchase would exceed the hoarding limit",
    SerrFlag.ADDRESS: "address abnormal",
    SerrFlag.SUSPENDED: "meter suspended after too many MAC errors",
    SerrFlag.VENDOR_8000: "vendor-specific error bit 15",
}


def describe_err(err: int) -> list[str]:
    """Named reasons of an ERR byte, lowest bit first; ``["no error bit set"]`` for 0."""
    reasons = [text for flag, text in ERR_REASONS.items() if err & flag]
    return reasons or ["no error bit set"]


def describe_serr(serr: int) -> list[str]:
    """Named reasons of a SERR word; unknown bits are reported by value, never dropped."""
    reasons = [text for flag, text in SERR_REASONS.items() if serr & flag]
    known = 0
    for flag in SERR_REASONS:
        known |= flag
    unknown = serr & ~known & 0xFFFF
    if unknown:
        reasons.append(f"unknown bits 0x{unknown:04X}")
    return reasons or ["no error bit set"]


def parse_serr(payload: bytes) -> int:
    """SERR from a C3H data field: two bytes low first, or one byte as some meters send."""
    if len(payload) >= 2:
        return payload[0] | (payload[1] << 8)
    if len(payload) == 1:
        return payload[0]
    return 0
