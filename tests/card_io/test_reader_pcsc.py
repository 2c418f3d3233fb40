"""card_io.reader against the real pcscd + vpcd: reader choice, T=0 status handling, typed
errors, transactions, and the supervised monitor across a pcscd restart."""

from __future__ import annotations

import threading
import time

import pytest

from card_io import apdu as A
from card_io.errors import NoCard, NoReader, SharingViolation
from card_io.purchase_card import PurchaseCard
from card_io.reader import CardEvent, CardMonitor, PcscReader, list_readers, reader_status
from card_io.virtual import VirtualPurchaseCard
from tests.fixtures.pcsc import (
    SLOT_READERS,
    CardFactory,
    PcscService,
    insert,
    remove,
    wait_until,
)

pytestmark = pytest.mark.pcsc


def test_lists_both_virtual_slots(pcsc_service: PcscService) -> None:
    names = list_readers()
    assert SLOT_READERS[0] in names and SLOT_READERS[1] in names


def test_reader_chosen_by_fragment_or_card(virtual_card: VirtualPurchaseCard) -> None:
    assert PcscReader("pcd 00 01").reader_name() == SLOT_READERS[1]
    with pytest.raises(NoReader) as e:
        PcscReader("No Such Reader").reader_name()
    assert SLOT_READERS[0] in e.value.available
    # no fragment: the reader that holds a card (only the virtual one here)
    if not any(s.card_present and not s.virtual for s in reader_status()):
        assert PcscReader().reader_name() == SLOT_READERS[0]


def test_no_card_in_empty_slot(pcsc_service: PcscService) -> None:
    with pytest.raises(NoCard):
        PurchaseCard(PcscReader(SLOT_READERS[1])).read_card()


def test_t0_get_response_and_wrong_le_retry(
    pcsc_reader: PcscReader, virtual_card: VirtualPurchaseCard
) -> None:
    with pcsc_reader.session() as s:
        assert s.serial == virtual_card.serial
        s.transmit(A.select(A.DF_ELECTRICITY))
        before = s.apdus
        r = s.transmit(A.read_binary(A.SFI_WALLET, 0, 0))  # Le 00 -> card says 6C08
        assert r.ok and len(r.data) == 8 and s.apdus - before == 2
        r = s.transmit(A.internal_authenticate(bytes(8)))  # 61 08 -> GET RESPONSE
        assert r.ok and len(r.data) == 8


def test_sharing_violation_is_typed(
    pcsc_reader: PcscReader, virtual_card: VirtualPurchaseCard
) -> None:
    with pcsc_reader.session(exclusive=True), pytest.raises(SharingViolation):
        PurchaseCard(pcsc_reader).read_card()


def test_one_transaction_per_operation(
    pcsc_reader: PcscReader, virtual_card: VirtualPurchaseCard
) -> None:
    """A second client waits until the first one's operation has ended."""
    finished: list[float] = []

    def other() -> None:
        PurchaseCard(pcsc_reader).read_card()
        finished.append(time.monotonic())

    with pcsc_reader.session():
        t = threading.Thread(target=other)
        t.start()
        time.sleep(0.5)
        released = time.monotonic()
    t.join(5)
    assert finished and finished[0] >= released


def test_monitor_reports_insert_and_remove(
    pcsc_service: PcscService, virtual_card_factory: CardFactory
) -> None:
    card = virtual_card_factory()
    events: list[CardEvent] = []
    with CardMonitor(events.append, name_fragment=SLOT_READERS[0]):
        insert(card)
        assert wait_until(lambda: any(e.kind == "inserted" for e in events), 3)
        inserted = next(e for e in events if e.kind == "inserted")
        assert inserted.atr[5:13] == card.serial
        remove(card)
        assert wait_until(lambda: any(e.kind == "removed" for e in events), 3)


def test_monitor_survives_pcscd_restart(
    pcsc_service: PcscService, virtual_card: VirtualPurchaseCard, pcsc_reader: PcscReader
) -> None:
    events: list[CardEvent] = []

    def kinds() -> list[str]:
        return [e.kind for e in events]

    with CardMonitor(events.append, name_fragment=SLOT_READERS[0]):
        assert wait_until(lambda: "inserted" in kinds(), 3)
        pcsc_service.restart(down_s=0.5)
        assert wait_until(lambda: "service-back" in kinds(), 5), kinds()
        assert "service-lost" in kinds()
        # the card stayed "in the reader": it reconnects to the new pcscd by itself
        assert wait_until(lambda: kinds().count("inserted") >= 2, 5), kinds()
        assert kinds().index("service-lost") < kinds().index("service-back")
    assert PurchaseCard(pcsc_reader).read_card().serial == virtual_card.serial_hex
