"""Card purchases (R6, R10, R12, R12a) and card write-back (R13): the records around card I/O.

The card library does the I/O; a UI step calls these around it:

1. `begin_card_write` — after reading the card: checks the card against the account (R12) and
   the pending rule (R12a), creates (or reuses) the purchase and persists it as
   ``card-writing`` *before* anything is written to the card (R8/R16: a pulled card is then
   resolved by reading it again, never by writing twice);
2. `confirm_card_write` — after the read-back shows the purchase on the card: ``card-written``;
   or `abandon_card_write` — the card was read again and carries nothing new: back to
   ``created`` (the money is still in transit, ready for another attempt or a reversal);
3. `apply_writeback` — a card that went through the meter (R13): last known meter state,
   ``card-written`` (and failed/work-order) purchases up to the meter's count become
   ``loaded`` and their counts are committed (I2); differences are flagged.

The card's wallet count `C` must equal the system's committed count (R12); the purchase then
carries ``n = C + 1``.

`CardWorkbench` is the technicians' side: read any card and compare its write-back
with the records (R13), issue an open-account card (R14), re-issue a lost card carrying the
last purchase again (R14), clear an unloaded purchase before its reversal (R16), unblock a
card whose keys were blocked by wrong cryptograms (the issuer's procedure, master key) —
each role-checked (`services.auth`) and recorded.

A card the card library refuses for security — blocked (6983), forged (its write-back MAC
does not verify) or answering with other keys — is never written at the counter: the
teller sends the customer to the technician's workbench, and `record_card_refusal` keeps
the event in the audit log (I3).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol, TypeVar

from card_io.card_files import WriteBack
from card_io.errors import CardBlocked, CardError, ForgedCard, WrongKeyOrMac
from card_io.purchase_card import CardContents, PurchaseCard, WriteState
from counter_app.core.payment_plan import PlanError, plan_card_purchase
from counter_app.core.purchase_state import PurchaseEvent, PurchaseState, transition
from counter_app.services import audit, auth
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import commit_count
from counter_app.services.errors import (
    CardCheckFailed,
    InvalidAmount,
    PurchaseStateError,
    ServiceError,
)
from counter_app.services.lookup import (
    find_meter,
    lock_customer,
    lock_meter,
    lock_purchase,
    lock_purchase_with_owners,
    meter_facts,
)
from counter_app.services.ports import (
    CardAnswer,
    CardCheck,
    CardNote,
    CardPrompts,
    CardStep,
    CardWait,
)
from counter_app.services.work_order_closing import close_live_work_orders
from counter_app.store.database import write_transaction
from counter_app.store.models import Customer, Meter, Purchase, WorkOrderState

_REUSABLE = frozenset({PurchaseState.CREATED, PurchaseState.FAILED, PurchaseState.WORK_ORDER})
_LOADABLE_BY_WRITEBACK = frozenset(
    {PurchaseState.CARD_WRITTEN, PurchaseState.FAILED, PurchaseState.WORK_ORDER}
)


@dataclass(frozen=True)
class CardWriteTicket:
    """What the card library must write (R12): purchase `count` of `amount_fen` for the meter."""

    purchase_id: int
    meter_id: int
    meter_address: str
    meter_no: str
    meter_customer_no: str
    customer_no: str
    amount_fen: int
    count: int


@dataclass(frozen=True)
class WritebackResult:
    """R13: what a write-back changed and what needs a person's look (flags)."""

    meter_id: int
    loaded_purchase_ids: tuple[int, ...]
    committed_count: int
    flags: tuple[str, ...]


def same_card_serial(registered: str, serial: str) -> bool:
    """R12: card serials compared as hex numbers (records may drop leading zeros, "C0000005";
    a card reports all 16 hex digits of its serial)."""
    try:
        return int(registered, 16) == int(serial, 16)
    except ValueError:
        return registered.strip().upper() == serial.strip().upper()


def _ticket(purchase: Purchase, meter: Meter, customer: Customer) -> CardWriteTicket:
    return CardWriteTicket(
        purchase_id=int(purchase.id),
        meter_id=int(meter.id),
        meter_address=str(meter.address),
        meter_no=str(meter.meter_no),
        meter_customer_no=str(meter.customer_no),
        customer_no=str(customer.customer_no),
        amount_fen=int(purchase.amount_fen),
        count=int(purchase.count),
    )


class CardService:
    """Records of card purchases and write-backs (R6, R10, R12, R12a, R13)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def begin_card_write(
        self,
        meter: str | int,
        *,
        operator: str,
        card_serial: str,
        card_count: int,
        writeback_pending: bool = False,
        amount_fen: int | None = None,
        purchase_id: int | None = None,
    ) -> CardWriteTicket:
        """R12 checks, then a ``card-writing`` purchase, committed before the card is touched.

        Without `purchase_id` a new purchase is made from the prepayment (R6; whole prepayment
        unless `amount_fen`). With `purchase_id` an existing created/failed/work-order purchase
        (R10: the dispatch failed, the customer brought the card) is written with its same n.
        `writeback_pending`: the card's write-back count is below its wallet count (R12a).
        """
        now = self.ctx.clock.now()
        m = find_meter(meter)
        with write_transaction():
            customer = lock_customer(int(m.customer_id))
            m = lock_meter(int(m.id))
            registered = m.card_serial
            if registered and not same_card_serial(str(registered), card_serial):
                raise CardCheckFailed(
                    "card-serial",
                    f"card {card_serial} is not the card "
                    f"registered for meter {m.meter_no} ({registered})",
                )
            if writeback_pending:
                raise CardCheckFailed(
                    "previous-not-loaded",
                    "R12a: the previous purchase on "
                    "this card has not reached the meter; insert it first",
                )
            if card_count != int(m.committed_count):
                raise CardCheckFailed(
                    "count",
                    f"card count {card_count} differs from the committed count {m.committed_count}",
                )
            if purchase_id is not None:
                purchase = lock_purchase(purchase_id)
                state = PurchaseState(str(purchase.state))
                if purchase.meter_id != m.id or state not in _REUSABLE:
                    raise PurchaseStateError(purchase_id, state.value, "write it to this card")
                if int(purchase.count) != card_count + 1:
                    raise CardCheckFailed(
                        "count",
                        f"purchase {purchase_id} carries n="
                        f"{purchase.count}, the card needs {card_count + 1}",
                    )
                before: dict[str, object] = {"state": state.value}
            else:
                try:
                    planned = plan_card_purchase(
                        int(customer.prepayment_fen), meter_facts(m), amount_fen
                    )
                except PlanError as exc:
                    raise InvalidAmount(str(amount_fen), str(exc)) from None
                customer.prepayment_fen = int(customer.prepayment_fen) - planned.amount_fen
                customer.save()
                purchase = Purchase.create(
                    customer=customer,
                    meter=m,
                    payment=None,
                    count=planned.count,
                    amount_fen=planned.amount_fen,
                    state=PurchaseState.CREATED.value,
                    route="card",
                    operator=operator,
                    counter_id=self.ctx.counter_id,
                    created_at=now,
                    updated_at=now,
                )
                before = {
                    "state": None,
                    "prepayment_fen": int(customer.prepayment_fen) + planned.amount_fen,
                }
            purchase.state = transition(
                PurchaseState(str(purchase.state)), PurchaseEvent.START_CARD_WRITE
            ).value
            purchase.card_serial = card_serial
            purchase.updated_at = now
            purchase.save()
            audit.record(
                operator,
                self.ctx.counter_id,
                "card-write-start",
                "purchase",
                purchase.id,
                before=before,
                after={
                    "state": purchase.state,
                    "count": purchase.count,
                    "amount_fen": purchase.amount_fen,
                    "card_serial": card_serial,
                    "prepayment_fen": int(customer.prepayment_fen),
                },
            )
            return _ticket(purchase, m, customer)

    def _move(
        self, purchase_id: int, event: PurchaseEvent, operator: str, action: str, **extra: object
    ) -> str:
        now = self.ctx.clock.now()
        with write_transaction():
            _, _, purchase = lock_purchase_with_owners(purchase_id)
            state = PurchaseState(str(purchase.state))
            try:
                purchase.state = transition(state, event).value
            except Exception:
                raise PurchaseStateError(purchase_id, state.value, action) from None
            purchase.updated_at = now
            purchase.save()
            if event is PurchaseEvent.CARD_WRITE_CONFIRMED:
                # the card now carries it; a live re-dispatch order is moot (R10 -> R12)
                close_live_work_orders(
                    int(purchase.id),
                    WorkOrderState.CLOSED_FAILED,
                    now,
                    "written to the purchase card (R12)",
                )
            audit.record(
                operator,
                self.ctx.counter_id,
                action,
                "purchase",
                purchase.id,
                before={"state": state.value},
                after={"state": purchase.state, **extra},
            )
            return str(purchase.state)

    def purchase_to_write(self, meter: str | int) -> int | None:
        """R10: the meter's purchase that could not be dispatched (failed, or in a work
        order), written to the card with its same n; None: a new one from the prepayment."""
        m = find_meter(meter)
        row = (
            Purchase.select(Purchase.id)
            .where(
                (Purchase.meter == m.id)
                & Purchase.state.in_([PurchaseState.FAILED.value, PurchaseState.WORK_ORDER.value])
            )
            .order_by(Purchase.count)
            .first()
        )
        return None if row is None else int(row.id)

    def record_card_refusal(
        self, error: CardError, *, operator: str, meter: str | int | None = None
    ) -> str | None:
        """I3: a card refused for security (blocked, forged, other keys) is recorded with
        what the card library knows of it. Returns the audit action, None for any other
        error (those are not security events)."""
        if isinstance(error, CardBlocked):
            action = "card-blocked-refused"
        elif isinstance(error, ForgedCard):
            action = "card-forged-refused"
        elif isinstance(error, WrongKeyOrMac):
            action = "card-key-refused"
        else:
            return None
        m = find_meter(meter) if meter is not None else None
        with write_transaction():
            audit.record(
                operator,
                self.ctx.counter_id,
                action,
                "meter" if m is not None else "card",
                m.id if m is not None else (getattr(error, "serial", None) or "unknown"),
                after={
                    "code": error.code,
                    "detail": str(error),
                    "card_serial": getattr(error, "serial", None),
                    "status": f"{getattr(error, 'sw', 0):04X}",
                },
            )
        return action

    def confirm_card_write(self, purchase_id: int, *, operator: str, card_serial: str) -> str:
        """R12: the read-back shows purchase n on the card: ``card-written``."""
        return self._move(
            purchase_id,
            PurchaseEvent.CARD_WRITE_CONFIRMED,
            operator,
            "card-write-confirmed",
            card_serial=card_serial,
        )

    def abandon_card_write(self, purchase_id: int, *, operator: str) -> str:
        """R12: the card was read again and does not carry the purchase: back to ``created``."""
        return self._move(
            purchase_id, PurchaseEvent.CARD_WRITE_ABANDONED, operator, "card-write-abandoned"
        )

    def settle_card_write(self, purchase_id: int, card_state: str, *, operator: str) -> str:
        """R12: an interrupted write settled by what the card, read again, shows.

        ``written`` (the card carries purchase n): ``card-written``; ``unchanged`` (the card
        still carries n-1): back to ``created``; ``other``: nothing is written or guessed, the
        meter is flagged for reconciliation and the purchase stays ``card-writing``.
        Returns the purchase's state afterwards.
        """
        purchase = Purchase.get_or_none(Purchase.id == purchase_id)
        if purchase is None or purchase.state != PurchaseState.CARD_WRITING:
            state = "unknown" if purchase is None else str(purchase.state)
            raise PurchaseStateError(purchase_id, state, "settle a card write")
        if card_state == "written":
            return self.confirm_card_write(
                purchase_id, operator=operator, card_serial=str(purchase.card_serial or "")
            )
        if card_state == "unchanged":
            return self.abandon_card_write(purchase_id, operator=operator)
        with write_transaction():
            meter = lock_meter(int(purchase.meter_id))
            note = f"R12: card shows another purchase than n={purchase.count} ({card_state})"
            meter.needs_reconciliation = True
            meter.reconciliation_note = f"{meter.reconciliation_note}\n{note}".strip()
            meter.save()
            audit.record(
                operator,
                self.ctx.counter_id,
                "card-write-unsettled",
                "purchase",
                purchase_id,
                after={"state": str(purchase.state), "card": card_state},
            )
        return str(purchase.state)

    def clear_card_purchase(self, purchase_id: int, *, operator: str) -> str:
        """R16: the purchase was removed from a card that never reached the meter."""
        return self._move(purchase_id, PurchaseEvent.CARD_CLEARED, operator, "card-cleared")

    def cancel_card_purchase(self, purchase_id: int, *, operator: str) -> int:
        """Give an unwritten card purchase from prepayment (R6) back to the prepayment.

        Only a ``created`` card purchase without a payment (one whose write was abandoned,
        R12); a purchase made by a payment is undone by reversing that payment (R15). Its count
        is free again. Returns the customer's prepayment afterwards.
        """
        now = self.ctx.clock.now()
        with write_transaction():
            customer, _, purchase = lock_purchase_with_owners(purchase_id)
            state = PurchaseState(str(purchase.state))
            if purchase.payment_id is not None or purchase.route != "card":
                raise PurchaseStateError(
                    purchase_id, state.value, "cancel it (reverse its payment)"
                )
            if state is not PurchaseState.CREATED:
                raise PurchaseStateError(purchase_id, state.value, "cancel it")
            purchase.state = transition(state, PurchaseEvent.REVERSE).value
            purchase.updated_at = now
            purchase.save()
            before = int(customer.prepayment_fen)
            customer.prepayment_fen = before + int(purchase.amount_fen)
            customer.save()
            audit.record(
                operator,
                self.ctx.counter_id,
                "card-purchase-cancelled",
                "purchase",
                purchase.id,
                before={"state": state.value, "prepayment_fen": before},
                after={"state": purchase.state, "prepayment_fen": int(customer.prepayment_fen)},
            )
            return int(customer.prepayment_fen)

    def apply_card_writeback(self, write_back: WriteBack, *, operator: str) -> WritebackResult:
        """R13: `apply_writeback` with the figures of the write-back file a card carries."""
        return self.apply_writeback(
            write_back.meter_no,
            remaining_fen=write_back.remaining_fen,
            count=write_back.count,
            overdraft_fen=write_back.overdraft_fen,
            illegal_insertions=write_back.illegal_insertions,
            written_at=write_back.written_at,
            operator=operator,
        )

    def apply_writeback(
        self,
        meter: str | int,
        *,
        remaining_fen: int,
        count: int,
        overdraft_fen: int,
        illegal_insertions: int,
        written_at: dt.datetime | None,
        operator: str,
    ) -> WritebackResult:
        """R13: the card's write-back file updates what the system knows and loads purchases."""
        now = self.ctx.clock.now()
        m = find_meter(meter)
        flags: list[str] = []
        loaded: list[int] = []
        with write_transaction():
            lock_customer(int(m.customer_id))
            m = lock_meter(int(m.id))
            before = {
                "committed_count": int(m.committed_count),
                "last_balance_fen": m.last_balance_fen,
                "last_illegal_insertions": m.last_illegal_insertions,
            }
            candidates = (
                Purchase.select()
                .where(
                    (Purchase.meter == m.id)
                    & (Purchase.count <= count)
                    & Purchase.state.in_([s.value for s in _LOADABLE_BY_WRITEBACK])
                )
                .order_by(Purchase.count)
            )
            for p in candidates:
                p.state = transition(
                    PurchaseState(str(p.state)), PurchaseEvent.METER_CONFIRMED
                ).value
                p.loaded_at = now
                p.updated_at = now
                p.save()
                problem = commit_count(m, int(p.count))
                if problem:
                    flags.append(problem)
                loaded.append(int(p.id))
                close_live_work_orders(
                    int(p.id), WorkOrderState.CLOSED_SUCCESS, now, "loaded by card (R13 write-back)"
                )
            if count < int(m.committed_count):
                flags.append(
                    f"meter count {count} is below the committed count {m.committed_count}"
                )
            elif count > int(m.committed_count):
                flags.append(
                    f"meter count {count} is above the committed count "
                    f"{m.committed_count}: purchases unknown to the system"
                )
            if overdraft_fen > 0:
                flags.append(f"meter is in overdraft ({overdraft_fen} fen)")
            previous = m.last_illegal_insertions
            if previous is not None and illegal_insertions > int(previous):
                flags.append(
                    f"illegal card insertions grew from {previous} to {illegal_insertions}"
                )
            m.last_balance_fen = remaining_fen
            m.last_overdraft_fen = overdraft_fen
            m.last_illegal_insertions = illegal_insertions
            m.last_seen_at = written_at or now
            if flags:
                m.needs_reconciliation = True
                m.reconciliation_note = "\n".join(
                    [str(m.reconciliation_note), *[f"R13: {f}" for f in flags]]
                ).strip()
            m.save()
            audit.record(
                operator,
                self.ctx.counter_id,
                "card-writeback",
                "meter",
                m.id,
                before=before,
                after={
                    "committed_count": int(m.committed_count),
                    "remaining_fen": remaining_fen,
                    "count": count,
                    "overdraft_fen": overdraft_fen,
                    "illegal_insertions": illegal_insertions,
                    "loaded_purchases": loaded,
                    "flags": flags,
                },
            )
        return WritebackResult(int(m.id), tuple(loaded), int(m.committed_count), tuple(flags))


# -- the technicians' card workbench (R13, R14, R16) ----------------------------------

_A = auth.Action


@dataclass(frozen=True)
class WritebackCheck:
    """One figure of the write-back set against what the system expected (R13)."""

    name: str  # "count" | "remaining" | "overdraft" | "illegal-insertions" | "meter" | "serial"
    card_value: object
    system_value: object
    ok: bool


@dataclass(frozen=True)
class MeterRecord:
    """What the system knows of the card's meter (None fields: never seen)."""

    meter_id: int
    meter_no: str
    address: str
    customer_no: str
    customer_name: str
    registered_serial: str | None
    committed_count: int
    last_balance_fen: int | None
    last_overdraft_fen: int | None
    last_illegal_insertions: int | None
    card_written_counts: tuple[int, ...]  # purchases on a card, not yet loaded (R12)


@dataclass(frozen=True)
class CardInspection:
    """A card as the workbench shows it: its contents, its meter's record, the comparison."""

    contents: CardContents
    meter: MeterRecord | None
    checks: tuple[WritebackCheck, ...]

    @property
    def differences(self) -> tuple[WritebackCheck, ...]:
        return tuple(c for c in self.checks if not c.ok)


@dataclass(frozen=True)
class CardOperationResult:
    """What an issue / re-issue / clear did: the card read back and the records changed."""

    operation: str
    contents: CardContents
    meter_id: int
    serial: str
    previous_serial: str | None
    purchase_id: int | None
    count: int
    amount_fen: int


def _meter_record(m: Meter) -> MeterRecord:
    customer = Customer.get_by_id(m.customer_id)
    on_card = tuple(
        int(p.count)
        for p in Purchase.select(Purchase.count)
        .where((Purchase.meter == m.id) & (Purchase.state == PurchaseState.CARD_WRITTEN.value))
        .order_by(Purchase.count)
    )
    return MeterRecord(
        meter_id=int(m.id),
        meter_no=str(m.meter_no),
        address=str(m.address),
        customer_no=str(m.customer_no),
        customer_name=str(customer.name),
        registered_serial=None if m.card_serial is None else str(m.card_serial),
        committed_count=int(m.committed_count),
        last_balance_fen=None if m.last_balance_fen is None else int(m.last_balance_fen),
        last_overdraft_fen=None if m.last_overdraft_fen is None else int(m.last_overdraft_fen),
        last_illegal_insertions=None
        if m.last_illegal_insertions is None
        else int(m.last_illegal_insertions),
        card_written_counts=on_card,
    )


def compare_card(contents: CardContents, record: MeterRecord | None) -> tuple[WritebackCheck, ...]:
    """R12/R13: the card's identity and write-back against the system's expectation.

    The meter's count on the write-back is expected to be the committed count, or a count a
    card-written purchase carries (the meter loaded it, the system learns it now); the
    overdraft 0; the illegal-insertion count not above the last one known.
    """
    if record is None:
        return ()
    checks = [
        WritebackCheck("meter", contents.meter_no, record.meter_no, True),
        WritebackCheck(
            "customer",
            contents.customer_no,
            record.customer_no,
            contents.customer_no == record.customer_no,
        ),
        WritebackCheck(
            "serial",
            contents.serial,
            record.registered_serial,
            record.registered_serial is None
            or same_card_serial(record.registered_serial, contents.serial),
        ),
    ]
    wb = contents.write_back
    if wb is not None:
        expected_counts = {record.committed_count, *record.card_written_counts}
        checks.append(
            WritebackCheck("count", wb.count, record.committed_count, wb.count in expected_counts)
        )
        checks.append(
            WritebackCheck(
                "remaining",
                wb.remaining_fen,
                record.last_balance_fen,
                record.last_balance_fen is None
                or wb.count != record.committed_count
                or wb.remaining_fen <= record.last_balance_fen,
            )
        )
        checks.append(WritebackCheck("overdraft", wb.overdraft_fen, 0, wb.overdraft_fen == 0))
        previous = record.last_illegal_insertions
        checks.append(
            WritebackCheck(
                "illegal-insertions",
                wb.illegal_insertions,
                previous,
                previous is None or wb.illegal_insertions <= previous,
            )
        )
    return tuple(checks)


class CardWorkbench:
    """The technicians' card operations (R13, R14, R16) with the records around them.

    Device I/O goes through the card library (`card_io.purchase_card.PurchaseCard`, its
    checks and typed errors unchanged); this class decides who may do it (`services.auth`),
    what the card must carry, and records the outcome (the serial registered for the meter,
    purchase states, audit I3). Call it on the card reader's owner thread: it waits for the
    card. Every change of a purchase is committed before the card is touched (R8/R12).
    """

    def __init__(self, ctx: ServiceContext, cards: CardService, card: PurchaseCard) -> None:
        self.ctx = ctx
        self.cards = cards
        self.card = card

    # -- read -----------------------------------------------------------------------------------
    def inspect(self, user: auth.SignedInUser) -> CardInspection:
        """Read any card: every field, its meter's record, and the write-back comparison."""
        auth.require(user, _A.INSPECT_CARD)
        contents = self.card.read_card()
        meter = Meter.get_or_none(Meter.meter_no == contents.meter_no) or Meter.get_or_none(
            Meter.address == contents.meter_no
        )
        record = None if meter is None else _meter_record(meter)
        return CardInspection(contents, record, compare_card(contents, record))

    def apply_writeback(self, user: auth.SignedInUser, contents: CardContents) -> WritebackResult:
        """R13: apply the write-back of a card just read to the system's records."""
        auth.require(user, _A.APPLY_WRITEBACK)
        wb = contents.write_back
        if wb is None:
            raise CardCheckFailed("no-writeback", "the card carries no write-back from a meter")
        return self.cards.apply_card_writeback(wb, operator=user.username)

    # -- R14 issue --------------------------------------------------------------------------------
    def issue(
        self,
        user: auth.SignedInUser,
        meter: str | int,
        *,
        purchase_id: int | None = None,
        overwrite: bool = False,
    ) -> CardOperationResult:
        """R14: an open-account card for a new meter, count 0 (no money) or count 1 carrying
        the first purchase (`purchase_id`: a created/failed/work-order purchase with n = 1);
        its serial is registered for the meter."""
        auth.require(user, _A.ISSUE_CARD)
        m = find_meter(meter)
        if int(m.committed_count) != 0:
            raise CardCheckFailed(
                "count",
                f"meter {m.meter_no} has loaded {m.committed_count} purchase(s): "
                "an open-account card is for a new meter (R14); re-issue the card instead",
            )
        amount, count = 0, 0
        if purchase_id is not None:
            amount, count = self._begin_purchase_write(purchase_id, int(m.id), user)
        try:
            contents = self.card.issue_card(
                customer_no=str(m.customer_no),
                meter_no=str(m.meter_no),
                amount_fen=amount,
                count=count,
                overwrite=overwrite,
            )
        except CardError:
            if purchase_id is not None:
                self._settle_interrupted(m, purchase_id, amount, count, user)
            raise
        if purchase_id is not None:
            self.cards.confirm_card_write(
                purchase_id, operator=user.username, card_serial=contents.serial
            )
        previous = self._register(m, contents.serial, user, "card-issued", count, amount)
        return CardOperationResult(
            "issue", contents, int(m.id), contents.serial, previous, purchase_id, count, amount
        )

    def _begin_purchase_write(
        self, purchase_id: int, meter_id: int, user: auth.SignedInUser
    ) -> tuple[int, int]:
        now = self.ctx.clock.now()
        with write_transaction():
            _, _, purchase = lock_purchase_with_owners(purchase_id)
            state = PurchaseState(str(purchase.state))
            if int(purchase.meter_id) != meter_id or state not in _REUSABLE:
                raise PurchaseStateError(purchase_id, state.value, "write it to a new card")
            if int(purchase.count) != 1:
                raise CardCheckFailed(
                    "count", f"an open-account card carries n = 1, purchase has {purchase.count}"
                )
            purchase.state = transition(state, PurchaseEvent.START_CARD_WRITE).value
            purchase.updated_at = now
            purchase.save()
            audit.record(
                user.username,
                self.ctx.counter_id,
                "card-write-start",
                "purchase",
                purchase.id,
                before={"state": state.value},
                after={"state": purchase.state, "count": 1, "card": "open-account"},
            )
            return int(purchase.amount_fen), 1

    def _settle_interrupted(
        self, m: Meter, purchase_id: int, amount: int, count: int, user: auth.SignedInUser
    ) -> None:
        """R12: settled by reading the card (`settle_card_write`); the open-account card of
        this meter showing anything but this purchase is abandoned; unreadable, or another
        meter's card put in its place: stays ``card-writing`` (settled later by reading the
        right card, never by what another card shows)."""
        settle_card_write(
            self.cards,
            self.card,
            purchase_id=purchase_id,
            amount_fen=amount,
            count=count,
            operator=user.username,
            abandon_other=True,
            card_of=(str(m.customer_no), str(m.meter_no)),
        )

    def _register(
        self,
        m: Meter,
        serial: str,
        user: auth.SignedInUser,
        action: str,
        count: int,
        amount_fen: int,
    ) -> str | None:
        with write_transaction():
            meter = lock_meter(int(m.id))
            previous = None if meter.card_serial is None else str(meter.card_serial)
            meter.card_serial = serial
            meter.save()
            audit.record(
                user.username,
                self.ctx.counter_id,
                action,
                "meter",
                meter.id,
                before={"card_serial": previous},
                after={"card_serial": serial, "count": count, "amount_fen": amount_fen},
            )
        return previous

    # -- R14 re-issue -----------------------------------------------------------------------------
    def last_purchase(self, meter: str | int) -> tuple[int, int, int | None]:
        """R14: what a re-issued card carries: (amount, count, purchase id) of the meter's last
        purchase that reached the meter or a card; (0, committed count, None) without one."""
        m = find_meter(meter)
        last = (
            Purchase.select()
            .where(
                (Purchase.meter == m.id)
                & Purchase.state.in_([PurchaseState.LOADED.value, PurchaseState.CARD_WRITTEN.value])
            )
            .order_by(Purchase.count.desc())
            .first()
        )
        if last is None:
            return 0, int(m.committed_count), None
        return int(last.amount_fen), int(last.count), int(last.id)

    def reissue(
        self, user: auth.SignedInUser, meter: str | int, *, overwrite: bool = False
    ) -> CardOperationResult:
        """R14: a new card (new serial) for a lost one, carrying the last purchase again; the
        new serial is registered, so the meter (after this card) and the counter refuse the
        old card. Refused while a purchase of the meter is being written or dispatched (R16)."""
        auth.require(user, _A.REISSUE_CARD)
        m = find_meter(meter)
        unresolved = (
            Purchase.select()
            .where(
                (Purchase.meter == m.id)
                & Purchase.state.in_(
                    [PurchaseState.DISPATCHING.value, PurchaseState.CARD_WRITING.value]
                )
            )
            .first()
        )
        if unresolved is not None:
            raise PurchaseStateError(int(unresolved.id), str(unresolved.state), "re-issue the card")
        amount, count, purchase_id = self.last_purchase(int(m.id))
        contents = self.card.reissue_card(
            customer_no=str(m.customer_no),
            meter_no=str(m.meter_no),
            last_amount_fen=amount,
            last_count=count,
            overwrite=overwrite,
        )
        if m.card_serial and same_card_serial(str(m.card_serial), contents.serial):
            raise CardCheckFailed("card-serial", "a re-issued card needs a new card (new serial)")
        previous = self._register(m, contents.serial, user, "card-reissued", count, amount)
        return CardOperationResult(
            "reissue", contents, int(m.id), contents.serial, previous, purchase_id, count, amount
        )

    # -- the issuer's unblock ---------------------------------------------------------------
    def unblock(self, user: auth.SignedInUser) -> CardOperationResult:
        """Reset the retry counters of a card blocked by wrong cryptograms or MACs (6983):
        the issuer's procedure with the master key, only at the workbench. The card must be
        genuine (internal authentication) and its write-back verifies afterwards; the card's
        meter (when the system knows it) gets the audit record."""
        auth.require(user, _A.UNBLOCK_CARD)
        contents = self.card.unblock_card()
        meter = Meter.get_or_none(Meter.meter_no == contents.meter_no) or Meter.get_or_none(
            Meter.address == contents.meter_no
        )
        with write_transaction():
            audit.record(
                user.username,
                self.ctx.counter_id,
                "card-unblocked",
                "meter" if meter is not None else "card",
                meter.id if meter is not None else contents.serial,
                after={"card_serial": contents.serial, "count": contents.count},
            )
        return CardOperationResult(
            "unblock",
            contents,
            int(meter.id) if meter is not None else 0,
            contents.serial,
            None if meter is None or meter.card_serial is None else str(meter.card_serial),
            None,
            contents.count,
            contents.amount_fen,
        )

    # -- R16 clear --------------------------------------------------------------------------
    def clear(self, user: auth.SignedInUser, purchase_id: int) -> CardOperationResult:
        """R16: take a written, unloaded purchase off the card so its reversal can proceed.

        The card library refuses a card whose write-back shows the meter loaded it
        (PurchaseAlreadyLoaded) or that does not carry exactly this purchase (CountMismatch);
        afterwards the purchase is ``created`` again (count n free for R15).
        """
        auth.require(user, _A.CLEAR_CARD)
        purchase = Purchase.get_or_none(Purchase.id == purchase_id)
        if purchase is None:
            raise PurchaseStateError(purchase_id, "unknown", "clear it from the card")
        if purchase.state != PurchaseState.CARD_WRITTEN:
            raise PurchaseStateError(purchase_id, str(purchase.state), "clear it from the card")
        m = Meter.get_by_id(purchase.meter_id)
        current = self.card.read_card()
        registered = None if m.card_serial is None else str(m.card_serial)
        expected_serial = (
            current.serial
            if registered is None or same_card_serial(registered, current.serial)
            else registered
        )
        contents = self.card.clear_purchase(
            expected_customer_no=str(m.customer_no),
            expected_meter_no=str(m.meter_no),
            expected_serial=expected_serial,
            amount_fen=int(purchase.amount_fen),
            count=int(purchase.count),
        )
        self.cards.clear_card_purchase(purchase_id, operator=user.username)
        return CardOperationResult(
            "clear",
            contents,
            int(m.id),
            contents.serial,
            registered,
            purchase_id,
            int(purchase.count),
            int(purchase.amount_fen),
        )


# -- the card write (R12) as one procedure -----------------------------------------------------

T = TypeVar("T")


class Records(Protocol):
    """Runs one step on the records (the window: on the database's owner thread)."""

    def __call__(self, step: Callable[[], T], /) -> T: ...


def _directly(step: Callable[[], T], /) -> T:
    return step()


_SECURITY_REFUSALS = (CardBlocked, ForgedCard, WrongKeyOrMac)


def same_serial(registered: str | None, serial: str) -> bool:
    """R12: no registered serial accepts any card; else `same_card_serial`."""
    return not registered or same_card_serial(registered, serial)


def serial_as_recorded(registered: str | None, serial: str) -> str:
    """The serial in the form the records use (so the R12 check compares alike)."""
    return registered if registered and same_serial(registered, serial) else serial


@dataclass(frozen=True)
class CardTarget:
    """What the person chose to write: onto the card of this meter, this purchase (an
    existing one, R10) or a new one of `amount_fen` from the prepayment (R6)."""

    meter_id: int
    meter_no: str
    registered_serial: str | None
    committed_count: int
    amount_fen: int
    purchase_id: int | None = None

    @classmethod
    def for_meter(cls, meter: str | int, *, purchase_id: int | None = None) -> CardTarget:
        """From the records: the meter's facts, the purchase's amount or the prepayment."""
        m = find_meter(meter)
        if purchase_id is not None:
            amount = int(Purchase.get_by_id(purchase_id).amount_fen)
        else:
            amount = int(Customer.get_by_id(m.customer_id).prepayment_fen)
        return cls(
            meter_id=int(m.id),
            meter_no=str(m.meter_no),
            registered_serial=None if m.card_serial is None else str(m.card_serial),
            committed_count=int(m.committed_count),
            amount_fen=amount,
            purchase_id=purchase_id,
        )


class CardWriteState(StrEnum):
    """How a card write procedure ended."""

    WRITTEN = "written"  # the purchase is on the card and confirmed (card-written)
    REFUSED = "refused"  # the card was refused for security (audited); nothing written
    RECONCILE = "reconcile"  # the card shows another purchase: the supervisor reconciles
    UNRESOLVED = "unresolved"  # the card was never read again: the purchase stays card-writing
    CANCELLED = "cancelled"  # the person stopped before anything was written


@dataclass(frozen=True)
class CardWriteResult:
    """The end of a card write: the state, the purchase's ticket, the card as read before the
    write and as read back after it (None when the write was settled by reading again)."""

    state: CardWriteState
    ticket: CardWriteTicket | None = None
    card: CardContents | None = None
    read_back: CardContents | None = None
    error: Exception | None = None


def card_checks(
    contents: CardContents, target: CardTarget, committed_count: int
) -> tuple[CardCheck, ...]:
    """R12/R12a: the card against the chosen meter, each check with the values compared."""
    return (
        CardCheck(
            "meter",
            contents.meter_no == target.meter_no,
            {"card_meter": contents.meter_no, "meter": target.meter_no},
        ),
        CardCheck(
            "serial",
            same_serial(target.registered_serial, contents.serial),
            {"serial": contents.serial, "registered": target.registered_serial},
        ),
        CardCheck(
            "count",
            contents.count == committed_count,
            {"card": contents.count, "committed": committed_count, "n": committed_count + 1},
        ),
        CardCheck("previous-loaded", not contents.previous_purchase_pending, {}),
        CardCheck("amount", target.amount_fen > 0, {"amount_fen": target.amount_fen}),
    )


def settle_card_write(
    cards: CardService,
    card: PurchaseCard,
    *,
    purchase_id: int,
    amount_fen: int,
    count: int,
    operator: str,
    card_serial: str = "",
    abandon_other: bool = False,
    records: Records = _directly,
    note: Callable[[CardNote], None] | None = None,
    ticket: CardWriteTicket | None = None,
    written_serial: str | None = None,
    card_of: tuple[str, str] | None = None,
) -> tuple[WriteState | None, Exception | None]:
    """R12: a write that did not finish is settled by reading the card, never by guessing.

    Written → confirmed; unchanged → abandoned (``created`` again); another purchase on the
    card → abandoned only with `abandon_other` (an open-account card at the workbench),
    else left for reconciliation; unreadable → (None, the error): the purchase stays
    ``card-writing`` (unresolved, R16) until the card is read. With the purchase's `ticket`
    (and the serial of the card that was written) only that card settles it: another card in
    the reader (the household's other card, R6) is refused like an unreadable one — read as
    "unchanged" it would give back money the written card may still carry. `card_of`
    (customer number, meter number) does the same where there is no ticket (an open-account
    card at the workbench, whose serial is not known until the issue finishes).
    """
    if card_of is None and ticket is not None:
        card_of = (ticket.meter_customer_no, ticket.meter_no)
    try:
        state = card.purchase_state(
            amount_fen,
            count,
            expected_customer_no=None if card_of is None else card_of[0],
            expected_meter_no=None if card_of is None else card_of[1],
            expected_serial=written_serial,
        )
    except Exception as exc:  # the card is gone, does not answer, or is another card
        return None, exc
    if state is WriteState.WRITTEN:
        if note is not None:
            note(CardNote(CardStep.FOUND_WRITTEN))
        records(
            lambda: cards.confirm_card_write(
                purchase_id, operator=operator, card_serial=card_serial
            )
        )
    elif state is WriteState.UNCHANGED or abandon_other:
        if note is not None:
            note(CardNote(CardStep.FOUND_UNCHANGED))
        records(lambda: cards.abandon_card_write(purchase_id, operator=operator))
    elif note is not None:
        note(CardNote(CardStep.FOUND_OTHER))
    return state, None


class CardWriteProcedure:
    """R12 at the counter, start to end: read the card (and apply its write-back, R13), check
    it against the chosen meter (R12, R12a), let the person confirm, record the purchase
    ``card-writing`` before the card is touched, write and read back, then confirm — or, when
    the write did not finish, read the card again and confirm or abandon by what it shows;
    never write twice.

    Runs on the card reader's thread; the person is asked through `CardPrompts` (the window's
    card-write dialog, or the shell of ``counterctl card write``); record steps go through
    `records` (the window runs them on the database's thread).
    """

    def __init__(
        self,
        cards: CardService,
        card: PurchaseCard,
        prompts: CardPrompts,
        *,
        operator: str,
        records: Records = _directly,
    ) -> None:
        self.cards = cards
        self.card = card
        self.prompts = prompts
        self.operator = operator
        self.records = records

    def _note(self, step: CardStep, **values: object) -> None:
        self.prompts.note(CardNote(step, values))

    def run(
        self, target: Callable[[], CardTarget], *, card_present: bool = False
    ) -> CardWriteResult:
        """Until written, refused, cancelled or left for reconciliation. `target` is asked
        before every read (the person may choose another meter meanwhile); after an abandoned
        write the same purchase is written again (R10: same n)."""
        wait: CardWait | None = None if card_present else CardWait.FIRST
        wait_values: dict[str, object] = {}
        retry: CardWriteTicket | None = None
        while True:
            if wait is not None and not self.prompts.insert_card(wait, wait_values):
                return CardWriteResult(CardWriteState.CANCELLED)
            wait, wait_values = CardWait.RETRY, {}
            chosen = target()
            if retry is not None:
                chosen = replace(chosen, purchase_id=retry.purchase_id, amount_fen=retry.amount_fen)
            read = self._read(chosen)
            if isinstance(read, CardWriteResult):
                return read
            if read is None:
                continue
            contents, committed = read
            checks = card_checks(contents, chosen, committed)
            answer = self.prompts.confirm_write(checks)
            if answer is CardAnswer.CANCEL:
                return CardWriteResult(CardWriteState.CANCELLED, card=contents)
            if answer is CardAnswer.READ_AGAIN or not all(c.ok for c in checks):
                wait = CardWait.AGAIN
                continue
            result = self._write(chosen, contents)
            if result is None:
                continue
            if isinstance(result, CardWriteTicket):  # abandoned: check the card again
                retry, wait = result, None
                continue
            return result

    def _refused(self, exc: Exception, meter_id: int) -> bool:
        """I3: a card refused for security is audited and not written at the counter."""
        if not isinstance(exc, _SECURITY_REFUSALS):
            return False
        with contextlib.suppress(Exception):  # the refusal stands even if the audit fails
            self.records(
                lambda: self.cards.record_card_refusal(exc, operator=self.operator, meter=meter_id)
            )
        self._note(CardStep.REFUSED, error=exc)
        return True

    def _read(self, chosen: CardTarget) -> tuple[CardContents, int] | CardWriteResult | None:
        self._note(CardStep.READING)
        try:
            contents = self.card.read_card()
        except Exception as exc:
            if self._refused(exc, chosen.meter_id):
                return CardWriteResult(CardWriteState.REFUSED, error=exc)
            self._note(CardStep.READ_FAILED, error=exc)
            return None
        self._note(CardStep.CARD_READ, contents=contents)
        committed = chosen.committed_count
        wb = contents.write_back
        if wb is not None:
            self._note(CardStep.WRITEBACK_FOUND, write_back=wb)
            try:
                applied = self.records(
                    lambda: self.cards.apply_card_writeback(wb, operator=self.operator)
                )
            except ServiceError as exc:
                self._note(CardStep.RECORD_FAILED, error=exc)
                return None
            self._note(CardStep.WRITEBACK_APPLIED, result=applied)
            committed = applied.committed_count
        return contents, committed

    def _write(
        self, chosen: CardTarget, contents: CardContents
    ) -> CardWriteResult | CardWriteTicket | None:
        serial = serial_as_recorded(chosen.registered_serial, contents.serial)
        self._note(CardStep.RECORDING)
        try:
            ticket = self.records(
                lambda: self.cards.begin_card_write(
                    chosen.meter_id,
                    operator=self.operator,
                    card_serial=serial,
                    card_count=contents.count,
                    writeback_pending=contents.previous_purchase_pending,
                    purchase_id=chosen.purchase_id,
                )
            )
        except ServiceError as exc:
            self._note(CardStep.RECORD_FAILED, error=exc)
            return None
        self._note(CardStep.WRITING, ticket=ticket)
        try:
            written = self.card.write_purchase(
                expected_customer_no=ticket.meter_customer_no,
                expected_meter_no=ticket.meter_no,
                expected_serial=contents.serial if chosen.registered_serial else None,
                last_committed_count=ticket.count - 1,
                amount_fen=ticket.amount_fen,
                count=ticket.count,
            )
        except Exception as exc:  # R12: never write twice: read the card again and settle
            refused = self._refused(exc, chosen.meter_id)
            self._note(CardStep.WRITE_INTERRUPTED, error=exc, ticket=ticket)
            return self._settle(ticket, contents, serial, exc if refused else None)
        self._note(CardStep.READ_BACK, contents=written)
        self.records(
            lambda: self.cards.confirm_card_write(
                ticket.purchase_id, operator=self.operator, card_serial=serial
            )
        )
        self.prompts.remove_card()
        return CardWriteResult(CardWriteState.WRITTEN, ticket, contents, written)

    def _settle(
        self,
        ticket: CardWriteTicket,
        contents: CardContents,
        serial: str,
        refusal: Exception | None,
    ) -> CardWriteResult | CardWriteTicket:
        while True:
            state, error = settle_card_write(
                self.cards,
                self.card,
                purchase_id=ticket.purchase_id,
                amount_fen=ticket.amount_fen,
                count=ticket.count,
                operator=self.operator,
                card_serial=serial,
                records=self.records,
                note=lambda n: self.prompts.note(CardNote(n.step, {"ticket": ticket})),
                ticket=ticket,
                written_serial=contents.serial,
            )
            if state is None:
                if not self.prompts.insert_card(CardWait.PUT_BACK, {"error": error}):
                    return CardWriteResult(CardWriteState.UNRESOLVED, ticket, contents)
                self._note(CardStep.REREADING, ticket=ticket)
                continue
            if state is WriteState.WRITTEN:
                self.prompts.remove_card()
                return CardWriteResult(CardWriteState.WRITTEN, ticket, contents)
            if state is WriteState.UNCHANGED:
                if refusal is not None:
                    return CardWriteResult(CardWriteState.REFUSED, ticket, contents, error=refusal)
                return ticket
            return CardWriteResult(CardWriteState.RECONCILE, ticket, contents)
