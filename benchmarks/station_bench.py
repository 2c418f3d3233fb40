"""Meter-station figures (not a test): hand-over overhead per task, and tasks per second.

Run: ``.venv/bin/python benchmarks/station_bench.py [--buses 5] [--meters-per-bus 10]
[--tasks 200] [--load-tasks 500] [--db postgresql://...] [--baud-pacing 0]``

Starts ``--buses`` ``meter-sim`` processes (50 meters in all by default, distinct meter
numbers), one ``meter-station`` with a meter map, and a result receiver (a Starlette app on
uvicorn, loopback) that the station calls back. Everything is stopped by its PID.

1. Overhead: ``--tasks`` tasks one after the other over the 50 meters. For each, submitted
   (``POST /tasks`` sent) → result received by the callback, minus the meter time: the sum of
   the task's attempts' own ``elapsed_ms`` (measured on the station around each attempt).
   Median and p95.
2. Throughput: ``--load-tasks`` tasks submitted at once by 16 client threads; tasks/s from the
   first submission to the last result received. One bus carries one request at a time, so
   this grows with the number of buses, not of meters.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from meter_link.security import generate_master_key, write_key_file

BIN = Path(sys.executable).parent


def wait_line(proc: subprocess.Popen[bytes], log: Path, pattern: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(pattern, log.read_text(errors="replace") if log.exists() else "")
        if match:
            return match.group(0)
        if proc.poll() is not None:
            raise SystemExit(f"{log.name} exited: {log.read_text(errors='replace')}")
        time.sleep(0.05)
    raise SystemExit(f"{log.name}: not ready")


class Receiver:
    """The marketing side's result endpoint: records when each result arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, tuple[float, dict[str, Any]]] = {}
        self.events: dict[str, threading.Event] = {}
        self.lock = threading.Lock()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(256)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/results"

        async def results(request: Request) -> JSONResponse:
            body = await request.json()
            now = time.perf_counter()
            with self.lock:
                self.arrived.setdefault(body["task_id"], (now, body))
                event = self.events.setdefault(body["task_id"], threading.Event())
            event.set()
            return JSONResponse({"ok": True})

        app = Starlette(routes=[Route("/results", results, methods=["POST"])])
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)

    def wait(self, task_id: str, timeout: float = 60) -> tuple[float, dict[str, Any]]:
        with self.lock:
            event = self.events.setdefault(task_id, threading.Event())
        if not event.wait(timeout):
            raise SystemExit(f"no result for {task_id} within {timeout} s")
        return self.arrived[task_id]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--buses", type=int, default=5)
    parser.add_argument("--meters-per-bus", type=int, default=10)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--load-tasks", type=int, default=500)
    parser.add_argument("--db", help="station database URL (default: SQLite in a temp dir)")
    parser.add_argument(
        "--baud-pacing", type=int, default=0, help="pace the meters' replies at BAUD (0 = off)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="station-bench-"))
    key = work / "master.key"
    write_key_file(key, generate_master_key())
    procs: list[subprocess.Popen[bytes]] = []
    receiver = Receiver()
    try:
        meter_map: dict[str, str] = {}
        customers: dict[str, str] = {}
        for bus in range(args.buses):
            meters = []
            for i in range(args.meters_per_bus):
                number = bus * 1000 + i + 1
                meter, customer = f"{number:012d}", f"{100000000000 + number:012d}"
                meters.append({"meter_no": meter, "customer_no": customer})
                customers[meter] = customer
            config = work / f"bus{bus}.json"
            config.write_text(json.dumps({"meters": meters}))
            log = work / f"bus{bus}.log"
            cmd = [str(BIN / "meter-sim"), "serve", "--tcp", "127.0.0.1:0", "--config", str(config)]
            cmd += ["--key-file", str(key)]
            if args.baud_pacing:
                cmd += ["--baud-pacing", str(args.baud_pacing)]
            with log.open("wb") as out:
                procs.append(subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT))
            url = wait_line(procs[-1], log, r"socket://127\.0\.0\.1:\d+")
            meter_map.update({m["meter_no"]: url for m in meters})
        (work / "meter-map.json").write_text(json.dumps(meter_map))
        token = secrets.token_urlsafe(24)
        (work / "token").write_text(token)
        log = work / "station.log"
        cmd = [
            str(BIN / "meter-station"),
            "serve",
            "--port",
            "0",
            "--db",
            args.db or f"sqlite:///{work / 'station.db'}",
            "--token-file",
            str(work / "token"),
            "--key-file",
            str(key),
            "--meter-map",
            str(work / "meter-map.json"),
            "--callback-url",
            receiver.url,
        ]
        with log.open("wb") as out:
            procs.append(subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT))
        base = wait_line(procs[-1], log, r"(?<=listening on )http://[0-9.:]+")
        meters = sorted(meter_map)
        counts = dict.fromkeys(meters, 0)
        count_lock = threading.Lock()

        def body(i: int, prefix: str) -> dict[str, Any]:
            meter = meters[i % len(meters)]
            with count_lock:
                counts[meter] += 1
                n = counts[meter]
            return {
                "task_id": f"{prefix}-{i}",
                "meter": meter,
                "customer_no": customers[meter],
                "amount_fen": 100,
                "count": n,
                "origin": "bench",
            }

        headers = {"Authorization": f"Bearer {token}"}
        print(
            f"meter-station: {len(meters)} meters on {args.buses} buses, "
            f"store {'PostgreSQL' if args.db else 'SQLite'}; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start"
        )
        with httpx.Client(base_url=base, headers=headers, timeout=60) as api:
            # 1. overhead, one task at a time
            overheads, totals, meter_times = [], [], []
            for i in range(args.tasks):
                task = body(i, "seq")
                start = time.perf_counter()
                response = api.post("/tasks", json=task)
                if response.status_code != 202:
                    raise SystemExit(f"submit: {response.status_code} {response.text}")
                arrived, view = receiver.wait(task["task_id"])
                if view["outcome"] != "success":
                    raise SystemExit(f"{task['task_id']}: {view['outcome']} {view['reason']}")
                total_ms = (arrived - start) * 1000
                meter_ms = sum(a["elapsed_ms"] for a in view["attempts"])
                totals.append(total_ms)
                meter_times.append(meter_ms)
                overheads.append(total_ms - meter_ms)
            print(f"\n1. hand-over, {args.tasks} tasks one at a time (submitted -> result in)")
            for name, values in (
                ("total", totals),
                ("meter time", meter_times),
                ("overhead", overheads),
            ):
                print(
                    f"  {name:11} median {statistics.median(values):7.1f} ms"
                    f"   p95 {percentile(values, 0.95):7.1f} ms"
                )

            # 2. throughput, everything at once
            tasks = [body(i, "load") for i in range(args.load_tasks)]
            # Each client sends the tasks of its own meters, in count order (I2: purchase
            # n + 1 of a meter is only submitted after purchase n).
            lanes = [[t for t in tasks if meters.index(t["meter"]) % 16 == k] for k in range(16)]

            def send(lane: list[dict[str, Any]]) -> list[int]:
                return [api.post("/tasks", json=t).status_code for t in lane]

            start = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                codes = [c for lane_codes in pool.map(send, lanes) for c in lane_codes]
            submitted = time.perf_counter()
            if set(codes) != {202}:
                raise SystemExit(f"submit codes: {sorted(set(codes))}")
            last = max(receiver.wait(t["task_id"], 300)[0] for t in tasks)
            failed = [
                t["task_id"]
                for t in tasks
                if receiver.arrived[t["task_id"]][1]["outcome"] != "success"
            ]
            elapsed = last - start
            print(f"\n2. throughput, {args.load_tasks} tasks submitted at once by 16 clients")
            print(f"  submitting took   {submitted - start:7.2f} s")
            print(f"  all results in    {elapsed:7.2f} s")
            print(f"  sustained         {args.load_tasks / elapsed:7.1f} tasks/s")
            print(f"  per bus           {args.load_tasks / elapsed / args.buses:7.1f} tasks/s")
            print(f"  not loaded        {len(failed)}")
    finally:
        receiver.stop()
        for proc in reversed(procs):
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
