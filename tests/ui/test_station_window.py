"""The counter window in station mode: 下发中 (result not yet known), then the result.

A real ``meter-station`` process serves the simulated demo meters; the window pays through
the real services, the hand-over workers run in this process (as in the embedded default)
and apply the station's result; the window watches the purchase and shows the final word.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from counter_app.app import context_from_counter
from counter_app.bootstrap import make_workers
from counter_app.server.workers import HandoverWorkers
from counter_app.ui.workers import DeviceEvents, Workers
from meter_link.simulator.faults import Fault, FaultKind
from tests.fixtures.collection import CollectionWorld, start_collection, stop_collection
from tests.ui.conftest import sign_in
from tests.ui.helpers import find_customer, print_receipt, start_payment

ZHANG_WEI = "100000000001"
METER_1 = "000000000001"
LONG_MS = 90_000


@dataclass
class StationCounter:
    world: CollectionWorld
    context: Any
    workers: Workers
    events: DeviceEvents
    handover_workers: HandoverWorkers


@pytest.fixture
def station_counter(tmp_path: Path, fast_password_hashing: None) -> Iterator[StationCounter]:
    world = start_collection(tmp_path, wait_seconds=1.0, station_timeout_s=3.0)
    context = context_from_counter(world.counter, with_card=False)
    background = make_workers(world.counter, interval_s=0.3)
    background.start()
    env = StationCounter(world, context, Workers(), DeviceEvents(), background)
    yield env
    env.workers.shutdown()
    background.stop()
    stop_collection(world)


def _window(qtbot: Any, env: StationCounter) -> Any:
    from counter_app.ui.main_window import MainWindow

    user = sign_in(qtbot, env, "teller1", "teller1-pass")  # type: ignore[arg-type]
    window = MainWindow(env.context, user, env.workers, env.events)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    return window


def test_window_shows_result_not_yet_known_then_the_result(
    qtbot: Any, station_counter: StationCounter, receipts_to_files: Path
) -> None:
    env = station_counter
    # a slow channel: the station needs longer than the window follows a task live
    env.world.simulator.inject(METER_1, Fault(FaultKind.SLOW_REPLY, times=None, seconds=0.5))
    window = _window(qtbot, env)
    find_customer(qtbot, window, "张伟", ZHANG_WEI)
    dialog = start_payment(qtbot, window, "30")
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.last_dispatch is not None, timeout=LONG_MS)
    assert window.last_dispatch.pending, window.last_dispatch
    assert not window.money_busy  # the teller may go on: 下发中 is a normal state
    assert "下发中" in window.progress.outcome.text()
    assert window.progress.outcome.property("outcome") == "pending"
    assert window.watching == window.last_outcome.purchase_id
    steps = " | ".join(window.progress.step_texts())
    assert "通道测试" in steps or "channel test" in steps, steps  # the station's live steps
    text = print_receipt(qtbot, window, receipts_to_files)
    assert "下发中" in text  # the receipt says so; the SMS tells the result later

    qtbot.waitUntil(
        lambda: window.watching is None and window.last_dispatch.loaded, timeout=LONG_MS
    )
    assert window.progress.outcome.property("outcome") == "success"
    assert env.world.meter_count(METER_1) == 1
    qtbot.waitUntil(lambda: window.account.meters[0].committed_count == 1, timeout=LONG_MS)


def test_account_suggests_a_card_after_repeated_channel_failures_today(
    qtbot: Any, station_counter: StationCounter
) -> None:
    env = station_counter
    env.world.simulator.inject(METER_1, Fault(FaultKind.NO_REPLY, times=None))
    window = _window(qtbot, env)
    find_customer(qtbot, window, "张伟", ZHANG_WEI)
    qtbot.waitUntil(lambda: window.account_view.channel_label.isVisible(), timeout=LONG_MS)
    assert not window.account_view.suggests_card  # nothing failed yet today
    dialog = start_payment(qtbot, window, "20")
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            window.last_dispatch is not None
            and not window.last_dispatch.pending
            and window.watching is None
        ),
        timeout=LONG_MS,
    )
    assert window.last_dispatch.work_order_id is not None  # final failure: R10 on our side
    qtbot.waitUntil(lambda: window.account_view.suggests_card, timeout=LONG_MS)
    label = window.account_view.channel_label.text()
    assert METER_1 in label and "meter-silent" in label
    assert window.account_view.channel_label.property("suggestCard") is True
