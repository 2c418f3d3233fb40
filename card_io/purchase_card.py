"""Purchase-card operations of the counter: read, issue, write a purchase, re-issue, clear.

Each operation is one PC/SC session (one transaction, ``PcscReader.session``): read what is
needed, check it against the caller's expectations, authenticate, write with MACs, and read
everything back before returning.

Write order and the commit point (R12: "resolved by reading the card again, never by writing
twice"): every write sequence changes the wallet file (SFI 2) **last**, in one UPDATE BINARY of
8 bytes, which the card applies whole or not at all. The earlier writes (write-back cleared,
card kind, rate files) are harmless on their own: a meter seeing the old wallet count with an
empty write-back file loads nothing. So after a card is pulled at any point, a fresh read
shows either the old wallet (``WriteState.UNCHANGED``) or the new one with everything before
it already done (``WriteState.WRITTEN``) — ``purchase_state`` says which.

Clearing the write-back file records the meter count it showed (``cleared_writeback``), so
R12a stays decidable too: "old wallet, write-back cleared" (pulled after clearing) is not
mistaken for "purchase written but not yet inserted".

With the card keys at hand the write-back file is read with MAC (``04 B0``, card notes
§1.9-3) and the MAC verified: a forged or foreign card (right layout, wrong keys) cannot
make the counter believe that a meter loaded a purchase (R13). A key blocked by wrong
cryptograms (6983) is reported as ``CardBlocked``; only the issuer's unblock (the
technician's workbench, with the master key) or a re-issued card ends it.
"""

from __future__ import annotations

import dataclasses
import enum
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from card_io import apdu as A
from card_io.card_files import (
    MAX_AMOUNT_FEN,
    RATE_CMD_BACKUP,
    RATE_CMD_CURRENT,
    CardKind,
    CardParameters,
    RateTable,
    Wallet,
    WriteBack,
    cleared_writeback,
    cleared_writeback_count,
)
from card_io.errors import (
    AmountMismatch,
    CardBlocked,
    CardFormatError,
    CardNotBlank,
    CardStatusError,
    CountMismatch,
    ForeignCard,
    ForgedCard,
    InvalidAmount,
    NoCardKeys,
    OverHoardingLimit,
    PreviousPurchaseNotLoaded,
    PurchaseAlreadyLoaded,
    PurchaseAlreadyOnCard,
    UnissuedCard,
    WrongKeyOrMac,
)
from card_io.reader import CardSession, PcscReader
from card_io.security import CardCrypto

T = TypeVar("T")


class WriteState(enum.Enum):
    """How a purchase write left the card (R12)."""

    UNCHANGED = "unchanged"  # the wallet still shows the previous purchase
    WRITTEN = "written"  # the wallet shows exactly this purchase
    OTHER = "other"  # neither: another count or amount (investigate, never write blindly)


@dataclass(frozen=True)
class CardContents:
    """Everything on the card that the counter uses, as one typed object."""

    serial: str  # 16 hex digits, upper case (ATR bytes 5..12)
    atr: str
    reader: str
    parameters: CardParameters
    wallet: Wallet
    write_back: WriteBack | None
    cleared_at_count: int | None = None  # meter count noted when we cleared the write-back
    write_back_verified: bool = False  # read with MAC and the MAC checked with our keys

    @property
    def kind(self) -> CardKind:
        return self.parameters.kind

    @property
    def meter_no(self) -> str:
        return self.parameters.meter_no

    @property
    def customer_no(self) -> str:
        return self.parameters.customer_no

    @property
    def amount_fen(self) -> int:
        return self.wallet.amount_fen

    @property
    def count(self) -> int:
        return self.wallet.count

    @property
    def previous_purchase_pending(self) -> bool:
        """R12a: the purchase on the card has not reached the meter: the write-back's meter
        count is below the wallet count; with the write-back cleared by us, the count noted
        when clearing is; with a write-back emptied by someone else, any purchase with money
        on it counts as not inserted."""
        if self.write_back is not None:
            return self.write_back.count < self.wallet.count
        if self.cleared_at_count is not None:
            return self.cleared_at_count < self.wallet.count
        return self.wallet.amount_fen > 0 and self.wallet.count > 0

    def to_json(self) -> dict[str, Any]:
        p = self.parameters
        wb = self.write_back
        return {
            "serial": self.serial,
            "atr": self.atr,
            "reader": self.reader,
            "card_kind": p.kind.name.lower().replace("_", "-"),
            "meter_no": p.meter_no,
            "customer_no": p.customer_no,
            "user_kind": p.user_kind,
            "update_flags": p.update_flags,
            "alarm1_fen": p.alarm1_fen,
            "alarm2_fen": p.alarm2_fen,
            "ct_ratio": p.ct_ratio,
            "pt_ratio": p.pt_ratio,
            "wallet": {"amount_fen": self.wallet.amount_fen, "count": self.wallet.count},
            "previous_purchase_pending": self.previous_purchase_pending,
            "write_back_cleared_at_count": self.cleared_at_count,
            "write_back_verified": self.write_back_verified,
            "write_back": None
            if wb is None
            else {
                "meter_no": wb.meter_no,
                "customer_no": wb.customer_no,
                "remaining_fen": wb.remaining_fen,
                "count": wb.count,
                "overdraft_fen": wb.overdraft_fen,
                "illegal_insertions": wb.illegal_insertions,
                "written_at": wb.written_at.isoformat() if wb.written_at else None,
            },
        }


def _check(r: A.Response, step: str) -> bytes:
    if r.ok:
        return r.data
    if r.sw == A.SW_BLOCKED:
        raise CardBlocked(step)
    if A.is_auth_refusal(r.sw):
        raise WrongKeyOrMac(step, r.sw)
    raise CardStatusError(step, r.sw)


def _same_serial(registered: str, serial: str) -> bool:
    """Serials compared as hex numbers (records may drop leading zeros)."""
    try:
        return int(registered, 16) == int(serial, 16)
    except ValueError:
        return registered.strip().upper() == serial.strip().upper()


def _validate_amount(amount_fen: int, allow_zero: bool = False) -> None:
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
        raise InvalidAmount("amounts are integer fen")
    if amount_fen < 0 or (amount_fen == 0 and not allow_zero) or amount_fen > MAX_AMOUNT_FEN:
        raise InvalidAmount(f"amount {amount_fen} fen is outside 1..{MAX_AMOUNT_FEN} fen")


def validate_ids(customer_no: str, meter_no: str, serial: str | None = None) -> None:
    """Customer and meter numbers are 12 decimal digits (6 BCD bytes on the card); a card
    serial is 1..16 hex digits. Checked before any APDU (ValueError)."""
    for value, field in ((customer_no, "customer number"), (meter_no, "meter number")):
        if not isinstance(value, str) or len(value) != 12 or not value.isdigit():
            raise ValueError(f"{field} must be 12 digits, got {value!r}")
    if serial is not None:
        try:
            ok = 0 < len(serial) <= 16 and int(serial, 16) >= 0
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"card serial must be up to 16 hex digits, got {serial!r}")


class PurchaseCard:
    """The counter's purchase-card operations on one reader.

    ``crypto`` is needed for writing (and for checking that the card is genuine); reading
    works without it. ``wait_s`` is how long each operation waits for a card to appear.
    """

    def __init__(
        self, reader: PcscReader, crypto: CardCrypto | None = None, wait_s: float = 0.0
    ) -> None:
        self.reader = reader
        self.crypto = crypto
        self.wait_s = wait_s

    # -- plumbing --------------------------------------------------------------------------

    def _run(self, op: Callable[[CardSession], T]) -> T:
        with self.reader.session(self.wait_s) as s:
            return op(s)

    def _keys(self) -> CardCrypto:
        if self.crypto is None:
            raise NoCardKeys("writing a card needs the card keys (CARD_MASTER_KEY or a key file)")
        return self.crypto

    @staticmethod
    def _select(s: CardSession) -> None:
        _check(s.transmit(A.select(A.MF)), "select MF")
        _check(s.transmit(A.select(A.DF_ELECTRICITY)), "select DF01")

    @staticmethod
    def _read(s: CardSession, sfi: int) -> bytes:
        size = A.FILE_SIZES[sfi]
        out = b""
        while len(out) < size:
            n = size - len(out)
            if n > 0xFF:  # Le is one byte: 258-byte rate files come in 128 + 130
                n = 0x80
            r = s.transmit(A.read_binary(sfi, len(out), n))
            if sfi == A.SFI_PARAMETERS and r.sw == A.SW_UNISSUED:
                raise UnissuedCard(s.serial.hex().upper())
            out += _check(r, f"read file {sfi}")
        return out[:size]

    def _read_verified(self, s: CardSession, sfi: int, what: str) -> bytes:
        """A whole file (up to 251 bytes) read with MAC; ForgedCard when the MAC is not the
        one a card holding our keys computes."""
        crypto = self._keys()
        size = A.FILE_SIZES[sfi]
        random = os.urandom(4)
        header = A.esam_header_for(size)
        r = s.transmit(A.read_binary_with_mac(sfi, 0, random, header))
        if sfi == A.SFI_PARAMETERS and r.sw == A.SW_UNISSUED:
            raise UnissuedCard(s.serial.hex().upper())
        answer = _check(r, f"read file {sfi} with MAC")
        if len(answer) != size + A.MAC_LEN:
            raise CardFormatError(f"read with MAC of file {sfi} returned {len(answer)} bytes")
        data, mac = answer[:size], answer[size:]
        if crypto.read_mac(s.serial, random, header, data) != mac:
            raise ForgedCard(what, s.serial.hex().upper())
        return data

    def _read_all(self, s: CardSession) -> CardContents:
        self._select(s)
        params = CardParameters.decode(self._read(s, A.SFI_PARAMETERS))
        wallet = Wallet.decode(self._read(s, A.SFI_WALLET))
        verified = self.crypto is not None
        if verified:
            raw_wb = self._read_verified(s, A.SFI_WRITEBACK, "write-back file")
        else:
            raw_wb = self._read(s, A.SFI_WRITEBACK)
        wb = WriteBack.decode(raw_wb)
        return CardContents(
            serial=s.serial.hex().upper(),
            atr=s.atr.hex().upper(),
            reader=s.reader,
            parameters=params,
            wallet=wallet,
            write_back=wb,
            cleared_at_count=cleared_writeback_count(raw_wb),
            write_back_verified=verified,
        )

    def _authenticate(self, s: CardSession) -> None:
        """Internal authentication (the card is genuine), then external (we hold the keys)
        — the order meters and issuers use (card notes §1.9)."""
        crypto = self._keys()
        rnd = os.urandom(8)
        answer = _check(s.transmit(A.internal_authenticate(rnd)), "internal authentication")
        if answer != crypto.internal_auth(s.serial, rnd):
            raise WrongKeyOrMac("internal authentication (card not genuine)", 0x6300)
        challenge = _check(s.transmit(A.get_challenge(8)), "get challenge")
        cryptogram = crypto.external_auth(s.serial, challenge)
        _check(s.transmit(A.external_authenticate(cryptogram)), "external authentication")

    def _write(self, s: CardSession, sfi: int, content: bytes) -> None:
        """MAC'd UPDATE BINARY of a whole file; 258-byte files in two chunks (128 + 130)."""
        crypto = self._keys()
        chunks = (
            [(0, content)] if len(content) <= 0xF0 else [(0, content[:128]), (128, content[128:])]
        )
        for off, data in chunks:
            challenge = _check(s.transmit(A.get_challenge(4)), "get challenge")
            header = A.update_binary_header(sfi, off, len(data))
            mac = crypto.write_mac(s.serial, challenge, header, data)
            _check(s.transmit(header + data + mac), f"write file {sfi}")

    @staticmethod
    def _check_identity(
        c: CardContents, customer_no: str, meter_no: str, serial: str | None
    ) -> None:
        """R12: customer number, meter number, and the serial registered for the account."""
        if c.customer_no != customer_no:
            raise ForeignCard("customer number", customer_no, c.customer_no)
        if c.meter_no != meter_no:
            raise ForeignCard("meter number", meter_no, c.meter_no)
        if serial is not None and int(c.serial, 16) != int(serial, 16):
            raise ForeignCard("card serial", serial.upper(), c.serial)

    def _verify(self, s: CardSession, wallet: Wallet, kind: CardKind | None = None) -> CardContents:
        after = self._read_all(s)
        if after.wallet != wallet or after.write_back is not None:
            raise CardFormatError("read-back after writing does not match what was written")
        if kind is not None and after.kind != kind:
            raise CardFormatError("read-back card kind does not match what was written")
        return after

    # -- operations -----------------------------------------------------------------------------

    def read_card(self) -> CardContents:
        """Read parameter, wallet and write-back files (UnissuedCard on a blank card)."""
        return self._run(self._read_all)

    def read_writeback(self) -> WriteBack | None:
        """R13: the meter's figures on the card (None when it was not inserted since the last
        write)."""
        return self.read_card().write_back

    def read_rates(self) -> tuple[RateTable, RateTable]:
        def op(s: CardSession) -> tuple[RateTable, RateTable]:
            self._select(s)
            return (
                RateTable.decode(self._read(s, A.SFI_RATES_CURRENT)),
                RateTable.decode(self._read(s, A.SFI_RATES_BACKUP)),
            )

        return self._run(op)

    def purchase_state(
        self,
        amount_fen: int,
        count: int,
        *,
        expected_customer_no: str | None = None,
        expected_meter_no: str | None = None,
        expected_serial: str | None = None,
    ) -> WriteState:
        """R12: after an interrupted write, did purchase (amount, count) reach the card?

        With the customer and meter numbers (and the serial registered for the meter) of the
        card that was written, another card is refused (ForeignCard): its count says nothing
        about the written card, and reading it as "unchanged" would give back a purchase
        the written card may still carry to its meter.
        """
        c = self.read_card()
        if expected_customer_no is not None and c.customer_no != expected_customer_no:
            raise ForeignCard("customer number", expected_customer_no, c.customer_no)
        if expected_meter_no is not None and c.meter_no != expected_meter_no:
            raise ForeignCard("meter number", expected_meter_no, c.meter_no)
        if expected_serial and not _same_serial(expected_serial, c.serial):
            raise ForeignCard("card serial", expected_serial.upper(), c.serial)
        w = c.wallet
        if w.count == count and w.amount_fen == amount_fen:
            return WriteState.WRITTEN
        if w.count == count - 1:
            return WriteState.UNCHANGED
        return WriteState.OTHER

    def write_purchase(
        self,
        *,
        expected_customer_no: str,
        expected_meter_no: str,
        expected_serial: str | None,
        last_committed_count: int,
        amount_fen: int,
        count: int,
        hoarding_limit_fen: int = 0,
    ) -> CardContents:
        """R12 / R12a: write purchase (amount, count = last committed + 1) onto the card.

        Refused with ForeignCard (other customer, meter or serial), PurchaseAlreadyOnCard
        (this very purchase is there), CountMismatch (card count is not the last committed
        count), PreviousPurchaseNotLoaded (R12a), OverHoardingLimit (remaining money on the
        write-back + amount above ``hoarding_limit_fen``; 0 = no check). Clears the write-back
        file in the same session, writes the wallet last (the commit point), reads back and
        returns the card. Any CardError during the write: call ``purchase_state`` — never
        just write again.
        """
        validate_ids(expected_customer_no, expected_meter_no, expected_serial)
        _validate_amount(amount_fen)
        if count != last_committed_count + 1:
            raise ValueError("count must be last_committed_count + 1")
        new_wallet = Wallet(amount_fen, count)

        def op(s: CardSession) -> CardContents:
            c = self._read_all(s)
            self._check_identity(c, expected_customer_no, expected_meter_no, expected_serial)
            if c.wallet == new_wallet:
                raise PurchaseAlreadyOnCard(c.count, last_committed_count, amount_fen)
            if c.count != last_committed_count:
                raise CountMismatch(c.count, last_committed_count)
            if c.previous_purchase_pending:
                raise PreviousPurchaseNotLoaded(
                    c.count, None if c.write_back is None else c.write_back.count
                )
            if hoarding_limit_fen > 0 and c.write_back is not None:
                total = c.write_back.remaining_fen + amount_fen
                if total > hoarding_limit_fen:
                    raise OverHoardingLimit(
                        c.write_back.remaining_fen, amount_fen, hoarding_limit_fen
                    )
            # An open-account or re-issue card that the meter has seen becomes a purchase
            # card; before that it keeps its kind (the meter must still register its serial).
            kind = c.kind if c.write_back is None else CardKind.PURCHASE
            if kind == CardKind.OPEN_ACCOUNT and count > 1:
                raise CountMismatch(c.count, last_committed_count)  # open card holds 0 or 1
            self._authenticate(s)
            if c.write_back is not None:
                self._write(s, A.SFI_WRITEBACK, cleared_writeback(c.write_back.count))
            if kind != c.kind:
                params = dataclasses.replace(c.parameters, kind=kind)
                self._write(s, A.SFI_PARAMETERS, params.encode())
            self._write(s, A.SFI_WALLET, new_wallet.encode())  # commit point
            return self._verify(s, new_wallet, kind)

        return self._run(op)

    def issue_card(
        self,
        *,
        customer_no: str,
        meter_no: str,
        amount_fen: int = 0,
        count: int = 0,
        alarm1_fen: int = 0,
        alarm2_fen: int = 0,
        ct_ratio: int = 1,
        pt_ratio: int = 1,
        user_kind: int = 1,
        rates: RateTable | None = None,
        overwrite: bool = False,
    ) -> CardContents:
        """R14: an open-account card (开户卡) for a new meter: count 0 with no money, or count 1
        carrying the first purchase. The card must be blank unless ``overwrite``."""
        validate_ids(customer_no, meter_no)
        if count not in (0, 1):
            raise CountMismatch(count, 0)
        _validate_amount(amount_fen, allow_zero=count == 0)
        if count == 0 and amount_fen != 0:
            raise InvalidAmount("an open-account card with count 0 carries no money")
        params = CardParameters(
            meter_no=meter_no,
            customer_no=customer_no,
            kind=CardKind.OPEN_ACCOUNT,
            user_kind=user_kind,
            update_flags=0x83,  # the open card sets the rates and this file (§2.3)
            alarm1_fen=alarm1_fen,
            alarm2_fen=alarm2_fen,
            ct_ratio=ct_ratio,
            pt_ratio=pt_ratio,
        )
        return self._personalise(params, Wallet(amount_fen, count), rates, overwrite)

    def reissue_card(
        self,
        *,
        customer_no: str,
        meter_no: str,
        last_amount_fen: int,
        last_count: int,
        alarm1_fen: int = 0,
        alarm2_fen: int = 0,
        ct_ratio: int = 1,
        pt_ratio: int = 1,
        user_kind: int = 1,
        rates: RateTable | None = None,
        overwrite: bool = False,
    ) -> CardContents:
        """R14: a re-issue card (补卡) — a new card, new serial — carrying the **last purchase
        again** (same amount and count). If the lost card was loaded the meter sees an equal
        count and loads nothing; if not, the purchase arrives. The meter then stores the new
        serial and rejects the old card. Register the returned serial for the account."""
        validate_ids(customer_no, meter_no)
        if last_count < 0:
            raise ValueError("the last purchase count cannot be negative")
        _validate_amount(last_amount_fen, allow_zero=True)
        params = CardParameters(
            meter_no=meter_no,
            customer_no=customer_no,
            kind=CardKind.REISSUE,
            user_kind=user_kind,
            alarm1_fen=alarm1_fen,
            alarm2_fen=alarm2_fen,
            ct_ratio=ct_ratio,
            pt_ratio=pt_ratio,
        )
        return self._personalise(params, Wallet(last_amount_fen, last_count), rates, overwrite)

    def _unblock(self, s: CardSession) -> None:
        """The issuer's procedure: a challenge, then the unblock command MAC'd with the
        issuer's key; both retry counters are full again."""
        crypto = self._keys()
        challenge = _check(s.transmit(A.get_challenge(4)), "get challenge")
        _check(s.transmit(A.unblock(crypto.unblock_mac(s.serial, challenge))), "unblock")

    def unblock_card(self) -> CardContents:
        """Reset the card's retry counters after a key was blocked (6983): the technician's
        workbench with the master key. The card must still be genuine (internal
        authentication), and it is read back (write-back with MAC) afterwards."""

        def op(s: CardSession) -> CardContents:
            self._select(s)
            crypto = self._keys()
            rnd = os.urandom(8)
            answer = _check(s.transmit(A.internal_authenticate(rnd)), "internal authentication")
            if answer != crypto.internal_auth(s.serial, rnd):
                raise WrongKeyOrMac("internal authentication (card not genuine)", 0x6300)
            self._unblock(s)
            return self._read_all(s)

        return self._run(op)

    def _personalise(
        self, params: CardParameters, wallet: Wallet, rates: RateTable | None, overwrite: bool
    ) -> CardContents:
        rates = rates or RateTable()
        # Everything is encoded (and so validated: 12-digit numbers, BCD ranges) before the
        # first APDU: a bad argument must never leave a card half rewritten.
        seen = wallet.count - 1 if wallet.amount_fen > 0 else wallet.count
        files = [
            (A.SFI_RATES_CURRENT, rates.encode(RATE_CMD_CURRENT)),
            (A.SFI_RATES_BACKUP, rates.encode(RATE_CMD_BACKUP)),
            # a purchase on a new card has not reached the meter yet (R12a)
            (A.SFI_WRITEBACK, cleared_writeback(max(seen, 0))),
            (A.SFI_PARAMETERS, params.encode()),
            (A.SFI_WALLET, wallet.encode()),  # commit point
        ]

        def op(s: CardSession) -> CardContents:
            self._select(s)
            try:
                self._read(s, A.SFI_PARAMETERS)
                if not overwrite:
                    raise CardNotBlank(s.serial.hex().upper())
            except UnissuedCard:
                pass
            try:
                self._authenticate(s)
            except CardBlocked:
                if not overwrite:
                    raise
                self._unblock(s)  # the issuer re-personalises a blocked card it owns
                self._authenticate(s)
            for sfi, content in files:
                self._write(s, sfi, content)
            return self._verify(s, wallet, params.kind)

        return self._run(op)

    def clear_purchase(
        self,
        *,
        expected_customer_no: str,
        expected_meter_no: str,
        expected_serial: str | None,
        amount_fen: int,
        count: int,
    ) -> CardContents:
        """R16: take an unloaded purchase (amount, count) off the card before its reversal.

        The wallet becomes (0, count - 1): a meter at count - 1 then sees an equal count and
        loads nothing, and count ``n`` is free again (R15). Refused with PurchaseAlreadyLoaded
        when the write-back shows the meter loaded it, CountMismatch when the card does not
        carry exactly that purchase.
        """
        validate_ids(expected_customer_no, expected_meter_no, expected_serial)
        if count < 1:
            raise ValueError("count must be at least 1")

        def op(s: CardSession) -> CardContents:
            c = self._read_all(s)
            self._check_identity(c, expected_customer_no, expected_meter_no, expected_serial)
            if c.write_back is not None and c.write_back.count >= count:
                raise PurchaseAlreadyLoaded(count)
            if c.count != count:
                raise CountMismatch(c.count, count)
            if c.amount_fen != amount_fen:
                raise AmountMismatch(count, c.amount_fen, amount_fen)
            self._authenticate(s)
            cleared = Wallet(0, count - 1)
            if c.write_back is not None or c.cleared_at_count != count - 1:
                self._write(s, A.SFI_WRITEBACK, cleared_writeback(count - 1))
            self._write(s, A.SFI_WALLET, cleared.encode())  # commit point
            return self._verify(s, cleared)

        return self._run(op)
