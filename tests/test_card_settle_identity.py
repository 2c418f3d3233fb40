"""R12: an interrupted card write is settled by reading *that* card again, never another one.

The fault campaign (`tests/campaign/`) found it: a household (R6) has one card per meter; the
card is pulled while purchase n is written, and the teller puts the household's other card
into the reader (its count one below n). Read as "unchanged", the purchase went back to
``created`` — then to the prepayment, or written again — while the first card carried
purchase n to its meter: the same money twice. Settling now checks the card's customer
number, meter number and the serial registered for the meter first; another card settles
nothing and the purchase stays ``card-writing`` until its own card is read.

Real stack: pyscard -> pcscd -> vpcd -> the virtual cards; counterctl in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from card_io.errors import CardError
from card_io.purchase_card import CardContents, PurchaseCard, WriteState
from card_io.reader import PcscReader
from card_io.security import SoftwareCardCrypto
from card_io.virtual import VirtualPurchaseCard
from counter_app.services import auth
from counter_app.services.cards import (
    CardTarget,
    CardWorkbench,
    CardWriteProcedure,
    CardWriteState,
    settle_card_write,
)
from counter_app.services.checks import check_database
from counter_app.services.context import ServiceContext
from counter_app.services.ports import CardAnswer, CardCheck, CardNote, CardStep, CardWait
from counter_app.services.registry import build_services
from counter_app.store.models import Customer, Meter, Purchase
from tests.fixtures.database import TestDatabase
from tests.fixtures.pcsc import SLOT_READERS, CardFactory, insert, remove, wait_card

pytestmark = pytest.mark.pcsc

COUNTERCTL = Path(sys.prefix) / "bin" / "counterctl"
HOUSEHOLD = "310000000077"
KITCHEN, SHOP = "000012340001", "000012340002"  # the household's two card meters
KITCHEN_CARD, SHOP_CARD = "00000000D0000001", "00000000D0000002"


def _household() -> Customer:
    customer = Customer.create(customer_no=HOUSEHOLD, name="Two meters")
    for meter, serial in ((KITCHEN, KITCHEN_CARD), (SHOP, SHOP_CARD)):
        Meter.create(
            customer=customer,
            address=meter,
            meter_no=meter,
            customer_no=HOUSEHOLD,
            collection_capable=True,
            purchase_mode="remote",
            card_serial=serial,
        )
    return customer


def test_card_settle_refuses_another_card_of_the_household(
    sqlite_db: TestDatabase, virtual_card_factory: CardFactory, tmp_path: Path
) -> None:
    auth.create_user("teller1", "teller1-pass", "teller")
    services = build_services(ServiceContext(counter_id="S1"))
    _household()
    services.payments.take_payment(HOUSEHOLD, 5_000, operator="teller1")  # R6: prepayment
    ticket = services.cards.begin_card_write(
        KITCHEN, operator="teller1", card_serial=KITCHEN_CARD, card_count=0
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_")}
    env.update({"COUNTER_DATA_DIR": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path)})

    def settle() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                *(str(COUNTERCTL), "--db", sqlite_db.url, "--json", "card", "settle"),
                *(str(ticket.purchase_id), "--operator", "teller1", "--reader", SLOT_READERS[0]),
            ],
            input="teller1-pass\n",
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    shop_card = virtual_card_factory(customer_no=HOUSEHOLD, meter_no=SHOP, serial=SHOP_CARD)
    insert(shop_card)
    refused = settle()
    assert refused.returncode != 0
    assert "meter number is 000012340002, expected 000012340001" in refused.stderr
    assert Purchase.get_by_id(ticket.purchase_id).state == "card-writing"
    remove(shop_card)

    kitchen_card = virtual_card_factory(
        customer_no=HOUSEHOLD, meter_no=KITCHEN, serial=KITCHEN_CARD, amount_fen=5_000, count=1
    )
    insert(kitchen_card)
    settled = settle()
    assert settled.returncode == 0, settled.stderr
    assert json.loads(settled.stdout)["state"] == "card-written"
    assert check_database() == []


class _Teller:
    """Answers the card-write procedure; when the procedure starts writing, the kitchen card
    is pulled right after its wallet was written (the commit point); asked to put it back,
    the teller first puts the shop card in, then, asked again, the kitchen card."""

    def __init__(self, kitchen: VirtualPurchaseCard, shop: VirtualPurchaseCard, pull: int) -> None:
        self.kitchen, self.shop, self.pull = kitchen, shop, pull
        self.put_back = 0
        self.steps: list[CardStep] = []

    def note(self, note: CardNote) -> None:
        self.steps.append(note.step)
        if note.step is CardStep.WRITING:
            self.kitchen.remove_after(self.pull)

    def insert_card(self, why: CardWait, values: Mapping[str, object]) -> bool:
        if why is CardWait.FIRST:
            insert(self.kitchen)
        elif why is CardWait.PUT_BACK:
            self.put_back += 1
            if self.put_back == 1:
                remove(self.kitchen)
                insert(self.shop)
            elif self.put_back == 2:
                remove(self.shop)
                insert(self.kitchen)
            else:
                return False
        return True

    def confirm_write(self, checks: Sequence[CardCheck]) -> CardAnswer:
        return CardAnswer.WRITE if all(c.ok for c in checks) else CardAnswer.CANCEL

    def remove_card(self) -> None:
        pass


def test_card_write_pulled_after_its_commit_is_not_settled_by_another_card(
    sqlite_db: TestDatabase, virtual_card_factory: CardFactory
) -> None:
    auth.create_user("teller1", "teller1-pass", "teller")
    services = build_services(ServiceContext(counter_id="S2"))
    _household()
    services.payments.take_payment(HOUSEHOLD, 5_000, operator="teller1")
    master = SoftwareCardCrypto(os.urandom(16))
    kitchen = virtual_card_factory(
        customer_no=HOUSEHOLD, meter_no=KITCHEN, serial=KITCHEN_CARD, crypto=master
    )
    shop = virtual_card_factory(
        customer_no=HOUSEHOLD, meter_no=SHOP, serial=SHOP_CARD, crypto=master
    )
    card = PurchaseCard(PcscReader(SLOT_READERS[0]), master, wait_s=2.0)
    # the reads of one card's files, measured: the write reads them, authenticates (4
    # APDUs), writes the wallet (2), then reads everything back — pulled at that read-back
    insert(kitchen)
    before = kitchen.state.apdu_count
    card.read_card()
    reads = kitchen.state.apdu_count - before
    remove(kitchen)
    teller = _Teller(kitchen, shop, pull=reads + 6)
    meter = Meter.get(Meter.address == KITCHEN)

    result = CardWriteProcedure(services.cards, card, teller, operator="teller1").run(
        lambda: CardTarget.for_meter(int(meter.id))
    )

    assert CardStep.WRITE_INTERRUPTED in teller.steps, teller.steps
    assert kitchen.state.wallet().count == 1  # the write reached the kitchen card
    assert result.state is CardWriteState.WRITTEN
    purchase = Purchase.get(Purchase.meter == meter.id)
    assert (purchase.state, purchase.count, purchase.amount_fen) == ("card-written", 1, 5_000)
    assert shop.state.wallet().count == 0
    assert int(Customer.get(Customer.customer_no == HOUSEHOLD).prepayment_fen) == 0
    assert check_database() == []


NEWCOMER, NEW_METER = "310000000078", "000012340003"


def test_open_account_card_pulled_after_its_commit_is_not_settled_by_another_card(
    sqlite_db: TestDatabase, virtual_card_factory: CardFactory
) -> None:
    """R14 at the workbench: the open-account card carrying purchase 1 is pulled after its
    wallet was written, and another meter's card is in the reader when the workbench reads
    again. Read as "anything but this purchase" it abandoned the purchase (back to
    ``created``, payable again) while the pulled card carried it to the meter; now another
    card settles nothing and the purchase stays ``card-writing`` until its card is read."""
    auth.create_user("teller1", "teller1-pass", "teller")
    auth.create_user("tech1", "tech1-pass", "technician")
    tech = auth.sign_in("tech1", "tech1-pass", counter_id="S3")
    services = build_services(ServiceContext(counter_id="S3"))
    customer = Customer.create(customer_no=NEWCOMER, name="New account")
    meter = Meter.create(
        customer=customer,
        address=NEW_METER,
        meter_no=NEW_METER,
        customer_no=NEWCOMER,
        collection_capable=True,
        purchase_mode="remote",
    )
    outcome = services.payments.take_payment(NEWCOMER, 5_000, operator="teller1", dispatch=False)
    purchase_id = outcome.purchase_id
    assert purchase_id is not None
    master = SoftwareCardCrypto(os.urandom(16))
    card = PurchaseCard(PcscReader(SLOT_READERS[0]), master, wait_s=5.0)
    # the APDUs of a whole issue, measured on a scratch card: the pull comes at the last one
    # (the read-back, after the wallet was written)
    scratch = virtual_card_factory(blank=True, crypto=master)
    insert(scratch)
    before = scratch.state.apdu_count
    card.issue_card(customer_no=NEWCOMER, meter_no=NEW_METER, amount_fen=5_000, count=1)
    total = scratch.state.apdu_count - before
    remove(scratch)
    new_card = virtual_card_factory(blank=True, crypto=master)
    other = virtual_card_factory(customer_no="310000000079", meter_no="000012340004", crypto=master)

    class WrongCardPutBack(PurchaseCard):
        """The technician's hands: the issue fails when the card is pulled, and another
        meter's card is in the reader by the time the workbench reads again."""

        def issue_card(self, **kwargs: Any) -> CardContents:
            try:
                return super().issue_card(**kwargs)
            except CardError:
                wait_card(SLOT_READERS[0], present=False)
                insert(other)
                raise

    bench_card = WrongCardPutBack(PcscReader(SLOT_READERS[0]), master, wait_s=5.0)
    insert(new_card)
    new_card.remove_after(total - 1)
    with pytest.raises(CardError):
        CardWorkbench(services.ctx, services.cards, bench_card).issue(
            tech, NEW_METER, purchase_id=purchase_id
        )
    assert new_card.state.wallet().count == 1  # the write reached the new card
    assert Purchase.get_by_id(purchase_id).state == "card-writing"
    remove(other)
    insert(new_card)
    state, error = settle_card_write(
        services.cards,
        card,
        purchase_id=purchase_id,
        amount_fen=5_000,
        count=1,
        operator="tech1",
        abandon_other=True,
        card_of=(NEWCOMER, NEW_METER),
    )
    assert error is None and state is WriteState.WRITTEN
    assert Purchase.get_by_id(purchase_id).state == "card-written"
    assert int(meter.id) and check_database() == []
