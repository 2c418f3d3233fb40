"""A real ``meter-station`` process dispatching to real ``meter-sim`` meters over TCP (R7–R9).

Every outcome is checked twice: in the task the station reports, and in what the simulated
meter holds afterwards (its state file) — a purchase loaded once moves the count by one
and the balance by the amount (I1, I2); a failed one moves nothing.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from meter_link.security import generate_master_key, write_key_file
from meter_link.station.schema import HealthOut, MeterHealthOut, ProbeOut, TaskOut
from tests.fixtures.station import MeterSimProcess, StationProcess

METER = "000000000001"
CUSTOMER = "100000000001"


def task(
    task_id: str, meter: str = METER, customer: str = CUSTOMER, **fields: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "task_id": task_id,
        "meter": meter,
        "customer_no": customer,
        "amount_fen": 2500,
        "count": 1,
        "origin": "counter:C01",
    }
    body.update(fields)
    return body


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_task_loads_the_purchase_once_and_reports_every_read(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
) -> None:
    sim = meter_sim_factory(meters=2, balance_fen=5000)
    station = station_factory(links=[sim.url], key_file=sim.key_file)
    api = station.client()

    response = api.post("/tasks", json=task("pay-1"))
    assert response.status_code == 202
    assert response.json()["state"] == "queued"

    view = station.wait_done("pay-1")
    assert (view["outcome"], view["reason"]) == ("success", None)
    assert (view["balance_fen"], view["meter_count"]) == (7500, 1)
    assert view["result_seq"] == 1 and view["finished_at"]
    (attempt,) = view["attempts"]
    assert attempt["attempt"] == 1 and attempt["outcome"] == "success"
    assert (attempt["balance_fen"], attempt["meter_count"]) == (7500, 1)
    assert attempt["elapsed_ms"] >= 0 and attempt["started_at"]
    assert {"channel-test", "count-check", "recharge", "read-back"} <= set(attempt["steps_ms"])
    assert sim.meter(METER) == (7500, 1)
    assert sim.meter("000000000002") == (5000, 0)  # the other meter on the bus: untouched

    # R8 probe and the channel's health as the desk sees them.
    probe = api.get(f"/meters/{METER}/probe").json()
    assert probe["reachable"] is True
    assert (probe["balance_fen"], probe["meter_count"], probe["last_purchase_fen"]) == (
        7500,
        1,
        2500,
    )
    health = api.get(f"/meters/{METER}/health").json()
    assert health["last_good_read"] and health["failures_today"] == 0
    status = station.client().get("/health").json()
    assert status["status"] == "ok" and status["links"] == 1
    assert (status["queued"], status["running"]) == (0, 0)

    # What the station answers is what its OpenAPI document says.
    TaskOut.model_validate(view)
    ProbeOut.model_validate(probe)
    MeterHealthOut.model_validate(health)
    HealthOut.model_validate(status)
    document = api.get("/openapi.json").json()
    assert {
        "/tasks",
        "/tasks/{task_id}",
        "/tasks/{task_id}/events",
        "/results",
        "/results/{task_id}/ack",
        "/meters/{meter}/probe",
        "/meters/{meter}/health",
        "/health",
    } <= set(document["paths"])
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_a_silent_meter_gets_three_attempts_then_fails_as_meter_silent(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
) -> None:
    """R9: only a silent link is tried again, three attempts in all, the same n each time."""
    silent = "000000000002"
    sim = meter_sim_factory(meters=2, faults=[f"{silent}=no-reply*all"])
    station = station_factory(links=[sim.url], key_file=sim.key_file, timeout=0.3)
    api = station.client()
    assert api.post("/tasks", json=task("silent-1", silent, "100000000002")).status_code == 202

    view = station.wait_done("silent-1")
    assert (view["outcome"], view["reason"]) == ("failed", "meter-silent")
    assert [a["attempt"] for a in view["attempts"]] == [1, 2, 3]
    assert {a["reason"] for a in view["attempts"]} == {"meter-silent"}
    assert {a["outcome"] for a in view["attempts"]} == {"channel-failure"}
    assert sim.meter(silent) == (5000, 0)

    health = api.get(f"/meters/{silent}/health").json()
    assert health["failures_today"] == 3
    assert health["last_failure_reason"] == "meter-silent"
    assert health["last_good_read"] is None
    probe = api.get(f"/meters/{silent}/probe").json()
    assert (probe["reachable"], probe["reason"]) == (False, "meter-silent")


def test_a_link_that_cannot_be_opened_fails_as_link_refused(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
) -> None:
    sim = meter_sim_factory(meters=1)
    dead_link = f"socket://127.0.0.1:{closed_port()}"
    station = station_factory(links=[dead_link], key_file=sim.key_file)
    api = station.client()
    assert api.post("/tasks", json=task("refused-1")).status_code == 202

    view = station.wait_done("refused-1")
    assert (view["outcome"], view["reason"]) == ("failed", "link-refused")
    assert [a["reason"] for a in view["attempts"]] == ["link-refused"] * 3
    assert api.get(f"/meters/{METER}/probe").json()["reason"] == "link-refused"
    assert api.get(f"/meters/{METER}/health").json()["failures_today"] == 4


def test_a_refused_customer_number_is_final_after_one_attempt(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
) -> None:
    """R7: a meter's refusal is not retried; its cause is named (SERR 0x0010)."""
    sim = meter_sim_factory(meters=1)
    station = station_factory(links=[sim.url], key_file=sim.key_file)
    api = station.client()
    assert (
        api.post("/tasks", json=task("wrong-customer", customer="100000000099")).status_code == 202
    )
    view = station.wait_done("wrong-customer")
    assert (view["outcome"], view["reason"]) == ("failed", "customer-mismatch")
    assert len(view["attempts"]) == 1
    assert sim.meter(METER) == (5000, 0)


def test_tasks_of_one_meter_run_in_order_with_consecutive_counts(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
) -> None:
    """I2: purchases 1, 2, 3 submitted back to back load in that order."""
    sim = meter_sim_factory(meters=1, balance_fen=0)
    station = station_factory(links=[sim.url], key_file=sim.key_file)
    api = station.client()
    for n in (1, 2, 3):
        body = task(f"seq-{n}", amount_fen=1000 * n, count=n)
        assert api.post("/tasks", json=body).status_code == 202
    views = [station.wait_done(f"seq-{n}") for n in (1, 2, 3)]
    assert [v["outcome"] for v in views] == ["success"] * 3
    assert sim.meter(METER) == (6000, 3)


def test_refusals_and_misfits_are_final_and_named(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
    tmp_path: Path,
) -> None:
    """R7/R8: a hoarding limit, a count that does not fit and a key the meter refuses each
    end the task after one attempt with their own reason; nothing is loaded."""
    config = {
        "meters": [
            {"meter_no": METER, "customer_no": CUSTOMER, "balance_fen": 5000},
            {
                "meter_no": "000000000002",
                "customer_no": "100000000002",
                "balance_fen": 5000,
                "hoarding_limit_fen": 6000,
            },
        ]
    }
    sim = meter_sim_factory(config=config)
    station = station_factory(links=[sim.url], key_file=sim.key_file)
    api = station.client()
    cases = {
        "hoarding": (task("hoard", "000000000002", "100000000002"), "hoarding-limit"),
        "misfit": (task("misfit", count=2), "count-mismatch"),
    }
    for body, _ in cases.values():
        assert api.post("/tasks", json=body).status_code == 202
    for body, reason in cases.values():
        view = station.wait_done(body["task_id"])
        assert (view["outcome"], view["reason"]) == ("failed", reason), view
        assert len(view["attempts"]) == 1
    assert sim.meter(METER) == (5000, 0)
    assert sim.meter("000000000002") == (5000, 0)
    # A misfit count is not a channel failure: the channel is fine.
    assert api.get(f"/meters/{METER}/health").json()["failures_today"] == 0

    wrong_key = tmp_path / "wrong.key"
    write_key_file(wrong_key, generate_master_key())
    other = station_factory(links=[sim.url], key_file=wrong_key)
    assert other.client().post("/tasks", json=task("bad-key")).status_code == 202
    view = other.wait_done("bad-key")
    assert (view["outcome"], view["reason"]) == ("failed", "security-refused")
    assert sim.meter(METER) == (5000, 0)


def test_meters_on_several_links_are_found_or_mapped(
    meter_sim_factory: Callable[..., MeterSimProcess],
    station_factory: Callable[..., StationProcess],
    tmp_path: Path,
) -> None:
    """Without a meter map the station looks a meter up on each link; with one, a meter the
    map does not name is refused at the door (nothing stored)."""
    first = meter_sim_factory(meters=1)
    second = meter_sim_factory(
        config={"meters": [{"meter_no": "000000000077", "customer_no": "100000000077"}]},
        key_file=first.key_file,
    )
    station = station_factory(links=[first.url, second.url], key_file=first.key_file)
    api = station.client()
    assert api.post("/tasks", json=task("far", "000000000077", "100000000077")).status_code == 202
    assert api.post("/tasks", json=task("near")).status_code == 202
    assert station.wait_done("far")["outcome"] == "success"
    assert station.wait_done("near")["outcome"] == "success"
    assert second.meter("000000000077") == (2500, 1)  # configured with no balance
    assert first.meter(METER) == (7500, 1)

    meter_map = tmp_path / "meter-map.json"
    meter_map.write_text(json.dumps({"000000000077": second.url}), encoding="utf-8")
    mapped = station_factory(
        links=[], key_file=first.key_file, extra=["--meter-map", str(meter_map)]
    )
    api = mapped.client()
    refused = api.post("/tasks", json=task("unmapped", count=2))
    assert refused.status_code == 422 and refused.json()["reason"].startswith("meter:")
    assert api.get("/tasks/unmapped").status_code == 404
    body = task("mapped", "000000000077", "100000000077", count=2)
    assert api.post("/tasks", json=body).status_code == 202
    assert mapped.wait_done("mapped")["outcome"] == "success"
    assert second.meter("000000000077") == (5000, 2)
