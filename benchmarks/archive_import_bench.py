"""Customer archive import figures (not a test): a generated export of N customers, each with
one meter and every tenth with an open bill, imported into a fresh SQLite database.

Run: ``.venv/bin/python benchmarks/archive_import_bench.py [--customers 1000000]
[--batch 5000] [--encoding utf-8|gb18030] [--reimport]``

Prints the generation time, the import time and rows/s (the target is 1,000,000 customers in
at most 120 s on two cores), and with ``--reimport`` the same file again (every row an update).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from counter_app.core.archive import COLUMNS
from counter_app.services.archive import ImportProgress, import_archive
from counter_app.store.database import bind_database, close_database
from counter_app.store.migrations import migrate
from counter_app.store.models import Bill, Customer, Meter

NAMES = "张王李赵刘陈杨黄周吴"


def generate(path: Path, customers: int, encoding: str) -> None:
    """One line per customer: a collection-capable card meter, a bill on every tenth."""
    with path.open("w", encoding=encoding, newline="\n") as out:
        out.write(",".join(COLUMNS) + "\n")
        for i in range(1, customers + 1):
            customer_no = f"{500000000000 + i:012d}"
            address = f"{600000000000 + i:012d}"
            bill = (
                ("2026-10", "2026-11-01", f"{(i % 9000) / 100 + 1:.2f}")
                if i % 10 == 0
                else ("", "", "")
            )
            out.write(
                f"{customer_no},{NAMES[i % 10]}{i},幸福路{i}号,1390000{i % 10000:04d},{i % 2},"
                f"{address},,,card,{1 if i % 5 else 0},,{i % 7},{bill[0]},{bill[1]},{bill[2]}\n"
            )


def bar(progress: ImportProgress) -> None:
    print(
        f"\r  {progress.fraction:6.1%}  {progress.rows:>9,} rows  "
        f"{progress.rows_per_second:>9,.0f} rows/s",
        end="",
        file=sys.stderr,
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "gb18030"])
    parser.add_argument("--reimport", action="store_true", help="import the same file again")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="archive-bench-") as tmp:
        export = Path(tmp) / "archive.csv"
        t0 = time.perf_counter()
        generate(export, args.customers, args.encoding)
        generated = time.perf_counter() - t0
        size_mb = export.stat().st_size / 1e6
        print(f"generated {args.customers:,} customers ({size_mb:.0f} MB) in {generated:.1f} s")
        bind_database(f"sqlite:///{Path(tmp) / 'counter.db'}")
        migrate()
        rounds = ("import", "re-import") if args.reimport else ("import",)
        for label in rounds:
            result = import_archive(
                export, actor="bench", counter_id="bench", batch_size=args.batch, progress=bar
            )
            print(file=sys.stderr)
            print(
                f"{label}: {result.rows:,} rows in {result.seconds:.1f} s = "
                f"{result.rows_per_second:,.0f} rows/s ({result.imported:,} imported, "
                f"{result.rejected} rejected; {result.customers_created:,} customers new, "
                f"{result.customers_updated:,} updated)"
            )
        print(
            f"database: {Customer.select().count():,} customers, {Meter.select().count():,} "
            f"meters, {Bill.select().count():,} bills"
        )
        close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
