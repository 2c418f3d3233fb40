"""`CollectionSystemDispatcher`: the collection system (``meter-station``) over its HTTP API.

One adapter for two ports of the services (``counter_app.services.ports``):

* `Dispatcher` — a blocking dispatch (submit a task, follow it to its result) and the R8
  probe, so that everything written against the direct DL/T 645 dispatcher works through the
  station too (the same contract tests run against both);
* `TaskHandover` — submit / follow / result feed / acknowledge / channel health, which the
  outbox of `counter_app.services.handover` uses for the durable hand-over.

Pointing a counter at another vendor's collection system (a SOAP WebService, say) means
writing one class like this one against the same ports; nothing above it changes.

Errors: no answer, a connection refused, a 5xx or a refused token → `StationUnavailable` (the
task stays in our outbox and is sent again); a 400/409/413/422 for a task → `TaskRefused`
(sending it again would be refused again).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from counter_app.services.ports import (
    ChannelHealth,
    DispatchAttemptReport,
    DispatchOutcome,
    DispatchProgress,
    DispatchReport,
    DispatchTask,
    MeterProbe,
    StationUnavailable,
    TaskRefused,
    TaskResult,
    TaskState,
)

CHANNEL_REASONS = frozenset({"terminal-offline", "route-lost", "meter-silent", "link-refused"})
"""Station reasons that mean the channel (master station → terminal → meter) failed."""
REASON_OUTCOMES: Mapping[str, str] = {
    "count-mismatch": DispatchOutcome.COUNT_MISMATCH,
    "security-refused": DispatchOutcome.SECURITY_REFUSAL,
    "hoarding-limit": DispatchOutcome.HOARDING_LIMIT,
}
MAX_RESULTS_PAGE = 500
"""The most results the station returns per ``GET /results`` (its documented bound)."""
STATION_OUTCOMES: Mapping[str, str] = {
    "success": DispatchOutcome.SUCCESS,
    "already-loaded": DispatchOutcome.ALREADY_LOADED,
}


def our_outcome(station_outcome: str | None, reason: str | None) -> str:
    """The station's outcome + reason as the counter's outcome (R7–R9 vocabulary)."""
    if station_outcome in STATION_OUTCOMES:
        return STATION_OUTCOMES[str(station_outcome)]
    if reason in CHANNEL_REASONS:
        return DispatchOutcome.CHANNEL_FAILURE
    if reason in REASON_OUTCOMES:
        return REASON_OUTCOMES[str(reason)]
    return str(reason or station_outcome or "failed")[:24]


def _naive_utc(text: object) -> dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def task_result(view: Mapping[str, Any]) -> TaskResult:
    """A task view of the station's API (STATION-API, "Task view") as a `TaskResult`."""
    task_id = view.get("task_id")
    state = view.get("state")
    if not isinstance(task_id, str) or not isinstance(state, str):
        raise ValueError("a task view needs task_id and state")
    station_outcome = view.get("outcome")
    reason = view.get("reason")
    report: DispatchReport | None = None
    if state == TaskState.DONE and isinstance(station_outcome, str):
        attempts: list[DispatchAttemptReport] = []
        for item in view.get("attempts") or []:
            if not isinstance(item, Mapping):
                continue
            a_reason = item.get("reason")
            a_outcome = item.get("outcome")
            attempts.append(
                DispatchAttemptReport(
                    attempt_no=_int(item.get("attempt")) or len(attempts) + 1,
                    outcome=our_outcome(
                        str(a_outcome) if a_outcome is not None else None,
                        str(a_reason) if a_reason is not None else None,
                    ),
                    reason=str(a_reason or ""),
                    balance_fen=_int(item.get("balance_fen")),
                    count=_int(item.get("meter_count")),
                    started_at=_naive_utc(item.get("started_at")),
                    duration_ms=_int(item.get("elapsed_ms")) or 0,
                )
            )
        report = DispatchReport(
            outcome=our_outcome(station_outcome, reason if isinstance(reason, str) else None),
            reason=str(reason or ""),
            balance_fen=_int(view.get("balance_fen")),
            count=_int(view.get("meter_count")),
            attempts=tuple(attempts),
        )
    return TaskResult(
        task_id=task_id,
        state=state,
        station_outcome=station_outcome if isinstance(station_outcome, str) else None,
        station_reason=reason if isinstance(reason, str) else None,
        report=report,
        result_seq=_int(view.get("result_seq")),
        raw=dict(view),
    )


def _sse_events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event, data) pairs of a server-sent event stream (the WHATWG framing: fields until a
    blank line; ``data`` lines joined by newlines; comments start with a colon)."""
    event, data = "message", list[str]()
    for line in lines:
        if line == "":
            if data:
                yield event, "\n".join(data)
            event, data = "message", list[str]()
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
    if data:
        yield event, "\n".join(data)


class CollectionSystemDispatcher:
    """The `Dispatcher` and `TaskHandover` ports over the station's HTTP API (httpx)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        callback_url: str | None = None,
        origin: str = "counter",
        timeout_s: float = 10.0,
        dispatch_timeout_s: float = 120.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.callback_url = callback_url
        self.origin = origin[:64]
        self.timeout_s = timeout_s
        self.dispatch_timeout_s = dispatch_timeout_s
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)),
        )

    # -- plumbing ----------------------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise StationUnavailable(
                f"{self.base_url}: {type(exc).__name__}: {exc}".rstrip(": ")
            ) from exc
        if response.status_code in (401, 403):
            raise StationUnavailable(f"{self.base_url}: the station refused our token")
        if response.status_code >= 500:
            raise StationUnavailable(f"{self.base_url}: HTTP {response.status_code}")
        return response

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise StationUnavailable(f"not JSON from the station: {exc}") from exc

    @staticmethod
    def _reason(response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return f"HTTP {response.status_code}"
        if isinstance(body, Mapping):
            reason = body.get("reason") or body.get("detail") or body.get("error")
            return f"HTTP {response.status_code}: {reason}"
        return f"HTTP {response.status_code}"

    # -- TaskHandover ------------------------------------------------------------------------
    def submit(self, task: DispatchTask) -> TaskResult:
        body: dict[str, Any] = {
            "task_id": task.task_id,
            "meter": task.meter_address,
            "customer_no": task.customer_no,
            "amount_fen": task.amount_fen,
            "count": task.count,
            "origin": task.origin,
        }
        if self.callback_url:
            body["callback_url"] = self.callback_url
        response = self._request("POST", "/tasks", json=body)
        if response.status_code in (200, 201, 202):
            return task_result(self._json(response))
        if response.status_code in (400, 409, 413, 422):
            raise TaskRefused(task.task_id, self._reason(response))
        raise StationUnavailable(f"{self.base_url}: {self._reason(response)}")

    def task(self, task_id: str) -> TaskResult | None:
        response = self._request("GET", f"/tasks/{task_id}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise StationUnavailable(self._reason(response))
        return task_result(self._json(response))

    def follow(
        self, task_id: str, progress: DispatchProgress | None, timeout_s: float
    ) -> TaskResult:
        """The event stream until the result (or `timeout_s`); then ``GET /tasks/{id}``."""
        deadline = time.monotonic() + timeout_s
        try:
            with self._client.stream(
                "GET",
                f"/tasks/{task_id}/events",
                timeout=httpx.Timeout(self.timeout_s, read=max(0.1, timeout_s)),
            ) as response:
                if response.status_code == 200:
                    for event, data in _sse_events(response.iter_lines()):
                        if event == "result":
                            return task_result(json.loads(data))
                        if event == "step" and progress is not None:
                            step = json.loads(data)
                            progress(str(step.get("step", "")), _int(step.get("attempt")) or 1)
                        if time.monotonic() >= deadline:
                            break
        except (httpx.HTTPError, ValueError):
            pass  # the stream broke or timed out: ask for the task's state below
        while True:
            current = self.task(task_id)
            if current is None:
                raise StationUnavailable(f"the station does not know task {task_id}")
            if current.done or time.monotonic() >= deadline:
                return current
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))

    def results(self, after: int, limit: int = 100) -> tuple[list[TaskResult], int]:
        page = max(1, min(limit, MAX_RESULTS_PAGE))
        response = self._request("GET", "/results", params={"after": after, "limit": page})
        if response.status_code != 200:
            raise StationUnavailable(self._reason(response))
        body = self._json(response)
        items = body.get("results", []) if isinstance(body, Mapping) else []
        last_seq = _int(body.get("last_seq")) if isinstance(body, Mapping) else None
        return [task_result(v) for v in items if isinstance(v, Mapping)], last_seq or 0

    def acknowledge(self, task_id: str) -> None:
        response = self._request("POST", f"/results/{task_id}/ack")
        if response.status_code >= 400 and response.status_code != 404:
            raise StationUnavailable(self._reason(response))

    def channel_health(self, meter_address: str) -> ChannelHealth:
        response = self._request("GET", f"/meters/{meter_address}/health")
        if response.status_code != 200:
            raise StationUnavailable(self._reason(response))
        body = self._json(response)
        return ChannelHealth(
            meter_address=meter_address,
            last_good_read=_naive_utc(body.get("last_good_read")),
            failures_today=_int(body.get("failures_today")) or 0,
            last_failure_reason=body.get("last_failure_reason") or None,
        )

    def health(self) -> dict[str, object]:
        """``GET /health`` of the station (no token needed): status, links, queue."""
        response = self._request("GET", "/health")
        if response.status_code != 200:
            raise StationUnavailable(self._reason(response))
        body = self._json(response)
        return dict(body) if isinstance(body, Mapping) else {}

    # -- Dispatcher --------------------------------------------------------------------------
    def dispatch(
        self,
        meter_address: str,
        customer_no: str,
        amount_fen: int,
        count: int,
        progress: DispatchProgress | None = None,
        *,
        meter_no: str | None = None,
    ) -> DispatchReport:
        """Blocking: one task, followed to its final result (R7–R9 run at the station).

        No result within `dispatch_timeout_s` raises `TimeoutError`: the recharge may be
        under way, so the caller leaves the purchase unresolved (R8) rather than guess.
        """
        task = DispatchTask(
            task_id=uuid.uuid4().hex,
            meter_address=meter_address,
            customer_no=customer_no,
            amount_fen=amount_fen,
            count=count,
            origin=self.origin,
        )
        result = self.submit(task)
        if not result.done:
            result = self.follow(task.task_id, progress, self.dispatch_timeout_s)
        if not result.done or result.report is None:
            raise TimeoutError(
                f"no result from the collection system for task {task.task_id} "
                f"within {self.dispatch_timeout_s:.0f} s"
            )
        return result.report

    def probe(self, meter_address: str) -> MeterProbe:
        """R8 (a)+(b) through the station: raises `ConnectionError` when unreachable."""
        response = self._request("GET", f"/meters/{meter_address}/probe")
        if response.status_code != 200:
            raise ConnectionError(f"probe of meter {meter_address}: {self._reason(response)}")
        body = self._json(response)
        balance, count = _int(body.get("balance_fen")), _int(body.get("meter_count"))
        if not body.get("reachable") or balance is None or count is None:
            raise ConnectionError(
                f"meter {meter_address} unreachable: {body.get('reason') or 'no answer'}"
            )
        return MeterProbe(balance, count, _int(body.get("last_purchase_fen")))

    def close(self) -> None:
        self._client.close()
