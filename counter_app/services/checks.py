"""I1 and I2 over the whole database (counterctl check, and every money-moving test).

I1, per customer, as `core.invariants` states it::

    paid − refunded = consumption settled + prepayment + in transit + loaded
                      − reversal debits outstanding

with, from the tables: paid = payments of new money (not R4 offsets, reversed or not);
refunded = refunds; consumption settled = bill settlements not undone on consumption bills;
prepayment = `Customer.prepayment_fen`; in transit = purchases in `core.IN_TRANSIT` states;
loaded = purchases ``loaded``; reversal debits outstanding = outstanding of reversal-debit bills.

I2, per meter: the counts of its ``loaded`` purchases are base+1, base+2, … with no gap and no
duplicate, and the highest equals the meter's committed count. Also checked: every bill's
outstanding amount equals its amount minus its live settlements.

I3, the audit trail: its hash chain holds from the first record to the last
(`core.audit_chain`); the first record where it does not is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import peewee

from counter_app.core.invariants import CustomerLedger, check_i1, check_i2
from counter_app.core.purchase_state import IN_TRANSIT, PurchaseState
from counter_app.services import audit
from counter_app.store.models import (
    LIVE_SETTLEMENT,
    Bill,
    BillKind,
    BillSettlement,
    Customer,
    Meter,
    Payment,
    Purchase,
    Refund,
)


@dataclass(frozen=True)
class InvariantBreak:
    """One broken invariant: which (I1, I2, bills), where, and what."""

    invariant: str
    entity: str
    key: str
    detail: str

    def __str__(self) -> str:
        return f"{self.invariant} {self.entity} {self.key}: {self.detail}"


def _sum(query: Any) -> int:
    return int(query.scalar() or 0)


def customer_ledger(customer_id: int) -> CustomerLedger:
    """I1's figures for one customer, summed from independent tables."""
    paid = _sum(
        Payment.select(peewee.fn.SUM(Payment.amount_fen)).where(
            (Payment.customer == customer_id) & (Payment.channel != "offset")
        )
    )
    refunded = _sum(
        Refund.select(peewee.fn.SUM(Refund.amount_fen))
        .join(Payment)
        .where(Payment.customer == customer_id)
    )
    settled = _sum(
        BillSettlement.select(peewee.fn.SUM(BillSettlement.amount_fen))
        .join(Bill)
        .where(
            (Bill.customer == customer_id) & (Bill.kind == BillKind.CONSUMPTION) & LIVE_SETTLEMENT
        )
    )
    in_transit = _sum(
        Purchase.select(peewee.fn.SUM(Purchase.amount_fen)).where(
            (Purchase.customer == customer_id) & Purchase.state.in_([s.value for s in IN_TRANSIT])
        )
    )
    loaded = _sum(
        Purchase.select(peewee.fn.SUM(Purchase.amount_fen)).where(
            (Purchase.customer == customer_id) & (Purchase.state == PurchaseState.LOADED.value)
        )
    )
    debits = _sum(
        Bill.select(peewee.fn.SUM(Bill.outstanding_fen)).where(
            (Bill.customer == customer_id) & (Bill.kind == BillKind.REVERSAL_DEBIT)
        )
    )
    prepayment = int(Customer.get_by_id(customer_id).prepayment_fen)
    return CustomerLedger(
        paid_fen=paid,
        refunded_fen=refunded,
        consumption_settled_fen=settled,
        prepayment_fen=prepayment,
        in_transit_fen=in_transit,
        loaded_fen=loaded,
        reversal_debit_outstanding_fen=debits,
    )


def check_customer(customer_id: int) -> list[InvariantBreak]:
    customer = Customer.get_by_id(customer_id)
    breaks = [
        InvariantBreak("I1", "customer", str(customer.customer_no), text)
        for text in check_i1(customer_ledger(customer_id))
    ]
    for bill in Bill.select().where(Bill.customer == customer_id):
        live = _sum(
            BillSettlement.select(peewee.fn.SUM(BillSettlement.amount_fen)).where(
                (BillSettlement.bill == bill.id) & LIVE_SETTLEMENT
            )
        )
        if int(bill.amount_fen) - live != int(bill.outstanding_fen) or bill.outstanding_fen < 0:
            breaks.append(
                InvariantBreak(
                    "bills",
                    "bill",
                    str(bill.id),
                    f"amount {bill.amount_fen} − settled {live} "
                    f"≠ outstanding {bill.outstanding_fen}",
                )
            )
    return breaks


def check_meter(meter_id: int) -> list[InvariantBreak]:
    meter = Meter.get_by_id(meter_id)
    counts = [
        int(p.count)
        for p in Purchase.select(Purchase.count).where(
            (Purchase.meter == meter_id) & (Purchase.state == PurchaseState.LOADED.value)
        )
    ]
    base = int(meter.base_count)
    key = str(meter.address)
    breaks = [InvariantBreak("I2", "meter", key, text) for text in check_i2(counts, first=base + 1)]
    top = max(counts, default=base)
    if top != int(meter.committed_count):
        breaks.append(
            InvariantBreak(
                "I2",
                "meter",
                key,
                f"committed count {meter.committed_count} but loaded purchases reach {top}",
            )
        )
    live = [
        int(p.count)
        for p in Purchase.select(Purchase.count).where(
            (Purchase.meter == meter_id) & (Purchase.state != PurchaseState.REVERSED.value)
        )
    ]
    if len(live) != len(set(live)):
        breaks.append(InvariantBreak("I2", "meter", key, f"live purchase counts repeat: {live}"))
    return breaks


def check_audit_chain() -> list[InvariantBreak]:
    """The first break of the audit trail's hash chain, if any (I3)."""
    broken = audit.verify_chain()
    if broken is None:
        return []
    return [InvariantBreak("I3", "audit record", str(broken.record_id), broken.problem)]


def check_database() -> list[InvariantBreak]:
    """Every I1/I2 break and the first audit chain break in the bound database (empty: all
    hold)."""
    breaks: list[InvariantBreak] = check_audit_chain()
    for customer in Customer.select(Customer.id).order_by(Customer.id):
        breaks.extend(check_customer(int(customer.id)))
    for meter in Meter.select(Meter.id).order_by(Meter.id):
        breaks.extend(check_meter(int(meter.id)))
    return breaks
