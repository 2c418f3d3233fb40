"""Taking a payment (R1–R6) and, when R2 allows, dispatching its purchase (R7–R11).

`PaymentService.take_payment` is the counter's main use case:

1. one transaction (the *payment step*): lock the customer and the meters, plan with
   `core.plan_payment` (R1 allocation, R2 eligibility, R3 adjusted fee with
   ``n = committed + 1``), write the payment, its bill settlements, the new prepayment and, if
   eligible, the purchase in state ``created`` — the money is now "in transit" (I1) and the
   count ``n`` is allocated under the row lock, never committed yet (I2);
2. if a dispatcher is configured, `DispatchService.dispatch_purchase` (its own transactions,
   crash-recoverable, R8);
3. a `PaymentOutcome` that says what happened and why (for the receipt and the screen).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from counter_app.core.channels import Channel, is_new_money
from counter_app.core.eligibility import REASON_TEXT, IneligibleReason
from counter_app.core.money import MoneyError, format_yuan, parse_yuan
from counter_app.core.payment_plan import PaymentPlan, PlanError, Route, plan_payment
from counter_app.core.purchase_state import PurchaseState
from counter_app.services import audit
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import DispatchService, DispatchSummary, NoDispatcher
from counter_app.services.errors import InvalidAmount, InvalidInput
from counter_app.services.lookup import (
    find_customer,
    lock_customer,
    lock_meters,
    meter_facts,
    open_bills,
)
from counter_app.services.ports import DispatchProgress
from counter_app.store.database import write_transaction
from counter_app.store.models import Bill, BillSettlement, Payment, Purchase


@dataclass(frozen=True)
class PaymentOutcome:
    """What one payment did, and why (R1–R11), in fen."""

    payment_id: int
    receipt_no: str
    customer_no: str
    customer_name: str
    amount_fen: int
    channel: str
    operator: str
    counter_id: str
    settlements: tuple[tuple[int, int], ...]  # (bill id, fen) oldest first (R1)
    arrears_before_fen: int
    arrears_after_fen: int
    prepayment_before_fen: int
    prepayment_after_fen: int
    adjusted_fee_fen: int  # R3: 0 when nothing became a purchase
    route: str  # core Route: remote | card | none
    reason: str | None  # core IneligibleReason when not dispatched remotely (R2)
    purchase_id: int | None
    purchase_count: int | None
    meter_address: str | None
    dispatch: DispatchSummary | None
    notes: tuple[str, ...] = field(default=())

    @property
    def settled_fen(self) -> int:
        return sum(fen for _, fen in self.settlements)

    @property
    def purchase_state(self) -> str | None:
        if self.dispatch is not None:
            return self.dispatch.state
        return PurchaseState.CREATED.value if self.purchase_id is not None else None

    def explain(self) -> list[str]:
        """English lines for the CLI and logs (the UI builds its own translated text)."""
        lines = [
            f"payment {self.payment_id} receipt {self.receipt_no}: "
            f"{format_yuan(self.amount_fen)} yuan from {self.customer_no} via {self.channel}"
        ]
        if self.settlements:
            lines.append(
                f"R1: settled {format_yuan(self.settled_fen)} of arrears "
                f"{format_yuan(self.arrears_before_fen)} "
                f"(left {format_yuan(self.arrears_after_fen)})"
            )
        if self.purchase_id is not None:
            lines.append(
                f"R3: adjusted fee {format_yuan(self.adjusted_fee_fen)} -> purchase "
                f"{self.purchase_id} count n={self.purchase_count} for meter "
                f"{self.meter_address}"
            )
        elif self.reason is not None:
            text = REASON_TEXT.get(IneligibleReason(self.reason), self.reason)
            lines.append(f"R2: not dispatched ({self.reason}): {text}")
        lines.append(
            f"prepayment {format_yuan(self.prepayment_before_fen)} -> "
            f"{format_yuan(self.prepayment_after_fen)}"
        )
        if self.dispatch is not None and self.dispatch.pending:
            d = self.dispatch
            where = (
                "handed over to the collection system"
                if d.outcome == "pending"
                else "waiting in the outbox (collection system unreachable"
                + (f": {d.reason}" if d.reason else "")
                + ")"
            )
            lines.append(
                f"dispatch: {where}; result not yet known (下发中): applied when it comes "
                "back, the customer gets the result by SMS"
            )
        elif self.dispatch is not None:
            d = self.dispatch
            lines.append(
                f"dispatch: {d.outcome} after {d.attempts} attempt(s); purchase is "
                f"{d.state}" + (f" ({d.reason})" if d.reason else "")
            )
            if d.work_order_id is not None:
                lines.append(f"R10: work order {d.work_order_id} opened for re-dispatch")
        lines.extend(self.notes)
        return lines


def parse_amount(text: str) -> int:
    """A yuan amount typed by a person, as fen (core.money rules); `InvalidAmount` if bad."""
    try:
        return parse_yuan(text)
    except MoneyError as exc:
        raise InvalidAmount(text, str(exc), exc.code) from None


class PaymentService:
    """Payments at this counter (R1–R6), with the dispatch of their purchase (R7–R11)."""

    def __init__(self, ctx: ServiceContext, dispatch: DispatchService | None = None) -> None:
        self.ctx = ctx
        self.dispatch = dispatch or DispatchService(ctx)

    def preview_payment(
        self, customer: str | int, amount_fen: int, channel: str = Channel.COUNTER
    ) -> PaymentPlan:
        """R1–R6 without writing anything: what `take_payment` would do now."""
        row = find_customer(customer)
        return self._plan(row.id, int(row.prepayment_fen), amount_fen, channel)

    @staticmethod
    def _plan(customer_id: int, prepayment_fen: int, amount_fen: int, channel: str) -> PaymentPlan:
        try:
            ch = Channel(channel)
        except ValueError:
            raise InvalidInput("channel", f"unknown channel {channel!r}") from None
        meters = [meter_facts(m) for m in lock_meters(customer_id)]
        try:
            return plan_payment(amount_fen, ch, open_bills(customer_id), prepayment_fen, meters)
        except PlanError as exc:
            raise InvalidAmount(
                format_yuan(amount_fen) if isinstance(amount_fen, int) else str(amount_fen),
                str(exc),
            ) from None

    def take_payment(
        self,
        customer: str | int,
        amount_fen: int,
        *,
        channel: str = Channel.COUNTER,
        operator: str,
        dispatch: bool = True,
        progress: DispatchProgress | None = None,
        tendered_fen: int | None = None,
        follow: bool = True,
    ) -> PaymentOutcome:
        """Take a payment (R1–R6) and dispatch its purchase when eligible (R7–R11).

        Raises `UnknownCustomer`, `InvalidAmount`, `InvalidInput` before anything is written.
        With ``dispatch=False`` or no dispatcher the purchase stays ``created`` (queued).
        ``tendered_fen`` is the cash the customer handed over (实收) at the counter; it and the
        change (找零) go into the payment's audit record (I3), from which every receipt and
        reprint is rebuilt. Only the amount is booked: the change goes back at once.

        With a collection system the dispatch task is written to our outbox in this
        payment's own transaction (a crash after the commit loses nothing); with `follow`
        the payment then sends it and follows it live for a while, else the caller follows
        it (`DispatchService.carry_out`, the window on its meter thread).
        """
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
            raise InvalidAmount(repr(amount_fen), "the amount must be integer fen")
        if tendered_fen is not None and (
            isinstance(tendered_fen, bool)
            or not isinstance(tendered_fen, int)
            or tendered_fen < amount_fen
        ):
            raise InvalidAmount(repr(tendered_fen), "the cash tendered is less than the amount")
        if not operator.strip():
            raise InvalidInput("operator", "must not be empty")
        now = self.ctx.clock.now()
        handover = self.dispatch.handover
        task_id: str | None = None
        with write_transaction():
            row = find_customer(customer)
            cust = lock_customer(int(row.id))
            arrears_before = sum(b.outstanding_fen for b in open_bills(int(cust.id)))
            plan = self._plan(int(cust.id), int(cust.prepayment_fen), amount_fen, channel)
            payment = Payment.create(
                customer=cust,
                amount_fen=amount_fen,
                channel=plan.channel.value,
                operator=operator,
                counter_id=self.ctx.counter_id,
                receipt_no=f"tmp-{uuid.uuid4().hex}",
                created_at=now,
                prepayment_before_fen=plan.prepayment_before_fen,
                prepayment_after_fen=plan.prepayment_after_fen,
                to_prepayment_fen=plan.allocation.to_prepayment,
                route=plan.route.value,
                reason=plan.reason.value if plan.reason else None,
            )
            payment.receipt_no = f"{self.ctx.counter_id}-{now:%Y%m%d}-{int(payment.id):08d}"
            payment.save()
            for bill_id, fen in plan.allocation.settlements:
                BillSettlement.create(bill=bill_id, payment=payment, amount_fen=fen, created_at=now)
                Bill.update(outstanding_fen=Bill.outstanding_fen - fen).where(
                    Bill.id == bill_id
                ).execute()
            cust.prepayment_fen = plan.prepayment_after_fen
            cust.save()
            purchase = None
            meter_address = None
            if plan.purchase is not None:
                purchase = Purchase.create(
                    customer=cust,
                    meter=plan.purchase.meter_id,
                    payment=payment,
                    count=plan.purchase.count,
                    amount_fen=plan.purchase.amount_fen,
                    state=PurchaseState.CREATED.value,
                    route=Route.REMOTE.value,
                    operator=operator,
                    counter_id=self.ctx.counter_id,
                    created_at=now,
                    updated_at=now,
                )
                meter_address = str(purchase.meter.address)
                if dispatch and handover is not None:
                    task_id = handover.hand_over_in_transaction(purchase, operator, now)
            audit.record(
                operator,
                self.ctx.counter_id,
                "take-payment",
                "payment",
                payment.id,
                before={
                    "prepayment_fen": plan.prepayment_before_fen,
                    "arrears_fen": arrears_before,
                },
                after={
                    "amount_fen": amount_fen,
                    "channel": plan.channel.value,
                    "receipt_no": payment.receipt_no,
                    "settlements": [list(s) for s in plan.allocation.settlements],
                    "prepayment_fen": plan.prepayment_after_fen,
                    "arrears_fen": plan.allocation.arrears_after_fen,
                    "route": plan.route.value,
                    "reason": plan.reason.value if plan.reason else None,
                    "purchase_id": purchase.id if purchase else None,
                    "purchase_count": plan.purchase.count if plan.purchase else None,
                    "paid_fen": amount_fen if is_new_money(plan.channel) else 0,
                    **(
                        {"tendered_fen": tendered_fen, "change_fen": tendered_fen - amount_fen}
                        if tendered_fen is not None
                        else {}
                    ),
                },
            )
        notes: list[str] = []
        summary: DispatchSummary | None = None
        if purchase is not None and plan.route is Route.REMOTE:
            if not dispatch:
                notes.append("purchase queued: dispatch not requested (--no-dispatch)")
            elif handover is not None and task_id is not None:
                if follow:
                    summary = handover.follow(task_id, operator, progress)
                else:
                    summary = handover.summary(task_id)
            else:
                try:
                    summary = self.dispatch.dispatch_purchase(int(purchase.id), operator, progress)
                except NoDispatcher as exc:
                    notes.append(f"purchase queued: {exc}")
        return PaymentOutcome(
            payment_id=int(payment.id),
            receipt_no=str(payment.receipt_no),
            customer_no=str(cust.customer_no),
            customer_name=str(cust.name),
            amount_fen=amount_fen,
            channel=plan.channel.value,
            operator=operator,
            counter_id=self.ctx.counter_id,
            settlements=plan.allocation.settlements,
            arrears_before_fen=arrears_before,
            arrears_after_fen=plan.allocation.arrears_after_fen,
            prepayment_before_fen=plan.prepayment_before_fen,
            prepayment_after_fen=plan.prepayment_after_fen,
            adjusted_fee_fen=plan.purchase.amount_fen if plan.purchase else 0,
            route=plan.route.value,
            reason=plan.reason.value if plan.reason else None,
            purchase_id=int(purchase.id) if purchase else None,
            purchase_count=plan.purchase.count if plan.purchase else None,
            meter_address=meter_address,
            dispatch=summary,
            notes=tuple(notes),
        )

    def offset_arrears(self, customer: str | int, *, operator: str) -> PaymentOutcome | None:
        """R4: let the prepayment settle arrears (oldest first) as far as it goes.

        Booked as a payment on the ``offset`` channel (no new money: not "paid" for I1, not
        reversible at the counter). None when there is nothing to offset.
        """
        row = find_customer(customer)
        arrears = sum(b.outstanding_fen for b in open_bills(int(row.id)))
        amount = min(arrears, int(row.prepayment_fen))
        if amount <= 0:
            return None
        return self.take_payment(customer, amount, channel=Channel.OFFSET, operator=operator)

    def issue_bill(
        self,
        customer: str | int,
        amount_fen: int,
        *,
        issued_on: object = None,
        period: str = "",
        operator: str = "system",
    ) -> int:
        """Record a consumption bill (a receivable; arrears until settled by R1). Audited."""
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise InvalidAmount(str(amount_fen), "a bill must be a positive integer fen amount")
        day = issued_on or self.ctx.clock.today()
        with write_transaction():
            cust = lock_customer(int(find_customer(customer).id))
            bill = Bill.create(
                customer=cust,
                kind="consumption",
                amount_fen=amount_fen,
                outstanding_fen=amount_fen,
                issued_on=day,
                period=period,
            )
            audit.record(
                operator,
                self.ctx.counter_id,
                "issue-bill",
                "bill",
                bill.id,
                after={
                    "customer_no": cust.customer_no,
                    "amount_fen": amount_fen,
                    "issued_on": str(day),
                },
            )
        return int(bill.id)
