"""Literal-bytes tests of the DL/T 645-2007 codec (frames published in write-ups and captures)."""

from __future__ import annotations

from datetime import datetime

import pytest

from meter_link.dlt645 import (
    AddressError,
    ChecksumError,
    EndByteError,
    Frame,
    FrameError,
    LengthError,
    NotBcdError,
    StartByteError,
    StreamDecoder,
    TruncatedFrameError,
    address_matches,
    address_to_wire,
    decode_frame,
    describe_err,
    describe_serr,
    encode_frame,
    lookup,
    parse_serr,
    request,
)
from meter_link.dlt645.codes import ErrFlag, Function, SerrFlag
from meter_link.dlt645.commands import parse_time_field, time_field


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


READ_REQUEST = h("68 25 04 03 02 01 00 68 11 04 33 33 34 33 E1 16")
READ_REPLY = h("68 25 04 03 02 01 00 68 91 08 33 33 34 33 75 39 45 33 8B 16")


def test_worked_example_request_decodes_to_read_of_forward_energy() -> None:
    frame = decode_frame(READ_REQUEST)
    assert frame.address == "000102030425"
    assert frame.control == 0x11
    assert frame.function == Function.READ
    assert not frame.is_reply
    assert frame.di == 0x00010000
    assert frame.data == h("00 00 01 00")


def test_worked_example_request_is_what_we_encode() -> None:
    assert encode_frame(request("000102030425", Function.READ, 0x00010000), preamble=0) == (
        READ_REQUEST
    )
    assert encode_frame(request("000102030425", Function.READ, 0x00010000)) == (
        b"\xfe" * 4 + READ_REQUEST
    )


def test_worked_example_reply_carries_1206_42_kwh_as_integer() -> None:
    frame = decode_frame(READ_REPLY)
    assert frame.is_reply and not frame.is_exception and not frame.has_follow_up
    assert frame.payload == h("42 06 12 00")
    assert lookup(frame.di or 0).decode(frame.payload) == 120642


@pytest.mark.parametrize(
    ("raw", "address", "di", "value"),
    [
        # frames embedded in Q/GDW 376.1 forwarding captures (DLT645 notes §9)
        ("68 61 10 01 30 12 15 68 11 04 33 33 34 33 7B 16", "151230011061", 0x00010000, None),
        (
            "68 61 10 01 30 12 15 68 91 08 33 33 34 33 AB 39 33 33 49 16",
            "151230011061",
            0x00010000,
            678,
        ),
        ("68 03 00 00 12 47 11 68 91 06 33 36 34 35 A5 56 A1 16", "114712000003", 0x02010300, None),
    ],
)
def test_published_capture_frames(raw: str, address: str, di: int, value: int | None) -> None:
    frame = decode_frame(h(raw))
    assert frame.address == address
    assert frame.di == di
    assert encode_frame(frame, preamble=0) == h(raw)
    if value is not None:
        assert lookup(di).decode(frame.payload) == value


def test_c_phase_voltage_capture_payload_is_2372_decivolts() -> None:
    frame = decode_frame(h("68 03 00 00 12 47 11 68 91 06 33 36 34 35 A5 56 A1 16"))
    assert frame.payload == h("72 23")  # BCD 2372 = 237.2 V


def test_broadcast_time_capture_is_seconds_first() -> None:
    frame = decode_frame(h("68 99 99 99 99 99 99 68 08 06 84 55 43 38 39 4A 4B 16"))
    assert frame.address == "999999999999"
    assert frame.function == Function.BROADCAST_TIME
    assert frame.di is None
    assert parse_time_field(frame.data) == datetime(2017, 6, 5, 10, 22, 51)
    assert time_field(datetime(2017, 6, 5, 10, 22, 51)) == frame.data


def test_err_reply_no_data() -> None:
    frame = decode_frame(encode_frame(Frame("000102030425", 0xD1, b"\x02"), preamble=0))
    raw = encode_frame(frame, preamble=0)
    assert raw[8:11] == h("D1 01 35")  # ERR 02 is sent as 35H
    assert frame.is_exception and frame.di is None
    assert describe_err(frame.data[0]) == [
        "no requested data (unknown or unsupported data identifier)"
    ]


def test_c3_reply_with_one_serr_byte_vendor_capture() -> None:
    frame = decode_frame(h("68 12 00 51 05 03 26 68 C3 01 35 5A 16"))
    assert frame.address == "260305510012"
    assert frame.is_exception and frame.function == Function.SECURITY
    assert parse_serr(frame.data) == 0x0002
    assert "repeated recharge" in describe_serr(parse_serr(frame.data))[0]


def test_serr_two_bytes_low_first_and_named_reasons() -> None:
    assert parse_serr(h("40 00")) == SerrFlag.HOARDING_LIMIT
    assert parse_serr(h("00 01")) == SerrFlag.SUSPENDED
    reasons = describe_serr(0x0004 | 0x0010 | 0x4000)
    assert reasons == [
        "ESAM verification failed (MAC or key)",
        "customer number mismatch",
        "unknown bits 0x4000",
    ]
    assert describe_err(ErrFlag.PASSWORD | ErrFlag.OTHER) == [
        "other error",
        "wrong password or not authorised",
    ]


def test_address_low_byte_first_and_wildcards() -> None:
    assert address_to_wire("000102030425") == h("25 04 03 02 01 00")
    assert address_to_wire("AAAAAAAAAAAA") == h("AA AA AA AA AA AA")
    assert address_to_wire("123456") == h("56 34 12 00 00 00")  # padded in the high part
    assert address_matches("AAAAAAAAAAAA", "000102030425")
    assert address_matches("AAAAAA030425", "000102030425")
    assert not address_matches("AAAAAA030426", "000102030425")
    with pytest.raises(AddressError):
        address_to_wire("00010203042X")


def test_control_code_flags() -> None:
    assert Frame("000000000001", 0xB1).has_follow_up
    assert Frame("000000000001", 0xD4).is_exception
    reply = request("000000000001", Function.READ, 0x00900200).reply(b"x", follow_up=True)
    assert reply.control == 0xB1


def test_checksum_that_equals_16h_is_not_taken_for_the_end() -> None:
    # Find a DI whose read request has CS = 16H: naive parsers stop there (python-dlt645 #3).
    for di in range(0x00900200, 0x00900300):
        raw = encode_frame(request("000102030425", Function.READ, di), preamble=0)
        if raw[-2] == 0x16:
            break
    else:  # pragma: no cover
        pytest.fail("no such DI in range")
    assert decode_frame(raw).di == di
    assert [f.di for f in StreamDecoder().feed(raw)] == [di]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("68 25 04 03 02 01 00 68 11 04 33 33 34 33 E2 16", ChecksumError),
        ("68 25 04 03 02 01 00 68 11 04 33 33 34 33 E1 17", EndByteError),
        ("68 25 04 03 02 01 00 68 11 04 33 33 34 33 E1", TruncatedFrameError),
        ("68 25 04 03 02 01 00 68 11 04 33 33 34 33 E1 16 00", LengthError),
        ("69 25 04 03 02 01 00 68 11 04 33 33 34 33 E1 16", StartByteError),
        ("68 25 04 03 02 01 00 67 11 04 33 33 34 33 E1 16", StartByteError),
        ("68 2F 04 03 02 01 00 68 11 04 33 33 34 33 EB 16", NotBcdError),
        ("FE FE", TruncatedFrameError),
        ("", TruncatedFrameError),
    ],
)
def test_malformed_frames_raise_one_typed_error(raw: str, error: type[FrameError]) -> None:
    with pytest.raises(error):
        decode_frame(h(raw))


def test_stream_decoder_skips_noise_echo_and_partial_reads() -> None:
    decoder = StreamDecoder()
    noise = h("00 68 FF 16 68 12")
    echo = b"\xfe" * 4 + READ_REQUEST
    stream = noise + echo + h("FE FE") + READ_REPLY
    frames: list[Frame] = []
    for i in range(len(stream)):  # one byte at a time, as a slow serial port delivers
        frames += decoder.feed(stream[i : i + 1])
    assert [f.control for f in frames] == [0x11, 0x91]
    assert decoder.pending == 0


def test_stream_decoder_resynchronises_after_a_corrupted_frame() -> None:
    bad = bytearray(READ_REPLY)
    bad[12] ^= 0x01
    decoder = StreamDecoder()
    frames = decoder.feed(bytes(bad) + READ_REPLY)
    assert len(frames) == 1 and frames[0].payload == h("42 06 12 00")
    assert decoder.rejected >= 1
