"""What the station accepts and refuses at its door: idempotency, conflicts, bad requests.

A refused request books nothing and dispatches nothing: after each refusal the station has
no new task (``/health``, ``/results``) and the meter holds what it held (I2).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.fixtures.station import MeterSimProcess, StationProcess

from .test_dispatch_tasks import METER, task


def test_the_same_task_twice_is_one_task_and_a_different_amount_is_a_conflict(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
) -> None:
    sim = meter_sim_factory(meters=1, balance_fen=5000)
    station = station_factory(links=[sim.url], key_file=sim.key_file)
    api = station.client()

    first = api.post("/tasks", json=task("dup-1"))
    assert first.status_code == 202
    again = api.post("/tasks", json=task("dup-1"))
    assert again.status_code == 200 and again.json()["task_id"] == "dup-1"

    # Same purchase (meter, count) under another task id: the one task it already is.
    other_id = api.post("/tasks", json=task("dup-2"))
    assert other_id.status_code == 200 and other_id.json()["task_id"] == "dup-1"
    assert api.get("/tasks/dup-2").status_code == 404

    # Same (meter, count), another amount or customer: refused with the reason.
    for body in (
        task("dup-3", amount_fen=2600),
        task("dup-3", customer="100000000009"),
    ):
        refused = api.post("/tasks", json=body)
        assert refused.status_code == 409
        assert refused.json()["error"] == "conflict"
        assert "purchase 1 of meter 000000000001" in refused.json()["reason"]

    # Same task id with another body: refused too.
    changed = api.post("/tasks", json=task("dup-1", amount_fen=9900))
    assert changed.status_code == 409 and "different body" in changed.json()["reason"]

    view = station.wait_done("dup-1")
    assert view["outcome"] == "success"
    results = api.get("/results", params={"after": 0}).json()["results"]
    assert [r["task_id"] for r in results] == ["dup-1"]
    assert sim.meter(METER) == (7500, 1)  # loaded once

    # Submitted again after it finished: still the same task, not a second recharge.
    late = api.post("/tasks", json=task("dup-1"))
    assert late.status_code == 200 and late.json()["outcome"] == "success"
    assert sim.meter(METER) == (7500, 1)


def test_bad_requests_get_clear_errors_and_book_nothing(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
) -> None:
    sim = meter_sim_factory(meters=1, balance_fen=5000)
    station = station_factory(links=[sim.url], key_file=sim.key_file)
    api = station.client()
    headers = {"Content-Type": "application/json"}

    malformed = api.post("/tasks", content=b'{"task_id": "x", ', headers=headers)
    assert malformed.status_code == 400
    assert malformed.json()["error"] == "invalid-task"
    assert malformed.json()["reason"].startswith("body: malformed JSON")

    cases = {
        "amount_fen": task("bad-1", amount_fen=0),
        "count": task("bad-2", count=0),
        "meter": task("bad-3", meter="12345"),
        "customer_no": task("bad-4", customer="10000000000X"),
        "task_id": task("bad id with spaces"),
        "callback_url": task("bad-6", callback_url="ftp://example"),
        "origin": {k: v for k, v in task("bad-7").items() if k != "origin"},
        "unexpected": {**task("bad-8"), "unexpected": 1},
    }
    for field, body in cases.items():
        response = api.post("/tasks", json=body)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["error"] == "invalid-task"
        assert response.json()["reason"].startswith(f"{field}:"), response.json()
    # Strict types: a string or a float amount, a boolean count are not numbers of fen.
    for body in (
        task("bad-9", amount_fen="2500"),
        task("bad-10", amount_fen=25.0),
        task("bad-11", count=True),
    ):
        assert api.post("/tasks", json=body).status_code == 422
    assert api.post("/tasks", content=b"[1, 2]", headers=headers).status_code == 422

    wrong = station.client(token="not-the-token").post("/tasks", json=task("tok-1"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "unauthorized"
    assert wrong.headers["www-authenticate"] == "Bearer"
    anonymous = httpx.post(f"{station.url}/tasks", json=task("tok-2"), timeout=10)
    assert anonymous.status_code == 401
    assert httpx.get(f"{station.url}/tasks/tok-1", timeout=10).status_code == 401
    # A wrong token learns nothing about its body: 401 before the JSON is looked at.
    assert (
        station.client(token="x").post("/tasks", content=b"{", headers=headers).status_code == 401
    )

    big = {**task("big-1"), "origin": "x" * (70 * 1024)}
    too_large = api.post("/tasks", json=big)
    assert too_large.status_code == 413 and too_large.json()["error"] == "too-large"

    def chunks() -> object:
        for _ in range(80):
            yield b"x" * 1024

    chunked = api.post("/tasks", content=chunks(), headers=headers)  # no Content-Length
    assert chunked.status_code == 413

    assert api.get("/tasks/bad-1").status_code == 404
    assert api.get("/results", params={"after": 0}).json() == {"results": [], "last_seq": 0}
    health = httpx.get(f"{station.url}/health", timeout=10).json()  # open without a token
    assert (health["queued"], health["running"]) == (0, 0)
    assert sim.meter(METER) == (5000, 0)

    # The station still takes a good task after all that.
    assert api.post("/tasks", json=task("good-1")).status_code == 202
    assert station.wait_done("good-1")["outcome"] == "success"
    assert api.get(f"/meters/{METER}1/probe").status_code == 422
