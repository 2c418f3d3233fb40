"""``meter-sim``: run simulated cost-control meters on a TCP port or a pty.

``meter-sim serve --tcp 127.0.0.1:8645 --state meters.json --meters 5`` starts five
opened meters (000000000001…, customers 100000000001…) personalised with the master key
from ``--key-file`` or ``$METER_MASTER_KEY``; their state survives restarts in the state
file. ``meter-sim show --state meters.json`` prints it.

``meter-sim terminal --station 127.0.0.1:9000 --address 44030001 --meters 20`` runs a
collection terminal (concentrator) instead: a TCP client of the station that logs in and
sends heartbeats over Q/GDW 1376.1 and forwards DL/T 645 frames to the simulated meters
behind it, with the terminal's own faults (``--fault offline:30``, ``heartbeat-lost``,
``route-lost@000000000003``, ``slow-hop:2``).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from ..q1376 import Address, Q1376Error
from ..security import MasterKeyError, load_master_key
from ..terminal.simulator import MeterHop, SerialHop, SimulatedTerminal, SimulatorHop
from ..transport import open_link
from .bus import MeterSimulator
from .faults import Fault


def _build(args: argparse.Namespace) -> MeterSimulator:
    sim = MeterSimulator(
        state_file=args.state,
        baud_pacing=args.baud_pacing,
        response_delay=args.response_delay,
        consumption_speed=args.consumption_speed,
        echo=args.echo,
    )
    if args.state and Path(args.state).exists():
        sim.load()
        return sim
    try:
        sim.master_key = load_master_key(args.key_file)
    except MasterKeyError as exc:
        raise SystemExit(f"meter-sim: {exc}") from None
    if args.config:
        config = json.loads(Path(args.config).read_text(encoding="utf-8"))
        for item in config["meters"]:
            fields = dict(item)
            sim.create_meter(fields.pop("meter_no"), fields.pop("customer_no"), **fields)
    else:
        sim.populate(args.meters, balance_fen=args.balance, first=getattr(args, "first", 1))
    return sim


def _cmd_serve(args: argparse.Namespace) -> int:
    sim = _build(args)
    for spec in args.fault or []:
        address, _, text = spec.partition("=")
        sim.inject(None if address in ("", "bus") else address, Fault.parse(text))
    if args.pty:
        where = sim.start_pty()
    else:
        host, _, port = (args.tcp or "127.0.0.1:0").rpartition(":")
        where = f"socket://{host}:{sim.start_tcp(host or '127.0.0.1', int(port))}"
    print(f"meter-sim: {len(sim.meters)} meters on {where}", flush=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stop.wait(0.5):
        pass
    sim.stop()
    return 0


def _parse_terminal_fault(terminal: SimulatedTerminal, text: str) -> None:
    """``offline[:SEC]``, ``heartbeat-lost``, ``route-lost@ADDRESS``, ``slow-hop:SEC[@ADDRESS]``."""
    kind, _, target = text.partition("@")
    kind, _, seconds = kind.partition(":")
    if kind == "offline":
        terminal.go_offline(float(seconds) if seconds else None)
    elif kind == "heartbeat-lost":
        terminal.lose_heartbeats()
    elif kind == "route-lost" and target:
        terminal.lose_route(target)
    elif kind == "slow-hop" and seconds:
        terminal.slow_hop(float(seconds), target or None)
    else:
        raise ValueError(
            f"terminal fault {text!r}: use offline[:SEC], heartbeat-lost, "
            "route-lost@ADDRESS or slow-hop:SEC[@ADDRESS]"
        )


def _cmd_terminal(args: argparse.Namespace) -> int:
    host, _, port = args.station.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--station {args.station!r} must be HOST:PORT")
    try:
        address = Address.parse(args.address)
    except Q1376Error as exc:
        raise ValueError(str(exc)) from None
    sim: MeterSimulator | None = None
    hop: MeterHop
    if args.meters_url:
        hop = SerialHop(open_link(args.meters_url))
        where = args.meters_url
    else:
        sim = _build(args)
        for spec in args.meter_fault or []:
            meter, _, text = spec.partition("=")
            sim.inject(None if meter in ("", "bus") else meter, Fault.parse(text))
        hop = SimulatorHop(sim)
        where = f"{len(sim.meters)} meters ({', '.join(sim.addresses[:3])}...)"
    terminal = SimulatedTerminal(
        address, hop, (host, int(port)), heartbeat_s=args.heartbeat, reconnect_s=args.reconnect
    )
    for spec in args.fault or []:
        _parse_terminal_fault(terminal, spec)
    terminal.start()
    print(f"meter-sim: terminal {address} -> station {host}:{port}, {where}", flush=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stop.wait(0.5):
        pass
    terminal.stop()
    if sim is not None:
        sim.stop()
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    sim = MeterSimulator(state_file=args.state)
    sim.load()
    rows = []
    for address in sim.addresses:
        with sim.meter(address) as m:
            rows.append(
                {
                    "address": address,
                    "customer_no": m.customer_no,
                    "balance_fen": m.balance_fen,
                    "overdraft_fen": m.overdraft_fen,
                    "purchase_count": m.purchase_count,
                    "relay_open": m.relay_open,
                }
            )
    if args.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            print(" ".join(f"{k}={v}" for k, v in row.items()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="meter-sim", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="serve meters until interrupted")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--tcp", metavar="HOST:PORT", help="listen on HOST:PORT (port 0 = any)")
    where.add_argument("--pty", action="store_true", help="open a pty and print its path")
    p.add_argument("--state", help="state file (JSON), loaded if it exists, saved on change")
    meters = p.add_mutually_exclusive_group()
    meters.add_argument("--meters", type=int, default=3, help="number of meters (default 3)")
    meters.add_argument("--config", help='JSON file {"meters": [{meter_no, customer_no, ...}]}')
    p.add_argument("--balance", type=int, default=0, help="initial balance in fen")
    p.add_argument("--key-file", help="master key file (hex); default $METER_MASTER_KEY")
    p.add_argument(
        "--baud-pacing",
        type=int,
        metavar="BAUD",
        help="delay replies by the wire time at BAUD (11 bits per byte)",
    )
    p.add_argument("--response-delay", type=float, default=0.0, help="meter Td in seconds")
    p.add_argument(
        "--consumption-speed",
        type=float,
        default=0.0,
        help="simulated seconds of consumption per real second (0 = off)",
    )
    p.add_argument("--echo", action="store_true", help="echo requests like some RS-485 adapters")
    p.add_argument(
        "--fault",
        action="append",
        metavar="ADDRESS=KIND[:SEC][@DI][*TIMES]",
        help="inject a fault, e.g. 000000000001=reply-lost-after-apply@070102FF",
    )
    p.set_defaults(func=_cmd_serve)
    p = sub.add_parser("terminal", help="run a collection terminal with meters behind it")
    p.add_argument("--station", required=True, metavar="HOST:PORT", help="the station's hub")
    p.add_argument("--address", required=True, help="terminal address RRRRTTTT (A1 + A2 hex)")
    p.add_argument("--heartbeat", type=float, default=60.0, help="heartbeat period in seconds")
    p.add_argument("--reconnect", type=float, default=5.0, help="seconds before reconnecting")
    p.add_argument("--meters-url", help="forward to meters on this link instead of simulating")
    p.add_argument("--state", help="state file (JSON), loaded if it exists, saved on change")
    meters = p.add_mutually_exclusive_group()
    meters.add_argument("--meters", type=int, default=3, help="number of meters (default 3)")
    meters.add_argument("--config", help='JSON file {"meters": [{meter_no, customer_no, ...}]}')
    p.add_argument("--first", type=int, default=1, help="number of the first meter (default 1)")
    p.add_argument("--balance", type=int, default=0, help="initial balance in fen")
    p.add_argument("--key-file", help="master key file (hex); default $METER_MASTER_KEY")
    p.add_argument(
        "--baud-pacing", type=int, metavar="BAUD", help="pace the meter hop at BAUD (11 bits/byte)"
    )
    p.add_argument("--response-delay", type=float, default=0.0, help="meter Td in seconds")
    p.add_argument("--consumption-speed", type=float, default=0.0, help=argparse.SUPPRESS)
    p.add_argument("--echo", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--fault",
        action="append",
        metavar="KIND[:SEC][@ADDRESS]",
        help="terminal fault: offline[:SEC], heartbeat-lost, route-lost@ADDRESS, slow-hop:SEC",
    )
    p.add_argument(
        "--meter-fault",
        action="append",
        metavar="ADDRESS=KIND[:SEC][@DI][*TIMES]",
        help="meter fault, as for serve --fault",
    )
    p.set_defaults(func=_cmd_terminal)

    p = sub.add_parser("show", help="print the meters of a state file")
    p.add_argument("--state", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_show)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``meter-sim``."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except (OSError, ValueError, KeyError) as exc:
        print(f"meter-sim: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
