"""A bank's reversal (代收冲正) by its serial: R15's matrix by dispatch state, R16's refusals,
same day only, idempotent on the bank's reversal serial. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from counter_app.core.purchase_state import PurchaseState
from counter_app.services.bank import BankCollectionService, ChannelReversalRefused
from counter_app.store.models import Bill, ChannelPayment, Payment, Purchase, Refund
from tests.channels.conftest import assert_invariants, bank_file, bank_line
from tests.fixtures.database import TestDatabase
from tests.services.conftest import World

TODAY = dt.date.today()


def _import(world: World, *lines: str) -> BankCollectionService:
    service = BankCollectionService(world.services.ctx, world.services.reversals)
    report = service.import_bytes(
        bank_file("ICBC01", TODAY, list(lines)), file_name="today.csv", operator="super1"
    )
    assert report.rejected_count == 0
    return service


def test_reversal_follows_the_dispatch_state(world: World, db: TestDatabase) -> None:
    world.customer("RV1")
    world.customer("RV2")
    world.customer("RV3")
    service = _import(
        world,
        bank_line("S1", "RV1", 5000),
        bank_line("S2", "RV2", 6000),
        bank_line("S3", "RV3", 700),
    )
    # RV2's purchase reaches the meter; RV3's dispatch is left unresolved (link broke)
    p2 = Purchase.get(Purchase.amount_fen == 6000)
    world.services.dispatch.dispatch_purchase(p2.id, "worker")
    p3 = Purchase.get(Purchase.amount_fen == 700)
    world.dispatcher.script.append("raise")
    world.services.dispatch.dispatch_purchase(p3.id, "worker")
    assert Purchase.get_by_id(p3.id).state == PurchaseState.DISPATCHING

    done = service.reverse("ICBC01", "S1", "R-S1", reason="customer cancelled", operator="super1")
    assert done.outcome is not None and done.outcome.case == "payment-and-purchase"
    assert Purchase.get(Purchase.amount_fen == 5000).state == PurchaseState.REVERSED
    assert ChannelPayment.get(ChannelPayment.serial == "S1").reversal_serial == "R-S1"

    done = service.reverse("ICBC01", "S2", "R-S2", reason="wrong account", operator="super1")
    assert done.outcome is not None and done.outcome.case == "payment-only"
    debit = Bill.get(Bill.kind == "reversal-debit")
    assert debit.outstanding_fen == 6000  # R15: the meter keeps the credit, now owed

    # R16: the recharge may have reached the meter; while the meter cannot be probed (R8)
    # the reversal is refused
    probe = world.dispatcher.probe
    world.dispatcher.probe = _unreachable  # type: ignore[method-assign]
    with pytest.raises(ChannelReversalRefused) as info:
        service.reverse("ICBC01", "S3", "R-S3", reason="x", operator="super1")
    assert info.value.refusal == "unresolved-dispatch"
    assert not Payment.get(Payment.receipt_no == "bank-ICBC01-S3").reversed
    # reachable again: the probe finds count n-1 (never arrived), so the purchase goes too
    world.dispatcher.probe = probe  # type: ignore[method-assign]
    done = service.reverse("ICBC01", "S3", "R-S3", reason="x", operator="super1")
    assert done.outcome is not None and done.outcome.case == "payment-and-purchase"

    repeated = service.reverse("ICBC01", "S1", "R-S1", reason="again", operator="super1")
    assert repeated.repeated and repeated.outcome is None
    with pytest.raises(ChannelReversalRefused) as info:
        service.reverse("ICBC01", "S1", "R-OTHER", reason="again", operator="super1")
    assert info.value.refusal == "already-reversed"
    with pytest.raises(ChannelReversalRefused) as info:
        service.reverse("ICBC01", "NOPE", "R-X", reason="x", operator="super1")
    assert info.value.refusal == "no-record"
    assert Refund.select().count() == 3
    assert_invariants()


def _unreachable(address: str) -> object:
    raise ConnectionError("meter not reachable")


def test_only_the_same_day_is_reversed_by_serial(world: World, db: TestDatabase) -> None:
    world.customer("RV1", remote=False)
    service = BankCollectionService(world.services.ctx, world.services.reversals)
    yesterday = TODAY - dt.timedelta(days=1)
    service.import_bytes(
        bank_file("ICBC01", yesterday, [bank_line("S1", "RV1", 100)]),
        file_name="y.csv",
        operator="super1",
    )
    with pytest.raises(ChannelReversalRefused) as info:
        service.reverse("ICBC01", "S1", "R1", reason="late", operator="super1")
    assert info.value.refusal == "not-today"
    assert Refund.select().count() == 0
    assert_invariants()
