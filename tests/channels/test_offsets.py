"""R4 offsets and transfers of prepayment: supervisor-authorized, booked through R1–R3, and
nothing dispatched while any arrears remain. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from counter_app.core.purchase_state import PurchaseState
from counter_app.services.errors import (
    AuthenticationFailed,
    InvalidAmount,
    InvalidInput,
    NotAuthorized,
)
from counter_app.services.offsets import OffsetService
from counter_app.store.models import AuditLog, Bill, Customer, Payment, PrepaymentTransfer, Purchase
from tests.channels.conftest import assert_invariants
from tests.fixtures.database import TestDatabase
from tests.services.conftest import World


def _prepayment_and_arrears(world: World, no: str, prepayment: int, arrears: int) -> Customer:
    """A remote-mode customer with `prepayment` waiting (its first purchase was pending) and
    `arrears` billed afterwards."""
    c = world.customer(no)
    payments = world.services.payments
    first = payments.take_payment(no, 100, operator="teller1", dispatch=False)
    payments.take_payment(no, prepayment, operator="teller1")  # R2: purchase pending
    assert first.purchase_id is not None
    world.services.dispatch.dispatch_purchase(first.purchase_id, "worker")
    payments.issue_bill(no, arrears, issued_on=dt.date(2026, 10, 1))
    return Customer.get_by_id(c.id)


def test_offset_settles_arrears_then_dispatches_the_rest(world: World, db: TestDatabase) -> None:
    c = _prepayment_and_arrears(world, "OF1", 800, 500)
    assert c.prepayment_fen == 800
    service = OffsetService(world.services.ctx, world.services.payments)
    outcome = service.offset_arrears(
        "OF1",
        operator="teller1",
        supervisor="super1",
        supervisor_password="super1-pass",
        reason="customer asked",
    )
    assert outcome.channel == "offset" and outcome.amount_fen == 500
    assert outcome.arrears_after_fen == 0
    assert outcome.purchase_count == 2 and outcome.adjusted_fee_fen == 300  # R4 -> R2/R3
    assert outcome.dispatch is not None and outcome.dispatch.state == PurchaseState.LOADED
    assert Customer.get_by_id(c.id).prepayment_fen == 0
    assert AuditLog.select().where(AuditLog.action == "offset-authorized").count() == 1
    assert_invariants()


def test_offset_dispatches_nothing_while_arrears_remain(world: World, db: TestDatabase) -> None:
    c = _prepayment_and_arrears(world, "OF1", 800, 1000)
    service = OffsetService(world.services.ctx, world.services.payments)
    outcome = service.offset_arrears(
        "OF1",
        operator="teller1",
        supervisor="super1",
        supervisor_password="super1-pass",
        reason="r",
    )
    assert outcome.amount_fen == 800 and outcome.arrears_after_fen == 200
    assert outcome.purchase_id is None and outcome.reason == "arrears-remain"
    assert Customer.get_by_id(c.id).prepayment_fen == 0
    assert Bill.get(Bill.customer == c.id).outstanding_fen == 200
    with pytest.raises(InvalidInput):  # nothing left to offset
        service.offset_arrears(
            "OF1",
            operator="teller1",
            supervisor="super1",
            supervisor_password="super1-pass",
            reason="r",
        )
    assert_invariants()


def test_offset_needs_a_supervisor_other_than_the_operator(world: World, db: TestDatabase) -> None:
    _prepayment_and_arrears(world, "OF1", 800, 500)
    service = OffsetService(world.services.ctx, world.services.payments)
    before = Payment.select().count()
    for supervisor, password, error in (
        ("teller2", "teller2-pass", NotAuthorized),
        ("super1", "wrong", AuthenticationFailed),
    ):
        with pytest.raises(error):
            service.offset_arrears(
                "OF1",
                operator="teller1",
                supervisor=supervisor,
                supervisor_password=password,
                reason="r",
            )
    with pytest.raises(NotAuthorized):
        service.offset_arrears(
            "OF1",
            operator="super1",
            supervisor="super1",
            supervisor_password="super1-pass",
            reason="r",
        )
    assert Payment.select().count() == before
    assert AuditLog.select().where(AuditLog.action == "authorization-refused").count() == 3
    assert_invariants()


def test_transfer_moves_prepayment_and_books_it_by_r1_to_r3(world: World, db: TestDatabase) -> None:
    giver = world.customer("TF1", remote=False)
    taker = world.customer("TF2")
    world.services.payments.take_payment("TF1", 900, operator="teller1")
    world.services.payments.issue_bill("TF2", 200, issued_on=dt.date(2026, 10, 1))
    service = OffsetService(world.services.ctx, world.services.payments)
    with pytest.raises(InvalidAmount):
        service.transfer(
            "TF1",
            "TF2",
            901,
            operator="teller1",
            supervisor="super1",
            supervisor_password="super1-pass",
            reason="r",
        )
    outcome = service.transfer(
        "TF1",
        "TF2",
        500,
        operator="teller1",
        supervisor="super1",
        supervisor_password="super1-pass",
        reason="merge",
    )
    assert outcome.from_prepayment_after_fen == 400
    assert outcome.payment.channel == "transfer" and outcome.payment.settled_fen == 200  # R1
    assert outcome.dispatch is not None and outcome.dispatch.state == PurchaseState.LOADED
    assert Purchase.get(Purchase.customer == taker.id).amount_fen == 300
    assert Customer.get_by_id(giver.id).prepayment_fen == 400
    assert PrepaymentTransfer.get().supervisor == "super1"
    assert_invariants()
