"""``Dlt645Client``: DL/T 645-2007 master over any pyserial link.

One request at a time per bus (a lock shared by every client of the same URL in this
process: RS-485 is half duplex and meters answer only when asked). Before sending, the
input is flushed; after, the local echo of adapters that hear their own transmitter is
dropped (it decodes as a request frame), the reply address and control code are checked,
and every failure a caller must tell apart gets its own error type (:mod:`.errors`).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import serial

from .dlt645 import codes
from .dlt645.codes import BROADCAST_ADDRESS, WILDCARD_ADDRESS, Function, parse_serr
from .dlt645.commands import (
    PASSWORD_LEVEL_CIPHER,
    RelayCommand,
    RelayPlaintext,
    operator_field,
    password_field,
    time_field,
)
from .dlt645.data_ids import DIValue, lookup
from .dlt645.errors import FrameError
from .dlt645.frame import (
    Frame,
    address_from_wire,
    address_matches,
    encode_frame,
    request,
)
from .dlt645.security_payloads import (
    DI_ACCOUNT_OPENING,
    DI_IDENTITY_AUTHENTICATION,
    DI_RECHARGE,
    DI_STATUS_QUERY,
    AuthReply,
    AuthRequest,
    RechargeRequest,
    StatusReply,
)
from .dlt645.stream import StreamDecoder
from .errors import (
    ExceptionReply,
    Garbled,
    LinkUnavailable,
    NoAnswer,
    SecurityRefusal,
)
from .security import SecurityModule, Session
from .transport import LineSettings, SerialLike, open_link

INTER_BYTE_GAP = 0.5
"""DL/T 645 Tb: a partial frame's start is abandoned after a gap longer than 500 ms."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait for a complete reply, per command kind (DLT645 notes §12)."""

    read: float = 1.5
    write: float = 2.0
    security: float = 4.0
    relay: float = 3.0

    @classmethod
    def uniform(cls, seconds: float) -> Timeouts:
        """The same timeout for every kind (tests, fast simulators)."""
        return cls(seconds, seconds, seconds, seconds)


_BUS_LOCKS: dict[str, threading.RLock] = {}
_BUS_LOCKS_GUARD = threading.Lock()


def bus_lock(url: str) -> threading.RLock:
    """The process-wide lock of one bus, shared by every client opened on ``url``."""
    with _BUS_LOCKS_GUARD:
        return _BUS_LOCKS.setdefault(url, threading.RLock())


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request/reply pair as it went over the wire (for traces and the benchmark)."""

    sent: bytes
    received: bytes
    seconds: float


class Dlt645Client:
    """Blocking DL/T 645-2007 master on one bus.

    ``link`` is a pyserial URL (``COM3``, ``/dev/ttyUSB0``, ``socket://host:port``,
    ``rfc2217://host:port``, ``spy://...``) or an already open serial-like object.
    Line settings default to 2400 bps 8E1; every call has a timeout of its kind.
    """

    def __init__(
        self,
        link: str | SerialLike,
        *,
        baudrate: int = 2400,
        bytesize: int = 8,
        parity: str = "E",
        stopbits: float = 1,
        timeouts: Timeouts | None = None,
        preamble: int = 4,
        operator: str = "00000000",
        trace: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.settings = LineSettings(baudrate, bytesize, parity, stopbits)
        self.timeouts = timeouts or Timeouts()
        self.preamble = preamble
        self.operator = operator
        self.trace = trace
        if isinstance(link, str):
            self.url = link
            self._port: SerialLike = open_link(link, self.settings)
            self._owns_port = True
        else:
            self.url = f"object:{id(link)}"
            self._port = link
            self._owns_port = False
        self._lock = bus_lock(self.url)
        self._broken = False

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        """Close the link if this client opened it."""
        if self._owns_port:
            with self._lock:
                self._port.close()

    def _mark_broken(self) -> None:
        """After a link error, reopen on the next request (a serial server restarted)."""
        if self._owns_port:
            self._broken = True
            with contextlib.suppress(Exception):
                self._port.close()

    def _ensure_open(self) -> None:
        if self._broken:
            self._port = open_link(self.url, self.settings)
            self._broken = False

    def __enter__(self) -> Dlt645Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one exchange primitive ---------------------------------------------------------
    def transact(self, frame: Frame, timeout: float) -> Frame:
        """Send ``frame`` and return the addressed meter's reply (normal or exception).

        Raises :class:`NoAnswer` if nothing came, :class:`Garbled` if bytes came but no
        matching reply; exception replies are returned for the caller to classify.
        """
        wire = encode_frame(frame, preamble=self.preamble)
        with self._lock:
            self._ensure_open()
            started = time.monotonic()
            received = bytearray()
            try:
                self._port.reset_input_buffer()
                self._port.write(wire)
                self._port.flush()
                reply = self._await_reply(frame, timeout, received)
            except (serial.SerialException, OSError) as exc:
                self._mark_broken()
                raise LinkUnavailable(f"{self.url}: {exc}") from None
            finally:
                if self.trace is not None:
                    self.trace(Exchange(wire, bytes(received), time.monotonic() - started))
        return reply

    def send_only(self, frame: Frame) -> None:
        """Send a frame that has no reply (broadcast)."""
        wire = encode_frame(frame, preamble=self.preamble)
        with self._lock:
            self._ensure_open()
            try:
                self._port.reset_input_buffer()
                self._port.write(wire)
                self._port.flush()
            except (serial.SerialException, OSError) as exc:
                self._mark_broken()
                raise LinkUnavailable(f"{self.url}: {exc}") from None
            if self.trace is not None:
                self.trace(Exchange(wire, b"", 0.0))

    def _await_reply(self, sent: Frame, timeout: float, received: bytearray) -> Frame:
        decoder = StreamDecoder(inter_byte_timeout=INTER_BYTE_GAP)
        deadline = time.monotonic() + timeout
        foreign = 0
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            waiting = self._port.in_waiting
            chunk = self._port.read(waiting if waiting > 0 else 1)
            if chunk:
                received += chunk
                frames = decoder.feed(bytes(chunk))
            elif decoder.pending:
                frames = decoder.expire()  # a stalled false start: rescan what follows it
            else:
                continue
            for frame in frames:
                if not frame.is_reply:
                    continue  # local echo of our own request, or another master's
                if self._is_reply_to(sent, frame):
                    return frame
                foreign += 1
        if not received:
            raise NoAnswer(f"no answer from {sent.address} within {timeout:.1f} s")
        detail = f"{len(received)} bytes, {decoder.rejected} bad frames, {foreign} foreign"
        raise Garbled(f"no valid reply from {sent.address} ({detail})", received=len(received))

    @staticmethod
    def _is_reply_to(sent: Frame, reply: Frame) -> bool:
        if reply.function != sent.function:
            return False
        if sent.di is not None and reply.di is not None and reply.di != sent.di:
            return False  # a late reply to an earlier request (a slow meter): not ours
        if "AA" in sent.address:
            return address_matches(sent.address, reply.address)
        return reply.address == sent.address

    def _checked(self, sent: Frame, timeout: float) -> Frame:
        reply = self.transact(sent, timeout)
        if reply.is_exception:
            if sent.function == Function.SECURITY:
                raise SecurityRefusal(parse_serr(reply.data), di=sent.di or 0)
            raise ExceptionReply(reply.data[0] if reply.data else 0, function=sent.function)
        return reply

    # -- plain commands ---------------------------------------------------------------------
    def read(self, address: str, di: int) -> bytes:
        """Read ``di`` (11H), following 12H follow-up frames; returns the data after the DI."""
        reply = self._checked(request(address, Function.READ, di), self.timeouts.read)
        self._check_di(reply, di)
        data = bytearray(reply.payload)
        seq = 0
        more = reply.has_follow_up
        while more:
            seq = (seq + 1) & 0xFF
            follow = request(address, Function.READ_FOLLOW_UP, di, bytes([seq]))
            part = self._checked(follow, self.timeouts.read)
            self._check_di(part, di)
            data += part.payload[:-1]  # the last byte is the frame sequence number
            more = part.has_follow_up
        return bytes(data)

    def read_value(self, address: str, item: str | int) -> DIValue:
        """Read a data item of the table (alias, code or number) and decode its value."""
        entry = lookup(item)
        raw = self.read(address, entry.di)
        try:
            return entry.decode(raw)
        except FrameError as exc:
            raise Garbled(f"{entry.code} from {address}: {exc}") from None

    def read_int(self, address: str, item: str | int) -> int:
        """Read an integer-valued item (money in fen, counts, energy, status words)."""
        value = self.read_value(address, item)
        if not isinstance(value, int):
            raise TypeError(f"{item} is not an integer item")
        return value

    def write(self, address: str, di: int, data: bytes, *, password: str = "02000000") -> None:
        """Write ``data`` to ``di`` (14H) with password level + password and operator code."""
        payload = password_field(password) + operator_field(self.operator) + data
        self._checked(request(address, Function.WRITE, di, payload), self.timeouts.write)

    def write_value(
        self, address: str, item: str | int, value: DIValue, *, password: str = "02000000"
    ) -> None:
        """Encode ``value`` by the table and write it."""
        entry = lookup(item)
        self.write(address, entry.di, entry.encode(value), password=password)

    def read_address(self, pattern: str = WILDCARD_ADDRESS) -> str:
        """Read the communication address (13H) of the only meter on the segment."""
        reply = self._checked(request(pattern, Function.READ_ADDRESS), self.timeouts.read)
        if len(reply.data) != 6:
            raise Garbled(f"read-address reply has {len(reply.data)} data bytes")
        try:
            return address_from_wire(reply.data)
        except FrameError as exc:
            raise Garbled(f"read-address reply: {exc}") from None

    def broadcast_time(self, moment: datetime) -> None:
        """Broadcast time (08H) to 999999999999: ``ss mm hh DD MM YY``; meters do not answer."""
        self.send_only(
            request(BROADCAST_ADDRESS, Function.BROADCAST_TIME, None, time_field(moment))
        )

    def relay_control(
        self,
        address: str,
        command: RelayCommand,
        valid_until: datetime,
        *,
        password: str = "02000000",
        secure: tuple[SecurityModule, Session] | None = None,
    ) -> None:
        """Relay control (1CH): plain with a password, or PA = 98H ciphertext + MAC.

        Never retried automatically (DLT645 notes §7): re-read status word 3 instead.
        """
        plaintext = RelayPlaintext(int(command), valid_until)
        if secure is None:
            body = plaintext.to_bytes()
            pw = password_field(password)
        else:
            module, session = secure
            body = bytes(reversed(module.relay_ciphertext(session, plaintext)))
            pw = bytes([PASSWORD_LEVEL_CIPHER, 0, 0, 0])
        payload = pw + operator_field(self.operator) + body
        self._checked(request(address, Function.RELAY_CONTROL, None, payload), self.timeouts.relay)

    # -- 03H security commands --------------------------------------------------------------
    def _security(self, address: str, di: int, body: bytes) -> bytes:
        frame = request(address, Function.SECURITY, di, operator_field(self.operator) + body)
        reply = self._checked(frame, self.timeouts.security)
        self._check_di(reply, di)
        return reply.payload

    def identity_authentication(self, address: str, auth: AuthRequest) -> AuthReply:
        """070000FF: open a security session; returns random-2 and the ESAM serial."""
        payload = self._security(address, DI_IDENTITY_AUTHENTICATION, auth.to_wire())
        try:
            return AuthReply.from_wire(payload)
        except FrameError as exc:
            raise Garbled(f"identity authentication reply: {exc}") from None

    def authenticate(self, address: str, meter_no: str, security: SecurityModule) -> Session:
        """Identity authentication end to end: ask the module, ask the meter, keep the session."""
        auth = security.begin_session(meter_no)
        reply = self.identity_authentication(address, auth)
        return security.accept_session(meter_no, auth.random1, reply.random2, reply.esam_serial)

    def remote_account_opening(self, address: str, recharge: RechargeRequest) -> None:
        """070101FF: open the account remotely (first purchase, customer number)."""
        self._security(address, DI_ACCOUNT_OPENING, recharge.to_wire())

    def remote_recharge(self, address: str, recharge: RechargeRequest) -> None:
        """070102FF: load a purchase (amount in fen, count n, customer number, MACs)."""
        self._security(address, DI_RECHARGE, recharge.to_wire())

    def status_query(self, address: str) -> StatusReply:
        """078102FF: ESAM wallet balance and count with MACs (needs a session)."""
        payload = self._security(address, DI_STATUS_QUERY, b"")
        try:
            return StatusReply.from_wire(payload)
        except FrameError as exc:
            raise Garbled(f"status query reply: {exc}") from None

    @staticmethod
    def _check_di(reply: Frame, di: int) -> None:
        if reply.di != di:
            got = "none" if reply.di is None else f"{reply.di:08X}"
            raise Garbled(f"reply carries DI {got}, expected {di:08X}")


__all__ = [
    "Dlt645Client",
    "Exchange",
    "Timeouts",
    "bus_lock",
    "codes",
]
