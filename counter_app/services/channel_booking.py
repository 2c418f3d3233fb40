"""Booking payments that arrive with a channel's own serial: banks and terminals (R1–R6, R5).

One procedure for every such payment, whether one terminal request or a bank file of 100,000
lines: `book_channel_payments` takes a batch of requests and books each one exactly as
`PaymentService.take_payment` would (the same `core.plan_payment`: R1 allocation oldest bill
first, R2 eligibility, R3 adjusted fee with ``n = committed + 1``, R4, R6), in file order, in
one transaction. Why a batch and not `take_payment` line by line: a bank file is booked in
seconds, not hours, only when the rows of a batch are read once (customers, meters, pending
purchases, open bills, serials already booked) and written with multi-row inserts. The plan of
each line still sees everything the lines before it did: the in-memory figures of a customer
move line by line, so the second payment of a customer in the same file finds the first one's
purchase pending (its money waits in prepayment, as it would at the counter).

Idempotency: ``(channel, source, serial)`` is unique (`ChannelPayment`). A request whose key
is already booked with the same customer and amount is a *duplicate* and returns the first
booking; with a different customer or amount it is a *conflict* and is rejected. Nothing is
half-booked: a rejected request writes nothing, and the batch's rows go in together.

Purchases are created in state ``created`` (dispatch tasks queued, I2: the count is only
allocated); the caller dispatches them after the transaction (`DispatchService`), never
inside it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import peewee

from counter_app.core.allocation import OpenBill
from counter_app.core.bank_file import LineCode
from counter_app.core.channels import Channel, is_new_money
from counter_app.core.eligibility import MeterFacts
from counter_app.core.eligibility import PurchaseMode as CorePurchaseMode
from counter_app.core.payment_plan import PlanError, Route, plan_payment
from counter_app.core.purchase_state import PurchaseState
from counter_app.services import audit
from counter_app.services.context import ServiceContext
from counter_app.services.lookup import PENDING_STATES
from counter_app.store.bulk import bulk_insert
from counter_app.store.database import locked, write_transaction
from counter_app.store.models import (
    Bill,
    BillSettlement,
    ChannelPayment,
    Customer,
    Meter,
    Payment,
    Purchase,
)

CHUNK = 400
"""Rows per multi-row statement (SQLite allows 32,766 bound values; a payment has 14)."""


class BookingStatus(StrEnum):
    BOOKED = "booked"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ChannelPaymentRequest:
    """One payment as a channel sends it: its key, the customer, the fen, when and by whom."""

    channel: Channel
    source: str  # bank id or terminal id
    serial: str  # the channel's own serial: the idempotency key
    customer_no: str
    amount_fen: int
    business_date: dt.date
    channel_time: dt.datetime | None = None
    agency: str = ""
    channel_operator: str = ""
    line_no: int | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (Channel(self.channel).value, self.source, self.serial)

    @property
    def receipt_no(self) -> str:
        """The receipt number names the channel's key, so the customer's bank slip finds it."""
        return f"{Channel(self.channel).value}-{self.source}-{self.serial}"


@dataclass(frozen=True)
class BookingResult:
    """What happened to one request; for a duplicate, the first booking's figures."""

    request: ChannelPaymentRequest
    status: BookingStatus
    code: str | None = None  # LineCode of a rejection or duplicate
    detail: str = ""
    payment_id: int | None = None
    receipt_no: str | None = None
    customer_name: str = ""
    settlements: tuple[tuple[int, int], ...] = ()
    arrears_before_fen: int = 0
    arrears_after_fen: int = 0
    prepayment_before_fen: int = 0
    prepayment_after_fen: int = 0
    route: str | None = None
    reason: str | None = None
    purchase_id: int | None = None
    purchase_count: int | None = None
    purchase_fen: int = 0
    meter_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def booked(self) -> bool:
        return self.status is BookingStatus.BOOKED


def _tuples(query: Any) -> Iterator[Any]:
    """A query's rows as plain tuples (no model objects: a batch reads tens of thousands)."""
    return iter(query.tuples())


def _chunks(rows: Sequence[Any], size: int = CHUNK) -> list[Sequence[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


@dataclass(frozen=True)
class _Booked:
    """A channel payment already in the books, as far as a repeat of its key needs it."""

    customer_no: str
    amount_fen: int
    payment_id: int
    receipt_no: str
    reversed: bool
    reversal_serial: str | None
    result: Any


def existing_bookings(
    requests: Sequence[ChannelPaymentRequest],
) -> dict[tuple[str, str, str], _Booked]:
    """Already booked channel payments for the keys of `requests`, by key."""
    wanted: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in requests:
        wanted[(Channel(r.channel).value, r.source)].append(r.serial)
    found: dict[tuple[str, str, str], _Booked] = {}
    result_field = ChannelPayment.result
    for (channel, source), serials in wanted.items():
        for part in _chunks(sorted(set(serials)), 1000):
            query = (
                ChannelPayment.select(
                    ChannelPayment.serial,
                    ChannelPayment.customer_no,
                    ChannelPayment.amount_fen,
                    ChannelPayment.payment,
                    Payment.receipt_no,
                    Payment.reversed,
                    ChannelPayment.reversal_serial,
                    ChannelPayment.result,
                )
                .join(Payment)
                .where(
                    (ChannelPayment.channel == channel)
                    & (ChannelPayment.source == source)
                    & ChannelPayment.serial.in_(list(part))
                )
            )
            for serial, customer_no, fen, pid, receipt, rev, rev_serial, result in _tuples(query):
                found[(channel, source, str(serial))] = _Booked(
                    str(customer_no),
                    int(fen),
                    int(pid),
                    str(receipt),
                    bool(rev),
                    rev_serial,
                    result_field.python_value(result) if isinstance(result, str) else result,
                )
    return found


def _duplicate(request: ChannelPaymentRequest, row: _Booked) -> BookingResult:
    """The same key again: a duplicate when it is the same payment, else a conflict."""
    same = row.customer_no == request.customer_no and row.amount_fen == request.amount_fen
    if not same:
        return BookingResult(
            request,
            BookingStatus.REJECTED,
            LineCode.SERIAL_CONFLICT.value,
            f"serial {request.serial} is booked for customer {row.customer_no}, "
            f"{row.amount_fen} fen (receipt {row.receipt_no})",
        )
    if row.reversal_serial is not None or row.reversed:
        return BookingResult(
            request,
            BookingStatus.DUPLICATE,
            LineCode.REVERSED.value,
            f"serial {request.serial} was booked and reversed (receipt {row.receipt_no})",
            payment_id=row.payment_id,
            receipt_no=row.receipt_no,
            extra=dict(row.result or {}),
        )
    return BookingResult(
        request,
        BookingStatus.DUPLICATE,
        LineCode.DUPLICATE.value,
        f"serial {request.serial} is already booked (receipt {row.receipt_no})",
        payment_id=row.payment_id,
        receipt_no=row.receipt_no,
        extra=dict(row.result or {}),
    )


@dataclass
class _CustomerState:
    """A customer's figures as the batch moves through its lines (locked rows, in memory)."""

    row: Any
    prepayment_fen: int
    bills: dict[int, OpenBill]
    meters: list[Any]
    touched: bool = False
    loaded_bills: dict[int, int] = field(default_factory=dict)  # outstanding as read


def book_channel_payments(
    ctx: ServiceContext,
    requests: Sequence[ChannelPaymentRequest],
    *,
    actor: str,
    bank_import_id: int | None = None,
) -> list[BookingResult]:
    """Book `requests` in order through R1–R6 (see the module docstring); one transaction.

    `actor` is the person or terminal the audit names. Returns one result per request, in
    order. A caller that dispatches does so after this returns (the purchases are committed
    ``created``).
    """
    now = ctx.clock.now()
    results: list[BookingResult | None] = [None] * len(requests)
    with write_transaction():
        # Serials booked before are found first (a booking is never deleted, so what is found
        # now stays found) and need no lock. The others' customers are locked in id order
        # across the whole batch (the house lock order: two batches, or a batch and a counter,
        # never wait on each other in a cycle), and only then are their serials looked up
        # again: a concurrent booking of the same payment has committed by the time its
        # customer's lock is ours.
        found = existing_bookings(requests)
        todo = [r for r in requests if r.key not in found]
        numbers = sorted({r.customer_no for r in todo})
        wanted_ids: list[int] = []
        for part in _chunks(numbers):
            query = Customer.select(Customer.id).where(Customer.customer_no.in_(list(part)))
            wanted_ids.extend(int(cid) for (cid,) in _tuples(query))
        customers: dict[str, _CustomerState] = {}
        for part in _chunks(sorted(wanted_ids)):
            query = Customer.select(
                Customer.id, Customer.customer_no, Customer.name, Customer.prepayment_fen
            ).where(Customer.id.in_(list(part)))
            for c in locked(query.order_by(Customer.id)).namedtuples():
                customers[str(c.customer_no)] = _CustomerState(c, int(c.prepayment_fen), {}, [])
        found.update(existing_bookings(todo))
        by_id = {int(s.row.id): s for s in customers.values()}
        ids = sorted(by_id)
        meter_ids: list[int] = []
        for part in _chunks(ids):
            for m in locked(
                Meter.select().where(Meter.customer.in_(list(part))).order_by(Meter.id)
            ):
                by_id[int(m.customer_id)].meters.append(m)
                meter_ids.append(int(m.id))
        pending: set[int] = set()
        for part in _chunks(meter_ids):
            pending_query = Purchase.select(Purchase.meter).where(
                Purchase.meter.in_(list(part)) & Purchase.state.in_(list(PENDING_STATES))
            )
            pending.update(int(meter_id) for (meter_id,) in _tuples(pending_query))
        for part in _chunks(ids):
            bills = Bill.select(Bill.id, Bill.customer, Bill.issued_on, Bill.outstanding_fen).where(
                Bill.customer.in_(list(part)) & (Bill.outstanding_fen > 0)
            )
            for bill_id, customer_id, issued_on, outstanding in _tuples(bills):
                owner = by_id[int(customer_id)]
                if isinstance(issued_on, str):  # SQLite hands a selected date back as text
                    issued_on = dt.date.fromisoformat(issued_on)
                owner.bills[int(bill_id)] = OpenBill(int(bill_id), issued_on, int(outstanding))
                owner.loaded_bills[int(bill_id)] = int(outstanding)

        payments: list[dict[str, Any]] = []
        plans: list[tuple[int, ChannelPaymentRequest, _CustomerState, Any, int]] = []
        seen: dict[tuple[str, str, str], int] = {}
        for i, r in enumerate(requests):
            if r.key in found:
                results[i] = _duplicate(r, found[r.key])
                continue
            if r.key in seen:
                first = requests[seen[r.key]]
                if (first.customer_no, first.amount_fen) == (r.customer_no, r.amount_fen):
                    results[i] = BookingResult(
                        r,
                        BookingStatus.DUPLICATE,
                        LineCode.DUPLICATE.value,
                        f"serial {r.serial} repeats an earlier request of this batch",
                    )
                else:
                    results[i] = BookingResult(
                        r,
                        BookingStatus.REJECTED,
                        LineCode.SERIAL_CONFLICT.value,
                        f"serial {r.serial} is used twice with different customer or amount",
                    )
                continue
            state = customers.get(r.customer_no)
            if state is None:
                results[i] = BookingResult(
                    r,
                    BookingStatus.REJECTED,
                    LineCode.UNKNOWN_CUSTOMER.value,
                    f"unknown customer {r.customer_no!r}",
                )
                continue
            facts = [
                MeterFacts(
                    meter_id=int(m.id),
                    is_card_meter=bool(m.is_card_meter),
                    collection_capable=bool(m.collection_capable),
                    mode=CorePurchaseMode(str(m.purchase_mode)),
                    active=bool(m.active),
                    last_committed_count=int(m.committed_count),
                    pending_purchase=int(m.id) in pending,
                )
                for m in state.meters
            ]
            arrears_before = sum(b.outstanding_fen for b in state.bills.values())
            try:
                plan = plan_payment(
                    r.amount_fen,
                    Channel(r.channel),
                    list(state.bills.values()),
                    state.prepayment_fen,
                    facts,
                )
            except (PlanError, TypeError) as exc:
                results[i] = BookingResult(
                    r, BookingStatus.REJECTED, LineCode.BAD_AMOUNT.value, str(exc)
                )
                continue
            seen[r.key] = i
            for bill_id, fen in plan.allocation.settlements:
                bill = state.bills[bill_id]
                left = bill.outstanding_fen - fen
                if left > 0:
                    state.bills[bill_id] = OpenBill(bill_id, bill.issued_on, left)
                else:
                    del state.bills[bill_id]
            state.prepayment_fen = plan.prepayment_after_fen
            state.touched = True
            if plan.purchase is not None:
                pending.add(plan.purchase.meter_id)
            payments.append(
                {
                    "customer": int(state.row.id),
                    "amount_fen": r.amount_fen,
                    "channel": plan.channel.value,
                    "operator": f"{Channel(r.channel).value}:{r.source}",
                    "counter_id": r.source,
                    "receipt_no": r.receipt_no,
                    "prepayment_before_fen": plan.prepayment_before_fen,
                    "prepayment_after_fen": plan.prepayment_after_fen,
                    "to_prepayment_fen": plan.allocation.to_prepayment,
                    "route": plan.route.value,
                    "reason": plan.reason.value if plan.reason else None,
                    "reversed": False,
                    "created_at": now,
                }
            )
            plans.append((i, r, state, plan, arrears_before))

        payment_ids = _insert_payments(payments)
        settlements: list[dict[str, Any]] = []
        purchases: list[dict[str, Any]] = []
        for _i, r, state, plan, _ in plans:
            pid = payment_ids[r.receipt_no]
            for bill_id, fen in plan.allocation.settlements:
                settlements.append(
                    {
                        "bill": bill_id,
                        "payment": pid,
                        "amount_fen": fen,
                        "undone": False,
                        "created_at": now,
                    }
                )
            if plan.purchase is not None:
                purchases.append(
                    {
                        "customer": int(state.row.id),
                        "meter": plan.purchase.meter_id,
                        "payment": pid,
                        "count": plan.purchase.count,
                        "amount_fen": plan.purchase.amount_fen,
                        "state": PurchaseState.CREATED.value,
                        "route": Route.REMOTE.value,
                        "operator": f"{Channel(r.channel).value}:{r.source}",
                        "counter_id": r.source,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        bulk_insert(BillSettlement, settlements)
        _write_bills(by_id)
        _write_prepayments([s for s in by_id.values() if s.touched])
        purchase_ids = _insert_purchases(purchases)
        channel_rows: list[dict[str, Any]] = []
        audit_rows: list[dict[str, Any]] = []
        for i, r, state, plan, arrears_before in plans:
            pid = payment_ids[r.receipt_no]
            purchase_id = purchase_ids.get(pid) if plan.purchase is not None else None
            result = BookingResult(
                request=r,
                status=BookingStatus.BOOKED,
                payment_id=pid,
                receipt_no=r.receipt_no,
                customer_name=str(state.row.name),
                settlements=plan.allocation.settlements,
                arrears_before_fen=arrears_before,
                arrears_after_fen=plan.allocation.arrears_after_fen,
                prepayment_before_fen=plan.prepayment_before_fen,
                prepayment_after_fen=plan.prepayment_after_fen,
                route=plan.route.value,
                reason=plan.reason.value if plan.reason else None,
                purchase_id=purchase_id,
                purchase_count=plan.purchase.count if plan.purchase else None,
                purchase_fen=plan.purchase.amount_fen if plan.purchase else 0,
                meter_id=plan.purchase.meter_id if plan.purchase else None,
            )
            results[i] = result
            channel_rows.append(
                {
                    "channel": Channel(r.channel).value,
                    "source": r.source,
                    "serial": r.serial,
                    "payment": pid,
                    "customer_no": r.customer_no,
                    "amount_fen": r.amount_fen,
                    "business_date": r.business_date,
                    "channel_time": r.channel_time,
                    "agency": r.agency,
                    "channel_operator": r.channel_operator,
                    "bank_import": bank_import_id,
                    "result": None,
                    "created_at": now,
                }
            )
            audit_rows.append(
                {
                    "at": now,
                    "actor": actor,
                    "counter_id": r.source,
                    "action": "take-payment",
                    "entity": "payment",
                    "entity_id": str(pid),
                    "before": {
                        "prepayment_fen": plan.prepayment_before_fen,
                        "arrears_fen": arrears_before,
                    },
                    "after": {
                        "amount_fen": r.amount_fen,
                        "channel": plan.channel.value,
                        "source": r.source,
                        "serial": r.serial,
                        "receipt_no": r.receipt_no,
                        "settlements": [list(s) for s in plan.allocation.settlements],
                        "prepayment_fen": plan.prepayment_after_fen,
                        "arrears_fen": plan.allocation.arrears_after_fen,
                        "route": plan.route.value,
                        "reason": plan.reason.value if plan.reason else None,
                        "purchase_id": purchase_id,
                        "purchase_count": plan.purchase.count if plan.purchase else None,
                        "paid_fen": r.amount_fen if is_new_money(plan.channel) else 0,
                    },
                }
            )
        bulk_insert(ChannelPayment, channel_rows)
        audit.record_many(audit_rows)
    return [r for r in results if r is not None]


def _insert_payments(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert payments; their ids by receipt number (unique, known before the insert)."""
    bulk_insert(Payment, rows)
    ids: dict[str, int] = {}
    receipts = [row["receipt_no"] for row in rows]
    for part in _chunks(receipts):
        query = Payment.select(Payment.receipt_no, Payment.id).where(
            Payment.receipt_no.in_(list(part))
        )
        ids.update({str(no): int(pid) for no, pid in _tuples(query)})
    return ids


def _insert_purchases(rows: list[dict[str, Any]]) -> dict[int, int]:
    """Insert purchases; their ids by payment id (a payment makes at most one purchase)."""
    bulk_insert(Purchase, rows)
    ids: dict[int, int] = {}
    payments = [row["payment"] for row in rows]
    for part in _chunks(payments):
        query = Purchase.select(Purchase.payment, Purchase.id).where(
            Purchase.payment.in_(list(part))
        )
        ids.update({int(pay): int(pid) for pay, pid in _tuples(query)})
    return ids


def _write_bills(states: dict[int, _CustomerState]) -> None:
    """Bills settled by the batch get their new outstanding amount (customers are locked)."""
    touched: list[tuple[int, int]] = []
    for state in states.values():
        for bill_id, outstanding in state.loaded_bills.items():
            now_fen = state.bills[bill_id].outstanding_fen if bill_id in state.bills else 0
            if now_fen != outstanding:
                touched.append((bill_id, now_fen))
    for bill_id, fen in touched:
        Bill.update(outstanding_fen=fen).where(Bill.id == bill_id).execute()


def _write_prepayments(states: list[_CustomerState]) -> None:
    """Every customer's new prepayment, many customers per statement (CASE id WHEN ...)."""
    for part in _chunks(states, 200):
        case = peewee.Case(Customer.id, [(int(s.row.id), s.prepayment_fen) for s in part])
        Customer.update(prepayment_fen=case).where(
            Customer.id.in_([int(s.row.id) for s in part])
        ).execute()
