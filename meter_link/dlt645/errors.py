"""Typed decoding errors of the DL/T 645-2007 codec.

Every malformed input raises one :class:`FrameError` subclass naming what is wrong, so a
caller (the client, the simulator, ``meter-link decode``) can report it in one line and a
fuzz test can prove that no other exception escapes the codec, whatever the bytes.
"""

from __future__ import annotations


class FrameError(ValueError):
    """Base of every codec error: the bytes are not a valid DL/T 645-2007 frame."""


class TruncatedFrameError(FrameError):
    """Fewer bytes than the header or the length byte L promises."""


class StartByteError(FrameError):
    """The first or the second 68H start byte is missing."""


class LengthError(FrameError):
    """The length byte L does not match the bytes present, or exceeds the limits."""


class ChecksumError(FrameError):
    """CS is not the sum mod 256 from the first 68H through the last data byte."""


class EndByteError(FrameError):
    """The byte after CS is not 16H."""


class NotBcdError(FrameError):
    """A field that must be packed BCD (address, value) holds a nibble above 9."""


class AddressError(FrameError):
    """An address that is neither 12 BCD digits nor a valid AA wildcard or broadcast."""


class ControlCodeError(FrameError):
    """A control code outside 0..255 or a function the operation does not accept."""


class PayloadError(FrameError):
    """The unscrambled data field does not have the layout its data identifier requires."""
