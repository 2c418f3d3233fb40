"""I1 and I2 over the whole database (counterctl check, and every money-moving test).

I1, per customer, as `core.invariants` states it::

    paid − refunded = consumption settled + prepayment + in transit + loaded
                      − reversal debits outstanding

with, from the tables: paid = payments of new money (not R4 offsets, reversed or not);
refunded = refunds, and prepayment transferred out to another customer (R4: for the giver
the money left as surely as a refund; the receiver has it as a ``transfer`` payment);
consumption settled = bill settlements not undone on consumption bills;
prepayment = `Customer.prepayment_fen`; in transit = purchases in `core.IN_TRANSIT` states;
loaded = purchases ``loaded``; reversal debits outstanding = outstanding of reversal-debit bills.
Business changes (R19, R20) add: prepayment also counts the reviewed prepayments still held
(pending or refused); refunded also counts prepayment refunds in cash; returned from removed
meters = the final balances of replaced meters (`ReviewedPrepayment` of source meter-balance).

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
from counter_app.store.database import database
from counter_app.store.models import (
    LIVE_SETTLEMENT,
    Bill,
    BillKind,
    BillSettlement,
    Customer,
    Meter,
    Payment,
    PrepaymentRefund,
    PrepaymentSource,
    PrepaymentTransfer,
    Purchase,
    Refund,
    ReviewedPrepayment,
    ReviewState,
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
    ) + _sum(
        PrepaymentTransfer.select(peewee.fn.SUM(PrepaymentTransfer.amount_fen)).where(
            PrepaymentTransfer.from_customer == customer_id
        )
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
    refunded += _sum(
        PrepaymentRefund.select(peewee.fn.SUM(PrepaymentRefund.amount_fen)).where(
            PrepaymentRefund.customer == customer_id
        )
    )
    held = _sum(
        ReviewedPrepayment.select(peewee.fn.SUM(ReviewedPrepayment.amount_fen)).where(
            (ReviewedPrepayment.customer == customer_id)
            & ReviewedPrepayment.state.in_(list(ReviewState.HELD))
        )
    )
    returned = _sum(
        ReviewedPrepayment.select(peewee.fn.SUM(ReviewedPrepayment.amount_fen)).where(
            (ReviewedPrepayment.customer == customer_id)
            & (ReviewedPrepayment.source == PrepaymentSource.METER_BALANCE)
        )
    )
    prepayment = int(Customer.get_by_id(customer_id).prepayment_fen) + held
    return CustomerLedger(
        paid_fen=paid,
        refunded_fen=refunded,
        consumption_settled_fen=settled,
        prepayment_fen=prepayment,
        in_transit_fen=in_transit,
        loaded_fen=loaded,
        reversal_debit_outstanding_fen=debits,
        returned_from_meters_fen=returned,
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


def _ids(sql: str, params: list[Any] | None = None) -> set[int]:
    return {int(row[0]) for row in database.execute_sql(sql, params or []).fetchall()}


def _in_list(values: list[str]) -> tuple[str, list[Any]]:
    marks = ", ".join(database.param for _ in values)
    return f"({marks})", list(values)


def suspect_customers() -> set[int]:
    """Customers whose I1 figures or bills may be broken, found with a few grouped queries.

    I1 as one signed sum per customer — paid − refunded (cash refunds of held prepayment and
    prepayment transferred out included) − settled − prepayment (held prepayment included) −
    in transit − loaded + reversal debits + returned from removed meters (R19), which is zero
    when I1 holds —
    grouped once over a ``UNION ALL``
    of the tables (no statement per customer); plus any negative amount (a negative figure
    can only come from one) and every bill whose outstanding amount is not its amount minus
    its live settlements. The suspects are then explained one by one by `check_customer`,
    so the findings read exactly as before.
    """
    moving, moving_params = _in_list([s.value for s in IN_TRANSIT] + [PurchaseState.LOADED.value])
    held, held_params = _in_list(list(ReviewState.HELD))
    p = database.param
    balance = f"""
        SELECT customer_id FROM (
            SELECT customer_id, amount_fen AS v FROM payment WHERE channel <> {p}
            UNION ALL
            SELECT pay.customer_id, -r.amount_fen FROM refund r
                JOIN payment pay ON pay.id = r.payment_id
            UNION ALL
            SELECT b.customer_id, -s.amount_fen FROM bill_settlement s
                JOIN bill b ON b.id = s.bill_id
                WHERE b.kind = {p} AND s.undone = {p}
            UNION ALL
            SELECT id, -prepayment_fen FROM customer
            UNION ALL
            SELECT customer_id, -amount_fen FROM purchase WHERE state IN {moving}
            UNION ALL
            SELECT customer_id, outstanding_fen FROM bill WHERE kind = {p}
            UNION ALL
            SELECT from_customer_id, -amount_fen FROM prepayment_transfer
            UNION ALL
            SELECT customer_id, -amount_fen FROM prepayment_refund
            UNION ALL
            SELECT customer_id, -amount_fen FROM reviewed_prepayment WHERE state IN {held}
            UNION ALL
            SELECT customer_id, amount_fen FROM reviewed_prepayment WHERE source = {p}
        ) AS movements
        GROUP BY customer_id
        HAVING SUM(v) <> 0"""
    suspects = _ids(
        balance,
        [
            "offset",
            BillKind.CONSUMPTION,
            False,
            *moving_params,
            BillKind.REVERSAL_DEBIT,
            *held_params,
            PrepaymentSource.METER_BALANCE,
        ],
    )
    suspects |= _ids(
        """SELECT customer_id FROM payment WHERE amount_fen < 0
           UNION SELECT pay.customer_id FROM refund r JOIN payment pay ON pay.id = r.payment_id
                 WHERE r.amount_fen < 0
           UNION SELECT b.customer_id FROM bill_settlement s JOIN bill b ON b.id = s.bill_id
                 WHERE s.amount_fen < 0
           UNION SELECT customer_id FROM purchase WHERE amount_fen < 0
           UNION SELECT customer_id FROM bill WHERE outstanding_fen < 0
           UNION SELECT id FROM customer WHERE prepayment_fen < 0
           UNION SELECT customer_id FROM prepayment_refund WHERE amount_fen < 0
           UNION SELECT from_customer_id FROM prepayment_transfer WHERE amount_fen < 0
           UNION SELECT customer_id FROM reviewed_prepayment WHERE amount_fen < 0"""
    )
    suspects |= _ids(
        f"""SELECT b.customer_id FROM bill b
            LEFT JOIN (SELECT bill_id, SUM(amount_fen) AS settled FROM bill_settlement
                       WHERE undone = {p} GROUP BY bill_id) live ON live.bill_id = b.id
            WHERE b.amount_fen - COALESCE(live.settled, 0) <> b.outstanding_fen""",
        [False],
    )
    return suspects


def suspect_meters() -> set[int]:
    """Meters whose counts may break I2, from grouped queries over the purchases.

    Per meter, the loaded counts must run from base+1 to the committed count with no gap and
    no duplicate: their minimum, maximum and number say so unless a duplicate hides a gap
    (1, 1, 3), which the duplicate query catches. Live counts must not repeat either.
    """
    p = database.param
    loaded = PurchaseState.LOADED.value
    suspects = _ids(
        f"""SELECT m.id FROM meter m
            LEFT JOIN (SELECT meter_id, MIN("count") AS lo, MAX("count") AS hi, COUNT(*) AS n
                       FROM purchase WHERE state = {p} GROUP BY meter_id) c ON c.meter_id = m.id
            WHERE (c.n IS NULL AND m.committed_count <> m.base_count)
               OR (c.n IS NOT NULL AND (c.lo <> m.base_count + 1 OR c.hi <> m.committed_count
                                        OR c.hi - c.lo + 1 <> c.n))""",
        [loaded],
    )
    suspects |= _ids(
        f"""SELECT meter_id FROM purchase WHERE state = {p}
            GROUP BY meter_id, "count" HAVING COUNT(*) > 1""",
        [loaded],
    )
    suspects |= _ids(
        f"""SELECT meter_id FROM purchase WHERE state <> {p}
            GROUP BY meter_id, "count" HAVING COUNT(*) > 1""",
        [PurchaseState.REVERSED.value],
    )
    return suspects


def check_audit_chain() -> list[InvariantBreak]:
    """The first break of the audit trail's hash chain, if any (I3)."""
    broken = audit.verify_chain()
    if broken is None:
        return []
    return [InvariantBreak("I3", "audit record", str(broken.record_id), broken.problem)]


def check_database() -> list[InvariantBreak]:
    """Every I1/I2 break in the bound database (empty: all hold).

    Set-based: a handful of grouped statements over the whole books find the customers and
    meters that may be broken (seconds at a million customers, instead of nine statements
    per customer), and only those are examined row by row for the findings' wording.
    """
    breaks: list[InvariantBreak] = check_audit_chain()
    for customer_id in sorted(suspect_customers()):
        breaks.extend(check_customer(customer_id))
    for meter_id in sorted(suspect_meters()):
        breaks.extend(check_meter(meter_id))
    return breaks
