"""Stream resynchronisation (inter-byte timeout Tb, rescan after a stall) and the SERR
words of malformed 03H requests, on the decoder alone and over TCP with timing.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from meter_link.client import Dlt645Client
from meter_link.dlt645 import Frame, StreamDecoder, encode_frame, request
from meter_link.dlt645.codes import Function
from meter_link.dlt645.frame import di_bytes
from meter_link.errors import SecurityRefusal
from tests.fixtures.meters import FAST_TIMEOUTS, MeterBus

M1 = "000000000001"
# 68, six address bytes, 68, C, L = C8H: looks like the start of a 200-byte frame
FALSE_START = bytes.fromhex("68 11 22 33 44 55 66 68 91 C8 01 02")
READ_BALANCE = Frame(M1, Function.READ, di_bytes(0x00900200))


def test_good_frame_behind_a_frame_like_prefix_is_found_at_once() -> None:
    decoder = StreamDecoder()
    wire = encode_frame(READ_BALANCE)
    assert decoder.feed(FALSE_START + wire, now=0.0) == [READ_BALANCE]
    assert decoder.pending == 0 and decoder.resyncs == 1


def test_good_frame_arriving_in_pieces_behind_a_prefix() -> None:
    decoder = StreamDecoder()
    wire = encode_frame(READ_BALANCE)
    assert decoder.feed(FALSE_START, now=0.0) == []
    assert decoder.feed(wire[:9], now=0.01) == []
    assert decoder.feed(wire[9:], now=0.02) == [READ_BALANCE]


def test_within_tb_the_decoder_keeps_waiting_then_resyncs_on_the_last_byte() -> None:
    decoder = StreamDecoder(inter_byte_timeout=0.5)
    wire = encode_frame(READ_BALANCE, preamble=0)
    # a false start whose L swallows the whole good frame behind it, then silence
    prefix = bytes.fromhex("68 11 22 33 44 55 66 68 91 FF")
    assert decoder.feed(prefix + wire[:-1], now=0.0) == []
    assert decoder.expire(now=0.4) == []  # within Tb: still waiting for the frame
    assert decoder.pending == len(prefix) + len(wire) - 1
    decoder.feed(wire[-1:], now=0.45)  # the last byte came: the good frame is complete
    assert decoder.pending == 0


def test_noise_alone_is_drained_after_a_stall() -> None:
    decoder = StreamDecoder(inter_byte_timeout=0.5)
    decoder.feed(FALSE_START, now=0.0)
    assert decoder.expire(now=0.6) == []
    assert decoder.pending == 0
    assert decoder.feed(encode_frame(READ_BALANCE), now=0.7) == [READ_BALANCE]


def _ask(port: int, *chunks: bytes, pause: float = 0.0) -> tuple[bytes, float]:
    with socket.create_connection(("127.0.0.1", port), timeout=3) as sock:
        started = time.monotonic()
        for chunk in chunks:
            sock.sendall(chunk)
            time.sleep(pause)
        sent_at = time.monotonic()
        decoder = StreamDecoder()
        while True:
            frames = decoder.feed(sock.recv(512))
            if frames:
                return encode_frame(frames[0], preamble=0), time.monotonic() - sent_at
            if time.monotonic() - started > 3:
                raise AssertionError("no reply")


def test_simulated_meter_answers_a_request_behind_noise_without_delay(
    meter_bus: MeterBus,
) -> None:
    reply, seconds = _ask(meter_bus.port, FALSE_START + encode_frame(READ_BALANCE))
    assert reply[8] == 0x91 and seconds < 0.4  # at once: not after Tb, not after a timeout


def test_simulated_meter_after_a_stalled_false_start(meter_bus: MeterBus) -> None:
    reply, seconds = _ask(meter_bus.port, FALSE_START, encode_frame(READ_BALANCE), pause=0.7)
    assert reply[8] == 0x91 and seconds < 0.4


def test_client_finds_the_reply_behind_a_noise_prefix() -> None:
    """A line that sends a frame-like burst before the meter's reply (a noisy RS-485 pair)."""
    reply = encode_frame(READ_BALANCE.reply(di_bytes(0x00900200) + bytes.fromhex("00500000")))
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def line() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(512)
            conn.sendall(FALSE_START + reply)
            time.sleep(1)

    thread = threading.Thread(target=line, daemon=True)
    thread.start()
    try:
        with Dlt645Client(f"socket://127.0.0.1:{port}", timeouts=FAST_TIMEOUTS) as client:
            started = time.monotonic()
            assert client.read_int(M1, "balance") == 5000
            assert time.monotonic() - started < 0.4
    finally:
        server.close()


def test_unknown_security_di_is_serr_other(meter_bus: MeterBus) -> None:
    client = meter_bus.client()
    frame = request(M1, Function.SECURITY, 0x070999FF, bytes(4) + bytes(8))
    reply = client.transact(frame, 0.4)
    assert reply.is_exception and reply.data == b"\x01\x00"  # SERR 0x0001, two bytes


@pytest.mark.parametrize("payload_length", [4, 7, 12])
def test_short_recharge_payload_is_a_two_byte_serr(
    meter_bus: MeterBus, payload_length: int
) -> None:
    client = meter_bus.client()
    client.authenticate(M1, M1, meter_bus.security)  # a session, so the length is checked
    frame = request(M1, Function.SECURITY, 0x070102FF, bytes(payload_length))
    reply = client.transact(frame, 0.4)
    assert reply.is_exception and reply.data == b"\x01\x00"
    with pytest.raises(SecurityRefusal) as refused:
        client._checked(frame, 0.4)
    assert refused.value.serr == 0x0001
