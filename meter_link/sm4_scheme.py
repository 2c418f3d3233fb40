"""The software stand-in for the ESAM cryptography: SM4 with keys diversified per meter.

The real ESAM algorithm (SM1) and the utility's key hierarchy are not public, so this
project defines its own scheme on SM4 (GB/T 32907), modelled on a meter firmware with a
software ESAM (DLT645 notes §8.3). The master side (:mod:`meter_link.security`) and the
simulated meter's ESAM (:mod:`meter_link.simulator.esam`) both use these functions, so a
wrong master key is a real refusal. It is **not** interoperable with real meters: there the
utility's encryption service computes ciphertext-1 and the MACs.

* meter key ``Km = SM4(master, factor ‖ ~factor)``, factor = ``00 00 ‖ meter no. (BCD)``;
* ciphertext-1 = first 8 bytes of ``SM4(Km, random1 ‖ ~random1)``;
* MAC = first 4 bytes of an SM4 CBC-MAC (ISO/IEC 9797-1 padding 2) over
  ``header ‖ data`` with IV ``random ‖ 00…``: random-2 for MACs the master sends,
  random-1's high 4 bytes for MACs the meter returns.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .dlt645.bcd import digits_to_bcd_le

BLOCK = 16
KEY_LENGTH = 16

# ESAM command headers chained into the MACs (INCREASE for the wallet, UPDATE BINARY for
# the customer number in the parameter file, READ for read-back), as real ESAMs do.
HEADER_INCREASE = bytes.fromhex("8432010C")
HEADER_OPEN = bytes.fromhex("8432000C")
HEADER_CUSTOMER = bytes.fromhex("04D68600")
HEADER_READBACK = bytes.fromhex("04B00000")
HEADER_RELAY = bytes.fromhex("04D68800")
HEADER_VALIDITY = bytes.fromhex("04D68100")


def sm4_ecb(key: bytes, data: bytes) -> bytes:
    """SM4 in ECB mode over whole blocks."""
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def sm4_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    """SM4 in CBC mode over whole blocks."""
    encryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def sm4_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """SM4 CBC decryption over whole blocks."""
    decryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def pad(data: bytes) -> bytes:
    """ISO/IEC 9797-1 padding method 2: 80H then zeros to a whole block."""
    data = data + b"\x80"
    return data + bytes(-len(data) % BLOCK)


def invert(data: bytes) -> bytes:
    """Bitwise NOT of every byte."""
    return bytes(b ^ 0xFF for b in data)


def factor_for(meter_no: str) -> bytes:
    """Diversification factor ``00 00 ‖ meter number`` (natural order, 8 bytes)."""
    return b"\x00\x00" + bytes(reversed(digits_to_bcd_le(meter_no.rjust(12, "0"))))


def meter_key(master_key: bytes, meter_no: str) -> bytes:
    """The key a meter's ESAM holds: the master key diversified by the meter number."""
    factor = factor_for(meter_no)
    return sm4_ecb(master_key, factor + invert(factor))


def cipher1(key: bytes, random1: bytes) -> bytes:
    """Ciphertext-1 of identity authentication: ``random1`` under the meter key."""
    return sm4_ecb(key, random1 + invert(random1))[:8]


def mac(key: bytes, random: bytes, header: bytes, data: bytes) -> bytes:
    """4-byte CBC-MAC of ``header ‖ data`` with IV ``random ‖ 00…``."""
    iv = (random + bytes(BLOCK))[:BLOCK]
    return sm4_cbc(key, iv, pad(header + data))[-BLOCK:][:4]


def amount_count_bytes(amount_fen: int, count: int) -> bytes:
    """What MAC1 covers: amount and count, 4 bytes each, big-endian (ESAM order)."""
    return amount_fen.to_bytes(4, "big") + count.to_bytes(4, "big")


def customer_bytes(customer_no: str) -> bytes:
    """What MAC2 covers: the customer number as 6 BCD bytes, natural order."""
    return bytes(reversed(digits_to_bcd_le(customer_no)))
