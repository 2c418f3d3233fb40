"""Re-dispatch work orders in the back office (R10, R11, R12) against the real services, the
simulated meter bus (DL/T 645 over TCP) and, for the card path, pcscd + vpcd.

a failed dispatch's order retried to success; an order closed as
failed queues the SMS and the customer's card path works.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt

from counter_app.store.models import Meter, Notification, Purchase, WorkOrder
from meter_link.simulator.faults import Fault, FaultKind
from tests.backoffice.conftest import WAIT_MS
from tests.ui.conftest import CounterEnv

ZHANG_WEI = "100000000001"  # one remote meter 000000000001, SMS subscribed
ADDRESS = "000000000001"


def failed_dispatch(env: CounterEnv, amount_fen: int = 6_000) -> int:
    """A counter payment whose dispatch fails three times (meter silent): a work order (R10)."""
    env.simulator.inject(ADDRESS, Fault(FaultKind.NO_REPLY, times=None))
    out = env.counter.services.payments.take_payment(ZHANG_WEI, amount_fen, operator="teller1")
    env.simulator.clear_faults()
    assert out.purchase_id is not None
    assert Purchase.get_by_id(out.purchase_id).state == "work-order"
    return int(out.purchase_id)


def wait_orders(qtbot: Any, tab: Any, n: int) -> None:
    qtbot.waitUntil(lambda: not tab.loading and len(tab.orders) == n, timeout=WAIT_MS)


def test_r10_failed_dispatch_order_retried_to_success_with_live_steps(
    qtbot: Any, bo_env: CounterEnv, back_office: Any
) -> None:
    purchase_id = failed_dispatch(bo_env)
    window = back_office(bo_env, "tech1", "tech1-pass")
    tab = window.tab("work-orders")
    assert tab is not None and window.tab("card-workbench") is not None
    tab.refresh()
    wait_orders(qtbot, tab, 1)
    (order,) = tab.orders
    assert order.purchase_id == purchase_id and order.state == "open"
    assert order.attempts == 3 and order.due_at is not None and order.due_at > order.created_at
    assert tab.table.item(0, 7).text() != "—"  # due time shown

    tab.table.selectRow(0)
    qtbot.waitUntil(lambda: tab.history is not None, timeout=WAIT_MS)
    assert [a.attempt_no for a in tab.history.attempts] == [1, 2, 3]  # R9 recorded
    qtbot.waitUntil(tab.retry_button.isEnabled, timeout=WAIT_MS)
    tab.retry_button.click()
    qtbot.waitUntil(lambda: tab.last_summary is not None, timeout=WAIT_MS)
    assert tab.last_summary.loaded and tab.last_summary.count == 1
    steps = " | ".join(tab.steps)
    assert "Attempt 1 of 3: channel test" in steps and "recharge" in steps
    with bo_env.meter(ADDRESS) as meter:
        assert meter.purchase_count == 1 and meter.last_purchase_fen == 6_000
    assert Purchase.get_by_id(purchase_id).state == "loaded"
    assert WorkOrder.get(WorkOrder.purchase == purchase_id).state == "closed-success"
    assert Meter.get(Meter.address == ADDRESS).committed_count == 1
    wait_orders(qtbot, tab, 0)  # the queue is empty again
    # the history keeps every attempt: three failed in round 1, the retry's success in round 2
    qtbot.waitUntil(
        lambda: tab.history is not None and len(tab.history.attempts) == 4, timeout=WAIT_MS
    )
    assert [(a.round_no, a.outcome) for a in tab.history.attempts][-1] == (2, "success")
    actions = [e.action for e in tab.history.events]
    assert "work-order-taken" in actions and "dispatch-loaded" in actions


@pytest.mark.pcsc
def test_r10_r11_closed_as_failed_queues_sms_and_the_card_path_loads_it(
    qtbot: Any, bo_card_env: CounterEnv, back_office: Any, virtual_card_factory: Any
) -> None:
    from card_io.meter_card import insert_card
    from tests.fixtures.pcsc import insert

    env = bo_card_env
    purchase_id = failed_dispatch(env)
    window = back_office(env, "super1", "super1-pass")
    tab = window.tab("work-orders")
    assert window.tab("card-workbench") is not None  # supervisors read cards
    tab.refresh()
    wait_orders(qtbot, tab, 1)
    tab.table.selectRow(0)
    qtbot.waitUntil(tab.close_failed_button.isEnabled, timeout=WAIT_MS)
    tab.close_failed_button.click()  # without a note: refused in words
    assert "note" in tab.status.text() and tab.last_closed is None
    tab.note.setText("meter unreachable for two days")
    tab.close_failed_button.click()
    qtbot.waitUntil(lambda: tab.last_closed is not None, timeout=WAIT_MS)
    assert WorkOrder.get(WorkOrder.purchase == purchase_id).state == "closed-failed"
    (sms,) = Notification.select().where(Notification.template == "bring-card")
    assert sms.phone == "13800000001" and sms.state == "queued"
    assert f"购电记录号{purchase_id}" in sms.body and "下发状态：失败" in sms.body
    assert "请携带购电卡" in sms.body

    # the customer brings the card: the teller's card fallback (F6 in the counter window)
    # writes the same purchase n=1 onto it (R10 -> R12)
    from counter_app.services import auth
    from counter_app.services.counter_views import load_account
    from counter_app.ui.card_write import CardWriteDialog

    card = virtual_card_factory(customer_no=ZHANG_WEI, meter_no=ADDRESS, count=0)
    with env.meter(ADDRESS) as meter:
        meter.card_serial = card.serial_hex
    insert(card)
    teller = auth.get_user("teller1")
    dialog = CardWriteDialog(env.context, env.workers, env.events, load_account(ZHANG_WEI), teller)
    qtbot.addWidget(dialog)
    assert dialog.purchase_id == purchase_id  # the failed purchase itself, same n
    dialog.read_card()
    qtbot.waitUntil(dialog.write_button.isEnabled, timeout=WAIT_MS)  # R12 checks passed
    dialog.write_card()
    qtbot.waitUntil(lambda: dialog.written, timeout=WAIT_MS)
    assert (dialog.ticket.purchase_id, dialog.ticket.count) == (purchase_id, 1)
    assert Purchase.get_by_id(purchase_id).state == "card-written"
    # ... the meter loads it, and the write-back read at the workbench closes the loop (R13)
    with env.meter(ADDRESS) as meter:
        result = insert_card(
            card, meter, dt.datetime(2026, 11, 24, 15, 0), env.context.purchase_card.crypto
        )
        assert result.ok and result.loaded_fen == 6_000 and meter.purchase_count == 1
    bench = window.tab("card-workbench")
    window.show_tab("card-workbench")
    bench.read_button.click()
    qtbot.waitUntil(lambda: bench.inspection is not None, timeout=WAIT_MS)
    assert bench.inspection.contents.write_back.count == 1
    bench.apply_button.click()
    qtbot.waitUntil(lambda: bench.last_writeback is not None, timeout=WAIT_MS)
    assert bench.last_writeback.loaded_purchase_ids == (purchase_id,)
    assert Purchase.get_by_id(purchase_id).state == "loaded"
    assert Meter.get(Meter.address == ADDRESS).committed_count == 1


def test_show_closed_ticked_while_the_queue_loads_shows_the_closed_orders(
    qtbot: Any, bo_env: CounterEnv, back_office: Any
) -> None:
    """A technician ticks "Show closed" as the window opens: the tick is not lost behind the
    queue's first load (the load in flight is followed by one with the closed orders)."""
    from counter_app.services import auth

    failed_dispatch(bo_env)
    tech = auth.sign_in("tech1", "tech1-pass", counter_id=bo_env.context.counter_id)
    orders = bo_env.counter.services.work_orders
    (order,) = orders.list_orders()
    orders.take(order.id, tech)
    orders.close(order.id, tech, success=False, note="meter burnt")
    window = back_office(bo_env, "tech1", "tech1-pass")
    tab = window.tab("work-orders")
    tab.refresh()
    assert tab.loading
    qtbot.mouseClick(tab.show_closed, Qt.MouseButton.LeftButton, pos=QPoint(4, 4))
    assert tab.show_closed.isChecked()
    qtbot.waitUntil(lambda: not tab.loading and tab.refreshes >= 1, timeout=WAIT_MS)
    qtbot.wait(200)
    assert [o.id for o in tab.orders] == [order.id] and tab.orders[0].state == "closed-failed"
