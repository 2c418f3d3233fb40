"""R4 non-purchase channels: prepayment offsetting arrears, and transfers of prepayment.

Both move money the customer already has, so both need a supervisor's own credentials (like a
reversal, R15) and a reason, and both are audited (I3). Both then follow R1–R3 exactly like a
payment (R4): the offset is a payment on the ``offset`` channel, the receiving side of a
transfer a payment on the ``transfer`` channel, booked by `PaymentService.take_payment`. So
nothing is dispatched while any arrears remain, and when the offset settles the last of them
the rest of the prepayment is dispatched (R2, R3).

A transfer takes prepayment from one customer (the row `PrepaymentTransfer`, counted as money
that left that customer for I1) and pays it to another in the same transaction; the
dispatch of the receiver's purchase, if any, runs after that transaction (never inside it).
"""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.core.channels import Channel
from counter_app.core.money import format_yuan
from counter_app.core.payment_plan import Route
from counter_app.services import audit, auth
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import DispatchService, DispatchSummary, NoDispatcher
from counter_app.services.errors import InvalidAmount, InvalidInput
from counter_app.services.lookup import arrears_fen, find_customer, lock_customer
from counter_app.services.payments import PaymentOutcome, PaymentService
from counter_app.store.database import write_transaction
from counter_app.store.models import PrepaymentTransfer


@dataclass(frozen=True)
class OffsetPreview:
    """What an offset would do now (for the dialog): arrears, prepayment, the amount."""

    customer_no: str
    arrears_fen: int
    prepayment_fen: int
    amount_fen: int  # min(arrears, prepayment): 0 means nothing to offset


@dataclass(frozen=True)
class TransferOutcome:
    transfer_id: int
    from_customer_no: str
    to_customer_no: str
    amount_fen: int
    from_prepayment_after_fen: int
    payment: PaymentOutcome
    dispatch: DispatchSummary | None

    def explain(self) -> list[str]:
        lines = [
            f"R4 transfer {self.transfer_id}: {format_yuan(self.amount_fen)} yuan of prepayment "
            f"from {self.from_customer_no} (left {format_yuan(self.from_prepayment_after_fen)}) "
            f"to {self.to_customer_no}"
        ]
        return lines + self.payment.explain()[1:]


class OffsetService:
    """Offsets and transfers of prepayment (R4), supervisor-authorized."""

    def __init__(self, ctx: ServiceContext, payments: PaymentService | None = None) -> None:
        self.ctx = ctx
        self.payments = payments or PaymentService(ctx, DispatchService(ctx))

    def preview(self, customer: str | int) -> OffsetPreview:
        row = find_customer(customer)
        arrears = arrears_fen(int(row.id))
        prepayment = int(row.prepayment_fen)
        return OffsetPreview(str(row.customer_no), arrears, prepayment, min(arrears, prepayment))

    def _authorize(self, operator: str, supervisor: str, password: str, reason: str) -> str:
        if not reason.strip():
            raise InvalidInput("reason", "an offset or transfer needs a reason")
        user = auth.authorize_supervisor_for(
            operator,
            supervisor,
            password,
            auth.Action.AUTHORIZE_OFFSET,
            counter_id=self.ctx.counter_id,
        )
        return user.username

    def offset_arrears(
        self,
        customer: str | int,
        *,
        operator: str,
        supervisor: str,
        supervisor_password: str,
        reason: str,
    ) -> PaymentOutcome:
        """R4: the prepayment settles arrears oldest first, as far as it goes; when none are
        left, the rest of the prepayment is dispatched (R2/R3). `InvalidInput` when there is
        nothing to offset."""
        if self.preview(customer).amount_fen <= 0:
            raise InvalidInput("offset", "no arrears or no prepayment: nothing to offset")
        sup = self._authorize(operator, supervisor, supervisor_password, reason)
        outcome = self.payments.offset_arrears(customer, operator=operator)
        if outcome is None:  # settled meanwhile by another counter
            raise InvalidInput("offset", "no arrears or no prepayment: nothing to offset")
        with write_transaction():
            audit.record(
                operator,
                self.ctx.counter_id,
                "offset-authorized",
                "payment",
                outcome.payment_id,
                after={"supervisor": sup, "reason": reason, "amount_fen": outcome.amount_fen},
            )
        return outcome

    def transfer(
        self,
        from_customer: str | int,
        to_customer: str | int,
        amount_fen: int,
        *,
        operator: str,
        supervisor: str,
        supervisor_password: str,
        reason: str,
    ) -> TransferOutcome:
        """R4: move `amount_fen` of prepayment to another customer, booked there through
        R1–R3 as a ``transfer`` payment (see the module docstring)."""
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise InvalidAmount(str(amount_fen), "a transfer must be a positive integer fen amount")
        giver = find_customer(from_customer)
        taker = find_customer(to_customer)
        if giver.id == taker.id:
            raise InvalidInput("to", "a transfer needs two different customers")
        if int(giver.prepayment_fen) < amount_fen:
            raise InvalidAmount(
                format_yuan(amount_fen),
                f"the prepayment of {giver.customer_no} is "
                f"{format_yuan(int(giver.prepayment_fen))}",
            )
        sup = self._authorize(operator, supervisor, supervisor_password, reason)
        with write_transaction():
            # lock order: customers by id, so two transfers in opposite directions never deadlock
            first, second = sorted([int(giver.id), int(taker.id)])
            locks = {first: lock_customer(first), second: lock_customer(second)}
            source = locks[int(giver.id)]
            if int(source.prepayment_fen) < amount_fen:
                raise InvalidAmount(
                    format_yuan(amount_fen),
                    f"the prepayment of {source.customer_no} is "
                    f"{format_yuan(int(source.prepayment_fen))}",
                )
            before = int(source.prepayment_fen)
            source.prepayment_fen = before - amount_fen
            source.save()
            payment = self.payments.take_payment(
                str(taker.customer_no),
                amount_fen,
                channel=Channel.TRANSFER,
                operator=operator,
                dispatch=False,
            )
            row = PrepaymentTransfer.create(
                from_customer=source,
                to_customer=int(taker.id),
                amount_fen=amount_fen,
                payment=payment.payment_id,
                operator=operator,
                supervisor=sup,
                reason=reason,
                counter_id=self.ctx.counter_id,
                created_at=self.ctx.clock.now(),
            )
            audit.record(
                operator,
                self.ctx.counter_id,
                "transfer-prepayment",
                "customer",
                source.id,
                before={"prepayment_fen": before},
                after={
                    "prepayment_fen": int(source.prepayment_fen),
                    "to_customer_no": str(taker.customer_no),
                    "amount_fen": amount_fen,
                    "payment_id": payment.payment_id,
                    "supervisor": sup,
                    "reason": reason,
                },
            )
        summary = None
        if payment.purchase_id is not None and payment.route == Route.REMOTE.value:
            try:
                summary = self.payments.dispatch.dispatch_purchase(payment.purchase_id, operator)
            except NoDispatcher:
                summary = None
        return TransferOutcome(
            transfer_id=int(row.id),
            from_customer_no=str(source.customer_no),
            to_customer_no=str(taker.customer_no),
            amount_fen=amount_fen,
            from_prepayment_after_fen=int(source.prepayment_fen),
            payment=payment,
            dispatch=summary,
        )
