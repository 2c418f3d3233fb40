"""A result delivered many times at once is applied once (I2), on SQLite and PostgreSQL.

The callback, the poller and the payment that follows its task may all hold the same final
result at the same moment; several counter-server workers may run on one hall database.
Here the real station's result for a real task is applied from several threads at once:
one of them applies it (count committed once, one SMS, one audit record), the others find it
already applied.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_app.demo import load_demo
from counter_app.embedded import start_meter_simulator
from counter_app.server.station_client import CollectionSystemDispatcher
from counter_app.services.checks import check_database
from counter_app.services.context import ServiceContext
from counter_app.services.handover import Applied
from counter_app.services.registry import Services, build_services
from counter_app.store import database as store_db
from counter_app.store.models import AuditLog, Meter, Notification, StationTask
from meter_link.security import generate_master_key
from tests.fixtures.collection import CollectionStation, free_port
from tests.fixtures.database import TestDatabase

APPLIERS = 6


@pytest.fixture
def station_services(db: TestDatabase, tmp_path: Path) -> Iterator[Services]:
    key = generate_master_key()
    simulator, url = start_meter_simulator(tmp_path, key)
    station = CollectionStation(tmp_path, url, key.hex(), free_port(), "exactly-once-token")
    station.start()
    client = CollectionSystemDispatcher(station.url, station.token, origin="counter:once")
    services = build_services(
        ServiceContext(counter_id="once", dispatcher=client, handover=client, handover_wait_s=0)
    )
    load_demo(services)
    try:
        yield services
    finally:
        client.close()
        station.stop()
        simulator.stop()


def test_one_result_from_many_deliveries_at_once_is_applied_once(
    station_services: Services,
) -> None:
    services = station_services
    handover = services.dispatch.handover
    assert handover is not None
    outcome = services.payments.take_payment("100000000001", 4_200, operator="teller1")
    assert outcome.dispatch is not None and outcome.dispatch.outcome == "pending"
    task = StationTask.get(StationTask.purchase == outcome.purchase_id)
    result = handover.station.follow(str(task.task_id), None, 30)
    assert result.done

    answers: list[Applied] = []
    errors: list[BaseException] = []
    start = threading.Barrier(APPLIERS)

    def deliver() -> None:
        try:
            start.wait(10)
            answers.append(handover.apply(result, "collection-system"))
        except BaseException as exc:  # collected: the test thread asserts
            errors.append(exc)
        finally:
            store_db.database.close()

    threads = [threading.Thread(target=deliver) for _ in range(APPLIERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(a.value for a in answers) == sorted(["applied"] + ["already"] * (APPLIERS - 1))
    assert Meter.get(Meter.address == "000000000001").committed_count == 1
    assert Notification.select().where(Notification.template == "dispatch-success").count() == 1
    assert AuditLog.select().where(AuditLog.action == "dispatch-result-applied").count() == 1
    assert not check_database()
