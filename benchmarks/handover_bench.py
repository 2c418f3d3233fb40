"""Hand-over figures (not a test): what the station hand-over costs on top of the meter.

Run: ``.venv/bin/python benchmarks/handover_bench.py [--tasks 200]``

A counter in station mode on a fresh SQLite database with the demo data, a ``meter-sim``
subprocess with the demo meters and a ``meter-station`` subprocess on loopback (the embedded
default's shape). For each task: the payment writes it to our outbox; the clock starts;
the task is sent (``POST /tasks``), followed (``GET /tasks/{id}/events``) and its result
applied in our database (count committed, SMS queued, audit); the clock stops. The meter's
own time is the station's figure for the attempts (``elapsed_ms``); the overhead is the rest:
two HTTP round trips, the event stream, the station's store, our transactions.

Prints the median and p95 of the overhead (and of the whole) over ``--tasks`` tasks.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from counter_app.bootstrap import open_counter
from counter_app.config import Config, DispatchMode, MeterLinkConfig, StationConfig
from counter_app.demo import load_demo
from counter_app.embedded import prepare_meter_state, start_collection_system, stop_process
from counter_app.store import database as store_db
from counter_app.store.models import StationTask
from meter_link.security import generate_master_key

CUSTOMERS = ("100000000001", "100000000007")  # one remote meter each, no arrears


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="handover-bench-") as tmp:
        directory = Path(tmp)
        key = generate_master_key()
        prepare_meter_state(directory, key)
        processes, meter_url, station_url, token_file = start_collection_system(directory, key)
        try:
            counter = open_counter(
                Config(
                    database_url=f"sqlite:///{directory / 'counter.db'}",
                    counter_id="bench",
                    meter_link=MeterLinkConfig(url=meter_url),
                    dispatch=DispatchMode.STATION,
                    station=StationConfig(url=station_url, token_file=str(token_file)),
                )
            )
            load_demo(counter.services)
            payments = counter.services.payments
            handover = counter.services.dispatch.handover
            assert handover is not None
            whole: list[float] = []
            meter: list[float] = []
            overhead: list[float] = []
            for i in range(args.tasks):
                customer = CUSTOMERS[i % len(CUSTOMERS)]
                outcome = payments.take_payment(customer, 100, operator="bench", follow=False)
                task_id = str(StationTask.get(StationTask.purchase == outcome.purchase_id).task_id)
                start = time.perf_counter()
                summary = handover.follow(task_id, "bench", None, timeout_s=60)
                elapsed = time.perf_counter() - start
                if not summary.loaded:
                    raise SystemExit(f"task {i} not loaded: {summary}")
                raw = StationTask.get(StationTask.task_id == task_id).result or {}
                meter_s = sum(int(a.get("elapsed_ms") or 0) for a in raw.get("attempts", [])) / 1e3
                whole.append(elapsed)
                meter.append(meter_s)
                overhead.append(max(0.0, elapsed - meter_s))
            counter.close()
        finally:
            for process in reversed(processes):
                stop_process(process)
            store_db.close_database()
    ms = 1000.0
    print(f"hand-over over {len(whole)} tasks (submitted -> result applied), SQLite, loopback")
    print(
        f"  whole     median {statistics.median(whole) * ms:7.1f} ms"
        f"   p95 {percentile(whole, 0.95) * ms:7.1f} ms"
    )
    print(
        f"  meter     median {statistics.median(meter) * ms:7.1f} ms"
        f"   p95 {percentile(meter, 0.95) * ms:7.1f} ms   (station's attempt timings)"
    )
    print(
        f"  overhead  median {statistics.median(overhead) * ms:7.1f} ms"
        f"   p95 {percentile(overhead, 0.95) * ms:7.1f} ms   (whole minus meter)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
