"""Opening a meter link through pyserial's ``serial_for_url``.

One code path for every way a meter bus is reached: ``COM3`` / ``/dev/ttyUSB0`` (RS-485
adapter), ``socket://host:port`` (serial server in TCP-raw mode, or ``meter-sim``),
``rfc2217://host:port`` (serial server with remote line settings) and ``spy://PORT`` (hex
dump of the traffic for field diagnosis). Line settings default to DL/T 645's 2400 bps 8E1.
"""

from __future__ import annotations

import os
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

import serial

from .errors import LinkUnavailable


class SerialLike(Protocol):
    """What the client needs from a pyserial ``Serial`` (or a compatible object)."""

    @property
    def in_waiting(self) -> int: ...

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes, /) -> int | None: ...

    def flush(self) -> None: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class LineSettings:
    """Serial line settings of one meter link (DL/T 645 default 2400 8E1)."""

    baudrate: int = 2400
    bytesize: int = 8
    parity: str = "E"
    stopbits: float = 1

    @property
    def bits_per_byte(self) -> int:
        """Start + data + parity + stop bits: what one byte costs on the wire."""
        return 1 + self.bytesize + (0 if self.parity == "N" else 1) + int(self.stopbits)


def _is_pty(url: str) -> bool:
    return os.path.realpath(url).startswith("/dev/pts/")


def _open_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (serial.SerialException, ValueError, OSError)
    try:
        import termios
    except ImportError:  # Windows
        return errors
    return (*errors, termios.error)


OPEN_ERRORS = _open_errors()


def open_link(
    url: str, settings: LineSettings = LineSettings(), *, read_timeout: float = 0.02
) -> Any:
    """Open ``url`` with ``settings``; raise :class:`LinkUnavailable` with the reason.

    A pty (``meter-sim --pty``) has no parity bit: Linux silently drops PARENB the first
    time and refuses the same request with EINVAL once nothing else changes, so a pty
    that refuses the line settings is opened without parity (bytes are unaffected).
    """

    def attempt(parity: str) -> Any:
        return serial.serial_for_url(
            url,
            baudrate=settings.baudrate,
            bytesize=settings.bytesize,
            parity=parity,
            stopbits=settings.stopbits,
            timeout=read_timeout,
            write_timeout=5,
        )

    try:
        return attempt(settings.parity)
    except OPEN_ERRORS as exc:
        if settings.parity != "N" and _is_pty(url):
            try:
                return attempt("N")
            except OPEN_ERRORS:
                pass
        raise LinkUnavailable(f"cannot open {url}: {exc}") from None


class PacedLink:
    """A serial-like link that delivers bytes no faster than a real line would.

    Wraps any serial-like ``inner`` link (a socket to an unpaced simulator, say) and makes
    time pass as on an RS-485 pair at ``baudrate`` with ``bits_per_byte`` bits per byte
    (8E1: 11): a write returns when its last bit is out; a reply byte becomes readable one
    byte time after the previous one, and the first byte of each reply no sooner than the
    meter's response delay Td after the request ended. It knows nothing of DL/T 645 or of
    the simulator, so a benchmark that runs over it measures the protocol's real cost
    instead of the simulator's own sleeps.
    """

    def __init__(
        self,
        inner: SerialLike,
        *,
        baudrate: int = 2400,
        bits_per_byte: int = 11,
        response_delay: float = 0.02,
        read_timeout: float = 0.02,
    ) -> None:
        self.inner = inner
        self.byte_time = bits_per_byte / baudrate
        self.response_delay = response_delay
        self.read_timeout = read_timeout
        self._queue: deque[tuple[float, int]] = deque()
        self._last_ready = 0.0
        self._reply_not_before = 0.0
        self._first_of_reply = False
        self.bytes_written = 0
        self.bytes_read = 0
        self.replies = 0

    def _pull(self, *, block: bool) -> None:
        waiting = self.inner.in_waiting
        if waiting <= 0 and not block:
            return
        chunk = self.inner.read(waiting if waiting > 0 else 1)
        if not chunk:
            return
        arrival = time.monotonic()
        for byte in chunk:
            start = max(arrival, self._last_ready)
            if self._first_of_reply:
                start = max(start, self._reply_not_before)
                self._first_of_reply = False
                self.replies += 1
            self._last_ready = start + self.byte_time
            self._queue.append((self._last_ready, byte))

    def _released(self, size: int) -> bytes:
        now = time.monotonic()
        out = bytearray()
        while self._queue and len(out) < size and self._queue[0][0] <= now:
            out.append(self._queue.popleft()[1])
        self.bytes_read += len(out)
        return bytes(out)

    @property
    def in_waiting(self) -> int:
        """Bytes that have fully arrived on the line and not been read."""
        self._pull(block=False)
        now = time.monotonic()
        return sum(1 for ready, _ in self._queue if ready <= now)

    def read(self, size: int = 1) -> bytes:
        """Up to ``size`` bytes that have arrived; waits up to ``read_timeout`` for one."""
        deadline = time.monotonic() + self.read_timeout
        while True:
            self._pull(block=not self._queue)
            out = self._released(size)
            now = time.monotonic()
            if out or now >= deadline:
                return out
            if self._queue:
                time.sleep(max(0.0, min(self._queue[0][0], deadline) - now))

    def write(self, data: bytes, /) -> int:
        """Send ``data``: returns when its last byte has left at the line's speed."""
        started = time.monotonic()
        end = max(started, self._last_ready) + len(data) * self.byte_time
        self.inner.write(data)
        self.inner.flush()
        delay = end - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self.bytes_written += len(data)
        self._reply_not_before = end + self.response_delay
        self._first_of_reply = True
        return len(data)

    def flush(self) -> None:
        """Writes are complete when :meth:`write` returns."""

    def reset_input_buffer(self) -> None:
        """Drop what arrived and was not read."""
        self._pull(block=False)
        self._queue.clear()
        self.inner.reset_input_buffer()

    def close(self) -> None:
        """Close the inner link."""
        self.inner.close()
