"""`counterctl check` is set-based now; every kind of broken invariant is still found, worded
as the row-by-row check words it (the row-by-row loop over every customer and meter stays
here as the reference)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from counter_app.services.checks import check_customer, check_database, check_meter
from counter_app.store import database as store_db
from counter_app.store.models import Bill, BillKind, Customer, Meter, Purchase
from tests.services.conftest import World


def row_by_row() -> list[str]:
    found = []
    for c in Customer.select(Customer.id).order_by(Customer.id):
        found += [str(b) for b in check_customer(int(c.id))]
    for m in Meter.select(Meter.id).order_by(Meter.id):
        found += [str(b) for b in check_meter(int(m.id))]
    return found


def _books(world: World) -> tuple[Customer, Customer]:
    """Two customers with loaded purchases, a settled bill, money in prepayment, and a
    replaced meter whose final balance waits for review."""
    a = world.customer("C001")
    b = world.customer("C002", meters=2)
    Bill.create(
        customer=a,
        kind=BillKind.CONSUMPTION,
        amount_fen=700,
        outstanding_fen=700,
        issued_on="2026-11-01",
    )
    pay = world.services.payments.take_payment
    for amount in (1_000, 2_000, 3_000):
        pay(a.customer_no, amount, operator="teller1")
    pay(b.customer_no, 500, operator="teller1")  # multi-meter: stays in prepayment (R6)
    _replace_dead_meter(world, a)
    return a, b


def _sql(statement: str) -> None:
    store_db.database.execute_sql(statement)


def _loaded(customer: Customer) -> list[Purchase]:
    return list(
        Purchase.select()
        .where((Purchase.customer == customer.id) & (Purchase.state == "loaded"))
        .order_by(Purchase.count)
    )


def _replace_dead_meter(world: World, a: Customer) -> None:
    """R19: a's meter is swapped while dead; its final balance waits for review (R20)."""
    from counter_app.services import auth

    tech = auth.sign_in("tech1", "tech1-pass", counter_id="T1")
    meter = Meter.get(Meter.customer == a.id)
    world.services.business.replace_meter(
        tech,
        int(meter.id),
        new_meter_address="990000000001",
        dead=True,
        final_balance_fen=4_200,
        final_count=int(meter.committed_count),
        reason="burnt",
        open_account=False,
    )


BREAKS: dict[str, Callable[[Customer, Customer], None]] = {
    "prepayment changed": lambda a, b: (
        Customer.update(prepayment_fen=Customer.prepayment_fen + 1)
        .where(Customer.id == b.id)
        .execute()
    ),
    "negative prepayment balanced by a negative payment": lambda a, b: (
        Customer.update(prepayment_fen=-100).where(Customer.id == b.id).execute(),
        _sql(f"UPDATE payment SET amount_fen = -600 WHERE customer_id = {b.id}"),
    ),
    "bill outstanding wrong": lambda a, b: Bill.update(outstanding_fen=5).execute(),
    "purchase amount changed": lambda a, b: (
        Purchase.update(amount_fen=Purchase.amount_fen + 9)
        .where(Purchase.id == _loaded(a)[0].id)
        .execute()
    ),
    "loaded count gap": lambda a, b: (
        Purchase.update(count=4).where(Purchase.id == _loaded(a)[-1].id).execute(),
        Meter.update(committed_count=4).where(Meter.customer == a.id).execute(),
    ),
    "duplicate hides a gap": lambda a, b: (
        _sql("DROP INDEX purchase_meter_live_count"),
        Purchase.update(count=1).where(Purchase.id == _loaded(a)[1].id).execute(),
    ),
    "committed count ahead": lambda a, b: (
        Meter.update(committed_count=Meter.committed_count + 1)
        .where(Meter.customer == a.id)
        .execute()
    ),
    "count on a meter with nothing loaded": lambda a, b: (
        Meter.update(committed_count=2).where(Meter.customer == b.id).execute()
    ),
    "held meter balance marked approved without booking it": lambda a, b: _sql(
        "UPDATE reviewed_prepayment SET state = 'approved'"
    ),
    "live counts repeat": lambda a, b: (
        _sql("DROP INDEX purchase_meter_live_count"),
        Purchase.update(state="created", count=3).where(Purchase.id == _loaded(a)[0].id).execute(),
    ),
}


def test_intact_books_have_no_finding(world: World) -> None:
    _books(world)
    assert check_database() == []
    assert row_by_row() == []


@pytest.mark.parametrize("kind", list(BREAKS))
def test_each_kind_of_break_is_found_as_before(world: World, kind: str) -> None:
    a, b = _books(world)
    BREAKS[kind](a, b)
    expected = row_by_row()
    assert expected, f"{kind}: the reference finds nothing, so the test would prove nothing"
    assert [str(x) for x in check_database()] == expected
