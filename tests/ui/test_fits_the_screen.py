"""The counter window on the screens halls have: 1366×768 (with a task bar) and 1920×1080 at
100–150 % scaling. The status bar with the shortcut hints is always on screen, the newest
step of the progress box is in view, and a screenshot at 1366×768 shows the status bar."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage

from meter_link.simulator.faults import Fault, FaultKind
from tests.ui.conftest import CounterEnv
from tests.ui.helpers import find_customer, pay

ROOT = Path(__file__).resolve().parents[2]
TASK_BAR = 40  # px a desktop task bar takes from the screen's height
ZHAO_MIN = "100000000007"


def test_the_window_fits_a_1366x768_screen_and_150_percent_of_1920x1080(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    minimum = window.minimumSizeHint()
    assert minimum.width() <= 1366 and minimum.height() <= 768 - TASK_BAR, minimum
    # 1920×1080 at 150 %: 1280×720 logical pixels
    assert minimum.width() <= 1280 and minimum.height() <= 720 - TASK_BAR, minimum
    assert window.width() <= 1366 and window.height() <= 768


def test_screenshot_at_1366x768_shows_the_status_bar(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any, tmp_path: Path
) -> None:
    window = signed_in_window(counter_env)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.height() == 768, timeout=5_000)
    path = tmp_path / "counter-1366x768.png"
    assert window.grab().save(str(path))
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1366, 768)
    bar = window.statusBar()
    assert bar.isVisible() and window.hints.isVisible()
    top_left = bar.mapTo(window, bar.rect().topLeft())
    assert top_left.y() + bar.height() <= 768 and top_left.y() > 600
    # the hints are drawn: the status bar's strip is not one flat colour
    colours = {image.pixel(x, top_left.y() + bar.height() // 2) for x in range(0, 700, 3)}
    assert len(colours) > 3, "the status bar shows no text"


def test_the_newest_step_is_in_view(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    counter_env.simulator.inject("000000000008", Fault(FaultKind.NO_REPLY, times=None))
    window = signed_in_window(counter_env)
    window.resize(1366, 768)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    pay(qtbot, window, "20", timeout=30_000)
    steps = window.progress.steps

    def last_in_view() -> bool:
        rect = steps.visualItemRect(steps.item(steps.count() - 1))
        return rect.top() >= 0 and rect.bottom() <= steps.viewport().height()

    qtbot.waitUntil(last_in_view, timeout=5_000)
    outcome = window.progress.outcome
    assert outcome.heightForWidth(outcome.width()) <= outcome.height() + 2


SCALED = """
import json, os, sys, tempfile
from pathlib import Path
sys.path.insert(0, os.environ["ROOT"])
from PySide6.QtWidgets import QApplication
app = QApplication([])
from counter_app.ui.resources import register_cjk_font, style_sheet, Language
register_cjk_font(); app.setStyleSheet(style_sheet()); Language().install("zh_CN")
from meter_link.client import Timeouts
from tests.ui.conftest import make_env, close_env
from counter_app.services import auth
from counter_app.ui.main_window import MainWindow
env = make_env(Path(tempfile.mkdtemp()), timeouts=Timeouts.uniform(0.4))
window = MainWindow(env.context, auth.get_user("teller1"), env.workers, env.events)
window.show()
width, height = int(sys.argv[1]), int(sys.argv[2])
window.resize(width, height)
app.processEvents()
bar = window.statusBar()
y = bar.mapTo(window, bar.rect().topLeft()).y()
print(json.dumps({"min": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
                  "size": [window.width(), window.height()], "bar_bottom": y + bar.height(),
                  "bar_visible": bar.isVisible(), "ratio": window.devicePixelRatio()}))
window.close(); close_env(env)
"""


def test_scaled_125_and_150_percent_on_1920x1080(tmp_path: Path) -> None:
    for factor in ("1.25", "1.5"):
        logical = (int(1920 / float(factor)), int((1080 - TASK_BAR) / float(factor)))
        env = dict(os.environ, QT_SCALE_FACTOR=factor, QT_QPA_PLATFORM="offscreen", ROOT=str(ROOT))
        out = subprocess.run(
            [sys.executable, "-c", SCALED, str(logical[0]), str(logical[1])],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            cwd=tmp_path,
        )
        assert out.returncode == 0, out.stderr
        seen = json.loads(out.stdout.strip().splitlines()[-1])
        assert seen["ratio"] == float(factor)
        assert seen["min"][0] <= logical[0] and seen["min"][1] <= logical[1], seen
        assert seen["bar_visible"] and seen["bar_bottom"] <= logical[1], seen


def test_the_back_office_fits_the_counter_screen(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    from tests.ui.conftest import SUPERVISOR

    window = signed_in_window(counter_env, SUPERVISOR)
    window.open_back_office()
    office = window.back_office
    qtbot.waitUntil(lambda: counter_env.workers.busy == 0, timeout=15_000)
    for i in range(office.tabs.count()):
        office.tabs.setCurrentIndex(i)
        minimum = office.minimumSizeHint()
        assert minimum.width() <= 1366 and minimum.height() <= 768 - TASK_BAR, (
            office.tabs.tabText(i),
            minimum,
        )
    assert office.width() <= 1366 and office.height() <= 768


def test_the_outcome_column_is_readable_at_1366x768_in_english(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    """English captions are longer: the payment panel takes more of the width, and the
    account's payments table used to leave its last column — what happened (处理结果) —
    a sliver ("lo… into th…"). It keeps room for its heading and a few words; the long
    receipt number gives way instead (elided in the middle, whole in its tooltip)."""
    from PySide6.QtCore import Qt

    window = signed_in_window(counter_env)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.height() == 768, timeout=5_000)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    pay(qtbot, window, "50")
    view = window.account_view.payments_view
    header, model = view.horizontalHeader(), view.model()
    qtbot.waitUntil(lambda: model.rowCount() >= 1, timeout=5_000)
    metrics = view.fontMetrics()
    title = str(model.headerData(4, Qt.Orientation.Horizontal))
    assert "Outcome" in title or "Result" in title, title  # the English window
    width = header.sectionSize(4)
    assert width >= metrics.horizontalAdvance(title) + 12, (width, title)
    assert width >= metrics.horizontalAdvance("loaded into the meter") // 2, width
    assert sum(header.sectionSize(i) for i in range(5)) <= view.viewport().width() + 2
    receipt = model.item(0, 1)
    assert receipt.toolTip() == window.last_outcome.receipt_no
