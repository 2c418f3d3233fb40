"""The fault campaign: randomized runs of payments, dispatches, reversals and work orders with
faults, recovered as an operator would, then checked against the books and the meters.

One *stack* lives for the whole campaign: a counter database (SQLite file or a PostgreSQL
database), a ``meter-sim serve`` subprocess on loopback with its state file, and the people
(teller, technician, supervisor). One *run* draws a fault profile for the meter simulator
(none, a silent meter, a reply lost after the meter applied the recharge, corrupt replies) and
two to four operations:

- ``pay``: a payment through the services in this process (the small driver);
- ``pay-killed``: ``counterctl pay`` in a subprocess, ``kill -9`` at a random moment;
- ``sim-killed``: ``counterctl pay`` while the meter simulator is ``kill -9``-ed at a random
  moment (restarted afterwards from its state file);
- ``refused``: the simulator is down, a payment meets a link that cannot be opened;
- ``db-dropped`` (PostgreSQL only): the server is restarted while ``counterctl pay`` runs, so
  every open connection is dropped;
- ``reverse``: a supervisor-authorised reversal of a random payment (R15/R16);
- ``retry``: inspection staff retry a random open work order (R10).

With cards (`tests.campaign.cards`; pcscd with the vpcd reader) a card-mode meter and a
two-meter household (R6) join, every meter has its purchase card, and a share of the runs
also draws from the card operations: ``card-write`` (``counterctl card write`` with the teller
answering: a prepayment, R6, or a failed dispatch with its same n, R10), ``card-pulled`` (the
card leaves the reader after a random number of APDUs; the teller puts it back or walks
away), ``card-write-killed`` (``kill -9`` of counterctl while it reads or writes the card),
``pcscd-restarted`` (pcscd restarted under the write) and ``card-to-meter`` (the customer
inserts the card into the meter).

Then recovery as an operator does it: the simulator back without faults; interrupted card
writes settled by reading the card again (``counterctl card settle``, R12) and abandoned card
purchases back to the prepayment; ``counterctl resume`` (R8 probes, queued purchases, work
orders for failed ones); a retry of every open work order; the write-back of every card that
went through its meter read (``counterctl card writeback``, R13).
Checks after every run: I1 and I2 over the whole database (`services.checks`), and for every
meter the simulator's state file agrees with the books — its purchase count is the committed
count and the money it received is exactly the sum of the loaded purchases (no double credit);
every purchase is final (loaded, reversed, card-written) or has a live work order; every card
carries exactly the books' purchase of its count (no double credit through a card).

A failing run names the campaign's seed: the same seed replays the same draws.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.campaign.cards import CARD_OPERATIONS, CardDeck, CardWriteAt, Conversation

COUNTERCTL = Path(sys.prefix) / "bin" / "counterctl"
METER_SIM = Path(sys.prefix) / "bin" / "meter-sim"
RECHARGE_DI = "070102FF"
PROFILES = ("clean", "clean", "silent", "lost-reply", "corrupt")
OPERATIONS = ("pay", "pay", "pay-killed", "sim-killed", "refused", "reverse", "retry")


@dataclass
class RunReport:
    """One run: what it did and what broke (an empty `failures` is a good run)."""

    number: int
    profile: str
    operations: list[str]
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MeterSimProcess:
    """``meter-sim serve`` as a subprocess on a fixed loopback port; killed by its own PID."""

    def __init__(self, workdir: Path, meters: list[dict[str, Any]], key_file: Path) -> None:
        """`meters`: the simulator's meter configuration (meter_no, customer_no, ...)."""
        self.workdir = workdir
        self.state = workdir / "meters.json"
        self.key_file = key_file
        self.port = _free_port()
        self.url = f"socket://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[str] | None = None
        self.faults: list[str] = []
        config = {"meters": meters}
        self.config = workdir / "meters-config.json"
        self.config.write_text(json.dumps(config), encoding="utf-8")

    @property
    def addresses(self) -> list[str]:
        return [m["meter_no"] for m in json.loads(self.config.read_text())["meters"]]

    def start(self, faults: list[str] | None = None) -> None:
        self.stop()
        self.faults = list(faults or [])
        cmd = [
            str(METER_SIM),
            "serve",
            "--tcp",
            f"127.0.0.1:{self.port}",
            "--state",
            str(self.state),
            "--key-file",
            str(self.key_file),
            "--config",
            str(self.config),
        ]
        for fault in faults or []:
            cmd += ["--fault", fault]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # "meter-sim: N meters on socket://..."
        if "meters on" not in line:
            raise RuntimeError(f"meter-sim did not start: {line} {self.proc.stderr.read()}")

    def kill(self) -> None:
        """``kill -9`` of the simulator we started (by its PID)."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        """Stop it for a restart: the state file is written atomically after every change,
        so a kill loses nothing the meters had confirmed (and is faster than its 0.5 s
        signal poll)."""
        self.kill()

    @property
    def running_clean(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and not self.faults

    def meters(self) -> dict[str, dict[str, Any]]:
        data = json.loads(self.state.read_text(encoding="utf-8"))
        return {m["address"]: m for m in data["meters"]}


class Campaign:
    """The stack of one campaign and its runs (see the module docstring)."""

    def __init__(
        self,
        workdir: Path,
        database_url: str,
        *,
        meters: int = 4,
        seed: int | None = None,
        restart_database: Callable[[], None] | None = None,
        cards: bool = False,
        card_share: float = 1.0,
        slot: int = 0,
        restart_pcscd: Callable[[], bool] | None = None,
    ) -> None:
        """`cards`: every meter gets a purchase card in vpcd's `slot` (pcscd must run), and
        a card-mode meter and a two-meter household (R6) join the remote meters; a share
        `card_share` of the runs then writes cards, with the card faults
        (`tests.campaign.cards`). `restart_pcscd` restarts the project's pcscd (False when
        it may not now)."""
        from meter_link.security import generate_master_key, write_key_file

        self.workdir = workdir
        self.url = database_url
        self.rng = random.Random(seed)
        self.seed = seed
        self.restart_database = restart_database
        self.restart_pcscd = restart_pcscd
        self.card_share = card_share
        self.key_file = workdir / "meter.key"
        self.key = generate_master_key()
        write_key_file(self.key_file, self.key)
        # address -> (customer number, purchase mode); remote meters, one customer each
        self.layout: dict[str, tuple[str, str]] = {
            f"{i:012d}": (f"{100000000000 + i:012d}", "remote") for i in range(1, meters + 1)
        }
        self.card_route: set[str] = set()  # meters whose money waits for a card write (R6)
        self.deck: CardDeck | None = None
        self.fault_counts: Counter[str] = Counter()
        self.mixed_up: set[str] = set()  # meters whose teller takes the wrong card to settle
        card_master = secrets.token_bytes(16)
        if cards:
            card_mode, first, second = (f"{meters + i:012d}" for i in (1, 2, 3))
            household = f"{100000000000 + meters + 2:012d}"
            self.layout[card_mode] = (f"{100000000000 + meters + 1:012d}", "card")
            self.layout[first] = (household, "remote")  # two card meters: R6, never dispatched
            self.layout[second] = (household, "remote")
            self.card_route = {card_mode, first, second}
            self.deck = CardDeck(
                workdir, card_master, {a: c for a, (c, _) in self.layout.items()}, slot
            )
        self.sim = MeterSimProcess(
            workdir,
            [
                {
                    "meter_no": address,
                    "customer_no": customer_no,
                    "hoarding_limit_fen": 99_999_999,
                    **({"card_serial": self.deck.serials[address]} if self.deck else {}),
                }
                for address, (customer_no, _) in self.layout.items()
            ],
            self.key_file,
        )
        self.customers = list(dict.fromkeys(c for c, _ in self.layout.values()))
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("COUNTER_") and k not in ("CARD_KEY_FILE", "CARD_MASTER_KEY")
        }
        self.env.update(
            {
                "COUNTER_DATA_DIR": str(workdir / "data"),
                "XDG_CONFIG_HOME": str(workdir / "config"),
                "COUNTER_METER_LINK": self.sim.url,
                "COUNTER_METER_KEY_FILE": str(self.key_file),
                "COUNTER_ID": "campaign",
            }
        )
        if self.deck is not None:
            self.env["CARD_MASTER_KEY"] = card_master.hex()
        self.services: Any = None
        self.dispatcher: Any = None

    # -- the stack ------------------------------------------------------------------------------
    def setup(self) -> None:
        from counter_app.services import auth
        from counter_app.store.models import Customer, Meter

        while not self.sim.state.exists():  # a clean stop writes the meters' first figures
            self.sim.start()
            time.sleep(0.3)  # its signal handlers are set after it says where it listens
            assert self.sim.proc is not None
            self.sim.proc.send_signal(signal.SIGTERM)
            self.sim.proc.wait(10)
        self.sim.start()
        self.connect()
        for username, role in (
            ("teller1", "teller"),
            ("tech1", "technician"),
            ("super1", "supervisor"),
        ):
            if auth.user_count() == 0 or not _user_exists(username):
                auth.create_user(username, f"{username}-pass", role)
        for address, (customer_no, mode) in self.layout.items():
            c = Customer.get_or_none(Customer.customer_no == customer_no)
            if c is None:
                c = Customer.create(customer_no=customer_no, name=f"Campaign {customer_no}")
            if Meter.get_or_none(Meter.address == address) is None:
                Meter.create(
                    customer=c,
                    address=address,
                    meter_no=address,
                    customer_no=customer_no,
                    collection_capable=True,
                    purchase_mode=mode,
                    card_serial=None if self.deck is None else self.deck.serials[address],
                )
        self.initial = {a: int(m["total_purchased_fen"]) for a, m in self.sim.meters().items()}

    def connect(self) -> None:
        """(Re)bind this process's services: after a database restart every connection is
        gone, as for any counter; the operator starts the program again."""
        from counter_app.bootstrap import MeterLinkDispatcher
        from counter_app.config import MeterLinkConfig
        from counter_app.services.context import ServiceContext
        from counter_app.services.registry import build_services
        from counter_app.store import database as store_db
        from counter_app.store.migrations import migrate
        from meter_link.client import Dlt645Client, Timeouts
        from meter_link.security import SoftwareSecurityModule

        with contextlib.suppress(Exception):
            store_db.close_database()
        store_db.bind_database(self.url)
        migrate()
        if self.dispatcher is not None:
            with contextlib.suppress(Exception):
                self.dispatcher.close()
        self.dispatcher = MeterLinkDispatcher(
            MeterLinkConfig(url=self.sim.url),
            security=SoftwareSecurityModule(self.key),
            client_factory=lambda url: Dlt645Client(url, timeouts=Timeouts.uniform(0.25)),
        )
        self.services = build_services(
            ServiceContext(counter_id="campaign-driver", dispatcher=self.dispatcher)
        )

    def close(self) -> None:
        from counter_app.store import database as store_db

        if self.dispatcher is not None:
            with contextlib.suppress(Exception):
                self.dispatcher.close()
        self.sim.stop()
        if self.deck is not None:
            self.deck.close()
        with contextlib.suppress(Exception):
            store_db.close_database()

    def counterctl(self, *args: str, kill_after: float | None = None) -> int | None:
        """Run counterctl; with `kill_after`, ``kill -9`` it then (if still running)."""
        self.last_error = ""
        proc = subprocess.Popen(
            [str(COUNTERCTL), "--db", self.url, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )
        assert proc.stdin is not None
        if "--operator" in args:  # the operator signs in: the password on standard input
            proc.stdin.write(f"{args[args.index('--operator') + 1]}-pass\n")
        proc.stdin.close()
        proc.stdin = None  # answered: communicate() then only reads
        try:
            if kill_after is not None:
                try:
                    proc.wait(kill_after)
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(10)
                    return None
            _, err = proc.communicate(timeout=120)
            self.last_error = next(iter((err or "").strip().splitlines()[-1:]), "")
            return proc.returncode
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)

    def _start_payment(self) -> subprocess.Popen[str]:
        """``counterctl pay`` for a drawn customer and amount, the teller signed in (the
        password on standard input), left running for a fault to meet it."""
        proc = subprocess.Popen(
            [
                *(str(COUNTERCTL), "--db", self.url, "pay", self._customer()),
                *(f"{self._amount() / 100:.2f}", "--operator", "teller1"),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            env=self.env,
        )
        assert proc.stdin is not None
        proc.stdin.write("teller1-pass\n")
        proc.stdin.close()
        return proc

    # -- one run ------------------------------------------------------------------------------
    def _faults(self, profile: str) -> list[str]:
        address = self.rng.choice(self.sim.addresses)
        if profile == "silent":
            return [f"{address}=no-reply*all"]
        if profile == "lost-reply":
            return [f"{address}=reply-lost-after-apply@{RECHARGE_DI}"]
        if profile == "corrupt":
            return [f"{address}=corrupt*{self.rng.randint(1, 4)}"]
        return []

    def _customer(self) -> str:
        return str(self.rng.choice(self.customers))

    def _amount(self) -> int:
        return self.rng.randint(1, 500) * 10

    def run_once(self, number: int) -> RunReport:
        profile = self.rng.choice(PROFILES)
        operations = list(OPERATIONS)
        if self.restart_database is not None:
            operations.append("db-dropped")
        card_run = self.deck is not None and self.rng.random() < self.card_share
        if card_run:
            operations += CARD_OPERATIONS
        ops = [self.rng.choice(operations) for _ in range(self.rng.randint(2, 4))]
        if card_run and not any(op in CARD_OPERATIONS for op in ops):
            ops[self.rng.randrange(len(ops))] = self.rng.choice(CARD_OPERATIONS)
        report = RunReport(number, profile, ops)
        faults = self._faults(profile)
        if faults:
            self.fault_counts[f"meter {profile}"] += 1
        try:
            if faults or not self.sim.running_clean:
                self.sim.start(faults)
            for op in ops:
                self._operate(op, faults)
            shell = any(op.endswith(("killed", "dropped", "restarted")) for op in ops)
            self.recover(shell=shell)
        except Exception as exc:  # a crash of the harness or of the program: the run failed
            report.failures.append(f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(Exception):
                self.connect()
                self.recover()
        report.failures.extend(self.check())
        return report

    def _operate(self, op: str, faults: list[str]) -> None:
        from counter_app.services.errors import ServiceError

        if op == "card-to-meter":  # the card is out of the reader, in the customer's hand
            self._card_operation(op, faults)
        elif op in CARD_OPERATIONS:
            assert self.deck is not None
            with self.deck.slot_held():  # the slot only while a card is in it
                self._card_operation(op, faults)
        elif op == "pay":
            self.fault_counts["none: payment"] += 1
            self.services.payments.take_payment(
                self._customer(), self._amount(), operator="teller1"
            )
        elif op == "pay-killed":
            self.fault_counts["kill -9 counterctl during a payment"] += 1
            self.counterctl(
                "pay",
                self._customer(),
                f"{self._amount() / 100:.2f}",
                "--operator",
                "teller1",
                kill_after=self.rng.uniform(0.05, 0.9),
            )
        elif op == "sim-killed":
            self.fault_counts["kill -9 meter simulator during a payment"] += 1
            proc = self._start_payment()
            time.sleep(self.rng.uniform(0.1, 0.8))
            self.sim.kill()
            proc.wait(120)
            self.sim.start(faults)
        elif op == "refused":
            self.fault_counts["meter link refused"] += 1
            self.sim.kill()
            self.services.payments.take_payment(
                self._customer(), self._amount(), operator="teller1"
            )
            self.sim.start(faults)
        elif op == "db-dropped" and self.restart_database is not None:
            self.fault_counts["PostgreSQL restarted during a payment"] += 1
            proc = self._start_payment()
            time.sleep(self.rng.uniform(0.1, 1.0))
            self.restart_database()
            proc.wait(120)
            self.connect()
        elif op == "reverse":
            from counter_app.store.models import Payment

            ids = [
                int(p.id)
                for p in Payment.select(Payment.id).where(
                    (Payment.reversed == False) & (Payment.channel == "counter")  # noqa: E712
                )
            ]
            if ids:
                with contextlib.suppress(ServiceError):
                    self.services.reversals.reverse_payment(
                        self.rng.choice(ids),
                        operator="teller1",
                        supervisor="super1",
                        supervisor_password="super1-pass",
                        reason="campaign",
                    )
        elif op == "retry":
            self._retry_orders(limit=1)

    # -- cards ------------------------------------------------------------------------------------
    def _card_operation(self, op: str, faults: list[str]) -> None:
        assert self.deck is not None
        if op == "card-to-meter":
            address = self._card_to_take()
            self.fault_counts["none: card taken to its meter"] += 1
            self._to_meter(address, faults)
            return
        at = CardWriteAt()
        if op == "card-pulled":
            at.pull_after = self.rng.randint(0, 32)  # a write takes 24-30 APDUs
            at.walk_away = self.rng.random() < 0.3
        elif op == "card-mixed-up":
            at.pull_after = self.rng.randint(12, 30)  # recording, writing, reading back
            at.mix_up = True
            at.walk_away = self.rng.random() < 0.3  # then settled later, the wrong card first
        elif op == "card-write-killed":
            at.kill_after = self.rng.uniform(0.0, 0.5)
            at.kill_early = self.rng.random() < 0.3
        elif op == "pcscd-restarted":
            at.restart_after = self.rng.uniform(0.0, 0.4)
        self._card_write(at, faults)

    def _card_to_take(self) -> str:
        """A card carrying a purchase its meter has not loaded, else any card."""
        assert self.deck is not None
        meters = self.sim.meters()
        waiting = [
            a
            for a in sorted(self.deck.cards)
            if self.deck.wallet(a).count > int(meters[a]["purchase_count"])
        ]
        return str(self.rng.choice(waiting or sorted(self.deck.cards)))

    def _to_meter(self, address: str, faults: list[str]) -> None:
        """The customer inserts the card into the meter (the simulator holds the meter's
        state: stopped meanwhile, back with the run's faults)."""
        assert self.deck is not None
        self.sim.stop()
        try:
            self.deck.to_meter(address, self.sim.state)
        finally:
            self.sim.start(faults)

    def _other_card(self, address: str) -> str:
        """Another card the teller may take for this one: the household's other card, or
        the next meter's."""
        assert self.deck is not None
        customer = self.layout[address][0]
        same = [a for a, (c, _) in self.layout.items() if c == customer and a != address]
        others = sorted(self.deck.cards)
        return same[0] if same else others[(others.index(address) + 1) % len(others)]

    def _card_target(self) -> str:
        """The meter whose card the teller writes: a failed dispatch (R10) whose card is in
        step with the books, else a household or card-mode meter (R6)."""
        from counter_app.store.models import Meter

        assert self.deck is not None
        failed = []
        for address in sorted(self.deck.cards):
            meter = Meter.get(Meter.address == address)
            purchase_id = self.services.cards.purchase_to_write(int(meter.id))
            if (
                address not in self.card_route
                and purchase_id is not None
                and self.deck.wallet(address).count == int(meter.committed_count)
            ):
                failed.append(address)
        if failed and self.rng.random() < 0.7:
            self.fault_counts["(card write of a failed dispatch, R10)"] += 1
            return str(self.rng.choice(failed))
        self.fault_counts["(card write from a prepayment, R6)"] += 1
        return str(self.rng.choice(sorted(self.card_route)))

    def _card_write(self, at: CardWriteAt, faults: list[str]) -> None:
        """``counterctl card write`` with the teller answering, the fault of `at` on the way."""
        from counter_app.store.models import Customer, Meter

        assert self.deck is not None
        deck = self.deck
        address = self._card_target()
        customer_no = self.layout[address][0]
        if deck.wallet(address).count > int(self.sim.meters()[address]["purchase_count"]):
            self._to_meter(address, faults)  # R12a: the previous purchase goes in first
        meter = Meter.get(Meter.address == address)
        customer = Customer.get_by_id(meter.customer_id)
        if address in self.card_route and int(customer.prepayment_fen) == 0:
            self.services.payments.take_payment(customer_no, self._amount(), operator="teller1")
        card = deck.cards[address]
        card.pulled.clear()
        talk = Conversation(
            [
                str(COUNTERCTL),
                "--db",
                self.url,
                "card",
                "write",
                customer_no,
                address,
                "--operator",
                "teller1",
                "--reader",
                deck.reader,
            ],
            self.env,
            "teller1-pass",
        )
        killer: threading.Timer | None = None
        asked = 0
        pulled = False
        try:
            while (question := talk.prompt()) is not None:
                asked += 1
                if asked > 8:  # the teller gives up; the recovery takes over
                    talk.answer("q")
                elif question.startswith("write the card?"):
                    talk.answer("y")
                    if at.kill_after is not None and not at.kill_early:
                        time.sleep(at.kill_after)
                        talk.kill()
                        self.fault_counts["kill -9 counterctl during a card write"] += 1
                    if at.restart_after is not None:
                        time.sleep(at.restart_after)
                        restarted = self.restart_pcscd is not None and self.restart_pcscd()
                        self.fault_counts[
                            "pcscd restarted during a card write"
                            if restarted
                            else "pcscd restart skipped (pcscd shared with other sessions)"
                        ] += 1
                elif "read it again" in question:
                    talk.answer("n")
                elif "put the card back" in question and at.walk_away:
                    talk.answer("q")
                    if at.mix_up:
                        self.mixed_up.add(address)
                elif "put the card back" in question and at.mix_up:
                    pulled = pulled or card.pulled.is_set()
                    at.mix_up = False  # the teller notices at the next question
                    deck.put_in(self._other_card(address))
                    self.fault_counts["another card put back after a pull"] += 1
                    talk.answer("")
                else:  # insert the card / put it back
                    pulled = pulled or card.pulled.is_set()
                    if not deck.put_in(address):
                        raise RuntimeError(
                            f"the card of meter {address} "
                            f"({deck.cards[address].state.atr.hex()}) did not show: {deck.seen()}"
                        )
                    if at.pull_after is not None:
                        card.remove_after(at.pull_after)
                        at.pull_after = None
                    talk.answer("")
                    if at.kill_after is not None and at.kill_early and killer is None:
                        killer = threading.Timer(at.kill_after, talk.kill)
                        killer.start()
                        self.fault_counts["kill -9 counterctl while it reads the card"] += 1
            code = talk.finish()
        finally:
            if killer is not None:
                killer.cancel()
            talk.kill()
            card.remove_after(None)
        if pulled or card.pulled.is_set():
            self.fault_counts["card pulled during a card write"] += 1
        elif at.pull_after is not None or (at.kill_after is None and at.restart_after is None):
            self.fault_counts["none: card write"] += 1
        if code == 0:
            deck.at_meter.discard(address)  # the write read its write-back (R13)
        if code not in (0, 1, None) or "Traceback" in talk.stderr:
            raise RuntimeError(
                f"counterctl card write {customer_no} {address} exited {code}: "
                + " | ".join(talk.stderr.strip().splitlines()[-3:])
            )

    def _settle_card_writes(self) -> None:
        """As the teller: every interrupted card write settled by reading its card again
        (R12)."""
        from counter_app.store.models import Meter, Purchase

        assert self.deck is not None
        for p in Purchase.select().where(Purchase.state == "card-writing").order_by(Purchase.id):
            address = str(Meter.get_by_id(p.meter_id).address)
            code: int | None = None
            if address in self.mixed_up:  # the wrong card first: it must settle nothing
                self.deck.put_in(self._other_card(address))
                self.fault_counts["another card in the reader to settle a write"] += 1
                code = self.counterctl(
                    "card", "settle", str(p.id), "--operator", "teller1",
                    "--reader", self.deck.reader,
                )  # fmt: skip
                if code == 0:
                    raise RuntimeError(
                        f"counterctl card settle {p.id} settled it with another meter's card"
                    )
            for _ in range(3):  # a card that does not answer: put it in again
                self.deck.put_in(address)
                code = self.counterctl(
                    "card", "settle", str(p.id), "--operator", "teller1",
                    "--reader", self.deck.reader,
                )  # fmt: skip
                if code == 0:
                    break
            if code != 0:
                raise RuntimeError(
                    f"counterctl card settle {p.id} exited {code}: {self.last_error}"
                )
        self.mixed_up.clear()

    def _cancel_abandoned_card_purchases(self) -> None:
        """A card purchase whose write was abandoned (its card read again, unchanged) goes
        back to the prepayment (the teller could also write it again)."""
        from counter_app.store.models import Purchase

        for p in Purchase.select().where(
            (Purchase.state == "created") & (Purchase.route == "card") & Purchase.payment.is_null()
        ):
            self.services.cards.cancel_card_purchase(int(p.id), operator="teller1")

    def _read_writebacks(self) -> None:
        """R13: the teller reads the write-back of every card that went through its meter."""
        from card_io import apdu
        from card_io.card_files import WriteBack

        assert self.deck is not None
        for address in sorted(self.deck.at_meter):
            raw = self.deck.cards[address].state.read_file(apdu.SFI_WRITEBACK)
            if raw is None or WriteBack.decode(raw) is None:
                self.deck.at_meter.discard(address)
                continue
            code: int | None = None
            for _ in range(3):
                self.deck.put_in(address)
                code = self.counterctl(
                    "card", "writeback", "--operator", "teller1", "--reader", self.deck.reader
                )
                if code == 0:
                    break
            if code != 0:
                raise RuntimeError(
                    f"counterctl card writeback ({address}) exited {code}: {self.last_error}"
                )
            self.deck.at_meter.discard(address)

    def _retry_orders(self, limit: int | None = None) -> None:
        from counter_app.services import auth
        from counter_app.services.errors import ServiceError

        tech = auth.get_user("tech1")
        orders = self.services.work_orders.list_orders()
        self.rng.shuffle(orders)
        for order in orders[:limit]:
            with contextlib.suppress(ServiceError):
                self.services.work_orders.retry(order.id, tech)
            if order.taken_by is None:
                with contextlib.suppress(ServiceError):
                    self.services.work_orders.release(order.id, tech)

    def recover(self, *, shell: bool = True) -> None:
        """As an operator: meter link back, resume (``counterctl resume`` after a crash; the
        same service as the window's meter check otherwise), retry every work order."""
        if not self.sim.running_clean:
            self.sim.start()
        if self.deck is not None:
            from counter_app.store.models import Purchase

            if Purchase.select().where(Purchase.state == "card-writing").exists():
                with self.deck.slot_held():
                    self._settle_card_writes()
            self._cancel_abandoned_card_purchases()
        if shell:
            code = self.counterctl("resume", "--operator", "teller1")
            if code != 0:
                raise RuntimeError(f"counterctl resume exited {code}: {self.last_error}")
        else:
            self.services.recovery.resume("teller1")
        self._retry_orders()
        if self.deck is not None and self.deck.at_meter:
            with self.deck.slot_held():
                self._read_writebacks()

    # -- the checks -----------------------------------------------------------------------------
    def check(self) -> list[str]:
        from counter_app.core.purchase_state import FINAL
        from counter_app.services.checks import check_database
        from counter_app.store.models import Meter, Purchase, WorkOrder

        problems = [f"I1/I2: {b}" for b in check_database()]
        meters = self.sim.meters()
        for meter in Meter.select():
            state = meters.get(str(meter.address))
            if state is None:
                continue
            loaded = [
                int(p.amount_fen)
                for p in Purchase.select().where(
                    (Purchase.meter == meter.id) & (Purchase.state == "loaded")
                )
            ]
            if int(state["purchase_count"]) != int(meter.committed_count):
                problems.append(
                    f"meter {meter.address}: count {state['purchase_count']} on the meter, "
                    f"{meter.committed_count} committed"
                )
            received = int(state["total_purchased_fen"]) - self.initial.get(str(meter.address), 0)
            if received != sum(loaded):
                problems.append(
                    f"meter {meter.address}: received {received} fen, books loaded {sum(loaded)}"
                    " (double or missing credit)"
                )
        for p in Purchase.select().where(Purchase.state.not_in([s.value for s in FINAL])):
            live = (
                WorkOrder.select()
                .where((WorkOrder.purchase == p.id) & WorkOrder.state.in_(["open", "taken"]))
                .exists()
            )
            if not (live and p.state in ("failed", "work-order")) and p.state != "card-written":
                problems.append(f"purchase {p.id} n={p.count} stranded in {p.state}")
        if self.deck is not None:
            problems += self._check_cards()
        return problems

    def _check_cards(self) -> list[str]:
        """Each card against the books: the purchase it carries (amount, count C) is the
        books' purchase C of that meter, ``card-written`` while C is above the committed
        count, else ``card-written`` or ``loaded`` — a card never carries money the books
        gave back or hold elsewhere (no double credit through a card)."""
        from counter_app.services.cards import same_card_serial
        from counter_app.store.models import Meter, Purchase

        assert self.deck is not None
        problems = []
        for address in sorted(self.deck.cards):
            wallet = self.deck.wallet(address)
            if wallet.count == 0:
                continue
            meter = Meter.get(Meter.address == address)
            rows = list(
                Purchase.select().where(
                    (Purchase.meter == meter.id)
                    & (Purchase.count == wallet.count)
                    & (Purchase.state != "reversed")
                )
            )
            states = (
                ("card-written",)
                if wallet.count > int(meter.committed_count)
                else ("card-written", "loaded")
            )
            if not any(
                int(p.amount_fen) == wallet.amount_fen
                and p.state in states
                and same_card_serial(str(p.card_serial or ""), self.deck.serials[address])
                for p in rows
            ):
                books = [(int(p.id), str(p.state), int(p.amount_fen)) for p in rows]
                problems.append(
                    f"card of meter {address}: carries purchase {wallet.count} of "
                    f"{wallet.amount_fen} fen, committed {meter.committed_count}, books {books}"
                    " (money on the card the books do not hold there)"
                )
        return problems

    def run(
        self, runs: int, progress: Callable[[RunReport], None] | None = None
    ) -> list[RunReport]:
        reports = []
        for number in range(1, runs + 1):
            report = self.run_once(number)
            reports.append(report)
            if progress is not None:
                progress(report)
        return reports


def _user_exists(username: str) -> bool:
    from counter_app.store.models import User

    return User.get_or_none(User.username == username) is not None


def restart_postgres(server: Any) -> None:
    """Restart a test cluster (`tests.fixtures.postgres.PostgresServer`): every connection
    to it is dropped, as when the database host reboots."""
    from tests.fixtures.postgres import _as_server_user

    subprocess.run(
        _as_server_user(
            [
                str(server.bindir / "pg_ctl"),
                "-D",
                str(server.datadir),
                "-l",
                str(server.datadir.parent / "server.log"),
                "-m",
                "fast",
                "-w",
                "restart",
            ]
        ),
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "LC_ALL": "C", "LANG": "C"},
    )
