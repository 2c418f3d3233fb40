"""The station dispatching through a concentrator: ``meter-station --terminal-listen`` with a
``meter-sim terminal`` process logged in to it (Q/GDW 1376.1 over TCP, AFN 10H F1 to the
DL/T 645 meters behind it), and the terminal path's causes in the task's ``reason``.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from meter_link.security import generate_master_key, write_key_file
from tests.fixtures.station import BIN, StationProcess, _stop, _wait_for_line

from .test_dispatch_tasks import task

TERMINAL = "44030031"


@dataclass
class TerminalProcess:
    proc: subprocess.Popen[bytes]
    state: Path

    def meter(self, meter_no: str) -> tuple[int, int]:
        for _ in range(50):
            if self.state.exists():
                break
            time.sleep(0.05)
        saved = json.loads(self.state.read_text(encoding="utf-8"))
        m = next(m for m in saved["meters"] if m["meter_no"] == meter_no)
        return m["balance_fen"], m["purchase_count"]


@dataclass
class TerminalStation:
    station: StationProcess
    terminal_port: int
    key_file: Path
    workdir: Path
    terminals: list[TerminalProcess]

    def start_terminal(self, *extra: str) -> TerminalProcess:
        state = self.workdir / f"terminal-{len(self.terminals) + 1}.json"
        log = self.workdir / f"terminal-{len(self.terminals) + 1}.log"
        cmd = [
            str(BIN / "meter-sim"),
            "terminal",
            "--station",
            f"127.0.0.1:{self.terminal_port}",
            "--address",
            TERMINAL,
            "--meters",
            "3",
            "--balance",
            "1000",
            "--heartbeat",
            "0.5",
            "--reconnect",
            "0.2",
            "--key-file",
            str(self.key_file),
            "--state",
            str(state),
            *extra,
        ]
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _wait_for_line(proc, log, rf"terminal {TERMINAL}", 20)
        terminal = TerminalProcess(proc, state)
        self.terminals.append(terminal)
        return terminal


@pytest.fixture
def terminal_station(
    station_factory: Callable[..., StationProcess], tmp_path: Path
) -> Iterator[TerminalStation]:
    key_file = tmp_path / "master.key"
    write_key_file(key_file, generate_master_key())
    station = station_factory(
        links=[],
        key_file=key_file,
        timeout=0.5,
        extra=["--terminal-listen", "127.0.0.1:0", "--terminal-wait", "1"],
    )
    assert station.proc is not None
    log = station.log.with_name(f"{station.log.stem}-{station.starts}.log")
    where = _wait_for_line(station.proc, log, r"(?<=terminals log in at )127\.0\.0\.1:\d+", 10)
    path = TerminalStation(station, int(where.rsplit(":", 1)[1]), key_file, tmp_path, [])
    try:
        yield path
    finally:
        for terminal in path.terminals:
            _stop(terminal.proc)


def _wait_reachable(station: StationProcess, meter: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if station.client().get(f"/meters/{meter}/probe").json()["reachable"]:
            return
        time.sleep(0.2)
    raise AssertionError(f"meter {meter} never reachable through the terminal")


def test_task_is_dispatched_through_a_logged_in_terminal(
    terminal_station: TerminalStation,
) -> None:
    terminal = terminal_station.start_terminal()
    station = terminal_station.station
    _wait_reachable(station, "000000000001")
    api = station.client()
    body = task("via-terminal", meter="000000000001", customer="100000000001", amount_fen=2500)
    assert api.post("/tasks", json=body).status_code == 202
    view = station.wait_done("via-terminal", timeout=60)
    assert (view["outcome"], view["reason"]) == ("success", None), view
    assert (view["balance_fen"], view["meter_count"]) == (3500, 1)
    assert terminal.meter("000000000001") == (3500, 1)


def test_route_lost_and_terminal_offline_are_the_task_reasons(
    terminal_station: TerminalStation,
) -> None:
    terminal = terminal_station.start_terminal("--fault", "route-lost@000000000002")
    station = terminal_station.station
    _wait_reachable(station, "000000000001")
    api = station.client()
    body = task("lost-route", meter="000000000002", customer="100000000002")
    assert api.post("/tasks", json=body).status_code == 202
    view = station.wait_done("lost-route", timeout=60)
    assert (view["outcome"], view["reason"]) == ("failed", "route-lost"), view
    assert [a["reason"] for a in view["attempts"]] == ["route-lost"] * 3
    assert terminal.meter("000000000002") == (1000, 0)

    _stop(terminal.proc)  # the terminal goes away (power cut, GPRS down)
    body = task("no-terminal", meter="000000000003", customer="100000000003")
    assert api.post("/tasks", json=body).status_code == 202
    view = station.wait_done("no-terminal", timeout=60)
    assert (view["outcome"], view["reason"]) == ("failed", "terminal-offline"), view
    probe = api.get("/meters/000000000001/probe").json()
    assert (probe["reachable"], probe["reason"]) == (False, "terminal-offline")
    assert os.path.exists(terminal.state)
