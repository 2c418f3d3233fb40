"""Sending final results back to the marketing side: at least once, by callback.

When a task is done its view is POSTed to the task's ``callback_url`` (or the station's
``--callback-url``) with the callback token. A 2xx marks it delivered; anything else (the
counter-server down, a timeout, a 5xx) is tried again with exponential backoff, however
long it takes — the state lives in the store, so a restarted station keeps trying. The
marketing side applies a result once by its task id, so a repeat is harmless; it may also
poll ``/results`` and acknowledge, which stops the callbacks.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading

import httpx

from .store import TaskStore, TaskView, database_away, utcnow

log = logging.getLogger("meter_link.station")

CONCURRENT_CALLBACKS = 8
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 60.0
DATABASE_AWAY_WAIT_S = 1.0


def backoff(attempts: int) -> float:
    """Seconds before callback number ``attempts + 1``: 0.5, 1, 2, … up to a minute."""
    return float(min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** max(0, attempts - 1)))


class ResultDelivery:
    """The thread that calls the marketing side back with finished tasks."""

    def __init__(
        self,
        store: TaskStore,
        *,
        callback_url: str | None,
        callback_token: str | None,
        timeout: float = 10.0,
    ) -> None:
        self.store = store
        self.callback_url = callback_url
        self.callback_token = callback_token
        self.timeout = timeout
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="result delivery", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=self.timeout + 2)

    def wake(self, view: TaskView | None = None) -> None:
        """A result is ready (called by the runner)."""
        self._wake.set()

    def _run(self) -> None:
        headers = {"Content-Type": "application/json"}
        if self.callback_token:
            headers["Authorization"] = f"Bearer {self.callback_token}"
        with (
            httpx.Client(timeout=self.timeout, headers=headers) as client,
            concurrent.futures.ThreadPoolExecutor(
                CONCURRENT_CALLBACKS, thread_name_prefix="callback"
            ) as pool,
        ):
            while not self._stop.is_set():
                try:
                    self._deliver_due(client, pool)
                    wait = self._seconds_to_next()
                except Exception as exc:  # the database went away for a moment: try again soon
                    if database_away(exc):
                        log.warning("result delivery waits: the database cannot be reached")
                    else:
                        log.exception("result delivery")
                    wait = DATABASE_AWAY_WAIT_S
                self._wake.wait(wait)
                self._wake.clear()

    def _seconds_to_next(self) -> float:
        due = self.store.next_delivery_due()
        if due is None:
            return 30.0
        return max(0.0, min(30.0, (due - utcnow()).total_seconds()))

    def _deliver_due(self, client: httpx.Client, pool: concurrent.futures.Executor) -> None:
        """POST every due result, several at a time (a busy hall finishes tasks faster than
        one connection delivers them); the outcomes are written here, one by one."""
        sending: list[tuple[TaskView, str, concurrent.futures.Future[str | None]]] = []
        for view in self.store.due_deliveries(utcnow()):
            target = view.callback_url or self.callback_url
            if not target:
                self.store.no_callback(view.task_id)  # the poll and its ack deliver it
                continue
            sending.append((view, target, pool.submit(self._post, client, target, view)))
        for view, target, future in sending:
            error = future.result()
            if error is None:
                self.store.mark_delivered(view.task_id)
                continue
            attempts = self.store.delivery_failed(view.task_id, error, backoff)
            log.warning("callback %s for %s failed (%d): %s", target, view.task_id, attempts, error)

    @staticmethod
    def _post(client: httpx.Client, url: str, view: TaskView) -> str | None:
        try:
            response = client.post(url, json=view.to_json())
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}: {response.text[:200]}"
