"""Fixtures of the channel tests (bank files, reconciliation, terminals, offsets).

The services run on the `db` fixture (SQLite and PostgreSQL) with the scripted dispatcher of
the service tests (the meter side is tested against the simulators elsewhere; here the
channels' bookkeeping is under test). The terminal API is served by a real uvicorn on
127.0.0.1 (a free port), in a thread of the test process, and reached with httpx.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from counter_app.services import auth
from counter_app.services.checks import check_database
from counter_app.services.context import ServiceContext
from counter_app.services.registry import build_services
from counter_app.services.terminals import TerminalService
from counter_app.store.models import Customer
from tests.services.conftest import ScriptedDispatcher, World, people, world

__all__ = ["people", "world"]

YESTERDAY = dt.date.today() - dt.timedelta(days=1)


def assert_invariants() -> None:
    """I1 and I2 over the whole database (every channel scenario ends with this)."""
    breaks = check_database()
    assert breaks == [], "\n".join(str(b) for b in breaks)


def bank_line(serial: str, customer: str, fen: int, agency: str = "AG01") -> str:
    return f"D,{serial},{customer},{fen},{YESTERDAY:%Y%m%d}093000,{agency},OP7"


def bank_file(
    bank: str, day: dt.date, lines: list[str], trailer: tuple[int, int] | None = None
) -> bytes:
    """A bank file from D lines; the trailer adds them up unless given."""
    if trailer is None:
        fens = [int(x.split(",")[3]) for x in lines if x.split(",")[3].isdigit()]
        trailer = (len(lines), sum(fens))
    text = "\n".join([f"H,{bank},{day:%Y%m%d}", *lines, f"T,{trailer[0]},{trailer[1]}"])
    return (text + "\n").encode()


@pytest.fixture
def admin(people: None) -> str:
    auth.create_user("admin1", "admin1-pass", "admin")
    return "admin1"


@dataclass
class TerminalApi:
    """A running terminal API: its base URL, a registered terminal and its token."""

    url: str
    terminal_id: str
    token: str
    world: World
    service: TerminalService

    def client(self, token: str | None = None, terminal_id: str | None = None) -> httpx.Client:
        headers = {
            "X-Terminal-Id": terminal_id or self.terminal_id,
            "Authorization": f"Bearer {token or self.token}",
        }
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def serve(app: object) -> tuple[uvicorn.Server, threading.Thread, str]:
    """Start uvicorn on 127.0.0.1 with a free port in a thread; returns it and its URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="terminal-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the terminal API did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture
def terminal_api(world: World, admin: str) -> Iterator[TerminalApi]:
    from counter_app.server.terminals import create_terminal_app

    ctx = ServiceContext(counter_id="SERVER", dispatcher=world.dispatcher)
    app = create_terminal_app(build_services(ctx).terminals)
    service = app.state.terminal_service
    token = service.register("ATM01", name="hall lobby", actor=admin)
    server, thread, url = serve(app)
    yield TerminalApi(url, "ATM01", token, world, service)
    server.should_exit = True
    thread.join(timeout=20)


def customer_row(customer_no: str) -> Customer:
    return Customer.get(Customer.customer_no == customer_no)


__all__ += ["ScriptedDispatcher", "TerminalApi", "assert_invariants", "bank_file", "bank_line"]
