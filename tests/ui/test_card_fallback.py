"""Card fallback in the counter window, through pyscard → pcscd → vpcd → the virtual card.

Dispatch fails → the teller writes the same purchase onto the card (R10, R12) → the
simulated meter loads the card (``card_io.meter_card.insert_card``) → the counter reads the
write-back (R13) and the purchase is loaded. And the multi-meter household (R6): the teller
chooses the meter and the card is written from the prepayment.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from card_io.meter_card import insert_card
from counter_app.store.models import AuditLog, Meter, Purchase
from meter_link.simulator.faults import Fault, FaultKind
from tests.fixtures.pcsc import SLOT_READERS, insert, remove, wait_card
from tests.ui.conftest import CounterEnv
from tests.ui.helpers import WAIT_MS, find_customer, pay, pdf_text

pytestmark = pytest.mark.pcsc

ZHANG_WEI = "100000000001"  # one remote meter 000000000001
CHEN_JING = "100000000005"  # two card meters 000000000005 / 000000000006


def _open_card_dialog(qtbot: Any, window: Any) -> Any:
    window.card_dialog = None
    qtbot.keyClick(window, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: window.card_dialog is not None, timeout=WAIT_MS)
    return window.card_dialog


def test_failed_dispatch_card_written_meter_loads_writeback_read_r10_r12_r13(
    qtbot: Any,
    card_counter_env: CounterEnv,
    signed_in_window: Any,
    virtual_card_factory: Any,
) -> None:
    env = card_counter_env
    env.start_card_monitor()
    card = virtual_card_factory(customer_no=ZHANG_WEI, meter_no="000000000001", count=0)
    with env.meter("000000000001") as meter:
        meter.card_serial = card.serial_hex  # the meter was opened with this card
    env.simulator.inject("000000000001", Fault(FaultKind.NO_REPLY, times=None))

    window = signed_in_window(env)
    find_customer(qtbot, window, ZHANG_WEI, ZHANG_WEI)
    outcome = pay(qtbot, window, "60", timeout=30_000)
    assert not window.last_dispatch.loaded  # R9: three attempts, then back to the counter
    purchase = Purchase.get_by_id(outcome.purchase_id)
    assert purchase.state == "work-order" and purchase.count == 1

    dialog = _open_card_dialog(qtbot, window)
    assert dialog.purchase_id == outcome.purchase_id  # the same purchase, same n (R10)
    insert(card)
    qtbot.waitUntil(dialog.write_button.isEnabled, timeout=WAIT_MS)  # read + R12 checks
    events = " | ".join(dialog.event_texts())
    assert "Card inserted" in events
    assert "C = 0" in dialog.checks_label.text() and "✘" not in dialog.checks_label.text()
    qtbot.keyClick(dialog.write_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.written, timeout=WAIT_MS)
    assert dialog.result_contents.count == 1 and dialog.result_contents.amount_fen == 6_000
    assert Purchase.get_by_id(outcome.purchase_id).state == "card-written"
    remove(card)
    qtbot.waitUntil(lambda: "Card removed" in " ".join(dialog.event_texts()), timeout=WAIT_MS)
    # the card-write receipt is shown; F9 prints it
    qtbot.waitUntil(
        lambda: window.preview is not None and window.preview.isVisible(), timeout=WAIT_MS
    )
    qtbot.keyClick(window.preview, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.preview.printed_to is not None, timeout=WAIT_MS)
    text = pdf_text(Path(window.preview.printed_to))
    for expected in ("购电卡写卡凭证", "¥60.00", card.serial_hex, "000000000001"):
        assert expected in text, expected
    window.preview.close()
    dialog.close()

    # the customer inserts the card into the meter: it loads purchase 1 and writes back
    with env.meter("000000000001") as meter:
        insert_card(card, meter, dt.datetime(2026, 11, 24, 15, 0), env.context.purchase_card.crypto)
        assert meter.purchase_count == 1
        balance = meter.balance_fen

    # back at the counter: F3 reads the card, the write-back confirms the purchase (R13)
    insert(card)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: window.last_writeback is not None, timeout=WAIT_MS)
    assert window.last_writeback.loaded_purchase_ids == (outcome.purchase_id,)
    assert Purchase.get_by_id(outcome.purchase_id).state == "loaded"
    meter_row = Meter.get(Meter.address == "000000000001")
    assert meter_row.committed_count == 1 and meter_row.last_balance_fen == balance


def test_multi_meter_household_teller_chooses_the_meter_r6(
    qtbot: Any,
    card_counter_env: CounterEnv,
    signed_in_window: Any,
    virtual_card_factory: Any,
) -> None:
    env = card_counter_env
    env.start_card_monitor()
    card = virtual_card_factory(
        customer_no=CHEN_JING, meter_no="000000000006", serial="00000000C0000005", count=0
    )
    with env.meter("000000000006") as meter:
        meter.card_serial = card.serial_hex

    window = signed_in_window(env)
    find_customer(qtbot, window, "陈静", CHEN_JING)
    outcome = pay(qtbot, window, "100")
    assert outcome.route == "card" and outcome.reason == "multi-meter"

    dialog = _open_card_dialog(qtbot, window)
    assert dialog.meter_box.count() == 2 and dialog.meter_box.isEnabled()
    dialog.meter_box.setCurrentIndex(dialog.meter_box.findText("000000000006"))
    assert "¥100.00" in dialog.amount_label.text()  # the whole prepayment (R6)
    insert(card)
    qtbot.waitUntil(dialog.write_button.isEnabled, timeout=WAIT_MS)
    dialog.write_card()
    qtbot.waitUntil(lambda: dialog.written, timeout=WAIT_MS)
    purchase = Purchase.get_by_id(dialog.ticket.purchase_id)
    assert purchase.state == "card-written" and purchase.route == "card"
    assert purchase.meter.meter_no == "000000000006" and purchase.amount_fen == 10_000

    with env.meter("000000000006") as meter:
        before = meter.balance_fen
        insert_card(card, meter, dt.datetime(2026, 11, 24, 15, 0), env.context.purchase_card.crypto)
        assert meter.purchase_count == 1 and meter.balance_fen == before + 10_000
    with env.meter("000000000005") as other:
        assert other.purchase_count == 0


def test_card_pulled_during_the_write_is_read_again_never_written_twice_r12(
    qtbot: Any,
    card_counter_env: CounterEnv,
    signed_in_window: Any,
    virtual_card_factory: Any,
) -> None:
    env = card_counter_env
    env.start_card_monitor()
    card = virtual_card_factory(
        customer_no=CHEN_JING, meter_no="000000000005", serial="00000000C0000005", count=0
    )
    window = signed_in_window(env)
    find_customer(qtbot, window, CHEN_JING, CHEN_JING)
    pay(qtbot, window, "80")
    dialog = _open_card_dialog(qtbot, window)
    insert(card)
    qtbot.waitUntil(dialog.write_button.isEnabled, timeout=WAIT_MS)

    card.remove_after(1)  # the customer pulls the card right after the write starts
    qtbot.keyClick(dialog.write_button, Qt.Key.Key_Return)
    qtbot.waitUntil(card.pulled.is_set, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert not dialog.written
    purchase = Purchase.get_by_id(dialog.ticket.purchase_id)
    assert purchase.state == "card-writing"  # unresolved until the card is read (R12, R16)

    wait_card(SLOT_READERS[0], present=False)  # pcscd saw the card go
    qtbot.waitUntil(lambda: "Card removed" in " ".join(dialog.event_texts()), timeout=WAIT_MS)

    insert(card)  # put back: read again, found unchanged, abandoned, checked again
    qtbot.waitUntil(lambda: "unchanged" in " ".join(dialog.event_texts()), timeout=WAIT_MS)
    qtbot.waitUntil(dialog.write_button.isEnabled, timeout=WAIT_MS)
    qtbot.keyClick(dialog.write_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.written, timeout=WAIT_MS)

    purchases = list(Purchase.select().where(Purchase.meter == purchase.meter_id))
    assert [(p.id, p.count, p.amount_fen, p.state) for p in purchases] == [
        (purchase.id, 1, 8_000, "card-written")
    ]
    assert dialog.result_contents.count == 1 and dialog.result_contents.amount_fen == 8_000


def test_blocked_card_is_explained_and_sent_to_the_technician(
    qtbot: Any,
    card_counter_env: CounterEnv,
    signed_in_window: Any,
    virtual_card_factory: Any,
) -> None:
    """A card whose external-authentication key is blocked (6983) reads fine but refuses the
    write: the purchase is settled by reading the card (unchanged → abandoned, R12), the
    teller reads why in words and where to send the customer, nothing more is tried on that
    card, and the refusal is audited (I3)."""
    env = card_counter_env
    env.start_card_monitor()
    card = virtual_card_factory(
        customer_no=CHEN_JING, meter_no="000000000005", serial="00000000C0000005", count=0
    )
    card.state.tries["external"] = 0  # blocked by wrong cryptograms elsewhere
    window = signed_in_window(env)
    find_customer(qtbot, window, CHEN_JING, CHEN_JING)
    pay(qtbot, window, "80")
    dialog = _open_card_dialog(qtbot, window)
    insert(card)
    qtbot.waitUntil(dialog.write_button.isEnabled, timeout=WAIT_MS)
    qtbot.keyClick(dialog.write_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.refused_card is not None and not dialog.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "technician's workbench" in dialog.card_label.text(), timeout=WAIT_MS)
    assert "blocked" in dialog.card_label.text() and not dialog.write_button.isEnabled()
    assert not dialog.written and card.state.wallet().count == 0
    purchase = Purchase.get(Purchase.meter == Meter.get(Meter.address == "000000000005").id)
    assert purchase.state == "created"  # settled by reading the card, ready for later
    qtbot.waitUntil(
        lambda: AuditLog.select().where(AuditLog.action == "card-blocked-refused").count() == 1,
        timeout=WAIT_MS,
    )


def test_forged_card_is_refused_on_reading(
    qtbot: Any,
    card_counter_env: CounterEnv,
    signed_in_window: Any,
    virtual_card_factory: Any,
) -> None:
    """Right layout, wrong MAC key: the write-back read with MAC does not verify; nothing of
    it is applied and the card is not written (R13)."""
    from card_io.security import CardKeys, SoftwareCardCrypto

    env = card_counter_env
    env.start_card_monitor()
    card = virtual_card_factory(
        customer_no=CHEN_JING, meter_no="000000000005", serial="00000000C0000005", count=0
    )
    keys = card.state.keys
    other = SoftwareCardCrypto(bytes(16)).card_keys(card.serial)
    card.state.keys = CardKeys(keys.internal, keys.external, other.mac, keys.unblock)
    window = signed_in_window(env)
    find_customer(qtbot, window, CHEN_JING, CHEN_JING)
    pay(qtbot, window, "80")
    dialog = _open_card_dialog(qtbot, window)
    insert(card)
    qtbot.waitUntil(lambda: dialog.refused_card is not None, timeout=WAIT_MS)
    assert "forged" in dialog.card_label.text() and not dialog.write_button.isEnabled()
    assert window.last_writeback is None
    qtbot.waitUntil(
        lambda: AuditLog.select().where(AuditLog.action == "card-forged-refused").count() == 1,
        timeout=WAIT_MS,
    )


def test_f3_on_a_forged_card_applies_nothing_and_says_why(
    qtbot: Any,
    card_counter_env: CounterEnv,
    signed_in_window: Any,
    virtual_card_factory: Any,
) -> None:
    """F3 in the counter window: a forged write-back claiming purchase 1 loaded is not
    applied (R13), the teller reads why, the refusal is audited (I3)."""
    from PySide6.QtWidgets import QMessageBox

    from card_io import apdu as A
    from card_io.card_files import WriteBack
    from card_io.security import CardKeys, SoftwareCardCrypto

    env = card_counter_env
    card = virtual_card_factory(customer_no=CHEN_JING, meter_no="000000000005", count=1)
    keys = card.state.keys
    other = SoftwareCardCrypto(bytes(16)).card_keys(card.serial)
    card.state.keys = CardKeys(keys.internal, keys.external, other.mac, keys.unblock)
    fake = WriteBack("000000000005", CHEN_JING, 99_999_999, 1, 0, 0, dt.datetime(2026, 11, 1))
    card.state.write_file(A.SFI_WRITEBACK, fake.encode())
    window = signed_in_window(env)
    insert(card)
    qtbot.keyClick(window, Qt.Key.Key_F3)
    qtbot.waitUntil(
        lambda: window.findChild(QMessageBox, "errorMessage") is not None, timeout=WAIT_MS
    )
    box = window.findChild(QMessageBox, "errorMessage")
    assert "forged" in box.text()
    qtbot.waitUntil(
        lambda: AuditLog.select().where(AuditLog.action == "card-forged-refused").count() == 1,
        timeout=WAIT_MS,
    )
    assert window.last_writeback is None
    assert Meter.get(Meter.address == "000000000005").last_balance_fen != 99_999_999
    box.close()
