"""The card side of the virtual purchase card: file system, APDUs, keys, persisted state.

``VirtualCardState`` answers APDUs the way a user purchase card does (card notes §1): SELECT
3F00/DF01, READ BINARY, READ BINARY with MAC (``04 B0``), ``04 D6`` UPDATE BINARY by SFI with
the MAC verified, GET CHALLENGE, INTERNAL AUTHENTICATE (T=0: 61 08 then GET RESPONSE),
EXTERNAL AUTHENTICATE, and the issuer's UNBLOCK. A blank card answers 6B00 on the parameter
file (the meter's "unissued card"); a file that does not exist answers 6A82, a wrong length
6700 (or 6Cxx with the length available, the T=0 convention).

Like a real CPU card, the external-authentication key and the line-protection (MAC) key
each carry a retry counter: a wrong cryptogram or MAC answers 63Cx (x tries left), and at
zero the key is blocked (6983) until the issuer's unblock command, MAC'd with the issuer's
own key, resets both counters. The counters live in the state file (a card keeps them
without power).

Every UPDATE is applied whole or not at all and saved (temp file + rename) before the card
answers 9000, so pulling the card can never leave half a file. The state file holds the
card's keys: it is created readable by its owner only (mode 0600 from the first byte).
"""

from __future__ import annotations

import json
import secrets
import threading
from pathlib import Path
from typing import Any

from card_io import apdu as A
from card_io.card_files import (
    EMPTY_WRITEBACK,
    RATE_CMD_BACKUP,
    RATE_CMD_CURRENT,
    CardKind,
    CardParameters,
    RateTable,
    Wallet,
)
from card_io.security import CardKeys, auth_cryptogram, mac4, unblock_mac, write_private

# ISO 7816-3: TS = 3B (direct convention); T0 = 69: TB1 and TC1 follow (bits 6, 7) and K = 9
# historical bytes; TB1 = 00 (no programming voltage), TC1 = 00 (no extra guard time). No
# TD1, so T=0 only and no check byte TCK. The historical bytes are a category byte (00)
# and the 8-byte serial, which thus sits at ATR bytes 5..12 where meters take it.
ATR_PREFIX = bytes([0x3B, 0x69, 0x00, 0x00, 0x00])

MAX_TRIES = 5  # retry counter of each key after personalisation or unblocking
KEY_EXTERNAL = "external"
KEY_MAC = "mac"


def atr_for(serial: bytes) -> bytes:
    """ATR with the 8-byte serial at bytes 5..12, where meters take it (card notes §1.1)."""
    if len(serial) != 8:
        raise ValueError("card serial must be 8 bytes")
    return ATR_PREFIX + serial


def serial_from_atr(atr: bytes) -> bytes:
    return bytes(atr[5:13])


def _sw(sw: int) -> bytes:
    return bytes([sw >> 8, sw & 0xFF])


class VirtualCardState:
    """Card contents + APDU interpreter. Thread-safe; persisted to ``path`` when given."""

    def __init__(
        self,
        serial: bytes,
        keys: CardKeys,
        files: dict[int, bytes | None],
        path: Path | None = None,
        tries: dict[str, int] | None = None,
    ) -> None:
        self.serial = serial
        self.keys = keys
        self.files: dict[int, bytes | None] = dict(files)
        self.path = path
        self.tries = {KEY_EXTERNAL: MAX_TRIES, KEY_MAC: MAX_TRIES, **(tries or {})}
        self.lock = threading.RLock()
        self.apdu_count = 0
        self._reset_session()

    # -- creation and persistence ----------------------------------------------------------

    @classmethod
    def blank(cls, serial: bytes, keys: CardKeys, path: Path | None = None) -> VirtualCardState:
        files: dict[int, bytes | None] = {
            A.SFI_PARAMETERS: None,  # unissued: 6B00
            A.SFI_WALLET: bytes(8),
            A.SFI_RATES_CURRENT: bytes(258),
            A.SFI_RATES_BACKUP: bytes(258),
            A.SFI_WRITEBACK: EMPTY_WRITEBACK,
        }
        state = cls(serial, keys, files, path)
        state.save()
        return state

    @classmethod
    def issued(
        cls,
        serial: bytes,
        keys: CardKeys,
        params: CardParameters,
        wallet: Wallet,
        path: Path | None = None,
        rates: RateTable | None = None,
    ) -> VirtualCardState:
        """A card as the issuing system leaves it (what ``issue_card`` writes over PC/SC)."""
        rates = rates or RateTable()
        files: dict[int, bytes | None] = {
            A.SFI_PARAMETERS: params.encode(),
            A.SFI_WALLET: wallet.encode(),
            A.SFI_RATES_CURRENT: rates.encode(RATE_CMD_CURRENT),
            A.SFI_RATES_BACKUP: rates.encode(RATE_CMD_BACKUP),
            A.SFI_WRITEBACK: EMPTY_WRITEBACK,
        }
        state = cls(serial, keys, files, path)
        state.save()
        return state

    @classmethod
    def load(cls, path: Path) -> VirtualCardState:
        d: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        files = {
            int(k): (bytes.fromhex(v) if v is not None else None) for k, v in d["files"].items()
        }
        tries = {str(k): int(v) for k, v in d.get("tries", {}).items()}
        return cls(bytes.fromhex(d["serial"]), CardKeys.from_hex(d["keys"]), files, path, tries)

    def save(self) -> None:
        if self.path is None:
            return
        with self.lock:
            d = {
                "serial": self.serial.hex(),
                "keys": self.keys.to_hex(),
                "tries": dict(self.tries),
                "files": {
                    str(k): (v.hex() if v is not None else None) for k, v in self.files.items()
                },
            }
            write_private(self.path, json.dumps(d, indent=1))

    # -- direct access (the simulated meter's side, tests) ----------------------------------

    def read_file(self, sfi: int) -> bytes | None:
        with self.lock:
            return self.files[sfi]

    def write_file(self, sfi: int, content: bytes) -> None:
        """Replace a whole file directly (the meter's ESAM path in ``meter_card``)."""
        with self.lock:
            if len(content) != A.FILE_SIZES[sfi]:
                raise ValueError(f"file {sfi} takes {A.FILE_SIZES[sfi]} bytes")
            self.files[sfi] = bytes(content)
            self.save()

    @property
    def atr(self) -> bytes:
        return atr_for(self.serial)

    def blocked(self, key: str) -> bool:
        with self.lock:
            return self.tries[key] <= 0

    def _count_failure(self, key: str) -> bytes:
        """A wrong cryptogram or MAC: one try less (persisted), 63Cx with the tries left."""
        self.tries[key] = max(self.tries[key] - 1, 0)
        self.save()
        return _sw(A.SW_TRIES_LEFT | self.tries[key])

    def _count_success(self, key: str) -> None:
        if self.tries[key] != MAX_TRIES:
            self.tries[key] = MAX_TRIES
            self.save()

    # -- session state (reset at power-on / reset) ---------------------------------------

    def _reset_session(self) -> None:
        self.df_selected = False
        self.external_ok = False
        self.challenge: bytes | None = None
        self.pending_response: bytes | None = None

    def power_on(self) -> None:
        with self.lock:
            self._reset_session()

    # -- APDU interpreter -------------------------------------------------------------------

    def process(self, c: bytes) -> bytes:
        with self.lock:
            self.apdu_count += 1
            return self._process(c)

    def _process(self, c: bytes) -> bytes:
        if len(c) < 4:
            return _sw(A.SW_WRONG_LENGTH)
        cla, ins, p1, p2 = c[0], c[1], c[2], c[3]
        body = c[4:]
        data = b""
        le: int | None = None
        if len(body) == 1:
            le = body[0] or 256
        elif len(body) > 1:
            lc = body[0]
            data = bytes(body[1 : 1 + lc])
            if len(body) not in (1 + lc, 2 + lc):
                return _sw(A.SW_WRONG_LENGTH)
            if len(body) == 2 + lc:
                le = body[-1] or 256
        if cla not in (0x00, 0x04, A.CLA_SECURE):
            return _sw(A.SW_CLA)
        pending, self.pending_response = self.pending_response, None
        if ins == 0xC0:  # GET RESPONSE
            if pending is None:
                return _sw(0x6985)
            if le is not None and le != len(pending) and le != 256:
                return _sw(0x6C00 | len(pending))
            return pending + _sw(A.SW_OK)
        if ins == 0xA4:
            return self._select(data)
        if ins == 0xB0 and cla == 0x04:
            return self._read_with_mac(p1, p2, data)
        if ins == 0xB0:
            if data:
                return _sw(A.SW_WRONG_LENGTH)  # plain READ BINARY carries no data
            return self._read_binary(p1, p2, le)
        if ins == A.INS_UNBLOCK and cla == A.CLA_SECURE:
            return self._unblock(p1, p2, data)
        if ins == 0xD6:
            return self._update_binary(cla, p1, p2, data)
        if ins == 0x84:
            n = le if le is not None else 8
            if n not in (4, 8):
                return _sw(A.SW_WRONG_LENGTH)
            self.challenge = secrets.token_bytes(n)
            return self.challenge + _sw(A.SW_OK)
        if ins == 0x82:
            return self._external_auth(p2, data)
        if ins == 0x88:
            if p2 != A.KEY_INTERNAL or len(data) != 8:
                return _sw(A.SW_WRONG_LENGTH)
            # Case 4 under T=0: the answer waits for GET RESPONSE (card notes §1.9-1)
            self.pending_response = auth_cryptogram(self.keys.internal, data)
            return _sw(0x6108)
        return _sw(A.SW_INS)

    def _select(self, data: bytes) -> bytes:
        if len(data) != 2:
            return _sw(A.SW_WRONG_LENGTH)
        fid = int.from_bytes(data, "big")
        if fid == A.MF:
            self.df_selected = False
            return _sw(A.SW_OK)
        if fid == A.DF_ELECTRICITY:
            self.df_selected = True
            return _sw(A.SW_OK)
        return _sw(A.SW_NOT_FOUND)

    def _file_for(self, p1: int) -> int | None:
        if not p1 & 0x80 or not self.df_selected:
            return None
        sfi = p1 & 0x1F
        return sfi if sfi in self.files else None

    def _read_binary(self, p1: int, off: int, le: int | None) -> bytes:
        sfi = self._file_for(p1)
        if sfi is None:
            return _sw(A.SW_NOT_FOUND)
        content = self.files[sfi]
        if content is None:
            return _sw(A.SW_UNISSUED)
        if off >= len(content):
            return _sw(A.SW_WRONG_P1P2)  # offset beyond the end of the file
        available = len(content) - off
        want = le if le is not None else 256
        if want != available and want > available:
            # T=0 convention: "wrong Le, xx bytes available" -> the reader resends with Le=xx
            return _sw(0x6C00 | (available & 0xFF))
        return content[off : off + want] + _sw(A.SW_OK)

    def _read_with_mac(self, p1: int, off: int, data: bytes) -> bytes:
        """``04 B0``: file data + MAC under the line-protection key (card notes §1.9-3)."""
        sfi = self._file_for(p1)
        if sfi is None:
            return _sw(A.SW_NOT_FOUND)
        if len(data) != 9:
            return _sw(A.SW_WRONG_LENGTH)
        if self.tries[KEY_MAC] <= 0:
            return _sw(A.SW_BLOCKED)
        content = self.files[sfi]
        if content is None:
            return _sw(A.SW_UNISSUED)
        if off >= len(content):
            return _sw(A.SW_WRONG_P1P2)
        random, esam_header = data[:4], data[4:9]
        want = esam_header[4] - A.MAC_LEN
        if want <= 0 or off + want > len(content):
            return _sw(A.SW_WRONG_LENGTH)
        chunk = content[off : off + want]
        self.pending_response = chunk + mac4(self.keys.mac, random, esam_header, chunk)
        return _sw(0x6100 | len(self.pending_response))

    def _unblock(self, p1: int, p2: int, data: bytes) -> bytes:
        """The issuer's unblock: ``84 18 00 00 04 | MAC`` after GET CHALLENGE 4."""
        challenge, self.challenge = self.challenge, None
        if p1 or p2:
            return _sw(A.SW_WRONG_P1P2)
        if len(data) != A.MAC_LEN:
            return _sw(A.SW_WRONG_LENGTH)
        if self.keys.unblock is None:
            return _sw(A.SW_NO_KEY)
        if challenge is None or len(challenge) != 4:
            return _sw(A.SW_MAC_MISSING)
        if unblock_mac(self.keys.unblock, challenge) != data:
            return _sw(A.SW_MAC_WRONG)
        self.tries = {KEY_EXTERNAL: MAX_TRIES, KEY_MAC: MAX_TRIES}
        self.save()
        return _sw(A.SW_OK)

    def _update_binary(self, cla: int, p1: int, off: int, data: bytes) -> bytes:
        sfi = self._file_for(p1)
        if sfi is None:
            return _sw(A.SW_NOT_FOUND)
        if cla != 0x04:
            return _sw(A.SW_SECURITY)  # every file is written with a MAC (card notes §1.2)
        if self.tries[KEY_MAC] <= 0:
            return _sw(A.SW_BLOCKED)
        if not self.external_ok:
            return _sw(A.SW_SECURITY)
        challenge, self.challenge = self.challenge, None
        if challenge is None or len(challenge) != 4:
            return _sw(A.SW_MAC_MISSING)
        if len(data) <= A.MAC_LEN:
            return _sw(A.SW_WRONG_LENGTH)
        payload, mac = data[: -A.MAC_LEN], data[-A.MAC_LEN :]
        size = A.FILE_SIZES[sfi]
        if off + len(payload) > size:
            return _sw(A.SW_WRONG_LENGTH)
        header = A.update_binary_header(sfi, off, len(payload))
        if mac4(self.keys.mac, challenge, header, payload) != mac:
            return self._count_failure(KEY_MAC)
        self._count_success(KEY_MAC)
        old = self.files[sfi]
        base = bytearray(old if old is not None else bytes(size))
        base[off : off + len(payload)] = payload
        self.files[sfi] = bytes(base)
        self.save()  # persisted before 9000: a pulled card keeps a whole file or the old one
        return _sw(A.SW_OK)

    def _external_auth(self, p2: int, data: bytes) -> bytes:
        challenge, self.challenge = self.challenge, None
        if p2 != A.KEY_EXTERNAL or len(data) != 8:
            return _sw(A.SW_WRONG_LENGTH)
        if self.tries[KEY_EXTERNAL] <= 0:
            self.external_ok = False
            return _sw(A.SW_BLOCKED)
        if challenge is None or len(challenge) != 8:
            return _sw(0x6985)
        if auth_cryptogram(self.keys.external, challenge) != data:
            self.external_ok = False
            return self._count_failure(KEY_EXTERNAL)
        self._count_success(KEY_EXTERNAL)
        self.external_ok = True
        return _sw(A.SW_OK)

    # -- convenience for tests and the meter ---------------------------------------------------

    def parameters(self) -> CardParameters | None:
        raw = self.read_file(A.SFI_PARAMETERS)
        return CardParameters.decode(raw) if raw is not None else None

    def wallet(self) -> Wallet:
        raw = self.read_file(A.SFI_WALLET)
        assert raw is not None
        return Wallet.decode(raw)

    @property
    def kind(self) -> CardKind | None:
        p = self.parameters()
        return p.kind if p else None


class DirectLink:
    """The card touched directly, as in the simulated meter's card slot: the same APDUs as
    over PC/SC, with the T=0 handling a reader does (61xx -> GET RESPONSE, 6Cxx -> resend).
    Opening the link powers the card up, as inserting it into a meter does."""

    def __init__(self, state: VirtualCardState) -> None:
        self.state = state
        state.power_on()

    @property
    def serial(self) -> bytes:
        return self.state.serial

    def _raw(self, command: bytes) -> A.Response:
        raw = self.state.process(command)
        return A.Response(raw[:-2], (raw[-2] << 8) | raw[-1])

    def transmit(self, command: bytes) -> A.Response:
        return A.transmit_t0(self._raw, command)
