"""The back office's lifetime: it lives as a child window of the counter window (F10), and
goes before it. A closed back office stops asking the database; closing the counter window
destroys the back office first, while the counter window is whole, instead of leaving it to
be destroyed as a child in the middle of the counter window's own destruction (where a late
tick or job answer reaches a half-destroyed widget); and ``counter-app`` itself, started and
closed with the back office open, exits cleanly after its threads finished."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent

from tests.ui.conftest import SUPERVISOR, CounterEnv

WAIT_MS = 15_000


def test_a_closed_back_office_stops_polling_and_resumes_when_opened_again(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env, SUPERVISOR)
    window.open_back_office()
    office = window.back_office
    assert office.live_timer.isActive()
    qtbot.waitUntil(lambda: office.data_version is not None, timeout=WAIT_MS)
    office.close()
    assert not office.isVisible() and not office.live_timer.isActive()
    window.open_back_office()  # F10 again: the same window, live again
    assert window.back_office is office and office.live_timer.isActive()


def test_closing_the_counter_window_destroys_its_back_office_first(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env, SUPERVISOR)
    window.open_back_office()
    office = window.back_office
    qtbot.waitUntil(lambda: office.data_version is not None, timeout=WAIT_MS)
    # another counter takes money: the next tick finds the data moved, every tab is stale
    counter_env.counter.services.payments.take_payment("100000000007", 5_000, operator="super1")
    qtbot.waitUntil(lambda: office.live_refreshes >= 1, timeout=WAIT_MS)
    office.tabs.setCurrentIndex(office.tabs.count() - 1)  # a reload in flight
    window.close()
    assert window.back_office is None and not shiboken6.isValid(office)
    assert shiboken6.isValid(window)  # the counter window itself is still whole
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    qtbot.wait(300)  # whatever was in flight answers now, into nothing
    window = signed_in_window(counter_env, SUPERVISOR)  # and the next session works
    window.open_back_office()
    qtbot.waitUntil(lambda: window.back_office.data_version is not None, timeout=WAIT_MS)


DRIVER = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
phase = ["sign-in", 0.0]

def tick():
    from counter_app.ui.main_window import MainWindow
    from counter_app.ui.signin import SignInDialog

    for w in app.topLevelWidgets():
        if phase[0] == "sign-in" and isinstance(w, SignInDialog) and w.isVisible():
            if w.ok_button.isEnabled():
                w.username.setText("super1")
                w.password.setText("super1-pass")
                w.ok_button.click()
                phase[0] = "counter"
        elif phase[0] == "counter" and isinstance(w, MainWindow) and w.isVisible():
            w.open_customer("100000000002")
            w.open_back_office()
            phase[:] = ["back office", time.monotonic()]
        elif (
            phase[0] == "back office"
            and isinstance(w, MainWindow)
            and time.monotonic() - phase[1] > 2.5
        ):
            office = w.back_office
            for i in range(office.tabs.count()):
                office.tabs.setCurrentIndex(i)
            w.close()
            phase[0] = "closed"
            print("closed", flush=True)

timer = QTimer()
timer.timeout.connect(tick)
timer.start(50)
from counter_app.app import main

sys.exit(main(["--demo", "--no-card"]))
"""


def test_counter_app_started_and_closed_with_the_back_office_open(tmp_path: Path) -> None:
    driver = tmp_path / "drive.py"
    driver.write_text(textwrap.dedent(DRIVER), encoding="utf-8")
    env = dict(os.environ, COUNTER_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="offscreen")
    run = subprocess.run(
        [sys.executable, str(driver)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "closed" in run.stdout
    for trouble in ("Traceback", "RuntimeError", "already deleted", "still busy"):
        assert trouble not in out, out
