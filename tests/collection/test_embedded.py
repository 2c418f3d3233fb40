"""The embedded default in station mode: ``meter-sim`` and ``meter-station`` subprocesses on
loopback, started and stopped by their PIDs, the hand-over workers on a thread; a payment
is loaded through them with nothing configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from counter_app.config import DispatchMode
from counter_app.embedded import start_embedded
from counter_app.services.checks import check_database
from counter_app.store import database as store_db
from tests.fixtures.collection import BIN


def test_embedded_default_hands_purchases_to_a_local_station(
    tmp_path: Path, fast_password_hashing: None
) -> None:
    devices = start_embedded(tmp_path / "demo", with_card=False)
    processes = list(devices.processes)
    try:
        assert devices.dispatch == DispatchMode.STATION
        assert devices.station_url is not None and devices.station_url.startswith(
            "http://127.0.0.1:"
        )
        assert len(processes) == 2 and all(p.poll() is None for p in processes)
        assert devices.workers is not None and devices.workers.running
        services = devices.counter.services
        assert services.dispatch.hands_over
        outcome = services.payments.take_payment("100000000001", 1_500, operator="teller1")
        assert outcome.dispatch is not None and outcome.dispatch.loaded, outcome.explain()
        health = services.dispatch.station_health()
        assert health is not None and health["status"] == "ok"
        assert not check_database()
    finally:
        devices.close()
        store_db.close_database()
    assert all(p.poll() is not None for p in processes)  # stopped by their PIDs
    shown = subprocess.run(
        [
            str(BIN / "meter-sim"),
            "show",
            "--state",
            str(tmp_path / "demo" / "meters.json"),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    meter = next(m for m in json.loads(shown.stdout) if m["address"] == "000000000001")
    assert meter["purchase_count"] == 1 and meter["balance_fen"] == 5_000 + 1_500


def test_self_check_reports_the_collection_system(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNTER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("COUNTER_DISPATCH", raising=False)
    result = subprocess.run(
        [sys.executable, "-m", "counter_app.app", "--self-check", "--demo", "--no-card"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(
        (x for x in result.stdout.splitlines() if "采集系统" in x or "Collection system" in x),
        "",
    )
    assert line.startswith("ok") and "1" in line, result.stdout
