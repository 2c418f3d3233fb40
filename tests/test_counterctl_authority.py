"""counterctl and authority: nobody at the shell acts without signing in, and the window's role
matrix holds there too.

The installed entry point in a subprocess on a temporary database, as in ``test_cli``:
passwords go on standard input only; ``login`` leaves a token file readable by its owner
only; every refusal is one clear line, exit != 0, nothing changed, and an audit record.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

from tests.test_cli import COUNTERCTL, SUPERVISOR, TELLER, Run, counterctl, data, one_error_line

__all__ = ["counterctl"]  # the fixture, shared with test_cli


def audit_actions(tmp_path: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(tmp_path / "cli.db")
    try:
        return [(a, b) for a, b in con.execute("SELECT actor, action FROM audit_log ORDER BY id")]
    finally:
        con.close()


def users(tmp_path: Path) -> dict[str, str]:
    con = sqlite3.connect(tmp_path / "cli.db")
    try:
        return dict(con.execute('SELECT username, role FROM "user"'))
    finally:
        con.close()


def test_nobody_mints_a_supervisor_from_the_shell(counterctl: Run, tmp_path: Path) -> None:
    counterctl("init")
    # no administrator yet: adding a user needs one
    one_error_line(
        counterctl("user", "add", "mallory", "supervisor", stdin="mallory-pass\n"),
        "nobody is signed in",
    )
    one_error_line(
        counterctl("user", "add", "mallory", "supervisor", "--operator", "mallory", stdin="x\nx\n"),
        "wrong username or password",
    )
    # the documented first step: bootstrap the first administrator
    boot = counterctl("admin", "bootstrap", "root", stdin="root-pass-1\n")
    assert boot.returncode == 0, boot.stderr
    one_error_line(
        counterctl("admin", "bootstrap", "eve", stdin="eve-pass-1\n"), "one exists already"
    )
    made = counterctl(
        "--json",
        "user",
        "add",
        "boss",
        "supervisor",
        "--operator",
        "root",
        stdin="root-pass-1\nboss-pass-1\n",
    )
    assert data(made)["role"] == "supervisor"
    made = counterctl(
        "user", "add", "t1", "teller", "--operator", "root", stdin="root-pass-1\nt1-pass-1\n"
    )
    assert made.returncode == 0, made.stderr
    # a teller and a supervisor may not manage users (the window's matrix)
    for who, password in (("t1", "t1-pass-1"), ("boss", "boss-pass-1")):
        one_error_line(
            counterctl(
                "user",
                "role",
                "t1",
                "supervisor",
                "--operator",
                who,
                stdin=f"{password}\n",
            ),
            "may not manage-users",
        )
    assert users(tmp_path) == {"root": "admin", "boss": "supervisor", "t1": "teller"}
    changed = counterctl(
        "user", "role", "t1", "supervisor", "--operator", "root", stdin="root-pass-1\n"
    )
    assert changed.returncode == 0 and users(tmp_path)["t1"] == "supervisor"
    trail = audit_actions(tmp_path)
    assert ("bootstrap:root", "create-user") in trail
    assert ("eve", "permission-refused") in trail
    assert trail.count(("t1", "permission-refused")) == 1
    assert ("root", "change-role") in trail


def test_pay_and_resume_need_an_operator_who_may(counterctl: Run, tmp_path: Path) -> None:
    counterctl("demo")
    before = counterctl("--json", "customer", "show", "100000000001").stdout
    pay = ("pay", "100000000001", "10", "--no-dispatch")
    one_error_line(counterctl(*pay), "nobody is signed in")
    one_error_line(
        counterctl(*pay, "--operator", "ghost", stdin="ghost-pass\n"), "wrong username or password"
    )
    one_error_line(
        counterctl(*pay, "--operator", "teller1", stdin="wrong\n"), "wrong username or password"
    )
    one_error_line(counterctl(*pay, "--operator", "admin", stdin="admin-pass\n"), "may not")
    one_error_line(counterctl(*pay, "--operator", "tech1", stdin="tech1-pass\n"), "may not")
    one_error_line(counterctl("resume", "--operator", "ghost", stdin="x\n"), "wrong username")
    one_error_line(counterctl("resume", "--operator", "admin", stdin="admin-pass\n"), "may not")
    assert counterctl("--json", "customer", "show", "100000000001").stdout == before
    assert data(counterctl("--json", *pay, "--operator", "teller1", stdin=TELLER))["amount_fen"]
    resumed = counterctl("resume", "--operator", "tech1", stdin="tech1-pass\n")
    # technicians retry dispatches: let through; without a meter link the queued purchase
    # stays open, and resume says what its next step is
    assert resumed.returncode == 0, resumed.stderr
    assert "open: purchase" in resumed.stdout and "next" in resumed.stdout
    trail = audit_actions(tmp_path)
    assert trail.count(("ghost", "sign-in-failed")) == 2
    assert ("admin", "permission-refused") in trail and ("tech1", "permission-refused") in trail


def test_login_session_token_file_and_the_readme_reversal(counterctl: Run, tmp_path: Path) -> None:
    counterctl("demo")
    token_file = tmp_path / "data" / "counterctl-session.json"
    login = counterctl("login", "teller1", stdin=TELLER)
    assert login.returncode == 0, login.stderr
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert "teller1-pass" not in token_file.read_text()
    # signed in: no --operator, no password; the supervisor's password alone on stdin
    paid = data(counterctl("--json", "pay", "100000000001", "30", "--no-dispatch"))
    assert paid["operator"] == "teller1"
    rev = counterctl(
        "reverse",
        str(paid["payment_id"]),
        "--operator",
        "teller1",
        "--supervisor",
        "super1",
        "--reason",
        "wrong customer",
        stdin=SUPERVISOR,
    )
    assert rev.returncode == 0, rev.stderr
    # the session is no user admin: the teller's role still decides
    one_error_line(counterctl("user", "list"), "may not manage-users")
    # the token proves nothing once the session has ended in the database
    con = sqlite3.connect(tmp_path / "cli.db")
    con.execute("UPDATE operator_session SET expires_at = '2000-01-01 00:00:00'")
    con.commit()
    con.close()
    one_error_line(counterctl("pay", "100000000001", "5"), "has ended")
    assert counterctl("login", "teller1", stdin=TELLER).returncode == 0
    assert counterctl("logout").returncode == 0 and not token_file.exists()
    one_error_line(counterctl("pay", "100000000001", "5"), "nobody is signed in")
    trail = audit_actions(tmp_path)
    assert trail.count(("teller1", "session-opened")) == 2
    assert ("teller1", "session-closed") in trail


def test_lockout_from_the_shell(counterctl: Run, tmp_path: Path) -> None:
    counterctl("demo")
    config = tmp_path / "config" / "fee-control-counter" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[security]\nlockout_attempts = 3\nlockout_minutes = 20\n")
    for _ in range(3):
        one_error_line(counterctl("login", "super1", stdin="guess\n"), "wrong username")
    one_error_line(counterctl("login", "super1", stdin=SUPERVISOR), "locked")
    trail = audit_actions(tmp_path)
    assert ("super1", "account-locked") in trail
    assert trail.count(("super1", "sign-in-failed")) == 4


def test_check_names_the_first_broken_audit_record(counterctl: Run, tmp_path: Path) -> None:
    counterctl("demo")
    data(counterctl("--json", "pay", "100000000001", "30", "--operator", "teller1", stdin=TELLER))
    good = data(counterctl("--json", "check"))
    assert good["ok"] and len(good["audit_head"]) == 64
    con = sqlite3.connect(tmp_path / "cli.db")
    con.execute("DROP TRIGGER audit_log_no_update")
    (victim,) = con.execute("SELECT id FROM audit_log WHERE action = 'take-payment'").fetchone()
    con.execute("UPDATE audit_log SET actor = 'teller2' WHERE id = ?", (victim,))
    con.commit()
    con.close()
    result = counterctl("check")
    assert result.returncode == 3
    assert f"I3 audit record {victim}: content does not match its hash" in result.stdout


def test_demo_users_are_not_loaded_into_a_production_database(
    counterctl: Run, tmp_path: Path
) -> None:
    config = tmp_path / "config" / "fee-control-counter" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "prod.db"}"\n')
    one_error_line(counterctl("demo", db=None), "production database")
    assert json.loads(counterctl("--json", "init", db=None).stdout)["schema_version"] >= 3
    assert os.access(COUNTERCTL, os.X_OK)
