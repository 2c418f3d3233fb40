"""Typed decoding errors of the Q/GDW 1376.1 codec.

Every malformed input raises one :class:`Q1376Error` subclass naming what is wrong, so the
station, the simulated terminal and ``meter-link`` report it in one line, and a fuzz test
proves that no other exception escapes the codec whatever the bytes.
"""

from __future__ import annotations


class Q1376Error(ValueError):
    """Base of every codec error: the bytes are not a valid Q/GDW 1376.1 frame."""


class TruncatedError(Q1376Error):
    """Fewer bytes than the header or the length field promises."""


class StartByteError(Q1376Error):
    """The first or the second 68H start byte is missing."""


class LengthFieldError(Q1376Error):
    """The two length words differ, or the byte count does not match L1 + 8."""


class ProtocolIdError(Q1376Error):
    """The low two bits of the length word are not 10b (this protocol)."""


class ChecksumError(Q1376Error):
    """CS is not the 8-bit sum of C, A and the link user data."""


class EndByteError(Q1376Error):
    """The byte after CS is not 16H."""


class FieldError(Q1376Error):
    """A field does not have the layout or range the standard gives it."""
