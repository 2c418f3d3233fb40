"""counterctl shift / board: the same figures as the back office, from a shell."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from counter_app.cli import main
from counter_app.services import audit, auth
from counter_app.services.context import ServiceContext
from counter_app.services.shifts import ShiftService
from counter_app.store import database as store_db


def test_counterctl_shift_list_report_pdf_and_board_csv(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fast_password_hashing: None,
) -> None:
    for key in ("COUNTER_DB", "COUNTER_DATABASE_URL", "COUNTER_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("COUNTER_DATA_DIR", str(tmp_path / "data"))
    db = ["--db", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert main([*db, "init"]) == 0
    assert main([*db, "demo"]) == 0
    shifts = ShiftService(ServiceContext(counter_id="cli-1"))
    shift = shifts.open_shift(auth.get_user("teller1"), 10_000)
    monkeypatch.setattr("sys.stdin", io.StringIO("teller1-pass\n"))  # the teller's password
    assert (
        main(
            [
                *db,
                "pay",
                "100000000001",
                "88.50",
                "--operator",
                "teller1",
                "--counter",
                "cli-1",
                "--no-dispatch",
            ]
        )
        == 0
    )
    capsys.readouterr()

    assert main([*db, "shift", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [s["expected_cash_fen"] for s in listed] == [10_000 + 8_850]
    assert listed[0]["shift"]["operator"] == "teller1"

    pdf = tmp_path / "shift.pdf"
    assert main([*db, "shift", "report", str(shift.id), "--pdf", str(pdf)]) == 0
    out = capsys.readouterr().out
    assert "188.50" in out and pdf.stat().st_size > 1000
    assert f"Audit head: {audit.head_hash()}" in out  # I3: the chain's head, kept outside

    board_csv = tmp_path / "board.csv"
    assert main([*db, "board", "--csv", str(board_csv)]) == 0
    assert "0 remote purchases dispatched" in capsys.readouterr().out
    rows = list(csv.DictReader(board_csv.open(encoding="utf-8")))
    assert rows[0]["group"] == "all" and rows[0]["dispatched"] == "0"

    assert main([*db, "shift", "report", "999"]) == 1
    assert "unknown shift" in capsys.readouterr().err
    store_db.close_database()


def test_counterctl_day_settles_the_hall_and_writes_the_slip(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fast_password_hashing: None,
) -> None:
    for key in ("COUNTER_DB", "COUNTER_DATABASE_URL", "COUNTER_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("COUNTER_DATA_DIR", str(tmp_path / "data"))
    db = ["--db", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert main([*db, "init"]) == 0
    assert main([*db, "demo"]) == 0
    shifts = ShiftService(ServiceContext(counter_id="cli-1"))
    teller = auth.get_user("teller1")
    shift = shifts.open_shift(teller, 10_000)
    monkeypatch.setattr("sys.stdin", io.StringIO("teller1-pass\n"))
    pay = [*db, "pay", "100000000003", "50", "--operator", "teller1", "--counter", "cli-1"]
    assert main([*pay, "--no-dispatch"]) == 0
    capsys.readouterr()

    slip = tmp_path / "slip.pdf"
    monkeypatch.setattr("sys.stdin", io.StringIO("super1-pass\n"))
    assert main([*db, "day", "--operator", "super1", "--slip", str(slip)]) == 1
    assert "still open" in capsys.readouterr().err  # one clear line, nothing settled
    assert not slip.exists()

    shifts.record_blind_count(teller, shift.id, 15_000)
    shifts.close_shift(teller, shift.id, "")
    monkeypatch.setattr("sys.stdin", io.StringIO("super1-pass\n"))
    assert main([*db, "day", "--operator", "super1", "--slip", str(slip), "--json"]) == 0
    day = json.loads(capsys.readouterr().out)
    assert day["settled"] and day["all_in_shifts"] and day["to_bank_fen"] == 5_000
    assert slip.exists() and day["slip"] == str(slip)
    monkeypatch.setattr("sys.stdin", io.StringIO("teller1-pass\n"))
    assert main([*db, "day", "--operator", "teller1"]) == 1  # tellers do not settle the hall
    assert "may not" in capsys.readouterr().err
    store_db.close_database()
