"""The counter window's offset (R4): the account view's button opens the supervisor dialog,
and after it the account shows the arrears settled from the prepayment. The real window, the
demo data, the meters simulated on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt

from tests.ui.conftest import CounterEnv, counter_env, counter_look, signed_in_window
from tests.ui.helpers import WAIT_MS, find_customer, pay

__all__ = ["counter_env", "counter_look", "signed_in_window"]

LI_NA = "100000000003"  # one card-mode meter: a payment waits in prepayment


def test_offset_from_the_account_view(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, LI_NA, LI_NA)
    pay(qtbot, window, "80")
    assert not window.offset_button.isEnabled()  # no arrears: nothing to offset
    counter_env.counter.services.payments.issue_bill(LI_NA, 5_000, issued_on=dt.date(2026, 10, 1))
    window.reload_account()
    qtbot.waitUntil(lambda: window.account.arrears_fen == 5_000, timeout=WAIT_MS)
    qtbot.waitUntil(window.offset_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(window.offset_button, Qt.MouseButton.LeftButton)
    dialog = window.offset_dialog
    assert dialog is not None and "50.00" in dialog.summary.text()
    qtbot.keyClicks(dialog.reason, "customer asked")
    qtbot.keyClicks(dialog.supervisor, "super1")
    qtbot.keyClicks(dialog.password, "super1-pass")
    dialog.confirm()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.account.arrears_fen == 0, timeout=WAIT_MS)
    assert window.account.prepayment_fen == 3_000
    assert any(p.channel == "offset" for p in window.account.payments)
