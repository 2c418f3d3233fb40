"""The security port: card authentication and write MACs (card notes §1.9).

The State Grid algorithm (SM1) and its key hierarchy are not public, so the counter never
computes cryptograms itself: it asks a ``CardCrypto``. Adapters:

* ``SoftwareCardCrypto`` (here) — SM4 with master keys from a file or the environment, for
  development, tests and the virtual card. Never in source, never in the database.
* a PSAM card in a second reader slot, a USB key, or the utility's encryption service
  (密码机): implement the three methods of ``CardCrypto`` by sending the card serial and the
  challenge to the key holder and returning its answer. Nothing else in card_io changes.

Scheme of the software adapter (ours, modelled on PBOC-style issuer systems):

* three purpose keys derived from the master key: ``K_p = SM4(master, label_p)``;
* diversified per card by its 8-byte ATR serial: ``K_card = SM4(K_p, serial || ~serial)``;
* internal / external authentication: ``SM4(K_card, random8 || 80 00..)[:8]``;
* MAC: SM4-CBC-MAC, IV = challenge(4) || 00*12, over ``header(5) || data`` with ISO/IEC 9797-1
  padding method 2, first 4 bytes. The same line-protection key MACs what the card writes
  (``04 D6``, header = the UPDATE header) and what it returns to a MAC'd read (``04 B0``,
  header = the ESAM command header named in the read, IV = the reader's random);
* unblock: a fourth key, held by the issuer only, MACs the card's unblock command (retry
  counters back to full after a key was blocked by wrong cryptograms or MACs).

The virtual card holds only its diversified keys (as a personalised real card would) and
verifies with the same functions, so a wrong master key fails exactly where it would fail on
a real card.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from card_io.apdu import UNBLOCK_HEADER
from card_io.errors import NoCardKeys

ENV_MASTER_KEY = "CARD_MASTER_KEY"
ENV_KEY_FILE = "CARD_KEY_FILE"

_LABEL_INTERNAL = b"INTERNAL-AUTH-01"
_LABEL_EXTERNAL = b"EXTERNAL-AUTH-02"
_LABEL_MAC = b"LINE-PROTECT-MAC"
_LABEL_UNBLOCK = b"ISSUER-UNBLOCK-0"


class CardCrypto(Protocol):
    """What the counter needs from a key holder. ``serial`` is the card's 8-byte ATR serial
    (the diversification factor)."""

    def internal_auth(self, serial: bytes, random: bytes) -> bytes:
        """The 8-byte cryptogram a genuine card returns for ``random`` (to verify it)."""
        ...

    def external_auth(self, serial: bytes, challenge: bytes) -> bytes:
        """The 8-byte cryptogram proving to the card that we hold the issuer key."""
        ...

    def write_mac(self, serial: bytes, challenge: bytes, header: bytes, data: bytes) -> bytes:
        """The 4-byte MAC of a ``04 D6`` UPDATE BINARY (header = CLA INS P1 P2 Lc)."""
        ...

    def read_mac(self, serial: bytes, random: bytes, esam_header: bytes, data: bytes) -> bytes:
        """The 4-byte MAC a genuine card puts on ``data`` returned by a MAC'd read (to verify
        that the file comes from a card holding our keys)."""
        ...

    def unblock_mac(self, serial: bytes, challenge: bytes) -> bytes:
        """The issuer's MAC of the unblock command (technician's workbench only)."""
        ...


# -- SM4 primitives ------------------------------------------------------------------------------


def sm4_encrypt_block(key: bytes, block: bytes) -> bytes:
    if len(key) != 16 or len(block) != 16:
        raise ValueError("SM4 works on 16-byte keys and blocks")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def pad_iso9797_m2(data: bytes) -> bytes:
    data = data + b"\x80"
    return data + bytes(-len(data) % 16)


def sm4_cbc_mac(key: bytes, iv: bytes, data: bytes) -> bytes:
    enc = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
    out = enc.update(pad_iso9797_m2(data)) + enc.finalize()
    return out[-16:]


def diversify(purpose_key: bytes, serial: bytes) -> bytes:
    if len(serial) != 8:
        raise ValueError("card serial must be 8 bytes")
    return sm4_encrypt_block(purpose_key, serial + bytes(b ^ 0xFF for b in serial))


def auth_cryptogram(card_key: bytes, random: bytes) -> bytes:
    if len(random) != 8:
        raise ValueError("authentication random must be 8 bytes")
    return sm4_encrypt_block(card_key, pad_iso9797_m2(random))[:8]


def mac4(card_key: bytes, challenge: bytes, header: bytes, data: bytes) -> bytes:
    if len(challenge) != 4:
        raise ValueError("MAC challenge must be 4 bytes")
    return sm4_cbc_mac(card_key, challenge + bytes(12), header + data)[:4]


@dataclass(frozen=True)
class CardKeys:
    """The keys personalised into one card (diversified by its serial)."""

    internal: bytes
    external: bytes
    mac: bytes
    unblock: bytes | None = None  # cards personalised before unblocking existed have none

    def to_hex(self) -> dict[str, str]:
        d = {
            "internal": self.internal.hex(),
            "external": self.external.hex(),
            "mac": self.mac.hex(),
        }
        if self.unblock is not None:
            d["unblock"] = self.unblock.hex()
        return d

    @classmethod
    def from_hex(cls, d: dict[str, str]) -> CardKeys:
        unblock = d.get("unblock")
        return cls(
            internal=bytes.fromhex(d["internal"]),
            external=bytes.fromhex(d["external"]),
            mac=bytes.fromhex(d["mac"]),
            unblock=bytes.fromhex(unblock) if unblock else None,
        )


def parse_master_key(text: str) -> bytes:
    """A master key is 32 hex digits (16 bytes); spaces and a trailing newline are allowed."""
    cleaned = "".join(text.split())
    try:
        key = bytes.fromhex(cleaned)
    except ValueError as exc:
        raise NoCardKeys("the card master key is not hexadecimal") from exc
    if len(key) != 16:
        raise NoCardKeys(f"the card master key must be 16 bytes (32 hex digits), got {len(key)}")
    return key


class SoftwareCardCrypto:
    """SM4 software key holder for development, tests and the virtual card."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 16:
            raise NoCardKeys("the card master key must be 16 bytes")
        self._k_int = sm4_encrypt_block(master_key, _LABEL_INTERNAL)
        self._k_ext = sm4_encrypt_block(master_key, _LABEL_EXTERNAL)
        self._k_mac = sm4_encrypt_block(master_key, _LABEL_MAC)
        self._k_unblock = sm4_encrypt_block(master_key, _LABEL_UNBLOCK)

    @classmethod
    def from_key_file(cls, path: str | os.PathLike[str]) -> SoftwareCardCrypto:
        try:
            text = Path(path).read_text(encoding="ascii")
        except OSError as exc:
            raise NoCardKeys(f"cannot read the card key file {path}: {exc.strerror}") from exc
        return cls(parse_master_key(text))

    @classmethod
    def from_environment(cls, key_file: str | os.PathLike[str] | None = None) -> SoftwareCardCrypto:
        """Key file given > ``CARD_KEY_FILE`` > ``CARD_MASTER_KEY`` (hex); else NoCardKeys."""
        if key_file is not None:
            return cls.from_key_file(key_file)
        if os.environ.get(ENV_KEY_FILE):
            return cls.from_key_file(os.environ[ENV_KEY_FILE])
        if os.environ.get(ENV_MASTER_KEY):
            return cls(parse_master_key(os.environ[ENV_MASTER_KEY]))
        raise NoCardKeys(
            f"no card master key: set {ENV_MASTER_KEY} (32 hex digits) or {ENV_KEY_FILE}"
        )

    def card_keys(self, serial: bytes) -> CardKeys:
        """The keys to personalise into a (virtual) card with this serial."""
        return CardKeys(
            internal=diversify(self._k_int, serial),
            external=diversify(self._k_ext, serial),
            mac=diversify(self._k_mac, serial),
            unblock=diversify(self._k_unblock, serial),
        )

    def internal_auth(self, serial: bytes, random: bytes) -> bytes:
        return auth_cryptogram(diversify(self._k_int, serial), random)

    def external_auth(self, serial: bytes, challenge: bytes) -> bytes:
        return auth_cryptogram(diversify(self._k_ext, serial), challenge)

    def write_mac(self, serial: bytes, challenge: bytes, header: bytes, data: bytes) -> bytes:
        return mac4(diversify(self._k_mac, serial), challenge, header, data)

    def read_mac(self, serial: bytes, random: bytes, esam_header: bytes, data: bytes) -> bytes:
        return mac4(diversify(self._k_mac, serial), random, esam_header, data)

    def unblock_mac(self, serial: bytes, challenge: bytes) -> bytes:
        return unblock_mac(diversify(self._k_unblock, serial), challenge)


def unblock_mac(card_key: bytes, challenge: bytes) -> bytes:
    """MAC of the unblock command (header only, no data) under the card's unblock key."""
    return mac4(card_key, challenge, UNBLOCK_HEADER, b"")


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by the owner only from the first byte
    (key files, the virtual card's state): a temp file made with mode 0600 in the same
    folder, whatever the umask, then renamed over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
