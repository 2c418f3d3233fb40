"""Run a virtual purchase card as its own process, inserted until stopped (SIGTERM/Ctrl-C):

    python -m card_io.virtual --state FILE [--port 35963] [--host 127.0.0.1]

A missing state file is created as a blank card (random serial unless ``--serial``),
personalised with keys derived from CARD_MASTER_KEY / CARD_KEY_FILE; issue it with
``card-tool issue``. The state file holds the card's keys and is created readable by its
owner only. ``--host`` reaches a vpcd on another machine (a pcscd deliberately opened to the
network, see docs/card-io.md); by default the card joins the local, loopback-only pcscd.
"""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from card_io.errors import CardError
from card_io.security import SoftwareCardCrypto
from card_io.virtual.vpcd import VPCD_HOST, VPCD_PORT_SLOT0, VirtualPurchaseCard


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m card_io.virtual", description=__doc__)
    ap.add_argument("--state", required=True, type=Path, help="card state file (JSON)")
    ap.add_argument("--port", type=int, default=VPCD_PORT_SLOT0, help="35963 slot 0, 35964 slot 1")
    ap.add_argument("--host", default=VPCD_HOST, help="vpcd's host (default 127.0.0.1)")
    ap.add_argument("--serial", help="serial (16 hex digits) for a new card")
    ap.add_argument("--key-file", help="master key file for a new card")
    args = ap.parse_args(argv)
    try:
        if args.state.exists():
            card = VirtualPurchaseCard.load(args.state, args.port)
        else:
            serial = bytes.fromhex(args.serial) if args.serial else secrets.token_bytes(8)
            keys = SoftwareCardCrypto.from_environment(args.key_file).card_keys(serial)
            card = VirtualPurchaseCard.blank(serial, keys, args.state, args.port)
    except CardError as exc:
        print(f"virtual card: {exc}", file=sys.stderr)
        return 3
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    card.host = args.host
    card.insert()
    print(f"virtual card {card.serial_hex} inserted at {args.host}:{args.port}", flush=True)
    done.wait()
    card.stop()
    print("virtual card removed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
