"""Finding and locking rows, and turning them into the core's plain facts.

The ``lock_*`` helpers are called inside `write_transaction`: on PostgreSQL they take the row
lock (``SELECT ... FOR UPDATE``), on SQLite the transaction already holds the write lock.
Lock order is always customer, then meters, then purchases (`lock_purchase_with_owners`), so
two counters cannot deadlock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from peewee import fn

from counter_app.core.allocation import OpenBill
from counter_app.core.eligibility import MeterFacts
from counter_app.core.eligibility import PurchaseMode as CorePurchaseMode
from counter_app.core.purchase_state import IN_TRANSIT, PurchaseState
from counter_app.services.errors import (
    UnknownCustomer,
    UnknownMeter,
    UnknownPayment,
    UnknownPurchase,
)
from counter_app.store.database import locked
from counter_app.store.models import Bill, Customer, DispatchAttempt, Meter, Payment, Purchase

PENDING_STATES = frozenset(s.value for s in IN_TRANSIT)
"""Purchase states that block a new purchase for the same meter (core `MeterFacts`)."""


def find_customer(key: str | int) -> Customer:
    """A customer by customer number (户号) or, for an all-digit key not found so, by id."""
    text = str(key).strip()
    customer = Customer.get_or_none(Customer.customer_no == text)
    if customer is None and text.isdigit() and len(text) < 10:
        customer = Customer.get_or_none(Customer.id == int(text))
    if customer is None:
        raise UnknownCustomer(text)
    return customer


def lock_customer(customer_id: int) -> Customer:
    customer = locked(Customer.select().where(Customer.id == customer_id)).first()
    if customer is None:
        raise UnknownCustomer(str(customer_id))
    return cast(Customer, customer)


def lock_meters(customer_id: int) -> list[Meter]:
    query = Meter.select().where(Meter.customer == customer_id).order_by(Meter.id)
    return list(locked(query))


def find_meter(key: str | int) -> Meter:
    """A meter by communication address, meter number or id."""
    text = str(key).strip()
    meter = Meter.get_or_none((Meter.address == text) | (Meter.meter_no == text))
    if meter is None and text.isdigit() and len(text) < 10:
        meter = Meter.get_or_none(Meter.id == int(text))
    if meter is None:
        raise UnknownMeter(text)
    return meter


def lock_meter(meter_id: int) -> Meter:
    meter = locked(Meter.select().where(Meter.id == meter_id)).first()
    if meter is None:
        raise UnknownMeter(str(meter_id))
    return cast(Meter, meter)


def find_payment(key: str | int) -> Payment:
    """A payment by id or receipt number."""
    text = str(key).strip()
    payment = Payment.get_or_none(Payment.receipt_no == text)
    if payment is None and text.isdigit():
        payment = Payment.get_or_none(Payment.id == int(text))
    if payment is None:
        raise UnknownPayment(text)
    return payment


def lock_purchase(purchase_id: int) -> Purchase:
    purchase = locked(Purchase.select().where(Purchase.id == purchase_id)).first()
    if purchase is None:
        raise UnknownPurchase(purchase_id)
    return cast(Purchase, purchase)


def lock_purchase_with_owners(purchase_id: int) -> tuple[Customer, Meter, Purchase]:
    """Lock a purchase's customer, meter and the purchase itself, in the house lock order
    (customer, meter, purchase), so that concurrent steps never deadlock."""
    row = Purchase.get_or_none(Purchase.id == purchase_id)
    if row is None:
        raise UnknownPurchase(purchase_id)
    customer = lock_customer(int(row.customer_id))
    meter = lock_meter(int(row.meter_id))
    return customer, meter, lock_purchase(purchase_id)


def has_pending_purchase(meter_id: int, *, except_purchase: int | None = None) -> bool:
    query = Purchase.select().where(
        (Purchase.meter == meter_id) & Purchase.state.in_(list(PENDING_STATES))
    )
    if except_purchase is not None:
        query = query.where(Purchase.id != except_purchase)
    return bool(query.exists())


def meter_facts(meter: Meter) -> MeterFacts:
    """The core's view of a meter (R2, R3, R6, and the pending-purchase rule)."""
    return MeterFacts(
        meter_id=int(meter.id),
        is_card_meter=bool(meter.is_card_meter),
        collection_capable=bool(meter.collection_capable),
        mode=CorePurchaseMode(str(meter.purchase_mode)),
        active=bool(meter.active),
        last_committed_count=int(meter.committed_count),
        pending_purchase=has_pending_purchase(int(meter.id)),
    )


def open_bills(customer_id: int) -> list[OpenBill]:
    """Outstanding bills of a customer (consumption and reversal debits), for R1.

    Not locked row by row: every writer of a customer's bills holds the customer's lock.
    """
    query = Bill.select().where((Bill.customer == customer_id) & (Bill.outstanding_fen > 0))
    return [
        OpenBill(bill_id=int(b.id), issued_on=b.issued_on, outstanding_fen=int(b.outstanding_fen))
        for b in query.order_by(Bill.issued_on, Bill.id)
    ]


def arrears_fen(customer_id: int) -> int:
    return sum(b.outstanding_fen for b in open_bills(customer_id))


def purchase_state(purchase: Purchase) -> PurchaseState:
    return PurchaseState(str(purchase.state))


@dataclass(frozen=True)
class AttemptTally:
    """How often a purchase was attempted (R9) and how its latest attempt ended."""

    attempts: int
    last_outcome: str | None
    last_reason: str


NO_ATTEMPT = AttemptTally(0, None, "")


def attempt_tallies(purchase_ids: list[int]) -> dict[int, AttemptTally]:
    """The attempt tally of each purchase in two statements, whatever their number (the
    account's history and the work-order queue list many purchases at once)."""
    if not purchase_ids:
        return {}
    grouped: Any = (
        DispatchAttempt.select(
            DispatchAttempt.purchase, fn.COUNT(DispatchAttempt.id), fn.MAX(DispatchAttempt.id)
        )
        .where(DispatchAttempt.purchase.in_(purchase_ids))
        .group_by(DispatchAttempt.purchase)
        .tuples()
    )
    counts = {int(pid): (int(n), int(last)) for pid, n, last in grouped}
    last_rows: Any = DispatchAttempt.select(
        DispatchAttempt.id, DispatchAttempt.outcome, DispatchAttempt.reason
    ).where(DispatchAttempt.id.in_([last for _, last in counts.values()]))
    last = {int(a.id): a for a in last_rows}
    return {
        pid: AttemptTally(n, str(last[lid].outcome), str(last[lid].reason))
        for pid, (n, lid) in counts.items()
    }
