"""counterctl bank / offset / terminal end to end: the installed entry point in a subprocess
on a temporary SQLite database with the demo data. Bad input gives one line naming the line
or field and a non-zero exit; rejected lines are listed with their numbers and the exit code
says some were rejected while the rest was booked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.channels.conftest import bank_line
from tests.test_cli import Run, counterctl, data, one_error_line

__all__ = ["counterctl"]

YESTERDAY = dt.date.today() - dt.timedelta(days=1)


def _file(path: Path, lines: list[str], trailer: tuple[int, int] | None = None) -> Path:
    if trailer is None:
        trailer = (
            len(lines),
            sum(int(x.split(",")[3]) for x in lines if x.split(",")[3].isdigit()),
        )
    path.write_text(
        "\n".join([f"H,ICBC01,{YESTERDAY:%Y%m%d}", *lines, f"T,{trailer[0]},{trailer[1]}"]) + "\n",
        encoding="utf-8",
    )
    return path


def test_bank_import_reconcile_sign_off(counterctl: Run, tmp_path: Path) -> None:
    counterctl("demo")
    collection = _file(
        tmp_path / "collection.csv",
        [
            bank_line("S1", "100000000001", 5000),
            bank_line("S2", "100000000003", 2000),
            bank_line("S3", "NOBODY", 100),
            "D,S4,100000000001,1.5,20261130093000,A,O",
        ],
    )
    result = counterctl(
        "bank",
        "import",
        str(collection),
        "--operator",
        "super1",
        "--report",
        str(tmp_path / "r.csv"),
        stdin="super1-pass\n",
    )
    assert result.returncode == 4, result.stderr
    assert "booked 2" in result.stdout and "rejected 2" in result.stdout
    assert "line 4: unknown-customer" in result.stdout and "line 5: bad-amount" in result.stdout
    assert "5,rejected,bad-amount,S4" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    again = counterctl(
        "--json", "bank", "import", str(collection), "--operator", "super1", stdin="super1-pass\n"
    )
    assert again.returncode == 4  # the same two lines are still rejected
    report = json.loads(again.stdout)
    assert report["booked_count"] == 0 and report["duplicate_count"] == 2

    statement = _file(
        tmp_path / "statement.csv",
        [bank_line("S1", "100000000001", 5000), bank_line("S9", "100000000004", 700)],
    )
    pdf, csv_path = tmp_path / "recon.pdf", tmp_path / "recon.csv"
    prepared = data(
        counterctl(
            "--json",
            "bank",
            "reconcile",
            str(statement),
            "--date",
            YESTERDAY.isoformat(),
            "--operator",
            "super1",
            "--pdf",
            str(pdf),
            "--csv",
            str(csv_path),
            stdin="super1-pass\n",
        )
    )
    assert {(i["serial"], i["action"]) for i in prepared["items"]} == {
        ("S9", "book"),
        ("S2", "reverse"),
    }
    assert pdf.read_bytes().startswith(b"%PDF") and "S9" in csv_path.read_text(encoding="utf-8-sig")
    assert counterctl("check").returncode == 0

    wrong = counterctl(
        "bank",
        "sign-off",
        str(prepared["id"]),
        "--operator",
        "teller1",
        "--supervisor",
        "super1",
        stdin="teller1-pass\nnope\n",
    )
    one_error_line(wrong, "wrong username or password")
    signed = data(
        counterctl(
            "--json",
            "bank",
            "sign-off",
            str(prepared["id"]),
            "--operator",
            "teller1",
            "--supervisor",
            "super1",
            stdin="teller1-pass\nsuper1-pass\n",
        )
    )
    assert signed["state"] == "signed-off"
    assert {i["serial"]: i["outcome"].split(":")[0] for i in signed["items"]} == {
        "S9": "booked",
        "S2": "reversed (payment-no-purchase), refund 20.00",
    }
    assert counterctl("check").returncode == 0


def test_bad_bank_files_and_dates_give_one_line(counterctl: Run, tmp_path: Path) -> None:
    counterctl("demo")
    cut = tmp_path / "cut.csv"
    cut.write_text(f"H,ICBC01,{YESTERDAY:%Y%m%d}\n{bank_line('S1', '100000000001', 5)}\n")
    one_error_line(
        counterctl("bank", "import", str(cut), "--operator", "super1", stdin="super1-pass\n"),
        "trailer",
    )
    headless = tmp_path / "headless.csv"
    headless.write_text(f"{bank_line('S1', '100000000001', 5)}\nT,1,5\n")
    one_error_line(
        counterctl("bank", "import", str(headless), "--operator", "super1", stdin="super1-pass\n"),
        "line 1",
    )
    one_error_line(
        counterctl(
            "bank",
            "import",
            str(tmp_path / "missing.csv"),
            "--operator",
            "super1",
            stdin="super1-pass\n",
        ),
        "file",
    )
    one_error_line(
        counterctl(
            "bank",
            "reconcile",
            str(cut),
            "--date",
            "30.11.2026",
            "--operator",
            "super1",
            stdin="super1-pass\n",
        ),
        "--date",
    )
    assert data(counterctl("--json", "customer", "show", "100000000001"))["payments"] == []


def test_offset_and_transfer_from_the_shell(counterctl: Run) -> None:
    counterctl("demo")
    # 100000000003 is card mode: a payment waits in prepayment; then a bill arrives
    data(
        counterctl(
            "--json", "pay", "100000000003", "80", "--operator", "teller1", stdin="teller1-pass\n"
        )
    )
    data(
        counterctl(
            "--json",
            "bill",
            "100000000003",
            "50",
            "--issued-on",
            "2026-10-01",
            "--operator",
            "super1",
            stdin="super1-pass\n",
        )
    )
    out = data(
        counterctl(
            "--json",
            "offset",
            "arrears",
            "100000000003",
            "--operator",
            "teller1",
            "--supervisor",
            "super1",
            "--reason",
            "customer asked",
            stdin="teller1-pass\nsuper1-pass\n",
        )
    )
    assert out["channel"] == "offset" and out["arrears_after_fen"] == 0
    moved = data(
        counterctl(
            "--json",
            "offset",
            "transfer",
            "100000000003",
            "100000000004",
            "10",
            "--operator",
            "teller1",
            "--supervisor",
            "super1",
            "--reason",
            "merge",
            stdin="teller1-pass\nsuper1-pass\n",
        )
    )
    assert moved["amount_fen"] == 1000 and moved["payment"]["channel"] == "transfer"
    one_error_line(
        counterctl(
            "offset",
            "transfer",
            "100000000003",
            "100000000004",
            "1000",
            "--operator",
            "teller1",
            "--supervisor",
            "super1",
            "--reason",
            "x",
            stdin="teller1-pass\nsuper1-pass\n",
        ),
        "invalid amount",
    )
    assert counterctl("check").returncode == 0


def test_terminal_add_prints_a_token_once(counterctl: Run) -> None:
    counterctl("demo")
    out = data(
        counterctl(
            "--json",
            "terminal",
            "add",
            "ATM01",
            "--name",
            "lobby",
            "--operator",
            "admin",
            stdin="admin-pass\n",
        )
    )
    assert len(out["token"]) >= 40
    one_error_line(
        counterctl("terminal", "add", "ATM02", "--operator", "teller1", stdin="teller1-pass\n"),
        "may not",
    )
