"""The files of the user purchase card: framing, field layout, encode/decode (no I/O).

Layouts follow the card notes §1.3–§1.7, reconstructed from meter firmware that parses the
card (the official Q/GDW text was not available). Which parts are public and which are our
own choices is listed in docs/card-io.md; in short, ours are: the overdraft field of the
write-back file is BCD (one firmware writes BCD, others are unclear), rate prices are BCD in
0.0001 yuan/kWh, and the rate-file command bytes 03/04.

All money is integer fen (0.01 yuan), the unit of the card.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from datetime import datetime

from card_io.errors import CardFormatError

FRAME_START = 0x68
FRAME_END = 0x16

CARD_CLASS_USER = 0x01
WRITEBACK_CMD = 0x11
RATE_CMD_CURRENT = 0x03  # ours: no source names the command byte of the rate files
RATE_CMD_BACKUP = 0x04

PARAMETER_DATA_LEN = 39
WRITEBACK_DATA_LEN = 43
RATE_DATA_LEN = 252
WRITEBACK_FILE_LEN = 49

MAX_AMOUNT_FEN = 99_999_999  # the meter refuses more than 999 999.99 yuan (card notes §1.5)


class CardKind(enum.IntEnum):
    """Offset 42 of the parameter file (card notes §1.4; R14)."""

    OPEN_ACCOUNT = 1  # 开户卡
    PURCHASE = 2  # 购电卡
    REISSUE = 3  # 补卡


# -- frame -------------------------------------------------------------------------------------


def checksum(body: bytes) -> int:
    return sum(body) & 0xFF


def frame(cmd: int, data: bytes) -> bytes:
    """``68 | CMD | LEN (2, big-endian) | DATA | CS | 16``; CS = low byte of sum(CMD..DATA)."""
    body = bytes([cmd]) + struct.pack(">H", len(data)) + data
    return bytes([FRAME_START]) + body + bytes([checksum(body), FRAME_END])


def unframe(buf: bytes) -> tuple[int, bytes]:
    """Check a framed file and return (CMD, DATA); raise CardFormatError on any defect."""
    if len(buf) < 6:
        raise CardFormatError(f"file too short for a frame ({len(buf)} bytes)")
    if buf[0] != FRAME_START:
        raise CardFormatError(f"frame does not start with 68 (found {buf[0]:02X})")
    (n,) = struct.unpack(">H", buf[2:4])
    if n + 6 > len(buf):
        raise CardFormatError(f"frame length {n} does not fit the file ({len(buf)} bytes)")
    if buf[n + 5] != FRAME_END:
        raise CardFormatError(f"frame does not end with 16 (found {buf[n + 5]:02X})")
    if checksum(buf[1 : n + 4]) != buf[n + 4]:
        raise CardFormatError("frame checksum mismatch")
    return buf[1], bytes(buf[4 : n + 4])


# -- BCD ----------------------------------------------------------------------------------------


def to_bcd(value: int, size: int) -> bytes:
    digits = f"{value:0{size * 2}d}"
    if value < 0 or len(digits) > size * 2:
        raise ValueError(f"{value} does not fit {size} BCD bytes")
    return bytes.fromhex(digits)


def from_bcd(raw: bytes, field: str = "field") -> int:
    text = raw.hex()
    if not text.isdigit():
        raise CardFormatError(f"{field} is not BCD: {text.upper()}")
    return int(text)


def number_to_bcd(number: str, field: str) -> bytes:
    """Meter and customer numbers: 12 decimal digits in 6 BCD bytes."""
    if len(number) != 12 or not number.isdigit():
        raise ValueError(f"{field} must be 12 digits, got {number!r}")
    return bytes.fromhex(number)


def bcd_to_number(raw: bytes, field: str) -> str:
    text = raw.hex()
    if not text.isdigit():
        raise CardFormatError(f"{field} is not BCD: {text.upper()}")
    return text


def time_to_bcd(when: datetime) -> bytes:
    """YYMMDDhhmm, 5 BCD bytes."""
    return bytes.fromhex(when.strftime("%y%m%d%H%M"))


def bcd_to_time(raw: bytes) -> datetime | None:
    text = raw.hex()
    if text == "0000000000":
        return None
    try:
        return datetime.strptime(text, "%y%m%d%H%M")
    except ValueError as exc:
        raise CardFormatError(f"write-back time is not YYMMDDhhmm: {text}") from exc


# -- parameter information file (SFI 1) --------------------------------------------------------


@dataclass(frozen=True)
class CardParameters:
    """The parameter information file (SFI 1), card notes §1.4."""

    meter_no: str
    customer_no: str
    kind: CardKind
    user_kind: int = 1  # 01 single rate
    update_flags: int = 0  # §2.3: bit0/1 rate sets, bit2/3 ladders, bit7 this file
    reserved: bytes = b"\x00\x00\x00\x00"
    rate_switch_time: bytes = b"\x00\x00\x00\x00\x00"
    rate_count: int = 0
    alarm1_fen: int = 0
    alarm2_fen: int = 0
    ct_ratio: int = 1
    pt_ratio: int = 1
    card_class: int = CARD_CLASS_USER

    def encode(self) -> bytes:
        data = (
            bytes([self.user_kind, self.update_flags])
            + self.reserved
            + self.rate_switch_time
            + bytes([self.rate_count])
            + to_bcd(self.alarm1_fen, 4)
            + to_bcd(self.alarm2_fen, 4)
            + to_bcd(self.ct_ratio, 3)
            + to_bcd(self.pt_ratio, 3)
            + number_to_bcd(self.meter_no, "meter number")
            + number_to_bcd(self.customer_no, "customer number")
            + bytes([int(self.kind)])
        )
        assert len(data) == PARAMETER_DATA_LEN
        return frame(self.card_class, data)

    @classmethod
    def decode(cls, buf: bytes) -> CardParameters:
        cmd, d = unframe(buf)
        if len(d) != PARAMETER_DATA_LEN:
            raise CardFormatError(f"parameter file holds {len(d)} bytes, expected 39")
        try:
            kind = CardKind(d[38])
        except ValueError as exc:
            raise CardFormatError(f"unknown card kind {d[38]:02X}") from exc
        return cls(
            user_kind=d[0],
            update_flags=0 if d[1] == 0xFF else d[1],  # FF is treated as 00 by meters
            reserved=bytes(d[2:6]),
            rate_switch_time=bytes(d[6:11]),
            rate_count=d[11],
            alarm1_fen=from_bcd(d[12:16], "alarm amount 1"),
            alarm2_fen=from_bcd(d[16:20], "alarm amount 2"),
            ct_ratio=from_bcd(d[20:23], "CT ratio"),
            pt_ratio=from_bcd(d[23:26], "PT ratio"),
            meter_no=bcd_to_number(d[26:32], "meter number"),
            customer_no=bcd_to_number(d[32:38], "customer number"),
            kind=kind,
            card_class=cmd,
        )


# -- wallet (SFI 2) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wallet:
    """The purchase file (SFI 2): amount of *this* purchase and its count, 4+4 bytes hex
    big-endian, no frame (card notes §1.5)."""

    amount_fen: int
    count: int

    def encode(self) -> bytes:
        return struct.pack(">II", self.amount_fen, self.count)

    @classmethod
    def decode(cls, buf: bytes) -> Wallet:
        if len(buf) != 8:
            raise CardFormatError(f"wallet file holds {len(buf)} bytes, expected 8")
        amount, count = struct.unpack(">II", buf)
        return cls(amount_fen=amount, count=count)


# -- write-back file (SFI 5) ---------------------------------------------------------------------


@dataclass(frozen=True)
class WriteBack:
    """The write-back (返写) file the meter leaves on the card (card notes §1.7; R13)."""

    meter_no: str
    customer_no: str
    remaining_fen: int
    count: int
    overdraft_fen: int
    illegal_insertions: int
    written_at: datetime | None
    user_kind: int = 1
    ct_ratio: int = 1
    pt_ratio: int = 1
    key_info: bytes = b"\x00\x00\x00\x00"

    def encode(self) -> bytes:
        data = (
            bytes([self.user_kind])
            + to_bcd(self.ct_ratio, 3)
            + to_bcd(self.pt_ratio, 3)
            + number_to_bcd(self.meter_no, "meter number")
            + number_to_bcd(self.customer_no, "customer number")
            + struct.pack(">I", max(self.remaining_fen, 0))
            + struct.pack(">I", self.count)
            + to_bcd(self.overdraft_fen, 4)  # ours: BCD, as the 2013-era firmware writes it
            + self.key_info
            + to_bcd(self.illegal_insertions, 3)
            + (time_to_bcd(self.written_at) if self.written_at else bytes(5))
        )
        assert len(data) == WRITEBACK_DATA_LEN
        return frame(WRITEBACK_CMD, data)

    @classmethod
    def decode(cls, buf: bytes) -> WriteBack | None:
        """None when the file is empty as a meter decides it (§1.7): byte 0 is not 68H and
        the CT ratio bytes 5..7 are zero. Anything else must be a valid frame."""
        if len(buf) != WRITEBACK_FILE_LEN:
            raise CardFormatError(f"write-back file holds {len(buf)} bytes, expected 49")
        if is_writeback_empty(buf):
            return None
        cmd, d = unframe(buf)
        if cmd != WRITEBACK_CMD or len(d) != WRITEBACK_DATA_LEN:
            raise CardFormatError(f"write-back frame has command {cmd:02X}, length {len(d)}")
        return cls(
            user_kind=d[0],
            ct_ratio=from_bcd(d[1:4], "CT ratio"),
            pt_ratio=from_bcd(d[4:7], "PT ratio"),
            meter_no=bcd_to_number(d[7:13], "meter number"),
            customer_no=bcd_to_number(d[13:19], "customer number"),
            remaining_fen=struct.unpack(">I", d[19:23])[0],
            count=struct.unpack(">I", d[23:27])[0],
            overdraft_fen=from_bcd(d[27:31], "overdraft"),
            key_info=bytes(d[31:35]),
            illegal_insertions=from_bcd(d[35:38], "illegal insertions"),
            written_at=bcd_to_time(d[38:43]),
        )


def is_writeback_empty(buf: bytes) -> bool:
    """The meter's test (card notes §1.7, 2013-era firmware)."""
    return buf[0] != FRAME_START and buf[5:8] == b"\x00\x00\x00"


EMPTY_WRITEBACK = bytes(WRITEBACK_FILE_LEN)

_CLEARED_MAGIC = b"CLR\x01"


def cleared_writeback(meter_count: int) -> bytes:
    """The write-back file as the counter clears it (ours): empty for every meter (byte 0 is
    not 68H, bytes 5..7 are zero), but remembering the meter's purchase count seen before
    clearing (bytes 8..11 magic, 12..15 count). Without it "wallet count C, write-back empty"
    would be ambiguous after a write pulled between clearing and the wallet: purchase C not
    yet inserted (R12a: refuse) or purchase C loaded long ago (go ahead)."""
    buf = bytearray(WRITEBACK_FILE_LEN)
    buf[8:12] = _CLEARED_MAGIC
    buf[12:16] = struct.pack(">I", meter_count)
    return bytes(buf)


def cleared_writeback_count(buf: bytes) -> int | None:
    """The meter count recorded by ``cleared_writeback``; None for any other content."""
    if len(buf) != WRITEBACK_FILE_LEN or not is_writeback_empty(buf):
        return None
    if buf[8:12] != _CLEARED_MAGIC:
        return None
    count: int = struct.unpack(">I", buf[12:16])[0]
    return count


# -- rate files (SFI 3, 4) -----------------------------------------------------------------------


@dataclass(frozen=True)
class RateTable:
    """A rate file (SFI 3 current, SFI 4 backup), 2013-era layout (card notes §1.6).

    Prices are BCD in 0.0001 yuan/kWh (ours), ladder energies in kWh.
    """

    prices: tuple[int, ...] = (5880,)  # 0.5880 yuan/kWh
    ladder_kwh: tuple[int, ...] = ()
    ladder_prices: tuple[int, ...] = ()
    switch_time: bytes = b"\x00\x00\x00\x00\x00"

    def encode(self, cmd: int) -> bytes:
        def block(values: tuple[int, ...], n: int) -> bytes:
            if len(values) > n:
                raise ValueError(f"at most {n} values")
            return b"".join(to_bcd(v, 4) for v in values) + bytes(4 * (n - len(values)))

        data = (
            block(self.prices, 32)
            + block(self.ladder_kwh, 6)
            + block(self.ladder_prices, 7)
            + bytes(12)
            + self.switch_time
        )
        data += bytes(RATE_DATA_LEN - len(data))
        return frame(cmd, data)

    @classmethod
    def decode(cls, buf: bytes) -> RateTable:
        _, d = unframe(buf)

        def values(raw: bytes) -> tuple[int, ...]:
            out = [from_bcd(raw[i : i + 4], "rate") for i in range(0, len(raw), 4)]
            while out and out[-1] == 0:
                out.pop()
            return tuple(out)

        return cls(
            prices=values(d[0:128]),
            ladder_kwh=values(d[128:152]),
            ladder_prices=values(d[152:180]),
            switch_time=bytes(d[192:197]),
        )
