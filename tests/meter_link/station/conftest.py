"""A small result receiver for the station's callbacks: a real HTTP server on loopback.

It answers the first ``fail_first`` calls with 503 (the counter-server busy or restarting)
and the rest with 200, and keeps every call it got (body, Authorization header, time).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class CallbackReceiver:
    url: str
    fail_first: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self) -> list[dict[str, Any]]:
        """Calls answered 200, in arrival order."""
        with self.lock:
            return [c for c in self.calls if c["status"] == 200]

    def wait_accepted(self, task_ids: set[str], timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = {c["body"]["task_id"] for c in self.accepted()}
            if task_ids <= got:
                return self.accepted()
            time.sleep(0.05)
        raise AssertionError(f"callbacks for {task_ids} not accepted: {self.calls}")


@pytest.fixture
def callback_receiver() -> Iterator[Callable[..., CallbackReceiver]]:
    servers: list[tuple[uvicorn.Server, threading.Thread, socket.socket]] = []

    def make(fail_first: int = 0) -> CallbackReceiver:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        port = sock.getsockname()[1]
        receiver = CallbackReceiver(f"http://127.0.0.1:{port}/station-results", fail_first)

        async def results(request: Request) -> JSONResponse:
            body = await request.json()
            with receiver.lock:
                status = 503 if len(receiver.calls) < receiver.fail_first else 200
                receiver.calls.append(
                    {
                        "body": body,
                        "authorization": request.headers.get("authorization"),
                        "status": status,
                        "at": time.monotonic(),
                    }
                )
            return JSONResponse({"ok": status == 200}, status_code=status)

        app = Starlette(routes=[Route("/station-results", results, methods=["POST"])])
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        servers.append((server, thread, sock))
        return receiver

    yield make
    for server, thread, sock in servers:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
