"""Meter-link figures (not a test): codec throughput, and one dispatch at 2400 baud.

Run: ``.venv/bin/python benchmarks/meter_link_bench.py [--seconds 1.0] [--baud 2400]``

1. Frames encoded + decoded per second, ours and the PyPI ``dlt645`` package's, on the
   same frames in one run.
2. One remote dispatch (R7: channel test, count check, authentication, recharge, read-back)
   against the simulator paced at the link's baud rate, compared with the wire-time lower
   bound of the frames it exchanged: bytes × 11 bits / baud (8E1 = 11 bits per byte).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from meter_link.client import Dlt645Client, Exchange
from meter_link.dispatch import DispatchRequest, MeterDispatcher
from meter_link.dlt645 import Frame, address_to_wire, decode_frame, encode_frame
from meter_link.security import SoftwareSecurityModule, generate_master_key
from meter_link.simulator import MeterSimulator

FRAMES = [
    Frame("000102030425", 0x11, bytes.fromhex("00000100")),
    Frame("000102030425", 0x91, bytes.fromhex("0000010042061200")),
    Frame("000000000001", 0x03, bytes.fromhex("FF020107") + bytes(26)),
    Frame("123456789012", 0x91, bytes(range(64))),
]


def rate(fn: Callable[[], None], seconds: float) -> float:
    """Calls of ``fn`` per second over about ``seconds``."""
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


def codec_figures(seconds: float) -> None:
    def ours() -> None:
        for frame in FRAMES:
            decode_frame(encode_frame(frame))

    print("codec: frames encoded + decoded per second")
    ours_rate = rate(ours, seconds) * len(FRAMES)
    print(f"  meter_link.dlt645      {ours_rate:12,.0f} frames/s")
    try:
        import dlt645
        from dlt645 import DLT645Protocol
    except ImportError:
        print("  dlt645 (PyPI)          not installed")
        return
    dlt645.disable_logging()
    wired = [(address_to_wire(f.address), f.control, f.data) for f in FRAMES]

    def theirs() -> None:
        for addr, control, data in wired:
            DLT645Protocol.deserialize(bytes(DLT645Protocol.build_frame(addr, control, data)))

    theirs_rate = rate(theirs, seconds) * len(FRAMES)
    print(
        f"  dlt645 3.2.0 (PyPI)    {theirs_rate:12,.0f} frames/s"
        f"   (ours / theirs = {ours_rate / theirs_rate:.2f})"
    )


def dispatch_figures(baud: int) -> None:
    key = generate_master_key()
    with tempfile.TemporaryDirectory() as tmp:
        sim = MeterSimulator(master_key=key, state_file=Path(tmp) / "state.json", baud_pacing=baud)
        sim.populate(1, balance_fen=5000)
        port = sim.start_tcp()
        exchanges: list[Exchange] = []
        try:
            with Dlt645Client(
                f"socket://127.0.0.1:{port}", baudrate=baud, trace=exchanges.append
            ) as client:
                dispatcher = MeterDispatcher(client, SoftwareSecurityModule(key))
                start = time.perf_counter()
                result = dispatcher.dispatch(
                    DispatchRequest("000000000001", "100000000001", 10000, 1)
                )
                elapsed = time.perf_counter() - start
        finally:
            sim.stop()
    sent = sum(len(e.sent) for e in exchanges)
    received = sum(len(e.received) for e in exchanges)
    bound = (sent + received) * 11 / baud
    print(f"dispatch at {baud} baud (8E1, simulator paced): outcome {result.outcome.value}")
    print(
        f"  frames exchanged       {len(exchanges)} requests, {sent} bytes out, {received} bytes in"
    )
    print(f"  wire-time lower bound  {bound:8.3f} s")
    print(
        f"  measured               {elapsed:8.3f} s   (overhead {elapsed - bound:+.3f} s,"
        f" {elapsed / bound:.2f}x)"
    )
    for step, seconds in result.attempts[0].step_times.items():
        print(f"    {step:20} {seconds:8.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per codec measurement")
    parser.add_argument("--baud", type=int, default=2400)
    args = parser.parse_args()
    codec_figures(args.seconds)
    dispatch_figures(args.baud)


if __name__ == "__main__":
    main()
