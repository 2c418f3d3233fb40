"""Q/GDW 1376.1 frame codec: bytes in, bytes out, no I/O.

``68 L L 68 C A AFN SEQ {DA DT data}… [PW | EC] [Tp] CS 16`` (GB/T 18657.1 FT1.2). The
length word carries the protocol identifier in its two low bits (``10b`` = this protocol,
``01b`` = Q/GDW 130-2005) and L1, the byte count of C + A + link user data, in the other
fourteen; both copies must agree and the frame is exactly L1 + 8 bytes. CS is the 8-bit
sum of C, A and the link user data. The auxiliary fields are found from the end: Tp (6
bytes) when SEQ.TpV is set; before it EC (2 bytes) in an up frame with ACD set, or PW (16
bytes) in a down frame of AFN 01/04/05/06/0F/10.

:class:`Frame` keeps the data units as raw bytes (``body``): their length depends on AFN
and Fn, which :mod:`.messages` knows for the functions this package speaks.
"""

from __future__ import annotations

import enum
from typing import NamedTuple

from .errors import (
    ChecksumError,
    EndByteError,
    FieldError,
    LengthFieldError,
    ProtocolIdError,
    StartByteError,
    TruncatedError,
)

START = 0x68
END = 0x16
PROTOCOL_1376 = 2
PROTOCOL_130_2005 = 1
HEADER_LENGTH = 6  # 68 L L 68
FIXED_USER_LENGTH = 8  # C + A(5) + AFN + SEQ
MAX_USER_LENGTH = 0x3FFF
PW_LENGTH = 16
EC_LENGTH = 2
TP_LENGTH = 6
PW_AFNS = frozenset({0x01, 0x04, 0x05, 0x06, 0x0F, 0x10})
"""Down frames of these AFNs carry the 16-byte password field PW."""

# control byte C
DIR_UP = 0x80
PRM = 0x40
FCB_ACD = 0x20
FCV = 0x10
FUNCTION_MASK = 0x0F

# sequence byte SEQ
TPV = 0x80
FIR = 0x40
FIN = 0x20
CON = 0x10
SEQ_MASK = 0x0F
SINGLE = FIR | FIN


class Afn(enum.IntEnum):
    """Application function codes used here (the standard's Table 5)."""

    CONFIRM = 0x00
    RESET = 0x01
    LINK_CHECK = 0x02
    RELAY_STATION = 0x03
    SET_PARAMETERS = 0x04
    CONTROL = 0x05
    AUTHENTICATION = 0x06
    CASCADE_REPORT = 0x08
    CONFIGURATION = 0x09
    QUERY_PARAMETERS = 0x0A
    TASK_DATA = 0x0B
    CLASS1_DATA = 0x0C
    CLASS2_DATA = 0x0D
    CLASS3_DATA = 0x0E
    FILE_TRANSFER = 0x0F
    FORWARD = 0x10


class LinkFunction(enum.IntEnum):
    """Function codes of C (D3–D0); the meaning depends on PRM."""

    # PRM = 1 (initiating station)
    RESET = 1
    USER_DATA_NO_REPLY = 4
    LINK_TEST = 9
    REQUEST_CLASS1 = 10
    REQUEST_CLASS2 = 11
    # PRM = 0 (responding station)
    ACKNOWLEDGE = 0
    USER_DATA = 8
    NO_DATA = 9
    LINK_STATUS = 11


def _bcd(value: int) -> int:
    return ((value // 10) << 4) | (value % 10)


def _from_bcd(byte: int, what: str) -> int:
    high, low = byte >> 4, byte & 0x0F
    if high > 9 or low > 9:
        raise FieldError(f"{what} byte {byte:02X} is not BCD")
    return high * 10 + low


_BCD = bytes(_bcd(v) for v in range(100))


_ADDRESS_CACHE_SIZE = 4096
_ADDRESSES: dict[bytes, Address] = {}


class Address(NamedTuple):
    """Terminal address A: region code A1, terminal address A2, A3 (MSA and group flag).

    ``region`` is A1 as printed (four BCD digits, GB 2260 district code; sent low byte
    first); ``terminal`` is A2 (binary 1–65535, FFFFH with the group flag = broadcast);
    ``msa`` is the master-station address 0–127 in A3 D1–D7. ``str()`` gives the printed
    form used by ``meter-sim terminal --address``: region then A2 in four hex digits.
    """

    region: str
    terminal: int
    msa: int = 0
    group: bool = False

    def to_wire(self) -> bytes:
        """The five A bytes."""
        try:
            a1 = bytes.fromhex(self.region)[::-1]
        except ValueError:
            raise FieldError(f"region code {self.region!r} is not four digits") from None
        if len(a1) != 2:
            raise FieldError(f"region code {self.region!r} is not four digits")
        if not 0 <= self.terminal <= 0xFFFF:
            raise FieldError(f"terminal address {self.terminal} is outside 0..65535")
        if not 0 <= self.msa <= 127:
            raise FieldError(f"master-station address {self.msa} is outside 0..127")
        return a1 + self.terminal.to_bytes(2, "little") + bytes([self.msa << 1 | self.group])

    @classmethod
    def from_wire(cls, raw: bytes) -> Address:
        """From the five A bytes (the region kept as sent, even if not BCD)."""
        raw = bytes(raw)
        known = _ADDRESSES.get(raw)
        if known is not None:
            return known
        if len(raw) != 5:
            raise FieldError(f"address field has {len(raw)} bytes, not 5")
        address = cls(raw[1::-1].hex().upper(), raw[2] | raw[3] << 8, raw[4] >> 1, bool(raw[4] & 1))
        if len(_ADDRESSES) < _ADDRESS_CACHE_SIZE:
            _ADDRESSES[raw] = address
        return address

    @classmethod
    def parse(cls, text: str, *, msa: int = 0) -> Address:
        """From the printed form ``RRRRTTTT``: region (4 digits) + A2 (4 hex digits)."""
        text = text.strip().replace(" ", "").replace("-", "").upper()
        if len(text) != 8 or not text[:4].isdigit():
            raise FieldError(f"terminal address {text!r} must be RRRRTTTT: 4 digits + 4 hex")
        try:
            terminal = int(text[4:], 16)
        except ValueError:
            raise FieldError(f"terminal address {text!r}: A2 is not hex") from None
        if terminal == 0:
            raise FieldError("terminal address A2 = 0 is invalid")
        return cls(text[:4], terminal, msa)

    @property
    def key(self) -> str:
        """Region + terminal: one terminal whatever master station talks to it."""
        return f"{self.region}{self.terminal:04X}"

    def __str__(self) -> str:
        return self.key

    def with_msa(self, msa: int) -> Address:
        """The same terminal, addressed by master station ``msa``."""
        return Address(self.region, self.terminal, msa, self.group)


class TimeLabel(NamedTuple):
    """Tp: the frame counter PFC, the send time (s, min, h, day; BCD) and the allowed delay.

    A receiver drops the frame when now − send time exceeds ``delay_min`` minutes (0 turns
    the check off); the responding station echoes the Tp it received.
    """

    pfc: int
    second: int
    minute: int
    hour: int
    day: int
    delay_min: int

    def to_wire(self) -> bytes:
        """The six Tp bytes."""
        for value, top, what in (
            (self.second, 59, "second"),
            (self.minute, 59, "minute"),
            (self.hour, 23, "hour"),
            (self.day, 31, "day"),
        ):
            if not 0 <= value <= top:
                raise FieldError(f"Tp {what} {value} is out of range")
        if not (0 <= self.pfc <= 255 and 0 <= self.delay_min <= 255):
            raise FieldError("Tp PFC and delay are one byte each")
        return bytes(
            (
                self.pfc,
                _BCD[self.second],
                _BCD[self.minute],
                _BCD[self.hour],
                _BCD[self.day],
                self.delay_min,
            )
        )

    @classmethod
    def from_wire(cls, raw: bytes) -> TimeLabel:
        """From the six Tp bytes."""
        if len(raw) != TP_LENGTH:
            raise FieldError(f"Tp has {len(raw)} bytes, not 6")
        return cls(
            raw[0],
            _from_bcd(raw[1], "Tp second"),
            _from_bcd(raw[2], "Tp minute"),
            _from_bcd(raw[3], "Tp hour"),
            _from_bcd(raw[4], "Tp day"),
            raw[5],
        )


class Frame(NamedTuple):
    """One Q/GDW 1376.1 frame.

    ``control`` and ``seq`` are the full C and SEQ bytes; ``body`` the data units
    (DA DT data …) without the auxiliary fields; ``pw`` the 16-byte password of a down frame
    of a PW AFN; ``ec`` the event counters (EC1, EC2) of an up frame with ACD; ``tp`` the time
    label when SEQ.TpV is set.
    """

    control: int
    address: Address
    afn: int
    seq: int
    body: bytes = b""
    pw: bytes | None = None
    ec: tuple[int, int] | None = None
    tp: TimeLabel | None = None
    protocol: int = PROTOCOL_1376

    @property
    def is_up(self) -> bool:
        """DIR = 1: from the terminal to the master station."""
        return bool(self.control & DIR_UP)

    @property
    def is_primary(self) -> bool:
        """PRM = 1: the sender initiates the exchange."""
        return bool(self.control & PRM)

    @property
    def function(self) -> int:
        """Link function code (C D3–D0)."""
        return self.control & FUNCTION_MASK

    @property
    def pseq(self) -> int:
        """PSEQ (request) or RSEQ (response): SEQ D3–D0."""
        return self.seq & SEQ_MASK

    @property
    def wants_confirmation(self) -> bool:
        """SEQ.CON: the receiver must confirm this frame."""
        return bool(self.seq & CON)

    @property
    def needs_pw(self) -> bool:
        """Whether the standard puts PW into this frame (down frame of a PW AFN)."""
        return not self.is_up and self.afn in PW_AFNS

    def with_msa(self, msa: int) -> Frame:
        """The same frame addressed with another master-station address."""
        return Frame(
            self.control,
            self.address.with_msa(msa),
            self.afn,
            self.seq,
            self.body,
            self.pw,
            self.ec,
            self.tp,
            self.protocol,
        )


def make_seq(
    pseq: int, *, con: bool = False, tp: bool = False, fir: bool = True, fin: bool = True
) -> int:
    """SEQ from its parts (single frame by default)."""
    return (
        (TPV if tp else 0) | (FIR if fir else 0) | (FIN if fin else 0) | (CON if con else 0)
    ) | (pseq & SEQ_MASK)


def encode_frame(frame: Frame) -> bytes:
    """The wire bytes of ``frame``.

    The auxiliary fields must agree with C and SEQ (TpV ⇔ Tp, up + ACD ⇔ EC, PW exactly
    when the standard asks for it), so a frame that decodes one way never encodes another.
    """
    if not (0 <= frame.control <= 0xFF and 0 <= frame.seq <= 0xFF and 0 <= frame.afn <= 0xFF):
        raise FieldError("C, AFN and SEQ are one byte each")
    if frame.protocol not in (PROTOCOL_1376, PROTOCOL_130_2005):
        raise ProtocolIdError(f"protocol identifier {frame.protocol} is not 1 or 2")
    parts = [
        bytes((frame.control,)),
        frame.address.to_wire(),
        bytes((frame.afn, frame.seq)),
        frame.body,
    ]
    if frame.is_up:
        if frame.pw is not None:
            raise FieldError("PW goes only into down frames")
        if (frame.ec is not None) != bool(frame.control & FCB_ACD):
            raise FieldError("an up frame carries EC exactly when ACD is set")
        if frame.ec is not None:
            ec1, ec2 = frame.ec
            if not (0 <= ec1 <= 255 and 0 <= ec2 <= 255):
                raise FieldError("EC1 and EC2 are one byte each")
            parts.append(bytes((ec1, ec2)))
    else:
        if frame.ec is not None:
            raise FieldError("EC goes only into up frames")
        if frame.needs_pw:
            if frame.pw is None or len(frame.pw) != PW_LENGTH:
                raise FieldError(f"a down frame of AFN {frame.afn:02X}H needs a 16-byte PW")
            parts.append(frame.pw)
        elif frame.pw is not None:
            raise FieldError(f"AFN {frame.afn:02X}H carries no PW")
    if (frame.tp is not None) != bool(frame.seq & TPV):
        raise FieldError("a frame carries Tp exactly when SEQ.TpV is set")
    if frame.tp is not None:
        parts.append(frame.tp.to_wire())
    user = b"".join(parts)
    length = len(user)
    if length > MAX_USER_LENGTH:
        raise LengthFieldError(f"user data of {length} bytes exceeds {MAX_USER_LENGTH}")
    word = (length << 2 | frame.protocol).to_bytes(2, "little")
    return b"".join((b"\x68", word, word, b"\x68", user, bytes((sum(user) & 0xFF, END))))


def frame_length(header: bytes, *, legacy: bool = False) -> int:
    """The total byte count announced by the six header bytes ``68 L L 68``.

    Raises a :class:`~.errors.Q1376Error` when the header is not a valid one, so a stream
    reader can skip a false start at once instead of waiting for bytes that never come.
    """
    if len(header) < HEADER_LENGTH:
        raise TruncatedError(f"{len(header)} bytes, the header needs {HEADER_LENGTH}")
    if header[0] != START or header[5] != START:
        raise StartByteError("frame does not start with 68 L L 68")
    word = header[1] | header[2] << 8
    if word != header[3] | header[4] << 8:
        raise LengthFieldError("the two length words differ")
    protocol = word & 3
    if protocol != PROTOCOL_1376 and not (legacy and protocol == PROTOCOL_130_2005):
        raise ProtocolIdError(f"protocol identifier {protocol} is not 2 (Q/GDW 1376.1)")
    user = word >> 2
    if user < FIXED_USER_LENGTH:
        raise LengthFieldError(f"L1={user} is shorter than C, A, AFN and SEQ")
    return user + HEADER_LENGTH + 2


def decode_frame(raw: bytes, *, legacy: bool = False) -> Frame:
    """Decode exactly one frame; ``legacy`` also accepts protocol identifier 1.

    Raises one :class:`~.errors.Q1376Error` subclass naming the fault.
    """
    raw = bytes(raw)
    total = frame_length(raw[:HEADER_LENGTH], legacy=legacy)
    if len(raw) < total:
        raise TruncatedError(f"L1 needs {total} bytes, only {len(raw)} present")
    if len(raw) > total:
        raise LengthFieldError(f"L1 gives {total} bytes but {len(raw)} are present")
    user = raw[HEADER_LENGTH:-2]
    if raw[-2] != sum(user) & 0xFF:
        raise ChecksumError(f"checksum is {raw[-2]:02X}, the bytes sum to {sum(user) & 0xFF:02X}")
    if raw[-1] != END:
        raise EndByteError(f"frame ends with {raw[-1]:02X}, not 16")
    return _decode_user(user, raw[1] & 3)


def _decode_user(user: bytes, protocol: int) -> Frame:
    control, afn, seq = user[0], user[6], user[7]
    end = len(user)
    tp = None
    if seq & TPV:
        if end - TP_LENGTH < FIXED_USER_LENGTH:
            raise FieldError("SEQ.TpV is set but the frame has no room for Tp")
        tp = TimeLabel.from_wire(user[end - TP_LENGTH : end])
        end -= TP_LENGTH
    ec = None
    pw = None
    if control & DIR_UP:
        if control & FCB_ACD:
            if end - EC_LENGTH < FIXED_USER_LENGTH:
                raise FieldError("ACD is set but the frame has no room for EC")
            ec = (user[end - 2], user[end - 1])
            end -= EC_LENGTH
    elif afn in PW_AFNS:
        if end - PW_LENGTH < FIXED_USER_LENGTH:
            raise FieldError(f"a down frame of AFN {afn:02X}H has no room for PW")
        pw = user[end - PW_LENGTH : end]
        end -= PW_LENGTH
    return Frame(
        control,
        Address.from_wire(user[1:6]),
        afn,
        seq,
        user[FIXED_USER_LENGTH:end],
        pw,
        ec,
        tp,
        protocol,
    )


# -- data units: DA (pn) and DT (Fn) --------------------------------------------------------
_DT_BYTES = {fn: bytes((1 << ((fn - 1) % 8), (fn - 1) // 8)) for fn in range(1, 249)}
_FN_OF = {v: k for k, v in _DT_BYTES.items()}
_DA_BYTES = {pn: bytes((1 << ((pn - 1) % 8), (pn - 1) // 8 + 1)) for pn in range(1, 2041)}
_DA_BYTES[0] = b"\x00\x00"
_PN_OF = {v: k for k, v in _DA_BYTES.items()}
ALL_POINTS = 0xFFFF
_DA_BYTES[ALL_POINTS] = b"\xff\x00"
_PN_OF[b"\xff\x00"] = ALL_POINTS


def unit_id(pn: int, fn: int) -> bytes:
    """DA DT of one data unit: measuring point ``pn`` (0 = the terminal), function ``fn``."""
    try:
        return _DA_BYTES[pn] + _DT_BYTES[fn]
    except KeyError:
        raise FieldError(f"p{pn} F{fn} is outside p0..p2040, F1..F248") from None


def parse_unit_id(raw: bytes) -> tuple[int, int]:
    """(pn, fn) of four DA DT bytes naming one point and one function."""
    if len(raw) < 4:
        raise TruncatedError(f"data unit identifier needs 4 bytes, {len(raw)} present")
    pn = _PN_OF.get(bytes(raw[:2]))
    fn = _FN_OF.get(bytes(raw[2:4]))
    if pn is None or fn is None:
        raise FieldError(f"DA DT {bytes(raw[:4]).hex().upper()} do not name one pn and one Fn")
    return pn, fn
