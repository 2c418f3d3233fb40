"""Province scale (not a test): a million customers on one database, SQLite and PostgreSQL.

Run: ``.venv/bin/python benchmarks/scale.py [--engine sqlite|postgres|both]
       [--customers 1000000] [--payments 100000] [--queries 200]``

For each engine: builds the books in bulk (`tests.fixtures.books`: customers, 1.05 meters per
customer, payments that each loaded a purchase, their attempts and audit rows), then prints

* search latency p50/p95 per kind of query the teller types (goal: p95 ≤ 50 ms),
* `counterctl check` over the whole database (goal: ≤ 60 s),
* payments/s taken one after another by one counter (R1–R6 and the count under its lock),
* the counter window's memory after sign-in and a few searches (a separate process).

PostgreSQL runs in a temporary cluster on loopback, stopped by its PID at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from counter_app.services import counter_views  # noqa: E402
from counter_app.services.checks import check_database  # noqa: E402
from counter_app.store import database as store_db  # noqa: E402
from counter_app.store.migrations import migrate  # noqa: E402
from counter_app.store.models import Customer  # noqa: E402
from tests.fixtures.books import (  # noqa: E402
    BookSize,
    archive_rows,
    meter_owners,
    populate,
    populate_history,
)

WINDOW_PROBE = r"""
import resource, sys
from PySide6.QtWidgets import QApplication
from counter_app.app import context_from_counter
from counter_app.bootstrap import open_counter
from counter_app.config import Config
from counter_app.services import auth, counter_views
from counter_app.ui.main_window import MainWindow
from counter_app.ui.workers import DeviceEvents, Workers
app = QApplication([])
counter = open_counter(Config(database_url=sys.argv[1]), use_meter_link=False)
if not auth.user_count():
    auth.create_user("teller1", "teller1-pass", "teller")
context = context_from_counter(counter, with_card=False)
workers = Workers()
user = context.sign_in("teller1", "teller1-pass", "bench")
window = MainWindow(context, user, workers, DeviceEvents())
window.show()
for q in ("3101", "王", "310100012345", "幸福路1"):
    counter_views.search_customers(q)
counter_views.load_account(counter_views.search_customers("3101").hits[0].customer_no)
app.processEvents()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
workers.shutdown()
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def query_kinds(rng: random.Random, customers: int) -> dict[str, Callable[[], str]]:
    def customer() -> Customer:
        return Customer.get_by_id(rng.randrange(1, customers + 1))

    def phone() -> str:
        while True:
            p = str(customer().phone)
            if p:
                return p

    return {
        "customer number": lambda: str(customer().customer_no),
        "customer number tail (6)": lambda: str(customer().customer_no)[-6:],
        "meter number": lambda: f"41{rng.randrange(1, customers):010d}",
        "phone": phone,
        "phone tail (4)": lambda: phone()[-4:],
        "name prefix (2)": lambda: str(customer().name)[:2],
        "address fragment (4)": lambda: str(customer().address)[3:7],
    }


def bench_search(customers: int, queries: int) -> None:
    rng = random.Random(7)
    for kind, make in query_kinds(rng, customers).items():
        samples = [make() for _ in range(queries)]
        counter_views.search_customers(samples[0])  # warm the page cache for this kind
        took = []
        hits = 0
        for q in samples:
            t0 = time.perf_counter()
            result = counter_views.search_customers(q)
            took.append(1000 * (time.perf_counter() - t0))
            hits += bool(result.hits)
        print(
            f"  search {kind:26} p50 {statistics.median(took):6.1f} ms   "
            f"p95 {percentile(took, 0.95):6.1f} ms   (found {hits}/{queries})"
        )


def bench_payments(n: int) -> None:
    from counter_app.services.context import ServiceContext
    from counter_app.services.registry import build_services
    from tests.services.concurrent_payer import ConfirmingDispatcher

    services = build_services(ServiceContext(counter_id="bench", dispatcher=ConfirmingDispatcher()))
    rng = random.Random(3)
    total = Customer.select().count()
    t0 = time.perf_counter()
    for _ in range(n):
        customer = f"3101{rng.randrange(1, total + 1):08d}"
        services.payments.take_payment(customer, 100 * rng.randrange(1, 50), operator="bench")
    took = time.perf_counter() - t0
    print(f"  payments, one counter      {n / took:8.1f} /s   ({n} payments in {took:.1f} s)")


def window_memory(url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", WINDOW_PROBE, url],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "PATH": "/usr/bin:/bin",
            "HOME": tempfile.gettempdir(),
        },
    )
    if done.returncode != 0:
        print(f"  window memory              (failed: {done.stderr.strip().splitlines()[-1:]})")
        return
    print(f"  window memory (max RSS)    {done.stdout.strip().splitlines()[-1]:>8} MB")


def run(engine: str, url: str, args: argparse.Namespace) -> None:
    print(f"{engine}: {args.customers:,} customers, {args.payments:,} payments")
    store_db.bind_database(url)
    migrate()
    size = BookSize(customers=args.customers, payments=args.payments)
    t0 = time.perf_counter()
    if args.build == "import":
        # customers and meters through the archive import and its validation (counterctl
        # archive import), then their payment history in bulk
        from counter_app.services.archive import import_archive

        export = Path(tempfile.mkdtemp(prefix="scale-archive-")) / "archive.csv"
        export.write_text("\n".join(archive_rows(size)) + "\n", encoding="utf-8")
        t1 = time.perf_counter()
        imported = import_archive(export, actor="bench", counter_id="bench", batch_size=5000)
        took = time.perf_counter() - t1
        print(
            f"  archive import             {took:8.1f} s    "
            f"({args.customers / took:,.0f} customers/s, {imported.rejected} rejected)"
        )
        owners = meter_owners()
        populate_history(size, owners)
    else:
        populate(size)
    store_db.database.execute_sql("ANALYZE")
    built = time.perf_counter() - t0
    rate = args.customers / built
    print(f"  build ({args.build})             {built:8.1f} s    ({rate:,.0f} customers/s)")
    bench_search(args.customers, args.queries)
    t0 = time.perf_counter()
    breaks = check_database()
    print(
        f"  counterctl check           {time.perf_counter() - t0:8.1f} s    "
        f"({'I1 and I2 hold' if not breaks else f'{len(breaks)} findings'})"
    )
    bench_payments(args.pay)
    store_db.close_database()
    window_memory(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pay", type=int, default=300, help="payments for the payments/s figure")
    parser.add_argument(
        "--build",
        choices=["import", "bulk"],
        default="import",
        help="customers and meters through the archive import (default) or straight in bulk",
    )
    args = parser.parse_args()
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    for engine in engines:
        with ExitStack() as stack:
            if engine == "sqlite":
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="scale-"))
                url = f"sqlite:///{folder}/province.db"
            else:
                from tests.fixtures.postgres import running_postgres

                server = stack.enter_context(running_postgres())
                server.psql("CREATE DATABASE province")
                url = server.url("province")
            run(engine, url, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
