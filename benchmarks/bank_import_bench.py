"""Bank-import figures (not a test): a 100,000-line collection file booked through R1–R6.

Run: ``.venv/bin/python benchmarks/bank_import_bench.py [--lines 100000] [--customers 50000]
[--db URL] [--postgres]``

Without ``--db`` a fresh SQLite file in a temporary directory is used; ``--postgres`` also
runs on a throw-away PostgreSQL cluster on 127.0.0.1 (the test fixtures' ``running_postgres``,
stopped afterwards), ``--postgres-only`` only there.

Every customer has one remote-mode, collection-capable meter (R2), so each customer's first
line becomes a purchase with its count (R3) queued for dispatch ("created"); one in ten has
two open bills, settled oldest first (R1); the following lines of a customer find that
purchase pending and wait in prepayment. The figures: lines booked per second, purchases
queued, and the I1/I2 check over the whole database afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from counter_app.core.bank_file import format_bank_file  # noqa: E402
from counter_app.services import auth  # noqa: E402
from counter_app.services.bank import BankCollectionService  # noqa: E402
from counter_app.services.checks import check_database  # noqa: E402
from counter_app.services.context import ServiceContext  # noqa: E402
from counter_app.store.database import bind_database, close_database, database  # noqa: E402
from counter_app.store.migrations import migrate  # noqa: E402
from counter_app.store.models import Bill, Customer, Meter, Purchase  # noqa: E402


def seed(customers: int) -> list[str]:
    """Customers with one remote meter each, one in ten with two open bills (bulk inserts)."""
    auth.set_password_hasher(auth.make_password_hasher(fast=True))
    auth.create_user("bench-super", "bench-super-pass", "supervisor")
    numbers = [f"9{i:011d}" for i in range(customers)]
    with database.atomic():
        for start in range(0, customers, 500):
            part = numbers[start : start + 500]
            Customer.insert_many(
                [{"customer_no": no, "name": f"Customer {no}"} for no in part]
            ).execute()
        ids = {str(c.customer_no): int(c.id) for c in Customer.select()}
        rows = [
            {
                "customer": ids[no],
                "address": no,
                "meter_no": f"M{no}",
                "customer_no": no,
                "collection_capable": True,
                "purchase_mode": "remote",
            }
            for no in numbers
        ]
        for start in range(0, len(rows), 500):
            Meter.insert_many(rows[start : start + 500]).execute()
        bills = []
        for no in numbers[::10]:
            for day, fen in ((dt.date(2026, 9, 1), 3000), (dt.date(2026, 10, 1), 2000)):
                bills.append(
                    {
                        "customer": ids[no],
                        "amount_fen": fen,
                        "outstanding_fen": fen,
                        "issued_on": day,
                    }
                )
        for start in range(0, len(bills), 500):
            Bill.insert_many(bills[start : start + 500]).execute()
    return numbers


def bank_file_bytes(numbers: list[str], lines: int) -> bytes:
    rnd = random.Random(7)
    day = dt.date.today() - dt.timedelta(days=1)
    at = dt.datetime.combine(day, dt.time(9, 0))
    rows = [
        (f"B{i:09d}", numbers[i % len(numbers)], rnd.randint(100, 50_000), at, "AG01", "OP1")
        for i in range(lines)
    ]
    return format_bank_file("BENCH01", day, rows).encode()


def server_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (from /proc, when the server
    runs on this machine); -1 on SQLite (in-process: its work is this process's CPU time)."""
    if not url_is_postgres():
        return -1.0
    pid = int(database.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def url_is_postgres() -> bool:
    from counter_app.store.database import is_postgres

    return is_postgres()


def run(url: str, lines: int, customers: int, check: bool) -> None:
    bind_database(url)
    migrate()
    numbers = seed(customers)
    data = bank_file_bytes(numbers, lines)
    service = BankCollectionService(ServiceContext(counter_id="bench"))
    server_before = server_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    report = service.import_bytes(data, file_name="bench.csv", operator="bench-super")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    server = server_cpu() - server_before if server_before >= 0 else None
    queued = Purchase.select().where(Purchase.state == "created").count()
    engine = url.split(":", 1)[0]
    print(f"{engine}: {lines:,} lines, {customers:,} customers")
    print(
        f"  booked {report.booked_count:,} in {seconds:.1f} s = "
        f"{report.booked_count / seconds:,.0f} lines/s; dispatch tasks queued {queued:,}; "
        f"rejected {report.rejected_count}"
    )
    busy = f", the PostgreSQL backend's {server:.1f} s" if server is not None else ""
    print(
        f"  CPU time: this process {cpu:.1f} s{busy} (wall time beyond that is the machine's "
        f"other load; load average now {os.getloadavg()[0]:.1f})"
    )
    again_start = time.perf_counter()
    again = service.import_bytes(data, file_name="bench.csv", operator="bench-super")
    again_s = time.perf_counter() - again_start
    print(
        f"  same file again: booked {again.booked_count}, already booked "
        f"{again.duplicate_count:,} in {again_s:.1f} s"
    )
    if check:
        t = time.perf_counter()
        breaks = check_database()
        print(
            f"  I1/I2 over the database: {'hold' if not breaks else f'{len(breaks)} breaks'} "
            f"({time.perf_counter() - t:.1f} s)"
        )
    close_database()


@contextlib.contextmanager
def postgres_url() -> Iterator[str]:
    from tests.fixtures.postgres import running_postgres

    with running_postgres() as server:
        server.psql("CREATE DATABASE bench")
        yield server.url("bench")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--postgres", action="store_true", help="also on a temporary PostgreSQL")
    parser.add_argument(
        "--postgres-only", action="store_true", help="only on a temporary PostgreSQL"
    )
    parser.add_argument("--no-check", action="store_true", help="skip the I1/I2 check")
    args = parser.parse_args()
    if not args.postgres_only:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
            run(url, args.lines, args.customers, not args.no_check)
    if args.postgres or args.postgres_only:
        with postgres_url() as url:
            run(url, args.lines, args.customers, not args.no_check)
    return 0


if __name__ == "__main__":
    sys.exit(main())
