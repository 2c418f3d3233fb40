"""``MeterSimulator``: many simulated meters on one bus, reachable over TCP or a pty.

Like an RS-485 segment, every request reaches every meter and only the addressed one
answers (several meters answering an AA wildcard collide into garbage). Faults are
injected per meter or for the bus; replies can be paced at the link's baud rate so that
timings are real (11 bits per byte, plus the meter's response delay Td).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..dlt645.codes import BROADCAST_ADDRESS
from ..dlt645.frame import Frame, encode_frame
from ..dlt645.stream import StreamDecoder
from .faults import Fault, FaultKind
from .meter import SimulatedMeter

STATE_VERSION = 1
BITS_PER_BYTE = 11  # 8E1: start + 8 data + parity + stop


class MeterSimulator:
    """A bus of :class:`SimulatedMeter` answering DL/T 645-2007.

    All meter state is guarded by one lock; use ``with sim.meter(address) as m:`` to read or
    change a meter from a test while the bus threads run.
    """

    def __init__(
        self,
        meters: Iterable[SimulatedMeter] = (),
        *,
        master_key: bytes | None = None,
        state_file: str | os.PathLike[str] | None = None,
        baud_pacing: int | None = None,
        response_delay: float = 0.0,
        reply_preamble: int = 2,
        consumption_speed: float = 0.0,
        echo: bool = False,
    ) -> None:
        self.master_key = master_key
        self.state_file = Path(state_file) if state_file is not None else None
        self.baud_pacing = baud_pacing
        self.response_delay = response_delay
        self.reply_preamble = reply_preamble
        self.consumption_speed = consumption_speed
        self.echo = echo  # behave like an RS-485 adapter that hears its own transmitter
        self.lock = threading.RLock()
        self.meters: dict[str, SimulatedMeter] = {}
        self.faults: dict[str | None, list[Fault]] = {}
        self.requests_seen = 0
        self._bus_down_until = 0.0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._fds: list[int] = []
        for meter in meters:
            self.add_meter(meter)

    # -- meters -----------------------------------------------------------------------------
    def add_meter(self, meter: SimulatedMeter) -> SimulatedMeter:
        """Put ``meter`` on the bus."""
        with self.lock:
            self.meters[meter.address] = meter
        return meter

    def create_meter(self, meter_no: str, customer_no: str, **fields: Any) -> SimulatedMeter:
        """A new meter personalised with the simulator's master key, put on the bus."""
        if self.master_key is None:
            raise ValueError("the simulator has no master key to personalise meters with")
        return self.add_meter(
            SimulatedMeter.create(meter_no, customer_no, self.master_key, **fields)
        )

    def populate(self, count: int, *, balance_fen: int = 0, first: int = 1) -> None:
        """``count`` opened meters numbered 000000000001…, customers 100000000001…."""
        for i in range(first, first + count):
            self.create_meter(f"{i:012d}", f"{100000000000 + i:012d}", balance_fen=balance_fen)

    @contextlib.contextmanager
    def meter(self, address: str) -> Iterator[SimulatedMeter]:
        """Exclusive access to one meter (the bus does not answer meanwhile)."""
        with self.lock:
            yield self.meters[address]

    @property
    def addresses(self) -> list[str]:
        """Addresses of the meters on the bus, sorted."""
        with self.lock:
            return sorted(self.meters)

    # -- faults -----------------------------------------------------------------------------
    def inject(self, address: str | None, fault: Fault) -> None:
        """Add a fault for one meter (``address``) or for every meter (``None``)."""
        with self.lock:
            self.faults.setdefault(address, []).append(fault)

    def clear_faults(self) -> None:
        """Remove every fault and bring the bus up."""
        with self.lock:
            self.faults.clear()
            self._bus_down_until = 0.0

    def bus_down(self, seconds: float) -> None:
        """No meter answers for ``seconds`` (broken trunk, serial server rebooting)."""
        with self.lock:
            self._bus_down_until = time.monotonic() + seconds

    def _take_fault(self, address: str, frame: Frame) -> Fault | None:
        for key in (address, None):
            for fault in self.faults.get(key, []):
                if fault.matches(frame.di, frame.function):
                    fault.consume()
                    return fault
        return None

    # -- the bus ----------------------------------------------------------------------------
    def respond(self, frame: Frame, request_bytes: int = 0) -> bytes:
        """The bytes the bus sends back for one request frame (empty for silence)."""
        with self.lock:
            self.requests_seen += 1
            if time.monotonic() < self._bus_down_until or frame.is_reply:
                return b""
            wall = time.time()
            if frame.address == BROADCAST_ADDRESS:
                for meter in self.meters.values():
                    meter.handle(frame, wall)
                return b""
            targets = [m for m in self.meters.values() if m.answers(frame)]
            if not targets:
                return b""
            replies: list[bytes] = []
            delay = 0.0
            for meter in targets:
                fault = self._take_fault(meter.address, frame)
                if fault is not None and fault.kind is FaultKind.NO_REPLY:
                    continue
                reply = meter.handle(frame, wall)
                if reply is None:
                    continue
                wire = encode_frame(reply, preamble=self.reply_preamble)
                if fault is not None:
                    if fault.kind is FaultKind.REPLY_LOST_AFTER_APPLY:
                        self._changed()
                        continue
                    if fault.kind is FaultKind.SLOW_REPLY:
                        delay = max(delay, fault.seconds)
                    if fault.kind is FaultKind.CORRUPT:
                        wire = _corrupt(wire)
                replies.append(wire)
            self._changed()
        if not replies:
            return b""
        out = replies[0] if len(replies) == 1 else _collide(replies)
        if self.baud_pacing:
            delay += (request_bytes + len(out)) * BITS_PER_BYTE / self.baud_pacing
        delay += self.response_delay
        if delay > 0:
            self._stop.wait(delay)
        return out

    def advance(self, seconds: int) -> None:
        """Let every meter consume for ``seconds`` of simulated time (R21)."""
        with self.lock:
            for meter in self.meters.values():
                meter.advance(seconds)

    def _serve_stream(self, read: Any, write: Any) -> None:
        decoder = StreamDecoder()
        pending = 0
        while not self._stop.is_set():
            chunk = read()
            if chunk is None:
                if not decoder.pending:
                    continue
                frames = decoder.expire()  # Tb passed: drop a stalled false start, rescan
            elif not chunk:
                return
            else:
                pending += len(chunk)
                if self.echo:
                    write(chunk)
                frames = decoder.feed(chunk)
            for frame in frames:
                size, pending = pending - decoder.pending, decoder.pending
                reply = self.respond(frame, size)
                if reply and not self._stop.is_set():
                    write(reply)

    # -- TCP --------------------------------------------------------------------------------
    def start_tcp(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` (0 = any free port); returns the port."""
        server = socket.create_server((host, port), reuse_port=False)
        server.settimeout(0.2)
        self._sockets.append(server)
        self._spawn(self._accept_loop, server)
        self._start_ticker()
        return int(server.getsockname()[1])

    def _accept_loop(self, server: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(0.2)
            self._sockets.append(conn)
            self._spawn(self._serve_socket, conn)

    def _serve_socket(self, conn: socket.socket) -> None:
        def read() -> bytes | None:
            try:
                return conn.recv(4096)
            except TimeoutError:
                return None
            except OSError:
                return b""

        def write(data: bytes) -> None:
            with contextlib.suppress(OSError):
                conn.sendall(data)

        try:
            self._serve_stream(read, write)
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    # -- pty --------------------------------------------------------------------------------
    def start_pty(self) -> str:
        """Open a pseudo-terminal pair; returns the device path a client opens as a port.

        POSIX only (``tty`` is imported here so that the TCP bus also runs on Windows).
        """
        import tty

        master, slave = os.openpty()
        tty.setraw(slave)
        tty.setraw(master)
        self._fds += [master, slave]
        path = os.ttyname(slave)

        def read() -> bytes | None:
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                return None
            try:
                return os.read(master, 4096)
            except OSError:
                return None  # no reader on the slave side right now

        def write(data: bytes) -> None:
            with contextlib.suppress(OSError):
                os.write(master, data)

        self._spawn(self._serve_stream, read, write)
        self._start_ticker()
        return path

    # -- lifecycle --------------------------------------------------------------------------
    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(
            target=target, args=args, daemon=True, name=f"meter-sim-{target.__name__}"
        )
        self._threads.append(thread)
        thread.start()

    def _start_ticker(self) -> None:
        if self.consumption_speed <= 0 or any(t.name == "meter-sim-_tick" for t in self._threads):
            return
        self._spawn(self._tick)

    def _tick(self) -> None:
        carry = 0.0
        while not self._stop.wait(1.0):
            carry += self.consumption_speed
            whole = int(carry)
            carry -= whole
            if whole:
                self.advance(whole)
                self._changed()

    def stop(self) -> None:
        """Stop serving, close sockets and the pty, save the state file."""
        self._stop.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept/recv
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(timeout=2)
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._sockets.clear()
        self._threads.clear()
        self._fds.clear()
        self.save()

    def __enter__(self) -> MeterSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state file -------------------------------------------------------------------------
    def _changed(self) -> None:
        if self.state_file is not None:
            self.save()

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write every meter's state to ``path`` (default: the state file) atomically."""
        target = Path(path) if path is not None else self.state_file
        if target is None:
            return
        with self.lock:
            data = {"version": STATE_VERSION, "meters": [m.to_dict() for m in self.meters.values()]}
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, target)

    def load(self, path: str | os.PathLike[str] | None = None) -> None:
        """Replace the meters with those of a state file."""
        source = Path(path) if path is not None else self.state_file
        if source is None:
            raise ValueError("no state file")
        data = json.loads(source.read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"{source}: unsupported state version {data.get('version')}")
        with self.lock:
            self.meters = {}
            for item in data["meters"]:
                self.add_meter(SimulatedMeter.from_dict(item))


def _corrupt(wire: bytes) -> bytes:
    """Flip bits in the last data byte so the checksum no longer matches (line noise)."""
    damaged = bytearray(wire)
    damaged[-3] ^= 0x5A
    return bytes(damaged)


def _collide(replies: list[bytes]) -> bytes:
    """Several meters talking at once on RS-485: the bytes mix into garbage.

    Dominant bits win on the wire (OR); the checksum byte is damaged as well, so that equal
    replies from different meters can never merge into one valid frame by chance.
    """
    length = max(len(r) for r in replies)
    out = bytearray(length)
    for reply in replies:
        for i, b in enumerate(reply):
            out[i] |= b
    out[-2] ^= 0xFF
    return bytes(out)
