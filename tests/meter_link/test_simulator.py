"""The simulated meter follows R21 and keeps its state across restarts."""

from __future__ import annotations

from pathlib import Path

from meter_link.client import Dlt645Client
from meter_link.security import generate_master_key
from meter_link.simulator import Fault, FaultKind, MeterSimulator, SimulatedMeter
from tests.fixtures.meters import FAST_TIMEOUTS, MeterBus


def make_meter(**fields: object) -> SimulatedMeter:
    return SimulatedMeter.create("000000000001", "100000000001", generate_master_key(), **fields)


def test_r21_consumption_deducts_price_times_energy() -> None:
    meter = make_meter(balance_fen=1000, price_e4=5000)  # 0.5000 yuan/kWh
    meter.consume_wh(3000)  # 3 kWh = 1.50 yuan
    assert meter.balance_fen == 850
    assert meter.energy_wh == 3000
    meter.consume_wh(1)  # 0.05 fen: kept as a residual, not rounded away
    meter.consume_wh(19)
    assert meter.balance_fen == 849


def test_r21_load_power_over_time() -> None:
    meter = make_meter(balance_fen=1000, price_e4=10000, load_w=1000)  # 1 kW at 1 yuan/kWh
    meter.advance(3600)
    assert meter.energy_wh == 1000
    assert meter.balance_fen == 900


def test_r21_alarm_overdraft_and_trip() -> None:
    meter = make_meter(balance_fen=1200, overdraft_limit_fen=300, alarm1_fen=1000, alarm2_fen=500)
    assert meter.alarm_level == 0
    meter.consume_fen(300)
    assert meter.alarm_level == 1
    meter.consume_fen(500)
    assert meter.alarm_level == 2
    meter.consume_fen(600)  # 200 fen into overdraft, within the limit
    assert (meter.balance_fen, meter.overdraft_fen, meter.relay_open) == (0, 200, False)
    meter.consume_fen(200)
    assert meter.overdraft_fen == 400 and meter.relay_open


def test_r21_purchase_pays_overdraft_first_and_closes_relay() -> None:
    meter = make_meter(balance_fen=0, overdraft_fen=400)
    assert meter.relay_open
    meter.load_purchase(1000, 1)
    assert (meter.balance_fen, meter.overdraft_fen, meter.purchase_count) == (600, 0, 1)
    assert meter.last_purchase_fen == 1000
    assert not meter.relay_open
    assert meter.purchase_records[0].balance_before_fen == 0
    assert meter.purchase_records[0].balance_after_fen == 600


def test_r21_hoarding_limit() -> None:
    meter = make_meter(balance_fen=9000, hoarding_limit_fen=10000)
    assert not meter.would_exceed_hoarding(1000)
    assert meter.would_exceed_hoarding(1001)
    assert not make_meter(balance_fen=9000).would_exceed_hoarding(10**8)  # 0 = unlimited


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    key = generate_master_key()
    sim = MeterSimulator(master_key=key, state_file=state)
    sim.populate(2, balance_fen=100)
    port = sim.start_tcp()
    with Dlt645Client(f"socket://127.0.0.1:{port}", timeouts=FAST_TIMEOUTS) as client:
        client.write_value("000000000002", "hoarding-limit", 50000)
    with sim.meter("000000000001") as m:
        m.load_purchase(2500, 1)
    sim.stop()

    again = MeterSimulator(state_file=state)
    again.load()
    port = again.start_tcp()
    try:
        with Dlt645Client(f"socket://127.0.0.1:{port}", timeouts=FAST_TIMEOUTS) as client:
            assert client.read_value("000000000001", "balance") == 2600
            assert client.read_value("000000000001", "purchase-count") == 1
            assert client.read_value("000000000001", "last-purchase") == 2500
            assert client.read_value("000000000002", "hoarding-limit") == 50000
        with again.meter("000000000001") as m:
            assert m.esam_key  # the ESAM keeps its key across restarts
    finally:
        again.stop()


def test_fault_parse_cli_form() -> None:
    fault = Fault.parse("reply-lost-after-apply@070102FF*2")
    assert (fault.kind, fault.di, fault.times) == (FaultKind.REPLY_LOST_AFTER_APPLY, 0x070102FF, 2)
    slow = Fault.parse("slow-reply:1.5*all")
    assert (slow.kind, slow.seconds, slow.times) == (FaultKind.SLOW_REPLY, 1.5, None)


def test_purchase_records_are_readable_for_the_last_ten(meter_bus: MeterBus) -> None:
    url, sim = meter_bus.url, meter_bus.simulator
    with sim.meter("000000000001") as m:
        for n in range(1, 13):
            m.load_purchase(100 * n, n)
    with Dlt645Client(url, timeouts=FAST_TIMEOUTS) as client:
        assert client.read_value("000000000001", 0x03330301) == 1200
        assert client.read_value("000000000001", 0x03330302) == 1100
        assert client.read_value("000000000001", 0x0333020A) == 3  # 10th last purchase
        assert client.read_value("000000000001", 0x0333040A) == 5000 + sum(range(1, 3)) * 100
