"""Interoperability with the PyPI ``dlt645`` package (3.2.0), in both directions.

Where that package departs from DL/T 645-2007 we follow the standard and say so here:
* broadcast time (08H): it sends ``YY MM DD hh mm ss``; the standard sends seconds first;
* freeze (16H): it sends ``MM DD hh mm``; the standard sends minutes first;
* baud word (17H): it uses 16H/32H/64H for 4800/9600/19200; the standard is one-hot 10H/20H/40H;
* its address strings are in wire order (``set_address("250403020100")`` reaches meter
  000102030425), while nameplates and our API print the most significant digit first.
"""

from __future__ import annotations

from datetime import datetime

import pytest

dlt645 = pytest.importorskip("dlt645")

from dlt645 import DLT645Protocol, MeterClientService, MeterServerService  # noqa: E402
from dlt645.model.types.dlt645_type import BaudRateCode  # noqa: E402

from meter_link.client import Dlt645Client, Timeouts  # noqa: E402
from meter_link.dlt645 import Frame, address_to_wire, decode_frame, encode_frame  # noqa: E402
from meter_link.dlt645.commands import BAUD_CODES, freeze_field, time_field  # noqa: E402
from meter_link.errors import ExceptionReply  # noqa: E402
from meter_link.security import generate_master_key  # noqa: E402
from meter_link.simulator import MeterSimulator  # noqa: E402

dlt645.disable_logging()

FRAMES = [
    Frame("000102030425", 0x11, bytes.fromhex("00000100")),
    Frame("000102030425", 0x91, bytes.fromhex("0000010042061200")),
    Frame("151230011061", 0xD1, b"\x02"),
    Frame("AAAAAAAAAAAA", 0x13, b""),
    Frame("000000000001", 0x03, bytes.fromhex("FF020107") + bytes(26)),  # 070102FF
    Frame("000000000001", 0xC3, bytes.fromhex("4000")),
    Frame("999999999999", 0x08, time_field(datetime(2017, 6, 5, 10, 22, 51))),
    Frame("123456789012", 0xB1, bytes(range(200))),
]


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f"{f.control:02X}-{f.address}")
def test_their_frames_through_our_decoder(frame: Frame) -> None:
    theirs = bytes(
        DLT645Protocol.build_frame(address_to_wire(frame.address), frame.control, frame.data)
    )
    assert decode_frame(theirs) == frame
    assert theirs == encode_frame(frame)  # both send 4 x FE by default


@pytest.mark.parametrize("frame", FRAMES, ids=lambda f: f"{f.control:02X}-{f.address}")
@pytest.mark.parametrize("preamble", [0, 2, 4])
def test_our_frames_through_their_decoder(frame: Frame, preamble: int) -> None:
    parsed = DLT645Protocol.deserialize(encode_frame(frame, preamble=preamble))
    assert parsed is not None
    assert bytes(parsed.addr) == address_to_wire(frame.address)
    assert parsed.ctrl_code == frame.control
    assert bytes(parsed.data) == frame.data


@pytest.fixture
def simulator() -> MeterSimulator:
    sim = MeterSimulator(master_key=generate_master_key())
    sim.create_meter("000102030425", "100000000001", energy_wh=12064200, balance_fen=100)
    return sim


def test_their_client_drives_our_simulator(simulator: MeterSimulator) -> None:
    port = simulator.start_tcp()
    client = MeterClientService.new_tcp_client("127.0.0.1", port, timeout=2)
    try:
        client.set_address("250403020100")  # their address strings are wire order
        assert client.read_00(0x00010000).value == pytest.approx(12064.2)
        assert client.read_04(0x04000402).value == "000102030425"
        assert client.read_address().value == "250403020100"
    finally:
        client.disconnect()
        simulator.stop()


def test_their_broadcast_time_is_not_standard_and_our_meter_ignores_it(
    simulator: MeterSimulator,
) -> None:
    """08H: they send YY MM DD hh mm ss, so a standard meter (ours) reads nonsense."""
    port = simulator.start_tcp()
    with simulator.meter("000102030425") as m:
        m.clock_offset_s = 90.0
    client = MeterClientService.new_tcp_client("127.0.0.1", port, timeout=2)
    ours = Dlt645Client(f"socket://127.0.0.1:{port}", timeouts=Timeouts.uniform(1))
    try:
        assert client.broadcast_time_sync(datetime(2026, 11, 24, 13, 20, 30))
        ours.read_value("000102030425", "balance")  # the broadcast has been handled by now
        with simulator.meter("000102030425") as m:
            assert m.clock_offset_s == 90.0  # not applied: the standard puts seconds first
        ours.broadcast_time(datetime.now())
        ours.read_value("000102030425", "balance")
        with simulator.meter("000102030425") as m:
            assert abs(m.clock_offset_s) < 5
    finally:
        client.disconnect()
        ours.close()
        simulator.stop()


def test_documented_departures_from_the_standard() -> None:
    moment = datetime(2017, 6, 5, 10, 22, 51)
    # Standard broadcast time capture: 84 55 43 38 39 4A (+33H) = 51 22 10 05 06 17.
    standard = decode_frame(bytes.fromhex("6899999999999968080684554338394A4B16"))
    assert standard.data == time_field(moment)
    assert time_field(moment) == bytes.fromhex("512210050617")
    # Freeze at 06-05 10:22: the standard sends minute first.
    assert freeze_field(6, 5, 10, 22) == bytes.fromhex("22100506")
    # 17H speed words: one-hot in the standard.
    assert BAUD_CODES[4800] == 0x10 and BaudRateCode[4800] == 0x16
    assert BAUD_CODES[9600] == 0x20 and BaudRateCode[9600] == 0x32
    assert BAUD_CODES[2400] == BaudRateCode[2400] == 0x08


def test_our_client_drives_their_server(unused_tcp_port: int) -> None:
    server = MeterServerService.new_tcp_server("127.0.0.1", unused_tcp_port, 2.0)
    server.set_address("250403020100")
    server.set_00(0x00010000, 1206.42)
    server.set_04(0x04000402, "000102030425")
    server.start()
    try:
        with Dlt645Client(
            f"socket://127.0.0.1:{unused_tcp_port}", timeouts=Timeouts.uniform(1.0)
        ) as client:
            assert client.read_value("000102030425", "forward-energy") == 120642
            assert client.read_value("000102030425", "meter-number") == "000102030425"
            assert client.read_address() == "000102030425"
            with pytest.raises(ExceptionReply):
                client.read("000102030425", 0x00900200)  # no prepaid items in that package
    finally:
        server.stop()


@pytest.fixture
def unused_tcp_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
