"""Q/GDW 1376.1 codec against literal frames: captures from field terminals and master
stations, public examples, and frames built from the standard's rules.

Every frame decodes to the fields the standard names and encodes back to the same bytes.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from meter_link.dlt645 import decode_frame as decode_645
from meter_link.q1376 import (
    Address,
    Afn,
    ChecksumError,
    EndByteError,
    FieldError,
    ForwardReply,
    ForwardRequest,
    Frame,
    FrameStream,
    LengthFieldError,
    ProtocolIdError,
    StartByteError,
    TimeLabel,
    TruncatedError,
    confirm_all,
    confirm_link_check,
    decode_frame,
    encode_frame,
    forward_reply,
    forward_request,
    link_check,
    parse_confirmation,
    parse_link_check,
    parse_unit_id,
    unit_id,
)
from meter_link.q1376.messages import (
    decode_wait,
    encode_wait,
    line_control,
    parse_clock,
    parse_line_control,
)


def hx(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# A field terminal's login, heartbeat, logout and the master station's reply (capture).
LOGIN = hx("68 3A 00 3A 00 68 E9 49 24 45 58 00 02 70 00 00 01 00 1C 04 86 16")
HEARTBEAT = hx("68 4A 00 4A 00 68 C9 49 24 45 58 00 02 71 00 00 04 00 40 00 17 04 87 19 45 16")
LOGOUT = hx("68 32 00 32 00 68 C9 49 24 45 58 00 02 71 00 00 02 00 48 16")
MASTER_CONFIRM = hx("68 32 00 32 00 68 0B 49 24 45 58 02 00 60 00 00 01 00 78 16")

# AFN 10H F1 forwarding of a read of 00010000 to meter 151230011061 (public example).
FORWARD_DOWN = hx(
    "68 E2 00 E2 00 68 4B 00 02 34 12 04 10 E0 00 00 01 00 1F 6B BC 0A 10 00"
    " 68 61 10 01 30 12 15 68 11 04 33 33 34 33 7B 16"
    " 00000000000000000000000000000000 00 13 51 23 21 05 A1 16"
)
FORWARD_UP = hx(
    "68 AE 00 AE 00 68 A8 00 02 34 12 04 10 E0 00 00 01 00 1F 14 00"
    " 68 61 10 01 30 12 15 68 91 08 33 33 34 33 AB 39 33 33 49 16"
    " 4F 00 00 06 50 23 21 05 AE 16"
)
VOLTAGE_UP = hx(
    "68 9E 00 9E 00 68 80 31 07 01 00 02 10 E0 00 00 01 00 02 12 00"
    " 68 03 00 00 12 47 11 68 91 06 33 36 34 35 A5 56 A1 16"
    " 00 42 16 19 09 10 A2 16"
)
# Built from the rules: forwarding a read of 00900200 (remaining money), no Tp.
BALANCE_DOWN = hx(
    "68CA00CA00684B0344010002106100000100026B820A1000680100000000006811043335C33344"
    "1600000000000000000000000000000000AE16"
)
BALANCE_UP = hx(
    "688E008E0068880344010002106100000100021400680100000000006891083335C33378563433FD166A16"
)

ALL_LITERALS = [
    LOGIN,
    HEARTBEAT,
    LOGOUT,
    MASTER_CONFIRM,
    FORWARD_DOWN,
    FORWARD_UP,
    VOLTAGE_UP,
    BALANCE_DOWN,
    BALANCE_UP,
]


@pytest.mark.parametrize("raw", ALL_LITERALS, ids=lambda r: r[6:14].hex())
def test_every_literal_frame_encodes_back_to_its_bytes(raw: bytes) -> None:
    assert encode_frame(decode_frame(raw)) == raw


def test_login_has_ec_not_data_because_acd_is_set() -> None:
    frame = decode_frame(LOGIN)
    assert frame.is_up and frame.is_primary and frame.function == 9
    assert frame.address == Address("2449", 0x5845, 0, False)
    assert frame.afn == Afn.LINK_CHECK and frame.seq == 0x70 and frame.wants_confirmation
    assert frame.body == hx("00 00 01 00")
    assert frame.ec == (0x1C, 0x04)
    assert parse_link_check(frame).fn == 1


def test_heartbeat_carries_the_terminal_clock() -> None:
    frame = decode_frame(HEARTBEAT)
    check = parse_link_check(frame)
    assert check.fn == 3
    assert check.clock == datetime(2019, 7, 4, 17, 0, 40)
    assert frame.pseq == 1 and frame.ec is None


def test_logout_and_our_builders_give_the_capture_bytes() -> None:
    address = Address("2449", 0x5845)
    assert encode_frame(link_check(address, 2, 1)) == LOGOUT
    assert (
        encode_frame(link_check(address, 3, 1, clock=datetime(2019, 7, 4, 17, 0, 40))) == HEARTBEAT
    )
    assert encode_frame(link_check(address, 1, 0, ec=(0x1C, 0x04))) == LOGIN


def test_field_master_confirms_with_f1_and_msa_1() -> None:
    frame = decode_frame(MASTER_CONFIRM)
    assert not frame.is_up and not frame.is_primary and frame.function == 11
    assert frame.address.msa == 1
    confirmation = parse_confirmation(frame)
    assert confirmation.fn == 1 and confirmation.confirmed
    assert confirmation.covers(Afn.LINK_CHECK, 0, 1)


def test_we_confirm_a_login_with_f3_as_the_standard_says() -> None:
    login = decode_frame(LOGIN)
    reply = confirm_link_check(login)
    raw = encode_frame(reply)
    # C = 0B (link status), A echoes MSA 0, SEQ = FIR FIN + RSEQ 0, p0 F3, AFN 02, p0 F1, OK
    assert raw == hx(
        "68 4A 00 4A 00 68 0B 49 24 45 58 00 00 60 00 00 04 00 02 00 00 01 00 00 7C 16"
    )
    confirmation = parse_confirmation(decode_frame(raw))
    assert confirmation.fn == 3 and confirmation.confirmed
    assert confirmation.items == ((2, 0, 1, 0),)
    assert confirmation.covers(Afn.LINK_CHECK, 0, 1)
    assert not confirmation.covers(Afn.LINK_CHECK, 0, 3)


def test_f1_reply_and_deny() -> None:
    login = decode_frame(LOGIN)
    assert encode_frame(confirm_all(login)) == hx(
        "68 32 00 32 00 68 0B 49 24 45 58 00 00 60 00 00 01 00 76 16"
    )
    denied = parse_confirmation(decode_frame(encode_frame(confirm_all(login, deny=True))))
    assert denied.fn == 2 and not denied.confirmed


def test_forward_down_fields() -> None:
    frame = decode_frame(FORWARD_DOWN)
    assert frame.control == 0x4B and frame.afn == Afn.FORWARD and frame.seq == 0xE0
    assert frame.address == Address("0200", 0x1234, 2, False)
    assert frame.pw == bytes(16)
    assert frame.tp == TimeLabel(0, 13, 51, 23, 21, 5)
    forward = ForwardRequest.from_body(frame.body)
    assert forward.port == 31 and forward.control_word == 0x6B
    assert forward.frame_timeout_s == 60.0 and forward.byte_timeout_s == pytest.approx(0.1)
    meter = decode_645(forward.content)
    assert meter.address == "151230011061" and meter.di == 0x00010000
    rebuilt = forward_request(frame.address, 0, forward, tp=frame.tp)
    assert encode_frame(rebuilt) == FORWARD_DOWN


def test_forward_up_with_ec_and_tp() -> None:
    frame = decode_frame(FORWARD_UP)
    assert frame.control == 0xA8 and frame.ec == (0x4F, 0x00)
    assert frame.tp == TimeLabel(0, 6, 50, 23, 21, 5)
    reply = ForwardReply.from_body(frame.body)
    assert reply.port == 31 and len(reply.content) == 20
    meter = decode_645(reply.content)
    assert meter.payload == hx("78 06 00 00")  # 000006.78 kWh, BCD low byte first


def test_voltage_reply_without_ec() -> None:
    frame = decode_frame(VOLTAGE_UP)
    assert frame.control == 0x80 and frame.ec is None and frame.tp is not None
    assert frame.address == Address("0731", 1, 1)
    reply = ForwardReply.from_body(frame.body)
    assert decode_645(reply.content).payload == hx("72 23")  # 237.2 V


def test_balance_pair_built_from_the_rules() -> None:
    down = decode_frame(BALANCE_DOWN)
    forward = ForwardRequest.from_body(down.body)
    assert (forward.port, forward.frame_timeout_s) == (2, 2.0)
    assert down.address == Address("4403", 1, 1)
    assert encode_frame(forward_request(down.address, 1, forward)) == BALANCE_DOWN
    reply_frame = forward_reply(
        down, ForwardReply(2, ForwardReply.from_body(decode_frame(BALANCE_UP).body).content)
    )
    assert encode_frame(reply_frame) == BALANCE_UP
    assert decode_645(ForwardReply.from_body(reply_frame.body).content).di == 0x00900200


@pytest.mark.parametrize(
    ("pn", "fn", "raw"),
    [
        (0, 1, "00 00 01 00"),
        (1, 1, "01 01 01 00"),
        (2, 129, "02 01 01 10"),
        (8, 1, "80 01 01 00"),
        (9, 3, "01 02 04 00"),
    ],
)
def test_data_unit_identifiers(pn: int, fn: int, raw: str) -> None:
    assert unit_id(pn, fn) == hx(raw)
    assert parse_unit_id(hx(raw)) == (pn, fn)


def test_line_control_and_timeouts() -> None:
    assert line_control(2400) == 0x6B
    assert parse_line_control(0x6B) == (2400, "E", 1, 8)
    assert line_control(9600, parity="N") == 0xC3
    assert decode_wait(0xBC) == 60.0 and decode_wait(0x82) == 2.0
    assert encode_wait(60) == 0xBC and encode_wait(2) == 0x82 and encode_wait(0.5) == 50
    assert parse_clock(hx("40 00 17 04 87 19")) == datetime(2019, 7, 4, 17, 0, 40)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (LOGOUT[:-1], TruncatedError),
        (LOGOUT + b"\x00", LengthFieldError),
        (b"\x67" + LOGOUT[1:], StartByteError),
        (LOGOUT[:3] + b"\x36" + LOGOUT[4:], LengthFieldError),
        (LOGOUT[:-2] + b"\x00\x16", ChecksumError),
        (LOGOUT[:-1] + b"\x17", EndByteError),
        (hx("68 31 00 31 00 68") + LOGOUT[6:], ProtocolIdError),
    ],
)
def test_each_fault_raises_its_error(raw: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_frame(raw)


def test_protocol_130_2005_only_when_asked() -> None:
    legacy = hx("68 31 00 31 00 68") + LOGOUT[6:]
    assert decode_frame(legacy, legacy=True).protocol == 1


def test_encoder_refuses_inconsistent_auxiliary_fields() -> None:
    address = Address("2449", 0x5845)
    with pytest.raises(FieldError):  # AFN 10H down frame without PW
        encode_frame(Frame(0x4B, address, Afn.FORWARD, 0x60, unit_id(0, 1)))
    with pytest.raises(FieldError):  # TpV without Tp
        encode_frame(Frame(0xC9, address, Afn.LINK_CHECK, 0xF0, unit_id(0, 1)))
    with pytest.raises(FieldError):  # ACD without EC
        encode_frame(Frame(0xE9, address, Afn.LINK_CHECK, 0x70, unit_id(0, 1)))


def test_address_printed_form() -> None:
    assert str(Address.parse("24495845")) == "24495845"
    assert Address.parse("2449 5845").terminal == 0x5845
    for bad in ("2449", "AB125845", "24490000", "2449XYZW"):
        with pytest.raises(FieldError):
            Address.parse(bad)


def test_stream_finds_frames_among_noise_and_false_starts() -> None:
    stream = FrameStream()
    noise = hx("68 FF 68 00 68") + hx("68 4A 00 4A 00 68 C9")  # false starts
    frames = stream.feed(noise + HEARTBEAT[:10])
    assert frames == []
    frames = stream.feed(HEARTBEAT[10:] + MASTER_CONFIRM + MASTER_CONFIRM)
    assert [f.afn for f in frames] == [2, 0, 0]  # duplicate replies come through as sent
    assert stream.pending == 0
