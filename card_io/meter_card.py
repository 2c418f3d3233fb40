"""Meter meets card: what a local cost-control meter does when a user card is inserted.

Shared by the meter simulator and the tests, so the full cycle runs without hardware:
counter writes the card (PC/SC) -> ``insert_card`` (the meter loads it and writes back) ->
counter reads the write-back (R13).

The rules are those of 2013-era State Grid meter firmware (card notes §2.1), in its order:
file format, meter number, card kind, opened/not-opened checks (customer number, card serial),
the open-card count limit, then the table of card count C against the meter's count M with
the write-back file empty (R) or not:

============  ===============================  =======================================
C vs M        R empty                          R not empty
============  ===============================  =======================================
C < M         no money; open/re-issue card     same
              registers its serial; write back
C = M         no money; open card registers    no money; open/re-issue card with a
              customer + serial, re-issue      different serial -> SERIAL_MISMATCH;
              serial; write back               write back
C = M + 1     hoarding check (else nothing,    nothing loaded; write back; then
              no write-back); load; register   WRITEBACK_NOT_EMPTY
              serial (open/re-issue); write
              back
C >= M + 2    nothing loaded; write back; COUNT_ERROR
============  ===============================  =======================================

Errors before the table abort without writing back.

Like a real meter, the simulated one talks to the card only through APDUs and checks its
cryptograms before it believes anything (card notes §2.1 steps 1–4, §1.9): internal
authentication (the card is genuine), external authentication (the card lets this meter
write back), the parameter and wallet files read with MAC and the MACs verified; the
write-back goes onto the card as a MAC'd ``04 D6 85 00 35``. Its ESAM holds the card
issuer's keys (a ``CardCrypto``). A foreign card (other keys) or a forged one (right
layout, wrong MAC) is refused with the meter's own error and display code (Err-32), loads
nothing, gets no write-back and counts as an illegal insertion.

The card is reached through a ``CardLink``: a card in a PC/SC reader (``CardSession``, as
``card-tool meter-insert`` does from the shell) or a virtual card touched directly
(``DirectLink``).
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from card_io import apdu as A
from card_io.card_files import MAX_AMOUNT_FEN, CardKind, CardParameters, Wallet, WriteBack
from card_io.errors import CardFormatError
from card_io.security import CardCrypto
from card_io.virtual import DirectLink, VirtualPurchaseCard

# The ESAM commands the meter forwards MAC'd data to (card notes §1.9-3): the wallet to the
# recharge command, the parameter file to the parameter update.
ESAM_RECHARGE = bytes([0x80, 0x42, 0x00, 0x00, A.FILE_SIZES[A.SFI_WALLET] + A.MAC_LEN])
ESAM_PARAMETERS = A.esam_header_for(A.FILE_SIZES[A.SFI_PARAMETERS], ins=0x2A)


class CardLink(Protocol):
    """A card the meter talks to: its 8-byte ATR serial and an APDU exchange with the T=0
    status handling done (``CardSession`` of the PC/SC reader, ``DirectLink``)."""

    @property
    def serial(self) -> bytes: ...

    def transmit(self, command: bytes) -> A.Response: ...


class CardMeter(Protocol):
    """What ``insert_card`` needs from a meter (implemented by the meter simulator)."""

    meter_no: str  # 12 digits
    customer_no: str  # 12 digits
    purchase_count: int  # M
    balance_fen: int
    overdraft_fen: int
    hoarding_limit_fen: int  # 0 = unlimited
    card_serial: str | None  # hex of the 8-byte serial registered by the last open/re-issue card
    opened: bool
    illegal_insertions: int
    last_purchase_fen: int
    relay_open: bool

    def load_purchase(self, amount_fen: int, count: int) -> None:
        """Add a purchase (overdraft first) and set the purchase count to ``count``."""
        ...


class MeterCardError(enum.Enum):
    """The meter's refusals, with the display class it shows (card notes §2.4)."""

    UNISSUED_CARD = ("Err-32", "unissued card")
    AUTHENTICATION = ("Err-32", "card authentication error")
    CARD_BLOCKED = ("Err-32", "card key blocked")
    MAC_ERROR = ("Err-32", "MAC check error")
    WRONG_CARD_CLASS = ("Err-32", "not a user card")
    FILE_FORMAT = ("Err-34", "card file format error")
    METER_MISMATCH = ("Err-33", "meter number mismatch")
    CUSTOMER_MISMATCH = ("Err-33", "customer number mismatch")
    SERIAL_MISMATCH = ("Err-33", "card serial mismatch")
    PURCHASE_CARD_UNOPENED_METER = ("Err-34", "purchase card in a meter not opened")
    REISSUE_CARD_UNOPENED_METER = ("Err-34", "re-issue card in a meter not opened")
    COUNT_ERROR = ("Err-34", "purchase count error")
    WRITEBACK_NOT_EMPTY = ("Err-34", "write-back file not empty")
    OVER_HOARDING_LIMIT = ("Err-36", "over the hoarding limit")
    COMMUNICATION = ("Err-35", "card communication error")

    @property
    def display(self) -> str:
        return self.value[0]

    @property
    def text(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class CardInsertResult:
    ok: bool
    error: MeterCardError | None
    loaded_fen: int  # money added to the meter by this insertion (0 when nothing loaded)
    wrote_back: bool
    card_count: int | None = None  # C
    meter_count: int | None = None  # M after the insertion


def _fail(
    error: MeterCardError,
    wrote_back: bool = False,
    card_count: int | None = None,
    meter_count: int | None = None,
) -> CardInsertResult:
    return CardInsertResult(False, error, 0, wrote_back, card_count, meter_count)


class _Refused(Exception):
    def __init__(self, error: MeterCardError, illegal: bool = False) -> None:
        super().__init__(error.text)
        self.error = error
        self.illegal = illegal


def _ok(r: A.Response, error: MeterCardError = MeterCardError.COMMUNICATION) -> bytes:
    if r.ok:
        return r.data
    if r.sw == A.SW_BLOCKED:
        raise _Refused(MeterCardError.CARD_BLOCKED, illegal=True)
    raise _Refused(error)


class _MeterSide:
    """The meter's card procedure over one link, with its ESAM's card keys."""

    def __init__(self, link: CardLink, esam: CardCrypto) -> None:
        self.link = link
        self.esam = esam
        self.serial = link.serial

    def select(self) -> None:
        _ok(self.link.transmit(A.select(A.MF)))
        _ok(self.link.transmit(A.select(A.DF_ELECTRICITY)))

    def read(self, sfi: int) -> bytes:
        r = self.link.transmit(A.read_binary(sfi, 0, A.FILE_SIZES[sfi]))
        if sfi == A.SFI_PARAMETERS and r.sw == A.SW_UNISSUED:
            raise _Refused(MeterCardError.UNISSUED_CARD, illegal=True)
        return _ok(r, MeterCardError.FILE_FORMAT)

    def internal_auth(self) -> None:
        rnd = os.urandom(8)
        r = self.link.transmit(A.internal_authenticate(rnd))
        if not r.ok or r.data != self.esam.internal_auth(self.serial, rnd):
            raise _Refused(MeterCardError.AUTHENTICATION, illegal=True)

    def external_auth(self) -> None:
        challenge = _ok(self.link.transmit(A.get_challenge(8)))
        r = self.link.transmit(
            A.external_authenticate(self.esam.external_auth(self.serial, challenge))
        )
        if r.sw == A.SW_BLOCKED:
            raise _Refused(MeterCardError.CARD_BLOCKED, illegal=True)
        if not r.ok:
            raise _Refused(MeterCardError.AUTHENTICATION, illegal=True)

    def read_with_mac(self, sfi: int, esam_header: bytes) -> bytes:
        random = os.urandom(4)
        answer = _ok(self.link.transmit(A.read_binary_with_mac(sfi, 0, random, esam_header)))
        size = esam_header[4] - A.MAC_LEN
        data, mac = answer[:size], answer[size:]
        if len(answer) != size + A.MAC_LEN or mac != self.esam.read_mac(
            self.serial, random, esam_header, data
        ):
            raise _Refused(MeterCardError.MAC_ERROR, illegal=True)
        return data

    def write_back(self, meter: CardMeter, params: CardParameters, now: datetime) -> None:
        wb = WriteBack(
            user_kind=params.user_kind,
            ct_ratio=params.ct_ratio,
            pt_ratio=params.pt_ratio,
            meter_no=meter.meter_no,
            customer_no=meter.customer_no,
            remaining_fen=max(meter.balance_fen, 0),
            count=meter.purchase_count,
            overdraft_fen=meter.overdraft_fen,
            illegal_insertions=meter.illegal_insertions,
            written_at=now.replace(second=0, microsecond=0),
        ).encode()
        challenge = _ok(self.link.transmit(A.get_challenge(4)))
        header = A.update_binary_header(A.SFI_WRITEBACK, 0, len(wb))
        mac = self.esam.write_mac(self.serial, challenge, header, wb)
        _ok(self.link.transmit(header + wb + mac))


def _register(meter: CardMeter, kind: CardKind, params: CardParameters, serial: str) -> None:
    """Open and re-issue cards register their serial (and the open card the customer)."""
    if kind == CardKind.OPEN_ACCOUNT:
        meter.customer_no = params.customer_no
        meter.card_serial = serial
        meter.opened = True
    elif kind == CardKind.REISSUE:
        meter.card_serial = serial


def _link(card: CardLink | VirtualPurchaseCard | Any) -> CardLink:
    if isinstance(card, VirtualPurchaseCard):
        return DirectLink(card.state)
    link: CardLink = card
    return link


def insert_card(
    card: CardLink | VirtualPurchaseCard, meter: CardMeter, now: datetime, esam: CardCrypto
) -> CardInsertResult:
    """Insert ``card`` into ``meter`` (card notes §2.1; R12–R14 seen from the meter).

    ``esam`` is the card issuer's key holder inside the meter's ESAM. Security failures
    (foreign or forged card, blocked key) and an unissued card count as illegal insertions.
    """
    side = _MeterSide(_link(card), esam)
    try:
        return _procedure(side, meter, now)
    except _Refused as refused:
        if refused.illegal:
            meter.illegal_insertions += 1
        return _fail(refused.error)


def _procedure(side: _MeterSide, meter: CardMeter, now: datetime) -> CardInsertResult:
    side.select()
    side.read(A.SFI_PARAMETERS)  # 6B00 here: an unissued card
    side.internal_auth()
    try:
        params = CardParameters.decode(side.read(A.SFI_PARAMETERS))
    except CardFormatError:
        return _fail(MeterCardError.FILE_FORMAT)
    if params.card_class != 0x01:
        meter.illegal_insertions += 1
        return _fail(MeterCardError.WRONG_CARD_CLASS)
    side.external_auth()
    raw_wb = side.read(A.SFI_WRITEBACK)
    # what the meter acts on comes with the card's MAC (wallet, meter and customer numbers)
    raw_params = side.read_with_mac(A.SFI_PARAMETERS, ESAM_PARAMETERS)
    raw_wallet = side.read_with_mac(A.SFI_WALLET, ESAM_RECHARGE)
    try:
        params = CardParameters.decode(raw_params)
        writeback_empty = WriteBack.decode(raw_wb) is None
        wallet = Wallet.decode(raw_wallet)
    except CardFormatError:
        return _fail(MeterCardError.FILE_FORMAT)
    serial = side.serial.hex().upper()
    kind = params.kind
    c, m = wallet.count, meter.purchase_count

    if params.meter_no != meter.meter_no:
        return _fail(MeterCardError.METER_MISMATCH)
    if meter.opened:
        if params.customer_no != meter.customer_no:
            return _fail(MeterCardError.CUSTOMER_MISMATCH)
        registered = (meter.card_serial or "").upper()
        if kind == CardKind.PURCHASE and serial != registered:
            return _fail(MeterCardError.SERIAL_MISMATCH)
    elif kind == CardKind.PURCHASE:
        return _fail(MeterCardError.PURCHASE_CARD_UNOPENED_METER)
    elif kind == CardKind.REISSUE:
        return _fail(MeterCardError.REISSUE_CARD_UNOPENED_METER)
    if kind == CardKind.OPEN_ACCOUNT and c > 1:
        return _fail(MeterCardError.COUNT_ERROR)

    def done(loaded: int = 0) -> CardInsertResult:
        side.write_back(meter, params, now)
        return CardInsertResult(True, None, loaded, True, c, meter.purchase_count)

    if c < m:
        _register(meter, kind, params, serial)
        return done()
    if c == m:
        if not writeback_empty:
            registered = (meter.card_serial or "").upper()
            if kind != CardKind.PURCHASE and serial != registered:
                return _fail(MeterCardError.SERIAL_MISMATCH, card_count=c, meter_count=m)
        else:
            _register(meter, kind, params, serial)
        return done()
    if c == m + 1:
        if not writeback_empty:
            side.write_back(meter, params, now)
            return _fail(MeterCardError.WRITEBACK_NOT_EMPTY, True, card_count=c, meter_count=m)
        total = max(meter.balance_fen, 0) + wallet.amount_fen
        limit = meter.hoarding_limit_fen
        if total > MAX_AMOUNT_FEN or (limit > 0 and total > limit):
            return _fail(MeterCardError.OVER_HOARDING_LIMIT, card_count=c, meter_count=m)
        meter.load_purchase(wallet.amount_fen, c)
        _register(meter, kind, params, serial)
        return done(wallet.amount_fen)
    side.write_back(meter, params, now)
    return _fail(MeterCardError.COUNT_ERROR, True, card_count=c, meter_count=m)
