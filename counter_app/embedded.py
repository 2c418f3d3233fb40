"""Embedded defaults: a counter that runs with nothing configured (demo and training).

When no configuration file names a database, a meter link or a reader, ``counter-app``
starts with:

* a demo SQLite database under the data directory (``counter_app.demo``: customers, meters,
  bills and users), created on first start;
* the demo meters (``counter_app.demo.demo_meters``) on a simulated DL/T 645 bus on
  127.0.0.1: a ``meter-sim`` subprocess, reached through the real DL/T 645 client over TCP —
  the same code path as a field bus;
* the collection system: a ``meter-station`` subprocess on 127.0.0.1 that owns the link to
  those meters, with its own SQLite store and a random bearer token in the demo directory;
  the counter hands its purchases to it as tasks (dispatch mode ``station``), and the
  counter-server's workers (outbox sender, result poller) run on a thread of this process;
  both subprocesses are started here and stopped by their PIDs on exit;
* the virtual purchase card (``card_io.virtual.VirtualPurchaseCard``) in the real PC/SC
  service through vsmartcard's vpcd, where pcscd with the vpcd reader is available (started
  here only when we are allowed to, and then stopped by its PID on exit).

Keys: the simulated meters and the virtual card are personalised with master keys that
are generated randomly on first start and kept in the demo data directory (never in source).
The state of the simulated meters and of the card persists there too.

``COUNTER_DISPATCH=direct`` (or ``dispatch = "direct"``) keeps the older single-PC shape:
the simulated bus inside this process and the window talking DL/T 645 itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counter_app.config import (
    Config,
    DispatchMode,
    MeterLinkConfig,
    StationConfig,
    data_dir,
)

log = logging.getLogger(__name__)

VIRTUAL_READER = "Virtual PCD 00 00"
DEMO_COUNTER_ID = "demo-01"
DEMO_CARD_CUSTOMER = "100000000005"
"""The demo card belongs to the multi-meter household (R6: card purchases at the counter)."""
DEMO_CARD_METER = "000000000005"


def _key(path: Path, length: int = 16) -> bytes:
    """A random key kept in ``path``, created on first use readable by the owner only.

    The file is born with mode 0600 (whatever the umask) as a temp file in the same folder
    and renamed into place (``card_io.security.write_private``), so no other user can ever
    read it and a crash never leaves half a key.
    """
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    from card_io.security import write_private

    key = secrets.token_bytes(length)
    write_private(path, key.hex() + "\n")
    return key


def _pcscd_pid() -> int | None:
    try:
        pid = int(Path("/run/pcscd/pcscd.pid").read_bytes().strip(b"\0 \n") or b"0")
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except (OSError, ValueError):
        return None
    return pid if comm == "pcscd" else None


def _virtual_reader_present() -> bool:
    from card_io.errors import CardError
    from card_io.reader import list_readers

    try:
        return VIRTUAL_READER in list_readers()
    except CardError:
        return False


@dataclass
class EmbeddedDevices:
    """What ``start_embedded`` started; ``close`` stops exactly that."""

    directory: Path
    config: Config
    simulator: Any
    meter_url: str
    meter_key: bytes
    card: Any = None
    card_crypto: Any = None
    reader_name: str | None = None
    pcscd: subprocess.Popen[bytes] | None = None
    meter_dispatcher: Any = None
    counter: Any = None
    problems: list[str] = field(default_factory=list)
    dispatch: str = DispatchMode.DIRECT
    station_url: str | None = None
    workers: Any = None  # counter_app.server.workers.HandoverWorkers, station mode
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def close(self) -> None:
        if self.workers is not None:
            with contextlib.suppress(Exception):
                self.workers.stop()
            self.workers = None
        if self.card is not None:
            with contextlib.suppress(Exception):
                self.card.stop()
            self.card = None
        if self.counter is not None:
            with contextlib.suppress(Exception):
                self.counter.close()
        for process in reversed(self.processes):  # the station first, then the meters
            stop_process(process)
        self.processes.clear()
        if self.dispatch == DispatchMode.DIRECT:
            with contextlib.suppress(Exception):
                self.simulator.stop()
        if self.pcscd is not None:
            self.pcscd.terminate()
            try:
                self.pcscd.wait(5)
            except subprocess.TimeoutExpired:
                self.pcscd.kill()
                self.pcscd.wait(5)
            self.pcscd = None


def start_meter_simulator(directory: Path, key: bytes) -> tuple[Any, str]:
    """The demo meters on a simulated bus at 127.0.0.1 (state kept in ``directory``)."""
    simulator = prepare_meter_state(directory, key)
    port = simulator.start_tcp("127.0.0.1", 0)
    return simulator, f"socket://127.0.0.1:{port}"


def stop_process(process: subprocess.Popen[str]) -> None:
    """SIGTERM to the PID we started, SIGKILL if it does not go within 10 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def start_process(
    argv: Sequence[str], marker: str, timeout_s: float = 30.0
) -> tuple[subprocess.Popen[str], str]:
    """Start a helper process and wait for its "ready" line (the one holding `marker`).

    Its output keeps being drained on a daemon thread, so it never blocks on a full pipe.
    """
    process = subprocess.Popen(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    found: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if not ready.is_set():
                if marker in line:
                    found.append(line.strip())
                    ready.set()
                else:
                    log.info("%s: %s", Path(argv[0]).name, line.rstrip())
        ready.set()

    threading.Thread(target=drain, name=f"drain-{process.pid}", daemon=True).start()
    ready.wait(timeout_s)
    if not found:
        stop_process(process)
        raise RuntimeError(f"{' '.join(argv[:3])} did not start (no {marker!r})")
    return process, found[0]


def helper_command(name: str, module: str) -> list[str]:
    """How to start one of our console commands from this program: the executable of that
    name next to ours (a virtual environment's ``bin/``, the installed bundle's folder),
    else ``python -m module`` (a source checkout)."""
    sibling = Path(sys.executable).with_name(name + (".exe" if sys.platform == "win32" else ""))
    if sibling.is_file():
        return [str(sibling)]
    return [sys.executable, "-m", module]


def prepare_meter_state(directory: Path, key: bytes) -> Any:
    """The demo meters in the state file ``meters.json`` (created or completed), as an
    in-process simulator object that is *not* serving: ``meter-sim`` serves that file."""
    from counter_app.demo import demo_meters
    from meter_link.simulator import MeterSimulator

    state = directory / "meters.json"
    simulator = MeterSimulator(master_key=key, state_file=state)
    if state.exists():
        simulator.load()
    known = set(simulator.addresses)
    for m in demo_meters():
        if m.address not in known:
            simulator.create_meter(
                m.meter_no, m.customer_no, address=m.address, balance_fen=m.balance_fen
            )
    simulator.save()
    return simulator


def start_collection_system(
    directory: Path, key: bytes, meter_faults: Sequence[str] = ()
) -> tuple[list[subprocess.Popen[str]], str, str, Path]:
    """``meter-sim`` on the demo meters' state file and ``meter-station`` on its link, both
    on 127.0.0.1 with free ports. Returns (processes, meter URL, station URL, token file)."""
    sim_argv = [
        *helper_command("meter-sim", "meter_link.simulator.cli"),
        "serve",
        "--tcp",
        "127.0.0.1:0",
        "--state",
        str(directory / "meters.json"),
    ]
    for fault in meter_faults:
        sim_argv += ["--fault", fault]
    simulator, line = start_process(sim_argv, "meter-sim:")
    meter_url = line.rsplit(" ", 1)[-1]
    token_file = directory / "station.token"
    if not token_file.exists():
        from card_io.security import write_private

        write_private(token_file, secrets.token_hex(24) + "\n")  # born 0600
    key_file = directory / "meter-master.key"
    if not key_file.exists():
        from card_io.security import write_private

        write_private(key_file, key.hex() + "\n")
    try:
        station, line = start_process(
            [
                *helper_command("meter-station", "meter_link.station.cli"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--db",
                f"sqlite:///{directory / 'station.db'}",
                "--token-file",
                str(token_file),
                "--key-file",
                str(key_file),
                "--link",
                meter_url,
            ],
            "listening on",
        )
    except Exception:
        stop_process(simulator)
        raise
    station_url = line.rsplit(" ", 1)[-1]
    return [simulator, station], meter_url, station_url, token_file


def start_pcscd_if_allowed() -> subprocess.Popen[bytes] | None:
    """Start pcscd when none runs and we are root (a demo machine); else None. Like the
    project's scripts, it runs in a private network namespace with only loopback, so the
    virtual reader's port cannot be reached from other hosts (``card_io.virtual.netns``)."""
    from card_io.virtual.netns import pcscd_command

    if _pcscd_pid() is not None or shutil.which("pcscd") is None:
        return None
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    process = subprocess.Popen(
        pcscd_command(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not _virtual_reader_present():
        time.sleep(0.1)
    return process


def start_virtual_card(directory: Path, simulator: Any) -> tuple[Any, Any]:
    """The demo purchase card in vpcd slot 0, registered in the simulated meters it serves."""
    from card_io.card_files import CardKind, CardParameters, Wallet
    from card_io.security import SoftwareCardCrypto
    from card_io.virtual import VirtualPurchaseCard

    crypto = SoftwareCardCrypto(_key(directory / "card-master.key"))
    path = directory / "card.json"
    if path.exists():
        card = VirtualPurchaseCard.load(path)
    else:
        serial = bytes.fromhex("00000000C0000005")  # the demo household's card (R6)
        params = CardParameters(
            meter_no=DEMO_CARD_METER, customer_no=DEMO_CARD_CUSTOMER, kind=CardKind.PURCHASE
        )
        card = VirtualPurchaseCard.issued(
            serial, crypto.card_keys(serial), params, Wallet(0, 0), path
        )
    # the simulated meters of the household know this card (opened with it)
    for address in simulator.addresses:
        with simulator.meter(address) as meter:
            if meter.customer_no == DEMO_CARD_CUSTOMER:
                meter.card_serial = card.serial_hex
    card.start()
    card.insert()
    return card, crypto


def start_embedded(
    directory: Path | None = None,
    *,
    with_card: bool = True,
    dispatch: str | None = None,
    meter_faults: Sequence[str] = (),
    wait_seconds: float = 20.0,
) -> EmbeddedDevices:
    """Start the demo database, the simulated meters, the collection system and (where
    possible) the card. `dispatch` ``direct`` keeps the bus inside this process instead;
    `meter_faults` are ``meter-sim --fault`` specs (demonstrations, screenshots)."""
    from counter_app.bootstrap import MeterLinkDispatcher, make_workers, open_counter
    from counter_app.demo import load_demo
    from meter_link.security import SoftwareSecurityModule

    mode = dispatch or DispatchMode.STATION
    directory = directory or data_dir() / "demo"
    directory.mkdir(parents=True, exist_ok=True)
    meter_key = _key(directory / "meter-master.key")
    if mode == DispatchMode.DIRECT:
        simulator, url = start_meter_simulator(directory, meter_key)
        config = Config(
            database_url=f"sqlite:///{directory / 'demo.db'}",
            counter_id=DEMO_COUNTER_ID,
            meter_link=MeterLinkConfig(url=url),
            reader_name=VIRTUAL_READER,
            dispatch=DispatchMode.DIRECT,
            source="(embedded demo)",
        )
        devices = EmbeddedDevices(directory, config, simulator, url, meter_key)
        devices.meter_dispatcher = MeterLinkDispatcher(
            config.meter_link, security=SoftwareSecurityModule(meter_key)
        )
        devices.counter = open_counter(config, dispatcher=devices.meter_dispatcher)
        load_demo(devices.counter.services)
    else:
        simulator = prepare_meter_state(directory, meter_key)
        devices = EmbeddedDevices(directory, Config(database_url=""), simulator, "", meter_key)
        devices.dispatch = DispatchMode.STATION
    if with_card:
        try:
            devices.pcscd = start_pcscd_if_allowed()
            if _virtual_reader_present():
                devices.card, devices.card_crypto = start_virtual_card(directory, simulator)
                devices.reader_name = VIRTUAL_READER
            else:
                devices.problems.append("pcsc")
        except Exception as exc:  # the demo runs without a card; the self-check says why
            log.warning("virtual card not started: %s", exc)
            devices.problems.append(f"pcsc: {exc}")
    if mode == DispatchMode.DIRECT:
        return devices
    try:
        simulator.save()  # the card's serial registered in the meters it serves
        processes, url, station_url, token_file = start_collection_system(
            directory, meter_key, meter_faults
        )
        devices.processes = processes
        devices.meter_url = url
        devices.station_url = station_url
        devices.config = Config(
            database_url=f"sqlite:///{directory / 'demo.db'}",
            counter_id=DEMO_COUNTER_ID,
            meter_link=MeterLinkConfig(url=url),  # a technician's direct link, the self-check
            reader_name=VIRTUAL_READER,
            dispatch=DispatchMode.STATION,
            station=StationConfig(
                url=station_url, token_file=str(token_file), wait_seconds=wait_seconds
            ),
            source="(embedded demo)",
        )
        devices.counter = open_counter(devices.config)
        load_demo(devices.counter.services)
        devices.workers = make_workers(devices.counter)
        devices.workers.start()
    except BaseException:
        devices.close()
        raise
    return devices
