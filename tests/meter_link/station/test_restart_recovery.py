"""``kill -9`` of the station while a task is on its link, then a restart (R8, I1, I2).

The simulated meter delays one reply by a few seconds so that the station is certainly in
the middle of the task when it is killed: either after the recharge reached the meter (the
meter applied it; the reply was still on its way) or before (the channel test was still
waiting). The restarted station probes the meter first and never sends a second recharge
for the same count: the meter's purchase count moves by exactly one and its balance by
exactly the amount, and the task reports one result.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from meter_link.station.store import TaskStore
from tests.fixtures.postgres import PostgresServer
from tests.fixtures.station import MeterSimProcess, StationProcess

from .test_dispatch_tasks import METER, task

SLOW_S = 4.0


def _wait_for_step(station: StationProcess, task_id: str, step: str) -> None:
    """Follow the task's event stream until ``step`` starts."""
    with (
        station.client(timeout=30) as api,
        api.stream("GET", f"/tasks/{task_id}/events") as stream,
    ):
        for line in stream.iter_lines():
            if line.startswith("data:") and f'"step": "{step}"' in line:
                return
    raise AssertionError(f"task {task_id} never reached {step}")


def _kill_mid_task_and_restart(
    sim: MeterSimProcess, station: StationProcess, step: str, expected: str
) -> None:
    before = sim.meter(METER)
    api = station.client()
    assert api.post("/tasks", json=task("crash-1", amount_fen=3300)).status_code == 202
    _wait_for_step(station, "crash-1", step)
    time.sleep(0.5)  # the request is on the wire; the meter is taking its time
    assert api.get("/tasks/crash-1").json()["state"] == "running"
    station.kill()

    station.start()
    view = station.wait_done("crash-1", timeout=60)
    assert view["outcome"] == expected, view
    assert view["reason"] is None
    balance, count = sim.meter(METER)
    assert (balance, count) == (before[0] + 3300, before[1] + 1)  # loaded exactly once
    results = station.client().get("/results", params={"after": 0}).json()["results"]
    assert [r["task_id"] for r in results] == ["crash-1"]

    # And once more after a clean restart: nothing is resumed, nothing is loaded again.
    station.restart()
    assert station.client().get("/tasks/crash-1").json()["result_seq"] == view["result_seq"]
    time.sleep(0.5)
    assert sim.meter(METER) == (balance, count)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fault", "step", "expected"),
    [
        # The meter applies the recharge, its reply is slow: killed before the reply.
        (f"{METER}=slow-reply:{SLOW_S}@070102FF", "recharge", "already-loaded"),
        # The channel test's first read (the money block 009002FF) is slow: killed before
        # any recharge was sent.
        (f"{METER}=slow-reply:{SLOW_S}@009002FF", "channel-test", "success"),
    ],
    ids=["after-the-recharge-was-applied", "before-the-recharge-was-sent"],
)
def test_kill_9_mid_task_then_restart_loads_exactly_once(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
    fault: str,
    step: str,
    expected: str,
) -> None:
    sim = meter_sim_factory(meters=1, balance_fen=5000, faults=[fault])
    station = station_factory(links=[sim.url], key_file=sim.key_file, timeout=SLOW_S + 3)
    _kill_mid_task_and_restart(sim, station, step, expected)


@pytest.mark.slow
@pytest.mark.postgres
def test_kill_9_mid_task_with_the_tasks_in_postgresql(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
    postgres_server: PostgresServer,
) -> None:
    """The production store: the same recovery with the tasks kept in PostgreSQL."""
    dbname = f"station_{time.monotonic_ns()}"
    postgres_server.psql(f"CREATE DATABASE {dbname}")
    sim = meter_sim_factory(
        meters=1, balance_fen=5000, faults=[f"{METER}=slow-reply:{SLOW_S}@070102FF"]
    )
    station = station_factory(
        links=[sim.url],
        key_file=sim.key_file,
        timeout=SLOW_S + 3,
        db_url=postgres_server.url(dbname),
    )
    _kill_mid_task_and_restart(sim, station, "recharge", "already-loaded")
    rows = postgres_server.psql(
        "SELECT task_id, state, outcome, result_seq FROM station_task", dbname
    )
    assert rows.strip() == "crash-1|done|already-loaded|1"


@pytest.mark.slow
@pytest.mark.postgres
def test_the_database_going_away_mid_task_holds_the_task_until_it_is_back(
    restartable_postgres: PostgresServer,  # set up first, so the station stops before it
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
) -> None:
    """The attempt ends while PostgreSQL is down, so it cannot be written: the station keeps
    the task, and when the database is back it probes the meter first (R8) and reports the
    purchase as loaded — once. The API answers 503 meanwhile instead of failing silently (a
    task it cannot keep is refused, one it has is never "not-found"); once the database is
    back, new tasks are taken and run."""
    server = restartable_postgres
    server.psql("CREATE DATABASE station")
    sim = meter_sim_factory(
        meters=2, balance_fen=5000, faults=[f"{METER}=slow-reply:{SLOW_S}@070102FF"]
    )
    station = station_factory(
        links=[sim.url],
        key_file=sim.key_file,
        timeout=SLOW_S + 3,
        db_url=server.url("station"),
    )
    later = task("while-away", "000000000002", "100000000002", amount_fen=1800)
    api = station.client()
    assert api.post("/tasks", json=task("db-away", amount_fen=4100)).status_code == 202
    _wait_for_step(station, "db-away", "recharge")
    server.stop("immediate")
    try:
        # The meter answers; the attempt cannot be written: the task is held.
        station.wait_for_log(r"task db-away held: the database cannot be reached", 30)
        down = httpx.get(f"{station.url}/health", timeout=10)
        assert down.status_code == 503 and down.json()["error"] == "station-error"
        away = api.get("/tasks/db-away")  # never "not-found" for a task that exists
        assert away.status_code == 503 and away.json()["error"] == "station-error"
        refused = api.post("/tasks", json=later)  # not taken: it could not be kept
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    finally:
        server.start()
    view = station.wait_done("db-away", timeout=60)
    assert (view["outcome"], view["reason"]) == ("already-loaded", None), view
    assert view["attempts"][-1]["detail"].startswith("resumed after a restart"), view
    assert sim.meter(METER) == (5000 + 4100, 1)
    # The database is back: the pool serves new work again.
    assert api.post("/tasks", json=later).status_code == 202
    assert station.wait_done("while-away")["outcome"] == "success"
    assert sim.meter("000000000002") == (5000 + 1800, 1)
    results = api.get("/results").json()["results"]
    assert [r["task_id"] for r in results] == ["db-away", "while-away"]


@pytest.mark.postgres
def test_the_station_commits_durably_on_a_server_tuned_not_to(
    postgres_server: PostgresServer,
) -> None:
    """A server with ``synchronous_commit = off`` (the test cluster runs so, as many tuned
    servers do) may lose commits it has acknowledged when it stops at once. The station's
    sessions commit synchronously anyway: a task answered 202 is still there after the restart
    (the cause of the database-restart case above losing its task)."""
    dbname = f"station_{time.monotonic_ns()}"
    postgres_server.psql(f"CREATE DATABASE {dbname}")
    assert postgres_server.psql("SHOW synchronous_commit", dbname).strip() == "off"
    store = TaskStore(postgres_server.url(dbname))
    try:
        with store.db.connection_context():
            assert store.db.execute_sql("SHOW synchronous_commit").fetchone() == ("on",)
    finally:
        store.close()
