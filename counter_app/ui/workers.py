"""The one bridge between blocking work and the Qt GUI thread.

Why: the window must never wait on I/O (a meter that takes 5 s to answer, a card reader, a
PostgreSQL round trip on a busy hall network). Each physical device has **one owner
thread** — pcsc-lite wants one context per thread, and a DL/T 645 bus carries one request at
a time — so every call to a device goes through that device's single-worker executor, in
order. Database-only steps run on one serial executor. Results, progress and errors come
back to the GUI thread only as Qt signals from here (ARCHITECTURE.md "threading"; the same
shape as Electrum's plugin executor and Anki's ``taskman``).

Signals emitted on a worker thread are delivered through a :class:`Job` that lives in the
GUI thread: the worker emits private signals, Qt queues them to the job's slots, and the
job re-emits its public ``sig_*`` signals on the GUI thread. A plain Python callable
connected to a cross-thread signal would otherwise run on the worker thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar, cast

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
Params = ParamSpec("Params")
Report = Callable[[object], None]
"""What a job function gets to report progress: ``report(step)`` from the worker thread."""


class OwnerThread:
    """A single-worker executor that owns one device (or the database).

    Everything submitted runs on the same thread, one call after the other.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closed = False
        self._running = 0
        self._idle = threading.Condition()

    def submit(
        self, fn: Callable[Params, T], /, *args: Params.args, **kwargs: Params.kwargs
    ) -> Future[T]:
        if self._closed:
            raise RuntimeError(f"{self.name} is shut down")

        def call() -> T:
            with self._idle:
                self._running += 1
            try:
                return fn(*args, **kwargs)
            finally:
                with self._idle:
                    self._running -= 1
                    self._idle.notify_all()

        return self._pool.submit(call)

    def wait_idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for the call in progress to end (False: still running)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)

    def run(self, fn: Callable[[], T], timeout: float = 30.0) -> T:
        """Run on the owner thread and wait (for start-up and tests, never the GUI thread)."""
        return self.submit(fn).result(timeout)

    @property
    def closed(self) -> bool:
        """Shut down: work still running should stop waiting for anyone."""
        return self._closed

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)


class Job(QObject):
    """One unit of background work; its public signals fire on the GUI thread."""

    sig_progressed = Signal(object)
    sig_succeeded = Signal(object)
    sig_failed = Signal(object)
    sig_finished = Signal()

    _sig_progress_raw = Signal(object)
    _sig_done_raw = Signal(object, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.done = False
        self.result: object = None
        self.error: BaseException | None = None
        self._sig_progress_raw.connect(self._on_progress_raw, Qt.ConnectionType.QueuedConnection)
        self._sig_done_raw.connect(self._on_done_raw, Qt.ConnectionType.QueuedConnection)

    # worker thread side ------------------------------------------------------------------
    def report(self, step: object) -> None:
        self._sig_progress_raw.emit(step)

    def _complete(self, result: object, error: BaseException | None) -> None:
        self._sig_done_raw.emit(result, error)

    # GUI thread side ---------------------------------------------------------------------
    @Slot(object)
    def _on_progress_raw(self, step: object) -> None:
        self.sig_progressed.emit(step)

    @Slot(object, object)
    def _on_done_raw(self, result: object, error: object) -> None:
        self.done = True
        self.result = result
        if isinstance(error, BaseException):
            self.error = error
            self.sig_failed.emit(error)
        else:
            self.sig_succeeded.emit(result)
        self.sig_finished.emit()


class Workers(QObject):
    """The owner threads of one counter: meter bus, card reader, database, network, misc.

    ``network`` carries short look-ups at the collection system (a meter's channel health)
    so that they never queue behind a dispatch that follows its task on ``meter_bus``.

    ``submit`` runs ``fn(report)`` on an owner thread and wires the callbacks, which all run
    on the GUI thread. ``busy`` counts jobs not yet finished (tests wait on it; the window
    disables money buttons while a money job runs).
    """

    sig_busy_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.meter_bus = OwnerThread("meter-bus")
        self.card_reader = OwnerThread("card-reader")
        self.db = OwnerThread("db")
        self.render = OwnerThread("render")
        self.network = OwnerThread("network")
        self._jobs: set[Job] = set()

    @property
    def busy(self) -> int:
        return len(self._jobs)

    def submit(
        self,
        owner: OwnerThread,
        name: str,
        fn: Callable[[Report], R],
        *,
        on_done: Callable[[R], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        # Any: a step crosses threads as a Qt ``Signal(object)`` and arrives as what the job
        # reported; each job reports its own kind (a dispatch step, a card message, an
        # import's progress), which its own ``on_progress`` names.
        on_progress: Callable[[Any], None] | None = None,
    ) -> Job:
        """Run ``fn(report)`` on `owner`; ``on_done(result)`` gets exactly what `fn`
        returned (the Qt signal carries it untyped, the types here keep the two together)."""
        job = Job(name, self)
        if owner.closed:
            # A refresh timer of a window that is closing fired after the counter shut its
            # threads down: nothing to do, and nobody left to tell.
            log.debug("job %s dropped: %s is shut down", name, owner.name)
            job.done = True
            return job
        if on_progress is not None:
            job.sig_progressed.connect(on_progress)
        if on_done is not None:
            job.sig_succeeded.connect(on_done)
        if on_error is not None:
            job.sig_failed.connect(on_error)
        job.sig_finished.connect(lambda: self._forget(job))
        self._jobs.add(job)
        self.sig_busy_changed.emit(self.busy)

        def run() -> None:
            try:
                result = fn(job.report)
            except BaseException as exc:  # every error goes back to the GUI, typed
                log.info("job %s failed: %r", name, exc)
                job._complete(None, exc)
            else:
                job._complete(result, None)

        owner.submit(run)
        return job

    def _forget(self, job: Job) -> None:
        self._jobs.discard(job)
        job.deleteLater()
        self.sig_busy_changed.emit(self.busy)

    def shutdown(self, wait_s: float = 0.0) -> None:
        """Stop every owner thread: queued work is dropped. With ``wait_s``, wait that long
        (in all) for the calls in progress to end, so that the counter can close its database
        and links after them — not under a query or a meter exchange still running (exit)."""
        owners = (self.meter_bus, self.card_reader, self.db, self.render, self.network)
        for owner in owners:
            owner.shutdown(wait=False)
        deadline = time.monotonic() + wait_s
        for owner in owners:
            left = deadline - time.monotonic()
            if left <= 0 or not owner.wait_idle(left):
                if wait_s > 0:
                    log.warning("%s still busy at shutdown", owner.name)
                break


class GuiCall(QObject):
    """Run a function on the GUI thread from a worker and wait for its answer.

    This is how a device step asks a person something (the ``Prompts`` port: "put the card
    back", "supervisor password") without the device code knowing about Qt — the Electrum
    hardware-wallet handler pattern: signal the GUI thread, wait on an event.
    """

    _sig_call = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sig_call.connect(self._on_call, Qt.ConnectionType.QueuedConnection)

    def call(self, fn: Callable[[], T], timeout: float = 300.0) -> T:
        if threading.current_thread() is threading.main_thread():
            return fn()
        answer = _Answer(fn)
        self._sig_call.emit(answer)
        if not answer.done.wait(timeout):
            raise TimeoutError("no answer from the counter window")
        if answer.error is not None:
            raise answer.error
        return cast(T, answer.result)

    @Slot(object)
    def _on_call(self, answer: object) -> None:
        assert isinstance(answer, _Answer)
        try:
            answer.result = answer.fn()
        except BaseException as exc:
            answer.error = exc
        finally:
            answer.done.set()


class _Answer:
    """One call to the GUI thread: what to run there, and its result or error once done."""

    def __init__(self, fn: Callable[[], object]) -> None:
        self.fn = fn
        self.result: object = None
        self.error: BaseException | None = None
        self.done = threading.Event()


class DeviceEvents(QObject):
    """Card reader events (``card_io.reader.CardEvent``), delivered on the GUI thread.

    card_io's ``CardMonitor`` calls :meth:`on_card_event` on its own monitoring thread; this
    method only emits, and the queued connection brings the event to the window, where it is
    re-emitted as ``sig_card_inserted(reader)``, ``sig_card_removed(reader)`` or
    ``sig_service_changed(up)``.
    """

    sig_card_inserted = Signal(str)
    sig_card_removed = Signal(str)
    sig_service_changed = Signal(bool)
    sig_card_event_received = Signal(object)

    _sig_raw = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sig_raw.connect(self._on_raw, Qt.ConnectionType.QueuedConnection)

    def on_card_event(self, event: object) -> None:
        """Called on the monitor thread."""
        self._sig_raw.emit(event)

    @Slot(object)
    def _on_raw(self, event: object) -> None:
        kind = getattr(event, "kind", "")
        reader = str(getattr(event, "reader", "") or "")
        self.sig_card_event_received.emit(event)
        if kind == "inserted":
            self.sig_card_inserted.emit(reader)
        elif kind == "removed":
            self.sig_card_removed.emit(reader)
        elif kind == "service-lost":
            self.sig_service_changed.emit(False)
        elif kind == "service-back":
            self.sig_service_changed.emit(True)
