"""``meter-link`` and ``meter-sim`` as a technician runs them (real processes, real TCP)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from meter_link.cli import main as meter_link_main
from meter_link.security import generate_master_key, write_key_file
from tests.fixtures.meters import MeterBus

BIN = Path(sys.executable).parent


def test_decode_json_fields_of_the_worked_example(capsys: pytest.CaptureFixture[str]) -> None:
    code = meter_link_main(
        ["decode", "68 25 04 03 02 01 00 68 91 08 33 33 34 33 75 39 45 33 8B 16", "--json"]
    )
    assert code == 0
    info = json.loads(capsys.readouterr().out)
    assert {
        k: info[k]
        for k in (
            "address",
            "control",
            "function",
            "direction",
            "exception",
            "follow_up",
            "di",
            "data",
        )
    } == {
        "address": "000102030425",
        "control": 0x91,
        "function": 0x11,
        "direction": "reply",
        "exception": False,
        "follow_up": False,
        "di": "00010000",
        "data": "42061200",
    }
    assert info["value"] == 120642


def test_decode_security_refusal(capsys: pytest.CaptureFixture[str]) -> None:
    assert meter_link_main(["decode", "6812005105032668C301355A16", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["exception"] is True and info["di"] is None and info["serr"] == 2


def test_decode_invalid_frame_exits_non_zero_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert meter_link_main(["decode", "68250403020100681104333334 33E216", "--json"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "checksum" in err


def test_read_and_dispatch_against_the_bus(
    meter_bus: MeterBus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "master.key"
    write_key_file(key_file, meter_bus.master_key)
    assert (
        meter_link_main(
            ["read", meter_bus.url, "000000000001", "balance", "--json", "--timeout", "0.5"]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["value"] == 5000
    args = [
        "dispatch",
        meter_bus.url,
        "000000000001",
        "2500",
        "1",
        "--customer",
        "100000000001",
        "--key-file",
        str(key_file),
        "--json",
        "--timeout",
        "0.5",
    ]
    assert meter_link_main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["outcome"], result["balance_fen"], result["count"]) == ("success", 7500, 1)
    assert meter_link_main(args) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "already-loaded"
    wrong = tmp_path / "wrong.key"
    write_key_file(wrong, generate_master_key())
    args[args.index(str(key_file))] = str(wrong)
    args[4] = "2"
    assert meter_link_main(args) == 3
    assert json.loads(capsys.readouterr().out)["outcome"] == "security-refusal"


def test_dispatch_without_key_is_one_line_error(
    meter_bus: MeterBus, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METER_MASTER_KEY", raising=False)
    code = meter_link_main(
        ["dispatch", meter_bus.url, "000000000001", "100", "1", "--customer", "100000000001"]
    )
    assert code == 2
    assert "METER_MASTER_KEY" in capsys.readouterr().err


@pytest.fixture
def meter_sim_process(tmp_path: Path) -> Iterator[tuple[str, Path, bytes]]:
    key = generate_master_key()
    env = dict(os.environ, METER_MASTER_KEY=key.hex())
    state = tmp_path / "state.json"
    proc = subprocess.Popen(
        [
            str(BIN / "meter-sim"),
            "serve",
            "--tcp",
            "127.0.0.1:0",
            "--state",
            str(state),
            "--meters",
            "4",
            "--balance",
            "1000",
            "--fault",
            "000000000002=reply-lost-after-apply@070102FF",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"socket://127\.0\.0\.1:\d+", line)
        assert match, line
        yield match.group(0), state, key
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def test_meter_sim_serves_and_keeps_state(meter_sim_process: tuple[str, Path, bytes]) -> None:
    url, state, key = meter_sim_process
    env = dict(os.environ, METER_MASTER_KEY=key.hex())
    out = subprocess.run(
        [
            str(BIN / "meter-link"),
            "dispatch",
            url,
            "000000000002",
            "3000",
            "1",
            "--customer",
            "100000000002",
            "--json",
            "--timeout",
            "0.5",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["outcome"] == "already-loaded"  # the injected lost reply, R8
    assert [a["outcome"] for a in result["attempts"]] == ["timeout", "already-loaded"]
    saved = json.loads(state.read_text())
    meter = next(m for m in saved["meters"] if m["meter_no"] == "000000000002")
    assert (meter["balance_fen"], meter["purchase_count"]) == (4000, 1)
