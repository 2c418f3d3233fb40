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
from collections.abc import Callable, Mapping
from typing import Any

from ..client import Dlt645Client, Timeouts
from ..dlt645.codes import BROADCAST_ADDRESS
from ..dlt645.frame import address_to_wire
from ..dlt645.stream import StreamDecoder
from ..errors import MeterLinkError, MeterSilent, RouteLost, TerminalOffline
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
        """The terminal of ``meter`` (from the routes, else by :meth:`locate`).

        A meter found behind no terminal raises what the search met: :class:`RouteLost`
        when an online terminal refused to forward to it, :class:`MeterSilent` when
        terminals forwarded but the meter never answered, :class:`TerminalOffline` when no
        terminal is online at all.
        """
        with self._lock:
            known = self.routes.get(meter)
        if known is not None:
            return known
        found = self.locate(meter)
        if isinstance(found, MeterLinkError):
            raise found
        self.assign(meter, found)
        return found

    def locate(self, meter: str, *, timeout: float = 2.0) -> str | MeterLinkError:
        """Ask every online terminal to read the meter's address; the first that answers.

        Returns the terminal, or the error that best says why none reached the meter.
        """
        failures: list[MeterLinkError] = []
        for terminal in self.hub.online_terminals():
            link = self.link_to_terminal(terminal, frame_timeout_s=timeout)
            client = Dlt645Client(link, timeouts=Timeouts.uniform(timeout))
            try:
                client.read(meter, 0x04000401)
            except MeterLinkError as exc:
                failures.append(exc)
                continue
            return terminal
        for kind in (RouteLost, MeterSilent):
            for failure in failures:
                if isinstance(failure, kind):
                    return kind(f"no online terminal reaches meter {meter}: {failure}")
        if failures:
            return failures[0]
        return TerminalOffline(f"no terminal is online to reach meter {meter}")

    def link_to_terminal(self, terminal: str, **overrides: Any) -> TerminalLink:
        """A link to the meters behind ``terminal`` with this directory's options."""
        return TerminalLink(self.hub, terminal, **{**self.link_options, **overrides})

    def link_for(self, meter: str) -> TerminalLink:
        """A serial-like link to ``meter`` for :class:`~meter_link.client.Dlt645Client`."""
        return self.link_to_terminal(self.terminal_of(meter))

    def client_for(self, meter: str, **client_options: Any) -> Dlt645Client:
        """A :class:`~meter_link.client.Dlt645Client` that reaches ``meter`` via its terminal."""
        return Dlt645Client(self.link_for(meter), **client_options)


class RoutingTerminalLink:
    """One serial-like link to every meter behind every terminal of a hub.

    Each frame written goes through the terminal that reaches its meter (the directory's
    routes, else a lookup among the online terminals); a broadcast goes through every
    online terminal. So a station can treat "all meters behind concentrators" as one link
    among its direct RS-485 links.
    """

    def __init__(self, directory: TerminalDirectory) -> None:
        self.directory = directory
        self._links: dict[str, TerminalLink] = {}
        self._current: TerminalLink | None = None

    def _link(self, terminal: str) -> TerminalLink:
        link = self._links.get(terminal)
        if link is None:
            link = self.directory.link_to_terminal(terminal)
            self._links[terminal] = link
        return link

    @property
    def in_waiting(self) -> int:
        """Bytes of the current reply not read yet."""
        return 0 if self._current is None else self._current.in_waiting

    def read(self, size: int = 1) -> bytes:
        """Up to ``size`` bytes of the current reply."""
        if self._current is None:
            time.sleep(0.02)
            return b""
        return self._current.read(size)

    def write(self, data: bytes, /) -> int:
        """Forward one frame through the terminal of the meter it addresses."""
        frames = StreamDecoder().feed(bytes(data))
        if not frames:
            raise RouteLost("not a DL/T 645 frame: no meter address to route by")
        address = frames[0].address
        if _is_broadcast(data):
            for terminal in self.directory.hub.online_terminals():
                try:
                    self._link(terminal).write(data)
                except MeterLinkError:
                    continue  # a broadcast has no reply; a terminal gone offline misses it
            self._current = None
            return len(data)
        if "AA" in address:
            raise RouteLost(f"wildcard address {address}: name the meter to route by")
        self._current = self._link(self.directory.terminal_of(address))
        return self._current.write(data)

    def flush(self) -> None:
        """Nothing is buffered on the way out."""

    def reset_input_buffer(self) -> None:
        """Drop unread reply bytes."""
        if self._current is not None:
            self._current.reset_input_buffer()

    def close(self) -> None:
        """Nothing to close: the hub owns the terminal connections."""


TERMINAL_LINK_PREFIX = "terminal:"
"""Link URLs through the hub: ``terminal:`` (any terminal) or ``terminal:RRRRTTTT``."""


def is_terminal_url(url: str) -> bool:
    """Whether ``url`` names a link through the terminal hub."""
    return url.startswith(TERMINAL_LINK_PREFIX)


def terminal_client_factory(
    directory: TerminalDirectory, *, timeouts: Timeouts | None = None
) -> Callable[[str], Dlt645Client]:
    """Link URL → client, for links through the hub (what a station's link owner calls).

    ``terminal:`` reaches every meter behind every terminal (:class:`RoutingTerminalLink`);
    ``terminal:RRRRTTTT`` the meters behind one terminal (:class:`TerminalLink`).
    """

    def factory(url: str) -> Dlt645Client:
        if not is_terminal_url(url):
            raise ValueError(f"{url} is not a terminal link")
        terminal = url[len(TERMINAL_LINK_PREFIX) :].strip("/")
        link: TerminalLink | RoutingTerminalLink
        link = directory.link_to_terminal(terminal) if terminal else RoutingTerminalLink(directory)
        return Dlt645Client(link, timeouts=timeouts)

    return factory


__all__ = [
    "TERMINAL_LINK_PREFIX",
    "RoutingTerminalLink",
    "TerminalDirectory",
    "TerminalLink",
    "is_terminal_url",
    "terminal_client_factory",
]
