"""The card workbench (R12–R14, R16) through pyscard → pcscd → vpcd → the virtual card, with
the simulated meter (``card_io.meter_card.insert_card``) standing in for the customer's meter.

a re-issued card loads in the simulated meter and the old card is then
refused (by the meter and by the counter).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from card_io.card_files import CardKind
from card_io.meter_card import MeterCardError, insert_card
from counter_app.services.errors import CardCheckFailed
from counter_app.store.models import AuditLog, Meter, Purchase
from tests.backoffice.conftest import WAIT_MS
from tests.fixtures.pcsc import insert, remove
from tests.ui.conftest import CounterEnv

pytestmark = pytest.mark.pcsc

LI_NA = "100000000003"  # card meter 000000000003 in card mode, card C0000003
METER3 = "000000000003"
ZHAO_MIN_METER = "000000000008"  # a remote meter that has never loaded a purchase
WHEN = dt.datetime(2026, 11, 24, 15, 0)


def card_purchase_on_old_card(env: CounterEnv, factory: Any) -> tuple[Any, int]:
    """Li Na pays 50 yuan; the teller writes purchase 1 onto her card (R12); not yet loaded."""
    old = factory(customer_no=LI_NA, meter_no=METER3, serial="00000000C0000003", count=0)
    with env.meter(METER3) as meter:
        meter.card_serial = old.serial_hex
    out = env.counter.services.payments.take_payment(LI_NA, 5_000, operator="teller1")
    assert out.route == "card"
    insert(old)
    card = env.context.purchase_card
    contents = card.read_card()
    cards = env.counter.services.cards
    ticket = cards.begin_card_write(
        METER3, operator="teller1", card_serial="C0000003", card_count=contents.count
    )
    card.write_purchase(
        expected_customer_no=ticket.meter_customer_no,
        expected_meter_no=ticket.meter_no,
        expected_serial=contents.serial,
        last_committed_count=0,
        amount_fen=ticket.amount_fen,
        count=ticket.count,
    )
    cards.confirm_card_write(ticket.purchase_id, operator="teller1", card_serial="C0000003")
    assert Purchase.get_by_id(ticket.purchase_id).state == "card-written"
    return old, ticket.purchase_id


def run_operation(qtbot: Any, bench: Any, button: Any) -> Any:
    done = bench.operations
    button.click()
    qtbot.waitUntil(lambda: bench.operations > done, timeout=WAIT_MS)
    if bench.last_error is not None:
        raise bench.last_error
    return bench.last_result


def test_r14_reissued_card_loads_in_the_meter_and_the_old_card_is_refused(
    qtbot: Any, bo_card_env: CounterEnv, back_office: Any, virtual_card_factory: Any
) -> None:
    env = bo_card_env
    old, purchase_id = card_purchase_on_old_card(env, virtual_card_factory)
    remove(old)  # the customer loses the card before inserting it into the meter

    new = virtual_card_factory(blank=True)
    insert(new)
    window = back_office(env, "tech1", "tech1-pass")
    bench = window.tab("card-workbench")
    window.show_tab("card-workbench")
    bench.meter_edit.setText(METER3)
    result = run_operation(qtbot, bench, bench.reissue_button)
    assert result.operation == "reissue" and result.serial == new.serial_hex
    assert (result.count, result.amount_fen, result.purchase_id) == (1, 5_000, purchase_id)
    assert new.state.kind == CardKind.REISSUE and new.state.wallet().count == 1
    assert Meter.get(Meter.address == METER3).card_serial == new.serial_hex
    assert "re-issued" in bench.status.text()
    actions = [a.action for a in AuditLog.select().where(AuditLog.entity == "meter")]
    assert "card-reissued" in actions  # I3

    # the re-issued card in the meter: purchase 1 arrives (the lost card never got there)
    with env.meter(METER3) as meter:
        before = meter.balance_fen
        loaded = insert_card(new, meter, WHEN, env.context.purchase_card.crypto)
        assert loaded.ok and loaded.loaded_fen == 5_000 and meter.purchase_count == 1
        assert meter.balance_fen == before + 5_000
        assert meter.card_serial == new.serial_hex
        refused = insert_card(
            old, meter, WHEN, env.context.purchase_card.crypto
        )  # the old card turns up again
        assert not refused.ok and refused.error is MeterCardError.SERIAL_MISMATCH
        assert meter.purchase_count == 1

    # back at the workbench: the new card's write-back shows purchase 1 loaded (R13)
    bench.read_button.click()
    qtbot.waitUntil(
        lambda: bench.inspection is not None and bench.inspection.contents.write_back is not None,
        timeout=WAIT_MS,
    )
    assert not bench.inspection.differences, bench.inspection.checks
    run_operation(qtbot, bench, bench.apply_button)
    assert bench.last_writeback.loaded_purchase_ids == (purchase_id,)
    assert Purchase.get_by_id(purchase_id).state == "loaded"
    # and the counter refuses the old card (R12: not the serial registered for the meter)
    with pytest.raises(CardCheckFailed, match="card-serial"):
        env.counter.services.cards.begin_card_write(
            METER3, operator="teller1", card_serial=old.serial_hex, card_count=1
        )


def test_r14_open_account_card_registered_and_r16_clear_unloaded_purchase(
    qtbot: Any, bo_card_env: CounterEnv, back_office: Any, virtual_card_factory: Any
) -> None:
    env = bo_card_env
    window = back_office(env, "tech1", "tech1-pass")
    bench = window.tab("card-workbench")

    blank = virtual_card_factory(blank=True)
    insert(blank)
    bench.meter_edit.setText(ZHAO_MIN_METER)
    result = run_operation(qtbot, bench, bench.issue_button)
    assert result.operation == "issue" and (result.count, result.amount_fen) == (0, 0)
    assert Meter.get(Meter.address == ZHAO_MIN_METER).card_serial == blank.serial_hex
    assert blank.state.kind == CardKind.OPEN_ACCOUNT
    with env.meter(ZHAO_MIN_METER) as meter:
        meter.opened, meter.card_serial = False, None  # a new meter, never opened
        opened = insert_card(blank, meter, WHEN, env.context.purchase_card.crypto)
        assert opened.ok and meter.opened and meter.card_serial == blank.serial_hex
    # the card is no longer blank: issuing again is refused with the card library's error
    with pytest.raises(Exception) as refused:
        run_operation(qtbot, bench, bench.issue_button)
    assert getattr(refused.value, "code", "") == "card-not-blank"
    assert bench.status.text() == "This card is already issued; use a blank card."
    remove(blank)

    # R16: a purchase written to Li Na's card, not loaded: cleared so the reversal can proceed
    old, purchase_id = card_purchase_on_old_card(env, virtual_card_factory)
    bench.purchase_spin.setValue(purchase_id)
    result = run_operation(qtbot, bench, bench.clear_button)
    assert result.operation == "clear" and result.purchase_id == purchase_id
    assert Purchase.get_by_id(purchase_id).state == "created"
    assert (old.state.wallet().amount_fen, old.state.wallet().count) == (0, 0)
    bench.read_button.click()
    qtbot.waitUntil(lambda: bench.inspection is not None, timeout=WAIT_MS)
    assert bench.inspection.contents.count == 0
    texts = [bench.fields.item(r, 0).text() for r in range(bench.fields.rowCount())]
    assert "Purchase count C" in texts and "Card serial" in texts and len(texts) >= 16


def test_blocked_card_unblocked_at_the_workbench_with_the_issuer_key(
    qtbot: Any, bo_card_env: CounterEnv, back_office: Any, virtual_card_factory: Any
) -> None:
    """The counter sent the customer here: the card's keys are blocked (6983). Reading it
    says so in the workbench's words; Unblock (technician, master key) resets the card's
    retry counters, audited; the card reads and writes again."""
    env = bo_card_env
    card = virtual_card_factory(customer_no=LI_NA, meter_no=METER3, count=0)
    card.state.tries.update(external=0, mac=0)
    insert(card)
    window = back_office(env, "tech1", "tech1-pass")
    bench = window.tab("card-workbench")
    window.show_tab("card-workbench")
    done = bench.operations
    bench.read_button.click()
    qtbot.waitUntil(lambda: bench.operations > done, timeout=WAIT_MS)
    assert getattr(bench.last_error, "code", "") == "card-blocked"
    assert "Unblock card" in bench.status.text()
    assert bench.unblock_button.isEnabled()

    result = run_operation(qtbot, bench, bench.unblock_button)
    assert result.operation == "unblock" and result.serial == card.serial_hex
    assert card.state.tries == {"external": 5, "mac": 5}
    assert "unblocked" in bench.status.text()
    (row,) = AuditLog.select().where(AuditLog.action == "card-unblocked")
    assert row.actor == "tech1" and row.after["card_serial"] == card.serial_hex
    bench.read_button.click()
    qtbot.waitUntil(lambda: bench.inspection is not None, timeout=WAIT_MS)
    assert bench.inspection.contents.write_back_verified


def test_only_technicians_and_admins_unblock(
    qtbot: Any, bo_card_env: CounterEnv, back_office: Any
) -> None:
    from counter_app.services import auth
    from counter_app.services.cards import CardWorkbench
    from counter_app.services.errors import NotAuthorized

    env = bo_card_env
    bench = CardWorkbench(
        env.counter.services.ctx, env.counter.services.cards, env.context.purchase_card
    )
    for name, password in (("teller1", "teller1-pass"), ("super1", "super1-pass")):
        with pytest.raises(NotAuthorized):
            bench.unblock(auth.authenticate(name, password))
    window = back_office(env, "super1", "super1-pass")
    assert not window.tab("card-workbench").unblock_button.isEnabled()
