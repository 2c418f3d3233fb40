"""File layouts and the ``68 CMD LEN DATA CS 16`` frame, literal bytes (card notes §1.3–1.7)."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from card_io.card_files import (
    EMPTY_WRITEBACK,
    CardKind,
    CardParameters,
    RateTable,
    Wallet,
    WriteBack,
    frame,
    from_bcd,
    is_writeback_empty,
    to_bcd,
    unframe,
)
from card_io.errors import CardFormatError


def test_frame_literal_bytes() -> None:
    # CS = (01 + 00 + 02 + AA + BB) & FF = 0x68
    assert frame(0x01, bytes([0xAA, 0xBB])) == bytes.fromhex("680100 02AABB 6816".replace(" ", ""))


def test_unframe_returns_cmd_and_data() -> None:
    assert unframe(bytes.fromhex("68010002AABB6816")) == (0x01, b"\xaa\xbb")


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("69010002AABB6816", "start"),
        ("68010002AABB6817", "end"),
        ("68010002AABB6916", "checksum"),
        ("68010009AABB6816", "length"),
        ("680100", "short"),
    ],
)
def test_unframe_rejects_defects(raw: str, reason: str) -> None:
    with pytest.raises(CardFormatError):
        unframe(bytes.fromhex(raw))


@given(st.integers(0, 255), st.binary(max_size=300))
def test_frame_round_trip(cmd: int, data: bytes) -> None:
    assert unframe(frame(cmd, data)) == (cmd, data)


def test_bcd() -> None:
    assert to_bcd(12345, 4) == bytes.fromhex("00012345")
    assert from_bcd(bytes.fromhex("00012345")) == 12345
    with pytest.raises(ValueError):
        to_bcd(100000000, 4)
    with pytest.raises(CardFormatError):
        from_bcd(bytes.fromhex("0A"))


def test_parameter_file_layout_offsets() -> None:
    """Offsets of card notes §1.4: alarms at 16/20, CT 24, PT 27, meter 30, customer 36, kind 42."""
    p = CardParameters(
        meter_no="000012345678",
        customer_no="310000000001",
        kind=CardKind.PURCHASE,
        alarm1_fen=2000,
        alarm2_fen=1000,
        ct_ratio=50,
        pt_ratio=1,
    )
    raw = p.encode()
    assert len(raw) == 45
    assert raw[:4] == bytes.fromhex("68010027")
    assert raw[16:20] == bytes.fromhex("00002000")
    assert raw[20:24] == bytes.fromhex("00001000")
    assert raw[24:27] == bytes.fromhex("000050")
    assert raw[27:30] == bytes.fromhex("000001")
    assert raw[30:36] == bytes.fromhex("000012345678")
    assert raw[36:42] == bytes.fromhex("310000000001")
    assert raw[42] == 0x02
    assert raw[44] == 0x16
    assert CardParameters.decode(raw) == p


def test_wallet_is_hex_big_endian_without_frame() -> None:
    assert Wallet(10000, 3).encode() == bytes.fromhex("0000271000000003")
    assert Wallet.decode(bytes.fromhex("0000271000000003")) == Wallet(10000, 3)


def test_writeback_layout_and_round_trip() -> None:
    wb = WriteBack(
        meter_no="000012345678",
        customer_no="310000000001",
        remaining_fen=12345,
        count=7,
        overdraft_fen=0,
        illegal_insertions=2,
        written_at=datetime(2026, 11, 24, 9, 30),
    )
    raw = wb.encode()
    assert len(raw) == 49
    assert raw[:4] == bytes.fromhex("6811002B")
    assert raw[23:27] == (12345).to_bytes(4, "big")
    assert raw[27:31] == (7).to_bytes(4, "big")
    assert raw[39:42] == bytes.fromhex("000002")
    assert raw[42:47] == bytes.fromhex("2611240930")
    assert WriteBack.decode(raw) == wb


def test_empty_writeback_as_the_meter_decides() -> None:
    assert is_writeback_empty(EMPTY_WRITEBACK)
    assert WriteBack.decode(EMPTY_WRITEBACK) is None
    not_framed_but_ct = bytearray(49)
    not_framed_but_ct[5] = 1
    assert not is_writeback_empty(bytes(not_framed_but_ct))
    with pytest.raises(CardFormatError):
        WriteBack.decode(bytes(not_framed_but_ct))


def test_rate_file_is_258_bytes_and_round_trips() -> None:
    t = RateTable(prices=(5880, 6000), ladder_kwh=(2160, 4200), ladder_prices=(5880, 6380, 8880))
    raw = t.encode(0x03)
    assert len(raw) == 258
    assert raw[:4] == bytes.fromhex("680300FC")
    assert RateTable.decode(raw) == t
