"""Payments through the real collection system: a ``meter-station`` process on loopback.

Every test pays through the services (or ``counterctl pay``) of a counter whose dispatch
mode is ``station``, lets the result come back (followed live, polled by the workers or
called back) and checks the outcome on both sides: the purchase and its work order, SMS
and audit on ours; the meter's own purchase count on the simulated bus. I1 and I2 are
checked after each (`check_database`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from counter_app.bootstrap import make_workers
from counter_app.core.purchase_state import PurchaseState
from counter_app.services.checks import check_database
from counter_app.services.errors import ReversalRefused
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
from tests.fixtures.collection import (
    BIN,
    CollectionWorld,
    start_collection,
    stop_collection,
    wait_until,
)

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


def test_a_task_the_station_refuses_is_a_final_failure_and_flags_the_meter_i2(
    collection: CollectionWorld,
) -> None:
    """Someone else already gave the station purchase 1 of this meter with another amount:
    the counts of the two sides disagree. The station refuses ours (409); on our side that
    is a final failure (R10 work order, R11 SMS) and the meter is flagged for reconciliation;
    nothing reaches the meter twice and nothing is committed (I2)."""
    import httpx

    foreign = httpx.post(
        f"{collection.station.url}/tasks",
        headers={"Authorization": f"Bearer {collection.station.token}"},
        json={
            "task_id": "elsewhere-1",
            "meter": METER_1,
            "customer_no": ZHANG_WEI,
            "amount_fen": 999,
            "count": 1,
            "origin": "counter:elsewhere",
        },
        timeout=10,
    )
    assert foreign.status_code == 202
    outcome = collection.services.payments.take_payment(ZHANG_WEI, 5_000, operator="teller1")
    summary = outcome.dispatch
    assert summary is not None and summary.outcome == "station-refused", summary
    task = StationTask.get(StationTask.purchase == outcome.purchase_id)
    assert task.state == "refused" and "409" in task.last_error
    assert Purchase.get_by_id(outcome.purchase_id).state == PurchaseState.WORK_ORDER
    assert WorkOrder.get(WorkOrder.purchase == outcome.purchase_id).state == "open"
    meter = Meter.get(Meter.address == METER_1)
    assert meter.needs_reconciliation and "refused" in meter.reconciliation_note
    assert meter.committed_count == 0
    assert Notification.select().where(Notification.template == "dispatch-failed").count() == 1
    assert_books_hold()


# -- neither side trusts the other to be up ---------------------------------------------------


def _run_workers_until_applied(world: CollectionWorld, purchase_id: int, timeout_s: float = 60):
    workers = make_workers(world.counter, interval_s=0.1)
    wait_until(
        lambda: (
            workers.run_once() is not None
            and StationTask.get(StationTask.purchase == purchase_id).state == "applied"
        ),
        timeout_s,
        0.2,
    )
    return workers


def _station_tasks_for(world: CollectionWorld, meter: str) -> list[dict[str, object]]:
    feed = world.station.get("/results?after=0&limit=500")
    return [r for r in feed["results"] if r["meter"] == meter]


def test_station_unreachable_task_waits_in_outbox_then_sent_once_loaded_once(
    tmp_path: Path, fast_password_hashing: None
) -> None:
    world = start_collection(tmp_path, start_station=False)
    try:
        outcome = world.services.payments.take_payment(ZHANG_WEI, 6_600, operator="teller1")
        summary = outcome.dispatch
        assert summary is not None and summary.pending and summary.outcome == "outbox"
        assert summary.state == PurchaseState.DISPATCHING
        task = StationTask.get(StationTask.purchase == outcome.purchase_id)
        assert task.state == "queued" and task.tries == 1 and task.last_error
        assert_books_hold()  # the money is in transit (I1), nothing committed (I2)
        with pytest.raises(ReversalRefused):  # R16: the recharge may yet reach the meter
            world.services.reversals.reverse_payment(
                outcome.payment_id,
                operator="teller1",
                supervisor="super1",
                supervisor_password="super1-pass",
                reason="customer changed their mind",
            )
        workers = make_workers(world.counter)
        report = workers.run_once()
        assert not report.station_up and report.sent == 0
        assert StationTask.get_by_id(task.id).state == "queued"

        world.station.start()  # the collection system is back
        _run_workers_until_applied(world, outcome.purchase_id)
        assert Purchase.get_by_id(outcome.purchase_id).state == PurchaseState.LOADED
        assert world.meter_count(METER_1) == 1  # loaded once
        assert len(_station_tasks_for(world, METER_1)) == 1  # sent once: one task
        again = workers.run_once()
        assert again.sent == 0 and again.applied == 0  # nothing left, nothing applied twice
        assert Meter.get(Meter.address == METER_1).committed_count == 1
        assert Notification.select().where(Notification.template == "dispatch-success").count() == 1
        assert_books_hold()
    finally:
        stop_collection(world)


def test_station_killed_mid_task_and_restarted_loads_once_r8(
    tmp_path: Path, fast_password_hashing: None
) -> None:
    world = start_collection(tmp_path, wait_seconds=0, station_timeout_s=3.0)
    try:
        world.simulator.inject(METER_1, Fault(FaultKind.SLOW_REPLY, times=None, seconds=0.5))
        outcome = world.services.payments.take_payment(ZHANG_WEI, 7_700, operator="teller1")
        assert outcome.dispatch is not None and outcome.dispatch.outcome == "pending"
        task = StationTask.get(StationTask.purchase == outcome.purchase_id)
        wait_until(lambda: world.station.get(f"/tasks/{task.task_id}")["state"] == "running")
        time.sleep(1.2)  # into the attempt: a recharge may be on the wire
        world.station.kill9()
        world.station.start()  # same store, same port: it resumes by probing (R8)
        _run_workers_until_applied(world, outcome.purchase_id, timeout_s=90)
        assert Purchase.get_by_id(outcome.purchase_id).state == PurchaseState.LOADED
        assert world.meter_count(METER_1) == 1  # never a second recharge for count 1
        assert Meter.get(Meter.address == METER_1).committed_count == 1
        assert_books_hold()
    finally:
        stop_collection(world)


def _counterctl(world: CollectionWorld, *args: str, password: str) -> subprocess.Popen[str]:
    """``counterctl`` in its own process; the operator's password on standard input."""
    process = subprocess.Popen(
        [str(BIN / "counterctl"), *args],
        env=world.env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert process.stdin is not None
    process.stdin.write(password + "\n")
    process.stdin.close()
    return process


def _kill9(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)


def test_counterctl_pay_killed_before_the_task_was_sent_sends_once_loads_once(
    tmp_path: Path, fast_password_hashing: None
) -> None:
    world = start_collection(tmp_path, start_station=False)
    try:
        # where the station should be, something takes the connection and never answers
        with socket.socket() as blackhole:
            blackhole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            blackhole.bind(("127.0.0.1", world.station.port))
            blackhole.listen(16)
            pay = _counterctl(
                world, "pay", ZHANG_WEI, "55", "--operator", "teller1", password="teller1-pass"
            )
            wait_until(lambda: StationTask.select().count() == 1, 30)
            time.sleep(0.5)  # the payment is committed and the send is under way
            _kill9(pay)
        task = StationTask.get()
        assert task.state == "queued"  # paid, not sent: the outbox kept it
        assert Purchase.get_by_id(task.purchase_id).state == PurchaseState.DISPATCHING
        assert_books_hold()
        world.station.start()
        _run_workers_until_applied(world, int(task.purchase_id))
        assert world.meter_count(METER_1) == 1
        assert len(_station_tasks_for(world, METER_1)) == 1
        assert_books_hold()
    finally:
        stop_collection(world)


def test_counterctl_pay_killed_while_following_the_task_result_applied_once(
    tmp_path: Path, fast_password_hashing: None
) -> None:
    world = start_collection(tmp_path, wait_seconds=60, station_timeout_s=3.0)
    try:
        world.simulator.inject(METER_1, Fault(FaultKind.SLOW_REPLY, times=None, seconds=0.4))
        pay = _counterctl(
            world, "pay", ZHANG_WEI, "44", "--operator", "teller1", password="teller1-pass"
        )
        wait_until(lambda: StationTask.select().where(StationTask.state == "sent").count(), 30)
        _kill9(pay)
        task = StationTask.get()
        _run_workers_until_applied(world, int(task.purchase_id), timeout_s=90)
        assert Purchase.get_by_id(task.purchase_id).state == PurchaseState.LOADED
        assert world.meter_count(METER_1) == 1
        applied = AuditLog.select().where(AuditLog.action == "dispatch-result-applied").count()
        assert applied == 1
        assert_books_hold()
    finally:
        stop_collection(world)


def test_worker_killed_mid_hand_over_and_started_again_applies_once(
    tmp_path: Path, fast_password_hashing: None
) -> None:
    world = start_collection(tmp_path, wait_seconds=0, station_timeout_s=3.0)
    try:
        world.simulator.inject(METER_1, Fault(FaultKind.SLOW_REPLY, times=None, seconds=0.4))
        outcome = world.services.payments.take_payment(
            ZHANG_WEI, 3_300, operator="teller1", follow=False
        )
        task = StationTask.get(StationTask.purchase == outcome.purchase_id)
        assert task.state == "queued"  # written with the payment, sending left to the worker

        def worker() -> subprocess.Popen[str]:
            return subprocess.Popen(
                [str(BIN / "counter-server"), "work", "--interval", "0.2"],
                env=world.env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                text=True,
            )

        first = worker()
        try:
            wait_until(lambda: StationTask.get_by_id(task.id).state == "sent", 30)
        finally:
            _kill9(first)
        second = worker()
        try:
            wait_until(lambda: StationTask.get_by_id(task.id).state == "applied", 90, 0.3)
        finally:
            second.terminate()
            second.wait(15)
        assert Purchase.get_by_id(task.purchase_id).state == PurchaseState.LOADED
        assert world.meter_count(METER_1) == 1
        assert len(_station_tasks_for(world, METER_1)) == 1
        assert_books_hold()
    finally:
        stop_collection(world)


# -- work orders and resume through the station ----------------------------------------------


def test_a_retry_that_fails_again_keeps_the_order_and_tells_the_customer_once_r10_r11(
    collection: CollectionWorld,
) -> None:
    from counter_app.services import auth

    collection.simulator.inject(METER_1, Fault(FaultKind.NO_REPLY, times=None))
    outcome = collection.services.payments.take_payment(ZHANG_WEI, 5_000, operator="teller1")
    order = WorkOrder.get(WorkOrder.purchase == outcome.purchase_id)
    summary = collection.services.work_orders.retry(int(order.id), auth.get_user("tech1"))
    assert not summary.loaded and summary.work_order_id == order.id
    assert WorkOrder.get_by_id(order.id).state == "taken"  # still the technician's
    assert Purchase.get_by_id(outcome.purchase_id).state == PurchaseState.WORK_ORDER
    rounds = [
        t.round_no for t in StationTask.select().where(StationTask.purchase == order.purchase)
    ]
    assert (
        rounds == [1, 2] and StationTask.select().where(StationTask.state != "applied").count() == 0
    )
    assert Notification.select().where(Notification.template == "dispatch-failed").count() == 1
    assert collection.meter_count(METER_1) == 0
    assert_books_hold()


def test_work_order_retry_goes_through_the_station_and_loads_r10(
    collection: CollectionWorld,
) -> None:
    from counter_app.services import auth

    fault = Fault(FaultKind.NO_REPLY, times=None)
    collection.simulator.inject(METER_1, fault)
    outcome = collection.services.payments.take_payment(ZHANG_WEI, 5_000, operator="teller1")
    order = WorkOrder.get(WorkOrder.purchase == outcome.purchase_id)
    collection.simulator.clear_faults()  # the inspection staff fixed the channel
    tech = auth.get_user("tech1")
    summary = collection.services.work_orders.retry(int(order.id), tech)
    assert summary.loaded and summary.outcome == "success", summary
    assert WorkOrder.get_by_id(order.id).state == "closed-success"
    tasks = list(StationTask.select().where(StationTask.purchase == outcome.purchase_id))
    assert [t.round_no for t in tasks] == [1, 2] and all(t.state == "applied" for t in tasks)
    assert collection.meter_count(METER_1) == 1
    assert Meter.get(Meter.address == METER_1).committed_count == 1
    assert_books_hold()


def test_counterctl_resume_probes_through_the_station_r8(collection: CollectionWorld) -> None:
    """A purchase left ``dispatching`` without a task (a direct dispatch that crashed) is
    settled by the station's probe; a queued purchase is handed over."""
    services = collection.services
    queued = services.payments.take_payment(ZHAO_MIN, 1_000, operator="teller1", dispatch=False)
    assert Purchase.get_by_id(queued.purchase_id).state == PurchaseState.CREATED
    stranded = services.payments.take_payment(ZHANG_WEI, 2_000, operator="t", dispatch=False)
    services.dispatch._start(int(stranded.purchase_id), "teller1")  # crashed mid-dispatch
    assert services.dispatch.unresolved_purchases() == [stranded.purchase_id]
    result = subprocess.run(
        [str(BIN / "counterctl"), "resume", "--operator", "tech1"],
        env=collection.env(),
        input="tech1-pass\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"purchase {queued.purchase_id} n=1: success -> loaded" in result.stdout
    # the station's probe says count 0 = n-1: the recharge never arrived (R8)
    assert f"purchase {stranded.purchase_id} n=1: not-loaded -> work-order" in result.stdout
    assert collection.meter_count(METER_8) == 1
    assert collection.meter_count(METER_1) == 0
    assert_books_hold()


def test_counterctl_pay_through_the_station_says_what_happened(
    collection: CollectionWorld,
) -> None:
    result = subprocess.run(
        [str(BIN / "counterctl"), "pay", ZHAO_MIN, "12.34", "--operator", "teller1"],
        env=collection.env(),
        input="teller1-pass\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "dispatch: success after 1 attempt(s); purchase is loaded" in result.stdout
    assert "attempt 1: recharge" in result.stderr  # the station's live steps, relayed
    assert collection.meter_count(METER_8) == 1
    assert_books_hold()
