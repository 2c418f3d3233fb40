"""Payments through the real collection system: a ``meter-station`` process on loopback.

Every test pays through the services (or ``counterctl pay``) of a counter whose dispatch
mode is ``station``, lets the result come back (followed live, polled by the workers or
called back) and checks the outcome on both sides: the purchase and its work order, SMS
and audit on ours; the meter's own purchase count on the simulated bus. I1 and I2 are
checked after each (`check_database`).
"""

from __future__ import annotations

from counter_app.core.purchase_state import PurchaseState
from counter_app.services.checks import check_database
from counter_app.store.models import (
    AuditLog,
    DispatchAttempt,
    Meter,
    Notification,
    Purchase,
    StationTask,
    WorkOrder,
)
from meter_link.simulator.faults import Fault, FaultKind
from tests.fixtures.station import CollectionWorld

ZHANG_WEI = "100000000001"  # one remote meter (000000000001), SMS subscribed
ZHAO_MIN = "100000000007"  # one remote meter (000000000008), no SMS
METER_1 = "000000000001"
METER_8 = "000000000008"


def assert_books_hold() -> None:
    breaks = check_database()
    assert not breaks, breaks  # I1 and I2


def test_payment_is_loaded_through_the_station_r7_i2(collection: CollectionWorld) -> None:
    before = collection.meter_balance(METER_1)
    outcome = collection.services.payments.take_payment(ZHANG_WEI, 8_800, operator="teller1")
    summary = outcome.dispatch
    assert summary is not None and summary.loaded and summary.outcome == "success"
    task = StationTask.get(StationTask.purchase == outcome.purchase_id)
    assert task.state == "applied" and task.outcome == "success"
    # the station's own record of the task agrees
    view = collection.station.get(f"/tasks/{task.task_id}")
    assert view["state"] == "done" and view["outcome"] == "success" and view["count"] == 1
    # the meter loaded purchase 1 once; our committed count followed it (I2)
    assert collection.meter_count(METER_1) == 1
    assert collection.meter_balance(METER_1) == before + 8_800
    assert Meter.get(Meter.address == METER_1).committed_count == 1
    assert Purchase.get_by_id(outcome.purchase_id).state == PurchaseState.LOADED
    sms = Notification.get(Notification.template == "dispatch-success")
    assert "88.00" in sms.body
    actions = [a.action for a in AuditLog.select().where(AuditLog.entity == "purchase")]
    assert "dispatch-handed-over" in actions and "dispatch-result-applied" in actions
    assert_books_hold()


def test_meter_silent_three_attempts_then_work_order_and_sms_r9_r10_r11(
    collection: CollectionWorld,
) -> None:
    collection.simulator.inject(METER_1, Fault(FaultKind.NO_REPLY, times=None))
    outcome = collection.services.payments.take_payment(ZHANG_WEI, 5_000, operator="teller1")
    summary = outcome.dispatch
    assert summary is not None and not summary.loaded, summary
    assert summary.outcome == "channel-failure" and summary.reason == "meter-silent"
    purchase = Purchase.get_by_id(outcome.purchase_id)
    assert purchase.state == PurchaseState.WORK_ORDER
    order = WorkOrder.get(WorkOrder.purchase == purchase.id)
    assert order.state == "open" and summary.work_order_id == order.id
    attempts = list(DispatchAttempt.select().where(DispatchAttempt.purchase == purchase.id))
    assert len(attempts) == 3  # R9: the station's three attempts, recorded on our side
    assert {a.reason for a in attempts} == {"meter-silent"}
    sms = Notification.get(Notification.template == "dispatch-failed")
    assert "失败" in sms.body and "50.00" in sms.body
    assert collection.meter_count(METER_1) == 0
    assert Meter.get(Meter.address == METER_1).committed_count == 0
    assert_books_hold()
