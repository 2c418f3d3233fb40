"""``meter-station``: run the collection system's dispatch service.

``meter-station serve --port 8700 --db sqlite:///station.db --token-file station.token
--key-file master.key --link socket://127.0.0.1:8645`` serves the API on uvicorn until
SIGTERM or Ctrl-C and prints ``meter-station: listening on http://HOST:PORT`` once it
accepts connections (``--port 0`` picks a free port; the line names it). Bad arguments
print one line and exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import ssl
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from ..client import Timeouts
from ..security import MasterKeyError, SoftwareSecurityModule
from ..terminal import TERMINAL_LINK_PREFIX, is_terminal_url
from ..terminal.hub import DEFAULT_OFFLINE_AFTER
from .api import create_app
from .links import load_meter_map
from .service import Station, StationSettings
from .store import StoreUrlError

DEFAULT_DB = "sqlite:///meter-station.db"


class CliError(Exception):
    """A failure reported as one line."""


def _read_secret(path: str, what: str) -> str:
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CliError(f"cannot read {what} {path}: {exc.strerror}") from None
    if not value:
        raise CliError(f"{what} {path} is empty")
    return value


class _Server(uvicorn.Server):
    """uvicorn's server that says where it listens once it accepts connections."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and sockets:
            host, port = sockets[0].getsockname()[:2]
            scheme = "https" if self.config.ssl_keyfile else "http"
            print(f"meter-station: listening on {scheme}://{host}:{port}", flush=True)


def _cmd_serve(args: argparse.Namespace) -> int:
    token = _read_secret(args.token_file, "token file")
    # One shared secret both ways unless the marketing side gave its own for callbacks.
    callback_token = (
        _read_secret(args.callback_token_file, "callback token file")
        if args.callback_token_file
        else token
    )
    try:
        security = SoftwareSecurityModule.from_config(args.key_file)
    except MasterKeyError as exc:
        raise CliError(str(exc)) from None
    meter_map: dict[str, str] = {}
    if args.meter_map:
        try:
            meter_map = load_meter_map(args.meter_map)
        except (OSError, ValueError) as exc:
            raise CliError(f"meter map: {exc}") from None
    links = list(args.link or [])
    for url in meter_map.values():
        if url not in links:
            links.append(url)
    terminal_listen = None
    if args.terminal_listen:
        host, _, port = args.terminal_listen.rpartition(":")
        if not host or not port.isdigit():
            raise CliError(f"--terminal-listen {args.terminal_listen!r} must be HOST:PORT")
        terminal_listen = (host, int(port))
        if not any(is_terminal_url(url) for url in links):
            links.append(TERMINAL_LINK_PREFIX)  # every meter behind every terminal
    if not links:
        raise CliError("give at least one --link (or a --meter-map or --terminal-listen)")
    if bool(args.tls_cert) != bool(args.tls_key):
        raise CliError("--tls-cert and --tls-key go together")
    if args.tls_client_ca and not args.tls_cert:
        raise CliError("--tls-client-ca needs --tls-cert and --tls-key")
    settings = StationSettings(
        db_url=args.db,
        links=links,
        meter_map=meter_map,
        callback_url=args.callback_url,
        callback_token=callback_token,
        timeouts=Timeouts.uniform(args.timeout) if args.timeout else None,
        retry_delay=args.retry_delay,
        terminal_listen=terminal_listen,
        terminal_wait_s=args.terminal_wait,
        terminal_offline_after=args.terminal_offline_after,
    )
    try:
        station = Station(settings, security)
    except (StoreUrlError, ValueError) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:  # the terminal listener's port is taken
        raise CliError(f"cannot listen for terminals on {args.terminal_listen}: {exc}") from None
    except Exception as exc:  # the database server cannot be reached
        raise CliError(f"cannot open the database: {exc}") from None
    app = create_app(station, token)
    if station.terminals is not None:
        where = f"{station.terminals.host}:{station.terminals.port}"
        print(f"meter-station: terminals log in at {where}", flush=True)

    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    sock.listen(128)  # connections wait in the backlog while the station starts
    config = uvicorn.Config(
        app,
        log_level=args.log_level,
        access_log=args.log_level == "debug",
        timeout_graceful_shutdown=3,
        ssl_certfile=args.tls_cert,
        ssl_keyfile=args.tls_key,
        ssl_ca_certs=args.tls_client_ca,
        ssl_cert_reqs=ssl.CERT_REQUIRED if args.tls_client_ca else ssl.CERT_NONE,
    )
    server = _Server(config)
    asyncio.run(server.serve(sockets=[sock]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="meter-station", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="serve the dispatch API until SIGTERM")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=int, default=8700, help="port (0 = any free port)")
    p.add_argument(
        "--db", default=DEFAULT_DB, help=f"sqlite:///FILE or postgresql://... ({DEFAULT_DB})"
    )
    p.add_argument("--token-file", required=True, help="file holding the bearer token")
    p.add_argument("--callback-url", help="where results go when a task names no callback_url")
    p.add_argument(
        "--callback-token-file",
        help="bearer token sent with result callbacks (default: the station's token)",
    )
    p.add_argument("--key-file", help="master key file (hex); default $METER_MASTER_KEY")
    p.add_argument(
        "--link",
        action="append",
        metavar="URL",
        help="meter link: socket://host:port, /dev/ttyUSB0, rfc2217://... (repeatable)",
    )
    p.add_argument(
        "--meter-map", help='JSON file {"meter": "link URL" or "terminal:RRRRTTTT", ...}'
    )
    p.add_argument(
        "--terminal-listen",
        metavar="HOST:PORT",
        help="accept Q/GDW 1376.1 terminal logins here; adds the link 'terminal:'",
    )
    p.add_argument(
        "--terminal-wait",
        type=float,
        default=10.0,
        help="seconds a terminal waits for a meter per forwarded frame (default 10)",
    )
    p.add_argument(
        "--terminal-offline-after",
        type=float,
        default=DEFAULT_OFFLINE_AFTER,
        help="seconds of overdue heartbeats before a terminal counts as offline (2700)",
    )
    p.add_argument(
        "--timeout", type=float, default=0.0, help="seconds per meter command (default: per kind)"
    )
    p.add_argument(
        "--retry-delay", type=float, default=1.0, help="seconds between attempts (default 1)"
    )
    p.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", help="the certificate's private key (PEM)")
    p.add_argument("--tls-client-ca", help="require client certificates signed by this CA")
    p.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=_cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``meter-station``."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper()),
        format="meter-station %(levelname)s %(message)s",
    )
    try:
        code: int = args.func(args)
        return code
    except CliError as exc:
        print(f"meter-station: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
