"""DL/T 645-2007 frame codec: bytes in, bytes out, no I/O.

``[FE..FE] 68 A0..A5 68 C L DATA CS 16`` — the address is six BCD bytes sent low byte first
(``AA`` bytes for the wildcard), DATA bytes carry +33H on the wire, CS is the sum mod 256
from the first 68H through the last data byte (DLT645 notes §1.2). :class:`Frame` always
holds the *unscrambled* data with the data identifier still in wire order (DI0 first);
:attr:`Frame.di` gives it as written in the standard.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .codes import (
    DIRECTION_REPLY,
    EXCEPTION_FLAG,
    FOLLOW_UP_FLAG,
    FUNCTION_MASK,
    Function,
)
from .errors import (
    AddressError,
    ChecksumError,
    ControlCodeError,
    EndByteError,
    LengthError,
    NotBcdError,
    StartByteError,
    TruncatedFrameError,
)

START = 0x68
END = 0x16
PREAMBLE_BYTE = 0xFE
SCRAMBLE = 0x33
HEADER_LENGTH = 10  # 68 + 6 address + 68 + C + L
MIN_FRAME_LENGTH = 12  # header + CS + 16
MAX_DATA_LENGTH = 255

_DI_FUNCTIONS = frozenset(
    {Function.READ, Function.READ_FOLLOW_UP, Function.WRITE, Function.SECURITY}
)


_SCRAMBLE = bytes((i + SCRAMBLE) & 0xFF for i in range(256))
_UNSCRAMBLE = bytes((i - SCRAMBLE) & 0xFF for i in range(256))
_PREAMBLES = [bytes([PREAMBLE_BYTE] * n) for n in range(9)]
_ADDRESS_CACHE: dict[str, bytes] = {}
_ADDRESS_CACHE_SIZE = 4096


def scramble(data: bytes) -> bytes:
    """Add 33H to every data byte (what goes on the wire); one table lookup per byte in C."""
    return bytes(data).translate(_SCRAMBLE)


def unscramble(data: bytes) -> bytes:
    """Subtract 33H from every data byte (what the wire carried)."""
    return bytes(data).translate(_UNSCRAMBLE)


def checksum(data: bytes | bytearray) -> int:
    """Sum mod 256 — of the bytes from the first 68H through the last data byte."""
    return sum(data) & 0xFF


def _pairs_valid(text: str) -> bool:
    """Every byte pair is two decimal digits or the AA wildcard."""
    return all(
        (text[i : i + 2].isdigit() and text[i : i + 2].isascii()) or text[i : i + 2] == "AA"
        for i in range(0, 12, 2)
    )


def address_to_wire(address: str) -> bytes:
    """A 12-digit printed address (most significant first) as its six wire bytes.

    Pairs ``AA`` stand for wildcard bytes (缩位寻址); shorter addresses are padded with
    zeros in the high part, as the standard asks. Packed BCD read as hex is the printed
    digits, so ``bytes.fromhex`` reversed is the wire order (and ``AA`` stays ``AA``).
    """
    wire = _ADDRESS_CACHE.get(address)
    if wire is not None:
        return wire
    text = address.strip().upper()
    if not text or len(text) > 12 or len(text) % 2:
        raise AddressError(f"address {address!r} must be 2..12 digits, an even count")
    text = text.rjust(12, "0")
    if not ((text.isdigit() and text.isascii()) or _pairs_valid(text)):
        raise AddressError(f"address {address!r} is not BCD digits or AA wildcard bytes")
    wire = bytes.fromhex(text)[::-1]
    if len(_ADDRESS_CACHE) < _ADDRESS_CACHE_SIZE:
        _ADDRESS_CACHE[address] = wire
    return wire


def address_from_wire(raw: bytes) -> str:
    """Six wire bytes (low first) as the printed address; ``AA`` bytes kept as ``AA``."""
    if len(raw) != 6:
        raise AddressError(f"address field has {len(raw)} bytes, not 6")
    text = raw[::-1].hex()
    if text.isdigit():
        return text
    text = text.upper()
    for i in range(0, 12, 2):
        pair = text[i : i + 2]
        if pair != "AA" and not pair.isdigit():
            raise NotBcdError(f"address byte {pair} is neither BCD nor AA")
    return text


def address_matches(pattern: str, address: str) -> bool:
    """Whether a meter with ``address`` answers a frame sent to ``pattern``.

    ``AA`` bytes in the pattern match anything (wildcard); the broadcast address is not a
    match here because meters never answer a broadcast.
    """
    if len(pattern) != 12 or len(address) != 12:
        return False
    return all(
        p == "AA" or p == a
        for p, a in zip(
            (pattern[i : i + 2] for i in range(0, 12, 2)),
            (address[i : i + 2] for i in range(0, 12, 2)),
            strict=True,
        )
    )


@dataclass(frozen=True, slots=True)
class Frame:
    """One DL/T 645-2007 frame with its data field unscrambled.

    ``address`` is printed form (12 characters, most significant first, ``AA`` for wildcard
    bytes); ``control`` the full control byte; ``data`` the unscrambled DATA field with every
    multi-byte item still low byte first, as on the wire.
    """

    address: str
    control: int
    data: bytes = b""

    @property
    def function(self) -> int:
        """Function code (low 5 bits)."""
        return self.control & FUNCTION_MASK

    @property
    def is_reply(self) -> bool:
        """D7: the frame goes from a meter to the master."""
        return bool(self.control & DIRECTION_REPLY)

    @property
    def is_exception(self) -> bool:
        """D6: the meter reports an error (ERR byte, or SERR for 03H)."""
        return bool(self.control & EXCEPTION_FLAG)

    @property
    def has_follow_up(self) -> bool:
        """D5: more frames follow; read them with 12H."""
        return bool(self.control & FOLLOW_UP_FLAG)

    @property
    def di(self) -> int | None:
        """The data identifier as written in the standard (DI3..DI0), if the frame has one."""
        if self.function not in _DI_FUNCTIONS or self.is_exception or len(self.data) < 4:
            return None
        return int(struct.unpack("<I", self.data[:4])[0])

    @property
    def payload(self) -> bytes:
        """The data after the DI (or the whole data field for frames without a DI)."""
        return self.data[4:] if self.di is not None else self.data

    def reply(
        self, data: bytes = b"", *, exception: bool = False, follow_up: bool = False
    ) -> Frame:
        """The reply a meter at this frame's address would send."""
        control = self.function | DIRECTION_REPLY
        if exception:
            control |= EXCEPTION_FLAG
        if follow_up:
            control |= FOLLOW_UP_FLAG
        return Frame(self.address, control, data)


def di_bytes(di: int) -> bytes:
    """A data identifier in wire order (DI0 first)."""
    return struct.pack("<I", di & 0xFFFFFFFF)


def request(address: str, function: int, di: int | None = None, payload: bytes = b"") -> Frame:
    """A master-to-meter frame: control = function, data = DI (wire order) + payload."""
    data = (di_bytes(di) if di is not None else b"") + payload
    return Frame(address, function & FUNCTION_MASK, data)


def encode_frame(frame: Frame, *, preamble: int = 4) -> bytes:
    """The wire bytes of ``frame``, preceded by ``preamble`` FEH wake-up bytes."""
    control = frame.control
    data = frame.data
    length = len(data)
    if not 0 <= control <= 0xFF:
        raise ControlCodeError(f"control code {control} is outside 0..255")
    if length > MAX_DATA_LENGTH:
        raise LengthError(f"data field of {length} bytes exceeds {MAX_DATA_LENGTH}")
    body = b"".join(
        (
            b"\x68",
            address_to_wire(frame.address),
            bytes((START, control, length)),
            data.translate(_SCRAMBLE),
        )
    )
    pre = _PREAMBLES[preamble] if 0 <= preamble < 9 else bytes([PREAMBLE_BYTE] * max(preamble, 0))
    return b"".join((pre, body, bytes((sum(body) & 0xFF, END))))


def decode_frame(raw: bytes) -> Frame:
    """Decode exactly one frame (leading FEH bytes allowed, nothing after the 16H).

    Raises one :class:`~meter_link.dlt645.errors.FrameError` subclass naming the fault.
    """
    body = bytes(raw).lstrip(b"\xfe")
    if not body:
        raise TruncatedFrameError("no bytes after the FE preamble")
    if body[0] != START:
        raise StartByteError(f"frame starts with {body[0]:02X}, not 68")
    size = len(body)
    if size < HEADER_LENGTH:
        raise TruncatedFrameError(f"{size} bytes, the header alone needs {HEADER_LENGTH}")
    if body[7] != START:
        raise StartByteError(f"second start byte is {body[7]:02X}, not 68")
    length = body[9]
    end = HEADER_LENGTH + length
    if size < end + 2:
        raise TruncatedFrameError(f"L={length} needs {end + 2} bytes, only {size} present")
    if size > end + 2:
        raise LengthError(f"L={length} gives {end + 2} bytes but {size} are present")
    cs = sum(body[:end]) & 0xFF
    if body[end] != cs:
        raise ChecksumError(f"checksum is {body[end]:02X}, the bytes sum to {cs:02X}")
    if body[-1] != END:
        raise EndByteError(f"frame ends with {body[-1]:02X}, not 16")
    return Frame(
        address_from_wire(body[1:7]), body[8], body[HEADER_LENGTH:end].translate(_UNSCRAMBLE)
    )
