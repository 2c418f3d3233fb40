"""``SimulatedTerminal``: a collection terminal (concentrator) as the station meets it.

It behaves like the field terminals in the captures: a TCP client of the station that
logs in (AFN 02H F1) right after connecting, sends a heartbeat (F3, with its clock) every
period, retries an unconfirmed login or heartbeat at +3 s and +10 s and then reconnects,
and accepts AFN 00H F1 where the standard says F3, and replies that arrive twice.
Behind it, meters on a simulated RS-485/carrier hop (:class:`MeterHop`): AFN 10H F1
forwards one DL/T 645 frame and returns what the meter answered (k = 0 for silence).

Its own faults: offline (drops the connection and stays away), heartbeats lost on the
way (the station sees them overdue), route lost to one meter (it refuses to forward to it,
AFN 00H F2), slow hop (each exchange takes longer; past the frame timeout the terminal
gives up and answers k = 0, as a real one does).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..dlt645.codes import BROADCAST_ADDRESS
from ..dlt645.frame import Frame as MeterFrame
from ..dlt645.stream import StreamDecoder
from ..q1376 import (
    F_HEARTBEAT,
    F_LOGIN,
    Address,
    Afn,
    ForwardReply,
    ForwardRequest,
    Frame,
    FrameStream,
    Q1376Error,
    confirm_all,
    encode_frame,
    forward_reply,
    link_check,
    parse_confirmation,
)
from ..simulator.bus import MeterSimulator
from ..transport import SerialLike

RETRY_AFTER = (3.0, 7.0)
"""An unconfirmed login/heartbeat is sent again 3 s and 10 s after the first try."""


class MeterHop(Protocol):
    """The terminal's downstream: one DL/T 645 exchange with a meter."""

    def exchange(self, content: bytes, frame_timeout: float, byte_timeout: float) -> bytes:
        """Send ``content``; the meter's bytes (``b""`` if nothing came in time)."""
        ...


class SimulatorHop:
    """Meters of a :class:`~meter_link.simulator.MeterSimulator` in the terminal's process."""

    def __init__(self, simulator: MeterSimulator) -> None:
        self.simulator = simulator

    def exchange(self, content: bytes, frame_timeout: float, byte_timeout: float) -> bytes:
        """Every frame in ``content`` reaches the bus; the replies come back."""
        out = b""
        for frame in StreamDecoder().feed(content):
            out += self.simulator.respond(frame, len(content))
        return out


class SerialHop:
    """Meters on a real byte stream (a serial port, a serial server, a paced link)."""

    def __init__(self, port: SerialLike) -> None:
        self.port = port
        self._lock = threading.Lock()

    def exchange(self, content: bytes, frame_timeout: float, byte_timeout: float) -> bytes:
        """Write, then read until a reply frame is complete, the line stalls, or time is up."""
        with self._lock:
            self.port.reset_input_buffer()
            self.port.write(content)
            self.port.flush()
            decoder = StreamDecoder()
            received = bytearray()
            deadline = time.monotonic() + frame_timeout
            last = 0.0
            while True:
                now = time.monotonic()
                if now >= deadline or (received and byte_timeout and now - last > byte_timeout):
                    break
                waiting = self.port.in_waiting
                chunk = self.port.read(waiting if waiting > 0 else 1)
                if not chunk:
                    continue
                last = time.monotonic()
                received += chunk
                if any(f.is_reply for f in decoder.feed(bytes(chunk))):
                    break
            return bytes(received)


@dataclass
class TerminalFaults:
    """The terminal's own faults (the meters' faults live in the meter simulator)."""

    offline_until: float = 0.0
    heartbeats_lost: bool = False
    routes_lost: set[str] = field(default_factory=set)
    slow_hop_s: float = 0.0
    slow_meters: set[str] = field(default_factory=set)


class SimulatedTerminal:
    """A terminal at ``address`` reporting to the station at ``station`` (host, port)."""

    def __init__(
        self,
        address: Address,
        hop: MeterHop,
        station: tuple[str, int],
        *,
        heartbeat_s: float = 60.0,
        reconnect_s: float = 1.0,
        confirm_timeout_s: float = 3.0,
        retry_after: tuple[float, ...] = RETRY_AFTER,
    ) -> None:
        self.address = address.with_msa(0)
        self.hop = hop
        self.station = station
        self.heartbeat_s = heartbeat_s
        self.reconnect_s = reconnect_s
        self.confirm_timeout_s = confirm_timeout_s
        self.retry_after = retry_after
        self.faults = TerminalFaults()
        self.logged_in = threading.Event()
        self.logins = 0
        self.heartbeats_sent = 0
        self.forwards = 0
        self.duplicates_ignored = 0
        self._pfc = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._awaiting: tuple[int, int] | None = None  # (pseq, fn) of the unconfirmed frame
        self._confirmed = threading.Event()
        self._hop_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # -- faults ------------------------------------------------------------------------------
    def go_offline(self, seconds: float | None = None) -> None:
        """Drop the connection; stay away ``seconds`` (``None``: until :meth:`clear_faults`)."""
        with self._lock:
            self.faults.offline_until = (
                float("inf") if seconds is None else time.monotonic() + seconds
            )
        self._close()

    def lose_heartbeats(self, lost: bool = True) -> None:
        """Heartbeats stop arriving at the station (the terminal keeps working)."""
        self.faults.heartbeats_lost = lost

    def lose_route(self, meter: str) -> None:
        """The terminal can no longer reach ``meter`` (carrier route lost)."""
        with self._lock:
            self.faults.routes_lost.add(meter)

    def slow_hop(self, seconds: float, meter: str | None = None) -> None:
        """Each exchange (with ``meter``, or with any) takes ``seconds`` longer."""
        with self._lock:
            self.faults.slow_hop_s = seconds
            self.faults.slow_meters = {meter} if meter else set()

    def clear_faults(self) -> None:
        """Back to normal (an offline terminal reconnects)."""
        with self._lock:
            self.faults = TerminalFaults()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Connect, log in and serve in a background thread (reconnecting as needed)."""
        self._thread = threading.Thread(target=self._run, daemon=True, name="sim-terminal")
        self._thread.start()

    def stop(self) -> None:
        """Stop and disconnect."""
        self._stop.set()
        self._close()
        if self._thread is not None:
            self._thread.join(timeout=3)

    def __enter__(self) -> SimulatedTerminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _close(self) -> None:
        self.logged_in.clear()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            if time.monotonic() < self.faults.offline_until:
                self._stop.wait(0.05)
                continue
            try:
                sock = socket.create_connection(self.station, timeout=2)
            except OSError:
                self._stop.wait(self.reconnect_s)
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(0.05)
            self._sock = sock
            try:
                self._session(sock)
            finally:
                self._close()
                self._sock = None
            self._stop.wait(self.reconnect_s)

    # -- one connection ----------------------------------------------------------------------
    def _next_pseq(self) -> int:
        with self._lock:
            self._pfc = (self._pfc + 1) & 0xFF
            return self._pfc & 0x0F

    def _send(self, frame: Frame) -> None:
        sock = self._sock
        if sock is None:
            raise OSError("not connected")
        data = encode_frame(frame)
        with self._send_lock:
            sock.sendall(data)

    def _session(self, sock: socket.socket) -> None:
        stream = FrameStream()
        pending: dict[str, Any] = {}

        def send_check(fn: int) -> None:
            pseq = self._next_pseq()
            frame = link_check(self.address, fn, pseq, clock=datetime.now())
            self._awaiting = (pseq, fn)
            pending.update(frame=frame, tries=1, sent=time.monotonic(), fn=fn)
            if fn == F_HEARTBEAT:
                self.heartbeats_sent += 1
                if self.faults.heartbeats_lost:
                    return  # lost on the way: the station never sees it
            self._send(frame)

        try:
            send_check(F_LOGIN)
        except OSError:
            return
        next_heartbeat = float("inf")
        while not self._stop.is_set():
            if time.monotonic() < self.faults.offline_until:
                return
            try:
                data = sock.recv(4096)
            except TimeoutError:
                data = None
            except OSError:
                return
            if data == b"":
                return
            now = time.monotonic()
            for frame in stream.feed(data or b""):
                confirmed_fn = self._on_frame(frame)
                if confirmed_fn is not None:
                    pending.clear()
                    if confirmed_fn == F_LOGIN:
                        self.logins += 1
                        self.logged_in.set()
                    next_heartbeat = now + self.heartbeat_s
            try:
                if pending:
                    waited = now - pending["sent"]
                    tries = pending["tries"]
                    if tries > len(self.retry_after):
                        if waited >= self.confirm_timeout_s:
                            return  # three unconfirmed tries: reconnect and log in again
                    elif waited >= self.retry_after[tries - 1]:
                        pending["tries"] = tries + 1
                        pending["sent"] = now
                        if not (pending["fn"] == F_HEARTBEAT and self.faults.heartbeats_lost):
                            self._send(pending["frame"])
                elif self.logged_in.is_set() and now >= next_heartbeat:
                    send_check(F_HEARTBEAT)
                    next_heartbeat = now + self.heartbeat_s
            except OSError:
                return

    def _on_frame(self, frame: Frame) -> int | None:
        """Handle one frame from the station; the Fn it confirmed, if it confirmed one."""
        if frame.is_up or frame.address.key != self.address.key:
            return None
        if frame.afn == Afn.CONFIRM:
            try:
                confirmation = parse_confirmation(frame)
            except Q1376Error:
                return None
            awaiting = self._awaiting
            if awaiting is None or frame.pseq != awaiting[0]:
                self.duplicates_ignored += 1  # a reply sent twice, or a late one
                return None
            if not confirmation.confirmed or not confirmation.covers(
                Afn.LINK_CHECK, 0, awaiting[1]
            ):
                return None
            self._awaiting = None
            return awaiting[1]
        if frame.afn == Afn.FORWARD:  # the station only forwards to a terminal that logged in
            threading.Thread(
                target=self._forward, args=(frame,), daemon=True, name="sim-terminal-hop"
            ).start()
        return None

    def _forward(self, frame: Frame) -> None:
        try:
            request = ForwardRequest.from_body(frame.body)
        except Q1376Error:
            with contextlib.suppress(OSError):
                self._send(confirm_all(frame, deny=True))
            return
        target = _meter_address(request.content)
        faults = self.faults
        with self._hop_lock:
            self.forwards += 1
            if target is not None and target in faults.routes_lost:
                reply = confirm_all(frame, deny=True)
            else:
                started = time.monotonic()
                slow = (
                    faults.slow_hop_s
                    if (not faults.slow_meters or target in faults.slow_meters)
                    else 0.0
                )
                if slow:
                    self._stop.wait(min(slow, request.frame_timeout_s))
                left = request.frame_timeout_s - (time.monotonic() - started)
                if target == BROADCAST_ADDRESS:
                    left = 0.0  # meters never answer a broadcast: send it, wait for nothing
                    self.hop.exchange(request.content, 0.0, 0.0)
                content = b""
                if left > 0:
                    content = self.hop.exchange(request.content, left, request.byte_timeout_s)
                    if time.monotonic() - started > request.frame_timeout_s:
                        content = b""  # came after the terminal stopped waiting
                reply = forward_reply(frame, ForwardReply(request.port, content))
        with contextlib.suppress(OSError):
            self._send(reply)


def _meter_address(content: bytes) -> str | None:
    frames: list[MeterFrame] = StreamDecoder().feed(content)
    return frames[0].address if frames else None
