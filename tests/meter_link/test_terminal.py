"""The concentrator path end to end: station hub ↔ simulated terminal (1376.1 over TCP) ↔
simulated meters (DL/T 645), with the terminal's faults seen through a real dispatch (R7–R9)
and named by cause all the way to the dispatch result.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from meter_link.client import Timeouts
from meter_link.dispatch import DispatchOutcome, DispatchRequest, MeterDispatcher
from meter_link.errors import (
    LinkCause,
    MeterLinkError,
    MeterSilent,
    RouteLost,
    TerminalOffline,
)
from meter_link.q1376 import (
    Address,
    ForwardReply,
    Frame,
    FrameStream,
    encode_frame,
    forward_reply,
    link_check,
    parse_confirmation,
)
from meter_link.security import SoftwareSecurityModule, generate_master_key
from meter_link.simulator import Fault, FaultKind, MeterSimulator
from meter_link.terminal import (
    SerialHop,
    SimulatedTerminal,
    TerminalDirectory,
    TerminalHub,
    terminal_client_factory,
)
from meter_link.transport import PacedLink, open_link
from tests.fixtures.meters import MeterBus
from tests.fixtures.terminals import TERMINAL, TerminalPath, start_terminal

BIN = Path(sys.executable).parent
M1, C1 = "000000000001", "100000000001"
M2, C2 = "000000000002", "100000000002"


def test_dispatch_through_the_terminal_loads_the_purchase(terminal_path: TerminalPath) -> None:
    result = terminal_path.dispatcher().dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert result.outcome is DispatchOutcome.SUCCESS, result.reason
    assert (result.balance_fen, result.count) == (15000, 1)
    assert result.link_cause is None
    with terminal_path.meters.meter(M1) as m:
        assert (m.balance_fen, m.purchase_count) == (15000, 1)
    # every DL/T 645 exchange went via AFN 10H: 3 channel-test reads, 070000FF, 070102FF, 078102FF
    assert terminal_path.terminal.forwards == 6


def test_terminal_logs_in_and_heartbeats_keep_it_online(terminal_path: TerminalPath) -> None:
    time.sleep(0.7)  # longer than offline_after: only heartbeats keep it online
    assert terminal_path.hub.is_online(TERMINAL)
    (status,) = terminal_path.hub.status()
    assert status.terminal == TERMINAL and status.online and status.heartbeats >= 2
    assert status.clock is not None  # the heartbeat carries the terminal's clock


def test_terminal_offline_is_named_on_every_attempt(terminal_path: TerminalPath) -> None:
    terminal_path.terminal.go_offline()
    deadline = time.monotonic() + 2
    while terminal_path.hub.is_online(TERMINAL) and time.monotonic() < deadline:
        time.sleep(0.01)
    result = terminal_path.dispatcher().dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert result.outcome is DispatchOutcome.CHANNEL_FAILURE
    assert result.link_cause == LinkCause.TERMINAL_OFFLINE == "terminal-offline"
    assert [a.link_cause for a in result.attempts] == ["terminal-offline"] * 3
    with terminal_path.meters.meter(M1) as m:
        assert m.purchase_count == 0


def test_terminal_back_online_after_reconnect(terminal_path: TerminalPath) -> None:
    terminal_path.terminal.go_offline(1.0)
    deadline = time.monotonic() + 1.0
    while terminal_path.hub.is_online(TERMINAL) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not terminal_path.hub.is_online(TERMINAL)  # the station saw the connection drop
    assert terminal_path.hub.wait_online(TERMINAL, 3.0)
    assert terminal_path.hub.logins == 2  # it logged in again after reconnecting
    result = terminal_path.dispatcher().dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert result.outcome is DispatchOutcome.SUCCESS


def test_heartbeats_lost_make_the_terminal_offline_at_the_station(
    terminal_path: TerminalPath,
) -> None:
    terminal_path.terminal.lose_heartbeats()
    time.sleep(1.0)  # > offline_after (0.6 s) with no heartbeat arriving
    assert not terminal_path.hub.is_online(TERMINAL)
    assert terminal_path.terminal.logged_in.is_set()  # the terminal itself thinks it is fine
    client = terminal_path.client()
    try:
        client.read_int(M1, "balance")
    except TerminalOffline as exc:
        assert exc.cause == "terminal-offline"
    else:
        raise AssertionError("a terminal with overdue heartbeats must count as offline")


def test_route_lost_to_one_meter_leaves_the_others_reachable(
    terminal_path: TerminalPath,
) -> None:
    terminal_path.terminal.lose_route(M1)
    result = terminal_path.dispatcher(M1).dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert result.outcome is DispatchOutcome.CHANNEL_FAILURE
    assert result.link_cause == "route-lost"
    assert len(result.attempts) == 3
    other = terminal_path.dispatcher(M2).dispatch(DispatchRequest(M2, C2, 5000, 1))
    assert other.outcome is DispatchOutcome.SUCCESS, other.reason
    try:
        terminal_path.client(M1).read_int(M1, "balance")
    except RouteLost as exc:
        assert "could not forward" in str(exc)
    else:
        raise AssertionError("route lost must raise RouteLost")


def test_silent_meter_behind_an_online_terminal(terminal_path: TerminalPath) -> None:
    terminal_path.meters.inject(M1, Fault(FaultKind.NO_REPLY, times=None))
    started = time.monotonic()
    try:
        terminal_path.client(M1).read_int(M1, "balance")
    except MeterSilent as exc:
        assert exc.cause == "meter-silent"
    else:
        raise AssertionError("a silent meter must raise MeterSilent")
    # reported when the terminal's reply (k = 0) arrives, not after the client's own timeout
    assert time.monotonic() - started < 0.5 + 0.4
    result = terminal_path.dispatcher(M1).dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert (result.outcome, result.link_cause) == (DispatchOutcome.CHANNEL_FAILURE, "meter-silent")


def test_recharge_reply_lost_behind_the_terminal_is_recovered_by_r8(
    terminal_path: TerminalPath,
) -> None:
    terminal_path.meters.inject(M1, Fault(FaultKind.REPLY_LOST_AFTER_APPLY, di=0x070102FF))
    result = terminal_path.dispatcher().dispatch(DispatchRequest(M1, C1, 10000, 1))
    assert [a.outcome for a in result.attempts] == [
        DispatchOutcome.TIMEOUT,
        DispatchOutcome.ALREADY_LOADED,
    ]
    assert result.attempts[0].link_cause == "meter-silent"
    with terminal_path.meters.meter(M1) as m:
        assert (m.balance_fen, m.purchase_count) == (15000, 1)


def test_slow_hop_within_the_frame_timeout_still_succeeds(terminal_path: TerminalPath) -> None:
    terminal_path.terminal.slow_hop(0.05)
    started = time.monotonic()
    assert terminal_path.client().read_int(M1, "balance") == 5000
    assert time.monotonic() - started >= 0.05


def test_slow_hop_past_the_frame_timeout_is_a_silent_meter(terminal_path: TerminalPath) -> None:
    terminal_path.terminal.slow_hop(2.0, M1)
    try:
        terminal_path.client(M1).read_int(M1, "balance")
    except MeterSilent:
        pass
    else:
        raise AssertionError("the terminal gives up at its frame timeout")
    terminal_path.terminal.clear_faults()
    assert terminal_path.client(M2).read_int(M2, "balance") == 5000


def test_directory_locates_a_meter_behind_an_online_terminal(
    terminal_path: TerminalPath,
) -> None:
    extra = MeterSimulator(master_key=terminal_path.meters.master_key)
    extra.populate(1, first=7)
    second = start_terminal(terminal_path.hub, "44030002", extra, heartbeat_s=0.2)
    try:
        directory = type(terminal_path.directory)(terminal_path.hub, frame_timeout_s=0.3)
        assert directory.terminal_of("000000000007") == "44030002"
        assert directory.terminal_of(M2) == TERMINAL
        assert directory.client_for("000000000007").read_int("000000000007", "balance") == 0
    finally:
        second.stop()
        extra.stop()


def test_hub_confirms_a_field_login_capture_with_f3() -> None:
    """A real terminal's login bytes (ACD set, EC present) get the standard's AFN 00H F3."""
    login = bytes.fromhex("683A003A0068E94924455800027000000100 1C04 8616".replace(" ", ""))
    with TerminalHub(offline_after=5) as hub:
        hub.start()
        with socket.create_connection(("127.0.0.1", hub.port), timeout=2) as sock:
            sock.sendall(login)
            stream = FrameStream()
            frames = []
            while not frames:
                frames = stream.feed(sock.recv(256))
            reply = frames[0]
            assert not reply.is_up and reply.function == 11 and reply.pseq == 0
            assert reply.address == Address("2449", 0x5845, 0)
            confirmation = parse_confirmation(reply)
            assert confirmation.fn == 3 and confirmation.items == ((2, 0, 1, 0),)
            assert hub.wait_online("24495845", 1)


def test_terminal_accepts_f1_confirms_sent_twice_by_field_stations() -> None:
    meters = MeterSimulator(master_key=bytes(16))
    meters.populate(1)
    with TerminalHub(offline_after=0.6, field_style=True) as hub:
        hub.start()
        terminal = start_terminal(hub, "44030009", meters, heartbeat_s=0.1)
        try:
            time.sleep(0.5)
            assert terminal.logins == 1  # never fell back to a new login
            assert terminal.duplicates_ignored >= 2  # every confirm came twice
            assert hub.is_online("44030009")
        finally:
            terminal.stop()
            meters.stop()


def test_forwarding_frame_on_the_wire_is_afn10_f1() -> None:
    """What the hub sends a terminal for one meter read, checked byte by byte."""
    with TerminalHub(offline_after=5) as hub:
        hub.start()
        with socket.create_connection(("127.0.0.1", hub.port), timeout=2) as sock:
            sock.sendall(encode_frame(link_check(Address.parse("44030001"), 1, 0)))
            sock.recv(256)
            assert hub.wait_online("44030001", 1)
            result: dict[str, object] = {}

            def forward() -> None:
                try:
                    result["reply"] = hub.forward("44030001", b"\x68\x01", frame_timeout_s=1.0)
                except MeterLinkError as exc:
                    result["error"] = exc

            thread = threading.Thread(target=forward)
            thread.start()
            stream = FrameStream()
            frames = []
            while not frames:
                frames = stream.feed(sock.recv(256))
            down = frames[0]
            raw = encode_frame(down)
            # C=4B, A=4403/0001 MSA 1, AFN 10, SEQ 61, p0 F1, port 2, 6B, 1 s, 50 ms, k=2
            assert raw[6:14] == bytes.fromhex("4B03440100021061")
            assert raw[14:24] == bytes.fromhex("00000100026B64320200")
            assert down.pw == bytes(16)
            sock.sendall(encode_frame(_reply(down, b"\x16")))
            sock.sendall(encode_frame(_reply(down, b"\x16")))  # sent twice, as in the field
            thread.join(3)
            assert result == {"reply": b"\x16"}


def _reply(down: Frame, content: bytes) -> Frame:
    return forward_reply(down, ForwardReply(2, content))


def test_meter_sim_terminal_process_logs_in_and_serves_a_dispatch(tmp_path: Path) -> None:
    """``meter-sim terminal`` as its own process: login, heartbeats, faults from the CLI."""
    key = generate_master_key()
    env = dict(os.environ, METER_MASTER_KEY=key.hex())
    with TerminalHub(offline_after=2.0) as hub:
        hub.start()
        proc = subprocess.Popen(
            [
                str(BIN / "meter-sim"),
                "terminal",
                "--station",
                f"127.0.0.1:{hub.port}",
                "--address",
                "44030021",
                "--meters",
                "3",
                "--first",
                "11",
                "--balance",
                "2000",
                "--heartbeat",
                "0.3",
                "--state",
                str(tmp_path / "meters.json"),
                "--fault",
                "route-lost@000000000013",
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert proc.stdout is not None
            assert "terminal 44030021" in proc.stdout.readline()
            assert hub.wait_online("44030021", 10)
            directory = TerminalDirectory(hub, frame_timeout_s=1.0)
            client = directory.client_for("000000000011", timeouts=Timeouts.uniform(1.0))
            dispatcher = MeterDispatcher(client, SoftwareSecurityModule(key))
            result = dispatcher.dispatch(DispatchRequest("000000000011", "100000000011", 500, 1))
            assert result.outcome is DispatchOutcome.SUCCESS, result.reason
            assert result.balance_fen == 2500
            lost = directory.client_for("000000000012", timeouts=Timeouts.uniform(1.0))
            directory.assign("000000000013", "44030021")
            with pytest.raises(RouteLost):
                directory.client_for("000000000013").read_int("000000000013", "balance")
            assert lost.read_int("000000000012", "balance") == 2000
            time.sleep(1.0)
            assert hub.status()[0].heartbeats >= 2
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
    saved = json.loads((tmp_path / "meters.json").read_text())
    meter = next(m for m in saved["meters"] if m["meter_no"] == "000000000011")
    assert (meter["balance_fen"], meter["purchase_count"]) == (2500, 1)


def test_station_link_factory_routes_by_meter_address(terminal_path: TerminalPath) -> None:
    directory = TerminalDirectory(terminal_path.hub, frame_timeout_s=0.5)
    factory = terminal_client_factory(directory, timeouts=Timeouts.uniform(0.4))
    every = factory("terminal:")  # one link for all meters behind all terminals
    assert every.read_int(M1, "balance") == 5000
    assert every.read_int(M2, "balance") == 5000
    assert directory.routes == {M1: TERMINAL, M2: TERMINAL}  # found and remembered
    one = factory(f"terminal:{TERMINAL}")
    assert one.read_int("000000000003", "balance") == 5000
    terminal_path.terminal.lose_route("000000000003")
    with pytest.raises(RouteLost):
        every.read_int("000000000003", "balance")  # never located: the search says why
    with pytest.raises(ValueError):
        factory("socket://127.0.0.1:1")


def test_broadcast_time_through_every_terminal(terminal_path: TerminalPath) -> None:
    directory = TerminalDirectory(terminal_path.hub, frame_timeout_s=0.3)
    client = terminal_client_factory(directory)("terminal:")
    moment = datetime.now() + timedelta(minutes=2)
    client.broadcast_time(moment)  # no reply expected, none waited for past the terminal
    with terminal_path.meters.meter(M1) as m:
        assert 100 < m.clock_offset_s < 140


def test_terminal_in_front_of_a_bus_on_a_paced_line(meter_bus: MeterBus) -> None:
    """``meter-sim terminal --meters-url``: the hop is a real byte stream (here paced)."""
    line = PacedLink(open_link(meter_bus.url), baudrate=9600, response_delay=0.02)
    with TerminalHub(offline_after=5) as hub:
        hub.start()
        terminal = SimulatedTerminal(
            Address.parse("44030041"), SerialHop(line), ("127.0.0.1", hub.port)
        )
        terminal.start()
        try:
            assert hub.wait_online("44030041", 5)
            directory = TerminalDirectory(hub, {M1: "44030041"}, frame_timeout_s=1.0)
            dispatcher = MeterDispatcher(
                directory.client_for(M1, timeouts=Timeouts.uniform(1.0)), meter_bus.security
            )
            result = dispatcher.dispatch(DispatchRequest(M1, C1, 700, 1))
            assert result.outcome is DispatchOutcome.SUCCESS, result.reason
            assert line.replies == 6  # every exchange crossed the paced line once
            started = time.monotonic()
            terminal_client_factory(directory)("terminal:").broadcast_time(datetime.now())
            assert time.monotonic() - started < 0.5  # a broadcast waits for no reply
        finally:
            terminal.stop()
            line.close()


def test_hub_confirms_other_reports_a_terminal_wants_confirmed() -> None:
    """An event report (AFN 0EH) with CON set gets AFN 00H F1, so the terminal stops resending."""
    address = Address.parse("44030051")
    with TerminalHub(offline_after=5) as hub:
        hub.start()
        with socket.create_connection(("127.0.0.1", hub.port), timeout=2) as sock:
            stream = FrameStream()
            sock.sendall(encode_frame(link_check(address, 1, 0)))
            while not stream.feed(sock.recv(256)):
                pass
            report = Frame(0xC4, address, 0x0E, 0x71, bytes.fromhex("0000010001") + bytes(8))
            sock.sendall(encode_frame(report))
            frames: list[Frame] = []
            while not frames:
                frames = stream.feed(sock.recv(256))
            confirmation = parse_confirmation(frames[0])
            assert confirmation.fn == 1 and confirmation.confirmed and frames[0].pseq == 1
