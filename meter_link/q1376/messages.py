"""The 1376.1 messages of the concentrator path: link check, confirm/deny, forwarding.

* AFN 02H 链路接口检测 (up, PRM = 1, function 9): F1 login, F2 logout, F3 heartbeat with the
  terminal clock (data format A.1).
* AFN 00H 确认/否认 (single frame, CON = 0): F1 all confirmed, F2 all denied, F3 per-unit
  confirm/deny (AFN + n × (DA DT ERR)). The standard answers a link check with F3; field
  master stations send F1 (and often send every reply twice): :func:`parse_confirmation`
  accepts all three, :func:`confirm_link_check` sends F3.
* AFN 10H F1 透明转发: port, line control word, frame and byte timeouts, k, a DL/T 645
  frame; the reply carries port, k and whatever the meter answered (k = 0 for silence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .errors import FieldError, TruncatedError
from .frame import (
    CON,
    DIR_UP,
    FCB_ACD,
    PRM,
    PW_LENGTH,
    SINGLE,
    TPV,
    Address,
    Afn,
    Frame,
    LinkFunction,
    TimeLabel,
    make_seq,
    parse_unit_id,
    unit_id,
)

F_LOGIN = 1
F_LOGOUT = 2
F_HEARTBEAT = 3
F_CONFIRM_ALL = 1
F_DENY_ALL = 2
F_CONFIRM_ITEMS = 3
F_TRANSPARENT = 1

ERR_OK = 0
ERR_OTHER = 1
ERR_ADDRESS_REPEATED = 2

NO_PASSWORD = bytes(PW_LENGTH)
"""PW of a terminal with security off (every public sample sends 16 × 00)."""

BAUD_RATES = (300, 600, 1200, 2400, 4800, 7200, 9600, 19200)
LINE_2400_8E1 = 0x6B


# -- A.1 clock -------------------------------------------------------------------------------
def clock_bytes(moment: datetime) -> bytes:
    """Data format A.1: ss mm hh DD (weekday << 5 | month) YY, BCD; weekday 1 = Monday."""

    def bcd(v: int) -> int:
        return (v // 10) << 4 | v % 10

    return bytes(
        (
            bcd(moment.second),
            bcd(moment.minute),
            bcd(moment.hour),
            bcd(moment.day),
            moment.isoweekday() << 5 | bcd(moment.month),
            bcd(moment.year % 100),
        )
    )


def parse_clock(raw: bytes) -> datetime:
    """Inverse of :func:`clock_bytes` (the weekday is not checked: field clocks drift)."""
    if len(raw) != 6:
        raise FieldError(f"A.1 clock has {len(raw)} bytes, not 6")
    digits = []
    for i, byte in enumerate(raw):
        b = byte & 0x1F if i == 4 else byte
        if b >> 4 > 9 or b & 0x0F > 9:
            raise FieldError(f"A.1 clock byte {byte:02X} is not BCD")
        digits.append((b >> 4) * 10 + (b & 0x0F))
    second, minute, hour, day, month, year = digits
    try:
        return datetime(2000 + year, month, day, hour, minute, second)
    except ValueError as exc:
        raise FieldError(f"A.1 clock: {exc}") from None


# -- AFN 02H: login, logout, heartbeat ------------------------------------------------------
def link_check(
    address: Address,
    fn: int,
    pseq: int,
    *,
    clock: datetime | None = None,
    ec: tuple[int, int] | None = None,
) -> Frame:
    """A terminal's login (F1), logout (F2) or heartbeat (F3, with ``clock``); CON = 1."""
    if fn not in (F_LOGIN, F_LOGOUT, F_HEARTBEAT):
        raise FieldError(f"AFN 02H has no F{fn}")
    data = b""
    if fn == F_HEARTBEAT:
        data = clock_bytes(clock or datetime.now())
    control = DIR_UP | PRM | LinkFunction.LINK_TEST | (FCB_ACD if ec is not None else 0)
    return Frame(
        control,
        address.with_msa(0),
        Afn.LINK_CHECK,
        make_seq(pseq, con=True),
        unit_id(0, fn) + data,
        ec=ec,
    )


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """A decoded AFN 02H frame."""

    fn: int
    clock: datetime | None


def parse_link_check(frame: Frame) -> LinkCheck:
    """Which link check ``frame`` is (and the heartbeat's clock, if readable)."""
    if frame.afn != Afn.LINK_CHECK:
        raise FieldError(f"AFN {frame.afn:02X}H is not a link check")
    pn, fn = parse_unit_id(frame.body)
    if pn != 0 or fn not in (F_LOGIN, F_LOGOUT, F_HEARTBEAT):
        raise FieldError(f"link check p{pn} F{fn} is not login, logout or heartbeat")
    clock = None
    if fn == F_HEARTBEAT and len(frame.body) >= 10:
        try:
            clock = parse_clock(frame.body[4:10])
        except FieldError:
            clock = None  # a heartbeat with a bad clock still proves the terminal is there
    return LinkCheck(fn, clock)


# -- AFN 00H: confirm / deny ----------------------------------------------------------------
def _reply_to(request: Frame, function: int, afn: int, body: bytes) -> Frame:
    up = not request.is_up
    tp = request.tp
    return Frame(
        (DIR_UP if up else 0) | function,
        request.address,
        afn,
        (TPV if tp is not None else 0) | SINGLE | request.pseq,
        body,
        tp=tp,
    )


def confirm_link_check(request: Frame) -> Frame:
    """The master station's AFN 00H F3 to a login/heartbeat/logout, as the standard says.

    C = link status (PRM = 0, function 11), A echoes the request (MSA 0 for a
    terminal-initiated frame), RSEQ = the request's PSEQ, one item: AFN 02H, its DA DT, OK.
    """
    body = unit_id(0, F_CONFIRM_ITEMS) + bytes((request.afn,)) + request.body[:4] + b"\x00"
    return _reply_to(request, LinkFunction.LINK_STATUS, Afn.CONFIRM, body)


def confirm_all(request: Frame, *, deny: bool = False) -> Frame:
    """AFN 00H F1 (all confirmed) or F2 (all denied) in reply to ``request``."""
    if request.afn == Afn.LINK_CHECK:
        function = LinkFunction.LINK_STATUS
    else:
        function = LinkFunction.NO_DATA if deny else LinkFunction.ACKNOWLEDGE
    fn = F_DENY_ALL if deny else F_CONFIRM_ALL
    return _reply_to(request, function, Afn.CONFIRM, unit_id(0, fn))


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A decoded AFN 00H: ``confirmed`` overall, and the per-unit items of an F3.

    Items are (AFN, pn, fn, ERR); an F3 confirms when every ERR is 0.
    """

    fn: int
    confirmed: bool
    items: tuple[tuple[int, int, int, int], ...] = ()

    def covers(self, afn: int, pn: int, fn: int) -> bool:
        """Whether this confirmation (F1/F2, or an F3 naming it) answers that data unit."""
        if self.fn != F_CONFIRM_ITEMS:
            return True
        return any(i[:3] == (afn, pn, fn) for i in self.items)


def parse_confirmation(frame: Frame) -> Confirmation:
    """AFN 00H F1/F2/F3 as sent by the standard or by field master stations."""
    if frame.afn != Afn.CONFIRM:
        raise FieldError(f"AFN {frame.afn:02X}H is not confirm/deny")
    pn, fn = parse_unit_id(frame.body)
    if pn != 0:
        raise FieldError(f"confirm/deny names p{pn}, not p0")
    if fn == F_CONFIRM_ALL:
        return Confirmation(fn, True)
    if fn == F_DENY_ALL:
        return Confirmation(fn, False)
    if fn != F_CONFIRM_ITEMS:
        raise FieldError(f"AFN 00H F{fn} is not confirm/deny")
    rest = frame.body[4:]
    if len(rest) < 1 or (len(rest) - 1) % 5:
        raise FieldError("AFN 00H F3 is AFN + n × (DA DT ERR)")
    afn = rest[0]
    items = []
    for i in range(1, len(rest), 5):
        item_pn, item_fn = parse_unit_id(rest[i : i + 4])
        items.append((afn, item_pn, item_fn, rest[i + 4]))
    return Confirmation(fn, all(i[3] == ERR_OK for i in items), tuple(items))


# -- AFN 10H F1: transparent forwarding -----------------------------------------------------
def line_control(
    baud: int = 2400, *, parity: str = "E", stop_bits: int = 1, data_bits: int = 8
) -> int:
    """透明转发通信控制字: D7–D5 baud index, D4 two stop bits, D3 parity on, D2 odd, D1–D0 bits."""
    try:
        index = BAUD_RATES.index(baud)
    except ValueError:
        raise FieldError(f"baud {baud} is not one of {BAUD_RATES}") from None
    if parity not in ("N", "E", "O") or stop_bits not in (1, 2) or not 5 <= data_bits <= 8:
        raise FieldError("line settings: parity N/E/O, 1 or 2 stop bits, 5..8 data bits")
    return (
        index << 5
        | (0x10 if stop_bits == 2 else 0)
        | (0 if parity == "N" else 0x08)
        | (0x04 if parity == "O" else 0)
        | (data_bits - 5)
    )


def parse_line_control(word: int) -> tuple[int, str, int, int]:
    """(baud, parity, stop bits, data bits) of a control word."""
    parity = "N" if not word & 0x08 else ("O" if word & 0x04 else "E")
    return BAUD_RATES[word >> 5 & 7], parity, 2 if word & 0x10 else 1, (word & 3) + 5


def encode_wait(seconds: float) -> int:
    """接收等待报文超时: 10 ms units up to 1.27 s, whole seconds (D7 = 1) up to 127 s."""
    if seconds < 0:
        raise FieldError("a timeout is not negative")
    centis = round(seconds * 100)
    if centis <= 127:
        return centis
    return 0x80 | min(127, -(-int(seconds * 1000) // 1000))


def decode_wait(byte: int) -> float:
    """Seconds of a 接收等待报文超时 byte."""
    return float(byte & 0x7F) if byte & 0x80 else (byte & 0x7F) / 100


@dataclass(frozen=True, slots=True)
class ForwardRequest:
    """AFN 10H F1 down data: where and how the terminal sends ``content`` to a meter."""

    content: bytes
    port: int = 2
    control_word: int = LINE_2400_8E1
    frame_timeout_s: float = 2.0
    byte_timeout_s: float = 0.1

    def to_body(self) -> bytes:
        """DA DT + port, control word, timeouts, k (2 bytes LE), content."""
        if not 1 <= self.port <= 31:
            raise FieldError(f"terminal port {self.port} is outside 1..31")
        byte_timeout = round(self.byte_timeout_s * 100)
        if not 0 <= byte_timeout <= 255:
            raise FieldError("byte timeout is 0..2.55 s in 10 ms units")
        if len(self.content) > 0xFFFF:
            raise FieldError("forwarded content exceeds 65535 bytes")
        return b"".join(
            (
                unit_id(0, F_TRANSPARENT),
                bytes(
                    (
                        self.port,
                        self.control_word & 0xFF,
                        encode_wait(self.frame_timeout_s),
                        byte_timeout,
                    )
                ),
                len(self.content).to_bytes(2, "little"),
                self.content,
            )
        )

    @classmethod
    def from_body(cls, body: bytes) -> ForwardRequest:
        """From the data units of an AFN 10H down frame."""
        pn, fn = parse_unit_id(body)
        if (pn, fn) != (0, F_TRANSPARENT):
            raise FieldError(f"forwarding p{pn} F{fn} is not p0 F1")
        if len(body) < 10:
            raise TruncatedError("AFN 10H F1 needs port, control word, timeouts and k")
        k = body[8] | body[9] << 8
        content = body[10:]
        if len(content) != k:
            raise FieldError(f"k = {k} but {len(content)} content bytes follow")
        return cls(content, body[4], body[5], decode_wait(body[6]), body[7] / 100)


def forward_request(
    address: Address,
    pseq: int,
    forward: ForwardRequest,
    *,
    pw: bytes = NO_PASSWORD,
    tp: TimeLabel | None = None,
) -> Frame:
    """The master station's AFN 10H F1 down frame (C = 4BH as field stations send it)."""
    return Frame(
        PRM | LinkFunction.REQUEST_CLASS2,
        address,
        Afn.FORWARD,
        make_seq(pseq, tp=tp is not None),
        forward.to_body(),
        pw=pw,
        tp=tp,
    )


@dataclass(frozen=True, slots=True)
class ForwardReply:
    """AFN 10H F1 up data: the port and the meter's bytes (empty when it stayed silent)."""

    port: int
    content: bytes

    def to_body(self) -> bytes:
        """DA DT + port, k (2 bytes LE), content."""
        return (
            unit_id(0, F_TRANSPARENT)
            + bytes((self.port,))
            + len(self.content).to_bytes(2, "little")
            + self.content
        )

    @classmethod
    def from_body(cls, body: bytes) -> ForwardReply:
        """From the data units of an AFN 10H up frame."""
        pn, fn = parse_unit_id(body)
        if (pn, fn) != (0, F_TRANSPARENT):
            raise FieldError(f"forwarding reply p{pn} F{fn} is not p0 F1")
        if len(body) < 7:
            raise TruncatedError("AFN 10H F1 reply needs port and k")
        k = body[5] | body[6] << 8
        content = body[7:]
        if len(content) != k:
            raise FieldError(f"k = {k} but {len(content)} content bytes follow")
        return cls(body[4], content)


def forward_reply(
    request: Frame, reply: ForwardReply, *, ec: tuple[int, int] | None = None
) -> Frame:
    """The terminal's AFN 10H F1 up frame (C = 88H, or A8H with EC), Tp echoed."""
    frame = _reply_to(request, LinkFunction.USER_DATA, Afn.FORWARD, reply.to_body())
    if ec is None:
        return frame
    return Frame(
        frame.control | FCB_ACD,
        frame.address,
        frame.afn,
        frame.seq,
        frame.body,
        ec=ec,
        tp=frame.tp,
    )


def is_confirm_request(frame: Frame) -> bool:
    """Whether ``frame`` asks its receiver for an AFN 00H (SEQ.CON)."""
    return bool(frame.seq & CON)
