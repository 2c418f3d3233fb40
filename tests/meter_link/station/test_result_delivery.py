"""Results back to the marketing side: callback until accepted, poll + ack, live steps.

The callback goes to a real HTTP server on loopback that refuses the first calls (503):
the station keeps calling with backoff until a 2xx, so each result arrives at least once,
with the callback token. The poll lists finished tasks in result order; an ack stops the
callbacks. The event stream shows the steps of the attempt as they happen, then the result.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from meter_link.station.schema import ResultsOut, StepEventOut, TaskOut
from tests.fixtures.station import MeterSimProcess, StationProcess

from .conftest import CallbackReceiver
from .test_dispatch_tasks import task


def test_results_are_called_back_until_accepted_with_the_callback_token(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
    callback_receiver: Callable[..., CallbackReceiver],
    tmp_path: Path,
) -> None:
    receiver = callback_receiver(fail_first=3)
    token_file = tmp_path / "callback.token"
    token_file.write_text("callback-secret-for-this-test\n", encoding="utf-8")
    sim = meter_sim_factory(meters=2)
    station = station_factory(
        links=[sim.url],
        key_file=sim.key_file,
        extra=[
            "--callback-url",
            receiver.url,
            "--callback-token-file",
            str(token_file),
        ],
    )
    api = station.client()
    assert api.post("/tasks", json=task("cb-1")).status_code == 202
    body = task("cb-2", "000000000002", "100000000002")
    assert api.post("/tasks", json=body).status_code == 202

    accepted = receiver.wait_accepted({"cb-1", "cb-2"})
    assert len(receiver.calls) >= 5  # three refused, then both accepted
    assert {c["authorization"] for c in receiver.calls} == {"Bearer callback-secret-for-this-test"}
    by_task = {c["body"]["task_id"]: c["body"] for c in accepted}
    assert by_task["cb-1"]["outcome"] == "success" and by_task["cb-1"]["balance_fen"] == 7500
    assert by_task["cb-2"]["meter"] == "000000000002"
    assert by_task["cb-1"] == api.get("/tasks/cb-1").json()

    # Delivered: no further callbacks for these results.
    settled = len(receiver.calls)
    time.sleep(1.5)
    assert len(receiver.calls) == settled


def test_a_task_callback_url_and_a_refusing_receiver_are_retried(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
    callback_receiver: Callable[..., CallbackReceiver],
) -> None:
    """The task's own callback_url is used; without a callback token of its own the
    station sends its token (one shared secret both ways)."""
    receiver = callback_receiver(fail_first=1)
    sim = meter_sim_factory(meters=1)
    station = station_factory(links=[sim.url], key_file=sim.key_file)
    body = task("cb-own", callback_url=receiver.url)
    assert station.client().post("/tasks", json=body).status_code == 202
    receiver.wait_accepted({"cb-own"})
    assert [c["status"] for c in receiver.calls] == [503, 200]
    assert {c["authorization"] for c in receiver.calls} == {f"Bearer {station.token}"}


def test_poll_lists_results_in_order_and_ack_marks_them_delivered(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
) -> None:
    sim = meter_sim_factory(meters=3)
    station = station_factory(links=[sim.url], key_file=sim.key_file)
    api = station.client()
    for i in (1, 2, 3):
        body = task(f"poll-{i}", f"00000000000{i}", f"10000000000{i}")
        assert api.post("/tasks", json=body).status_code == 202
    for i in (1, 2, 3):
        station.wait_done(f"poll-{i}")

    page = api.get("/results", params={"after": 0, "limit": 2}).json()
    ResultsOut.model_validate(page)
    assert [r["result_seq"] for r in page["results"]] == [1, 2]
    assert page["last_seq"] == 2
    rest = api.get("/results", params={"after": page["last_seq"]}).json()
    assert [r["task_id"] for r in rest["results"]] == ["poll-3"]
    assert rest["last_seq"] == 3
    assert api.get("/results", params={"after": 3}).json() == {"results": [], "last_seq": 3}

    assert api.post("/results/poll-1/ack").status_code == 200
    assert api.post("/results/poll-1/ack").status_code == 200  # again: still fine
    assert api.post("/results/nothing-like-it/ack").status_code == 404
    assert api.get("/results", params={"after": -1}).status_code == 422


def test_ack_of_a_task_without_a_result_is_a_conflict(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
) -> None:
    sim = meter_sim_factory(meters=1, faults=["000000000001=slow-reply:2@070102FF"])
    station = station_factory(links=[sim.url], key_file=sim.key_file, timeout=4)
    api = station.client()
    assert api.post("/tasks", json=task("early-ack")).status_code == 202
    response = api.post("/results/early-ack/ack")
    assert response.status_code == 409 and response.json()["error"] == "conflict"
    station.wait_done("early-ack")


def _events(station: StationProcess, task_id: str) -> list[tuple[str, dict[str, object]]]:
    events: list[tuple[str, dict[str, object]]] = []
    kind = ""
    with (
        station.client(timeout=30) as api,
        api.stream("GET", f"/tasks/{task_id}/events") as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                events.append((kind, json.loads(line.split(":", 1)[1])))
    return events


def test_the_event_stream_shows_each_step_then_the_result(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
) -> None:
    # A slow first read (the money block) keeps the task running while the stream opens.
    sim = meter_sim_factory(meters=1, faults=["000000000001=slow-reply:1@009002FF"])
    station = station_factory(links=[sim.url], key_file=sim.key_file, timeout=3)
    assert station.client().post("/tasks", json=task("sse-1")).status_code == 202

    events = _events(station, "sse-1")
    kinds = [k for k, _ in events]
    assert kinds[-1] == "result" and set(kinds[:-1]) == {"step"}
    steps = [str(d["step"]) for k, d in events if k == "step"]
    assert steps == ["channel-test", "count-check", "authentication", "recharge", "read-back"]
    assert all(d["attempt"] == 1 and d["task_id"] == "sse-1" for k, d in events if k == "step")
    for kind, data in events:
        (StepEventOut if kind == "step" else TaskOut).model_validate(data)
    assert events[-1][1]["outcome"] == "success"

    # A finished task's stream sends its result at once and ends.
    assert [k for k, _ in _events(station, "sse-1")] == ["result"]
    missing = station.client().get("/tasks/none/events")
    assert missing.status_code == 404


def test_an_undelivered_result_is_still_called_back_after_kill_9(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
    callback_receiver: Callable[..., CallbackReceiver],
) -> None:
    """The delivery schedule lives in the station's database, not in its memory."""
    receiver = callback_receiver(fail_first=2)
    sim = meter_sim_factory(meters=1)
    station = station_factory(
        links=[sim.url], key_file=sim.key_file, extra=["--callback-url", receiver.url]
    )
    assert station.client().post("/tasks", json=task("durable")).status_code == 202
    deadline = time.monotonic() + 30
    while not receiver.calls and time.monotonic() < deadline:
        time.sleep(0.02)
    assert receiver.calls and receiver.calls[0]["status"] == 503
    station.kill()
    station.start()
    (accepted,) = receiver.wait_accepted({"durable"})
    assert accepted["body"]["outcome"] == "success"
    assert sim.meter("000000000001") == (7500, 1)  # and the meter was loaded once
