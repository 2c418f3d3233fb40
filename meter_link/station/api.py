"""The station's HTTP API (FastAPI): tasks, their event streams, results, probes, health.

The contract with the marketing side is written out in ``docs/collection.md``; the
OpenAPI document is served at ``/openapi.json``. Every error is one JSON object
``{"error": <code>, "reason": <why>}``: 401 for a missing or wrong token (only
``GET /health`` is open), 413 for a body over 64 KiB, 400 for a body that is not JSON,
422 for a field that is wrong, 409 for a submission that contradicts a known task, 404 for
an unknown task. A refused request has booked nothing and dispatched nothing.

Handlers that touch the database are plain functions (FastAPI runs them on its worker
threads); only the event stream is a coroutine, fed by the link threads through
:class:`~.events.EventHub`.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import metadata
from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .events import CLOSED, RESULT, TaskEvent
from .links import MeterNotServed
from .schema import (
    AckOut,
    ErrorOut,
    HealthOut,
    MeterHealthOut,
    ProbeOut,
    ResultsOut,
    StepEventOut,
    TaskOut,
)
from .service import Station
from .store import DATABASE_AWAY, Submission, TaskConflict, TaskNotDone

MAX_BODY_BYTES = 64 * 1024
KEEPALIVE_S = 15.0
METER_PATTERN = r"^[0-9]{12}$"
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "no token or a wrong one"}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "unknown task or meter"},
    **AUTH_ERRORS,
}
MeterNo = Annotated[str, Path(pattern=METER_PATTERN, description="meter address, 12 digits")]


def _version() -> str:
    try:
        return metadata.version("fee-control-counter")
    except metadata.PackageNotFoundError:  # running from a source tree without metadata
        return "0+source"


class ApiError(Exception):
    """A refused request: HTTP status, error code, reason."""

    def __init__(self, status: int, error: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.error = error
        self.reason = reason


class TaskIn(BaseModel):
    """A dispatch task: purchase ``count`` (n) of ``amount_fen`` for ``meter`` (R3, R7)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    task_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$", description="the submitter's key")
    meter: str = Field(pattern=METER_PATTERN, description="meter address, 12 digits")
    customer_no: str = Field(pattern=METER_PATTERN, description="customer number, 12 digits")
    amount_fen: int = Field(gt=0, lt=1 << 32, description="purchase amount in fen (R2: > 0)")
    count: int = Field(ge=1, lt=1 << 32, description="purchase count n (I2)")
    origin: str = Field(min_length=1, max_length=64, description='who sent it, "counter:C01"')
    callback_url: str | None = Field(default=None, max_length=1024)

    @field_validator("callback_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None:
            parsed = urlparse(value)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise ValueError("must be an http:// or https:// URL")
        return value


class Gate:
    """ASGI middleware in front of every route: the token, then the body size.

    The token is checked before anything is read, so a caller without it learns nothing
    about the body it sent (401 before 400/413). ``GET /health`` is open. A declared
    ``Content-Length`` over ``limit`` is refused at once with 413; a chunked body is read
    up to the limit and replayed to the application.
    """

    def __init__(self, app: ASGIApp, token: str, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.token = token.encode()
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET" and scope["path"] == "/health":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        problem = self._token_problem(headers.get(b"authorization", b""))
        if problem is not None:
            await _refuse(send, 401, "unauthorized", problem, [(b"www-authenticate", b"Bearer")])
            return
        if scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _refuse(send, 413, "too-large", f"request body over {self.limit} bytes")
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body"))
            if len(body) > self.limit:
                await _refuse(send, 413, "too-large", f"request body over {self.limit} bytes")
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _token_problem(self, header: bytes) -> str | None:
        scheme, _, given = header.partition(b" ")
        if scheme.lower() != b"bearer" or not given.strip():
            return "missing bearer token"
        if not hmac.compare_digest(given.strip(), self.token):
            return "wrong token"
        return None


async def _refuse(
    send: Send,
    status: int,
    error: str,
    reason: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    payload = json.dumps({"error": error, "reason": reason}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *(extra or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _field_reason(exc: RequestValidationError) -> tuple[int, str]:
    errors = exc.errors()
    for err in errors:
        if err.get("type") == "json_invalid":
            detail = (err.get("ctx") or {}).get("error", "not JSON")
            return 400, f"body: malformed JSON ({detail})"
    if not errors:
        return 422, "body: invalid"
    err = errors[0]
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "path", "query")]
    where = ".".join(loc) or "body"
    return 422, f"{where}: {err.get('msg', 'invalid')}"


def create_app(station: Station, token: str) -> FastAPI:
    """The API of ``station``; every route except ``/health`` needs ``Bearer <token>``."""
    if not token:
        raise ValueError("the station needs a token: no anonymous task submission")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(station.start)
        try:
            yield
        finally:
            await run_in_threadpool(station.stop)

    app = FastAPI(
        title="meter-station",
        version=_version(),
        description="The collection system's dispatch API: tasks in, results back (R7–R9).",
        lifespan=lifespan,
    )
    app.add_middleware(Gate, token=token, limit=MAX_BODY_BYTES)

    def openapi() -> dict[str, Any]:
        """The generated document, plus the bearer scheme the gate enforces and the shape
        of a step event (the stream's content is not a response model)."""
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = document.setdefault("components", {})
            components.setdefault("schemas", {})["StepEventOut"] = StepEventOut.model_json_schema()
            components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            document["security"] = [{"bearer": []}]
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.error, "reason": exc.reason}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, reason = _field_reason(exc)
        return JSONResponse({"error": "invalid-task", "reason": reason}, status_code=status)

    async def _database_away(request: Request, exc: Exception) -> JSONResponse:
        # Answered here rather than by the catch-all below, which the server also logs as a
        # crash: the database being away is an expected state, the client simply retries.
        return JSONResponse(
            {"error": "station-error", "reason": f"database unavailable: {exc}"[:300]},
            status_code=503,
            headers={"Retry-After": "1"},
        )

    for away in DATABASE_AWAY:
        app.add_exception_handler(away, _database_away)

    @app.exception_handler(Exception)
    async def _station_error(request: Request, exc: Exception) -> JSONResponse:
        # The database went away, or a fault of ours: one clear answer, the client retries.
        return JSONResponse(
            {"error": "station-error", "reason": f"{type(exc).__name__}: {exc}"[:300]},
            status_code=503,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not-found" if exc.status_code == 404 else f"http-{exc.status_code}"
        return JSONResponse(
            {"error": code, "reason": str(exc.detail)},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    def _task_or_404(task_id: str) -> dict[str, Any]:
        view = station.store.get(task_id)
        if view is None:
            raise ApiError(404, "not-found", f"no task {task_id}")
        return view.to_json()

    @app.post(
        "/tasks",
        status_code=202,
        responses={
            200: {"model": TaskOut, "description": "the same task, submitted before"},
            202: {"model": TaskOut, "description": "a new task, queued"},
            400: {"model": ErrorOut},
            409: {"model": ErrorOut, "description": "contradicts a known task"},
            413: {"model": ErrorOut},
            422: {"model": ErrorOut},
            **AUTH_ERRORS,
        },
    )
    def submit_task(task: TaskIn) -> JSONResponse:
        """Submit a dispatch task; idempotent on ``task_id`` and on ``(meter, count)``."""
        sub = Submission(**task.model_dump())
        try:
            view, created = station.submit(sub)
        except TaskConflict as exc:
            raise ApiError(409, "conflict", exc.reason) from None
        except MeterNotServed as exc:
            raise ApiError(422, "invalid-task", f"meter: {exc}") from None
        return JSONResponse(view.to_json(), status_code=202 if created else 200)

    @app.get("/tasks/{task_id}", responses={200: {"model": TaskOut}, **NOT_FOUND})
    def get_task(task_id: str) -> dict[str, Any]:
        """The task with its state, result and every attempt."""
        return _task_or_404(task_id)

    @app.get(
        "/tasks/{task_id}/events",
        response_class=StreamingResponse,
        responses={
            200: {
                "content": {"text/event-stream": {}},
                "description": "`event: step` (StepEventOut) while it runs, then one "
                "`event: result` (TaskOut); the stream ends",
            },
            **NOT_FOUND,
        },
    )
    async def task_events(task_id: str) -> StreamingResponse:
        """Server-sent events: ``step`` while the task runs, then one ``result``."""
        sub = station.events.subscribe(task_id)
        view = await run_in_threadpool(station.store.get, task_id)
        if view is None:
            sub.close()
            raise ApiError(404, "not-found", f"no task {task_id}")

        async def stream() -> AsyncIterator[str]:
            try:
                if view.outcome is not None:
                    yield _sse(TaskEvent(RESULT, task_id, view.to_json()))
                    return
                yield ": stream open\n\n"
                while True:
                    try:
                        event = await asyncio.wait_for(sub.queue.get(), KEEPALIVE_S)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if event.kind == CLOSED:
                        return
                    yield _sse(event)
                    if event.kind == RESULT:
                        return
            finally:
                sub.close()

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.get("/results", responses={200: {"model": ResultsOut}, **AUTH_ERRORS})
    def results(
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> dict[str, Any]:
        """Finished tasks after ``after`` in result order (the poll side of delivery)."""
        views = station.store.results_after(after, limit)
        last = views[-1].result_seq if views else after
        return {"results": [v.to_json() for v in views], "last_seq": last}

    @app.post(
        "/results/{task_id}/ack",
        responses={200: {"model": AckOut}, 409: {"model": ErrorOut}, **NOT_FOUND},
    )
    def ack_result(task_id: str) -> dict[str, Any]:
        """The marketing side has the result: stop calling it back."""
        try:
            known = station.store.mark_delivered(task_id)
        except TaskNotDone:
            raise ApiError(409, "conflict", f"task {task_id} has no result yet") from None
        if not known:
            raise ApiError(404, "not-found", f"no task {task_id}")
        return {"task_id": task_id, "delivered": True}

    @app.get("/meters/{meter}/probe", responses={200: {"model": ProbeOut}, **NOT_FOUND})
    def probe(meter: MeterNo) -> dict[str, Any]:
        """R8's channel test and count read, now."""
        try:
            return station.probe(meter)
        except MeterNotServed as exc:
            raise ApiError(404, "not-found", str(exc)) from None

    @app.get("/meters/{meter}/health", responses={200: {"model": MeterHealthOut}, **AUTH_ERRORS})
    def meter_health(meter: MeterNo) -> dict[str, Any]:
        """What the station knows of the meter's channel: last good read, failures today."""
        return station.meter_health(meter).to_json()

    @app.get("/health", responses={200: {"model": HealthOut}})
    def health() -> dict[str, Any]:
        """Open to anyone: the station is up, its links and its queue."""
        return {"status": "ok", "version": _version(), **station.health()}

    return app


def _sse(event: TaskEvent) -> str:
    return f"event: {event.kind}\ndata: {json.dumps(event.data, ensure_ascii=False)}\n\n"
