"""Cash at the desk: what the customer hands over, the change shown big, a tender short of the
amount refused, a large amount confirmed twice, and a warning before taking money the meter
would refuse for its hoarding limit (R21) — all by keyboard in the real window."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt

from counter_app.services import audit
from tests.services.test_thermal import network_printer
from tests.ui.conftest import CounterEnv
from tests.ui.helpers import WAIT_MS, find_customer, pdf_text, print_receipt

__all__ = ["network_printer"]  # a receipt printer on 127.0.0.1 (fixture)

WANG_FANG = "100000000002"  # arrears 177.70, meter balance 12.00
ZHAO_MIN = "100000000007"  # no arrears, meter 000000000008 with a balance of 100.00


def type_amounts(qtbot: Any, window: Any, amount: str, tendered: str) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.keyClicks(window.payment.amount, amount)
    qtbot.keyClick(window.payment.amount, Qt.Key.Key_Tab)  # to the channel (cash)
    window.payment.tendered.setFocus()
    qtbot.keyClicks(window.payment.tendered, tendered)


def test_cash_tendered_change_shown_and_recorded(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, WANG_FANG, WANG_FANG)
    assert window.payment.tendered.isVisible()
    type_amounts(qtbot, window, "177.70", "200")
    assert window.payment.change_value.text() == "¥22.30"
    assert window.payment.change_value.font().pointSize() >= 18  # big, read at a glance
    qtbot.keyClick(window.payment.tendered, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.confirm_dialog is not None and window.confirm_dialog.isVisible(),
        timeout=WAIT_MS,
    )
    assert "¥22.30" in window.confirm_dialog.text.text()
    qtbot.keyClick(window.confirm_dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.payments_taken == 1 and not window.money_busy, timeout=WAIT_MS)
    assert any("¥22.30" in step for step in window.progress.step_texts())
    # the change stays big while the teller counts it out, until the next amount is typed
    assert window.payment.change_value.text() == "¥22.30"
    qtbot.keyClicks(window.payment.amount, "5")
    assert window.payment.change_value.text() == "—"
    window.payment.amount.clear()
    (taken,) = audit.entries(
        entity="payment", entity_id=window.last_outcome.payment_id, actions=("take-payment",)
    )
    assert taken.after["tendered_fen"] == 20_000 and taken.after["change_fen"] == 2_230
    assert taken.after["amount_fen"] == 17_770  # only the amount is booked (I1)

    # another channel has no cash to hand back
    window.payment.channel.setCurrentIndex(window.payment.channel.findData("transfer"))
    assert not window.payment.tendered.isVisible()


def test_a_short_tender_is_refused_before_anything_happens(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    type_amounts(qtbot, window, "50", "20")
    qtbot.keyClick(window.payment.tendered, Qt.Key.Key_Return)
    assert window.confirm_dialog is None
    assert "less than the amount" in window.payment.error.text()
    assert window.payment.change_value.text() == "—"


def test_a_large_amount_needs_an_explicit_check(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    counter_env.context.desk = dataclasses.replace(
        counter_env.context.desk, large_amount_fen=10_000
    )
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.keyClicks(window.payment.amount, "150")
    qtbot.keyClick(window.payment.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.confirm_dialog is not None, timeout=WAIT_MS)
    dialog = window.confirm_dialog
    assert "Large amount" in dialog.warning_label.text()
    assert not dialog.confirm_button.isEnabled()
    dialog.confirm_button.click()  # nothing: not checked yet
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert not dialog.confirmed and window.payments_taken == 0
    qtbot.keyClick(dialog.checked, Qt.Key.Key_Space)
    assert dialog.confirm_button.isEnabled()
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.payments_taken == 1 and not window.money_busy, timeout=WAIT_MS)


def test_warning_before_a_purchase_past_the_hoarding_limit_r21(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    counter_env.context.desk = dataclasses.replace(
        counter_env.context.desk, hoarding_limit_fen=15_000
    )
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    assert window.account.meters[0].last_balance_fen == 10_000
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.keyClicks(window.payment.amount, "80")
    qtbot.keyClick(window.payment.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.confirm_dialog is not None, timeout=WAIT_MS)
    dialog = window.confirm_dialog
    text = dialog.warning_label.text()
    assert "hoarding limit" in text and "¥150.00" in text and "¥50.00" in text  # room left
    assert not dialog.confirm_button.isEnabled()
    dialog.reject()
    window.confirm_dialog = None
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    window.payment.amount.clear()
    qtbot.keyClicks(window.payment.amount, "50")  # what fits
    qtbot.keyClick(window.payment.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.confirm_dialog is not None, timeout=WAIT_MS)
    assert not window.confirm_dialog.warnings and window.confirm_dialog.confirm_button.isEnabled()


def test_receipt_and_its_copy_as_the_hall_prints_them(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any, receipts_to_files: Any
) -> None:
    counter_env.context.desk = dataclasses.replace(
        counter_env.context.desk, supplier="国网示范供电公司", hall="城东营业厅", tariff=5_283
    )
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, WANG_FANG, WANG_FANG)
    type_amounts(qtbot, window, "177.70", "200")
    qtbot.keyClick(window.payment.tendered, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.confirm_dialog is not None, timeout=WAIT_MS)
    qtbot.keyClick(window.confirm_dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.payments_taken == 1 and not window.money_busy, timeout=WAIT_MS)
    text = print_receipt(qtbot, window, receipts_to_files)
    for expected in ("国网示范供电公司", "城东营业厅", "壹佰柒拾柒元柒角", "实收", "¥200.00"):
        assert expected in text, expected
    assert "找零" in text and "¥22.30" in text and "补打" not in text

    qtbot.waitUntil(lambda: window.reprint_button.isEnabled(), timeout=WAIT_MS)
    window.preview = None
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.preview is not None, timeout=WAIT_MS)
    window.preview.print_now()
    copy = pdf_text(next(receipts_to_files.glob("*-copy.pdf")))
    assert "COPY" in copy and "补打时间" in copy and "补打人" in copy and "Teller One" in copy
    assert "¥22.30" in copy  # the reprint says what the original said


def test_f9_prints_on_the_receipt_printer_and_opens_the_drawer(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any, network_printer: Any
) -> None:
    from counter_app.config import ThermalPrinterConfig

    port, received, done = network_printer
    counter_env.context.receipt_printer = ThermalPrinterConfig(
        kind="network", host="127.0.0.1", port=port
    )
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, WANG_FANG, WANG_FANG)
    type_amounts(qtbot, window, "177.70", "200")
    qtbot.keyClick(window.payment.tendered, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.confirm_dialog is not None, timeout=WAIT_MS)
    qtbot.keyClick(window.confirm_dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.payments_taken == 1 and not window.money_busy, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(
        lambda: window.preview is not None and window.preview.isVisible(), timeout=WAIT_MS
    )
    qtbot.keyClick(window.preview, Qt.Key.Key_F9)
    assert done.wait(10), window.preview.status.text()
    assert "receipt printer" in window.preview.status.text()
    for text in ("电费缴费凭证", "壹佰柒拾柒元柒角", "找零", "¥22.30"):
        assert text.encode("gb18030") in received, text
    assert b"\x1dV\x00" in received and b"\x1bp\x00" in received  # cut, then the drawer
