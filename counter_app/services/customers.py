"""Read-only views of customers for the counter screen and counterctl."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee

from counter_app.services.lookup import find_customer
from counter_app.store.models import Bill, Customer, Meter, Payment, Purchase


@dataclass(frozen=True)
class MeterView:
    id: int
    address: str
    meter_no: str
    customer_no: str
    is_card_meter: bool
    collection_capable: bool
    purchase_mode: str
    active: bool
    committed_count: int
    last_balance_fen: int | None
    card_serial: str | None
    needs_reconciliation: bool


@dataclass(frozen=True)
class BillView:
    id: int
    kind: str
    amount_fen: int
    outstanding_fen: int
    issued_on: dt.date
    period: str


@dataclass(frozen=True)
class PaymentView:
    id: int
    receipt_no: str
    amount_fen: int
    channel: str
    operator: str
    counter_id: str
    created_at: dt.datetime
    reversed: bool
    route: str
    reason: str | None


@dataclass(frozen=True)
class PurchaseView:
    id: int
    meter_address: str
    count: int
    amount_fen: int
    state: str
    route: str
    payment_id: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class CustomerSummary:
    id: int
    customer_no: str
    name: str
    address: str
    phone: str
    sms_subscribed: bool
    prepayment_fen: int
    arrears_fen: int
    meter_count: int


@dataclass(frozen=True)
class CustomerDetail:
    summary: CustomerSummary
    meters: tuple[MeterView, ...]
    open_bills: tuple[BillView, ...]
    payments: tuple[PaymentView, ...]
    purchases: tuple[PurchaseView, ...]


def _arrears(customer_id: int) -> int:
    total = (
        Bill.select(peewee.fn.SUM(Bill.outstanding_fen))
        .where(Bill.customer == customer_id)
        .scalar()
    )
    return int(total or 0)


def _summary(c: Customer) -> CustomerSummary:
    return CustomerSummary(
        int(c.id),
        str(c.customer_no),
        str(c.name),
        str(c.address),
        str(c.phone),
        bool(c.sms_subscribed),
        int(c.prepayment_fen),
        _arrears(int(c.id)),
        int(Meter.select().where(Meter.customer == c.id).count()),
    )


def list_customers(search: str = "", limit: int = 200) -> list[CustomerSummary]:
    """Customers by customer number, filtered by a fragment of number, name or meter address."""
    query = Customer.select().order_by(Customer.customer_no)
    if search.strip():
        s = f"%{search.strip()}%"
        meter_hit = Meter.select(Meter.customer).where((Meter.address**s) | (Meter.meter_no**s))
        query = query.where(
            (Customer.customer_no**s) | (Customer.name**s) | Customer.id.in_(meter_hit)
        )
    return [_summary(c) for c in query.limit(limit)]


def customer_detail(key: str | int, *, history: int = 20) -> CustomerDetail:
    """One customer with meters, open bills and the latest payments and purchases."""
    c = find_customer(key)
    meters = tuple(
        MeterView(
            int(m.id),
            str(m.address),
            str(m.meter_no),
            str(m.customer_no),
            bool(m.is_card_meter),
            bool(m.collection_capable),
            str(m.purchase_mode),
            bool(m.active),
            int(m.committed_count),
            m.last_balance_fen,
            m.card_serial,
            bool(m.needs_reconciliation),
        )
        for m in Meter.select().where(Meter.customer == c.id).order_by(Meter.id)
    )
    bills = tuple(
        BillView(
            int(b.id),
            str(b.kind),
            int(b.amount_fen),
            int(b.outstanding_fen),
            b.issued_on,
            str(b.period),
        )
        for b in Bill.select()
        .where((Bill.customer == c.id) & (Bill.outstanding_fen > 0))
        .order_by(Bill.issued_on, Bill.id)
    )
    payments = tuple(
        PaymentView(
            int(p.id),
            str(p.receipt_no),
            int(p.amount_fen),
            str(p.channel),
            str(p.operator),
            str(p.counter_id),
            p.created_at,
            bool(p.reversed),
            str(p.route),
            p.reason,
        )
        for p in Payment.select()
        .where(Payment.customer == c.id)
        .order_by(Payment.id.desc())
        .limit(history)
    )
    purchases = tuple(
        PurchaseView(
            int(p.id),
            str(p.meter.address),
            int(p.count),
            int(p.amount_fen),
            str(p.state),
            str(p.route),
            p.payment_id,
            p.created_at,
        )
        for p in Purchase.select(Purchase, Meter)
        .join(Meter)
        .where(Purchase.customer == c.id)
        .order_by(Purchase.id.desc())
        .limit(history)
    )
    return CustomerDetail(_summary(c), meters, bills, payments, purchases)
