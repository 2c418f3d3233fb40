"""The `Dispatcher` port's contract, run against both adapters (R7–R9).

``direct``: `MeterLinkDispatcher`, this PC's own DL/T 645 link to the simulated meters.
``station``: `CollectionSystemDispatcher`, a task to a real ``meter-station`` process on
loopback that owns the link to the same kind of simulated meters. Whatever the services
were written against must hold for both: a purchase loads once, a repeated count is
recognised as already loaded (R8), a count gap is refused, a silent meter fails after three
attempts (R9), the probe reads balance and count (R8 a+b).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from counter_app.bootstrap import MeterLinkDispatcher
from counter_app.config import MeterLinkConfig
from counter_app.embedded import start_meter_simulator
from counter_app.server.station_client import CollectionSystemDispatcher
from counter_app.services.ports import Dispatcher, DispatchOutcome
from meter_link.client import Dlt645Client, Timeouts
from meter_link.security import SoftwareSecurityModule, generate_master_key
from meter_link.simulator import MeterSimulator
from meter_link.simulator.faults import Fault, FaultKind
from tests.fixtures.collection import CollectionStation, free_port

METER = "000000000001"
CUSTOMER = "100000000001"  # the customer number the demo meter holds
SILENT = "000000000002"


@dataclass
class Subject:
    dispatcher: Dispatcher
    simulator: MeterSimulator

    def count(self, address: str) -> int:
        with self.simulator.meter(address) as meter:
            return int(meter.purchase_count)

    def balance(self, address: str) -> int:
        with self.simulator.meter(address) as meter:
            return int(meter.balance_fen)


@pytest.fixture(params=["direct", "station"])
def subject(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Subject]:
    key = generate_master_key()
    simulator, url = start_meter_simulator(tmp_path, key)
    simulator.inject(SILENT, Fault(FaultKind.NO_REPLY, times=None))
    closers: list[Any] = [simulator.stop]
    try:
        if request.param == "direct":
            direct = MeterLinkDispatcher(
                MeterLinkConfig(url=url),
                security=SoftwareSecurityModule(key),
                client_factory=lambda link: Dlt645Client(link, timeouts=Timeouts.uniform(0.4)),
            )
            closers.insert(0, direct.close)
            yield Subject(direct, simulator)
        else:
            station = CollectionStation(tmp_path, url, key.hex(), free_port(), "contract-token")
            station.start()
            closers.insert(0, station.stop)
            client = CollectionSystemDispatcher(
                station.url, station.token, origin="counter:contract", dispatch_timeout_s=60
            )
            closers.insert(0, client.close)
            yield Subject(client, simulator)
    finally:
        for close in closers:
            close()


def test_a_purchase_loads_once_with_its_steps_r7(subject: Subject) -> None:
    before = subject.balance(METER)
    steps: list[tuple[str, int]] = []
    report = subject.dispatcher.dispatch(
        METER, CUSTOMER, 1_234, 1, lambda step, attempt: steps.append((step, attempt))
    )
    assert report.loaded and report.outcome == DispatchOutcome.SUCCESS
    assert report.count == 1 and report.balance_fen == before + 1_234
    assert subject.count(METER) == 1 and subject.balance(METER) == before + 1_234
    assert report.attempts and report.attempts[-1].outcome == DispatchOutcome.SUCCESS
    assert ("channel-test", 1) in steps and any(s == "recharge" for s, _ in steps)


def test_the_same_count_again_is_already_loaded_never_twice_r8(subject: Subject) -> None:
    first = subject.dispatcher.dispatch(METER, CUSTOMER, 500, 1)
    again = subject.dispatcher.dispatch(METER, CUSTOMER, 500, 1)
    assert first.loaded and again.loaded
    assert again.outcome in DispatchOutcome.LOADED
    assert subject.count(METER) == 1


def test_a_count_gap_is_refused_r8(subject: Subject) -> None:
    report = subject.dispatcher.dispatch(METER, CUSTOMER, 500, 3)
    assert not report.loaded and report.outcome == DispatchOutcome.COUNT_MISMATCH
    assert subject.count(METER) == 0


def test_a_silent_meter_fails_after_three_attempts_r9(subject: Subject) -> None:
    report = subject.dispatcher.dispatch(SILENT, "100000000002", 500, 1)
    assert not report.loaded and report.outcome == DispatchOutcome.CHANNEL_FAILURE
    assert len(report.attempts) == 3
    assert subject.count(SILENT) == 0


def test_the_probe_reads_balance_and_count_r8(subject: Subject) -> None:
    subject.dispatcher.dispatch(METER, CUSTOMER, 700, 1)
    probe = subject.dispatcher.probe(METER)
    assert probe.count == 1 and probe.balance_fen == subject.balance(METER)
    assert probe.last_purchase_fen == 700
    with pytest.raises(Exception):  # noqa: B017  (each adapter raises its link's error)
        subject.dispatcher.probe(SILENT)
