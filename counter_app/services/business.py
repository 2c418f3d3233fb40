"""Business changes (业务变更): new installation (R18), meter replacement (R19), the review of
the prepayments they create (R20), and account changes (close, move a meter, purchase mode).

Who does what: technicians (and supervisors) *file* changes; what they file about meters and
customers takes effect at once, because it records what was done in the field (the meter is
on the wall, the old one is in the van). Money that a change creates — the final balance of a
replaced meter, the prepayment of a closed account — is *held* as a `ReviewedPrepayment` until
a supervisor other than the filer reviews it (R20): approve (R19 "refund to prepayment": the
money joins the prepayment and R1–R3 run like for any purchase, then the purchase is
dispatched), refuse (the money stays held, with the reason) or refund in cash (a receipt).

Held money is outside `Customer.prepayment_fen` so that no payment sweeps it into a purchase
before the review (R3 takes the *whole* prepayment); I1 counts it as prepayment
(`services.checks`).

Every step is one transaction with its audit record (I3). Lock order as everywhere: customer,
then meters, then purchases; a meter move locks both customers in id order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from counter_app.core.archive import archived_mode, is_twelve_digits
from counter_app.core.channels import Channel
from counter_app.core.eligibility import PurchaseMode
from counter_app.core.money import format_yuan
from counter_app.services import audit, auth
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import DispatchService, DispatchSummary, NoDispatcher
from counter_app.services.errors import InvalidInput, NotAuthorized, ServiceError
from counter_app.services.lookup import (
    find_customer,
    find_meter,
    has_pending_purchase,
    lock_customer,
    lock_meters,
)
from counter_app.services.payments import PaymentOutcome, PaymentService
from counter_app.services.ports import AccountOpener, MeterProbe
from counter_app.services.receipts import ReceiptData, ReceiptKind
from counter_app.store.database import locked, write_transaction
from counter_app.store.models import (
    Bill,
    BillKind,
    BusinessChange,
    CashMovement,
    ChangeKind,
    Customer,
    Meter,
    Payment,
    PrepaymentRefund,
    PrepaymentSource,
    ReviewedPrepayment,
    ReviewState,
    Shift,
    ShiftState,
)


class ChangeRefused(ServiceError):
    """The change cannot be made now; `refusal` says why (stable code for the UI)."""

    code = "change-refused"

    def __init__(self, refusal: str, detail: str) -> None:
        super().__init__(
            f"business change refused ({refusal}): {detail}", refusal=refusal, detail=detail
        )
        self.refusal = refusal
        self.detail = detail


class MeterUnreadable(ServiceError):
    """R19: the old meter does not answer; file it as dead with the figures from the form."""

    code = "meter-unreadable"

    def __init__(self, address: str, detail: str) -> None:
        super().__init__(
            f"meter {address} cannot be read ({detail}): mark it dead and enter its final "
            "balance and purchase count from the technician's form",
            address=address,
            detail=detail,
        )
        self.address = address
        self.detail = detail


class UnknownReview(ServiceError):
    code = "unknown-review"

    def __init__(self, review: int) -> None:
        super().__init__(f"no held prepayment {review}", review=review)
        self.review = review


@dataclass(frozen=True)
class FinalReading:
    """A removed meter's last figures (R19), read through the probe or from the form."""

    balance_fen: int
    count: int
    overdraft_fen: int
    source: str  # "meter" | "form"


@dataclass(frozen=True)
class OpeningResult:
    """How the new meter's account was opened (R18): ``remote`` (070101FF done), ``card``
    (card mode: the open-account card of R14), ``card-needed`` (remote failed: the card)."""

    way: str
    detail: str = ""


@dataclass(frozen=True)
class InstallOutcome:
    change_id: int
    customer_no: str
    meter_address: str
    purchase_mode: str
    base_count: int
    opening: OpeningResult

    def explain(self) -> list[str]:
        return [
            f"change {self.change_id}: meter {self.meter_address} installed for "
            f"{self.customer_no}, mode {self.purchase_mode} (R18), count base {self.base_count}",
            f"account opening: {self.opening.way}"
            + (f" ({self.opening.detail})" if self.opening.detail else ""),
        ]


@dataclass(frozen=True)
class ReplacementOutcome:
    change_id: int
    customer_no: str
    old_meter: str
    new_meter: str
    reading: FinalReading
    new_base_count: int
    held_id: int | None
    overdraft_bill_id: int | None
    opening: OpeningResult

    def explain(self) -> list[str]:
        lines = [
            f"change {self.change_id}: meter {self.old_meter} replaced by {self.new_meter} "
            f"for {self.customer_no}; old meter closed",
            f"final reading ({self.reading.source}): balance "
            f"{format_yuan(self.reading.balance_fen)}, count {self.reading.count}, overdraft "
            f"{format_yuan(self.reading.overdraft_fen)}",
            f"new meter counts from {self.new_base_count + 1} (I2)",
        ]
        if self.held_id is not None:
            lines.append(
                f"R20: {format_yuan(self.reading.balance_fen)} held for review as "
                f"prepayment {self.held_id}"
            )
        if self.overdraft_bill_id is not None:
            lines.append(f"overdraft billed as bill {self.overdraft_bill_id}")
        lines.append(f"account opening: {self.opening.way}")
        return lines


@dataclass(frozen=True)
class ReviewView:
    """A held prepayment in the review queue."""

    id: int
    change_id: int
    change_kind: str
    customer_no: str
    customer_name: str
    meter_address: str | None
    source: str
    amount_fen: int
    state: str
    filed_by: str
    reviewer: str | None
    review_reason: str
    created_at: dt.datetime
    details: dict[str, Any]


@dataclass(frozen=True)
class ReviewOutcome:
    review_id: int
    state: str
    amount_fen: int
    reviewer: str
    reason: str
    payment: PaymentOutcome | None = None
    dispatch: DispatchSummary | None = None
    refund_receipt_no: str | None = None

    def explain(self) -> list[str]:
        lines = [
            f"held prepayment {self.review_id} ({format_yuan(self.amount_fen)} yuan): "
            f"{self.state} by {self.reviewer}" + (f": {self.reason}" if self.reason else "")
        ]
        if self.payment is not None:
            lines.extend(self.payment.explain()[1:])
        if self.dispatch is not None:
            lines.append(
                f"dispatch: {self.dispatch.outcome}; purchase {self.dispatch.purchase_id} is "
                f"{self.dispatch.state}"
            )
        if self.refund_receipt_no:
            lines.append(f"refunded in cash, receipt {self.refund_receipt_no}")
        return lines


@dataclass(frozen=True)
class ChangeView:
    id: int
    kind: str
    customer_no: str
    meter_address: str | None
    new_meter_address: str | None
    filed_by: str
    counter_id: str
    reason: str
    details: dict[str, Any]
    created_at: dt.datetime


def _need_text(field: str, text: str) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidInput(field, "a reason is required")
    return value


def _twelve(field: str, text: str) -> str:
    value = (text or "").strip()
    if not is_twelve_digits(value):
        raise InvalidInput(field, f"{value!r} is not 12 digits")
    return value


def _meter_state(meter: Meter) -> dict[str, Any]:
    return {
        "customer_id": int(meter.customer_id),
        "active": bool(meter.active),
        "purchase_mode": str(meter.purchase_mode),
        "collection_capable": bool(meter.collection_capable),
        "committed_count": int(meter.committed_count),
        "base_count": int(meter.base_count),
    }


class BusinessService:
    """R18–R20 and the account changes (see the module docstring)."""

    def __init__(
        self,
        ctx: ServiceContext,
        dispatch: DispatchService | None = None,
        payments: PaymentService | None = None,
    ) -> None:
        self.ctx = ctx
        self.dispatch = dispatch or DispatchService(ctx)
        self.payments = payments or PaymentService(ctx, self.dispatch)

    # -- helpers ---------------------------------------------------------------------------------
    def _change(
        self,
        kind: str,
        customer: Customer,
        user: auth.SignedInUser,
        *,
        meter: Meter | None = None,
        new_meter: Meter | None = None,
        reason: str = "",
        details: dict[str, Any] | None = None,
    ) -> BusinessChange:
        return BusinessChange.create(
            kind=kind,
            customer=customer,
            meter=meter,
            new_meter=new_meter,
            filed_by=user.username,
            counter_id=self.ctx.counter_id,
            reason=reason,
            details=details or {},
            created_at=self.ctx.clock.now(),
        )

    @staticmethod
    def _refuse_if_pending(meter: Meter, what: str) -> None:
        if has_pending_purchase(int(meter.id)):
            raise ChangeRefused(
                "purchase-pending",
                f"meter {meter.address} has a purchase that has not reached it: resolve it "
                f"before the {what} (R8, R16)",
            )

    def _new_meter_free(self, address: str, meter_no: str) -> None:
        clash = Meter.get_or_none((Meter.address == address) | (Meter.meter_no == meter_no))
        if clash is not None:
            raise InvalidInput(
                "meter", f"meter {address} / {meter_no} is already in the archive ({clash.address})"
            )

    def _open_account(
        self, user: auth.SignedInUser, change_id: int, meter_id: int
    ) -> OpeningResult:
        """R18: open the new meter's account remotely (070101FF) when it is in remote mode and
        the dispatcher can; otherwise (or when that fails) the open-account card of R14."""
        meter = Meter.get_by_id(meter_id)
        if meter.purchase_mode != PurchaseMode.REMOTE:
            return OpeningResult("card", "card mode: issue the open-account card (R14)")
        opener = self.ctx.dispatcher
        if not isinstance(opener, AccountOpener):
            return OpeningResult("card-needed", "no remote account opening on this meter link")
        try:
            probe = opener.open_account(
                str(meter.address), str(meter.customer_no), meter_no=str(meter.meter_no)
            )
        except Exception as exc:  # the meter's refusal or a dead channel: fall back to the card
            detail = f"{type(exc).__name__}: {exc}"[:300]
            with write_transaction():
                audit.record(
                    user.username,
                    self.ctx.counter_id,
                    "account-opening-failed",
                    "meter",
                    meter.id,
                    after={"change_id": change_id, "reason": detail},
                )
            return OpeningResult("card-needed", detail)
        now = self.ctx.clock.now()
        with write_transaction():
            meter = cast(Meter, locked(Meter.select().where(Meter.id == meter_id)).first())
            before = _meter_state(meter)
            note = ""
            if probe.count != int(meter.committed_count):
                if has_pending_purchase(meter_id) or int(meter.committed_count) != int(
                    meter.base_count
                ):
                    meter.needs_reconciliation = True
                    note = f"meter count {probe.count}, archive {meter.committed_count}"
                    meter.reconciliation_note = (
                        f"{meter.reconciliation_note}\naccount opening: {note}".strip()
                    )
                else:  # nothing bought yet: the meter's own count is the base (I2)
                    meter.base_count = probe.count
                    meter.committed_count = probe.count
            meter.last_balance_fen = probe.balance_fen
            meter.last_seen_at = now
            meter.save()
            audit.record(
                user.username,
                self.ctx.counter_id,
                "account-opened-remote",
                "meter",
                meter.id,
                before=before,
                after={**_meter_state(meter), "change_id": change_id, "note": note},
            )
        return OpeningResult("remote", note)

    # -- R18 new installation --------------------------------------------------------------------
    def install_meter(
        self,
        user: auth.SignedInUser,
        *,
        customer_no: str,
        meter_address: str,
        name: str = "",
        address: str = "",
        phone: str = "",
        sms: bool = False,
        meter_no: str = "",
        meter_customer_no: str = "",
        is_card_meter: bool = True,
        collection_capable: bool = True,
        count: int = 0,
        open_account: bool = True,
    ) -> InstallOutcome:
        """R18: archive a new meter (a new customer too when the number is new).

        A collection-capable card meter is put in remote mode; then its account is opened
        remotely (070101FF) or, where that is not possible, by the open-account card (R14).
        """
        auth.require(user, auth.Action.FILE_BUSINESS_CHANGE)
        customer_no = _twelve("customer_no", customer_no)
        meter_address = _twelve("meter_address", meter_address)
        in_meter = _twelve("meter_customer_no", meter_customer_no or customer_no)
        meter_no = (meter_no or meter_address).strip()
        if count < 0:
            raise InvalidInput("count", "a purchase count cannot be negative")
        mode = archived_mode(is_card_meter, collection_capable)
        with write_transaction():
            customer = Customer.get_or_none(Customer.customer_no == customer_no)
            created = customer is None
            if customer is None:
                if not name.strip():
                    raise InvalidInput("name", "a new customer needs a name")
                customer = Customer.create(
                    customer_no=customer_no,
                    name=name.strip(),
                    address=address.strip(),
                    phone=phone.strip(),
                    sms_subscribed=sms,
                )
            customer = lock_customer(int(customer.id))
            self._new_meter_free(meter_address, meter_no)
            meter = Meter.create(
                customer=customer,
                address=meter_address,
                meter_no=meter_no,
                customer_no=in_meter,
                is_card_meter=is_card_meter,
                collection_capable=collection_capable,
                purchase_mode=mode.value,
                committed_count=count,
                base_count=count,
            )
            change = self._change(
                ChangeKind.NEW_INSTALLATION,
                customer,
                user,
                meter=meter,
                details={"new_customer": created, "mode": mode.value, "count": count},
            )
            audit.record(
                user.username,
                self.ctx.counter_id,
                "new-installation",
                "meter",
                meter.id,
                after={
                    "change_id": int(change.id),
                    "customer_no": customer_no,
                    "new_customer": created,
                    **_meter_state(meter),
                },
            )
        opening = (
            self._open_account(user, int(change.id), int(meter.id))
            if open_account
            else OpeningResult("card-needed", "account opening not requested")
        )
        meter = Meter.get_by_id(meter.id)
        return InstallOutcome(
            int(change.id),
            customer_no,
            meter_address,
            str(meter.purchase_mode),
            int(meter.base_count),
            opening,
        )

    # -- R19 meter replacement -------------------------------------------------------------------
    def read_final(self, meter_key: str | int) -> FinalReading:
        """R19: the old meter's final balance and count through the probe (R7 a)."""
        meter = find_meter(meter_key)
        dispatcher = self.ctx.dispatcher
        if dispatcher is None:
            raise MeterUnreadable(str(meter.address), "no meter link is configured")
        try:
            probe: MeterProbe = dispatcher.probe(str(meter.address))
        except Exception as exc:
            raise MeterUnreadable(str(meter.address), f"{type(exc).__name__}: {exc}") from None
        return FinalReading(probe.balance_fen, probe.count, int(probe.overdraft_fen or 0), "meter")

    def replace_meter(
        self,
        user: auth.SignedInUser,
        old_meter: str | int,
        *,
        new_meter_address: str,
        new_meter_no: str = "",
        new_meter_customer_no: str = "",
        new_is_card_meter: bool = True,
        new_collection_capable: bool = True,
        new_count: int | None = None,
        dead: bool = False,
        final_balance_fen: int | None = None,
        final_count: int | None = None,
        final_overdraft_fen: int = 0,
        reason: str = "",
        open_account: bool = True,
    ) -> ReplacementOutcome:
        """R19: close the old meter at its final reading, put the new one in, hold the final
        balance for review (R20) and start the new meter's counts at its own count (I2).

        The final reading comes from the meter (probe) unless the technician marks it
        ``dead``; then the balance and count of the form are used, and the review is where a
        supervisor checks them. Refused when the reading does not match the archive's
        committed count or a purchase of the old meter is still on its way: a payment got
        there in between, read again (nothing is booked).
        """
        auth.require(user, auth.Action.FILE_BUSINESS_CHANGE)
        old = find_meter(old_meter)
        new_address = _twelve("new_meter_address", new_meter_address)
        new_no = (new_meter_no or new_address).strip()
        if dead:
            if final_balance_fen is None or final_count is None:
                raise InvalidInput(
                    "final reading", "a dead meter needs its final balance and count from the form"
                )
            if final_balance_fen < 0 or final_count < 0 or final_overdraft_fen < 0:
                raise InvalidInput("final reading", "figures cannot be negative")
            reading = FinalReading(final_balance_fen, final_count, final_overdraft_fen, "form")
        else:
            reading = self.read_final(old.id)
        base = new_count
        if base is None:
            base = 0
            if self.ctx.dispatcher is not None:
                try:
                    base = self.ctx.dispatcher.probe(new_address).count
                except Exception:  # a new meter not on the link yet: counts start at 0
                    base = 0
        if base < 0:
            raise InvalidInput("new_count", "a purchase count cannot be negative")
        now = self.ctx.clock.now()
        with write_transaction():
            customer = lock_customer(int(old.customer_id))
            meters = {int(m.id): m for m in lock_meters(int(customer.id))}
            old = meters[int(old.id)]
            if not old.active:
                raise ChangeRefused("meter-closed", f"meter {old.address} is already closed")
            self._refuse_if_pending(old, "replacement")
            if reading.count != int(old.committed_count):
                raise ChangeRefused(
                    "count-mismatch",
                    f"the final reading shows count {reading.count} but the archive's last "
                    f"confirmed purchase of meter {old.address} is {old.committed_count}: read "
                    "the meter again",
                )
            self._new_meter_free(new_address, new_no)
            in_meter = _twelve(
                "new_meter_customer_no", new_meter_customer_no or str(old.customer_no)
            )
            before_old = _meter_state(old)
            old.active = False
            old.last_balance_fen = reading.balance_fen
            old.last_overdraft_fen = reading.overdraft_fen
            old.last_seen_at = now
            old.save()
            mode = archived_mode(new_is_card_meter, new_collection_capable)
            new = Meter.create(
                customer=customer,
                address=new_address,
                meter_no=new_no,
                customer_no=in_meter,
                is_card_meter=new_is_card_meter,
                collection_capable=new_collection_capable,
                purchase_mode=mode.value,
                committed_count=base,
                base_count=base,
                created_at=now,
            )
            details = {
                "reading_source": reading.source,
                "dead": dead,
                "final_balance_fen": reading.balance_fen,
                "final_count": reading.count,
                "final_overdraft_fen": reading.overdraft_fen,
                "new_base_count": base,
                "new_mode": mode.value,
            }
            change = self._change(
                ChangeKind.METER_REPLACEMENT,
                customer,
                user,
                meter=old,
                new_meter=new,
                reason=reason.strip(),
                details=details,
            )
            held_id = None
            if reading.balance_fen > 0:
                held = ReviewedPrepayment.create(
                    change=change,
                    customer=customer,
                    meter=new,
                    source=PrepaymentSource.METER_BALANCE,
                    amount_fen=reading.balance_fen,
                    created_at=now,
                )
                held_id = int(held.id)
            bill_id = None
            if reading.overdraft_fen > 0:  # consumption the old meter lent: now arrears (R1)
                bill = Bill.create(
                    customer=customer,
                    kind=BillKind.CONSUMPTION,
                    amount_fen=reading.overdraft_fen,
                    outstanding_fen=reading.overdraft_fen,
                    issued_on=self.ctx.clock.today(),
                    period=f"overdraft {old.address}",
                )
                bill_id = int(bill.id)
            audit.record(
                user.username,
                self.ctx.counter_id,
                "meter-replacement",
                "meter",
                old.id,
                before=before_old,
                after={
                    **details,
                    "change_id": int(change.id),
                    "new_meter": new_address,
                    "held_prepayment_id": held_id,
                    "overdraft_bill_id": bill_id,
                },
            )
        opening = (
            self._open_account(user, int(change.id), int(new.id))
            if open_account
            else OpeningResult("card-needed", "account opening not requested")
        )
        new = Meter.get_by_id(new.id)
        return ReplacementOutcome(
            int(change.id),
            str(customer.customer_no),
            str(old.address),
            new_address,
            reading,
            int(new.base_count),
            held_id,
            bill_id,
            opening,
        )

    # -- R20 review ------------------------------------------------------------------------------
    def reviews(self, *, states: tuple[str, ...] = ReviewState.HELD) -> list[ReviewView]:
        """Held prepayments waiting for (or refused at) review, oldest first."""
        query = (
            ReviewedPrepayment.select(ReviewedPrepayment, BusinessChange, Customer)
            .join(BusinessChange)
            .switch(ReviewedPrepayment)
            .join(Customer)
            .where(ReviewedPrepayment.state.in_(list(states)))
            .order_by(ReviewedPrepayment.id)
        )
        views = []
        for r in query:
            meter = Meter.get_or_none(Meter.id == r.meter_id) if r.meter_id else None
            views.append(
                ReviewView(
                    int(r.id),
                    int(r.change.id),
                    str(r.change.kind),
                    str(r.customer.customer_no),
                    str(r.customer.name),
                    str(meter.address) if meter else None,
                    str(r.source),
                    int(r.amount_fen),
                    str(r.state),
                    str(r.change.filed_by),
                    r.reviewer,
                    str(r.review_reason),
                    r.created_at,
                    dict(r.change.details or {}),
                )
            )
        return views

    def _authorize_review(self, reviewer: auth.SignedInUser, review_id: int) -> None:
        """R20: a supervisor, and not the person who filed the change. A refusal is audited
        (I3: every authorization, granted or not, leaves a record)."""
        row = ReviewedPrepayment.get_or_none(ReviewedPrepayment.id == review_id)
        if row is None:
            raise UnknownReview(review_id)
        filed_by = str(BusinessChange.get_by_id(row.change_id).filed_by)
        try:
            auth.require(reviewer, auth.Action.REVIEW_BUSINESS_CHANGE)
            if filed_by == reviewer.username:
                raise NotAuthorized(reviewer.username, reviewer.role, "review a change they filed")
        except NotAuthorized as exc:
            with write_transaction():
                audit.record(
                    reviewer.username,
                    self.ctx.counter_id,
                    "authorization-refused",
                    "reviewed-prepayment",
                    review_id,
                    after={"reviewer": reviewer.username, "filed_by": filed_by, "code": exc.code},
                )
            raise

    def _lock_review(
        self, reviewer: auth.SignedInUser, review_id: int
    ) -> tuple[Customer, ReviewedPrepayment, BusinessChange]:
        """Inside a transaction: the customer and the held prepayment, locked, still held."""
        row = ReviewedPrepayment.get_or_none(ReviewedPrepayment.id == review_id)
        if row is None:
            raise UnknownReview(review_id)
        customer = lock_customer(int(row.customer_id))
        held = cast(
            ReviewedPrepayment,
            locked(ReviewedPrepayment.select().where(ReviewedPrepayment.id == review_id)).first(),
        )
        change = BusinessChange.get_by_id(held.change_id)
        if held.state not in ReviewState.HELD:
            raise ChangeRefused("already-reviewed", f"held prepayment {review_id} is {held.state}")
        return customer, held, change

    def _mark(
        self,
        held: ReviewedPrepayment,
        reviewer: auth.SignedInUser,
        state: str,
        reason: str,
    ) -> dict[str, Any]:
        before = {"state": str(held.state), "review_reason": str(held.review_reason)}
        held.state = state
        held.reviewer = reviewer.username
        held.review_reason = reason
        held.reviewed_at = self.ctx.clock.now()
        return before

    def approve(
        self,
        reviewer: auth.SignedInUser,
        review_id: int,
        *,
        reason: str = "",
        dispatch: bool = True,
    ) -> ReviewOutcome:
        """R19/R20 "refund to prepayment": the held money joins the prepayment and R1–R3 run
        as for any purchase (arrears first, then the adjusted fee for the new meter, R2); the
        purchase is then dispatched (R7–R11, with the SMS on success)."""
        self._authorize_review(reviewer, review_id)
        with write_transaction():
            customer, held, change = self._lock_review(reviewer, review_id)
            if held.source != PrepaymentSource.METER_BALANCE:
                raise ChangeRefused(
                    "refund-only", "the prepayment of a closed account can only be refunded"
                )
            before = self._mark(held, reviewer, ReviewState.APPROVED, reason.strip())
            amount = int(held.amount_fen)
            customer.prepayment_fen = int(customer.prepayment_fen) + amount
            customer.save()
            audit.record(
                reviewer.username,
                self.ctx.counter_id,
                "prepayment-approved",
                "reviewed-prepayment",
                held.id,
                before=before,
                after={
                    "state": held.state,
                    "amount_fen": amount,
                    "change_id": int(change.id),
                    "prepayment_fen": int(customer.prepayment_fen),
                },
            )
            # R4: the same R1-R3 as any payment, on money already in prepayment (not "paid").
            payment = self.payments.take_payment(
                str(customer.customer_no),
                amount,
                channel=Channel.OFFSET,
                operator=reviewer.username,
                dispatch=False,
            )
            held.payment = Payment.get_by_id(payment.payment_id)
            held.save()
        summary = None
        if dispatch and payment.purchase_id is not None and payment.route == "remote":
            try:
                summary = self.dispatch.dispatch_purchase(payment.purchase_id, reviewer.username)
            except NoDispatcher:
                summary = None
        return ReviewOutcome(
            review_id,
            ReviewState.APPROVED,
            amount,
            reviewer.username,
            reason.strip(),
            payment,
            summary,
        )

    def refuse(self, reviewer: auth.SignedInUser, review_id: int, *, reason: str) -> ReviewOutcome:
        """R20: not dispatched; the money stays held in prepayment with the reviewer's reason
        (a later review may still approve or refund it)."""
        text = _need_text("reason", reason)
        self._authorize_review(reviewer, review_id)
        with write_transaction():
            _, held, change = self._lock_review(reviewer, review_id)
            if held.state == ReviewState.REFUSED:
                raise ChangeRefused("already-reviewed", f"held prepayment {review_id} is refused")
            before = self._mark(held, reviewer, ReviewState.REFUSED, text)
            held.save()
            audit.record(
                reviewer.username,
                self.ctx.counter_id,
                "prepayment-refused",
                "reviewed-prepayment",
                held.id,
                before=before,
                after={"state": held.state, "reason": text, "change_id": int(change.id)},
            )
        return ReviewOutcome(
            review_id, ReviewState.REFUSED, int(held.amount_fen), reviewer.username, text
        )

    def refund_cash(
        self, reviewer: auth.SignedInUser, review_id: int, *, reason: str
    ) -> ReviewOutcome:
        """R19 "refund cash" and the refund of a closed account: the held money is handed
        back with a receipt, authorized by the reviewing supervisor (I1 "refunded")."""
        text = _need_text("reason", reason)
        self._authorize_review(reviewer, review_id)
        now = self.ctx.clock.now()
        with write_transaction():
            customer, held, change = self._lock_review(reviewer, review_id)
            before = self._mark(held, reviewer, ReviewState.REFUNDED, text)
            held.save()
            refund = PrepaymentRefund.create(
                customer=customer,
                change=change,
                amount_fen=int(held.amount_fen),
                receipt_no=f"tmp-{held.id}-{now.timestamp()}",
                operator=str(change.filed_by),
                supervisor=reviewer.username,
                reason=text,
                counter_id=self.ctx.counter_id,
                created_at=now,
            )
            refund.receipt_no = f"{self.ctx.counter_id}-{now:%Y%m%d}-R{int(refund.id):07d}"
            refund.save()
            # the cash leaves the drawer of the shift open at this counter, if any, so that
            # the drawer's expected cash stays right (otherwise it is paid from the safe)
            drawer = (
                Shift.select()
                .where((Shift.counter_id == self.ctx.counter_id) & Shift.state.in_(ShiftState.LIVE))
                .first()
            )
            if drawer is not None:
                CashMovement.create(
                    shift=drawer,
                    direction="out",
                    amount_fen=int(held.amount_fen),
                    reason=f"prepayment refund {refund.receipt_no}",
                    operator=reviewer.username,
                    counter_id=self.ctx.counter_id,
                    created_at=now,
                )
            audit.record(
                reviewer.username,
                self.ctx.counter_id,
                "prepayment-refund",
                "reviewed-prepayment",
                held.id,
                before=before,
                after={
                    "state": held.state,
                    "amount_fen": int(held.amount_fen),
                    "refund_id": int(refund.id),
                    "receipt_no": str(refund.receipt_no),
                    "supervisor": reviewer.username,
                    "reason": text,
                    "drawer_shift_id": int(drawer.id) if drawer is not None else None,
                },
            )
        return ReviewOutcome(
            review_id,
            ReviewState.REFUNDED,
            int(held.amount_fen),
            reviewer.username,
            text,
            refund_receipt_no=str(refund.receipt_no),
        )

    # -- account changes -------------------------------------------------------------------------
    def close_account(
        self, user: auth.SignedInUser, customer_key: str | int, *, reason: str
    ) -> tuple[int, int | None]:
        """Close an account: every meter closed, arrears offset from the prepayment (R4), the
        rest held for a supervisor's cash refund. Returns (change id, held prepayment id)."""
        auth.require(user, auth.Action.FILE_BUSINESS_CHANGE)
        text = _need_text("reason", reason)
        row = find_customer(customer_key)
        with write_transaction():
            customer = lock_customer(int(row.id))
            meters = lock_meters(int(customer.id))
            for m in meters:
                self._refuse_if_pending(m, "account close")
            closed = [str(m.address) for m in meters if m.active]
            for m in meters:
                if m.active:
                    m.active = False
                    m.save()
            arrears = sum(
                int(b.outstanding_fen)
                for b in Bill.select().where(
                    (Bill.customer == customer.id) & (Bill.outstanding_fen > 0)
                )
            )
            if arrears > 0 and int(customer.prepayment_fen) > 0:
                self.payments.offset_arrears(str(customer.customer_no), operator=user.username)
                customer = lock_customer(int(customer.id))
            rest = int(customer.prepayment_fen)
            change = self._change(
                ChangeKind.ACCOUNT_CLOSE,
                customer,
                user,
                reason=text,
                details={"meters_closed": closed, "prepayment_fen": rest},
            )
            held_id = None
            if rest > 0:
                held = ReviewedPrepayment.create(
                    change=change,
                    customer=customer,
                    source=PrepaymentSource.ACCOUNT_CLOSE,
                    amount_fen=rest,
                    created_at=self.ctx.clock.now(),
                )
                held_id = int(held.id)
                customer.prepayment_fen = 0
                customer.save()
            audit.record(
                user.username,
                self.ctx.counter_id,
                "account-close",
                "customer",
                customer.id,
                before={"prepayment_fen": rest, "meters_active": closed},
                after={
                    "change_id": int(change.id),
                    "prepayment_fen": 0,
                    "held_prepayment_id": held_id,
                    "reason": text,
                },
            )
        return int(change.id), held_id

    def move_meter(
        self,
        user: auth.SignedInUser,
        meter_key: str | int,
        to_customer: str | int,
        *,
        reason: str,
    ) -> int:
        """Move a meter to another customer (过户). The prepayment stays with its owner (money
        belongs to people, not meters); a meter with a purchase on its way cannot move."""
        auth.require(user, auth.Action.FILE_BUSINESS_CHANGE)
        text = _need_text("reason", reason)
        meter_row = find_meter(meter_key)
        target = find_customer(to_customer)
        if int(target.id) == int(meter_row.customer_id):
            raise InvalidInput("to_customer", "the meter already belongs to that customer")
        with write_transaction():
            first, second = sorted((int(meter_row.customer_id), int(target.id)))
            lock_customer(first)
            lock_customer(second)
            meter = {int(m.id): m for m in lock_meters(int(meter_row.customer_id))}.get(
                int(meter_row.id)
            )
            if meter is None:  # moved by someone else meanwhile
                raise ChangeRefused("meter-moved", f"meter {meter_row.address} changed owner")
            self._refuse_if_pending(meter, "move")
            source = Customer.get_by_id(meter.customer_id)
            before = _meter_state(meter)
            meter.customer = target
            meter.save()
            change = self._change(
                ChangeKind.METER_MOVE,
                target,
                user,
                meter=meter,
                reason=text,
                details={"from": str(source.customer_no), "to": str(target.customer_no)},
            )
            audit.record(
                user.username,
                self.ctx.counter_id,
                "meter-move",
                "meter",
                meter.id,
                before={**before, "customer_no": str(source.customer_no)},
                after={
                    **_meter_state(meter),
                    "customer_no": str(target.customer_no),
                    "change_id": int(change.id),
                    "reason": text,
                },
            )
        return int(change.id)

    def change_mode(
        self,
        user: auth.SignedInUser,
        meter_key: str | int,
        mode: str,
        *,
        reason: str,
        collection_capable: bool | None = None,
    ) -> int:
        """Change a meter's purchase mode (remote ↔ card) with its reason.

        Remote mode is only allowed for what R2 can dispatch to: a card meter that is
        collection-capable (the technician may record that it now is). Card mode needs a
        card meter. A meter with a purchase on its way keeps its mode until it is resolved.
        """
        auth.require(user, auth.Action.FILE_BUSINESS_CHANGE)
        text = _need_text("reason", reason)
        try:
            target = PurchaseMode(mode)
        except ValueError:
            raise InvalidInput("mode", "must be remote or card") from None
        row = find_meter(meter_key)
        with write_transaction():
            lock_customer(int(row.customer_id))
            meter = {int(m.id): m for m in lock_meters(int(row.customer_id))}[int(row.id)]
            capable = (
                bool(meter.collection_capable) if collection_capable is None else collection_capable
            )
            if not meter.is_card_meter:
                raise ChangeRefused("not-card-meter", f"meter {meter.address} is not a card meter")
            if target is PurchaseMode.REMOTE and not capable:
                raise ChangeRefused(
                    "not-collection-capable",
                    f"meter {meter.address} cannot be reached by the collection system (R2)",
                )
            if not meter.active:
                raise ChangeRefused("meter-closed", f"meter {meter.address} is closed")
            self._refuse_if_pending(meter, "mode change")
            before = _meter_state(meter)
            meter.purchase_mode = target.value
            meter.collection_capable = capable
            meter.save()
            change = self._change(
                ChangeKind.MODE_CHANGE,
                Customer.get_by_id(meter.customer_id),
                user,
                meter=meter,
                reason=text,
                details={
                    "from": before["purchase_mode"],
                    "to": target.value,
                    "collection_capable": capable,
                },
            )
            audit.record(
                user.username,
                self.ctx.counter_id,
                "mode-change",
                "meter",
                meter.id,
                before=before,
                after={**_meter_state(meter), "change_id": int(change.id), "reason": text},
            )
        return int(change.id)

    # -- views -----------------------------------------------------------------------------------
    def changes(self, *, limit: int = 200) -> list[ChangeView]:
        """The latest business changes, newest first."""
        views = []
        query = BusinessChange.select().order_by(BusinessChange.id.desc()).limit(limit)
        for c in query:
            meter = Meter.get_or_none(Meter.id == c.meter_id) if c.meter_id else None
            new = Meter.get_or_none(Meter.id == c.new_meter_id) if c.new_meter_id else None
            views.append(
                ChangeView(
                    int(c.id),
                    str(c.kind),
                    str(Customer.get_by_id(c.customer_id).customer_no),
                    str(meter.address) if meter else None,
                    str(new.address) if new else None,
                    str(c.filed_by),
                    str(c.counter_id),
                    str(c.reason),
                    dict(c.details or {}),
                    c.created_at,
                )
            )
        return views

    def refund_receipt(self, receipt_no: str) -> ReceiptData:
        """The receipt of a cash refund of held prepayment (R19 "a refund with its receipt")."""
        refund = PrepaymentRefund.get_or_none(PrepaymentRefund.receipt_no == receipt_no)
        if refund is None:
            raise InvalidInput("receipt", f"no refund {receipt_no!r}")
        customer = Customer.get_by_id(refund.customer_id)
        change = BusinessChange.get_or_none(BusinessChange.id == refund.change_id)
        return ReceiptData(
            kind=ReceiptKind.PREPAYMENT_REFUND,
            receipt_no=str(refund.receipt_no),
            record_id=int(refund.id),
            issued_at=refund.created_at,
            counter_id=str(refund.counter_id),
            operator=str(refund.operator),
            customer_no=str(customer.customer_no),
            customer_name=str(customer.name),
            amount_fen=int(refund.amount_fen),
            supervisor=str(refund.supervisor),
            reversal_reason=str(refund.reason),
            original_receipt_no=f"{change.kind} No. {change.id}" if change is not None else None,
        )
