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

Errors before the table abort without writing back. The meter's security steps (internal
and external authentication, MAC'd reads) are not simulated here: the card's MACs are
exercised on the counter side, over PC/SC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from card_io import apdu as A
from card_io.card_files import MAX_AMOUNT_FEN, CardKind, CardParameters, Wallet, WriteBack
from card_io.errors import CardFormatError
from card_io.virtual import VirtualPurchaseCard


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


def _write_back(
    card: VirtualPurchaseCard, meter: CardMeter, params: CardParameters, now: datetime
) -> None:
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
    )
    card.state.write_file(A.SFI_WRITEBACK, wb.encode())


def _register(meter: CardMeter, kind: CardKind, params: CardParameters, serial: str) -> None:
    """Open and re-issue cards register their serial (and the open card the customer)."""
    if kind == CardKind.OPEN_ACCOUNT:
        meter.customer_no = params.customer_no
        meter.card_serial = serial
        meter.opened = True
    elif kind == CardKind.REISSUE:
        meter.card_serial = serial


def insert_card(card: VirtualPurchaseCard, meter: CardMeter, now: datetime) -> CardInsertResult:
    """Insert ``card`` into ``meter`` (card notes §2.1; R12–R14 seen from the meter)."""
    raw_params = card.state.read_file(A.SFI_PARAMETERS)
    if raw_params is None:
        meter.illegal_insertions += 1
        return _fail(MeterCardError.UNISSUED_CARD)
    try:
        params = CardParameters.decode(raw_params)
        raw_wb = card.state.read_file(A.SFI_WRITEBACK)
        raw_wallet = card.state.read_file(A.SFI_WALLET)
        assert raw_wb is not None and raw_wallet is not None
        writeback_empty = WriteBack.decode(raw_wb) is None
        wallet = Wallet.decode(raw_wallet)
    except CardFormatError:
        return _fail(MeterCardError.FILE_FORMAT)
    if params.card_class != 0x01:
        meter.illegal_insertions += 1
        return _fail(MeterCardError.WRONG_CARD_CLASS)
    serial = card.serial.hex().upper()
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
        _write_back(card, meter, params, now)
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
            _write_back(card, meter, params, now)
            return _fail(MeterCardError.WRITEBACK_NOT_EMPTY, True, card_count=c, meter_count=m)
        total = max(meter.balance_fen, 0) + wallet.amount_fen
        limit = meter.hoarding_limit_fen
        if total > MAX_AMOUNT_FEN or (limit > 0 and total > limit):
            return _fail(MeterCardError.OVER_HOARDING_LIMIT, card_count=c, meter_count=m)
        meter.load_purchase(wallet.amount_fen, c)
        _register(meter, kind, params, serial)
        return done(wallet.amount_fen)
    _write_back(card, meter, params, now)
    return _fail(MeterCardError.COUNT_ERROR, True, card_count=c, meter_count=m)
