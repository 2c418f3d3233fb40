"""CardService records around card I/O (R6, R10, R12, R12a, R13, R16) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from counter_app.services import auth
from counter_app.services.errors import (
    CardCheckFailed,
    InvalidAmount,
    PurchaseStateError,
    ReversalRefused,
)
from counter_app.store.models import Customer, Meter, Purchase
from tests.services.conftest import World
from tests.services.test_payments import assert_invariants, money_snapshot


def card_customer(world: World, amount_fen: int = 5_000) -> tuple[Customer, Meter]:
    c = world.customer("CARD-1", remote=False)
    meter = Meter.get(Meter.customer == c.id)
    meter.card_serial = "SER-1"
    meter.save()
    out = world.services.payments.take_payment(c.customer_no, amount_fen, operator="teller1")
    assert out.reason == "card-mode" and out.route == "card"
    return c, meter


def test_r12_card_write_recorded_before_and_after_and_r13_writeback_loads(world: World) -> None:
    c, meter = card_customer(world)
    cards = world.services.cards
    ticket = cards.begin_card_write(
        meter.address, operator="teller1", card_serial="SER-1", card_count=0
    )
    assert (ticket.count, ticket.amount_fen) == (1, 5_000)
    assert Purchase.get_by_id(ticket.purchase_id).state == "card-writing"  # before the write
    assert Customer.get_by_id(c.id).prepayment_fen == 0  # money in transit
    assert_invariants()
    assert (
        cards.confirm_card_write(ticket.purchase_id, operator="teller1", card_serial="SER-1")
        == "card-written"
    )
    assert Meter.get_by_id(meter.id).committed_count == 0  # I2: the meter has not seen it
    assert_invariants()
    result = cards.apply_writeback(
        meter.address,
        remaining_fen=5_800,
        count=1,
        overdraft_fen=0,
        illegal_insertions=0,
        written_at=dt.datetime(2026, 11, 1, 8, 0),
        operator="teller1",
    )
    assert result.loaded_purchase_ids == (ticket.purchase_id,)
    assert result.committed_count == 1 and result.flags == ()
    m = Meter.get_by_id(meter.id)
    assert (m.last_balance_fen, m.committed_count, m.needs_reconciliation) == (5_800, 1, False)
    assert_invariants()


def test_r12_card_checks_refuse_and_change_nothing(world: World) -> None:
    _, meter = card_customer(world)
    cards = world.services.cards
    before = money_snapshot()
    with pytest.raises(CardCheckFailed, match="card-serial"):
        cards.begin_card_write(meter.address, operator="teller1", card_serial="OTHER", card_count=0)
    with pytest.raises(CardCheckFailed, match="count"):
        cards.begin_card_write(meter.address, operator="teller1", card_serial="SER-1", card_count=3)
    with pytest.raises(CardCheckFailed, match="R12a"):
        cards.begin_card_write(
            meter.address,
            operator="teller1",
            card_serial="SER-1",
            card_count=0,
            writeback_pending=True,
        )
    with pytest.raises(InvalidAmount):
        cards.begin_card_write(
            meter.address, operator="teller1", card_serial="SER-1", card_count=0, amount_fen=9_000
        )
    assert money_snapshot() == before


def test_r12_abandoned_write_returns_to_created_and_can_be_reversed(world: World) -> None:
    c, meter = card_customer(world)
    cards = world.services.cards
    ticket = cards.begin_card_write(
        meter.address, operator="teller1", card_serial="SER-1", card_count=0, amount_fen=2_000
    )
    assert Customer.get_by_id(c.id).prepayment_fen == 3_000  # R6: teller split the amount
    assert cards.abandon_card_write(ticket.purchase_id, operator="teller1") == "created"
    with pytest.raises(PurchaseStateError):
        cards.confirm_card_write(ticket.purchase_id, operator="teller1", card_serial="SER-1")
    assert_invariants()
    assert cards.cancel_card_purchase(ticket.purchase_id, operator="teller1") == 5_000
    assert Purchase.get_by_id(ticket.purchase_id).state == "reversed"
    assert_invariants()
    again = cards.begin_card_write(
        meter.address, operator="teller1", card_serial="SER-1", card_count=0
    )
    assert again.count == 1  # the count was free again


def test_r16_card_written_purchase_blocks_reversal_until_cleared(world: World) -> None:
    c = world.customer("CARD-2")
    world.dispatcher.script = ["channel-failure"]
    out = world.services.payments.take_payment(c.customer_no, 2_000, operator="teller1")
    meter = Meter.get(Meter.customer == c.id)
    # R10: the order is closed as failed, the customer brings the card, the teller writes n
    tech = auth.authenticate("tech1", "tech1-pass")
    (order,) = world.services.work_orders.list_orders()
    world.services.work_orders.take(order.id, tech)
    world.services.work_orders.close(order.id, tech, success=False)
    ticket = world.services.cards.begin_card_write(
        meter.address,
        operator="teller1",
        card_serial="ANY",
        card_count=0,
        purchase_id=out.purchase_id,
    )
    assert ticket.count == out.purchase_count == 1
    world.services.cards.confirm_card_write(
        ticket.purchase_id, operator="teller1", card_serial="ANY"
    )
    with pytest.raises(ReversalRefused, match="card-not-cleared"):
        world.services.reversals.reverse_payment(
            out.payment_id,
            operator="teller1",
            supervisor="super1",
            supervisor_password="super1-pass",
            reason="x",
        )
    world.services.cards.clear_card_purchase(ticket.purchase_id, operator="teller1")
    rev = world.services.reversals.reverse_payment(
        out.payment_id,
        operator="teller1",
        supervisor="super1",
        supervisor_password="super1-pass",
        reason="x",
    )
    assert rev.case == "payment-and-purchase"
    assert_invariants()


def test_r13_writeback_flags_differences(world: World) -> None:
    _, meter = card_customer(world)
    cards = world.services.cards
    cards.apply_writeback(
        meter.address,
        remaining_fen=100,
        count=0,
        overdraft_fen=0,
        illegal_insertions=1,
        written_at=None,
        operator="teller1",
    )
    result = cards.apply_writeback(
        meter.address,
        remaining_fen=0,
        count=2,
        overdraft_fen=350,
        illegal_insertions=4,
        written_at=None,
        operator="teller1",
    )
    assert any("above the committed count" in f for f in result.flags)
    assert any("overdraft" in f for f in result.flags)
    assert any("illegal card insertions grew" in f for f in result.flags)
    assert Meter.get_by_id(meter.id).needs_reconciliation
    assert_invariants()


def test_r12_card_serial_compared_as_hex_number(world: World) -> None:
    c = world.customer("CARD-3", remote=False)
    meter = Meter.get(Meter.customer == c.id)
    meter.card_serial = "C0000005"
    meter.save()
    world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    ticket = world.services.cards.begin_card_write(
        meter.address, operator="teller1", card_serial="00000000c0000005", card_count=0
    )
    assert ticket.amount_fen == 1_000


def test_security_refusals_of_a_card_are_audited(world: World) -> None:
    """I3: a blocked, forged or foreign card refused at the counter leaves an audit record
    naming the card and the meter; ordinary card errors are not security events."""
    from card_io.errors import CardBlocked, CountMismatch, ForgedCard, WrongKeyOrMac
    from counter_app.store.models import AuditLog

    _, meter = card_customer(world)
    cards = world.services.cards
    blocked = CardBlocked("external authentication", serial="00000000C0000005")
    assert cards.record_card_refusal(blocked, operator="teller1", meter=meter.address) == (
        "card-blocked-refused"
    )
    forged = ForgedCard("write-back file", serial="00000000C0000006")
    assert cards.record_card_refusal(forged, operator="teller1") == "card-forged-refused"
    assert cards.record_card_refusal(WrongKeyOrMac("x", 0x63C2), operator="t") == (
        "card-key-refused"
    )
    assert cards.record_card_refusal(CountMismatch(1, 2), operator="teller1") is None
    rows = list(AuditLog.select().where(AuditLog.action.endswith("-refused")).order_by(AuditLog.id))
    assert [(r.action, r.entity) for r in rows] == [
        ("card-blocked-refused", "meter"),
        ("card-forged-refused", "card"),
        ("card-key-refused", "card"),
    ]
    assert rows[0].entity_id == str(meter.id) and rows[0].after["status"] == "6983"
    assert rows[1].entity_id == "00000000C0000006" and rows[1].after["code"] == "forged-card"
