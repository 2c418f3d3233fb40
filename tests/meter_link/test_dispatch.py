"""Dispatch R7–R9 with R8's recovery, over the simulated bus (real frames over TCP)."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from meter_link.client import Timeouts
from meter_link.dispatch import (
    DispatchOutcome,
    DispatchRequest,
    DispatchStep,
)
from meter_link.dlt645.security_payloads import (
    DI_IDENTITY_AUTHENTICATION,
    DI_RECHARGE,
    DI_STATUS_QUERY,
)
from meter_link.security import SoftwareSecurityModule, generate_master_key
from meter_link.simulator import Fault, FaultKind
from tests.fixtures.meters import MeterBus

M1, C1 = "000000000001", "100000000001"


def test_r7_success_loads_purchase_and_reads_back(meter_bus: MeterBus) -> None:
    steps: list[tuple[DispatchStep, int, int]] = []
    result = meter_bus.dispatcher().dispatch(
        DispatchRequest(M1, C1, 10000, 1), lambda s, k, n: steps.append((s, k, n))
    )
    assert result.outcome is DispatchOutcome.SUCCESS and result.succeeded
    assert (result.balance_fen, result.count) == (15000, 1)
    assert "ESAM read-back verified" in result.reason  # 078102FF with both MACs checked
    assert [s for s, _, _ in steps] == list(DispatchStep)
    assert all((k, n) == (1, 3) for _, k, n in steps)
    record = result.attempts[0]
    assert set(record.step_times) == {s.value for s in DispatchStep}
    assert record.duration_s >= sum(record.step_times.values()) * 0.99
    with meter_bus.simulator.meter(M1) as m:
        assert (m.balance_fen, m.purchase_count, len(m.purchase_records)) == (15000, 1, 1)


def test_read_back_falls_back_to_plain_reads_when_status_query_fails(
    meter_bus: MeterBus,
) -> None:
    meter_bus.simulator.inject(M1, Fault(FaultKind.CORRUPT, di=DI_STATUS_QUERY))
    result = meter_bus.dispatcher().dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert result.outcome is DispatchOutcome.SUCCESS
    assert "verified" not in result.reason
    assert (result.balance_fen, result.count) == (15000, 1)


def test_r8_lost_recharge_reply_is_already_loaded_on_next_attempt(meter_bus: MeterBus) -> None:
    meter_bus.simulator.inject(M1, Fault(FaultKind.REPLY_LOST_AFTER_APPLY, di=DI_RECHARGE))
    result = meter_bus.dispatcher().dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert [a.outcome for a in result.attempts] == [
        DispatchOutcome.TIMEOUT,
        DispatchOutcome.ALREADY_LOADED,
    ]
    assert result.outcome is DispatchOutcome.ALREADY_LOADED and result.succeeded
    with meter_bus.simulator.meter(M1) as m:
        assert (m.balance_fen, m.purchase_count, len(m.purchase_records)) == (15000, 1, 1)


def test_r8_repeated_recharge_refusal_is_already_loaded(meter_bus: MeterBus) -> None:
    """A card got there first between our channel test and our recharge (R5, R8)."""
    dispatcher = meter_bus.dispatcher()

    def card_arrives_before_authentication(step: DispatchStep, attempt: int, total: int) -> None:
        if step is DispatchStep.AUTHENTICATION:
            with meter_bus.simulator.meter(M1) as m:
                m.load_purchase(10000, 1)  # the purchase card, same n (R5)

    result = dispatcher.dispatch(
        DispatchRequest(M1, C1, 10000, 1), card_arrives_before_authentication
    )
    assert result.outcome is DispatchOutcome.ALREADY_LOADED
    assert "SERR 0x0002" in result.reason
    with meter_bus.simulator.meter(M1) as m:
        assert (m.balance_fen, m.purchase_count) == (15000, 1)


def test_r8_equal_count_with_other_amount_is_count_mismatch(meter_bus: MeterBus) -> None:
    with meter_bus.simulator.meter(M1) as m:
        m.load_purchase(999, 1)
    result = meter_bus.dispatcher().dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert result.outcome is DispatchOutcome.COUNT_MISMATCH
    assert len(result.attempts) == 1


def test_r8_other_count_is_count_mismatch_and_never_renumbered(meter_bus: MeterBus) -> None:
    result = meter_bus.dispatcher().dispatch(DispatchRequest(M1, C1, 10000, 3))
    assert result.outcome is DispatchOutcome.COUNT_MISMATCH
    assert result.count == 0
    with meter_bus.simulator.meter(M1) as m:
        assert m.purchase_count == 0


def test_r21_hoarding_limit_refused_with_its_reason(meter_bus: MeterBus) -> None:
    with meter_bus.simulator.meter(M1) as m:
        m.hoarding_limit_fen = 10000
    result = meter_bus.dispatcher().dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert result.outcome is DispatchOutcome.HOARDING_LIMIT
    assert "hoarding limit" in result.reason and "0x0040" in result.reason
    assert len(result.attempts) == 1
    with meter_bus.simulator.meter(M1) as m:
        assert (m.balance_fen, m.purchase_count) == (5000, 0)


def test_r7_wrong_key_refused_with_its_reason(meter_bus: MeterBus) -> None:
    wrong = SoftwareSecurityModule(generate_master_key())
    result = meter_bus.dispatcher(security=wrong).dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert result.outcome is DispatchOutcome.SECURITY_REFUSAL
    assert "identity authentication" in result.reason and "0x0008" in result.reason
    with meter_bus.simulator.meter(M1) as m:
        assert m.purchase_count == 0


def test_r7_customer_number_mismatch_refused(meter_bus: MeterBus) -> None:
    result = meter_bus.dispatcher().dispatch(DispatchRequest(M1, "100000000999", 10000, 1))
    assert result.outcome is DispatchOutcome.SECURITY_REFUSAL
    assert "customer number" in result.reason


def test_r9_channel_failure_after_three_attempts(meter_bus: MeterBus) -> None:
    meter_bus.simulator.inject(M1, Fault(FaultKind.NO_REPLY, times=None))
    progress: list[int] = []
    result = meter_bus.dispatcher(timeouts=Timeouts.uniform(0.1)).dispatch(
        DispatchRequest(M1, C1, 10000, 1), lambda s, k, n: progress.append(k)
    )
    assert result.outcome is DispatchOutcome.CHANNEL_FAILURE
    assert [a.attempt for a in result.attempts] == [1, 2, 3]
    assert sorted(set(progress)) == [1, 2, 3]
    assert result.balance_fen is None


def test_r9_authentication_timeout_is_retried(meter_bus: MeterBus) -> None:
    meter_bus.simulator.inject(M1, Fault(FaultKind.NO_REPLY, di=DI_IDENTITY_AUTHENTICATION))
    result = meter_bus.dispatcher().dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert [a.outcome for a in result.attempts] == [
        DispatchOutcome.TIMEOUT,
        DispatchOutcome.SUCCESS,
    ]


def test_probe_reads_r7_channel_figures(meter_bus: MeterBus) -> None:
    with meter_bus.simulator.meter(M1) as m:
        m.balance_fen, m.overdraft_fen = 0, 0
        m.consume_fen(250)
    reading = meter_bus.dispatcher().probe(M1)
    assert (reading.balance_fen, reading.overdraft_fen, reading.count) == (0, 250, 0)
    assert reading.relay_open


def test_request_rejects_non_positive_amounts() -> None:
    with pytest.raises(ValueError):
        DispatchRequest(M1, C1, 0, 1)


@pytest.mark.slow
def test_fifty_meters_mixed_faults_every_dispatch_recorded_none_loaded_twice(
    meter_bus_factory: Callable[..., MeterBus],
) -> None:
    """I2 on the meter side: whatever the faults, no meter ever loads a purchase twice."""
    bus = meter_bus_factory(meters=50, balance_fen=1000)
    sim = bus.simulator
    rng = random.Random(645)
    kinds: list[Callable[[], Fault | None]] = [
        lambda: None,
        lambda: Fault(FaultKind.REPLY_LOST_AFTER_APPLY, di=DI_RECHARGE),
        lambda: Fault(FaultKind.REPLY_LOST_AFTER_APPLY, di=DI_RECHARGE, times=None),
        lambda: Fault(FaultKind.NO_REPLY, times=rng.randint(1, 4)),
        lambda: Fault(FaultKind.NO_REPLY, times=None),
        lambda: Fault(FaultKind.CORRUPT, times=rng.randint(1, 3)),
        lambda: Fault(FaultKind.SLOW_REPLY, seconds=0.2, times=rng.randint(1, 2)),
        lambda: Fault(FaultKind.NO_REPLY, di=DI_RECHARGE, times=2),
    ]
    before: dict[str, tuple[int, int]] = {}
    for address in bus.addresses:
        fault = rng.choice(kinds)()
        if fault is not None:
            sim.inject(address, fault)
        with sim.meter(address) as m:
            if rng.random() < 0.1:
                m.hoarding_limit_fen = 2000  # this purchase will not fit
            before[address] = (m.balance_fen, len(m.purchase_records))
    dispatcher = bus.dispatcher(timeouts=Timeouts.uniform(0.1))
    outcomes: dict[str, DispatchOutcome] = {}
    for i, address in enumerate(bus.addresses, start=1):
        request = DispatchRequest(address, f"{100000000000 + i:012d}", 3000 + i, 1)
        result = dispatcher.dispatch(request)
        assert result.attempts and len(result.attempts) <= 3
        assert all(a.outcome in DispatchOutcome for a in result.attempts)
        outcomes[address] = result.outcome
        with sim.meter(address) as m:
            loaded = len(m.purchase_records) - before[address][1]
            assert loaded <= 1, f"{address} loaded {loaded} purchases"
            assert m.purchase_count in (0, 1)
            if result.succeeded:
                assert m.purchase_count == 1 and loaded == 1
                assert m.balance_fen == before[address][0] + 3000 + i
            if result.outcome is DispatchOutcome.HOARDING_LIMIT:
                assert loaded == 0
    kinds_seen = set(outcomes.values())
    assert DispatchOutcome.SUCCESS in kinds_seen
    assert DispatchOutcome.ALREADY_LOADED in kinds_seen
    assert DispatchOutcome.HOARDING_LIMIT in kinds_seen
    assert kinds_seen & {DispatchOutcome.CHANNEL_FAILURE, DispatchOutcome.TIMEOUT}


def test_channel_test_uses_block_reads(meter_bus: MeterBus) -> None:
    """009002FF + 0333FF01 + status word: three round trips instead of five."""
    dispatcher = meter_bus.dispatcher()
    before = meter_bus.simulator.requests_seen
    reading = dispatcher.probe(M1)
    assert meter_bus.simulator.requests_seen - before == 3
    assert (reading.balance_fen, reading.overdraft_fen, reading.count) == (5000, 0, 0)
    result = dispatcher.dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert result.outcome is DispatchOutcome.SUCCESS
    after = dispatcher.probe(M1)
    assert (after.balance_fen, after.count, after.last_purchase_fen) == (15000, 1, 10000)


def test_meter_without_blocks_falls_back_to_single_items(meter_bus: MeterBus) -> None:
    with meter_bus.simulator.meter(M1) as m:
        m.supports_blocks = False
        m.load_purchase(1200, 1)
    dispatcher = meter_bus.dispatcher()
    reading = dispatcher.probe(M1)
    assert (reading.balance_fen, reading.count, reading.last_purchase_fen) == (6200, 1, 1200)
    before = meter_bus.simulator.requests_seen
    dispatcher.probe(M1)
    assert meter_bus.simulator.requests_seen - before == 5  # remembered: no block tried again
    result = dispatcher.dispatch(DispatchRequest(M1, C1, 100, 2))
    assert result.outcome is DispatchOutcome.SUCCESS and result.count == 2
