"""Packed-BCD helpers, low byte first as DL/T 645-2007 sends every multi-byte field.

Money, energy and counts stay integers (fen, 0.01 kWh, counts): a value ``XXXXXX.XX``
is read as the integer of its eight digits, so 1206.42 kWh is ``120642`` and 100.00 yuan
is ``10000`` fen. No float ever appears.
"""

from __future__ import annotations

from .errors import NotBcdError, PayloadError


def bcd_byte(value: int) -> int:
    """One byte holding two decimal digits (0..99)."""
    if not 0 <= value <= 99:
        raise PayloadError(f"{value} does not fit in one BCD byte")
    return ((value // 10) << 4) | (value % 10)


def byte_to_int(byte: int) -> int:
    """The two decimal digits of one BCD byte."""
    high, low = byte >> 4, byte & 0x0F
    if high > 9 or low > 9:
        raise NotBcdError(f"byte {byte:02X} is not BCD")
    return high * 10 + low


def int_to_bcd_le(value: int, length: int) -> bytes:
    """``value`` as ``length`` BCD bytes, low byte first (the wire order)."""
    if value < 0 or value >= 100**length:
        raise PayloadError(f"{value} does not fit in {length} BCD bytes")
    out = bytearray()
    for _ in range(length):
        out.append(bcd_byte(value % 100))
        value //= 100
    return bytes(out)


def bcd_le_to_int(data: bytes) -> int:
    """The integer of BCD bytes sent low byte first."""
    value = 0
    for byte in reversed(data):
        value = value * 100 + byte_to_int(byte)
    return value


def digits_to_bcd_le(digits: str) -> bytes:
    """A printed number (most significant digit first, even length) in wire order."""
    if len(digits) % 2 or not digits.isdigit() or not digits.isascii():
        raise PayloadError(f"{digits!r} is not an even number of decimal digits")
    return bytes(bcd_byte(int(digits[i : i + 2])) for i in range(len(digits) - 2, -1, -2))


def bcd_le_to_digits(data: bytes) -> str:
    """Wire-order BCD bytes as the printed number (most significant digit first)."""
    return "".join(f"{byte_to_int(b):02d}" for b in reversed(data))
