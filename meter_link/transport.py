"""Opening a meter link through pyserial's ``serial_for_url``.

One code path for every way a meter bus is reached: ``COM3`` / ``/dev/ttyUSB0`` (RS-485
adapter), ``socket://host:port`` (serial server in TCP-raw mode, or ``meter-sim``),
``rfc2217://host:port`` (serial server with remote line settings) and ``spy://PORT`` (hex
dump of the traffic for field diagnosis). Line settings default to DL/T 645's 2400 bps 8E1.
"""

from __future__ import annotations

import os
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
