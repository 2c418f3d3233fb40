"""Reaching a meter through a terminal with the ordinary ``Dlt645Client``.

:class:`TerminalLink` is a serial-like object (what :class:`~meter_link.client.Dlt645Client`
accepts in place of a pyserial URL): each DL/T 645 frame the client writes goes to the
station's :class:`~.hub.TerminalHub` as one AFN 10H F1 forwarding, and the meter's bytes
from the terminal's reply are what the client then reads. So the client, the dispatcher
(R7–R9) and their tests are the same on the direct and on the concentrator path, and the
failures keep their cause: :class:`~meter_link.errors.TerminalOffline`,
:class:`~meter_link.errors.RouteLost`, :class:`~meter_link.errors.MeterSilent`.

:class:`TerminalDirectory` is the factory a station uses: meter number in, link out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from ..client import Dlt645Client, Timeouts
from ..dlt645.codes import BROADCAST_ADDRESS
from ..dlt645.frame import address_to_wire
from ..errors import MeterLinkError, MeterSilent, TerminalOffline
from ..q1376 import LINE_2400_8E1
from .hub import TerminalHub

_BROADCAST_WIRE = address_to_wire(BROADCAST_ADDRESS)


def _is_broadcast(frame: bytes) -> bool:
    start = frame.find(0x68)
    return start >= 0 and frame[start + 1 : start + 7] == _BROADCAST_WIRE


class TerminalLink:
    """A serial-like link to the meters behind one terminal, through the hub.

    ``port`` is the terminal's communication port (vendor-specific: commonly 1 or 2 for
    RS-485, 31 or 1 for the carrier module); ``control_word`` the line settings for the
    hop (6BH = 2400 8E1); ``frame_timeout_s`` how long the terminal waits for the meter
    (carrier paths need tens of seconds).
    """

    def __init__(
        self,
        hub: TerminalHub,
        terminal: str,
        *,
        port: int = 2,
        control_word: int = LINE_2400_8E1,
        frame_timeout_s: float = 10.0,
        byte_timeout_s: float = 0.5,
        read_timeout: float = 0.02,
    ) -> None:
        self.hub = hub
        self.terminal = terminal.upper()
        self.port = port
        self.control_word = control_word
        self.frame_timeout_s = frame_timeout_s
        self.byte_timeout_s = byte_timeout_s
        self.read_timeout = read_timeout
        self._buffer = bytearray()
        self._lock = threading.Lock()

    @property
    def in_waiting(self) -> int:
        """Bytes of the meter's reply not read yet."""
        return len(self._buffer)

    def read(self, size: int = 1) -> bytes:
        """Up to ``size`` bytes of the meter's reply (waits ``read_timeout`` when empty)."""
        with self._lock:
            if self._buffer:
                out = bytes(self._buffer[:size])
                del self._buffer[:size]
                return out
        time.sleep(self.read_timeout)
        return b""

    def write(self, data: bytes, /) -> int:
        """Forward one DL/T 645 frame; the meter's reply becomes readable.

        Raises :class:`TerminalOffline`, :class:`RouteLost`, or :class:`MeterSilent` (the
        terminal forwarded and heard nothing; not for a broadcast, which has no reply).
        """
        reply = self.hub.forward(
            self.terminal,
            bytes(data),
            port=self.port,
            control_word=self.control_word,
            frame_timeout_s=self.frame_timeout_s,
            byte_timeout_s=self.byte_timeout_s,
        )
        if not reply and not _is_broadcast(data):
            raise MeterSilent(
                f"terminal {self.terminal} heard nothing from the meter "
                f"within {self.frame_timeout_s:.1f} s"
            )
        with self._lock:
            self._buffer += reply
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered on the way out: :meth:`write` forwards at once."""

    def reset_input_buffer(self) -> None:
        """Drop unread reply bytes."""
        with self._lock:
            self._buffer.clear()

    def close(self) -> None:
        """Nothing to close: the hub owns the terminal connections."""


class TerminalDirectory:
    """Which terminal each meter sits behind, and links to meters by meter number.

    ``routes`` maps meter address → terminal (printed ``RRRRTTTT``), as the station's
    archive does; a meter missing from it is looked for behind every online terminal
    (:meth:`locate`) and remembered. ``link_options`` go to every :class:`TerminalLink`.
    """

    def __init__(
        self,
        hub: TerminalHub,
        routes: Mapping[str, str] | None = None,
        **link_options: Any,
    ) -> None:
        self.hub = hub
        self.routes = {k: v.upper() for k, v in (routes or {}).items()}
        self.link_options = link_options
        self._lock = threading.Lock()

    def assign(self, meter: str, terminal: str) -> None:
        """Record that ``meter`` is reached through ``terminal``."""
        with self._lock:
            self.routes[meter] = terminal.upper()

    def terminal_of(self, meter: str) -> str:
        """The terminal of ``meter`` (from the routes, else by :meth:`locate`)."""
        with self._lock:
            known = self.routes.get(meter)
        if known is not None:
            return known
        found = self.locate(meter)
        if found is None:
            raise TerminalOffline(f"no online terminal reaches meter {meter}")
        self.assign(meter, found)
        return found

    def locate(self, meter: str, *, timeout: float = 2.0) -> str | None:
        """Ask every online terminal to read the meter's address; the first that answers."""
        for terminal in self.hub.online_terminals():
            link = self._link(terminal, frame_timeout_s=timeout)
            client = Dlt645Client(link, timeouts=Timeouts.uniform(timeout))
            try:
                client.read(meter, 0x04000401)
            except MeterLinkError:
                continue
            return terminal
        return None

    def _link(self, terminal: str, **overrides: Any) -> TerminalLink:
        return TerminalLink(self.hub, terminal, **{**self.link_options, **overrides})

    def link_for(self, meter: str) -> TerminalLink:
        """A serial-like link to ``meter`` for :class:`~meter_link.client.Dlt645Client`."""
        return self._link(self.terminal_of(meter))

    def client_for(self, meter: str, **client_options: Any) -> Dlt645Client:
        """A :class:`~meter_link.client.Dlt645Client` that reaches ``meter`` via its terminal."""
        return Dlt645Client(self.link_for(meter), **client_options)


__all__ = ["TerminalDirectory", "TerminalLink"]
