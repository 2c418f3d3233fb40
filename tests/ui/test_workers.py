"""ui.workers: one owner thread per device, results and progress only on the GUI thread."""

from __future__ import annotations

import threading
from typing import Any

from counter_app.ui.workers import DeviceEvents, GuiCall, Workers


def test_jobs_run_on_their_owner_thread_and_report_on_the_gui_thread(qtbot: Any) -> None:
    workers = Workers()
    try:
        seen: dict[str, Any] = {"progress_threads": set(), "job_threads": set()}

        def job(report: Any) -> str:
            seen["job_threads"].add(threading.current_thread().name)
            report("step-1")
            report("step-2")
            return "done"

        def on_progress(step: str) -> None:
            seen["progress_threads"].add(threading.current_thread() is threading.main_thread())
            seen.setdefault("steps", []).append(step)

        def on_done(result: str) -> None:
            seen["done_on_main"] = threading.current_thread() is threading.main_thread()
            seen["result"] = result

        for _ in range(3):
            workers.submit(workers.meter_bus, "job", job, on_done=on_done, on_progress=on_progress)
        qtbot.waitUntil(lambda: workers.busy == 0, timeout=5_000)
        assert seen["result"] == "done" and seen["done_on_main"] is True
        assert seen["progress_threads"] == {True}
        assert seen["steps"] == ["step-1", "step-2"] * 3  # in order: one request at a time
        assert len(seen["job_threads"]) == 1  # the meter bus has exactly one owner thread
        assert next(iter(seen["job_threads"])).startswith("meter-bus")
    finally:
        workers.shutdown()


def test_errors_come_back_typed_on_the_gui_thread(qtbot: Any) -> None:
    workers = Workers()
    try:
        errors: list[tuple[BaseException, bool]] = []

        def fail(_report: Any) -> None:
            raise LookupError("no such meter")

        workers.submit(
            workers.db,
            "fail",
            fail,
            on_error=lambda exc: errors.append(
                (exc, threading.current_thread() is threading.main_thread())
            ),
        )
        qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
        exc, on_main = errors[0]
        assert isinstance(exc, LookupError) and on_main
    finally:
        workers.shutdown()


def test_gui_call_asks_the_gui_thread_and_waits_for_the_answer(qtbot: Any) -> None:
    """The Prompts bridge: a device step asks a person through the GUI thread."""
    bridge = GuiCall()
    answers: list[Any] = []

    def device_step() -> None:
        answers.append(bridge.call(lambda: threading.current_thread() is threading.main_thread()))

    thread = threading.Thread(target=device_step)
    thread.start()
    qtbot.waitUntil(lambda: bool(answers), timeout=5_000)
    thread.join(5)
    assert answers == [True]


def test_card_events_from_the_monitor_thread_arrive_on_the_gui_thread(qtbot: Any) -> None:
    from card_io.reader import CardEvent

    events = DeviceEvents()
    got: list[tuple[str, str, bool]] = []
    events.sig_card_inserted.connect(
        lambda r: got.append(("in", r, threading.current_thread() is threading.main_thread()))
    )
    events.sig_card_removed.connect(
        lambda r: got.append(("out", r, threading.current_thread() is threading.main_thread()))
    )

    def monitor() -> None:
        events.on_card_event(CardEvent("inserted", "Reader A"))
        events.on_card_event(CardEvent("removed", "Reader A"))

    thread = threading.Thread(target=monitor)
    thread.start()
    thread.join(5)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5_000)
    assert got == [("in", "Reader A", True), ("out", "Reader A", True)]


def test_qt_prompts_ask_a_supervisor_from_a_device_thread(qtbot: Any) -> None:
    """A service step on an owner thread asks for a supervisor's credentials (Prompts port)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from counter_app.ui.prompts import QtPrompts, SupervisorPrompt

    prompts = QtPrompts()
    answers: list[Any] = []

    def fill_in() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, SupervisorPrompt)]
        visible = [d for d in dialogs if d.isVisible()]
        if not visible:
            QTimer.singleShot(20, fill_in)
            return
        visible[0].username.setText("super1")
        visible[0].password.setText("super1-pass")
        visible[0].accept()

    QTimer.singleShot(20, fill_in)
    thread = threading.Thread(
        target=lambda: answers.append(prompts.supervisor_credentials("reverse payment 7"))
    )
    thread.start()
    qtbot.waitUntil(lambda: bool(answers), timeout=5_000)
    thread.join(5)
    assert answers == [("super1", "super1-pass")]


def test_emitting_signals_does_not_drain_the_true_singleton(qtbot: Any) -> None:
    """PySide6 6.12's emit() loses a reference to True per call (qt_fixes works around it);
    without the fix a long session aborts with "bool_dealloc"."""
    import sys

    from PySide6.QtCore import QObject, Signal

    import counter_app.ui  # noqa: F401 - applies the work-around
    from counter_app.ui.qt_fixes import emit_steals_a_reference

    class Emitter(QObject):
        sig_pinged = Signal(object)

    emitter = Emitter()
    emitter.sig_pinged.connect(lambda _v: None)
    before = sys.getrefcount(True)
    for _ in range(2_000):
        emitter.sig_pinged.emit((1, 2))
    assert sys.getrefcount(True) - before > -50
    assert not emit_steals_a_reference()


def test_shutdown_waits_for_the_call_in_progress_and_drops_the_queue(qtbot: Any) -> None:
    """At exit the counter closes its database only after the query in progress ended: a
    query still running against a closed connection is how an exit goes wrong."""
    import time

    workers = Workers()
    started, ended, ran = threading.Event(), threading.Event(), []

    def query(_report: Any) -> None:
        started.set()
        time.sleep(0.5)
        ended.set()

    workers.submit(workers.db, "query", query)
    workers.submit(workers.db, "queued", lambda _r: ran.append("queued"))
    assert started.wait(5)
    workers.shutdown(wait_s=5)
    assert ended.is_set()  # the call in progress finished before shutdown returned
    time.sleep(0.1)
    assert ran == []  # what was still queued is dropped
