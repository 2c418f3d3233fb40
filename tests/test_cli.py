"""counterctl end to end: the installed entry point in a subprocess, a temporary database.

The "done when" of the foundation: init, demo, pay on a demo customer, check work as documented; bad
amounts, unknown customers, a wrong supervisor password and a reversal of an already reversed
payment each give one clear line, exit != 0, and change nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fixtures.meters import MeterBus

COUNTERCTL = Path(sys.prefix) / "bin" / "counterctl"
TELLER = "teller1-pass\n"  # the demo teller's password, on standard input
SUPERVISOR = "super1-pass\n"
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def counterctl(tmp_path: Path) -> Run:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_")}
    env.update(
        {
            "COUNTER_DATA_DIR": str(tmp_path / "data"),
            "COUNTER_ID": "cli-1",
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
        }
    )

    def run(
        *args: str, stdin: str = "", db: str | None = url, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        cmd = [str(COUNTERCTL), *(["--db", db] if db else []), *args]
        return subprocess.run(
            cmd,
            input=stdin,
            capture_output=True,
            text=True,
            env={**env, **(extra_env or {})},
            timeout=60,
        )

    return run


def data(result: subprocess.CompletedProcess[str]) -> dict:  # type: ignore[type-arg]
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def one_error_line(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("counterctl: error: ") and fragment in lines[0], lines[0]


def state(run: Run) -> str:
    """Everything counterctl can show about the demo customers (for 'nothing changed').

    The seven reads run side by side (each is a process of its own that only reads; the
    answers are joined in customer order): a test compares this view several times."""
    customers = [f"1000000000{i:02d}" for i in range(1, 8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        shown = list(pool.map(lambda no: run("--json", "customer", "show", no), customers))
    for result in shown:
        assert result.returncode == 0, result.stderr
    return "\n".join(result.stdout for result in shown)


def test_init_demo_pay_check(counterctl: Run) -> None:
    assert "schema version" in counterctl("init").stdout
    demo = data(counterctl("--json", "demo"))
    assert len(demo["customers"]) == 7
    assert {"username": "super1", "password": "super1-pass", "role": "supervisor"} in demo[
        "demo_users"
    ]
    listing = data(counterctl("--json", "customer", "list"))
    assert [c["customer_no"] for c in listing][:2] == ["100000000001", "100000000002"]
    # R1 + R3 on the demo customer in arrears; no meter link configured: purchase queued
    paid = data(
        counterctl("--json", "pay", "100000000002", "200", "--operator", "teller1", stdin=TELLER)
    )
    assert paid["settlements"] and paid["arrears_after_fen"] == 0
    assert paid["adjusted_fee_fen"] == 20_000 - 17_770 and paid["purchase_count"] == 1
    assert paid["counter_id"] == "cli-1"
    assert any("queued" in note for note in paid["notes"])
    # R6 multi-meter: money waits in prepayment, and says why
    multi = data(
        counterctl("--json", "pay", "100000000005", "50.5", "--operator", "teller1", stdin=TELLER)
    )
    assert multi["reason"] == "multi-meter" and multi["prepayment_after_fen"] == 5_050
    check = counterctl("check")
    assert check.returncode == 0 and "hold" in check.stdout
    shown = counterctl("customer", "show", "100000000005")
    assert "50.50" in shown.stdout


def test_reverse_reads_supervisor_password_from_stdin(counterctl: Run) -> None:
    counterctl("demo")
    paid = data(
        counterctl(
            "--json",
            "pay",
            "100000000001",
            "30",
            "--operator",
            "teller1",
            "--no-dispatch",
            stdin=TELLER,
        )
    )
    rev = counterctl(
        "--json",
        "reverse",
        str(paid["payment_id"]),
        "--operator",
        "teller1",
        "--supervisor",
        "super1",
        "--reason",
        "wrong customer",
        stdin="teller1-pass\nsuper1-pass\n",
    )
    out = data(rev)
    assert out["case"] == "payment-and-purchase" and out["refund_fen"] == 3_000
    assert counterctl("check").returncode == 0


def test_errors_give_one_line_and_change_nothing(counterctl: Run) -> None:
    counterctl("demo")
    paid = data(
        counterctl(
            "--json",
            "pay",
            "100000000001",
            "30",
            "--operator",
            "teller1",
            "--no-dispatch",
            stdin=TELLER,
        )
    )
    pid = str(paid["payment_id"])
    before = state(counterctl)
    for amount in ("-5", "1.234", "abc", "0", "99999999999"):
        one_error_line(
            counterctl("pay", "100000000001", amount, "--operator", "teller1", stdin=TELLER),
            "invalid amount",
        )
    one_error_line(
        counterctl("pay", "NO-SUCH", "10", "--operator", "teller1", stdin=TELLER),
        "unknown customer",
    )
    one_error_line(
        counterctl(
            "reverse",
            pid,
            "--operator",
            "teller1",
            "--supervisor",
            "super1",
            "--reason",
            "x",
            stdin="teller1-pass\nnot-the-password\n",
        ),
        "wrong username or password",
    )
    one_error_line(
        counterctl(
            "reverse",
            pid,
            "--operator",
            "teller1",
            "--supervisor",
            "teller2",
            "--reason",
            "x",
            stdin="teller1-pass\nteller2-pass\n",
        ),
        "may not",
    )
    one_error_line(
        counterctl(
            "reverse",
            "999",
            "--operator",
            "teller1",
            "--supervisor",
            "super1",
            "--reason",
            "x",
            stdin="teller1-pass\nsuper1-pass\n",
        ),
        "unknown payment",
    )
    assert state(counterctl) == before
    ok = counterctl(
        "reverse",
        pid,
        "--operator",
        "teller1",
        "--supervisor",
        "super1",
        "--reason",
        "x",
        stdin="teller1-pass\nsuper1-pass\n",
    )
    assert ok.returncode == 0, ok.stderr
    after_first = state(counterctl)
    one_error_line(
        counterctl(
            "reverse",
            pid,
            "--operator",
            "teller1",
            "--supervisor",
            "super1",
            "--reason",
            "x",
            stdin="teller1-pass\nsuper1-pass\n",
        ),
        "already-reversed",
    )
    assert state(counterctl) == after_first
    one_error_line(counterctl("check", db="mysql://nowhere/x"), "scheme")


def test_password_is_never_an_argument(counterctl: Run) -> None:
    result = counterctl(
        "reverse",
        "1",
        "--operator",
        "teller1",
        "--supervisor",
        "super1",
        "--reason",
        "x",
        "--password",
        "super1-pass",
    )
    assert result.returncode == 2 and "unrecognized arguments" in result.stderr


def test_check_reports_a_break_and_fails(counterctl: Run, tmp_path: Path) -> None:
    counterctl("demo")
    import sqlite3

    con = sqlite3.connect(tmp_path / "cli.db")
    con.execute(
        "UPDATE customer SET prepayment_fen = prepayment_fen + 1 WHERE customer_no = '100000000001'"
    )
    con.commit()
    con.close()
    result = counterctl("check")
    assert result.returncode == 3
    assert "I1 customer 100000000001" in result.stdout


def test_pay_dispatches_through_the_configured_meter_link(
    counterctl: Run, meter_bus: MeterBus
) -> None:
    """The demo meters are the simulator's meters: counterctl pay loads one over DL/T 645."""
    from counter_app.demo import demo_meters

    assert [m.address for m in demo_meters()][:3] == meter_bus.addresses
    counterctl("demo")
    link = {"COUNTER_METER_LINK": meter_bus.url, "METER_MASTER_KEY": meter_bus.master_key.hex()}
    paid = data(
        counterctl(
            "--json",
            "pay",
            "100000000001",
            "100",
            "--operator",
            "teller1",
            stdin=TELLER,
            extra_env=link,
        )
    )
    assert paid["dispatch"]["outcome"] == "success", paid
    assert paid["dispatch"]["state"] == "loaded"
    with meter_bus.simulator.meter("000000000001") as m:
        assert (m.purchase_count, m.balance_fen) == (1, 5_000 + 10_000)
    # queued without a link, dispatched later by resume (R8 resumes from what was written)
    queued = data(
        counterctl("--json", "pay", "100000000003", "20", "--operator", "teller1", stdin=TELLER)
    )
    assert queued["reason"] == "card-mode"
    queued = data(
        counterctl(
            "--json",
            "pay",
            "100000000002",
            "200",
            "--operator",
            "teller1",
            "--no-dispatch",
            stdin=TELLER,
        )
    )
    assert queued["dispatch"] is None and queued["purchase_count"] == 1
    resumed = data(
        counterctl("--json", "resume", "--operator", "teller1", stdin=TELLER, extra_env=link)
    )
    assert [(r["purchase_id"], r["state"]) for r in resumed] == [(queued["purchase_id"], "loaded")]
    assert counterctl("check").returncode == 0


def test_outbox_drains_through_the_http_sms_gateway(counterctl: Run, meter_bus: MeterBus) -> None:
    """R11: a dispatch success queues an SMS; outbox --drain POSTs it to the gateway."""
    import http.server
    import threading

    received: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        counterctl("demo")
        link = {"COUNTER_METER_LINK": meter_bus.url, "METER_MASTER_KEY": meter_bus.master_key.hex()}
        data(
            counterctl(
                "--json",
                "pay",
                "100000000001",
                "10",
                "--operator",
                "teller1",
                stdin=TELLER,
                extra_env=link,
            )
        )
        assert data(counterctl("--json", "outbox"))["queued"] == 1
        one_error_line(
            counterctl("outbox", "--drain", "--operator", "super1", stdin=SUPERVISOR),
            "no SMS gateway",
        )
        gateway = {"COUNTER_SMS_GATEWAY": f"http://127.0.0.1:{server.server_port}/sms"}
        drained = data(
            counterctl(
                "--json",
                "outbox",
                "--drain",
                "--operator",
                "super1",
                stdin=SUPERVISOR,
                extra_env=gateway,
            )
        )
        assert drained["drain"]["sent"] == 1 and drained["queued"] == 0
        assert received[0]["phone"] == "13800000001" and "10.00" in received[0]["body"]
    finally:
        server.shutdown()
        server.server_close()


def test_the_readme_examples_work_as_written(tmp_path: Path) -> None:
    """The README's counterctl lines, run one by one through a shell on a fresh database."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("Take a payment against the demo database", 1)[1]
    block = block.split("```", 2)[1]
    lines = [line for line in block.splitlines() if "counterctl" in line]
    assert any("login" in line for line in lines) and any("reverse" in line for line in lines)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_")}
    env.update(
        {
            "COUNTER_DATA_DIR": str(tmp_path / "data"),
            "COUNTER_DB_URL": f"sqlite:///{tmp_path / 'readme.db'}",
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
        }
    )
    bindir = str(COUNTERCTL.parent) + "/"
    for line in lines:
        result = subprocess.run(
            ["bash", "-c", line.replace(".venv/bin/", bindir)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 0, (line, result.stderr)
