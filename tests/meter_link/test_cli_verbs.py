"""``meter-link write | address | time | relay`` with ``--trace`` against the simulated bus."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from meter_link.cli import main as meter_link_main
from meter_link.security import write_key_file
from tests.fixtures.meters import MeterBus

M1 = "000000000001"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    code = meter_link_main([*args, "--json", "--timeout", "0.5"])
    captured = capsys.readouterr()
    out = json.loads(captured.out) if code == 0 else {}
    return code, out, captured.err


def test_write_sets_the_item_and_reads_it_back(
    meter_bus: MeterBus, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "write", meter_bus.url, M1, "alarm1", "2500", "--trace")
    assert code == 0 and out["value"] == 2500 and out["di"] == "04001001"
    with meter_bus.simulator.meter(M1) as m:
        assert m.alarm1_fen == 2500
    sent = [line for line in err.splitlines() if line.startswith("> ")]
    assert sent[0].startswith("> FE FE FE FE 68 01 00 00 00 00 00 68 14")  # the 14H write
    assert any(line.startswith("< ") and " 68 94 00 " in line for line in err.splitlines())


def test_write_with_a_wrong_password_is_one_line(
    meter_bus: MeterBus, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "write", meter_bus.url, M1, "hoarding-limit", "100", "--password", "02999999"
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "ERR 0x04" in err
    with meter_bus.simulator.meter(M1) as m:
        assert m.hoarding_limit_fen == 0


def test_write_refuses_a_read_only_item(
    meter_bus: MeterBus, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "write", meter_bus.url, M1, "balance", "100000")
    assert code == 2 and "not writable" in err


def test_address_of_the_only_meter(
    meter_bus_factory: Callable[..., MeterBus], capsys: pytest.CaptureFixture[str]
) -> None:
    bus = meter_bus_factory(meters=1)
    code, out, err = run(capsys, "address", bus.url, "--trace")
    assert code == 0 and out == {"address": M1}
    assert "> FE FE FE FE 68 AA AA AA AA AA AA 68 13 00" in err


def test_time_broadcast_moves_the_meter_clock_and_read_shows_it(
    meter_bus: MeterBus, capsys: pytest.CaptureFixture[str]
) -> None:
    at = (datetime.now() + timedelta(minutes=2)).replace(microsecond=0)
    code, out, err = run(capsys, "time", meter_bus.url, "--at", at.isoformat(), "--trace")
    assert code == 0 and out["address"] == "999999999999"
    assert "68 99 99 99 99 99 99 68 08 06" in err
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        with meter_bus.simulator.meter(M1) as m:
            if m.clock_offset_s > 60:
                break
        time.sleep(0.02)
    with meter_bus.simulator.meter(M1) as m:
        assert 100 < m.clock_offset_s < 140
    code, out, _ = run(capsys, "time", meter_bus.url, "--read", M1)
    assert code == 0 and out["date"] == at.date().isoformat()


def test_time_with_a_bad_moment_is_one_line(
    meter_bus: MeterBus, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "time", meter_bus.url, "--at", "tomorrow")
    assert code == 2 and "ISO" in err


def test_relay_trip_and_close_plain(
    meter_bus: MeterBus, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "relay", meter_bus.url, M1, "trip")
    assert code == 0 and out["relay_open"] is True
    code, out, _ = run(capsys, "relay", meter_bus.url, M1, "close")
    assert code == 0 and out["relay_open"] is False


def test_relay_trip_with_ciphertext_after_authentication(
    meter_bus: MeterBus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key_file = tmp_path / "master.key"
    write_key_file(key_file, meter_bus.master_key)
    code, out, err = run(
        capsys,
        "relay",
        meter_bus.url,
        M1,
        "trip",
        "--secure",
        "--key-file",
        str(key_file),
        "--trace",
    )
    assert code == 0, err
    assert out["relay_open"] is True
    # 1CH, L = 28, PA = 98H (sent +33H = CBH): ciphertext + MAC, after the 03H authentication
    assert "68 1C 1C CB 33 33 33" in err
