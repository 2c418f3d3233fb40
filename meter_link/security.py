"""The master side of the meter's security: the ``SecurityModule`` port and its SM4 adapter.

A remote recharge (R7 step c) needs ciphertext-1 for identity authentication (070000FF) and
two MACs for the recharge (070102FF). In production they come from the utility's encryption
service (主站加密机), which holds the master keys: the counter never sees a key. That service
is reached through an adapter implementing :class:`SecurityModule`. This module ships
:class:`SoftwareSecurityModule`, an SM4 stand-in (see :mod:`meter_link.sm4_scheme`) for
development, tests and the simulator; its master key comes from a key file or the
``METER_MASTER_KEY`` environment variable (hex), never from source code.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from . import sm4_scheme as scheme
from .dlt645.commands import RelayPlaintext
from .dlt645.security_payloads import AuthRequest

MASTER_KEY_ENV = "METER_MASTER_KEY"


class MasterKeyError(ValueError):
    """No master key configured, or it is not 16 bytes of hex."""


@dataclass(frozen=True, slots=True)
class Session:
    """An identity-authentication session with one meter (DLT645 notes §8.2).

    Holds only public values: the numbers exchanged with the meter. Keys stay inside the
    security module (or the utility's encryption service).
    """

    meter_no: str
    random1: bytes
    random2: bytes
    esam_serial: bytes


@runtime_checkable
class SecurityModule(Protocol):
    """Port to whatever computes the master-side cryptograms for a meter.

    Production: an adapter to the utility's encryption service. Development and tests:
    :class:`SoftwareSecurityModule`.
    """

    def begin_session(self, meter_no: str) -> AuthRequest:
        """Random-1, ciphertext-1 and diversification factor for 070000FF."""
        ...

    def accept_session(
        self, meter_no: str, random1: bytes, random2: bytes, esam_serial: bytes
    ) -> Session:
        """The session after the meter answered 070000FF with random-2 and its ESAM serial."""
        ...

    def recharge_macs(
        self,
        session: Session,
        amount_fen: int,
        count: int,
        customer_no: str,
        *,
        opening: bool = False,
    ) -> tuple[bytes, bytes]:
        """MAC1 over (amount, count) and MAC2 over the customer number (070102FF/070101FF)."""
        ...

    def verify_readback(self, session: Session, data: bytes, mac: bytes) -> bool:
        """Whether a MAC returned by the meter's ESAM (078102FF) covers ``data``."""
        ...

    def relay_ciphertext(self, session: Session, plaintext: RelayPlaintext) -> bytes:
        """16-byte ciphertext plus 4-byte MAC of a relay command (1CH with PA = 98H)."""
        ...


def parse_master_key(text: str) -> bytes:
    """A master key from 32 hex digits (spaces and a trailing newline allowed)."""
    cleaned = "".join(text.split())
    try:
        key = bytes.fromhex(cleaned)
    except ValueError:
        raise MasterKeyError("master key is not hex") from None
    if len(key) != scheme.KEY_LENGTH:
        raise MasterKeyError(f"master key has {len(key)} bytes, SM4 needs {scheme.KEY_LENGTH}")
    return key


def load_master_key(
    key_file: str | os.PathLike[str] | None = None, *, environ: dict[str, str] | None = None
) -> bytes:
    """The master key from ``key_file`` if given, else from ``$METER_MASTER_KEY`` (hex)."""
    if key_file is not None:
        try:
            return parse_master_key(Path(key_file).read_text(encoding="ascii"))
        except OSError as exc:
            raise MasterKeyError(f"cannot read key file {key_file}: {exc.strerror}") from None
    env = os.environ if environ is None else environ
    value = env.get(MASTER_KEY_ENV)
    if not value:
        raise MasterKeyError(f"no master key: give a key file or set {MASTER_KEY_ENV} (hex)")
    return parse_master_key(value)


def generate_master_key() -> bytes:
    """A fresh random master key (for a test bench or a new simulator)."""
    return secrets.token_bytes(scheme.KEY_LENGTH)


def write_key_file(path: str | os.PathLike[str], key: bytes) -> None:
    """Write ``key`` as hex to a file readable by its owner only."""
    target = Path(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")


class SoftwareSecurityModule:
    """SM4 implementation of :class:`SecurityModule` (development, tests, simulator)."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != scheme.KEY_LENGTH:
            raise MasterKeyError(f"master key must be {scheme.KEY_LENGTH} bytes")
        self._master = bytes(master_key)

    @classmethod
    def from_config(cls, key_file: str | os.PathLike[str] | None = None) -> SoftwareSecurityModule:
        """Key from ``key_file`` or ``$METER_MASTER_KEY``."""
        return cls(load_master_key(key_file))

    def __repr__(self) -> str:  # never print the key
        return "SoftwareSecurityModule(<key hidden>)"

    def _key(self, meter_no: str) -> bytes:
        return scheme.meter_key(self._master, meter_no)

    def begin_session(self, meter_no: str) -> AuthRequest:
        random1 = secrets.token_bytes(8)
        return AuthRequest(
            cipher1=scheme.cipher1(self._key(meter_no), random1),
            random1=random1,
            factor=scheme.factor_for(meter_no),
        )

    def accept_session(
        self, meter_no: str, random1: bytes, random2: bytes, esam_serial: bytes
    ) -> Session:
        return Session(meter_no, bytes(random1), bytes(random2), bytes(esam_serial))

    def recharge_macs(
        self,
        session: Session,
        amount_fen: int,
        count: int,
        customer_no: str,
        *,
        opening: bool = False,
    ) -> tuple[bytes, bytes]:
        key = self._key(session.meter_no)
        header = scheme.HEADER_OPEN if opening else scheme.HEADER_INCREASE
        mac1 = scheme.mac(
            key, session.random2, header, scheme.amount_count_bytes(amount_fen, count)
        )
        mac2 = scheme.mac(
            key, session.random2, scheme.HEADER_CUSTOMER, scheme.customer_bytes(customer_no)
        )
        return mac1, mac2

    def verify_readback(self, session: Session, data: bytes, mac: bytes) -> bool:
        expected = scheme.mac(
            self._key(session.meter_no), session.random1[:4], scheme.HEADER_READBACK, data
        )
        return secrets.compare_digest(expected, mac)

    def relay_ciphertext(self, session: Session, plaintext: RelayPlaintext) -> bytes:
        key = self._key(session.meter_no)
        iv = (session.random2 + bytes(scheme.BLOCK))[: scheme.BLOCK]
        ciphertext = scheme.sm4_cbc(key, iv, scheme.pad(plaintext.to_bytes()))[:16]
        return ciphertext + scheme.mac(key, session.random2, scheme.HEADER_RELAY, ciphertext)
