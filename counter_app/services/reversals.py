"""Counter reversal (坐收冲正) of a payment: R15, R16, with the supervisor's own credentials.

Order of checks (each refusal changes nothing but leaves an audit record of the attempt, I3):

1. the payment exists and is a counter-reversible payment (not an R4 offset);
2. a reason is given and the supervisor is not the operator (`core.reversal.authorization_refusal`);
3. the supervisor's own username and password, and the supervisor role (`auth.authorize_supervisor`;
   a teller's own password or a teller account never authorizes);
4. R16: a ``dispatching`` purchase is first resolved by an R8 probe when a dispatcher is
   available; still unresolved → refused. A ``failed`` or ``work-order`` purchase one of whose
   attempts may have delivered the recharge (a lost reply, a link that broke after sending) is
   probed too (R8 "before any reversal ... never guess"): found loaded → payment-only (R15);
   meter unreadable → refused;
5. the R15/R16 matrix (`core.reversal.decide_reversal`), then the money movements of
   `core.reversal.plan_reversal`, booked in one transaction with the audit record.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from counter_app.core.money import format_yuan
from counter_app.core.purchase_state import PurchaseEvent, PurchaseState, transition
from counter_app.core.reversal import (
    REFUSAL_TEXT,
    ReversalCase,
    ReversalRefusal,
    authorization_refusal,
    decide_reversal,
    plan_reversal,
)
from counter_app.services import audit, auth
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import DispatchService
from counter_app.services.errors import InvalidInput, ReversalRefused
from counter_app.services.lookup import find_payment, lock_customer, lock_meters, lock_purchase
from counter_app.services.work_order_closing import close_live_work_orders
from counter_app.store.database import locked, write_transaction
from counter_app.store.models import (
    LIVE_SETTLEMENT,
    Bill,
    BillKind,
    BillSettlement,
    Customer,
    Payment,
    Purchase,
    Refund,
    WorkOrderState,
)


@dataclass(frozen=True)
class ReversalOutcome:
    """What a reversal did (R15), in fen."""

    payment_id: int
    receipt_no: str
    case: str  # core ReversalCase
    refund_fen: int
    reopened_fen: int  # bill settlements undone (those bills are arrears again)
    purchase_id: int | None
    purchase_reversed: bool  # count n is free again
    from_prepayment_fen: int
    debit_fen: int  # reversal-debit bill left for the meter's kept credit
    debit_bill_id: int | None
    prepayment_after_fen: int
    supervisor: str
    reason: str

    def explain(self) -> list[str]:
        lines = [
            f"payment {self.payment_id} ({self.receipt_no}) reversed: {self.case}; "
            f"refund {format_yuan(self.refund_fen)} yuan, authorized by {self.supervisor}"
        ]
        if self.reopened_fen:
            lines.append(f"bills reopened: {format_yuan(self.reopened_fen)} yuan")
        if self.purchase_reversed:
            lines.append(f"purchase {self.purchase_id} reversed; its count is free again")
        if self.debit_fen:
            lines.append(
                f"R15: meter keeps {format_yuan(self.debit_fen)} yuan credit -> "
                f"reversal debit bill "
                f"{self.debit_bill_id} (arrears, collected by R1)"
            )
        return lines


def _debit_period(p: Payment) -> str:
    """The debit bill's period names the reversed receipt; a long counter id makes the receipt
    number longer than the period column (32), then the payment number stands in for it."""
    text = f"reversal of {p.receipt_no}"
    return text if len(text) <= 32 else f"reversal of payment {int(p.id)}"


def _payment_purchase(payment_id: int) -> Purchase | None:
    query = Purchase.select().where(Purchase.payment == payment_id)
    return cast(Purchase | None, query.order_by(Purchase.id.desc()).first())


class ReversalService:
    """R15/R16 counter reversals."""

    def __init__(self, ctx: ServiceContext, dispatch: DispatchService | None = None) -> None:
        self.ctx = ctx
        self.dispatch = dispatch or DispatchService(ctx)

    def check_reversal(
        self, payment: str | int
    ) -> tuple[ReversalCase | None, ReversalRefusal | None]:
        """R15/R16 matrix for a payment now, without authorization (for enabling a button)."""
        p = find_payment(payment)
        purchase = _payment_purchase(int(p.id))
        decision = decide_reversal(
            bool(p.reversed), PurchaseState(str(purchase.state)) if purchase else None
        )
        return decision.case, decision.refusal

    def _refuse(
        self, payment_id: int, operator: str, refusal: ReversalRefusal, supervisor: str
    ) -> ReversalRefused:
        with write_transaction():
            audit.record(
                operator,
                self.ctx.counter_id,
                "reversal-refused",
                "payment",
                payment_id,
                after={"refusal": refusal.value, "supervisor": supervisor},
            )
        return ReversalRefused(payment_id, refusal.value, REFUSAL_TEXT[refusal])

    def reverse_payment(
        self,
        payment: str | int,
        *,
        operator: str,
        supervisor: str,
        supervisor_password: str,
        reason: str,
    ) -> ReversalOutcome:
        """Reverse a payment (R15/R16); see the module docstring for the order of checks.

        Raises `UnknownPayment`, `ReversalRefused`, `AuthenticationFailed`, `NotAuthorized`.
        """
        p = find_payment(payment)
        payment_id = int(p.id)
        if p.channel == "offset":
            with write_transaction():
                audit.record(
                    operator,
                    self.ctx.counter_id,
                    "reversal-refused",
                    "payment",
                    payment_id,
                    after={"refusal": "offset-payment", "supervisor": supervisor},
                )
            raise InvalidInput("payment", "an R4 offset is not a counter payment; not reversible")
        refusal = authorization_refusal(operator, supervisor, True, reason)
        if refusal is not None:
            raise self._refuse(payment_id, operator, refusal, supervisor)
        sup = auth.authorize_supervisor(
            operator, supervisor, supervisor_password, counter_id=self.ctx.counter_id
        )
        return self.reverse_authorized(
            payment_id, operator=operator, authority=sup.username, reason=reason
        )

    def reverse_authorized(
        self,
        payment_id: int,
        *,
        operator: str,
        authority: str,
        reason: str,
        counter_id: str | None = None,
        on_booked: Callable[[ReversalOutcome], None] | None = None,
    ) -> ReversalOutcome:
        """R15/R16 once the reversal is authorized: the R8 probe of an unresolved dispatch,
        then the matrix and the money movements in one transaction.

        `authority` is who allowed it: the supervisor at the counter (R15), or the channel
        whose statement asked for it (a bank's reversal message, a signed-off reconciliation,
        R17); it is recorded on the refund and in the audit (I3). `on_booked` runs inside the
        reversal's transaction (a channel marks its own record there). Raises `ReversalRefused`.
        """
        p = Payment.get_by_id(payment_id)
        supervisor = authority
        purchase = _payment_purchase(payment_id)
        if (
            purchase is not None
            and purchase.state == PurchaseState.DISPATCHING
            and not p.reversed
            and self.ctx.dispatcher is not None
        ):
            # R16: "R8 resolves it first"; an unreachable meter stays unresolved (refused below)
            with contextlib.suppress(Exception):
                self.dispatch.resolve_unresolved(int(purchase.id), operator)
            purchase = _payment_purchase(payment_id)
        if (
            purchase is not None
            and purchase.state in (PurchaseState.FAILED, PurchaseState.WORK_ORDER)
            and not p.reversed
            and self.dispatch.may_have_been_sent(int(purchase.id))
            and self.dispatch.confirm_not_loaded(int(purchase.id), operator) is None
        ):
            # R8/R16: the recharge may have reached the meter and the meter cannot be read now
            raise self._refuse(
                payment_id, operator, ReversalRefusal.UNRESOLVED_DISPATCH, supervisor
            )
        now = self.ctx.clock.now()
        with write_transaction():
            cust = lock_customer(int(p.customer_id))  # lock order: customer, meters, rows
            lock_meters(int(cust.id))
            p = locked(Payment.select().where(Payment.id == payment_id)).first()
            purchase = _payment_purchase(payment_id)
            if purchase is not None:
                purchase = lock_purchase(int(purchase.id))
            state = PurchaseState(str(purchase.state)) if purchase is not None else None
            decision = decide_reversal(bool(p.reversed), state)
            if not decision.allowed:
                assert decision.refusal is not None
                refused = decision.refusal
            else:
                refused = None
            if refused is None:
                assert decision.case is not None
                outcome = self._book(
                    p,
                    cust,
                    purchase,
                    decision.case,
                    operator,
                    supervisor,
                    reason,
                    now,
                    counter_id=counter_id,
                )
                if on_booked is not None:
                    on_booked(outcome)
        if refused is not None:
            raise self._refuse(payment_id, operator, refused, supervisor)
        return outcome

    def _book(
        self,
        p: Payment,
        cust: Customer,
        purchase: Purchase | None,
        case: ReversalCase,
        operator: str,
        supervisor: str,
        reason: str,
        now: dt.datetime,
        *,
        counter_id: str | None = None,
    ) -> ReversalOutcome:
        at_counter = counter_id or self.ctx.counter_id
        settlements = list(
            BillSettlement.select().where((BillSettlement.payment == p.id) & LIVE_SETTLEMENT)
        )
        settled = sum(int(s.amount_fen) for s in settlements)
        live_purchase = purchase is not None and purchase.state != PurchaseState.REVERSED
        purchase_fen = int(purchase.amount_fen) if (purchase is not None and live_purchase) else 0
        plan = plan_reversal(
            case, int(p.amount_fen), settled, purchase_fen, int(cust.prepayment_fen)
        )
        before = {
            "prepayment_fen": int(cust.prepayment_fen),
            "payment_reversed": False,
            "purchase_state": str(purchase.state) if purchase else None,
        }
        for s in settlements:
            s.undone = True
            s.save()
            Bill.update(outstanding_fen=Bill.outstanding_fen + s.amount_fen).where(
                Bill.id == s.bill_id
            ).execute()
        if plan.purchase_reversed and purchase is not None:
            purchase.state = transition(
                PurchaseState(str(purchase.state)), PurchaseEvent.REVERSE
            ).value
            purchase.updated_at = now
            purchase.save()
            close_live_work_orders(
                int(purchase.id),
                WorkOrderState.CANCELLED,
                now,
                "purchase reversed with its payment (R15)",
            )
        debit_bill = None
        if plan.debit_fen > 0:
            debit_bill = Bill.create(
                customer=cust,
                kind=BillKind.REVERSAL_DEBIT,
                amount_fen=plan.debit_fen,
                outstanding_fen=plan.debit_fen,
                issued_on=self.ctx.clock.today(),
                period=_debit_period(p),
            )
        cust.prepayment_fen = plan.prepayment_after_fen
        cust.save()
        p.reversed = True
        p.save()
        Refund.create(
            payment=p,
            amount_fen=plan.refund_fen,
            reversal_case=plan.case.value,
            operator=operator,
            supervisor=supervisor,
            reason=reason,
            counter_id=at_counter,
            debit_bill=debit_bill,
            created_at=now,
        )
        audit.record(
            operator,
            at_counter,
            "reverse-payment",
            "payment",
            p.id,
            before=before,
            after={
                "case": plan.case.value,
                "refund_fen": plan.refund_fen,
                "reopened_fen": plan.reopen_fen,
                "purchase_reversed": plan.purchase_reversed,
                "from_prepayment_fen": plan.from_prepayment_fen,
                "debit_fen": plan.debit_fen,
                "debit_bill_id": debit_bill.id if debit_bill else None,
                "prepayment_fen": plan.prepayment_after_fen,
                "supervisor": supervisor,
                "reason": reason,
                "purchase_state": str(purchase.state) if purchase else None,
            },
        )
        return ReversalOutcome(
            payment_id=int(p.id),
            receipt_no=str(p.receipt_no),
            case=plan.case.value,
            refund_fen=plan.refund_fen,
            reopened_fen=plan.reopen_fen,
            purchase_id=int(purchase.id) if purchase else None,
            purchase_reversed=plan.purchase_reversed,
            from_prepayment_fen=plan.from_prepayment_fen,
            debit_fen=plan.debit_fen,
            debit_bill_id=int(debit_bill.id) if debit_bill else None,
            prepayment_after_fen=plan.prepayment_after_fen,
            supervisor=supervisor,
            reason=reason,
        )
