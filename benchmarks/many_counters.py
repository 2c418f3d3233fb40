"""Many counters paying on one database at once (not a test; `tests/store/` runs a short one).

Run: ``.venv/bin/python benchmarks/many_counters.py --engine postgres --counters 20 --seconds 60``
     ``.venv/bin/python benchmarks/many_counters.py --engine sqlite --counters 4 --seconds 60``

Each counter is a process of its own taking payments (R1–R6) for random customers of one hall
as fast as a teller with an instant meter would: the purchase count is allocated under the
meter's row lock (PostgreSQL ``FOR NO KEY UPDATE``; SQLite's single writer), and a dispatcher
that confirms whatever count it is sent stands in for the station (the meter side is not what
is measured). Afterwards the books are checked: every payment a counter reported is in the
database (no lost update), no count was given twice, and I1/I2 hold (`counterctl check`).

Prints payments/s, latency p50/p95/max per payment, and the check's verdict. PostgreSQL is
started here on loopback (a temporary cluster, stopped by its PID) unless ``--db`` names one.
Loopback only; bounded by ``--seconds``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _worker(url: str, counter_id: str, start_at: float, seconds: float, customers: int) -> int:
    """One counter: pay random customers until the deadline; one JSON line on stdout."""
    from counter_app.services.context import ServiceContext
    from counter_app.services.registry import build_services
    from counter_app.store.database import bind_database
    from tests.services.concurrent_payer import ConfirmingDispatcher

    bind_database(url)
    services = build_services(
        ServiceContext(counter_id=counter_id, dispatcher=ConfirmingDispatcher())
    )
    rng = random.Random(counter_id)
    time.sleep(max(0.0, start_at - time.time()))
    deadline = max(start_at, time.time()) + seconds  # a late starter still pays its time
    latencies: list[float] = []
    paid: list[tuple[str, int]] = []
    counts: list[tuple[str, int]] = []
    while time.time() < deadline:
        customer = f"5100{rng.randrange(1, customers + 1):08d}"
        amount = 100 * rng.randrange(1, 50)
        t0 = time.perf_counter()
        out = services.payments.take_payment(customer, amount, operator=f"t-{counter_id}")
        latencies.append(time.perf_counter() - t0)
        paid.append((customer, amount))
        if out.purchase_count is not None:
            counts.append((customer, out.purchase_count))
    print(json.dumps({"latencies": latencies, "paid": paid, "counts": counts}))
    return 0


def _prepare(url: str, customers: int) -> None:
    from counter_app.store.database import bind_database, close_database, database
    from counter_app.store.migrations import migrate
    from counter_app.store.models import Customer, Meter

    bind_database(url)
    migrate()
    with database.atomic():
        for start in range(1, customers + 1, 1000):
            ids = range(start, min(start + 1000, customers + 1))
            Customer.insert_many(
                [{"customer_no": f"5100{i:08d}", "name": f"用户{i}"} for i in ids]
            ).execute()
    owners = {c.customer_no: c.id for c in Customer.select(Customer.id, Customer.customer_no)}
    with database.atomic():
        rows = [
            {
                "customer": owners[f"5100{i:08d}"],
                "address": f"{i:012d}",
                "meter_no": f"52{i:010d}",
                "customer_no": f"5100{i:08d}",
                "collection_capable": True,
                "purchase_mode": "remote",
            }
            for i in range(1, customers + 1)
        ]
        for start in range(0, len(rows), 1000):
            Meter.insert_many(rows[start : start + 1000]).execute()
    close_database()


def run(url: str, counters: int, seconds: float, customers: int) -> dict[str, object]:
    """Start the counters, wait for them, check the books; the figures as a dict."""
    _prepare(url, customers)
    start_at = time.time() + 2.0 + 0.1 * counters  # every process started and connected
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                url,
                f"c{k:02d}",
                str(start_at),
                str(seconds),
                str(customers),
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for k in range(counters)
    ]
    outputs = []
    for p in procs:
        out, _ = p.communicate(timeout=seconds + 120)
        if p.returncode != 0:
            raise RuntimeError(f"a counter process failed (exit {p.returncode})")
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    latencies = sorted(x for o in outputs for x in o["latencies"])
    reported = sum(amount for o in outputs for _, amount in o["paid"])
    given = [tuple(c) for o in outputs for c in o["counts"]]

    from peewee import fn

    from counter_app.services.checks import check_database
    from counter_app.store.database import bind_database, close_database
    from counter_app.store.models import Payment

    bind_database(url)
    try:
        in_books = int(Payment.select(fn.SUM(Payment.amount_fen)).scalar() or 0)
        rows = Payment.select().count()
        breaks = [str(b) for b in check_database()]
    finally:
        close_database()
    return {
        "counters": counters,
        "seconds": seconds,
        "payments": len(latencies),
        "payments_per_s": round(len(latencies) / seconds, 1),
        "latency_ms_p50": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "latency_ms_p95": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1)
        if latencies
        else None,
        "latency_ms_max": round(1000 * latencies[-1], 1) if latencies else None,
        "lost_updates": (len(latencies) - rows) + (1 if reported != in_books else 0),
        "duplicate_counts": len(given) - len(set(given)),
        "invariant_breaks": breaks,
    }


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, counter_id, start_at, seconds, customers = sys.argv[2:7]
        return _worker(url, counter_id, float(start_at), float(seconds), int(customers))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--db", help="database URL (default: a fresh one for the engine)")
    parser.add_argument("--counters", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with ExitStack() as stack:
        url = args.db
        if url is None and args.engine == "sqlite":
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="counters-"))
            url = f"sqlite:///{os.path.join(folder, 'hall.db')}"
        elif url is None:
            from tests.fixtures.postgres import running_postgres

            server = stack.enter_context(running_postgres())
            server.psql("CREATE DATABASE hall")
            url = server.url("hall")
        figures = run(url, args.counters, args.seconds, args.customers)
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{args.engine}: {args.counters} counters for {args.seconds:.0f} s")
        for key, value in figures.items():
            if key != "invariant_breaks":
                print(f"  {key:18} {value}")
        print(f"  I1/I2              {'hold' if not figures['invariant_breaks'] else 'BROKEN'}")
    ok = not figures["invariant_breaks"] and not figures["lost_updates"]
    return 0 if ok and not figures["duplicate_counts"] else 1


if __name__ == "__main__":
    sys.exit(main())
