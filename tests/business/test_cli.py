"""counterctl archive / change / review end to end: the installed entry point in a subprocess
on a temporary database (no meter link: dispatches stay queued, openings fall back to the
card). Errors give one line, exit 1, and book nothing."""

from __future__ import annotations

import json
from pathlib import Path

from counter_app.core.archive import COLUMNS
from tests.test_cli import Run, counterctl, data, one_error_line

__all__ = ["counterctl"]  # the fixture, shared with the foundation's CLI tests

EXPORT = (
    ",".join(COLUMNS)
    + """
300000000001,张三,幸福路1号,13900000001,1,400000000001,,,card,1,,0,2026-10,2026-11-01,12.50
300000000002,李四,幸福路2号,,0,400000000002,,,smart,0,,0,,,
300000000003,王五,幸福路3号,,0,400000000001,,,card,1,,0,,,
"""
)


def test_archive_import_with_progress_and_rejection_report(counterctl: Run, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(EXPORT.encode("gb18030"))
    bootstrap = counterctl("admin", "bootstrap", "chief", stdin="chief-secret-1\n" * 2)
    assert bootstrap.returncode == 0, bootstrap.stderr
    as_chief = ("--operator", "chief")
    pw = "chief-secret-1\n"
    out = counterctl("archive", "import", str(export), "--batch", "1", *as_chief, stdin=pw)
    assert out.returncode == 0, out.stderr
    assert "[" in out.stderr and "rows/s" in out.stderr  # the progress bar
    assert "3 line(s), 1 imported, 2 rejected" in out.stdout
    assert "line 3: unknown-meter-kind" in out.stdout
    assert "line 4: meter-on-two-customers" in out.stdout
    report = (tmp_path / "export.rejected.csv").read_text("utf-8").splitlines()
    assert report[0] == "row,reason,detail" and len(report) == 3
    again = data(
        counterctl("--json", "archive", "import", str(export), "--quiet", *as_chief, stdin=pw)
    )
    assert again["customers_created"] == 0 and again["customers_updated"] == 1
    assert again["encoding"] == "gb18030" and again["rejected"] == 2
    assert counterctl("check").returncode == 0

    (tmp_path / "bad.csv").write_text("who,what\n1,2\n", encoding="utf-8")
    one_error_line(
        counterctl("archive", "import", str(tmp_path / "bad.csv"), *as_chief, stdin=pw),
        "unknown column",
    )
    one_error_line(
        counterctl("archive", "import", str(tmp_path / "none.csv"), *as_chief, stdin=pw),
        "cannot read",
    )
    # nobody signed in: refused before anything is read
    one_error_line(counterctl("archive", "import", str(export)), "nobody is signed in")


def test_replace_dead_meter_then_review_from_the_shell(counterctl: Run) -> None:
    counterctl("demo")
    one_error_line(
        counterctl(
            "change",
            "replace",
            "000000000001",
            "000000000091",
            "--operator",
            "tech1",
            stdin="tech1-pass\n",
        ),
        "cannot be read",
    )
    one_error_line(
        counterctl(
            "change",
            "replace",
            "000000000001",
            "000000000091",
            "--dead",
            "--operator",
            "tech1",
            stdin="tech1-pass\n",
        ),
        "--balance and --count",
    )
    replaced = data(
        counterctl(
            "--json",
            "change",
            "replace",
            "000000000001",
            "000000000091",
            "--dead",
            "--balance",
            "42.00",
            "--count",
            "0",
            "--operator",
            "tech1",
            "--reason",
            "burnt",
            stdin="tech1-pass\n",
        )
    )
    held = replaced["held_id"]
    assert replaced["reading"]["source"] == "form" and held
    assert replaced["opening"]["way"] == "card-needed"
    listing = counterctl("review", "list")
    assert "42.00" in listing.stdout and "pending" in listing.stdout
    one_error_line(
        counterctl("review", "refuse", str(held), "--supervisor", "super1", stdin="super1-pass\n"),
        "required",
    )
    one_error_line(
        counterctl("review", "approve", str(held), "--supervisor", "super1", stdin="wrong\n"),
        "wrong username or password",
    )
    one_error_line(
        counterctl("review", "approve", str(held), "--supervisor", "tech1", stdin="tech1-pass\n"),
        "may not",
    )
    approved = data(
        counterctl(
            "--json",
            "review",
            "approve",
            str(held),
            "--supervisor",
            "super1",
            stdin="super1-pass\n",
        )
    )
    assert approved["state"] == "approved" and approved["payment"]["purchase_count"] == 1
    assert counterctl("check").returncode == 0
    changes = counterctl("change", "list")
    assert "meter-replacement" in changes.stdout and "burnt" in changes.stdout


def test_account_changes_from_the_shell(counterctl: Run, tmp_path: Path) -> None:
    counterctl("demo")
    installed = data(
        counterctl(
            "--json",
            "change",
            "install",
            "200000000001",
            "000000000081",
            "--name",
            "新户",
            "--operator",
            "tech1",
            stdin="tech1-pass\n",
        )
    )
    assert installed["purchase_mode"] == "remote"
    moved = counterctl(
        "change",
        "move",
        "000000000081",
        "100000000001",
        "--reason",
        "merge",
        "--operator",
        "tech1",
        stdin="tech1-pass\n",
    )
    assert moved.returncode == 0, moved.stderr
    one_error_line(
        counterctl(
            "change",
            "mode",
            "000000000081",
            "remote",
            "--collection-capable",
            "no",
            "--reason",
            "x",
            "--operator",
            "tech1",
            stdin="tech1-pass\n",
        ),
        "not-collection-capable",
    )
    mode = counterctl(
        "change",
        "mode",
        "000000000081",
        "card",
        "--reason",
        "no signal",
        "--operator",
        "tech1",
        stdin="tech1-pass\n",
    )
    assert mode.returncode == 0, mode.stderr
    paid = data(
        counterctl(
            "--json", "pay", "200000000001", "20", "--operator", "teller1", stdin="teller1-pass\n"
        )
    )
    assert paid["reason"] == "no-active-meter"  # its meter moved away: it waits in prepayment
    closed = json.loads(
        counterctl(
            "--json",
            "change",
            "close",
            "200000000001",
            "--reason",
            "gone",
            "--operator",
            "tech1",
            stdin="tech1-pass\n",
        ).stdout
    )
    held = closed["held_prepayment_id"]
    assert held is not None  # the 20.00 paid in card mode waits for a cash refund
    pdf = tmp_path / "refund.pdf"
    refunded = data(
        counterctl(
            "--json",
            "review",
            "refund",
            str(held),
            "--supervisor",
            "super1",
            "--reason",
            "moved away",
            "--pdf",
            str(pdf),
            stdin="super1-pass\n",
        )
    )
    assert refunded["state"] == "refunded" and refunded["amount_fen"] == 2_000
    assert pdf.read_bytes().startswith(b"%PDF")
    one_error_line(
        counterctl(
            "change",
            "close",
            "200000000001",
            "--reason",
            "x",
            "--operator",
            "teller1",
            stdin="teller1-pass\n",
        ),
        "may not",
    )
    assert counterctl("check").returncode == 0
