"""The card side of the fault campaign: purchase cards in one vpcd slot, the customer taking a
card to its meter, a teller answering ``counterctl card write`` at the shell, and pcscd
restarted under a running write.

Every campaign meter has its own purchase card (a `VirtualPurchaseCard` in this process,
talking to the real pcscd through vpcd), issued with count 0 and registered for the meter in
the books and in the meter simulator (R12: serial). The cards take turns in one slot; the
slot is locked only while a run needs it, so other test sessions on the machine can use it
between runs.

What the campaign does with them (`tests.campaign.engine`):

- a card write at the shell (``counterctl card write CUSTOMER METER``, the window's
  `CardWriteProcedure`): a household's (R6) or a card-mode meter's prepayment, or a failed
  dispatch written with its same n (R10); the teller inserts the card when asked, says yes
  to the checks, puts a pulled card back or walks away;
- faults during the write: the card pulled after a random number of APDUs (any point of the
  read, the recording, the write or the read-back) and put back — or another card put back
  first (the household's other card) —, ``kill -9`` of counterctl, pcscd
  restarted (by the PID the project's tooling started, and only while no other test
  session uses it);
- the customer takes the card to the meter (`card_io.meter_card.insert_card`, the meter
  simulator's card slot), and the teller reads its write-back later (R13).

Afterwards an operator's recovery: every ``card-writing`` purchase settled by reading its
card again (``counterctl card settle``, R12), card purchases whose write was abandoned given
back to the prepayment, write-backs read. The checks compare each card with the books:
its wallet (amount, count C) is exactly a purchase the books hold as ``card-written`` (C
above the committed count) or ``loaded`` — never a purchase the books abandoned, so no
money can reach a meter twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from card_io.card_files import CardKind, CardParameters, Wallet
from card_io.meter_card import CardInsertResult, insert_card
from card_io.security import SoftwareCardCrypto
from card_io.virtual import VirtualPurchaseCard
from tests.fixtures.pcsc import (
    LEASE,
    PIDFILE,
    SLOT_PORTS,
    SLOT_READERS,
    VAR,
    PcscService,
    _running_pcscd_pid,
    _virtual_reader_up,
    slot_lock,
    wait_until,
)

CARD_OPERATIONS = (
    "card-write",
    "card-write",
    "card-pulled",
    "card-mixed-up",
    "card-write-killed",
    "pcscd-restarted",
    "card-to-meter",
)
PROMPT = re.compile(r"(?:^|\n)\? ([^\n]*(?:\(q: stop\)|\[y/N\])) $")
RESTART_LOCK = VAR / "pcscd-restart.lock"


def card_serial(index: int) -> str:
    """The campaign's card for meter `index`: a fixed serial, so a seed replays the run."""
    return f"{0xC0000000 + index:016X}"


class CardDeck:
    """The campaign's purchase cards (one per meter) and the slot they take turns in."""

    def __init__(
        self, workdir: Path, master_key: bytes, meters: dict[str, str], slot: int = 0
    ) -> None:
        """`meters`: address (= meter number) -> customer number."""
        self.crypto = SoftwareCardCrypto(master_key)
        self.slot = slot
        self.reader = SLOT_READERS[slot]
        self.cards: dict[str, VirtualPurchaseCard] = {}
        self.serials: dict[str, str] = {}
        for index, (address, customer_no) in enumerate(sorted(meters.items()), start=1):
            serial = card_serial(index)
            raw = bytes.fromhex(serial)
            params = CardParameters(
                meter_no=address, customer_no=customer_no, kind=CardKind.PURCHASE
            )
            self.cards[address] = VirtualPurchaseCard.issued(
                raw,
                self.crypto.card_keys(raw),
                params,
                Wallet(0, 0),
                workdir / f"card-{address}.json",
                SLOT_PORTS[slot],
            )
            self.serials[address] = serial
        self.inside: str | None = None
        self.at_meter: set[str] = set()  # cards whose write-back the counter has not read
        self._lock: contextlib.ExitStack | None = None

    # -- the slot ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def slot_held(self) -> Iterator[None]:
        """The slot for one run (other sessions wait at most that long); emptied after."""
        with slot_lock(self.slot, timeout=600.0):
            try:
                yield
            finally:
                self.take_out()

    def put_in(self, address: str, timeout: float = 20.0) -> bool:
        """The teller puts the card of `address` into the reader (taking out another one);
        True once pcscd reports it present (after a pcscd restart: once it is back)."""
        card = self.cards[address]
        if self.inside != address:
            self.take_out()
        card.remove_after(None)
        card.insert()
        self.inside = address
        if wait_until(lambda: self._present(True, card.state.atr), timeout / 2, step=0.05):
            return True
        card.remove()  # not seen: out and in again, as a person would
        wait_until(lambda: self._present(False), 3.0, step=0.05)
        card.insert()
        return wait_until(lambda: self._present(True, card.state.atr), timeout / 2, step=0.05)

    def seen(self) -> str:
        """What pcscd shows in the slot (for a failure message)."""
        from card_io.errors import CardError
        from card_io.reader import reader_status

        try:
            return (
                "; ".join(
                    f"{s.name}: {'card ' + s.atr.hex() if s.card_present else 'empty'}"
                    for s in reader_status()
                    if s.name == self.reader
                )
                or f"no reader {self.reader}"
            )
        except CardError as exc:
            return f"pcscd: {exc}"

    def take_out(self) -> None:
        if self.inside is None:
            return
        card = self.cards[self.inside]
        card.remove_after(None)
        card.remove()
        self.inside = None
        wait_until(lambda: self._present(False), 5.0, step=0.05)

    def _present(self, present: bool, atr: bytes | None = None) -> bool:
        """pcscd shows the slot with a card (with `atr`: this card, not a card another
        program put into the same slot) or empty."""
        from card_io.errors import CardError
        from card_io.reader import reader_status

        try:
            return any(
                s.name == self.reader
                and s.card_present == present
                and (atr is None or s.atr == atr)
                for s in reader_status()
            )
        except CardError:
            return False

    def wallet(self, address: str) -> Wallet:
        return self.cards[address].state.wallet()

    def close(self) -> None:
        for card in self.cards.values():
            card.stop()
        self.inside = None

    # -- the meter -----------------------------------------------------------------------------
    def to_meter(self, address: str, meter_state: Path) -> CardInsertResult:
        """The customer inserts the card into its meter (the simulator must be stopped: its
        state file is the meter). The counter learns of it from the write-back (R13)."""
        from meter_link.simulator.bus import MeterSimulator

        if self.inside == address:
            self.take_out()
        bus = MeterSimulator(state_file=meter_state)
        bus.load()
        with bus.meter(address) as meter:
            result = insert_card(self.cards[address], meter, dt.datetime.now(), self.crypto)
        bus.save()
        if result.wrote_back:
            self.at_meter.add(address)
        return result


# -- the teller at the shell --------------------------------------------------------------------


class Conversation:
    """``counterctl`` run with a person answering its questions on standard input, one at a
    time, as they appear on standard error (`counter_app.shell_prompts`)."""

    def __init__(self, cmd: list[str], env: dict[str, str], password: str) -> None:
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self._err = bytearray()
        self._seen = 0
        self._cond = threading.Condition()
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stderr, True), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stdout, False), daemon=True),
        ]
        for t in self._readers:
            t.start()
        self.answer(password)  # the operator signs in: the password on standard input

    def _pump(self, stream: Any, keep: bool) -> None:
        fd = stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            with self._cond:
                if keep and chunk:
                    self._err += chunk
                if not chunk:
                    self._cond.notify_all()
                    return
                self._cond.notify_all()

    def prompt(self, timeout: float = 60.0) -> str | None:
        """The next question, or None when the program ended (or said nothing for
        `timeout` s)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                text = self._err[self._seen :].decode("utf-8", "replace")
                found = PROMPT.search(text)
                if found is not None:
                    self._seen = len(self._err)
                    return found.group(1)
                left = deadline - time.monotonic()
                if self.proc.poll() is not None and not any(t.is_alive() for t in self._readers):
                    return None
                if left <= 0:
                    return None
                self._cond.wait(min(left, 0.2))

    def answer(self, text: str) -> None:
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError, ValueError, OSError):
            self.proc.stdin.write(f"{text}\n".encode())
            self.proc.stdin.flush()

    def kill(self) -> None:
        """``kill -9`` of the counterctl we started (by its PID)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)

    def finish(self, timeout: float = 120.0) -> int | None:
        """Its exit code (None: killed by us or by a signal)."""
        with contextlib.suppress(BrokenPipeError, ValueError, OSError):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.proc.wait(10)
        for t in self._readers:
            t.join(5)
        code = self.proc.returncode
        return None if code is None or code < 0 else code

    @property
    def stderr(self) -> str:
        with self._cond:
            return self._err.decode("utf-8", "replace")


@dataclass
class CardWriteAt:
    """When a card write is cut: the card pulled after `pull_after` APDUs; counterctl
    ``kill -9``-ed `kill_after` s after the teller said yes (or after it started, with
    `kill_early`); pcscd restarted `restart_after` s after yes."""

    pull_after: int | None = None
    kill_after: float | None = None
    kill_early: bool = False
    restart_after: float | None = None
    walk_away: bool = False  # the teller does not put a pulled card back
    mix_up: bool = False  # the teller first puts another card back (the household's other)


# -- pcscd restarted by the PID the project's tooling started ------------------------------------


def _lease_holders() -> set[int]:
    """PIDs holding a lock on the shared pcscd lease (``/proc/locks``)."""
    try:
        st = LEASE.stat()
    except OSError:
        return set()
    holders: set[int] = set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if len(fields) < 6 or fields[1] != "FLOCK":
                continue
            try:
                major, minor, inode = fields[5].split(":")
            except ValueError:
                continue
            if int(inode) == st.st_ino and os.makedev(int(major, 16), int(minor, 16)) == st.st_dev:
                holders.add(int(fields[4]))
    return holders


def _is_campaign(pid: int) -> bool:
    """This process, or another fault campaign (which recovers from a restart itself)."""
    if pid == os.getpid():
        return True
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"fault_campaign" in cmdline or b"tests/campaign" in cmdline


def pcscd_restarter(service: PcscService) -> Callable[[], bool]:
    """A restart of the project's pcscd for the campaign: stopped by its PID (the pid file of
    the project's tooling, never by name) and started again the same way, private or open
    as it ran. Refused (False) when pcscd is not the project's, or when a session other
    than fault campaigns holds the lease (their cards would be cut)."""

    def restart() -> bool:
        VAR.mkdir(exist_ok=True)
        with open(RESTART_LOCK, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not all(_is_campaign(pid) for pid in _lease_holders()):
                    return False
                pid = _running_pcscd_pid()
                try:
                    ours = pid is not None and PIDFILE.read_text().strip() == str(pid)
                except OSError:
                    ours = False
                if not ours:
                    return False
                open_to_network = not service.private
                if service.process is None or service.process.pid != pid:
                    service.process, service.pid = None, pid  # another campaign started it
                service.owned = True
                service.stop()
                service.start(open_to_network)
                service.preexisting = False
                return wait_until(_virtual_reader_up, 10.0)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    return restart
