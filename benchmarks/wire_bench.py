"""Wire benchmark (not a test): one remote dispatch against an honest 2400-baud line.

Run: ``.venv/bin/python benchmarks/wire_bench.py [--dispatches 3] [--td 0.02]``

The meters run unpaced; the line is a :class:`~meter_link.transport.PacedLink` between the
client (or the terminal) and them, which knows nothing of the simulator: every byte takes
11 bits / 2400 baud (8E1) and each reply starts no sooner than the meter's response delay
Td after the request. The bound is what the standard's line cannot beat for the frames
that were actually exchanged::

    bound = bytes on the DL/T 645 wire × 11 / 2400 + Td × replies

and the figure is dispatch time / bound (1.00 = nothing but the line). Two paths:

* direct — counter → RS-485 → meter;
* terminal — station → TCP (Q/GDW 1376.1, AFN 10H F1) → simulated terminal → paced
  RS-485 hop → meter; the station ↔ terminal network time is not in the bound (no GPRS
  latency is simulated, so it is the 1376.1 framing, two TCP hops and the terminal).

Each path runs with the channel test as five single reads and as block reads (009002FF,
0333FF01 + status word 3), which saves two round trips of every attempt.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from meter_link.client import Dlt645Client, Exchange, Timeouts
from meter_link.dispatch import DispatchRequest, MeterDispatcher
from meter_link.q1376 import Address
from meter_link.security import SoftwareSecurityModule, generate_master_key
from meter_link.simulator import MeterSimulator
from meter_link.terminal import SerialHop, SimulatedTerminal, TerminalDirectory, TerminalHub
from meter_link.transport import PacedLink, open_link

BITS_PER_BYTE = 11
TIMEOUTS = Timeouts.uniform(3.0)


@dataclass
class Run:
    seconds: float
    exchanges: list[Exchange]
    outcome: str

    def bound(self, baud: int, td: float) -> float:
        wire = sum(len(e.sent) + len(e.received) for e in self.exchanges)
        replies = sum(1 for e in self.exchanges if e.received)
        return wire * BITS_PER_BYTE / baud + td * replies


@contextmanager
def meters(key: bytes, count: int) -> Iterator[tuple[MeterSimulator, str]]:
    sim = MeterSimulator(master_key=key)
    sim.populate(count, balance_fen=5000)
    port = sim.start_tcp()
    try:
        yield sim, f"socket://127.0.0.1:{port}"
    finally:
        sim.stop()


def paced(url: str, baud: int, td: float) -> PacedLink:
    return PacedLink(open_link(url, read_timeout=0.005), baudrate=baud, response_delay=td)


def dispatch_once(
    client: Dlt645Client, key: bytes, meter: int, block_reads: bool, exchanges: list[Exchange]
) -> Run:
    address = f"{meter:012d}"
    customer = f"{100000000000 + meter:012d}"
    dispatcher = MeterDispatcher(client, SoftwareSecurityModule(key), block_reads=block_reads)
    exchanges.clear()
    started = time.perf_counter()
    result = dispatcher.dispatch(DispatchRequest(address, customer, 10000, 1))
    seconds = time.perf_counter() - started
    return Run(seconds, list(exchanges), result.outcome.value)


def direct_runs(n: int, baud: int, td: float, block_reads: bool) -> list[Run]:
    key = generate_master_key()
    runs = []
    with meters(key, n) as (_sim, url):
        exchanges: list[Exchange] = []
        link = paced(url, baud, td)
        with Dlt645Client(link, timeouts=TIMEOUTS, trace=exchanges.append) as client:
            for meter in range(1, n + 1):
                runs.append(dispatch_once(client, key, meter, block_reads, exchanges))
        link.close()
    return runs


def terminal_runs(n: int, baud: int, td: float, block_reads: bool) -> list[Run]:
    key = generate_master_key()
    runs = []
    with meters(key, n) as (_sim, url), TerminalHub() as hub:
        hub.start()
        link = paced(url, baud, td)
        terminal = SimulatedTerminal(
            Address.parse("44030001"), SerialHop(link), ("127.0.0.1", hub.port)
        )
        terminal.start()
        try:
            if not hub.wait_online("44030001", 5):
                raise SystemExit("the simulated terminal did not log in")
            directory = TerminalDirectory(hub, frame_timeout_s=3.0, byte_timeout_s=0.5)
            exchanges: list[Exchange] = []
            for meter in range(1, n + 1):
                directory.assign(f"{meter:012d}", "44030001")
                client = directory.client_for(
                    f"{meter:012d}", timeouts=TIMEOUTS, trace=exchanges.append
                )
                runs.append(dispatch_once(client, key, meter, block_reads, exchanges))
        finally:
            terminal.stop()
            link.close()
    return runs


def report(
    name: str, runs: list[Run], baud: int, td: float, reference: float | None = None
) -> float:
    """Print one row; returns the median bound (the reference for the next variant)."""
    ratios = [r.seconds / r.bound(baud, td) for r in runs]
    outcomes = ", ".join(sorted({r.outcome for r in runs}))
    first = runs[0]
    wire = sum(len(e.sent) + len(e.received) for e in first.exchanges)
    print(
        f"  {name:28} {len(first.exchanges):2d} exchanges {wire:4d} B"
        f"  time {statistics.median(r.seconds for r in runs):6.3f} s"
        f"  bound {statistics.median(r.bound(baud, td) for r in runs):6.3f} s"
        f"  ratio {statistics.median(ratios):5.2f}x  ({outcomes})"
    )
    bound = statistics.median(r.bound(baud, td) for r in runs)
    if reference:
        seconds = statistics.median(r.seconds for r in runs)
        print(f"  {'':28} = {seconds / reference:.2f}x the single-read bound")
    return bound


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dispatches", type=int, default=3, help="per path and variant")
    parser.add_argument("--baud", type=int, default=2400)
    parser.add_argument("--td", type=float, default=0.02, help="meter response delay Td (s)")
    args = parser.parse_args()
    print(
        f"dispatch over a paced line: {args.baud} baud 8E1 ({BITS_PER_BYTE} bits/byte), "
        f"Td {args.td * 1000:.0f} ms; median of {args.dispatches}"
    )
    paths: list[tuple[str, Callable[[int, int, float, bool], list[Run]]]] = [
        ("direct", direct_runs),
        ("terminal", terminal_runs),
    ]
    for path, runner in paths:
        single = report(
            f"{path}, single reads",
            runner(args.dispatches, args.baud, args.td, False),
            args.baud,
            args.td,
        )
        report(
            f"{path}, block reads",
            runner(args.dispatches, args.baud, args.td, True),
            args.baud,
            args.td,
            single,
        )


if __name__ == "__main__":
    main()
