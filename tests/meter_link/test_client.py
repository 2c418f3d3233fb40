"""Dlt645Client against the simulator over the real stack: TCP socket and a pty."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from meter_link.client import Dlt645Client, Exchange, Timeouts
from meter_link.dlt645 import StreamDecoder
from meter_link.dlt645.codes import ErrFlag, SerrFlag
from meter_link.dlt645.commands import RelayCommand
from meter_link.dlt645.security_payloads import RechargeRequest
from meter_link.errors import (
    ExceptionReply,
    Garbled,
    LinkUnavailable,
    NoAnswer,
    SecurityRefusal,
)
from meter_link.simulator import Fault, FaultKind, MeterSimulator
from tests.fixtures.meters import FAST_TIMEOUTS, MeterBus

M1 = "000000000001"
C1 = "100000000001"


def test_read_balance_and_identity_over_tcp(meter_bus: MeterBus) -> None:
    client = meter_bus.client()
    assert client.read_value(M1, "balance") == 5000
    assert client.read_value(M1, "meter-number") == M1
    assert client.read_value(M1, "customer-number") == C1
    assert client.read_value(M1, "purchase-count") == 0


def test_client_over_a_pty(meter_bus: MeterBus) -> None:
    path = meter_bus.simulator.start_pty()
    assert path.startswith("/dev/")
    with Dlt645Client(path, baudrate=2400, parity="E", timeouts=FAST_TIMEOUTS) as client:
        assert client.read_value("000000000002", "balance") == 5000
        session = client.authenticate("000000000002", "000000000002", meter_bus.security)
        mac1, mac2 = meter_bus.security.recharge_macs(session, 700, 1, "100000000002")
        client.remote_recharge("000000000002", RechargeRequest(700, 1, mac1, "100000000002", mac2))
        assert client.read_value("000000000002", "balance") == 5700


def test_only_the_addressed_meter_answers_and_unknown_address_is_silent(
    meter_bus: MeterBus,
) -> None:
    client = meter_bus.client(Timeouts.uniform(0.2))
    assert client.read_value("000000000003", "meter-number") == "000000000003"
    with pytest.raises(NoAnswer):
        client.read_value("000000000099", "balance")


def test_read_address_with_wildcard_needs_a_single_meter(meter_bus: MeterBus) -> None:
    client = meter_bus.client(Timeouts.uniform(0.3))
    with pytest.raises(Garbled):  # three meters answer at once on RS-485
        client.read_address()
    exchanges: list[Exchange] = []
    client.trace = exchanges.append
    assert client.read_address("AAAAAAAAAA03") == "000000000003"
    reply = StreamDecoder().feed(exchanges[-1].received)[-1]
    assert reply.address == "000000000003"  # the real address, not the wildcard


def test_follow_up_frames_are_read_with_12h(meter_bus: MeterBus) -> None:
    with meter_bus.simulator.meter(M1) as m:
        m.max_reply_data = 10
        m.energy_wh = 123450
    exchanges: list[Exchange] = []
    client = meter_bus.client()
    client.trace = exchanges.append
    assert client.read_value(M1, 0x0001FF00) == (12345, 12345, 0, 0, 0)
    assert len(exchanges) >= 3  # 11H then 12H follow-ups


def test_exception_reply_carries_err(meter_bus: MeterBus) -> None:
    client = meter_bus.client()
    with pytest.raises(ExceptionReply) as info:
        client.read(M1, 0x04000C01)  # a DI the meter does not have
    assert info.value.err == ErrFlag.NO_DATA


def test_write_needs_the_password(meter_bus: MeterBus) -> None:
    client = meter_bus.client()
    client.write_value(M1, "hoarding-limit", 200000, password="02000000")
    assert client.read_value(M1, "hoarding-limit") == 200000
    with pytest.raises(ExceptionReply) as info:
        client.write_value(M1, "hoarding-limit", 1, password="02999999")
    assert info.value.err == ErrFlag.PASSWORD


def test_security_refusal_carries_serr(meter_bus: MeterBus) -> None:
    client = meter_bus.client()
    with pytest.raises(SecurityRefusal) as info:  # no session yet
        client.status_query(M1)
    assert info.value.serr == SerrFlag.AUTHENTICATION


def test_status_query_macs_verify(meter_bus: MeterBus) -> None:
    client = meter_bus.client()
    session = client.authenticate(M1, M1, meter_bus.security)
    status = client.status_query(M1)
    assert (status.balance_fen, status.count, status.customer_no) == (5000, 0, C1)
    assert meter_bus.security.verify_readback(
        session, (5000).to_bytes(4, "big"), status.balance_mac
    )


def test_corrupted_reply_is_garbled_and_silence_is_no_answer(meter_bus: MeterBus) -> None:
    client = meter_bus.client(Timeouts.uniform(0.2))
    meter_bus.simulator.inject(M1, Fault(FaultKind.CORRUPT))
    with pytest.raises(Garbled):
        client.read_value(M1, "balance")
    meter_bus.simulator.inject(M1, Fault(FaultKind.NO_REPLY))
    with pytest.raises(NoAnswer):
        client.read_value(M1, "balance")
    meter_bus.simulator.inject(None, Fault(FaultKind.SLOW_REPLY, seconds=0.5))
    with pytest.raises(NoAnswer):
        client.read_value(M1, "balance")
    time.sleep(0.6)  # let the slow reply arrive and be flushed before the next request
    assert client.read_value(M1, "balance") == 5000  # faults were one-shot


def test_bus_down_for_a_while(meter_bus: MeterBus) -> None:
    client = meter_bus.client(Timeouts.uniform(0.15))
    meter_bus.simulator.bus_down(0.5)
    with pytest.raises(NoAnswer):
        client.read_value(M1, "balance")
    time.sleep(0.4)
    assert client.read_value(M1, "balance") == 5000


def test_local_echo_is_filtered(meter_bus: MeterBus) -> None:
    meter_bus.simulator.echo = True
    client = meter_bus.client()
    exchanges: list[Exchange] = []
    client.trace = exchanges.append
    assert client.read_value(M1, "balance") == 5000
    assert exchanges[0].received.startswith(exchanges[0].sent)


def test_one_request_at_a_time_per_bus(meter_bus: MeterBus) -> None:
    """Two threads, two clients on one URL: the bus lock keeps every reply matched."""
    clients = [meter_bus.client(), meter_bus.client()]
    errors: list[BaseException] = []

    def worker(client: Dlt645Client, address: str) -> None:
        try:
            for _ in range(20):
                assert client.read_value(address, "meter-number") == address
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=(c, a))
        for c, a in zip(clients, (M1, "000000000002"), strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_broadcast_time_sets_a_meter_clock_within_five_minutes(meter_bus: MeterBus) -> None:
    with meter_bus.simulator.meter(M1) as m:
        m.clock_offset_s = 120.0
    with meter_bus.simulator.meter("000000000002") as m2:
        m2.clock_offset_s = 3600.0  # too far: a broadcast may not fix it
    client = meter_bus.client()
    client.broadcast_time(datetime.now())
    client.read_value(M1, "balance")  # the next exchange proves the broadcast was handled
    with meter_bus.simulator.meter(M1) as m:
        assert abs(m.clock_offset_s) < 5
    with meter_bus.simulator.meter("000000000002") as m2:
        assert m2.clock_offset_s == 3600.0


def test_relay_control_plain_and_ciphered(meter_bus: MeterBus) -> None:
    client = meter_bus.client()
    deadline = datetime.now() + timedelta(minutes=10)
    client.relay_control(M1, RelayCommand.TRIP, deadline)
    assert client.read_int(M1, "status3") & (1 << 4)
    with pytest.raises(ExceptionReply):
        client.relay_control(M1, RelayCommand.CLOSE, deadline, password="02111111")
    session = client.authenticate(M1, M1, meter_bus.security)
    client.relay_control(M1, RelayCommand.CLOSE, deadline, secure=(meter_bus.security, session))
    assert not client.read_int(M1, "status3") & (1 << 4)
    with pytest.raises(ExceptionReply):  # expired command
        client.relay_control(M1, RelayCommand.TRIP, datetime.now() - timedelta(minutes=1))


def test_closed_port_is_link_unavailable() -> None:
    with pytest.raises(LinkUnavailable):
        Dlt645Client("socket://127.0.0.1:1")


def test_simulator_replies_can_be_paced_at_the_baud_rate(meter_bus: MeterBus) -> None:
    sim: MeterSimulator = meter_bus.simulator
    exchanges: list[Exchange] = []
    client = meter_bus.client()
    client.trace = exchanges.append
    sim.baud_pacing = 2400
    client.read_value(M1, "balance")
    sim.baud_pacing = None
    wire = (len(exchanges[0].sent) + len(exchanges[0].received)) * 11 / 2400
    assert exchanges[0].seconds >= wire


def test_client_reconnects_after_the_serial_server_restarts(meter_bus: MeterBus) -> None:
    client = meter_bus.client()
    assert client.read_value(M1, "balance") == 5000
    sim = meter_bus.simulator
    sim.stop()
    with pytest.raises((LinkUnavailable, NoAnswer)):
        client.read_value(M1, "balance")
        client.read_value(M1, "balance")
    again = MeterSimulator(sim.meters.values())
    again.start_tcp(port=meter_bus.port)
    try:
        assert client.read_value(M1, "balance") == 5000
    finally:
        again.stop()


def test_remote_account_opening_then_recharge(meter_bus: MeterBus) -> None:
    with meter_bus.simulator.meter(M1) as m:
        m.opened = False
    client = meter_bus.client()
    assert client.read_int(M1, "status3") & (1 << 15)  # remote account not opened
    session = client.authenticate(M1, M1, meter_bus.security)
    with pytest.raises(SecurityRefusal):
        mac1, mac2 = meter_bus.security.recharge_macs(session, 100, 1, C1)
        client.remote_recharge(M1, RechargeRequest(100, 1, mac1, C1, mac2))
    mac1, mac2 = meter_bus.security.recharge_macs(session, 2000, 1, C1, opening=True)
    client.remote_account_opening(M1, RechargeRequest(2000, 1, mac1, C1, mac2))
    assert not client.read_int(M1, "status3") & (1 << 15)
    assert client.read_int(M1, "balance") == 7000
    assert client.read_int(M1, "purchase-count") == 1


def test_a_pty_can_be_opened_again_after_a_client_closed_it(meter_bus: MeterBus) -> None:
    path = meter_bus.simulator.start_pty()
    for _ in range(3):
        with Dlt645Client(path, timeouts=FAST_TIMEOUTS) as client:
            assert client.read_value(M1, "meter-number") == M1


def test_spy_url_hex_dumps_the_traffic_for_field_diagnosis(
    meter_bus: MeterBus, tmp_path: Path
) -> None:
    path = meter_bus.simulator.start_pty()
    trace = tmp_path / "trace.txt"
    with Dlt645Client(f"spy://{path}?file={trace}", timeouts=FAST_TIMEOUTS) as client:
        assert client.read_value(M1, "balance") == 5000
    text = trace.read_text()
    assert "FE FE FE FE 68 01 00 00" in text and "RX" in text


def test_tampered_amount_fails_the_mac_and_counts_toward_suspension(meter_bus: MeterBus) -> None:
    client = meter_bus.client()
    session = client.authenticate(M1, M1, meter_bus.security)
    mac1, mac2 = meter_bus.security.recharge_macs(session, 100, 1, C1)
    with pytest.raises(SecurityRefusal) as info:
        client.remote_recharge(M1, RechargeRequest(100000, 1, mac1, C1, mac2))  # amount changed
    assert info.value.serr == SerrFlag.ESAM_MAC
    with meter_bus.simulator.meter(M1) as m:
        assert (m.mac_errors, m.purchase_count, m.balance_fen) == (1, 0, 5000)
        m.mac_errors = 200
    with pytest.raises(SecurityRefusal) as info:
        client.authenticate(M1, M1, meter_bus.security)
    assert info.value.serr == SerrFlag.SUSPENDED


def test_recharge_after_the_session_expired_is_refused(meter_bus: MeterBus) -> None:
    client = meter_bus.client()
    session = client.authenticate(M1, M1, meter_bus.security)
    assert client.read_int(M1, "status3") & (1 << 13)  # session valid
    with meter_bus.simulator.meter(M1) as m:
        m.end_session()
    mac1, mac2 = meter_bus.security.recharge_macs(session, 100, 1, C1)
    with pytest.raises(SecurityRefusal) as info:
        client.remote_recharge(M1, RechargeRequest(100, 1, mac1, C1, mac2))
    assert info.value.serr == SerrFlag.AUTHENTICATION
