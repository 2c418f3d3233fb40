"""Meter meets card: the table of card notes §2.1 (R12–R14 from the meter's side).

Cards here are virtual-card states used directly (the meter's side of the card); the PC/SC
path is covered in test_purchase_card_pcsc.py.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from card_io.card_files import CardKind, CardParameters, Wallet, WriteBack
from card_io.meter_card import CardMeter, MeterCardError, insert_card
from card_io.security import SoftwareCardCrypto
from card_io.virtual import VirtualPurchaseCard
from tests.card_io.conftest import DemoMeter

NOW = datetime(2026, 11, 24, 10, 0)
CRYPTO = SoftwareCardCrypto(bytes(range(16)))
SERIAL = bytes.fromhex("00000000AABBCC01")
OTHER_SERIAL = bytes.fromhex("00000000AABBCC02")


def card(
    kind: CardKind = CardKind.PURCHASE,
    amount: int = 0,
    count: int = 0,
    serial: bytes = SERIAL,
    meter_no: str = "000012345678",
    customer_no: str = "310000000001",
) -> VirtualPurchaseCard:
    params = CardParameters(meter_no=meter_no, customer_no=customer_no, kind=kind)
    return VirtualPurchaseCard.issued(
        serial, CRYPTO.card_keys(serial), params, Wallet(amount, count)
    )


def opened(meter: DemoMeter, count: int = 3, serial: bytes = SERIAL) -> DemoMeter:
    meter.opened = True
    meter.card_serial = serial.hex().upper()
    meter.purchase_count = count
    meter.balance_fen = 5000
    return meter


def writeback(c: VirtualPurchaseCard) -> WriteBack | None:
    raw = c.state.read_file(5)
    assert raw is not None
    return WriteBack.decode(raw)


def test_demo_meter_satisfies_the_protocol(meter: DemoMeter) -> None:
    m: CardMeter = meter
    assert m.purchase_count == 0


def test_count_one_more_with_empty_writeback_loads_and_writes_back(meter: DemoMeter) -> None:
    opened(meter)
    c = card(amount=10000, count=4)
    r = insert_card(c, meter, NOW, CRYPTO)
    assert r.ok and r.loaded_fen == 10000 and r.wrote_back
    assert meter.purchase_count == 4 and meter.balance_fen == 15000
    wb = writeback(c)
    assert wb is not None
    assert (wb.count, wb.remaining_fen, wb.written_at) == (4, 15000, NOW)


def test_overdraft_is_repaid_first_by_the_meter(meter: DemoMeter) -> None:
    opened(meter)
    meter.balance_fen, meter.overdraft_fen = 0, 3000
    r = insert_card(card(amount=10000, count=4), meter, NOW, CRYPTO)
    assert r.ok and meter.balance_fen == 7000 and meter.overdraft_fen == 0


def test_equal_count_writes_back_only(meter: DemoMeter) -> None:
    opened(meter)
    c = card(amount=10000, count=3)
    r = insert_card(c, meter, NOW, CRYPTO)
    assert r.ok and r.loaded_fen == 0 and meter.balance_fen == 5000
    wb = writeback(c)
    assert wb is not None and wb.count == 3


def test_same_card_twice_loads_once(meter: DemoMeter) -> None:
    opened(meter)
    c = card(amount=10000, count=4)
    assert insert_card(c, meter, NOW, CRYPTO).loaded_fen == 10000
    again = insert_card(c, meter, NOW, CRYPTO)
    assert again.ok and again.loaded_fen == 0 and meter.balance_fen == 15000


def test_count_one_more_with_writeback_not_empty_loads_nothing(meter: DemoMeter) -> None:
    opened(meter)
    c = card(amount=10000, count=3)
    insert_card(c, meter, NOW, CRYPTO)  # leaves a write-back
    c.state.write_file(2, Wallet(10000, 4).encode())  # a purchase written without clearing
    r = insert_card(c, meter, NOW, CRYPTO)
    assert not r.ok and r.error is MeterCardError.WRITEBACK_NOT_EMPTY and r.wrote_back
    assert meter.purchase_count == 3 and meter.balance_fen == 5000


def test_count_two_ahead_is_a_count_error_after_write_back(meter: DemoMeter) -> None:
    opened(meter)
    c = card(amount=10000, count=5)
    r = insert_card(c, meter, NOW, CRYPTO)
    assert r.error is MeterCardError.COUNT_ERROR and r.wrote_back
    assert meter.purchase_count == 3 and writeback(c) is not None


def test_over_hoarding_limit_loads_nothing_and_does_not_write_back(meter: DemoMeter) -> None:
    opened(meter)
    meter.hoarding_limit_fen = 10000
    c = card(amount=6000, count=4)
    r = insert_card(c, meter, NOW, CRYPTO)
    assert r.error is MeterCardError.OVER_HOARDING_LIMIT and not r.wrote_back
    assert meter.balance_fen == 5000 and writeback(c) is None


@pytest.mark.parametrize(
    "kind, error",
    [
        (CardKind.PURCHASE, MeterCardError.PURCHASE_CARD_UNOPENED_METER),
        (CardKind.REISSUE, MeterCardError.REISSUE_CARD_UNOPENED_METER),
    ],
)
def test_unopened_meter_takes_only_the_open_card(
    meter: DemoMeter, kind: CardKind, error: MeterCardError
) -> None:
    r = insert_card(card(kind=kind, amount=100, count=1), meter, NOW, CRYPTO)
    assert r.error is error and not r.wrote_back


def test_open_card_opens_the_meter_and_registers_serial(meter: DemoMeter) -> None:
    r = insert_card(card(kind=CardKind.OPEN_ACCOUNT, amount=20000, count=1), meter, NOW, CRYPTO)
    assert r.ok and meter.opened and meter.card_serial == SERIAL.hex().upper()
    assert meter.purchase_count == 1 and meter.balance_fen == 20000


def test_open_card_with_count_above_one_is_refused(meter: DemoMeter) -> None:
    r = insert_card(card(kind=CardKind.OPEN_ACCOUNT, amount=100, count=2), meter, NOW, CRYPTO)
    assert r.error is MeterCardError.COUNT_ERROR and not r.wrote_back


def test_foreign_cards_are_refused_without_write_back(meter: DemoMeter) -> None:
    opened(meter)
    assert insert_card(card(meter_no="000000000009"), meter, NOW, CRYPTO).error is (
        MeterCardError.METER_MISMATCH
    )
    assert insert_card(card(customer_no="310000000009"), meter, NOW, CRYPTO).error is (
        MeterCardError.CUSTOMER_MISMATCH
    )
    old = card(serial=OTHER_SERIAL, count=3)
    r = insert_card(old, meter, NOW, CRYPTO)
    assert r.error is MeterCardError.SERIAL_MISMATCH and writeback(old) is None


def test_unissued_card_counts_as_illegal_insertion(meter: DemoMeter) -> None:
    blank = VirtualPurchaseCard.blank(SERIAL, CRYPTO.card_keys(SERIAL))
    r = insert_card(blank, meter, NOW, CRYPTO)
    assert r.error is MeterCardError.UNISSUED_CARD and meter.illegal_insertions == 1


def test_r14_reissue_card_replaces_the_lost_one(meter: DemoMeter) -> None:
    """The re-issued card carries the last purchase again: the meter that already loaded it
    sees C = M, loads nothing, registers the new serial; the old card is then refused."""
    opened(meter, count=4)
    new = card(kind=CardKind.REISSUE, amount=10000, count=4, serial=OTHER_SERIAL)
    r = insert_card(new, meter, NOW, CRYPTO)
    assert r.ok and r.loaded_fen == 0 and meter.card_serial == OTHER_SERIAL.hex().upper()
    old = card(kind=CardKind.PURCHASE, amount=10000, count=4, serial=SERIAL)
    assert insert_card(old, meter, NOW, CRYPTO).error is MeterCardError.SERIAL_MISMATCH


def test_r14_reissue_card_delivers_a_purchase_the_lost_card_never_brought(
    meter: DemoMeter,
) -> None:
    opened(meter, count=3)
    new = card(kind=CardKind.REISSUE, amount=10000, count=4, serial=OTHER_SERIAL)
    r = insert_card(new, meter, NOW, CRYPTO)
    assert r.ok and r.loaded_fen == 10000 and meter.purchase_count == 4


def test_foreign_card_refused_before_anything_is_believed(meter: DemoMeter) -> None:
    """Another issuer's card: internal authentication fails, Err-32, nothing loaded, no
    write-back, one more illegal insertion."""
    opened(meter)
    foreign = VirtualPurchaseCard.issued(
        SERIAL,
        SoftwareCardCrypto(bytes(16)).card_keys(SERIAL),
        CardParameters(meter_no="000012345678", customer_no="310000000001", kind=CardKind.PURCHASE),
        Wallet(10000, 4),
    )
    r = insert_card(foreign, meter, NOW, CRYPTO)
    assert (r.ok, r.error, r.loaded_fen, r.wrote_back) == (
        False,
        MeterCardError.AUTHENTICATION,
        0,
        False,
    )
    assert r.error is not None and r.error.display == "Err-32"
    assert meter.purchase_count == 3 and meter.illegal_insertions == 1
    assert writeback(foreign) is None


def test_blocked_card_refused_by_the_meter(meter: DemoMeter) -> None:
    opened(meter)
    c = card(amount=10000, count=4)
    c.state.tries["external"] = 0
    r = insert_card(c, meter, NOW, CRYPTO)
    assert (r.ok, r.error, r.loaded_fen) == (False, MeterCardError.CARD_BLOCKED, 0)
    assert meter.purchase_count == 3 and writeback(c) is None


def test_a_meter_with_other_keys_wears_the_cards_retry_counter(meter: DemoMeter) -> None:
    """Seen from the card, a meter with the wrong keys is an attacker: when the card itself
    is taken for genuine (same internal key), its external key counts down."""
    opened(meter)
    c = card(amount=10000, count=4)
    genuine = CRYPTO.card_keys(SERIAL)
    other = SoftwareCardCrypto(bytes(16))

    class HalfKnowingEsam:
        def internal_auth(self, serial: bytes, random: bytes) -> bytes:
            return CRYPTO.internal_auth(serial, random)

        def external_auth(self, serial: bytes, challenge: bytes) -> bytes:
            return other.external_auth(serial, challenge)

        def write_mac(self, serial: bytes, challenge: bytes, header: bytes, data: bytes) -> bytes:
            return other.write_mac(serial, challenge, header, data)

        def read_mac(self, serial: bytes, random: bytes, header: bytes, data: bytes) -> bytes:
            return other.read_mac(serial, random, header, data)

        def unblock_mac(self, serial: bytes, challenge: bytes) -> bytes:
            return other.unblock_mac(serial, challenge)

    r = insert_card(c, meter, NOW, HalfKnowingEsam())
    assert r.error is MeterCardError.AUTHENTICATION and c.state.tries["external"] == 4
    assert c.state.keys == genuine and meter.purchase_count == 3
