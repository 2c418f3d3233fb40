"""Embedded defaults: a counter that runs with nothing configured (demo and training).

When no configuration file names a database, a meter link or a reader, ``counter-app``
starts with:

* a demo SQLite database under the data directory (``counter_app.demo``: customers, meters,
  bills and users), created on first start;
* an in-process meter simulator (``meter_link.simulator.MeterSimulator``) on 127.0.0.1
  hosting the very same demo meters (``counter_app.demo.demo_meters``), reached through the
  real DL/T 645 client over a TCP socket — the same code path as a field bus;
* the virtual purchase card (``card_io.virtual.VirtualPurchaseCard``) in the real PC/SC
  service through vsmartcard's vpcd, where pcscd with the vpcd reader is available (started
  here only when we are allowed to, and then stopped by its PID on exit).

Keys: the simulated meters and the virtual card are personalised with master keys that
are generated randomly on first start and kept in the demo data directory (never in source).
The state of the simulated meters and of the card persists there too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counter_app.config import Config, MeterLinkConfig, data_dir

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

    def close(self) -> None:
        if self.card is not None:
            with contextlib.suppress(Exception):
                self.card.stop()
            self.card = None
        if self.counter is not None:
            with contextlib.suppress(Exception):
                self.counter.close()
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
    port = simulator.start_tcp("127.0.0.1", 0)
    return simulator, f"socket://127.0.0.1:{port}"


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


def start_embedded(directory: Path | None = None, *, with_card: bool = True) -> EmbeddedDevices:
    """Start the demo database, the simulated meter bus and (where possible) the card."""
    from counter_app.bootstrap import MeterLinkDispatcher, open_counter
    from counter_app.demo import load_demo
    from meter_link.security import SoftwareSecurityModule

    directory = directory or data_dir() / "demo"
    directory.mkdir(parents=True, exist_ok=True)
    meter_key = _key(directory / "meter-master.key")
    simulator, url = start_meter_simulator(directory, meter_key)
    config = Config(
        database_url=f"sqlite:///{directory / 'demo.db'}",
        counter_id=DEMO_COUNTER_ID,
        meter_link=MeterLinkConfig(url=url),
        reader_name=VIRTUAL_READER,
        source="(embedded demo)",
    )
    devices = EmbeddedDevices(directory, config, simulator, url, meter_key)
    devices.meter_dispatcher = MeterLinkDispatcher(
        config.meter_link, security=SoftwareSecurityModule(meter_key)
    )
    devices.counter = open_counter(config, dispatcher=devices.meter_dispatcher)
    load_demo(devices.counter.services)
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
    return devices
