"""Fuzz: whatever the bytes, the 1376.1 codec raises only its own :class:`Q1376Error`."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from meter_link.q1376 import (
    Address,
    ForwardReply,
    ForwardRequest,
    Frame,
    FrameStream,
    Q1376Error,
    TimeLabel,
    decode_frame,
    encode_frame,
    parse_confirmation,
    parse_link_check,
)
from meter_link.q1376.frame import DIR_UP, FCB_ACD, PW_AFNS, TPV


def framed(user: bytes, protocol: int = 2) -> bytes:
    """Valid header, length and checksum around arbitrary user data (reaches the parsers)."""
    word = (len(user) << 2 | protocol).to_bytes(2, "little")
    return b"\x68" + word + word + b"\x68" + user + bytes((sum(user) & 0xFF, 0x16))


def parse_everything(frame: Frame) -> None:
    for parse in (
        parse_confirmation,
        parse_link_check,
        lambda f: ForwardRequest.from_body(f.body),
        lambda f: ForwardReply.from_body(f.body),
    ):
        with contextlib.suppress(Q1376Error):
            parse(frame)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_only_codec_errors(raw: bytes) -> None:
    with contextlib.suppress(Q1376Error):
        decode_frame(raw)


@settings(max_examples=500, deadline=None)
@given(st.binary(min_size=0, max_size=120), st.integers(0, 3))
def test_well_framed_random_user_data_raises_only_codec_errors(user: bytes, protocol: int) -> None:
    try:
        frame = decode_frame(framed(user, protocol))
    except Q1376Error:
        return
    parse_everything(frame)
    assert encode_frame(frame) == framed(user, protocol)


tp_values = st.builds(
    TimeLabel,
    st.integers(0, 255),
    st.integers(0, 59),
    st.integers(0, 59),
    st.integers(0, 23),
    st.integers(0, 31),
    st.integers(0, 255),
)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 0xFF),
    st.integers(0, 0xFF),
    st.integers(0, 0xFF),
    st.integers(1, 0xFFFF),
    st.integers(0, 127),
    st.binary(max_size=80),
    tp_values,
)
def test_round_trip(
    control: int, afn: int, seq: int, terminal: int, msa: int, body: bytes, tp: TimeLabel
) -> None:
    up = bool(control & DIR_UP)
    frame = Frame(
        control,
        Address("4403", terminal, msa),
        afn,
        seq,
        body,
        pw=bytes(range(16)) if not up and afn in PW_AFNS else None,
        ec=(control & 0x0F, afn) if up and control & FCB_ACD else None,
        tp=tp if seq & TPV else None,
    )
    assert decode_frame(encode_frame(frame)) == frame


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=8), st.binary(max_size=30))
def test_stream_never_raises_and_finds_the_frame_after_noise(
    chunks: list[bytes], body: bytes
) -> None:
    stream = FrameStream()
    for chunk in chunks:
        stream.feed(chunk)
    stream.reset()
    frame = Frame(0x88, Address("4403", 1), 0x0C, 0x60, body)
    assert stream.feed(b"\x00\x68\x16" + encode_frame(frame)) == [frame]
