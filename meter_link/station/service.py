"""The station as one object: store, links, runner, events and result delivery.

:class:`Station` is the composition root of ``meter-station``: it is given its settings
and a :class:`~meter_link.security.SecurityModule` (the SM4 stand-in for test benches; an
adapter to the utility's encryption service in production) and builds the rest. On start
it queues every task the store holds unfinished, in submission order — a ``running`` one
is resumed by probing its meter first (R8, see :mod:`.runner`).
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import logging
import queue
import threading
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..client import Timeouts
from ..errors import LinkUnavailable, MeterLinkError
from ..security import SecurityModule
from ..terminal import TerminalDirectory, TerminalHub, is_terminal_url, terminal_client_factory
from ..terminal.hub import DEFAULT_OFFLINE_AFTER
from .delivery import ResultDelivery
from .events import EventHub
from .links import PRIORITY_PROBE, PRIORITY_TASK, LinkDirectory, LinkOwner, MeterNotServed
from .reasons import cause_reason
from .runner import TaskRunner
from .store import MeterHealth, Submission, TaskStore, TaskView, database_away

log = logging.getLogger("meter_link.station")

ROUTE_RETRY_S = 2.0
DATABASE_POLL_S = 0.25
"""How often a station whose database is away asks it again (one ``SELECT 1``)."""


@dataclass
class StationSettings:
    """What ``meter-station serve`` is told (see :mod:`.cli`)."""

    db_url: str
    links: list[str]
    meter_map: dict[str, str] = field(default_factory=dict)
    callback_url: str | None = None
    callback_token: str | None = None
    timeouts: Timeouts | None = None
    retry_delay: float = 1.0
    probe_timeout: float = 60.0
    terminal_listen: tuple[str, int] | None = None
    terminal_wait_s: float = 10.0
    terminal_offline_after: float = DEFAULT_OFFLINE_AFTER


class Station:
    """Takes tasks, runs them on their links, keeps and delivers their results."""

    def __init__(
        self,
        settings: StationSettings,
        security: SecurityModule,
        *,
        today: Any = dt.date.today,
    ) -> None:
        self.settings = settings
        self.today = today
        self.store = TaskStore(settings.db_url)
        self.events = EventHub()
        self.terminals: TerminalHub | None = None
        terminal_factory = None
        if settings.terminal_listen is not None:
            # Concentrators are TCP clients of the station: they log in here, and links named
            # ``terminal:`` / ``terminal:RRRRTTTT`` reach meters through them (AFN 10H F1).
            self.terminals = TerminalHub(offline_after=settings.terminal_offline_after)
            self.terminals.start(*settings.terminal_listen)
            terminal_factory = terminal_client_factory(
                TerminalDirectory(self.terminals, frame_timeout_s=settings.terminal_wait_s),
                timeouts=settings.timeouts,
            )
        elif any(is_terminal_url(url) for url in settings.links):
            raise ValueError("terminal links need a terminal listener (--terminal-listen)")
        self.owners = [
            LinkOwner(
                url,
                security,
                timeouts=settings.timeouts,
                client_factory=terminal_factory if is_terminal_url(url) else None,
            )
            for url in settings.links
        ]
        self.directory = LinkDirectory(self.owners, settings.meter_map)
        self.delivery = ResultDelivery(
            self.store, callback_url=settings.callback_url, callback_token=settings.callback_token
        )
        self.runner = TaskRunner(
            self.store,
            self.events,
            retry_delay=settings.retry_delay,
            on_result=self.delivery.wake,
            requeue=self._requeue,
            hold=self.hold,
            today=today,
        )
        self._routing: queue.Queue[str | None] = queue.Queue()
        self._router = threading.Thread(target=self._route, name="task router", daemon=True)
        self._held: set[str] = set()
        self._held_lock = threading.Lock()
        self._something_held = threading.Event()
        self._stopping = threading.Event()
        self._watcher = threading.Thread(
            target=self._watch_database, name="database watch", daemon=True
        )

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        for owner in self.owners:
            owner.start()
        self._router.start()
        self._watcher.start()
        self.delivery.start()
        for view in self.store.unfinished():
            log.info("resuming task %s (%s)", view.task_id, view.state.value)
            self._routing.put(view.task_id)

    def stop(self) -> None:
        """Stop taking work; a task on a link finishes its step, the rest resume later."""
        self.runner.stopping.set()
        self._stopping.set()
        self._something_held.set()
        self._routing.put(None)
        self._router.join(timeout=5)
        self._watcher.join(timeout=5)
        for owner in self.owners:
            owner.stop()
        if self.terminals is not None:
            self.terminals.stop()
        self.delivery.stop()
        self.events.close_all()
        self.store.close()

    # -- tasks ------------------------------------------------------------------------------
    def submit(self, sub: Submission) -> tuple[TaskView, bool]:
        """Store the task (idempotent, see :mod:`.store`) and queue it if it is new.

        Raises :class:`~.store.TaskConflict`, or :class:`~.links.MeterNotServed` when the
        meter map does not name the meter — in both cases nothing is stored.
        """
        if not self.directory.serves(sub.meter):
            raise MeterNotServed(f"meter {sub.meter} is not in this station's meter map")
        view, created = self.store.submit(sub)
        if created:
            self._routing.put(view.task_id)
        return view, created

    def _requeue(self, task_id: str, delay: float) -> None:
        """Take a task up again after ``delay`` seconds (after a station error)."""
        timer = threading.Timer(delay, self._routing.put, args=(task_id,))
        timer.daemon = True
        timer.start()

    def hold(self, task_id: str) -> None:
        """Keep a task aside while the database cannot be reached; it is routed again the
        moment the database answers (and, being ``running`` or ``queued`` in the store, is
        taken up by probing the meter first if it was on its link, R8)."""
        with self._held_lock:
            self._held.add(task_id)
            self._something_held.set()

    def _watch_database(self) -> None:
        """Ask the database every :data:`DATABASE_POLL_S` while tasks are held; when it
        answers, route them all again in submission order. A held task the database no longer
        lists as unfinished has been finished meanwhile and is dropped."""
        while not self._stopping.is_set():
            self._something_held.wait()
            if self._stopping.is_set():
                return
            try:
                # submission order: purchase n of a meter goes on its link before n+1
                order = [v.task_id for v in self.store.unfinished()]
            except Exception as exc:
                if not database_away(exc):
                    log.exception("reading the unfinished tasks")
                self._stopping.wait(DATABASE_POLL_S)
                continue
            with self._held_lock:
                held, self._held = self._held, set()
                self._something_held.clear()
            log.info("the database answers again: taking up %d held task(s)", len(held))
            for task_id in [t for t in order if t in held]:
                self._routing.put(task_id)

    def _route(self) -> None:
        while True:
            task_id = self._routing.get()
            if task_id is None:
                return
            try:
                view = self.store.get(task_id)
                if view is None or view.outcome is not None:
                    continue
                owner = self.directory.link_for(view.meter)
                owner.submit(partial(_run_task, self.runner, task_id), PRIORITY_TASK)
            except Exception as exc:
                if database_away(exc):
                    log.warning(
                        "task %s held: the database cannot be reached (%s)",
                        task_id,
                        str(exc).strip(),
                    )
                    self.hold(task_id)
                else:
                    log.exception("routing task %s", task_id)
                    self._requeue(task_id, ROUTE_RETRY_S)

    # -- channel ----------------------------------------------------------------------------
    def probe(self, meter: str) -> dict[str, Any]:
        """R8's channel test and count read, now, on the meter's link (blocking)."""
        owner = self.directory.link_for(meter)
        future = owner.submit(lambda o: self._probe_on_link(o, meter), PRIORITY_PROBE)
        try:
            return future.result(timeout=self.settings.probe_timeout)
        except concurrent.futures.TimeoutError:
            return _probe_json(meter, "meter-silent")

    def _probe_on_link(self, owner: LinkOwner, meter: str) -> dict[str, Any]:
        try:
            reading = owner.dispatcher().probe(meter)
        except MeterLinkError as exc:
            if isinstance(exc, LinkUnavailable):
                owner.drop_client()
            reason = cause_reason(exc)
            self.store.record_channel(meter, reason, self.today())
            self.directory.forget(meter)
            return _probe_json(meter, reason.value)
        self.store.record_channel(meter, None, self.today())
        return {
            "meter": meter,
            "reachable": True,
            "reason": None,
            "balance_fen": reading.balance_fen,
            "overdraft_fen": reading.overdraft_fen,
            "meter_count": reading.count,
            "last_purchase_fen": reading.last_purchase_fen,
            "relay_open": reading.relay_open,
        }

    def meter_health(self, meter: str) -> MeterHealth:
        return self.store.meter_health(meter, self.today())

    def health(self) -> dict[str, int]:
        counts = self.store.counts()
        return {"links": len(self.owners), **counts}


def _run_task(runner: TaskRunner, task_id: str, owner: LinkOwner) -> None:
    runner.run(owner, task_id)


def _probe_json(meter: str, reason: str) -> dict[str, Any]:
    return {
        "meter": meter,
        "reachable": False,
        "reason": reason,
        "balance_fen": None,
        "overdraft_fen": None,
        "meter_count": None,
        "last_purchase_fen": None,
        "relay_open": None,
    }
