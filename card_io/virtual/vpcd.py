"""The virtual purchase card on the wire: a client of vsmartcard's ``vpcd`` reader driver.

vpcd (loaded by pcscd from /etc/reader.conf.d/vpcd) listens on TCP 35963 for slot 0
("Virtual PCD 00 00") and 35964 for slot 1. The card connects as a client; "inserted" means
the connection is open and answers GET ATR, "removed" means it is closed (card notes §3.2).

Messages, both ways: 2-byte big-endian length + payload. From vpcd, length 1 is a control byte
(00 power off, 01 power on, 02 reset, 04 get ATR — only 04 is answered), longer is a command
APDU answered with the response APDU.

Two hardware quirks handled here:
* Debian 12's vpcd sends the length and the payload in two ``send()`` calls without
  TCP_NODELAY, so Nagle + delayed ACK cost ~40 ms per APDU. Re-arming TCP_QUICKACK before
  every ``recv`` brings the round trip to well under a millisecond (card notes §3.2, §3.5-4).
* When pcscd restarts, vpcd closes the socket; a card that is still "inserted" reconnects,
  like a card that stays in the reader across a service restart (§3.5-2).

The project runs pcscd in a private network namespace with only a loopback interface, so
vpcd's listener (on all interfaces of its namespace) is unreachable from other hosts; the
card then connects from inside that namespace (``card_io.virtual.netns``).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from pathlib import Path

from card_io.card_files import CardParameters, RateTable, Wallet
from card_io.security import CardKeys
from card_io.virtual.card import VirtualCardState
from card_io.virtual.netns import connect_in, pcscd_netns

VPCD_HOST = "127.0.0.1"
VPCD_PORT_SLOT0 = 35963
VPCD_PORT_SLOT1 = 35964
VIRTUAL_READER_PREFIX = "Virtual PCD"

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4

_QUICKACK = getattr(socket, "TCP_QUICKACK", None)


class _Pulled(Exception):
    """Internal: the card leaves the reader (remove() or the remove-after hook)."""


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        if _QUICKACK is not None:
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("vpcd closed the connection")
        buf += chunk
    return buf


def _send_msg(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">H", len(payload)) + payload)


class VirtualPurchaseCard:
    """A user purchase card in vpcd's slot: start() the thread, then insert()/remove() it at
    any moment (also between two APDUs of a write, see ``remove_after``), stop() at the end.

    The card's contents live in ``state`` (persisted to its JSON file when it has one).
    """

    def __init__(
        self, state: VirtualCardState, port: int = VPCD_PORT_SLOT0, host: str = VPCD_HOST
    ) -> None:
        self.state = state
        self.host = host
        self.port = port
        self._cond = threading.Condition()
        self._want_inserted = False
        self._stopping = False
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._remove_budget: int | None = None
        self.connected = threading.Event()
        self.pulled = threading.Event()  # set when the remove-after hook pulled the card
        self.connections = 0  # how many times vpcd accepted us (re-inserts, reconnects)

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path, port: int = VPCD_PORT_SLOT0) -> VirtualPurchaseCard:
        return cls(VirtualCardState.load(path), port)

    @classmethod
    def blank(
        cls, serial: bytes, keys: CardKeys, path: Path | None = None, port: int = VPCD_PORT_SLOT0
    ) -> VirtualPurchaseCard:
        return cls(VirtualCardState.blank(serial, keys, path), port)

    @classmethod
    def issued(
        cls,
        serial: bytes,
        keys: CardKeys,
        params: CardParameters,
        wallet: Wallet,
        path: Path | None = None,
        port: int = VPCD_PORT_SLOT0,
        rates: RateTable | None = None,
    ) -> VirtualPurchaseCard:
        return cls(VirtualCardState.issued(serial, keys, params, wallet, path, rates), port)

    @property
    def serial(self) -> bytes:
        return self.state.serial

    @property
    def serial_hex(self) -> str:
        return self.state.serial.hex().upper()

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(
            target=self._run, name=f"virtual-card-{self.port}", daemon=True
        )
        self._thread.start()

    def insert(self) -> None:
        """Put the card into the reader (connect to vpcd; retried until pcscd listens)."""
        self.start()
        with self._cond:
            self.pulled.clear()
            self._want_inserted = True
            self._cond.notify_all()

    def remove(self) -> None:
        """Pull the card: the connection closes at once, whatever is going on."""
        with self._cond:
            self._want_inserted = False
            self._remove_budget = None
            self._close_socket()
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._want_inserted = False
            self._close_socket()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def remove_after(self, apdus: int | None) -> None:
        """Answer ``apdus`` more command APDUs, then pull the card when the next one arrives
        (that one is not executed). None cancels. Lets tests cut any write sequence."""
        with self._cond:
            self._remove_budget = apdus

    @property
    def inserted(self) -> bool:
        return self._want_inserted

    def wait_connected(self, timeout: float = 5.0) -> bool:
        return self.connected.wait(timeout)

    # -- the thread ---------------------------------------------------------------------------

    def _close_socket(self) -> None:
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and not self._want_inserted:
                    self._cond.wait()
                if self._stopping:
                    return
            try:
                sock = connect_in(pcscd_netns(), self.host, self.port, timeout=1.0)
            except OSError:
                time.sleep(0.1)  # pcscd not (yet) running: vpcd refuses; retry
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(None)
            with self._cond:
                if not self._want_inserted or self._stopping:
                    sock.close()
                    continue
                self._sock = sock
            self.connections += 1
            self.connected.set()
            try:
                self._serve(sock)
            except _Pulled:
                with self._cond:
                    self._want_inserted = False
                    self._remove_budget = None
                self.pulled.set()
            except (OSError, ConnectionError):
                time.sleep(0.05)  # removed, or pcscd went away: reconnect if still inserted
            finally:
                with self._cond:
                    self._sock = None
                self.connected.clear()
                sock.close()

    def _serve(self, sock: socket.socket) -> None:
        while True:
            (n,) = struct.unpack(">H", _recv_exact(sock, 2))
            msg = _recv_exact(sock, n) if n else b""
            if n == 1:
                ctrl = msg[0]
                if ctrl == CTRL_ATR:
                    _send_msg(sock, self.state.atr)
                elif ctrl in (CTRL_ON, CTRL_RESET):
                    self.state.power_on()
                continue
            with self._cond:
                if self._remove_budget is not None:
                    if self._remove_budget <= 0:
                        raise _Pulled()
                    self._remove_budget -= 1
            _send_msg(sock, self.state.process(msg))
