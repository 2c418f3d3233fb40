"""The simulated meter's ESAM: checks ciphertext-1 and MACs with the meter's own key.

It holds the key diversified from the master key by the meter number, exactly what a
real ESAM is personalised with, so a master side using another master key is refused
for real (SERR 0x0008 / 0x0004), not by a flag. Scheme: :mod:`meter_link.sm4_scheme`.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from .. import sm4_scheme as scheme
from ..dlt645.commands import RelayPlaintext
from ..dlt645.errors import PayloadError


@dataclass(slots=True)
class EsamSession:
    """An open identity-authentication session inside the ESAM."""

    random1: bytes
    random2: bytes
    expires_at: float


class Esam:
    """Key holder and verifier of one simulated meter."""

    def __init__(self, key: bytes, serial: bytes) -> None:
        self.key = key
        self.serial = serial

    def check_cipher1(self, random1: bytes, cipher1: bytes) -> bool:
        """Whether the master knew this meter's key (identity authentication)."""
        return hmac.compare_digest(scheme.cipher1(self.key, random1), cipher1)

    @staticmethod
    def challenge() -> bytes:
        """Random-2 (GET CHALLENGE)."""
        return secrets.token_bytes(4)

    def check_mac(self, session: EsamSession, header: bytes, data: bytes, mac: bytes) -> bool:
        """Verify a MAC the master computed with random-2."""
        return hmac.compare_digest(scheme.mac(self.key, session.random2, header, data), mac)

    def readback_mac(self, session: EsamSession, data: bytes) -> bytes:
        """MAC the ESAM puts on data it returns (status query), with random-1's high half."""
        return scheme.mac(self.key, session.random1[:4], scheme.HEADER_READBACK, data)

    def open_relay_command(self, session: EsamSession, blob: bytes) -> RelayPlaintext | None:
        """Verify and decrypt a 1CH ciphertext + MAC; ``None`` when the MAC is wrong."""
        if len(blob) != 20:
            return None
        ciphertext, mac = blob[:16], blob[16:]
        if not self.check_mac(session, scheme.HEADER_RELAY, ciphertext, mac):
            return None
        iv = (session.random2 + bytes(scheme.BLOCK))[: scheme.BLOCK]
        plain = scheme.sm4_cbc_decrypt(self.key, iv, ciphertext)[:8]
        try:
            return RelayPlaintext.from_bytes(plain)
        except PayloadError:
            return None
