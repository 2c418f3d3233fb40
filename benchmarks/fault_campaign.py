"""Fault campaign runner (not a test): N randomized fault runs per database, with counts.

Each run mixes payments, dispatches, card writes, reversals and work orders with faults
(kill -9 of the counter and of the meter simulator at random moments, lost and corrupt
replies, a link that cannot be opened, on PostgreSQL the server restarted under a running
payment; on the card path the card pulled mid-write, kill -9 of ``counterctl card write``
and pcscd restarted), recovers as an operator would and checks I1, I2, no double credit on
any meter or card and no stranded purchase (`tests.campaign.engine`). Prints ``runs
ok/total``, the invariant failures and how often each fault was injected, per database.

    .venv/bin/python benchmarks/fault_campaign.py --runs 1000 --databases sqlite postgres

``--jobs N`` splits a database's runs over N campaigns of their own (own database, PostgreSQL
cluster, meter simulator; seeds SEED, SEED+1, ...), run side by side and counted together.
Card runs need pcscd with the vpcd reader (started here when it does not run; root);
``--card-share 0`` leaves the cards out. Campaigns take turns in one vpcd slot (``--slot``),
locked run by run; pcscd is restarted only while no session other than fault campaigns holds
its lease.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from counter_app.services import auth
from tests.campaign.engine import Campaign, RunReport, restart_postgres

Result = tuple[int, int, Counter[str], Counter[str]]


def run_database(
    label: str,
    kind: str,
    runs: int,
    seed: int,
    every: int,
    card_share: float,
    slot: int,
    restart_pcscd: Callable[[], bool] | None,
) -> Result:
    started = time.monotonic()
    cards = {
        "cards": card_share > 0,
        "card_share": card_share,
        "slot": slot,
        "restart_pcscd": restart_pcscd,
    }
    with tempfile.TemporaryDirectory(prefix=f"campaign-{kind}-") as tmp:
        work = Path(tmp)
        if kind == "sqlite":
            campaign = Campaign(work, f"sqlite:///{work / 'counter.db'}", seed=seed, **cards)
            return _run(label, campaign, runs, every, started)
        from tests.fixtures.postgres import running_postgres

        with running_postgres() as server:
            server.psql("CREATE DATABASE campaign")
            campaign = Campaign(
                work,
                server.url("campaign"),
                seed=seed,
                restart_database=lambda: restart_postgres(server),
                **cards,
            )
            return _run(label, campaign, runs, every, started)


def _run(kind: str, campaign: Campaign, runs: int, every: int, started: float) -> Result:
    failures: Counter[str] = Counter()
    ok = 0

    def progress(report: RunReport) -> None:
        nonlocal ok
        ok += report.ok
        for failure in report.failures:
            failures[failure.split(":")[0]] += 1
            print(
                f"  {kind} run {report.number} (seed {campaign.seed}) {report.profile} "
                f"{report.operations}: {failure}",
                flush=True,
            )
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
    return ok, runs, failures, campaign.fault_counts


def _jobs(args: argparse.Namespace, kind: str) -> Result:
    """The runs of one database split over `args.jobs` child runners, counted together."""
    share, extra = divmod(args.runs, args.jobs)
    children = []
    with tempfile.TemporaryDirectory(prefix="campaign-jobs-") as tmp:
        for job in range(args.jobs):
            runs = share + (job < extra)
            out = Path(tmp) / f"{kind}-{job}.json"
            cmd = [
                sys.executable, __file__, "--runs", str(runs), "--databases", kind,
                "--seed", str(args.seed + job), "--every", str(args.every),
                "--card-share", str(args.card_share), "--slot", str(args.slot),
                "--counts-to", str(out), "--label", f"{kind}.{job}",
            ]  # fmt: skip
            children.append((subprocess.Popen(cmd), out))
        ok = total = 0
        failures: Counter[str] = Counter()
        faults: Counter[str] = Counter()
        try:
            for proc, out in children:
                proc.wait()
                if not out.exists():
                    failures[f"runner exited {proc.returncode}"] += 1
                    continue
                counts = json.loads(out.read_text())[kind]
                ok += counts["ok"]
                total += counts["total"]
                failures.update(counts["failures"])
                faults.update(counts["faults"])
        finally:
            for proc, _ in children:
                if proc.poll() is None:
                    proc.terminate()
                    proc.wait(60)
    return ok, total, failures, faults


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs per database (1000)")
    parser.add_argument(
        "--databases", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"]
    )
    parser.add_argument("--seed", type=int, default=20130601)
    parser.add_argument("--every", type=int, default=50, help="print progress every N runs")
    parser.add_argument(
        "--card-share", type=float, default=0.35, help="share of runs that write cards (0.35)"
    )
    parser.add_argument("--slot", type=int, default=1, choices=[0, 1], help="vpcd slot (1)")
    parser.add_argument("--jobs", type=int, default=1, help="campaigns side by side (1)")
    parser.add_argument("--counts-to", type=Path, help=argparse.SUPPRESS)  # a job's counts
    parser.add_argument("--label", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # a timeout's SIGTERM unwinds like Ctrl+C: the PostgreSQL cluster and the simulator stop
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    results = {}
    if args.jobs > 1:
        for kind in args.databases:
            results[kind] = _jobs(args, kind)
    else:
        results = _here(args)
    if args.counts_to is not None:
        args.counts_to.write_text(
            json.dumps(
                {
                    kind: {"ok": ok, "total": total, "failures": failures, "faults": faults}
                    for kind, (ok, total, failures, faults) in results.items()
                }
            )
        )
        return 0
    status = 0
    for kind, (ok, total, failures, faults) in results.items():
        print(
            f"{kind}: runs ok {ok}/{total}, invariant failures {sum(failures.values())}"
            + (f" ({dict(failures)})" if failures else "")
        )
        for fault, count in sorted(faults.items()):
            print(f"  {count:6d}  {fault}")
        status |= ok != total
    print(f"({time.monotonic() - started:.0f} s)")
    return status


def _here(args: argparse.Namespace) -> dict[str, Result]:
    auth.set_password_hasher(auth.make_password_hasher(fast=True))
    service = None
    restart_pcscd = None
    if args.card_share > 0:
        from tests.campaign.cards import pcscd_restarter
        from tests.fixtures.pcsc import PcscService

        service = PcscService()
        service.take_lease()
        service.ensure()  # raises (pytest's Skipped) with the reason when it cannot
        restart_pcscd = pcscd_restarter(service)
    results = {}
    try:
        for kind in args.databases:
            results[kind] = run_database(
                args.label or kind,
                kind,
                args.runs,
                args.seed,
                args.every,
                args.card_share,
                args.slot,
                restart_pcscd,
            )
    finally:
        if service is not None:
            if service.owned and not service.preexisting and service.alone():
                service.stop()
            service.release_lease()
    return results


if __name__ == "__main__":
    sys.exit(main())
