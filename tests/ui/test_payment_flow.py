"""The counter window end to end: sign in → find → pay → dispatch → receipt (R1–R3, R7–R9).

Driven by the keyboard through the real window, the real services on SQLite and the real
DL/T 645 client talking to the simulated demo meters on 127.0.0.1.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer

from counter_app.store.models import Payment, Purchase
from meter_link.simulator.faults import Fault, FaultKind
from tests.ui.conftest import SUPERVISOR, CounterEnv
from tests.ui.helpers import (
    WAIT_MS,
    find_customer,
    pay,
    pdf_text,
    print_receipt,
    start_payment,
)

WANG_FANG = "100000000002"  # one remote meter, two unpaid bills (177.70 yuan), balance 12.00
ZHAO_MIN = "100000000007"  # one remote meter, no arrears, balance 100.00
YANG_LEI = "100000000006"  # one remote meter with arrears of 123.45


def test_sign_in_find_pay_dispatch_receipt_r1_r3_r7(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any, receipts_to_files: Path
) -> None:
    window = signed_in_window(counter_env)
    assert "柜员一" in window.user_label.text() and "test-01" in window.counter_label.text()
    assert "shift" in window.shift_label.text().lower()

    find_customer(qtbot, window, "王芳", WANG_FANG)
    assert window.account.arrears_fen == 17_770
    dialog = start_payment(qtbot, window, "200")
    plan_text = dialog.text.text()
    assert "¥177.70" in plan_text  # R1: arrears first
    assert "¥22.30" in plan_text and "sent to the meter now" in plan_text  # R3 + dispatch
    taken = window.payments_taken
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.payments_taken == taken + 1 and not window.money_busy, timeout=WAIT_MS
    )

    summary = window.last_dispatch
    assert summary is not None and summary.loaded and summary.outcome == "success"
    steps = " | ".join(window.progress.step_texts())
    for step in ("channel test", "count check", "recharge", "Attempt 1 of 3"):
        assert step in steps, steps
    with counter_env.meter("000000000002") as meter:
        assert meter.purchase_count == 1
        assert meter.balance_fen == 1_200 + 2_230
    qtbot.waitUntil(lambda: window.account.arrears_fen == 0, timeout=WAIT_MS)

    text = print_receipt(qtbot, window, receipts_to_files)
    receipt_no = window.last_outcome.receipt_no
    for expected in (
        receipt_no,
        "¥200.00",
        "¥177.70",
        "¥22.30",
        "远程下发成功",
        "王芳",
        "柜员一",  # the operator by name
        "test-01",
        "000000000002",
    ):
        assert expected in text, expected
    assert "副本" not in text

    # a second print of the same payment is a COPY with the same number
    copy_text = print_receipt(qtbot, window, receipts_to_files)
    assert "副本" in copy_text and receipt_no in copy_text


def test_double_enter_makes_one_payment(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    dialog = start_payment(qtbot, window, "50")
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    dialog.confirm_button.click()
    qtbot.keyClick(window.payment.amount, Qt.Key.Key_Return)  # Enter again in the window
    window.request_payment(5_000, "counter")
    qtbot.waitUntil(lambda: window.payments_taken == 1 and not window.money_busy, timeout=WAIT_MS)
    qtbot.wait(200)  # let any stray queued event run; then prove nothing else was paid
    assert Payment.select().count() == 1
    assert Purchase.select().count() == 1


def test_arrears_keep_money_in_prepayment_r2(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any, receipts_to_files: Path
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, "杨磊", YANG_LEI)
    outcome = pay(qtbot, window, "100")
    assert outcome.route == "none" and outcome.reason == "arrears-remain"
    assert window.last_dispatch is None
    assert "arrears remain" in window.progress.outcome.text()
    text = print_receipt(qtbot, window, receipts_to_files)
    assert "尚有欠费未结清" in text and "¥23.45" in text


def test_amount_is_validated_inline(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    qtbot.keyClicks(window.payment.amount, "12.345")
    assert window.payment.error.text()
    assert window.payment.amount.property("invalid") is True
    qtbot.keyClick(window.payment.amount, Qt.Key.Key_Return)
    assert window.confirm_dialog is None  # nothing to confirm
    window.payment.amount.clear()
    qtbot.keyClicks(window.payment.amount, "12.34")
    assert not window.payment.error.text()


def test_failed_dispatch_says_why_and_offers_the_card_r10(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    counter_env.simulator.inject("000000000008", Fault(FaultKind.NO_REPLY, times=None))
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    pay(qtbot, window, "30", timeout=30_000)
    summary = window.last_dispatch
    assert not summary.loaded and summary.attempts == 3 and summary.work_order_id
    assert "Attempt 3 of 3" in " ".join(window.progress.step_texts())
    assert "work order" in window.progress.outcome.text()
    assert window.progress.outcome.property("outcome") == "failure"


def test_event_loop_keeps_running_while_the_meter_takes_5_s(
    qtbot: Any, slow_counter_env: CounterEnv, signed_in_window: Any
) -> None:
    """The dispatch runs on the meter bus's owner thread: the GUI thread keeps ticking."""
    env = slow_counter_env
    env.simulator.inject("000000000008", Fault(FaultKind.SLOW_REPLY, times=1, seconds=5.0))
    window = signed_in_window(env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    started = time.monotonic()
    pay(qtbot, window, "20", timeout=30_000)
    elapsed = time.monotonic() - started
    timer.stop()
    assert window.last_dispatch.loaded
    assert window.dispatch_thread.startswith("meter-bus")  # the bus's owner thread
    assert elapsed >= 5.0
    during = [t for t in ticks if t - started < elapsed]
    assert len(during) >= 60, len(during)  # ~100 expected at 50 ms
    gaps = [b - a for a, b in itertools.pairwise(during)]
    assert max(gaps) < 0.5, max(gaps)


def test_reversal_refused_without_a_supervisor_done_with_one_r15(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any, receipts_to_files: Path
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    outcome = pay(qtbot, window, "40")
    assert window.last_dispatch.loaded

    qtbot.keyClick(window, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: window.reversal_dialog is not None, timeout=WAIT_MS)
    dialog = window.reversal_dialog
    qtbot.waitUntil(lambda: dialog.case is not None, timeout=WAIT_MS)
    assert dialog.case == "payment-only"  # the purchase was loaded: R15 refund only
    assert "keeps the credit" in dialog.case_label.text()

    qtbot.keyClicks(dialog.reason, "wrong amount typed")
    dialog.confirm()  # no supervisor at all
    assert "supervisor" in dialog.message.text().lower()
    assert dialog.outcome is None

    qtbot.keyClicks(dialog.supervisor, "teller1")  # the teller's own account
    qtbot.keyClicks(dialog.password, "teller1-pass")
    dialog.confirm()
    qtbot.waitUntil(lambda: "Refused" in dialog.message.text(), timeout=WAIT_MS)
    assert not Payment.get_by_id(outcome.payment_id).reversed

    dialog.supervisor.clear()
    qtbot.keyClicks(dialog.supervisor, SUPERVISOR[0])
    qtbot.keyClicks(dialog.password, SUPERVISOR[1])
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT_MS)
    assert Payment.get_by_id(outcome.payment_id).reversed
    assert dialog.outcome.debit_fen == 4_000  # the meter keeps it: arrears (R15)
    qtbot.waitUntil(
        lambda: window.preview is not None and window.preview.isVisible(), timeout=WAIT_MS
    )
    window.preview.print_now()
    text = "".join(pdf_text(p) for p in receipts_to_files.glob("*-R.pdf"))
    for expected in ("冲正凭证", "super1", "wrong amount typed", outcome.receipt_no, "¥40.00"):
        assert expected in text, expected


def test_multi_meter_household_goes_the_card_path_r6(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, "陈静", "100000000005")
    assert len(window.account.meters) == 2
    dialog = start_payment(qtbot, window, "100")
    assert "several card meters" in dialog.text.text()
    assert "sent to the meter now" not in dialog.text.text()
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.payments_taken == 1 and not window.money_busy, timeout=WAIT_MS)
    outcome = window.last_outcome
    assert outcome.route == "card" and outcome.reason == "multi-meter"
    assert outcome.purchase_id is None and window.last_dispatch is None
    assert "F6" in window.progress.outcome.text()
    assert Purchase.select().count() == 0  # R6: never dispatched directly
    with counter_env.meter("000000000005") as m5, counter_env.meter("000000000006") as m6:
        assert m5.purchase_count == 0 and m6.purchase_count == 0


def test_search_is_debounced_and_capped(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    from counter_app.services import counter_views

    calls: list[str] = []

    def counting(text: str) -> counter_views.SearchResult:
        calls.append(text)
        return counter_views.search_customers(text, limit=3)

    window = signed_in_window(counter_env)
    window.search._search = counting
    qtbot.keyClicks(window.search.edit, "1000000000")  # ten keys, typed quickly
    qtbot.waitUntil(lambda: window.search.last_result is not None, timeout=WAIT_MS)
    assert calls == ["1000000000"]  # one query per pause, not per key
    assert len(window.search.last_result.hits) == 3 and window.search.last_result.more
    assert "First 3" in window.search.status.text()
    # phone and meter number find the customer too
    assert [h.customer_no for h in counter_views.search_customers("13800000007").hits] == [ZHAO_MIN]
    assert [h.customer_no for h in counter_views.search_customers("000000000006").hits] == [
        "100000000005"
    ]


def test_next_customer_clears_the_desk(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    pay(qtbot, window, "10")
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.account is None and window.last_outcome is None
    assert window.search.edit.text() == "" and window.search.edit.hasFocus()


def test_reversal_of_a_purchase_that_never_reached_the_meter_frees_its_count_r15(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    counter_env.simulator.inject("000000000008", Fault(FaultKind.NO_REPLY, times=None))
    window = signed_in_window(counter_env)
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    outcome = pay(qtbot, window, "25", timeout=30_000)
    assert not window.last_dispatch.loaded

    window.open_reversal()
    dialog = window.reversal_dialog
    qtbot.waitUntil(lambda: dialog.case is not None, timeout=WAIT_MS)
    assert dialog.case == "payment-and-purchase"
    assert "free again" in dialog.case_label.text()
    qtbot.keyClicks(dialog.reason, "customer changed their mind")
    qtbot.keyClicks(dialog.supervisor, SUPERVISOR[0])
    qtbot.keyClicks(dialog.password, SUPERVISOR[1])
    dialog.confirm()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT_MS)
    assert dialog.outcome.purchase_reversed and dialog.outcome.debit_fen == 0
    assert Purchase.get_by_id(outcome.purchase_id).state == "reversed"
    with counter_env.meter("000000000008") as meter:
        assert meter.purchase_count == 0  # nothing reached the meter


def test_an_unexpected_error_gets_the_report_dialog(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    from PySide6.QtWidgets import QApplication

    from counter_app.ui.errors import ReportDialog, show_exception

    window = signed_in_window(counter_env)
    try:
        raise RuntimeError("a bug nobody foresaw")
    except RuntimeError as exc:
        show_exception(window, exc)
    reports = [w for w in QApplication.topLevelWidgets() if isinstance(w, ReportDialog)]
    assert reports and reports[-1].isVisible()
    reports[-1].close()


def test_the_window_shows_the_tellers_cash_shift(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    from counter_app.services import auth

    shifts = counter_env.context.shifts
    if shifts is None:
        import pytest

        pytest.skip("this build has no cash-shift service")
    opened = shifts.open_shift(auth.get_user("teller1"), 50_000)
    window = signed_in_window(counter_env)
    qtbot.waitUntil(lambda: window.cash_shift is not None, timeout=WAIT_MS)
    assert f"Shift no. {opened.id}" in window.shift_label.text()
