"""Step events of running tasks, fanned out to the server-sent-event streams.

Link threads publish; each stream subscribes with its event loop and an asyncio queue, and
events cross from the thread to the loop with ``call_soon_threadsafe`` (an asyncio queue
is not thread-safe). A stream subscribes *before* it reads the task, so a result that
lands in between still reaches it; a stream that opens while a task runs first gets the
steps that task has already been through, so the counter's progress view starts complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass
from typing import Any

STEP = "step"
RESULT = "result"
CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class TaskEvent:
    """One event of one task: ``step`` (data: attempt, step, detail) or ``result`` (view)."""

    kind: str
    task_id: str
    data: dict[str, Any]


class Subscription:
    """One stream's view of the hub: an asyncio queue filled from link threads."""

    def __init__(self, hub: EventHub, task_id: str, loop: asyncio.AbstractEventLoop) -> None:
        self.hub = hub
        self.task_id = task_id
        self.loop = loop
        self.queue: asyncio.Queue[TaskEvent] = asyncio.Queue()

    def deliver(self, event: TaskEvent) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: the stream is gone
            self.loop.call_soon_threadsafe(self.queue.put_nowait, event)

    def close(self) -> None:
        self.hub.unsubscribe(self)


class EventHub:
    """Subscriptions by task id; publishing never blocks a link thread."""

    def __init__(self) -> None:
        self._subs: dict[str, list[Subscription]] = {}
        self._history: dict[str, list[TaskEvent]] = {}  # steps of tasks still running
        self._lock = threading.Lock()

    def subscribe(self, task_id: str) -> Subscription:
        """Called on the event loop of the stream; the steps so far are queued first."""
        sub = Subscription(self, task_id, asyncio.get_running_loop())
        with self._lock:
            for event in self._history.get(task_id, ()):
                sub.queue.put_nowait(event)
            self._subs.setdefault(task_id, []).append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._subs.get(sub.task_id, [])
            if sub in subs:
                subs.remove(sub)
            if not subs:
                self._subs.pop(sub.task_id, None)

    def publish(self, event: TaskEvent) -> None:
        with self._lock:
            if event.kind == STEP:
                self._history.setdefault(event.task_id, []).append(event)
            else:
                self._history.pop(event.task_id, None)
            subs = list(self._subs.get(event.task_id, ()))
        for sub in subs:
            sub.deliver(event)

    def step(self, task_id: str, attempt: int, step: str, detail: str) -> None:
        """A step of an attempt (the counter shows it live, as with a local dispatch)."""
        self.publish(
            TaskEvent(
                STEP,
                task_id,
                {"task_id": task_id, "attempt": attempt, "step": step, "detail": detail},
            )
        )

    def close_all(self) -> None:
        """The station stops: every stream ends."""
        with self._lock:
            subs = [s for group in self._subs.values() for s in group]
        for sub in subs:
            sub.deliver(TaskEvent(CLOSED, sub.task_id, {}))
