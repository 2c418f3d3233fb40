"""The counter-server's ASGI application (FastAPI): the station's results come in here.

``POST /station/results`` is the collection system's callback (the seed's "result reported
back to marketing"): the body is the station's task view; the bearer token is the callback
token both sides were given. The result is applied exactly once by task id
(`HandoverService.apply`), so the station may deliver it as often as it likes; it stops once
it gets a 2xx. A result for a task we do not know is answered 200 too (another counter
database's task: calling again would not change that). ``GET /health`` says how many tasks
wait for their result.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from counter_app.server.station_client import task_result
from counter_app.server.workers import HandoverWorkers
from counter_app.services.handover import HandoverService

MAX_BODY_BYTES = 64 * 1024
"""A task view is a few kilobytes; anything this large is not one."""


def _error(status: int, error: str, reason: str) -> JSONResponse:
    return JSONResponse({"error": error, "reason": reason}, status_code=status)


def create_app(
    handover: HandoverService,
    callback_token: str,
    *,
    workers: HandoverWorkers | None = None,
) -> FastAPI:
    """The application for one counter database; `workers` start and stop with it."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if workers is not None:
            workers.start()
        try:
            yield
        finally:
            if workers is not None:
                await run_in_threadpool(workers.stop)

    app = FastAPI(
        title="counter-server",
        description="The marketing side of remote purchase: results from the collection "
        "system come in here.",
        version="1",
        lifespan=lifespan,
    )
    expected = f"Bearer {callback_token}".encode()

    @app.post("/station/results")
    async def station_result(request: Request) -> JSONResponse:
        """Apply one task result from the collection system (idempotent by task id)."""
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return _error(401, "unauthorized", "missing or wrong bearer token")
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _error(413, "too-large", f"body over {MAX_BODY_BYTES} bytes")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return _error(413, "too-large", f"body over {MAX_BODY_BYTES} bytes")
        try:
            view: Any = json.loads(body)
            if not isinstance(view, dict):
                raise ValueError("the body must be a task view (a JSON object)")
            result = task_result(view)
        except ValueError as exc:
            return _error(400, "invalid-result", str(exc))
        if not result.done:
            return _error(400, "invalid-result", "state: only a done task carries a result")
        applied = await run_in_threadpool(handover.apply, result)
        return JSONResponse({"task_id": result.task_id, "applied": applied.value})

    @app.get("/health")
    async def health() -> dict[str, Any]:
        waiting = await run_in_threadpool(handover.waiting_count)
        return {
            "status": "ok",
            "waiting_for_result": waiting,
            "workers": None if workers is None else workers.running,
        }

    return app
