"""Payload layouts of the 03H security sub-commands of cost-control meters.

Every field goes low byte first on the wire, 8-byte crypto blocks and 4-byte MACs
included (firmware reverses them before handing them to the ESAM, DLT645 notes §4.1).
Objects here hold values in natural order (as printed / as the ESAM sees them); the
``to_wire`` / ``from_wire`` functions do the reversal. Bytes in, bytes out, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from .bcd import bcd_le_to_digits, digits_to_bcd_le
from .errors import PayloadError

DI_IDENTITY_AUTHENTICATION = 0x070000FF
DI_SESSION_VALIDITY = 0x070001FF
DI_END_SESSION = 0x070002FF
DI_ACCOUNT_OPENING = 0x070101FF
DI_RECHARGE = 0x070102FF
DI_STATUS_QUERY = 0x078102FF

SECURITY_DI_NAMES: dict[int, str] = {
    DI_IDENTITY_AUTHENTICATION: "identity authentication",
    DI_SESSION_VALIDITY: "session validity setting",
    DI_END_SESSION: "end session",
    DI_ACCOUNT_OPENING: "remote account opening",
    DI_RECHARGE: "remote recharge",
    DI_STATUS_QUERY: "status query",
}


def rev(data: bytes) -> bytes:
    """Reverse a field (natural order <-> wire order)."""
    return bytes(reversed(data))


def _need(raw: bytes, length: int, what: str) -> None:
    if len(raw) != length:
        raise PayloadError(f"{what}: {len(raw)} bytes, expected {length}")


@dataclass(frozen=True, slots=True)
class AuthRequest:
    """070000FF request: ciphertext-1, random-1 and the diversification factor (8 each)."""

    cipher1: bytes
    random1: bytes
    factor: bytes

    def to_wire(self) -> bytes:
        return rev(self.cipher1) + rev(self.random1) + rev(self.factor)

    @classmethod
    def from_wire(cls, raw: bytes) -> AuthRequest:
        _need(raw, 24, "identity authentication request")
        return cls(rev(raw[0:8]), rev(raw[8:16]), rev(raw[16:24]))


@dataclass(frozen=True, slots=True)
class AuthReply:
    """070000FF reply: random-2 (4) and the ESAM serial number (8)."""

    random2: bytes
    esam_serial: bytes

    def to_wire(self) -> bytes:
        return rev(self.random2) + rev(self.esam_serial)

    @classmethod
    def from_wire(cls, raw: bytes) -> AuthReply:
        _need(raw, 12, "identity authentication reply")
        return cls(rev(raw[0:4]), rev(raw[4:12]))


@dataclass(frozen=True, slots=True)
class RechargeRequest:
    """070101FF / 070102FF request: amount (fen, binary), count, MAC1, customer no., MAC2."""

    amount_fen: int
    count: int
    mac1: bytes
    customer_no: str
    mac2: bytes

    def to_wire(self) -> bytes:
        if not 0 <= self.amount_fen < 1 << 32 or not 0 <= self.count < 1 << 32:
            raise PayloadError("amount and count must fit in 4 bytes")
        return (
            self.amount_fen.to_bytes(4, "little")
            + self.count.to_bytes(4, "little")
            + rev(self.mac1)
            + digits_to_bcd_le(self.customer_no)
            + rev(self.mac2)
        )

    @classmethod
    def from_wire(cls, raw: bytes) -> RechargeRequest:
        _need(raw, 22, "recharge request")
        return cls(
            int.from_bytes(raw[0:4], "little"),
            int.from_bytes(raw[4:8], "little"),
            rev(raw[8:12]),
            bcd_le_to_digits(raw[12:18]),
            rev(raw[18:22]),
        )


@dataclass(frozen=True, slots=True)
class StatusReply:
    """078102FF reply: ESAM wallet balance and count with their MACs, customer no., key info."""

    balance_fen: int
    balance_mac: bytes
    count: int
    count_mac: bytes
    customer_no: str
    key_info: bytes

    def to_wire(self) -> bytes:
        return (
            self.balance_fen.to_bytes(4, "little")
            + rev(self.balance_mac)
            + self.count.to_bytes(4, "little")
            + rev(self.count_mac)
            + digits_to_bcd_le(self.customer_no)
            + rev(self.key_info)
        )

    @classmethod
    def from_wire(cls, raw: bytes) -> StatusReply:
        _need(raw, 26, "status query reply")
        return cls(
            int.from_bytes(raw[0:4], "little"),
            rev(raw[4:8]),
            int.from_bytes(raw[8:12], "little"),
            rev(raw[12:16]),
            bcd_le_to_digits(raw[16:22]),
            rev(raw[22:26]),
        )
