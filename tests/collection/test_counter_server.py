"""counter-server's result endpoint: the station calls back, the result is applied once.

A real ``meter-station`` posts its results to a real ``counter-server serve`` process
(both on loopback, both started and stopped by PID here); nobody polls, so a purchase that
ends up loaded got there through the callback. Then the endpoint is tried the way a
confused or hostile client would: wrong token, oversized body, malformed JSON, a task that
is not done, a repeated delivery — clear errors, nothing applied twice.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from counter_app.core.purchase_state import PurchaseState
from counter_app.services.checks import check_database
from counter_app.store.models import AuditLog, Purchase, StationTask
from tests.fixtures.collection import (
    BIN,
    CollectionWorld,
    read_line_with,
    start_collection,
    stop_collection,
    wait_until,
)
from tests.fixtures.postgres import PostgresServer

ZHANG_WEI = "100000000001"
ZHANG_WEI_METER = "000000000001"


@pytest.fixture
def called_back(tmp_path: Path, fast_password_hashing: None) -> Iterator[CollectionWorld]:
    world = start_collection(tmp_path, wait_seconds=0, callback=True)
    server = subprocess.Popen(
        [str(BIN / "counter-server"), "serve", "--no-workers"],
        env=world.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        read_line_with(server, "listening on", 30)
        yield world
    finally:
        server.terminate()
        server.wait(15)
        stop_collection(world)


def _endpoint(world: CollectionWorld) -> str:
    return f"http://{world.config.station.listen}/station/results"


def _token(world: CollectionWorld) -> str:
    return Path(str(world.config.station.callback_token_file)).read_text().strip()


def test_the_station_calls_back_and_the_result_is_applied_once(
    called_back: CollectionWorld,
) -> None:
    world = called_back
    outcome = world.services.payments.take_payment(ZHANG_WEI, 2_500, operator="teller1")
    assert outcome.dispatch is not None and outcome.dispatch.outcome == "pending"
    task = StationTask.get(StationTask.purchase == outcome.purchase_id)
    wait_until(lambda: StationTask.get_by_id(task.id).state == "applied", 30)
    assert Purchase.get_by_id(outcome.purchase_id).state == PurchaseState.LOADED
    applied = AuditLog.get(AuditLog.action == "dispatch-result-applied")
    assert applied.actor == "collection-system"

    view = world.station.get(f"/tasks/{task.task_id}")
    auth = {"Authorization": f"Bearer {_token(world)}"}
    again = httpx.post(_endpoint(world), json=view, headers=auth, timeout=10)
    assert again.status_code == 200 and again.json()["applied"] == "already"
    unknown = httpx.post(
        _endpoint(world), json={**view, "task_id": "not-ours"}, headers=auth, timeout=10
    )
    assert unknown.status_code == 200 and unknown.json()["applied"] == "unknown"
    assert AuditLog.select().where(AuditLog.action == "dispatch-result-applied").count() == 1
    assert world.meter_count("000000000001") == 1
    assert not check_database()


def test_the_result_endpoint_refuses_what_is_not_a_result(called_back: CollectionWorld) -> None:
    world = called_back
    url = _endpoint(world)
    auth = {"Authorization": f"Bearer {_token(world)}"}
    done = {"task_id": "x", "state": "done", "outcome": "success", "attempts": []}
    wrong = httpx.post(url, json=done, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 401 and wrong.json()["error"] == "unauthorized"
    missing = httpx.post(url, json=done, timeout=10)
    assert missing.status_code == 401
    big = httpx.post(
        url,
        content=b"{" + b" " * (70 * 1024) + b"}",
        headers={**auth, "Content-Type": "application/json"},
        timeout=10,
    )
    assert big.status_code == 413
    bad = httpx.post(url, content=b"{not json", headers=auth, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid-result"
    running = httpx.post(url, json={**done, "state": "running"}, headers=auth, timeout=10)
    assert running.status_code == 400 and "state" in running.json()["reason"]
    not_a_view = httpx.post(url, json=[1, 2], headers=auth, timeout=10)
    assert not_a_view.status_code == 400
    assert AuditLog.select().where(AuditLog.action == "dispatch-result-applied").count() == 0
    health = httpx.get(f"http://{world.config.station.listen}/health", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok"


@pytest.mark.slow
@pytest.mark.postgres
def test_the_counter_server_outlives_a_restart_of_its_postgresql(
    restartable_postgres: PostgresServer, tmp_path: Path, fast_password_hashing: None
) -> None:
    """The hall's database server restarts (a crash, then a clean restart) under a running
    ``counter-server``: its worker thread and its request threads had connections the server
    dropped, and they take new ones instead of failing from then on. The station does not
    call back here, so each purchase is loaded only if the server's result poller still works
    after the restart; its health answer reads our database on a request thread."""
    pg = restartable_postgres
    pg.psql("CREATE DATABASE counter")
    world = start_collection(tmp_path, wait_seconds=0, database_url=pg.url("counter"))
    server = subprocess.Popen(
        [str(BIN / "counter-server"), "serve", "--interval", "0.2"],
        env=world.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    health = f"http://{world.config.station.listen}/health"

    def pay_and_wait_loaded() -> None:
        outcome = world.services.payments.take_payment(ZHANG_WEI, 1_200, operator="teller1")
        assert outcome.dispatch is not None and outcome.dispatch.outcome == "pending"
        wait_until(
            lambda: Purchase.get_by_id(outcome.purchase_id).state == PurchaseState.LOADED, 30
        )
        answer = httpx.get(health, timeout=10)
        assert answer.status_code == 200 and answer.json()["waiting_for_result"] == 0

    try:
        read_line_with(server, "listening on", 30)
        pay_and_wait_loaded()  # every thread of the server now holds a connection
        count = world.meter_count(ZHANG_WEI_METER)
        for mode in ("immediate", "fast"):
            pg.stop(mode)
            pg.start()
            pay_and_wait_loaded()
        assert world.meter_count(ZHANG_WEI_METER) == count + 2
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(15)
        stop_collection(world)
