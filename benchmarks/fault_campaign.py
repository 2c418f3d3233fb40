"""Fault campaign runner (not a test): N randomized fault runs per database, with counts.

Each run mixes payments, dispatches, reversals and work orders with faults (kill -9 of the
counter and of the meter simulator at random moments, lost and corrupt replies, a link that
cannot be opened, on PostgreSQL the server restarted under a running payment), recovers as an
operator would and checks I1, I2, no double credit on any meter and no stranded purchase
(`tests.campaign.engine`). Prints ``runs ok/total`` and the invariant failures per database.

    .venv/bin/python benchmarks/fault_campaign.py --runs 1000 --databases sqlite postgres
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from counter_app.services import auth
from tests.campaign.engine import Campaign, RunReport, restart_postgres


def run_database(kind: str, runs: int, seed: int, every: int) -> tuple[int, int, Counter[str]]:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"campaign-{kind}-") as tmp:
        work = Path(tmp)
        if kind == "sqlite":
            campaign = Campaign(work, f"sqlite:///{work / 'counter.db'}", seed=seed)
            return _run(kind, campaign, runs, every, started)
        from tests.fixtures.postgres import running_postgres

        with running_postgres() as server:
            server.psql("CREATE DATABASE campaign")
            campaign = Campaign(
                work,
                server.url("campaign"),
                seed=seed,
                restart_database=lambda: restart_postgres(server),
            )
            return _run(kind, campaign, runs, every, started)


def _run(
    kind: str, campaign: Campaign, runs: int, every: int, started: float
) -> tuple[int, int, Counter[str]]:
    failures: Counter[str] = Counter()
    ok = 0

    def progress(report: RunReport) -> None:
        nonlocal ok
        ok += report.ok
        for failure in report.failures:
            failures[failure.split(":")[0]] += 1
            print(f"  {kind} run {report.number} {report.operations}: {failure}", flush=True)
        if report.number % every == 0:
            print(
                f"  {kind}: {ok}/{report.number} runs ok ({time.monotonic() - started:.0f} s)",
                flush=True,
            )

    try:
        campaign.setup()
        campaign.run(runs, progress)
    finally:
        campaign.close()
    return ok, runs, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs per database (1000)")
    parser.add_argument(
        "--databases", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"]
    )
    parser.add_argument("--seed", type=int, default=20130601)
    parser.add_argument("--every", type=int, default=50, help="print progress every N runs")
    args = parser.parse_args()
    # a timeout's SIGTERM unwinds like Ctrl+C: the PostgreSQL cluster and the simulator stop
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    auth.set_password_hasher(auth.make_password_hasher(fast=True))
    results = {}
    for kind in args.databases:
        results[kind] = run_database(kind, args.runs, args.seed, args.every)
    status = 0
    for kind, (ok, total, failures) in results.items():
        print(
            f"{kind}: runs ok {ok}/{total}, invariant failures {sum(failures.values())}"
            + (f" ({dict(failures)})" if failures else "")
        )
        status |= ok != total
    return status


if __name__ == "__main__":
    sys.exit(main())
