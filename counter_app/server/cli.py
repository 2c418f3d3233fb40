"""``counter-server``: the marketing side's result endpoint and background workers.

``counter-server serve --config hall.toml --port 8710`` serves ``POST /station/results``
(the collection system's callbacks, bearer token from ``[station] callback_token_file``)
and runs the hand-over workers (outbox sender, result poller, SMS outbox) until SIGTERM;
it prints ``counter-server: listening on http://HOST:PORT`` once it accepts connections
(``--port 0`` picks a free port). ``counter-server work --once`` runs one round of the
workers without the endpoint (a cron job, a test). Errors: one line, exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import signal
import socket
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

import uvicorn

from counter_app.config import ConfigError, load_config, read_token

if TYPE_CHECKING:
    from counter_app.bootstrap import Counter


class CliError(Exception):
    """A failure reported as one line."""


def _counter(args: argparse.Namespace) -> Counter:
    from counter_app.bootstrap import open_counter

    config = load_config(args.config)
    if args.db:
        config = dataclasses.replace(config, database_url=args.db)
    return open_counter(config)


class _Server(uvicorn.Server):
    """uvicorn's server that says where it listens once it accepts connections."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and sockets:
            host, port = sockets[0].getsockname()[:2]
            print(f"counter-server: listening on http://{host}:{port}", flush=True)


def _cmd_serve(args: argparse.Namespace) -> int:
    from counter_app.bootstrap import make_workers
    from counter_app.server.app import create_app
    from counter_app.server.terminals import install as install_terminal_api

    counter = _counter(args)
    workers = make_workers(counter, interval_s=args.interval)
    handover = workers.handover  # make_workers refused a counter without one
    callback_token = read_token(counter.config.station.callback_token_file, "callback token")
    host, _, port_text = (args.listen or counter.config.station.listen).rpartition(":")
    try:
        port = int(port_text)
    except ValueError:
        raise CliError(f"--listen wants HOST:PORT, not {args.listen!r}") from None
    app = create_app(handover, callback_token, workers=None if args.no_workers else workers)
    # the self-service terminals' API (R5, R17) is served by the same process
    install_terminal_api(app, counter.services.terminals)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host or "127.0.0.1", port))
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    config = uvicorn.Config(app, log_level=args.log_level, timeout_graceful_shutdown=3)
    try:
        asyncio.run(_Server(config).serve(sockets=[sock]))
    finally:
        counter.close()
    return 0


def _cmd_work(args: argparse.Namespace) -> int:
    from counter_app.bootstrap import make_workers

    counter = _counter(args)
    workers = make_workers(counter, interval_s=args.interval)
    try:
        if args.once:
            report = workers.run_once()
            print(json.dumps(dataclasses.asdict(report)), flush=True)
            return 0
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        workers.start()
        print("counter-server: workers running", flush=True)
        stop.wait()
        workers.stop()
    finally:
        counter.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="counter-server", description=__doc__.split("\n")[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="configuration file (TOML); see counter_app.config")
    common.add_argument("--db", help="database URL (overrides the configuration)")
    common.add_argument(
        "--interval", type=float, default=1.0, help="seconds between worker rounds (1)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", parents=[common], help="result endpoint + workers")
    p.add_argument("--listen", help="HOST:PORT (default [station] listen; port 0 = any)")
    p.add_argument("--no-workers", action="store_true", help="only the result endpoint")
    p.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=_cmd_serve)
    p = sub.add_parser("work", parents=[common], help="the workers alone")
    p.add_argument("--once", action="store_true", help="one round, print what it did, exit")
    p.set_defaults(func=_cmd_work)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``counter-server``."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, str(getattr(args, "log_level", "warning")).upper()),
        format="counter-server %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except (CliError, ConfigError) as exc:
        print(f"counter-server: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
