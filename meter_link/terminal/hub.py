"""``TerminalHub``: the station's side of the concentrator path (Q/GDW 1376.1 over TCP).

Field terminals are TCP clients: they connect to the station, log in (AFN 02H F1) and send
a heartbeat (F3) every period; the station confirms each (AFN 00H) and considers a terminal
offline when its heartbeats are overdue. To reach a meter the station sends AFN 10H F1
(transparent forwarding of a DL/T 645 frame) to the meter's terminal and waits for the
terminal's AFN 10H reply (the meter's bytes, none if it stayed silent) or its AFN 00H deny
(the terminal could not forward: route lost).

One forwarding per terminal at a time: behind it is one half-duplex RS-485 bus or one
carrier router. Replies are matched by RSEQ; duplicates (field equipment sends some replies
twice) are ignored.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from ..errors import RouteLost, TerminalOffline
from ..q1376 import (
    F_HEARTBEAT,
    F_LOGIN,
    F_LOGOUT,
    LINE_2400_8E1,
    Address,
    Afn,
    ForwardReply,
    ForwardRequest,
    Frame,
    FrameStream,
    Q1376Error,
    confirm_all,
    confirm_link_check,
    encode_frame,
    forward_request,
    parse_confirmation,
    parse_link_check,
)

DEFAULT_OFFLINE_AFTER = 3 * 60 * 15.0
"""Heartbeats overdue this long (three 15-minute periods) make a terminal offline."""


@dataclass(frozen=True, slots=True)
class TerminalStatus:
    """What the station knows about one terminal."""

    terminal: str
    peer: str
    online: bool
    logged_in_at: datetime
    last_heartbeat_at: datetime | None
    heartbeats: int
    clock: datetime | None


@dataclass
class _Pending:
    pseq: int
    event: threading.Event = field(default_factory=threading.Event)
    frame: Frame | None = None


@dataclass(eq=False)
class _Connection:
    sock: socket.socket
    peer: str
    address: Address | None = None
    logged_in_at: datetime | None = None
    last_seen: float = 0.0
    last_heartbeat_at: datetime | None = None
    heartbeats: int = 0
    clock: datetime | None = None
    pfc: int = 0
    pending: _Pending | None = None
    send_lock: threading.Lock = field(default_factory=threading.Lock)
    forward_lock: threading.Lock = field(default_factory=threading.Lock)
    closed: bool = False

    def send(self, frame: Frame) -> None:
        data = encode_frame(frame)
        with self.send_lock:
            self.sock.sendall(data)

    def next_pseq(self) -> int:
        self.pfc = (self.pfc + 1) & 0xFF
        return self.pfc & 0x0F


class TerminalHub:
    """TCP listener for terminals; forwards DL/T 645 frames to meters behind them.

    ``msa`` is this station's master-station address (A3) in the frames it initiates.
    ``offline_after`` is how long heartbeats may be overdue before a terminal counts as
    offline. ``field_style`` makes the hub answer like field master stations do (AFN 00H F1
    instead of F3, MSA 1 in replies, every reply sent twice) so that terminals can be
    tested against both; the default sends what the standard says.
    """

    def __init__(
        self,
        *,
        msa: int = 1,
        offline_after: float = DEFAULT_OFFLINE_AFTER,
        forward_margin: float = 2.0,
        field_style: bool = False,
    ) -> None:
        self.msa = msa
        self.offline_after = offline_after
        self.forward_margin = forward_margin
        self.field_style = field_style
        self.port = 0
        self.host = ""
        self._lock = threading.Lock()
        self._terminals: dict[str, _Connection] = {}
        self._connections: list[_Connection] = []
        self._server: socket.socket | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.logins = 0

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` (0 = any free port); returns the port."""
        server = socket.create_server((host, port))
        server.settimeout(0.2)
        self._server = server
        self.host = host
        self.port = int(server.getsockname()[1])
        self._spawn(self._accept_loop)
        return self.port

    def stop(self) -> None:
        """Close the listener and every terminal connection."""
        self._stop.set()
        sockets = [c.sock for c in self._connections]
        if self._server is not None:
            sockets.append(self._server)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads.clear()

    def __enter__(self) -> TerminalHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="terminal-hub")  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    # -- what the station asks ---------------------------------------------------------------
    def is_online(self, terminal: str) -> bool:
        """Logged in, connected, and heartbeats not overdue."""
        return self._online(terminal) is not None

    def online_terminals(self) -> list[str]:
        """Printed addresses of the terminals online now, sorted."""
        with self._lock:
            keys = list(self._terminals)
        return sorted(k for k in keys if self.is_online(k))

    def status(self) -> list[TerminalStatus]:
        """Every terminal that logged in since the hub started and is still connected."""
        with self._lock:
            items = list(self._terminals.items())
        return [
            TerminalStatus(
                key,
                conn.peer,
                self.is_online(key),
                conn.logged_in_at or datetime.now(),
                conn.last_heartbeat_at,
                conn.heartbeats,
                conn.clock,
            )
            for key, conn in sorted(items)
        ]

    def wait_online(self, terminal: str, timeout: float) -> bool:
        """Wait until ``terminal`` is online (tests, start-up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_online(terminal):
                return True
            time.sleep(0.01)
        return self.is_online(terminal)

    def _online(self, terminal: str) -> _Connection | None:
        key = terminal.upper()
        with self._lock:
            conn = self._terminals.get(key)
        if conn is None or conn.closed:
            return None
        if time.monotonic() - conn.last_seen > self.offline_after:
            return None
        return conn

    def forward(
        self,
        terminal: str,
        content: bytes,
        *,
        port: int = 2,
        control_word: int = LINE_2400_8E1,
        frame_timeout_s: float = 10.0,
        byte_timeout_s: float = 0.5,
    ) -> bytes:
        """Forward one DL/T 645 frame through ``terminal`` (AFN 10H F1); the meter's bytes.

        Returns ``b""`` when the terminal heard nothing from the meter. Raises
        :class:`~meter_link.errors.TerminalOffline` when the terminal is not online or does
        not answer, :class:`~meter_link.errors.RouteLost` when it refuses to forward.
        """
        conn = self._online(terminal)
        if conn is None:
            raise TerminalOffline(f"terminal {terminal} is not online at the station")
        request = ForwardRequest(content, port, control_word, frame_timeout_s, byte_timeout_s)
        with conn.forward_lock:
            assert conn.address is not None
            pending = _Pending(conn.next_pseq())
            frame = forward_request(conn.address.with_msa(self.msa), pending.pseq, request)
            conn.pending = pending
            try:
                conn.send(frame)
            except OSError:
                conn.pending = None
                self._drop(conn)
                raise TerminalOffline(f"terminal {terminal}: connection lost") from None
            wait = frame_timeout_s + self.forward_margin
            answered = pending.event.wait(wait)
            conn.pending = None
        reply = pending.frame
        if not answered or reply is None:
            raise TerminalOffline(
                f"terminal {terminal} did not answer the forwarding within {wait:.1f} s"
            )
        try:
            if reply.afn == Afn.CONFIRM:
                if parse_confirmation(reply).confirmed:
                    return b""
                raise RouteLost(f"terminal {terminal} could not forward to the meter")
            return ForwardReply.from_body(reply.body).content
        except Q1376Error as exc:
            raise TerminalOffline(f"terminal {terminal}: unreadable reply ({exc})") from None

    # -- connections -------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                sock, peer = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(0.2)
            conn = _Connection(sock, f"{peer[0]}:{peer[1]}")
            self._connections.append(conn)
            self._spawn(self._serve, conn)

    def _serve(self, conn: _Connection) -> None:
        stream = FrameStream()
        try:
            while not self._stop.is_set():
                try:
                    data = conn.sock.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                for frame in stream.feed(data):
                    self._on_frame(conn, frame)
        finally:
            self._drop(conn)

    def _drop(self, conn: _Connection) -> None:
        conn.closed = True
        with contextlib.suppress(OSError):
            conn.sock.close()
        with self._lock:
            if conn.address is not None and self._terminals.get(conn.address.key) is conn:
                del self._terminals[conn.address.key]
        pending = conn.pending
        if pending is not None:
            pending.event.set()  # the waiting forward reports the terminal offline
        with contextlib.suppress(ValueError):
            self._connections.remove(conn)

    def _reply(self, conn: _Connection, frame: Frame) -> None:
        try:
            if self.field_style:
                reply = confirm_all(frame).with_msa(1)
                conn.send(reply)
                conn.send(reply)
            else:
                conn.send(confirm_link_check(frame))
        except OSError:
            self._drop(conn)

    def _on_frame(self, conn: _Connection, frame: Frame) -> None:
        if not frame.is_up:
            return
        if frame.afn == Afn.LINK_CHECK and frame.is_primary:
            try:
                check = parse_link_check(frame)
            except Q1376Error:
                return
            if check.fn == F_LOGIN:
                self._login(conn, frame)
            elif conn.address is None or conn.address.key != frame.address.key:
                return  # a heartbeat before login is not confirmed: the terminal logs in again
            elif check.fn == F_HEARTBEAT:
                conn.last_seen = time.monotonic()
                conn.last_heartbeat_at = datetime.now()
                conn.heartbeats += 1
                conn.clock = check.clock
            elif check.fn == F_LOGOUT:
                self._reply(conn, frame)
                self._drop(conn)
                return
            self._reply(conn, frame)
            return
        if frame.is_primary and frame.wants_confirmation:
            # another report the terminal wants confirmed (events, AFN 0EH): confirm it so
            # that it does not resend it forever; the station does not act on it here
            if conn.address is not None and conn.address.key == frame.address.key:
                with contextlib.suppress(OSError):
                    conn.send(confirm_all(frame))
            return
        pending = conn.pending
        if (
            pending is not None
            and not pending.event.is_set()
            and frame.afn in (Afn.FORWARD, Afn.CONFIRM)
            and frame.pseq == pending.pseq
        ):
            pending.frame = frame
            pending.event.set()

    def _login(self, conn: _Connection, frame: Frame) -> None:
        address = frame.address.with_msa(0)
        conn.address = address
        conn.logged_in_at = datetime.now()
        conn.last_seen = time.monotonic()
        with self._lock:
            old = self._terminals.get(address.key)
            self._terminals[address.key] = conn
            self.logins += 1
        if old is not None and old is not conn:
            old.closed = True  # the terminal reconnected: its old socket is stale
            with contextlib.suppress(OSError):
                old.sock.close()
