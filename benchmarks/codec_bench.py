"""Codec figures (not a test): DL/T 645 against the PyPI ``dlt645`` package, and 1376.1.

Run: ``.venv/bin/python benchmarks/codec_bench.py [--rounds 15] [--seconds 0.2]``

Both DL/T 645 codecs encode and decode the same frames (a read request, a read reply, a
recharge request, a 64-byte reply), each from its own API's natural input (ours: a
:class:`~meter_link.dlt645.Frame` with the printed address; theirs: wire address bytes,
control code, data). The rounds interleave ours and theirs so that a busy machine slows
both alike; the figure is the median ratio of the rounds. The 1376.1 codec is measured
on the forwarding pair of the station ↔ terminal path (a DL/T 645 frame inside an AFN 10H
F1 down frame and the terminal's reply), encode + decode.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from meter_link.dlt645 import Frame, address_to_wire, decode_frame, encode_frame
from meter_link.q1376 import (
    Address,
    ForwardReply,
    ForwardRequest,
    forward_reply,
    forward_request,
)
from meter_link.q1376 import (
    decode_frame as decode_1376,
)
from meter_link.q1376 import (
    encode_frame as encode_1376,
)

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


def ours() -> None:
    for frame in FRAMES:
        decode_frame(encode_frame(frame))


def theirs_factory() -> Callable[[], None] | None:
    try:
        import dlt645
        from dlt645 import DLT645Protocol
    except ImportError:
        return None
    dlt645.disable_logging()
    wired = [(address_to_wire(f.address), f.control, f.data) for f in FRAMES]

    def theirs() -> None:
        for addr, control, data in wired:
            DLT645Protocol.deserialize(bytes(DLT645Protocol.build_frame(addr, control, data)))

    return theirs


def q1376_factory() -> Callable[[], None]:
    address = Address("4403", 1, 1)
    content = encode_frame(FRAMES[0])
    down = forward_request(address, 1, ForwardRequest(content))
    up = forward_reply(down, ForwardReply(2, encode_frame(FRAMES[1])))

    def q1376() -> None:
        decode_1376(encode_1376(down))
        decode_1376(encode_1376(up))

    return q1376


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=0.2, help="per codec per round")
    args = parser.parse_args()
    theirs = theirs_factory()
    q1376 = q1376_factory()
    ours_rates: list[float] = []
    theirs_rates: list[float] = []
    ratios: list[float] = []
    q1376_rates: list[float] = []
    for i in range(args.rounds):
        order = (
            [("ours", ours), ("theirs", theirs)]
            if i % 2 == 0
            else [("theirs", theirs), ("ours", ours)]
        )
        measured: dict[str, float] = {}
        for name, fn in order:
            if fn is not None:
                measured[name] = rate(fn, args.seconds) * len(FRAMES)
        ours_rates.append(measured["ours"])
        if "theirs" in measured:
            theirs_rates.append(measured["theirs"])
            ratios.append(measured["ours"] / measured["theirs"])
        q1376_rates.append(rate(q1376, args.seconds) * 2)
    print(f"DL/T 645 codec, frames encoded + decoded per second ({args.rounds} interleaved rounds)")
    print(f"  meter_link.dlt645      median {statistics.median(ours_rates):12,.0f} frames/s")
    if theirs_rates:
        print(f"  dlt645 3.2.0 (PyPI)    median {statistics.median(theirs_rates):12,.0f} frames/s")
        print(
            f"  ratio ours / theirs    median {statistics.median(ratios):6.2f}"
            f"   (min {min(ratios):.2f}, max {max(ratios):.2f})"
        )
    else:
        print("  dlt645 (PyPI)          not installed")
    print("Q/GDW 1376.1 codec, AFN 10H F1 forwarding frames encoded + decoded per second")
    print(f"  meter_link.q1376       median {statistics.median(q1376_rates):12,.0f} frames/s")
    if theirs_rates:
        print(
            "  ratio to dlt645 (PyPI) median "
            f"{statistics.median(q1376_rates) / statistics.median(theirs_rates):6.2f}"
        )


if __name__ == "__main__":
    main()
