"""What the counter window shows: search as you type, the account summary, receipt data.

Why a read model of its own: the views stay thin (widgets, signals, texts) and never touch
peewee models, and the window's layer (``counter_app.ui``) imports no store at all (an
import contract). Everything here is blocking and Qt-free, runs on an owner thread
(``ui.workers``) and returns frozen records the GUI thread may hold safely after the
database connection is gone. These are read-only queries; they decide nothing about money —
business decisions stay in the other services and the core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from counter_app.core.allocation import OpenBill
from counter_app.core.channels import Channel
from counter_app.core.eligibility import MeterFacts
from counter_app.core.payment_plan import PaymentPlan, plan_payment
from counter_app.core.search_query import plan_search
from counter_app.services import audit, lookup
from counter_app.services.receipts import ReceiptData, ReceiptKind, ReceiptMeter
from counter_app.store.models import (
    BillSettlement,
    Customer,
    Meter,
    Payment,
    Purchase,
    StationTask,
    StationTaskState,
    User,
)
from counter_app.store.search_index import matching_customer_ids

SEARCH_LIMIT = 20
"""Results shown while typing: enough to pick from, few enough to stay instant."""


@dataclass(frozen=True)
class CustomerHit:
    customer_no: str
    name: str
    phone: str
    address: str
    meter_nos: tuple[str, ...]


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: tuple[CustomerHit, ...]
    more: bool


@dataclass(frozen=True)
class MeterRow:
    id: int
    meter_no: str
    address: str
    is_card_meter: bool
    collection_capable: bool
    mode: str
    active: bool
    committed_count: int
    last_balance_fen: int | None
    last_overdraft_fen: int | None
    last_relay: str | None
    last_seen_at: dt.datetime | None
    needs_reconciliation: bool
    card_serial: str | None


@dataclass(frozen=True)
class PaymentRow:
    id: int
    receipt_no: str
    created_at: dt.datetime
    amount_fen: int
    channel: str
    route: str
    reason: str | None
    reversed: bool
    operator: str
    counter_id: str
    purchase_state: str | None = None
    """State of the purchase this payment made (None: it made none), so the account view
    says what really happened to the money, not only the route planned for it."""
    purchase_outcome: str | None = None
    """Outcome of that purchase's last dispatch attempt (R7–R9), if any."""


@dataclass(frozen=True)
class PurchaseRow:
    id: int
    payment_id: int | None
    meter_no: str
    count: int
    amount_fen: int
    state: str
    route: str
    created_at: dt.datetime
    last_outcome: str | None
    last_reason: str


@dataclass(frozen=True)
class Account:
    """One customer as the account view shows it (arrears, prepayment, meters, history)."""

    id: int
    customer_no: str
    name: str
    address: str
    phone: str
    prepayment_fen: int
    arrears_fen: int
    open_bills: tuple[OpenBill, ...]
    meters: tuple[MeterRow, ...]
    facts: tuple[MeterFacts, ...]
    payments: tuple[PaymentRow, ...]
    purchases: tuple[PurchaseRow, ...]

    def plan(self, amount_fen: int, channel: Channel = Channel.COUNTER) -> PaymentPlan:
        """What a payment of ``amount_fen`` would do now (R1–R6), from the core's rules.

        The confirmation dialog states this plan; the payment service decides again inside
        its transaction, so a stale account cannot move money wrongly.
        """
        return plan_payment(amount_fen, channel, self.open_bills, self.prepayment_fen, self.facts)

    def meter(self, meter_id: int) -> MeterRow:
        return next(m for m in self.meters if m.id == meter_id)


def _hits(ids: list[int], limit: int) -> tuple[CustomerHit, ...]:
    """The customers of `ids` by customer number, with their meters: two queries in all."""
    if not ids:
        return ()
    customers = list(
        Customer.select().where(Customer.id.in_(ids)).order_by(Customer.customer_no).limit(limit)
    )
    meters: dict[int, list[str]] = {int(c.id): [] for c in customers}
    rows: Any = (
        Meter.select(Meter.customer, Meter.meter_no)
        .where(Meter.customer.in_(list(meters)))
        .order_by(Meter.id)
        .tuples()
    )
    for customer_id, meter_no in rows:
        meters[int(customer_id)].append(str(meter_no))
    return tuple(
        CustomerHit(
            str(c.customer_no), str(c.name), str(c.phone), str(c.address), tuple(meters[int(c.id)])
        )
        for c in customers
    )


def search_customers(text: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Customers by what the teller typed, each kind of query through its own index.

    Digits: customer number, meter number, meter address or phone by prefix, and from four
    digits by tail; text: name prefix, and from three characters a fragment of the name or
    address (`core.search_query`, `store.search_index`). A bounded number of index ranges
    per keystroke, whatever the number of customers.
    """
    plan = plan_search(text)
    if not plan.lookups:
        return SearchResult(plan.text, (), False)
    ids, more = matching_customer_ids(plan, limit)
    return SearchResult(plan.text, _hits(ids, limit), more)


def _meter_row(m: Meter) -> MeterRow:
    return MeterRow(
        id=int(m.id),
        meter_no=str(m.meter_no),
        address=str(m.address),
        is_card_meter=bool(m.is_card_meter),
        collection_capable=bool(m.collection_capable),
        mode=str(m.purchase_mode),
        active=bool(m.active),
        committed_count=int(m.committed_count),
        last_balance_fen=None if m.last_balance_fen is None else int(m.last_balance_fen),
        last_overdraft_fen=None if m.last_overdraft_fen is None else int(m.last_overdraft_fen),
        last_relay=None if m.last_relay is None else str(m.last_relay),
        last_seen_at=m.last_seen_at,
        needs_reconciliation=bool(m.needs_reconciliation),
        card_serial=None if m.card_serial is None else str(m.card_serial),
    )


def _handed_over(purchase: Purchase) -> bool:
    """The purchase waits for the collection system's result (a live task in our outbox)."""
    return bool(
        StationTask.select()
        .where(
            (StationTask.purchase == purchase.id)
            & StationTask.state.in_(list(StationTaskState.LIVE))
        )
        .exists()
    )


def load_account(customer_no: str, history: int = 10) -> Account:
    """The account view's figures for one customer (read-only)."""
    customer = lookup.find_customer(customer_no)
    meters = list(Meter.select().where(Meter.customer == customer.id).order_by(Meter.id))
    bills = tuple(lookup.open_bills(int(customer.id)))
    paid = list(
        Payment.select()
        .where(Payment.customer == customer.id)
        .order_by(Payment.id.desc())
        .limit(history)
    )
    # one statement for both lists: the newest purchases (the account's history) and the
    # purchases these payments made; any row beyond the newest is older than all of them
    newest = (
        Purchase.select(Purchase.id)
        .where(Purchase.customer == customer.id)
        .order_by(Purchase.id.desc())
        .limit(history)
    )
    rows = list(
        Purchase.select()
        .where(
            (Purchase.customer == customer.id)
            & (Purchase.id.in_(newest) | Purchase.payment.in_([int(p.id) for p in paid]))
        )
        .order_by(Purchase.id.desc())
    )
    recent = rows[:history]
    tallies = lookup.attempt_tallies([int(pu.id) for pu in rows])
    paid_ids = {int(p.id) for p in paid}
    made: dict[int, Purchase] = {}  # payment id -> the (first) purchase it made
    for pu in rows:  # newest first: the first purchase of a payment is written last
        if pu.payment_id is not None and int(pu.payment_id) in paid_ids:
            made[int(pu.payment_id)] = pu

    def made_by(payment_id: int) -> tuple[str | None, str | None]:
        """(state, last dispatch outcome) of the purchase a payment made, if it made one."""
        pu = made.get(payment_id)
        if pu is None:
            return None, None
        return str(pu.state), tallies.get(int(pu.id), lookup.NO_ATTEMPT).last_outcome

    payments = [
        PaymentRow(
            id=int(p.id),
            receipt_no=str(p.receipt_no),
            created_at=p.created_at,
            amount_fen=int(p.amount_fen),
            channel=str(p.channel),
            route=str(p.route),
            reason=None if p.reason is None else str(p.reason),
            reversed=bool(p.reversed),
            operator=str(p.operator),
            counter_id=str(p.counter_id),
            purchase_state=state,
            purchase_outcome=outcome,
        )
        for p in paid
        for state, outcome in (made_by(int(p.id)),)
    ]
    meter_nos = {int(m.id): str(m.meter_no) for m in meters}
    purchases = []
    for pu in recent:
        tally = tallies.get(int(pu.id), lookup.NO_ATTEMPT)
        outcome, reason = tally.last_outcome, tally.last_reason
        if str(pu.state) == "dispatching" and _handed_over(pu):
            outcome, reason = "pending", ""
        purchases.append(
            PurchaseRow(
                id=int(pu.id),
                payment_id=None if pu.payment_id is None else int(pu.payment_id),
                meter_no=meter_nos.get(int(pu.meter_id), "?"),
                count=int(pu.count),
                amount_fen=int(pu.amount_fen),
                state=str(pu.state),
                route=str(pu.route),
                created_at=pu.created_at,
                last_outcome=outcome,
                last_reason=reason,
            )
        )
    return Account(
        id=int(customer.id),
        customer_no=str(customer.customer_no),
        name=str(customer.name),
        address=str(customer.address),
        phone=str(customer.phone),
        prepayment_fen=int(customer.prepayment_fen),
        arrears_fen=sum(b.outstanding_fen for b in bills),
        open_bills=bills,
        meters=tuple(_meter_row(m) for m in meters),
        facts=tuple(lookup.meter_facts(m) for m in meters),
        payments=tuple(payments),
        purchases=tuple(purchases),
    )


def card_meters(account: Account) -> Sequence[MeterRow]:
    """Meters a card can be written for (R6/R12): active card meters."""
    return [m for m in account.meters if m.is_card_meter and m.active]


# -- receipts -------------------------------------------------------------------------------


def payment_receipt(payment_id: int, operator_name: str | None = None) -> ReceiptData:
    """A payment receipt rebuilt from the records (so a reprint says exactly what the
    original said): settlements (R1), adjusted fee and count (R3), the reason it stayed in
    prepayment (R2) and the dispatch outcome (R7–R9)."""
    p = Payment.get_by_id(payment_id)
    customer = Customer.get_by_id(p.customer_id)
    if operator_name is None:
        user = User.get_or_none(User.username == p.operator)
        operator_name = str(user.full_name or p.operator) if user is not None else str(p.operator)
    settled = sum(
        int(s.amount_fen)
        for s in BillSettlement.select().where(BillSettlement.payment == payment_id)
    )
    taken = audit.entries(entity="payment", entity_id=payment_id, actions=("take-payment",))
    after = taken[0].after if taken and isinstance(taken[0].after, dict) else {}
    arrears_after = int(after.get("arrears_fen", 0) or 0)
    tendered = after.get("tendered_fen")
    change = after.get("change_fen")
    purchase = Purchase.select().where(Purchase.payment == payment_id).order_by(Purchase.id).first()
    meters: tuple[ReceiptMeter, ...] = ()
    outcome: str | None = None
    detail: str | None = None
    count: int | None = None
    adjusted = 0
    if purchase is not None:
        meter = Meter.get_by_id(purchase.meter_id)
        count = int(purchase.count)
        adjusted = int(purchase.amount_fen)
        tally = lookup.attempt_tallies([int(purchase.id)]).get(int(purchase.id), lookup.NO_ATTEMPT)
        last, reason = tally.last_outcome, tally.last_reason
        state = str(purchase.state)
        if state == "loaded":
            outcome = last if last in ("success", "already-loaded") else "success"
        elif state in ("failed", "work-order"):
            outcome = "failed"
            detail = reason or last
        elif state == "card-written":
            outcome = "card-written"
        elif state == "dispatching" and _handed_over(purchase):
            outcome = "pending"  # 下发中: the collection system has it; the SMS tells the result
        elif state in ("dispatching", "card-writing"):
            outcome = "unresolved"  # R8/R16: settled by probing the meter or reading the card
        else:
            outcome = "not-dispatched"
        balance = None if meter.last_balance_fen is None else int(meter.last_balance_fen)
        meters = (ReceiptMeter(str(meter.meter_no), int(meter.committed_count), balance),)
    else:
        meters = tuple(
            ReceiptMeter(str(m.meter_no))
            for m in Meter.select().where((Meter.customer == customer.id) & Meter.active)
        )
    return ReceiptData(
        kind=ReceiptKind.PAYMENT,
        receipt_no=str(p.receipt_no),
        record_id=int(p.id),
        issued_at=p.created_at,
        counter_id=str(p.counter_id),
        operator=operator_name or str(p.operator),
        customer_no=str(customer.customer_no),
        customer_name=str(customer.name),
        amount_fen=int(p.amount_fen),
        channel=str(p.channel),
        arrears_settled_fen=settled,
        adjusted_fee_fen=adjusted,
        prepayment_after_fen=int(p.prepayment_after_fen),
        arrears_after_fen=arrears_after,
        meters=meters,
        route=str(p.route),
        reason=None if p.reason is None else str(p.reason),
        dispatch_outcome=outcome,
        dispatch_detail=detail,
        purchase_count=count,
        tendered_fen=int(tendered) if isinstance(tendered, int) else None,
        change_fen=int(change) if isinstance(change, int) else None,
    )
