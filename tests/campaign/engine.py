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

Then recovery as an operator does it: the simulator back without faults, ``counterctl resume``
(R8 probes, queued purchases, work orders for failed ones) and a retry of every open work order.
Checks after every run: I1 and I2 over the whole database (`services.checks`), and for every
meter the simulator's state file agrees with the books — its purchase count is the committed
count and the money it received is exactly the sum of the loaded purchases (no double credit);
every purchase is final (loaded, reversed) or has a live work order.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

    def __init__(self, workdir: Path, meters: int, key_file: Path) -> None:
        self.workdir = workdir
        self.state = workdir / "meters.json"
        self.key_file = key_file
        self.port = _free_port()
        self.url = f"socket://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[str] | None = None
        self.faults: list[str] = []
        config = {
            "meters": [
                {
                    "meter_no": f"{i:012d}",
                    "customer_no": f"{100000000000 + i:012d}",
                    "hoarding_limit_fen": 99_999_999,
                }
                for i in range(1, meters + 1)
            ]
        }
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
    ) -> None:
        from meter_link.security import generate_master_key, write_key_file

        self.workdir = workdir
        self.url = database_url
        self.rng = random.Random(seed)
        self.restart_database = restart_database
        self.key_file = workdir / "meter.key"
        self.key = generate_master_key()
        write_key_file(self.key_file, self.key)
        self.sim = MeterSimProcess(workdir, meters, self.key_file)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_")}
        self.env.update(
            {
                "COUNTER_DATA_DIR": str(workdir / "data"),
                "XDG_CONFIG_HOME": str(workdir / "config"),
                "COUNTER_METER_LINK": self.sim.url,
                "COUNTER_METER_KEY_FILE": str(self.key_file),
                "COUNTER_ID": "campaign",
            }
        )
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
        for address in self.sim.addresses:
            customer_no = f"{100000000000 + int(address):012d}"
            if Customer.get_or_none(Customer.customer_no == customer_no) is None:
                c = Customer.create(customer_no=customer_no, name=f"Campaign {address}")
                Meter.create(
                    customer=c,
                    address=address,
                    meter_no=address,
                    customer_no=customer_no,
                    collection_capable=True,
                    purchase_mode="remote",
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
        with contextlib.suppress(Exception):
            store_db.close_database()

    def counterctl(self, *args: str, kill_after: float | None = None) -> int | None:
        """Run counterctl; with `kill_after`, ``kill -9`` it then (if still running)."""
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
        try:
            if kill_after is not None:
                try:
                    proc.wait(kill_after)
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(10)
                    return None
            proc.wait(120)
            return proc.returncode
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)

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
        return f"{100000000000 + int(self.rng.choice(self.sim.addresses)):012d}"

    def _amount(self) -> int:
        return self.rng.randint(1, 500) * 10

    def run_once(self, number: int) -> RunReport:
        profile = self.rng.choice(PROFILES)
        operations = list(OPERATIONS)
        if self.restart_database is not None:
            operations.append("db-dropped")
        ops = [self.rng.choice(operations) for _ in range(self.rng.randint(2, 4))]
        report = RunReport(number, profile, ops)
        faults = self._faults(profile)
        try:
            if faults or not self.sim.running_clean:
                self.sim.start(faults)
            for op in ops:
                self._operate(op, faults)
            self.recover(shell=any(op.endswith(("killed", "dropped")) for op in ops))
        except Exception as exc:  # a crash of the harness or of the program: the run failed
            report.failures.append(f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(Exception):
                self.connect()
                self.recover()
        report.failures.extend(self.check())
        return report

    def _operate(self, op: str, faults: list[str]) -> None:
        from counter_app.services.errors import ServiceError

        if op == "pay":
            self.services.payments.take_payment(
                self._customer(), self._amount(), operator="teller1"
            )
        elif op == "pay-killed":
            self.counterctl(
                "pay",
                self._customer(),
                f"{self._amount() / 100:.2f}",
                "--operator",
                "teller1",
                kill_after=self.rng.uniform(0.05, 0.9),
            )
        elif op == "sim-killed":
            proc = subprocess.Popen(
                [
                    str(COUNTERCTL),
                    "--db",
                    self.url,
                    "pay",
                    self._customer(),
                    f"{self._amount() / 100:.2f}",
                    "--operator",
                    "teller1",
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
                env=self.env,
            )
            assert proc.stdin is not None
            proc.stdin.write("teller1-pass\n")  # the teller signs in
            proc.stdin.close()
            time.sleep(self.rng.uniform(0.1, 0.8))
            self.sim.kill()
            proc.wait(120)
            self.sim.start(faults)
        elif op == "refused":
            self.sim.kill()
            self.services.payments.take_payment(
                self._customer(), self._amount(), operator="teller1"
            )
            self.sim.start(faults)
        elif op == "db-dropped" and self.restart_database is not None:
            proc = subprocess.Popen(
                [
                    str(COUNTERCTL),
                    "--db",
                    self.url,
                    "pay",
                    self._customer(),
                    f"{self._amount() / 100:.2f}",
                    "--operator",
                    "teller1",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=self.env,
            )
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
        if shell:
            code = self.counterctl("resume", "--operator", "teller1")
            if code != 0:
                raise RuntimeError(f"counterctl resume exited {code}")
        else:
            self.services.recovery.resume("teller1")
        self._retry_orders()

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
