"""Fuzz: whatever the bytes, the codec raises only FrameError subclasses (issue item 1)."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from meter_link.dlt645 import Frame, FrameError, StreamDecoder, decode_frame, encode_frame
from meter_link.dlt645.data_ids import TABLE, DataId
from meter_link.dlt645.security_payloads import AuthRequest, RechargeRequest, StatusReply

addresses = st.text(alphabet="0123456789", min_size=12, max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_decode_frame_raises_only_frame_errors(raw: bytes) -> None:
    with contextlib.suppress(FrameError):
        decode_frame(raw)


@settings(max_examples=300, deadline=None)
@given(addresses, st.integers(0, 255), st.binary(max_size=255), st.integers(0, 4))
def test_encode_decode_round_trip(address: str, control: int, data: bytes, pre: int) -> None:
    frame = Frame(address, control, data)
    assert decode_frame(encode_frame(frame, preamble=pre)) == frame


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=10), addresses, st.binary(max_size=50))
def test_stream_decoder_never_raises_and_finds_frame_after_noise(
    chunks: list[bytes], address: str, data: bytes
) -> None:
    decoder = StreamDecoder()
    for chunk in chunks:
        decoder.feed(chunk)  # arbitrary bytes: never raises
    decoder.reset()  # what the client does after an inter-byte gap
    frame = Frame(address, 0x91, data)
    noise = b"".join(chunks).replace(b"\x68", b"")
    assert decoder.feed(noise + encode_frame(frame)) == [frame]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_value_and_payload_decoders_raise_only_frame_errors(raw: bytes) -> None:
    for entry in TABLE:
        with contextlib.suppress(FrameError):
            entry.decode(raw[: entry.size])
    for parser in (AuthRequest.from_wire, RechargeRequest.from_wire, StatusReply.from_wire):
        with contextlib.suppress(FrameError):
            parser(raw)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(addresses, st.integers(0, 255), st.binary(max_size=60)), max_size=5),
    st.data(),
)
def test_stream_decoder_reassembles_frames_split_anywhere(
    specs: list[tuple[str, int, bytes]], data: st.DataObject
) -> None:
    frames = [Frame(a, c, d) for a, c, d in specs]
    stream = b"".join(encode_frame(f, preamble=data.draw(st.integers(0, 4))) for f in frames)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    decoder = StreamDecoder()
    found: list[Frame] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        found += decoder.feed(stream[start:end])
    assert found == frames


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([e for e in TABLE if e.kind.value in ("bcd", "signed-bcd", "word")]),
    st.integers(-(10**8), 10**8),
)
def test_integer_items_round_trip_or_raise_payload_error(entry: DataId, value: int) -> None:
    try:
        raw = entry.encode(value)
    except FrameError:
        return
    assert entry.decode(raw) == value
