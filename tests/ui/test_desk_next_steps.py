"""The panel's next step is always true: F6 only when there is a card to write and a reader
to write it with, Ctrl+P and F8 only when there is a payment to act on, and the 处理结果
column saying where the money really went (R2, R6, R7, R10, R15).
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from meter_link.simulator.faults import Fault, FaultKind
from tests.ui.conftest import SUPERVISOR, CounterEnv
from tests.ui.helpers import WAIT_MS, find_customer, pay

CHEN_JING = "100000000005"  # two card meters: R6, the money waits for a card write
ZHAO_MIN = "100000000007"  # one remote meter 000000000008, no arrears
YANG_LEI = "100000000006"  # remote meter with arrears of 123.45


def reverse_last_payment(qtbot: Any, window: Any) -> None:
    window.reversal_dialog = None
    qtbot.keyClick(window, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: window.reversal_dialog is not None, timeout=WAIT_MS)
    dialog = window.reversal_dialog
    qtbot.waitUntil(lambda: dialog.case is not None, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.reason, "customer changed their mind")
    qtbot.keyClicks(dialog.supervisor, SUPERVISOR[0])
    qtbot.keyClicks(dialog.password, SUPERVISOR[1])
    dialog.confirm()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT_MS)
    qtbot.waitUntil(  # the reversal receipt opens; the teller closes it
        lambda: window.preview is not None and window.preview.isVisible(), timeout=WAIT_MS
    )
    window.preview.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)


def result_column(window: Any) -> list[str]:
    model = window.account_view.payments
    return [model.item(r, 4).text() for r in range(model.rowCount())]


def test_without_a_reader_the_panel_says_why_f6_is_off(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    assert window.context.purchase_card is None
    find_customer(qtbot, window, "陈静", CHEN_JING)
    outcome = pay(qtbot, window, "100")
    assert outcome.route == "card"
    text = window.progress.outcome.text()
    assert "Write the card now (F6)" not in text
    assert "no card reader" in text and "F6 is off" in text
    assert not window.card_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert window.card_dialog is None
    assert "card reader" in window.statusBar().currentMessage()


def test_reversing_a_multi_meter_payment_voids_the_card_step(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, "陈静", CHEN_JING)
    outcome = pay(qtbot, window, "100")
    assert outcome.route == "card" and window.card_work_waiting()
    reverse_last_payment(qtbot, window)
    qtbot.waitUntil(lambda: window.account.payments[0].reversed, timeout=WAIT_MS)
    text = window.progress.outcome.text()
    assert "F6" not in text and "reversed" in text
    assert not window.card_work_waiting() and not window.card_button.isEnabled()
    assert "reversed" in result_column(window)[0]
    # nothing left to reverse: F8 is off, and pressing it says so
    assert not window.reversal_button.isEnabled()
    window.reversal_dialog = None
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.reversal_dialog is None
    assert "Nothing to reverse" in window.statusBar().currentMessage()


@pytest.mark.pcsc
def test_with_a_reader_f6_is_off_once_the_card_payment_is_reversed(
    qtbot: Any, card_counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(card_counter_env)
    find_customer(qtbot, window, "陈静", CHEN_JING)
    pay(qtbot, window, "100")
    assert "Write the card now (F6)" in window.progress.outcome.text()
    assert window.card_button.isEnabled()
    reverse_last_payment(qtbot, window)
    qtbot.waitUntil(lambda: window.account.payments[0].reversed, timeout=WAIT_MS)
    assert "F6" not in window.progress.outcome.text()
    assert not window.card_button.isEnabled()


def test_ctrl_p_and_f8_are_off_with_nothing_to_act_on(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    assert window.account.payments == ()
    assert not window.reprint_button.isEnabled() and not window.reversal_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.preview is None
    assert "Nothing to reprint" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.reversal_dialog is None
    assert "Nothing to reverse" in window.statusBar().currentMessage()
    pay(qtbot, window, "10")
    assert window.reprint_button.isEnabled() and window.reversal_button.isEnabled()


def test_result_column_says_what_really_happened(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    pay(qtbot, window, "10")
    assert result_column(window)[0] == "loaded into the meter remotely"

    counter_env.simulator.inject("000000000008", Fault(FaultKind.NO_REPLY, times=None))
    pay(qtbot, window, "20", timeout=30_000)
    assert not window.last_dispatch.loaded
    qtbot.waitUntil(lambda: "work order" in result_column(window)[0], timeout=WAIT_MS)
    assert "dispatch failed" in result_column(window)[0]

    find_customer(qtbot, window, YANG_LEI, YANG_LEI)
    pay(qtbot, window, "10")  # arrears remain (R2): nothing is sent
    assert result_column(window)[0].startswith("waiting in prepayment: arrears remain")
