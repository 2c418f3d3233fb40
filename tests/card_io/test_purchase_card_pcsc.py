"""Purchase-card operations through the real stack: pyscard -> pcscd -> vpcd -> virtual card.

R12 (checks, write-back cleared, read back), R12a, R13, R14, R16, and the interrupted write
that a fresh read classifies as unchanged or written.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from card_io import apdu as A
from card_io.card_files import CardKind, Wallet, WriteBack
from card_io.errors import (
    CardNotBlank,
    CardRemoved,
    CountMismatch,
    ForeignCard,
    OverHoardingLimit,
    PreviousPurchaseNotLoaded,
    PurchaseAlreadyLoaded,
    PurchaseAlreadyOnCard,
    UnissuedCard,
    WrongKeyOrMac,
)
from card_io.meter_card import MeterCardError, insert_card
from card_io.purchase_card import PurchaseCard, WriteState
from card_io.reader import PcscReader
from card_io.security import SoftwareCardCrypto
from card_io.virtual import VirtualPurchaseCard
from tests.card_io.conftest import DemoMeter
from tests.fixtures.pcsc import (
    SLOT_READERS,
    CardFactory,
    insert,
    remove,
    wait_card,
)
from tests.fixtures.pcsc import (
    TEST_CUSTOMER_NO as CUST,
)
from tests.fixtures.pcsc import (
    TEST_METER_NO as METER,
)

pytestmark = pytest.mark.pcsc
NOW = datetime(2026, 11, 24, 10, 0)


def loaded_writeback(card: VirtualPurchaseCard, count: int, remaining: int = 5000) -> None:
    """Put the write-back a meter leaves after loading purchase ``count``."""
    wb = WriteBack(METER, CUST, remaining, count, 0, 0, NOW)
    card.state.write_file(A.SFI_WRITEBACK, wb.encode())


@pytest.fixture
def pc(pcsc_reader: PcscReader, card_crypto: SoftwareCardCrypto) -> PurchaseCard:
    return PurchaseCard(pcsc_reader, card_crypto)


def write(pc: PurchaseCard, card: VirtualPurchaseCard, last: int, amount: int) -> object:
    return pc.write_purchase(
        expected_customer_no=CUST,
        expected_meter_no=METER,
        expected_serial=card.serial_hex,
        last_committed_count=last,
        amount_fen=amount,
        count=last + 1,
    )


def test_read_card_returns_everything(pc: PurchaseCard, virtual_card: VirtualPurchaseCard) -> None:
    c = pc.read_card()
    assert c.serial == virtual_card.serial_hex
    assert (c.customer_no, c.meter_no, c.kind) == (CUST, METER, CardKind.PURCHASE)
    assert c.wallet == Wallet(0, 0) and c.write_back is None
    assert c.to_json()["wallet"] == {"amount_fen": 0, "count": 0}


def test_r12_write_purchase_clears_writeback_and_reads_back(
    pc: PurchaseCard, virtual_card_factory: CardFactory
) -> None:
    card = virtual_card_factory(amount_fen=10000, count=3)
    loaded_writeback(card, 3)
    insert(card)
    c = write(pc, card, 3, 25000)
    assert c.wallet == Wallet(25000, 4) and c.write_back is None  # type: ignore[attr-defined]
    assert card.state.wallet() == Wallet(25000, 4)


def test_r12_same_purchase_written_twice_is_refused(
    pc: PurchaseCard, virtual_card: VirtualPurchaseCard
) -> None:
    write(pc, virtual_card, 0, 10000)
    with pytest.raises(PurchaseAlreadyOnCard):
        write(pc, virtual_card, 0, 10000)
    with pytest.raises(CountMismatch):
        write(pc, virtual_card, 0, 20000)
    assert virtual_card.state.wallet() == Wallet(10000, 1)


def test_r12_count_must_equal_last_committed(
    pc: PurchaseCard, virtual_card_factory: CardFactory
) -> None:
    card = virtual_card_factory(amount_fen=100, count=3)
    loaded_writeback(card, 3)
    insert(card)
    with pytest.raises(CountMismatch) as e:
        write(pc, card, 2, 10000)
    assert (e.value.card_count, e.value.expected) == (3, 2)


def test_r12a_sale_refused_while_last_purchase_not_loaded(
    pc: PurchaseCard, virtual_card_factory: CardFactory
) -> None:
    card = virtual_card_factory(amount_fen=10000, count=4)
    loaded_writeback(card, 3)  # the meter is still at 3
    insert(card)
    with pytest.raises(PreviousPurchaseNotLoaded) as e:
        write(pc, card, 4, 5000)
    assert (e.value.wallet_count, e.value.writeback_count) == (4, 3)
    assert card.state.wallet() == Wallet(10000, 4)


def test_r12a_refused_when_card_never_went_to_the_meter(
    pc: PurchaseCard, virtual_card: VirtualPurchaseCard
) -> None:
    write(pc, virtual_card, 0, 10000)
    with pytest.raises(PreviousPurchaseNotLoaded):
        write(pc, virtual_card, 1, 5000)


def test_r12_foreign_card_refused(pc: PurchaseCard, virtual_card: VirtualPurchaseCard) -> None:
    with pytest.raises(ForeignCard) as e:
        pc.write_purchase(
            expected_customer_no="310000000002",
            expected_meter_no=METER,
            expected_serial=None,
            last_committed_count=0,
            amount_fen=100,
            count=1,
        )
    assert e.value.field == "customer number"
    with pytest.raises(ForeignCard) as e:
        pc.write_purchase(
            expected_customer_no=CUST,
            expected_meter_no=METER,
            expected_serial="FFFFFFFFFFFFFFFF",
            last_committed_count=0,
            amount_fen=100,
            count=1,
        )
    assert e.value.field == "card serial"


def test_wrong_key_refused(
    pcsc_reader: PcscReader, virtual_card: VirtualPurchaseCard, card_crypto: SoftwareCardCrypto
) -> None:
    wrong = SoftwareCardCrypto(bytes(16))
    with pytest.raises(WrongKeyOrMac):
        write(PurchaseCard(pcsc_reader, wrong), virtual_card, 0, 10000)

    class GenuineCardWrongIssuerKey:
        """Recognises the card but holds the wrong issuer key: the card itself refuses."""

        def internal_auth(self, serial: bytes, random: bytes) -> bytes:
            return card_crypto.internal_auth(serial, random)

        def external_auth(self, serial: bytes, challenge: bytes) -> bytes:
            return wrong.external_auth(serial, challenge)

        def write_mac(self, serial: bytes, challenge: bytes, header: bytes, data: bytes) -> bytes:
            return wrong.write_mac(serial, challenge, header, data)

        def read_mac(self, serial: bytes, random: bytes, header: bytes, data: bytes) -> bytes:
            return card_crypto.read_mac(serial, random, header, data)

        def unblock_mac(self, serial: bytes, challenge: bytes) -> bytes:
            return wrong.unblock_mac(serial, challenge)

    with pytest.raises(WrongKeyOrMac) as e:
        write(PurchaseCard(pcsc_reader, GenuineCardWrongIssuerKey()), virtual_card, 0, 10000)
    assert e.value.sw == A.SW_TRIES_LEFT | 4 and e.value.tries_left == 4  # one try used
    assert virtual_card.state.wallet() == Wallet(0, 0)


def test_unissued_card_is_reported(pc: PurchaseCard, virtual_card_factory: CardFactory) -> None:
    card = virtual_card_factory(blank=True)
    insert(card)
    with pytest.raises(UnissuedCard):
        pc.read_card()


def test_r12_removal_in_the_middle_of_a_write_is_never_undecidable(
    pc: PurchaseCard, virtual_card_factory: CardFactory
) -> None:
    """Pull the card before each APDU of the write sequence in turn: a fresh read always
    says unchanged or written, with the write-back cleared whenever the wallet is new; an
    unchanged card takes the write (R12a stays decidable), a written one refuses a second."""
    card = virtual_card_factory()

    def reset() -> None:
        card.state.write_file(A.SFI_WALLET, Wallet(100, 3).encode())
        loaded_writeback(card, 3)

    reset()
    insert(card)
    before = card.state.apdu_count
    write(pc, card, 3, 7000)
    total = card.state.apdu_count - before
    seen: dict[WriteState, int] = {}
    for cut in range(5, total):  # the first five APDUs only read
        reset()
        card.remove_after(cut)
        with pytest.raises(CardRemoved):
            write(pc, card, 3, 7000)
        assert card.pulled.wait(2)
        wait_card(SLOT_READERS[0], present=False)
        insert(card)
        state = pc.purchase_state(7000, 4)
        seen[state] = seen.get(state, 0) + 1
        assert state in (WriteState.UNCHANGED, WriteState.WRITTEN), cut
        c = pc.read_card()
        if state is WriteState.WRITTEN:
            assert c.write_back is None and c.previous_purchase_pending
            with pytest.raises(PurchaseAlreadyOnCard):
                write(pc, card, 3, 7000)
        else:
            assert c.wallet == Wallet(100, 3) and not c.previous_purchase_pending
            write(pc, card, 3, 7000)
    assert seen[WriteState.UNCHANGED] > 0 and seen[WriteState.WRITTEN] > 0


def test_r13_full_cycle_write_meter_load_writeback(
    pc: PurchaseCard, virtual_card_factory: CardFactory
) -> None:
    """Issue an open card with the first purchase, the meter opens and loads it, the counter
    reads the write-back and writes purchase 2, the meter loads it, the write-back says so."""
    meter = DemoMeter(meter_no=METER, customer_no="000000000000")
    card = virtual_card_factory(blank=True)
    insert(card)
    c = pc.issue_card(customer_no=CUST, meter_no=METER, amount_fen=20000, count=1)
    assert c.kind is CardKind.OPEN_ACCOUNT and c.previous_purchase_pending
    remove(card)
    r = insert_card(card, meter, NOW, pc.crypto)
    assert r.ok and r.loaded_fen == 20000 and meter.opened
    assert meter.card_serial == card.serial_hex
    insert(card)
    wb = pc.read_writeback()
    assert wb is not None and (wb.count, wb.remaining_fen) == (1, 20000)
    c = write(pc, card, 1, 10000)  # type: ignore[assignment]
    assert c.kind is CardKind.PURCHASE
    remove(card)
    r = insert_card(card, meter, NOW, pc.crypto)
    assert r.ok and r.loaded_fen == 10000
    insert(card)
    c = pc.read_card()
    assert c.write_back is not None
    assert (c.write_back.count, c.write_back.remaining_fen) == (2, 30000)
    assert not c.previous_purchase_pending


def test_r14_reissued_card_accepted_by_meter_and_old_card_refused(
    pc: PurchaseCard, virtual_card_factory: CardFactory
) -> None:
    old = virtual_card_factory(amount_fen=10000, count=2)
    meter = DemoMeter(meter_no=METER, customer_no=CUST, opened=True, card_serial=old.serial_hex)
    meter.purchase_count = 1
    assert (
        insert_card(old, meter, NOW, pc.crypto).loaded_fen == 10000
    )  # purchase 2 reached the meter
    # the customer loses the card; a blank one is re-issued with the last purchase again
    new = virtual_card_factory(blank=True)
    insert(new)
    c = pc.reissue_card(customer_no=CUST, meter_no=METER, last_amount_fen=10000, last_count=2)
    with pytest.raises(CardNotBlank):
        pc.reissue_card(customer_no=CUST, meter_no=METER, last_amount_fen=10000, last_count=2)
    assert c.kind is CardKind.REISSUE and c.wallet == Wallet(10000, 2)
    assert c.previous_purchase_pending  # R12a: insert the new card before the next sale
    remove(new)
    r = insert_card(new, meter, NOW, pc.crypto)
    assert r.ok and r.loaded_fen == 0 and meter.card_serial == new.serial_hex
    assert meter.balance_fen == 10000
    assert insert_card(old, meter, NOW, pc.crypto).error is MeterCardError.SERIAL_MISMATCH
    # the new card now takes purchase 3
    insert(new)
    write(pc, new, 2, 5000)
    remove(new)
    assert insert_card(new, meter, NOW, pc.crypto).loaded_fen == 5000


def test_r16_clear_unloaded_purchase(pc: PurchaseCard, virtual_card: VirtualPurchaseCard) -> None:
    write(pc, virtual_card, 0, 10000)
    c = pc.clear_purchase(
        expected_customer_no=CUST,
        expected_meter_no=METER,
        expected_serial=virtual_card.serial_hex,
        amount_fen=10000,
        count=1,
    )
    assert c.wallet == Wallet(0, 0) and not c.previous_purchase_pending
    write(pc, virtual_card, 0, 8000)  # count 1 is free again (R15)


def test_r16_clear_refused_once_loaded(pc: PurchaseCard, virtual_card_factory: CardFactory) -> None:
    card = virtual_card_factory(amount_fen=10000, count=4)
    loaded_writeback(card, 4)
    insert(card)
    with pytest.raises(PurchaseAlreadyLoaded):
        pc.clear_purchase(
            expected_customer_no=CUST,
            expected_meter_no=METER,
            expected_serial=None,
            amount_fen=10000,
            count=4,
        )


def test_hoarding_limit_checked_against_the_write_back(
    pc: PurchaseCard, virtual_card_factory: CardFactory
) -> None:
    card = virtual_card_factory(amount_fen=100, count=3)
    loaded_writeback(card, 3, remaining=90000)
    insert(card)
    with pytest.raises(OverHoardingLimit):
        pc.write_purchase(
            expected_customer_no=CUST,
            expected_meter_no=METER,
            expected_serial=card.serial_hex,
            last_committed_count=3,
            amount_fen=20000,
            count=4,
            hoarding_limit_fen=100000,
        )
    assert card.state.wallet() == Wallet(100, 3)
