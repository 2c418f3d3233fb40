"""PC/SC reader access: the only module of the project that imports pyscard.

Built on pyscard's thin ``smartcard.scard`` layer (the PC/SC calls themselves) rather than its
high-level classes, because the counter needs control those hide (card notes §3.5, §5):

* a fresh PC/SC context for every operation and in the monitor after every error: a cached
  context goes stale when pcscd (Linux) or the Smart Card service (Windows) restarts;
* readers chosen by a configurable name fragment (names differ between Windows and Linux);
* SHARED connection, T=0 or T=1, and one ``SCardBeginTransaction`` per operation, so another
  program cannot interleave APDUs and nobody is locked out between operations;
* T=0 status handling pyscard does not do: ``61xx`` -> GET RESPONSE, ``6Cxx`` -> resend with Le;
* every PC/SC return code turned into a typed ``CardError``;
* a supervised insert/remove monitor that survives a pcscd restart (pyscard's CardMonitor
  thread stops for good on SCARD_E_NO_SERVICE, pyscard issues #82/#128).

All calls block; the application runs them on the reader's own worker thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from smartcard import scard as _scard

from card_io import apdu as A
from card_io.errors import (
    CardError,
    CardRemoved,
    NoCard,
    NoPcscService,
    NoReader,
    PcscFailure,
    SharingViolation,
)

log = logging.getLogger(__name__)

VIRTUAL_READER_PREFIX = "Virtual PCD"

# pcsc-lite / WinSCard return codes (winscard.h)
SCARD_S_SUCCESS = 0x00000000
SCARD_E_CANCELLED = 0x80100002
SCARD_E_INVALID_HANDLE = 0x80100003
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_E_TIMEOUT = 0x8010000A
SCARD_E_SHARING_VIOLATION = 0x8010000B
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_F_COMM_ERROR = 0x80100013
SCARD_E_NOT_TRANSACTED = 0x80100016
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_W_UNRESPONSIVE_CARD = 0x80100066
SCARD_W_UNPOWERED_CARD = 0x80100067
SCARD_W_RESET_CARD = 0x80100068
SCARD_W_REMOVED_CARD = 0x80100069

_SERVICE_GONE = {SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED, SCARD_F_COMM_ERROR}
_READER_GONE = {SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE, SCARD_E_NO_READERS_AVAILABLE}
_NO_CARD = {SCARD_E_NO_SMARTCARD, SCARD_W_REMOVED_CARD, SCARD_W_UNRESPONSIVE_CARD,
            SCARD_W_UNPOWERED_CARD}  # fmt: skip
_LOST_DURING_OPERATION = {
    SCARD_W_REMOVED_CARD,
    SCARD_W_RESET_CARD,
    SCARD_E_NOT_TRANSACTED,
    SCARD_E_NO_SMARTCARD,
    SCARD_E_INVALID_HANDLE,
    SCARD_W_UNRESPONSIVE_CARD,
    SCARD_W_UNPOWERED_CARD,
}

STATE_PRESENT = int(_scard.SCARD_STATE_PRESENT)
STATE_CHANGED = int(_scard.SCARD_STATE_CHANGED)
STATE_UNAWARE = int(_scard.SCARD_STATE_UNAWARE)
STATE_MUTE = int(_scard.SCARD_STATE_MUTE)


def _u32(hr: Any) -> int:
    return int(hr) & 0xFFFFFFFF


def _message(rc: int) -> str:
    try:
        return str(_scard.SCardGetErrorMessage(rc))
    except Exception:  # pragma: no cover - message lookup only
        return ""


def _fail(step: str, rc: int, reader: str | None = None) -> CardError:
    """Map a PC/SC return code to our typed error."""
    if rc in _SERVICE_GONE:
        return NoPcscService(f"{step}: {_message(rc)}", rc)
    if rc == SCARD_E_SHARING_VIOLATION:
        return SharingViolation(reader)
    if step in ("transmit", "begin transaction") and rc in _LOST_DURING_OPERATION:
        return CardRemoved(reader, rc)
    if rc in _NO_CARD:
        return NoCard(reader)
    if rc in _READER_GONE:
        return NoReader(reader)
    return PcscFailure(step, rc, _message(rc))


def is_virtual_reader(name: str) -> bool:
    return name.startswith(VIRTUAL_READER_PREFIX)


@contextlib.contextmanager
def pcsc_context() -> Iterator[Any]:
    """A fresh PC/SC context (released on exit)."""
    hr, ctx = _scard.SCardEstablishContext(_scard.SCARD_SCOPE_USER)
    rc = _u32(hr)
    if rc != SCARD_S_SUCCESS:
        raise NoPcscService(_message(rc), rc)
    try:
        yield ctx
    finally:
        _scard.SCardReleaseContext(ctx)


def _list(ctx: Any) -> list[str]:
    hr, names = _scard.SCardListReaders(ctx, [])
    rc = _u32(hr)
    if rc == SCARD_E_NO_READERS_AVAILABLE:
        return []
    if rc != SCARD_S_SUCCESS:
        raise _fail("list readers", rc)
    return [str(n) for n in names]


def _states(ctx: Any, names: list[str]) -> dict[str, tuple[int, bytes]]:
    """Current (event state, ATR) of each reader, without waiting."""
    if not names:
        return {}
    hr, states = _scard.SCardGetStatusChange(ctx, 0, [(n, STATE_UNAWARE) for n in names])
    rc = _u32(hr)
    if rc not in (SCARD_S_SUCCESS, SCARD_E_TIMEOUT):
        raise _fail("get status", rc)
    return {str(r): (int(ev), bytes(atr)) for r, ev, atr in states}


def list_readers() -> list[str]:
    """Names of all readers (empty list when none); NoPcscService when the service is down."""
    with pcsc_context() as ctx:
        return _list(ctx)


@dataclass(frozen=True)
class ReaderStatus:
    name: str
    card_present: bool
    atr: bytes
    virtual: bool


def reader_status() -> list[ReaderStatus]:
    with pcsc_context() as ctx:
        names = _list(ctx)
        states = _states(ctx, names)
    return [
        ReaderStatus(
            name=n,
            card_present=bool(states[n][0] & STATE_PRESENT) and not states[n][0] & STATE_MUTE,
            atr=states[n][1],
            virtual=is_virtual_reader(n),
        )
        for n in names
    ]


class CardSession:
    """One connected card inside one transaction (see ``PcscReader.session``)."""

    def __init__(self, hcard: Any, protocol: int, reader: str, atr: bytes) -> None:
        self._hcard = hcard
        self._pci = (
            _scard.SCARD_PCI_T0 if protocol == _scard.SCARD_PROTOCOL_T0 else (_scard.SCARD_PCI_T1)
        )
        self.protocol = protocol
        self.reader = reader
        self.atr = atr
        self.apdus = 0

    @property
    def serial(self) -> bytes:
        """The 8-byte card serial meters take from ATR bytes 5..12 (card notes §1.1)."""
        return bytes(self.atr[5:13])

    def _raw(self, command: bytes) -> A.Response:
        hr, resp = _scard.SCardTransmit(self._hcard, self._pci, list(command))
        rc = _u32(hr)
        self.apdus += 1
        if rc != SCARD_S_SUCCESS:
            raise _fail("transmit", rc, self.reader)
        if len(resp) < 2:
            raise CardRemoved(self.reader)
        r = A.Response(bytes(resp[:-2]), (resp[-2] << 8) | resp[-1])
        log.debug("%s > %s < %s %04X", self.reader, command.hex(), r.data.hex(), r.sw)
        return r

    def transmit(self, command: bytes) -> A.Response:
        """Send one command APDU; answer ``61xx`` with GET RESPONSE and ``6Cxx`` by resending
        with the right Le (T=0 rules, ISO 7816-3 §10.3)."""
        return A.transmit_t0(self._raw, command)


class PcscReader:
    """A card reader chosen by a name fragment (None: see ``choose``)."""

    def __init__(self, name_fragment: str | None = None) -> None:
        self.name_fragment = name_fragment or None

    def choose(self, ctx: Any) -> str:
        """The reader to use. With a fragment: the first reader whose name contains it.
        Without: a real reader holding a card, else the virtual reader holding a card, else
        the first real reader, else the virtual one (so a technician's PC with a reader
        attached never talks to the virtual card by accident)."""
        names = _list(ctx)
        if self.name_fragment:
            frag = self.name_fragment.lower()
            matching = [n for n in names if frag in n.lower()]
            if not matching:
                raise NoReader(self.name_fragment, names)
            return matching[0]
        if not names:
            raise NoReader(None)
        states = _states(ctx, names)
        with_card = [n for n in names if states[n][0] & STATE_PRESENT]
        for group in (
            [n for n in with_card if not is_virtual_reader(n)],
            [n for n in with_card if is_virtual_reader(n)],
            [n for n in names if not is_virtual_reader(n)],
            names,
        ):
            if group:
                return group[0]
        raise NoReader(None)  # pragma: no cover

    def reader_name(self) -> str:
        with pcsc_context() as ctx:
            return self.choose(ctx)

    def wait_for_card(self, timeout_s: float) -> str:
        """Block until the chosen reader holds a card; return the reader name (NoCard after
        ``timeout_s``). Polls pcscd's state (its own poll runs every ~400 ms with vpcd)."""
        deadline = time.monotonic() + timeout_s
        with pcsc_context() as ctx:
            while True:
                name = self.choose(ctx)
                state, _ = _states(ctx, [name])[name]
                if state & STATE_PRESENT and not state & STATE_MUTE:
                    return name
                left = deadline - time.monotonic()
                if left <= 0:
                    raise NoCard(name)
                hr, _ = _scard.SCardGetStatusChange(
                    ctx, int(min(left, 0.5) * 1000), [(name, state)]
                )
                rc = _u32(hr)
                if rc not in (SCARD_S_SUCCESS, SCARD_E_TIMEOUT):
                    raise _fail("get status", rc, name)

    def card_present(self) -> bool:
        with pcsc_context() as ctx:
            name = self.choose(ctx)
            state, _ = _states(ctx, [name])[name]
            return bool(state & STATE_PRESENT) and not state & STATE_MUTE

    @contextlib.contextmanager
    def session(self, wait_s: float = 0.0, exclusive: bool = False) -> Iterator[CardSession]:
        """Connect (SHARED, T=0|T=1) and hold one transaction for the whole ``with`` block:
        one business operation = one session, so no other program interleaves APDUs.
        ``exclusive`` keeps every other program off the card (technician tools)."""
        with pcsc_context() as ctx:
            name = self.choose(ctx)
            if wait_s > 0:
                self._wait_in(ctx, name, wait_s)
            hr, hcard, proto = _scard.SCardConnect(
                ctx,
                name,
                _scard.SCARD_SHARE_EXCLUSIVE if exclusive else _scard.SCARD_SHARE_SHARED,
                _scard.SCARD_PROTOCOL_T0 | _scard.SCARD_PROTOCOL_T1,
            )
            rc = _u32(hr)
            if rc != SCARD_S_SUCCESS:
                raise _fail("connect", rc, name)
            try:
                hr = _scard.SCardBeginTransaction(hcard)
                rc = _u32(hr)
                if rc != SCARD_S_SUCCESS:
                    raise _fail("begin transaction", rc, name)
                try:
                    hr, _r, _s, _p, atr = _scard.SCardStatus(hcard)
                    rc = _u32(hr)
                    if rc != SCARD_S_SUCCESS:
                        raise _fail("transmit", rc, name)
                    yield CardSession(hcard, int(proto), name, bytes(atr))
                finally:
                    _scard.SCardEndTransaction(hcard, _scard.SCARD_LEAVE_CARD)
            finally:
                _scard.SCardDisconnect(hcard, _scard.SCARD_LEAVE_CARD)

    def _wait_in(self, ctx: Any, name: str, wait_s: float) -> None:
        deadline = time.monotonic() + wait_s
        while True:
            state, _ = _states(ctx, [name])[name]
            if state & STATE_PRESENT and not state & STATE_MUTE:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise NoCard(name)
            _scard.SCardGetStatusChange(ctx, int(min(left, 0.5) * 1000), [(name, state)])


# -- insert / remove events --------------------------------------------------------------------

EventKind = Literal[
    "inserted", "removed", "reader-added", "reader-removed", "service-lost", "service-back"
]


@dataclass(frozen=True)
class CardEvent:
    kind: EventKind
    reader: str | None = None
    atr: bytes = b""


class CardMonitor:
    """Insert/remove events from a supervised polling thread.

    Each round blocks in SCardGetStatusChange for up to ``poll_s``. Any PC/SC error releases
    the context; the loop then re-establishes a fresh one every ``retry_s`` until the service
    answers again ("service-lost" ... "service-back"), so the monitor outlives a pcscd
    restart. Callbacks run on the monitor thread: a UI forwards them to its own thread.
    """

    def __init__(
        self,
        on_event: Callable[[CardEvent], None],
        name_fragment: str | None = None,
        poll_s: float = 0.25,
        retry_s: float = 0.25,
    ) -> None:
        self._on_event = on_event
        self._fragment = (name_fragment or "").lower()
        self._poll_ms = int(poll_s * 1000)
        self._retry_s = retry_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._present: dict[str, bytes] = {}  # reader -> ATR of the card in it
        self._readers: set[str] = set()
        self._service_up: bool | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="card-monitor", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> CardMonitor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _emit(self, event: CardEvent) -> None:
        try:
            self._on_event(event)
        except Exception:  # a faulty observer must not kill the monitor
            log.exception("card event handler failed for %s", event)

    def _service_lost(self) -> None:
        if self._service_up is not False:
            for reader in sorted(self._present):
                self._emit(CardEvent("removed", reader))
            self._present.clear()
            self._readers.clear()
            self._emit(CardEvent("service-lost"))
        self._service_up = False

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with pcsc_context() as ctx:
                    if self._service_up is False:
                        self._emit(CardEvent("service-back"))
                    self._service_up = True
                    self._watch(ctx)
            except NoPcscService:
                self._service_lost()
            except CardError as exc:
                log.debug("card monitor restarts after %s", exc)
                self._service_lost()
            except Exception:  # pragma: no cover - never let the supervisor die
                log.exception("card monitor error; restarting")
            self._stop.wait(self._retry_s)

    def _watch(self, ctx: Any) -> None:
        known: dict[str, int] = {}
        while not self._stop.is_set():
            names = [n for n in _list(ctx) if self._fragment in n.lower()]
            for gone in sorted(self._readers - set(names)):
                if gone in self._present:
                    del self._present[gone]
                    self._emit(CardEvent("removed", gone))
                self._emit(CardEvent("reader-removed", gone))
                known.pop(gone, None)
            for new in names:
                if new not in self._readers:
                    self._emit(CardEvent("reader-added", new))
                    known[new] = STATE_UNAWARE
            self._readers = set(names)
            if not names:
                self._stop.wait(self._poll_ms / 1000)
                continue
            hr, states = _scard.SCardGetStatusChange(
                ctx, self._poll_ms, [(n, known.get(n, STATE_UNAWARE)) for n in names]
            )
            rc = _u32(hr)
            if rc == SCARD_E_TIMEOUT:
                continue
            if rc != SCARD_S_SUCCESS:
                raise _fail("get status", rc)
            for reader, ev, atr in states:
                reader = str(reader)
                state = int(ev) & ~STATE_CHANGED
                known[reader] = state
                present = bool(state & STATE_PRESENT) and not state & STATE_MUTE
                if present and reader not in self._present:
                    self._present[reader] = bytes(atr)
                    self._emit(CardEvent("inserted", reader, bytes(atr)))
                elif not present and reader in self._present:
                    del self._present[reader]
                    self._emit(CardEvent("removed", reader))
