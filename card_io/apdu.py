"""ISO 7816-4 command APDUs of the user purchase card, as bytes (no I/O).

The card and the counter both use short-file-identifier addressing (``P1 = 0x80 | SFI``) in
READ/UPDATE BINARY, and the proprietary class byte ``04`` for "UPDATE BINARY with a 4-byte
MAC appended" (card notes §1.2, §1.9). Used by ``purchase_card`` (counter side) and by the
virtual card (card side), so both agree on every byte.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Status words (SW1 SW2 as one int)
SW_OK = 0x9000
SW_EOF = 0x6282  # end of file reached before Le bytes
SW_AUTH_FAILED = 0x6300
SW_TRIES_LEFT = 0x63C0  # 63Cx: verification failed, x tries left before the key blocks
SW_WRONG_LENGTH = 0x6700
SW_SECURITY = 0x6982  # security status not satisfied (no external authentication)
SW_BLOCKED = 0x6983  # authentication method blocked: the key's retry counter reached zero
SW_NO_EF = 0x6986  # command not allowed, no current EF
SW_MAC_WRONG = 0x6988  # secure-messaging data object incorrect = MAC error
SW_MAC_MISSING = 0x6987
SW_NO_KEY = 0x6A88  # referenced data (a key) not found
SW_NOT_FOUND = 0x6A82  # file not found (ISO 7816-4)
SW_WRONG_P1P2 = 0x6B00
SW_UNISSUED = 0x6B00  # the meter's "未发行的卡片" answer on the parameter file
SW_INS = 0x6D00
SW_CLA = 0x6E00

# Files of DF01 (card notes §1.2)
MF = 0x3F00
DF_ELECTRICITY = 0xDF01
SFI_PARAMETERS = 1
SFI_WALLET = 2
SFI_RATES_CURRENT = 3
SFI_RATES_BACKUP = 4
SFI_WRITEBACK = 5

FILE_SIZES = {
    SFI_PARAMETERS: 45,
    SFI_WALLET: 8,
    SFI_RATES_CURRENT: 258,
    SFI_RATES_BACKUP: 258,
    SFI_WRITEBACK: 49,
}

# Key ids in P2 of the authentication commands (card notes §1.9: 01 internal, 02 external)
KEY_INTERNAL = 0x01
KEY_EXTERNAL = 0x02

MAC_LEN = 4


# Proprietary issuer command resetting the retry counters (modelled on PBOC's APPLICATION
# UNBLOCK, ``84 18 00 00 04 | MAC``): only the issuer's unblock key can produce the MAC.
CLA_SECURE = 0x84
INS_UNBLOCK = 0x18


def is_auth_refusal(sw: int) -> bool:
    """6300 / 63Cx (authentication failed) and 6988 / 6989 (MAC wrong) mean a key problem."""
    return sw == SW_AUTH_FAILED or (sw & 0xFFF0) == SW_TRIES_LEFT or sw in (0x6988, 0x6989)


def tries_left(sw: int) -> int | None:
    """The x of 63Cx (tries left before the key blocks), None for any other status."""
    return sw & 0x0F if (sw & 0xFFF0) == SW_TRIES_LEFT else None


@dataclass(frozen=True)
class Response:
    """A response APDU: data and the status word."""

    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK


def select(fid: int) -> bytes:
    return bytes([0x00, 0xA4, 0x00, 0x00, 0x02, fid >> 8, fid & 0xFF])


def read_binary(sfi: int, offset: int, length: int) -> bytes:
    """READ BINARY by SFI; ``length`` 0 means "as much as there is" (the card answers 6Cxx)."""
    if not 0 <= offset <= 0xFF:
        raise ValueError("SFI addressing allows offsets 0..255")
    return bytes([0x00, 0xB0, 0x80 | sfi, offset, length & 0xFF])


def update_binary_header(sfi: int, offset: int, data_len: int) -> bytes:
    """Header of ``04 D6``: Lc counts the data plus the 4-byte MAC (MACs cover this header)."""
    return bytes([0x04, 0xD6, 0x80 | sfi, offset, data_len + MAC_LEN])


def update_binary_with_mac(sfi: int, offset: int, data: bytes, mac: bytes) -> bytes:
    return update_binary_header(sfi, offset, len(data)) + data + mac


def get_challenge(length: int) -> bytes:
    return bytes([0x00, 0x84, 0x00, 0x00, length])


def external_authenticate(cryptogram: bytes) -> bytes:
    return bytes([0x00, 0x82, 0x00, KEY_EXTERNAL, len(cryptogram)]) + cryptogram


def internal_authenticate(random: bytes) -> bytes:
    """Case 4 command: a T=0 card answers 61 08 and the cryptogram comes by GET RESPONSE."""
    return bytes([0x00, 0x88, 0x00, KEY_INTERNAL, len(random)]) + random


def read_binary_with_mac(sfi: int, offset: int, random: bytes, esam_header: bytes) -> bytes:
    """READ BINARY with MAC (card notes §1.9-3): ``04 B0 <0x80|SFI> <off> 09 | random(4) |
    ESAM command header(5)``. The card returns ``esam_header[4] - 4`` bytes of the file plus
    a 4-byte MAC over ``esam_header || data`` with ``random`` as initial value, through
    61xx / GET RESPONSE (T=0 case 4)."""
    if len(random) != 4 or len(esam_header) != 5:
        raise ValueError("read with MAC takes a 4-byte random and a 5-byte ESAM header")
    if not 0 <= offset <= 0xFF:
        raise ValueError("SFI addressing allows offsets 0..255")
    return bytes([0x04, 0xB0, 0x80 | sfi, offset, 0x09]) + random + esam_header


def esam_header_for(length: int, ins: int = 0x2C) -> bytes:
    """The 5-byte ESAM command header a MAC'd read names: Lc = data + 4-byte MAC."""
    if not 0 < length <= 0xFF - MAC_LEN:
        raise ValueError("a MAC'd read returns 1..251 bytes")
    return bytes([0x80, ins, 0x00, 0x00, length + MAC_LEN])


UNBLOCK_HEADER = bytes([CLA_SECURE, INS_UNBLOCK, 0x00, 0x00, MAC_LEN])


def unblock(mac: bytes) -> bytes:
    """The issuer's unblock command (after ``GET CHALLENGE 4``)."""
    return UNBLOCK_HEADER + mac


def get_response(length: int) -> bytes:
    return bytes([0x00, 0xC0, 0x00, 0x00, length & 0xFF])


def transmit_t0(raw: Callable[[bytes], Response], command: bytes) -> Response:
    """Send one command APDU through `raw`; answer ``61xx`` with GET RESPONSE and ``6Cxx`` by
    resending with the right Le (T=0 rules, ISO 7816-3 §10.3). The reader and the virtual
    card's direct channel both speak T=0 this way."""
    r = raw(command)
    if r.sw >> 8 == 0x6C and len(command) >= 5:
        r = raw(command[:-1] + bytes([r.sw & 0xFF]))
    data = r.data
    while r.sw >> 8 == 0x61:
        r = raw(get_response(r.sw & 0xFF))
        data += r.data
    return Response(data, r.sw)
