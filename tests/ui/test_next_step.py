"""The teller never sees an unresolved purchase without a next step (R8, R10).

A purchase left ``dispatching`` (the counter died after starting the dispatch) is settled from
the window with F7: the meter is probed through the real DL/T 645 link to the simulated meter,
and the purchase is loaded or goes to a re-dispatch work order. The "unresolved" result text
names that step.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from counter_app.services.dispatching import DispatchSummary
from counter_app.store.models import Purchase, WorkOrder
from tests.ui.conftest import CounterEnv
from tests.ui.helpers import WAIT_MS, find_customer

ZHAO_MIN = "100000000007"  # one remote meter (000000000008), no arrears


def test_f7_settles_a_dispatch_left_unresolved_by_a_crash(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    services = counter_env.counter.services
    out = services.payments.take_payment(ZHAO_MIN, 3_000, operator="teller1", dispatch=False)
    services.dispatch._start(out.purchase_id, "teller1")  # the counter died right after this
    assert Purchase.get_by_id(out.purchase_id).state == "dispatching"
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    qtbot.keyClick(window, Qt.Key.Key_F7)
    qtbot.waitUntil(
        lambda: not window.money_busy and "work order" in window.progress.outcome.text(),
        timeout=WAIT_MS,
    )
    # the meter was still at n-1: the recharge never arrived; back to the retry path (R10)
    purchase = Purchase.get_by_id(out.purchase_id)
    assert purchase.state == "work-order"
    assert WorkOrder.get(WorkOrder.purchase == purchase.id).state == "open"
    assert "F6" in window.progress.outcome.text()
    # nothing left: F7 again says so
    qtbot.keyClick(window, Qt.Key.Key_F7)
    qtbot.waitUntil(
        lambda: not window.money_busy and "Nothing waits" in window.progress.outcome.text(),
        timeout=WAIT_MS,
    )


def test_unresolved_result_names_the_next_step(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    window._on_dispatched(
        DispatchSummary(1, 1, "unresolved", "link broke", "dispatching", None, None, 1, None)
    )
    text = window.progress.outcome.text()
    assert "Unresolved" in text and "F7" in text and "work order" in text
