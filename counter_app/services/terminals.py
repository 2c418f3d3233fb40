"""Self-service terminals (ATM/POS): the use cases behind the terminal API (R5, R17).

- Each terminal has an id and a secret token; the database keeps only the token's SHA-256
  (`Terminal`), compared in constant time. A terminal that is not registered or not active is
  refused (the seed's code 701, "terminal not on MIS").
- A payment names the terminal's own serial; ``(terminal, serial)`` is the idempotency key. A
  request repeated after a lost reply gets the first answer again, never a second booking
  (INTEGRATION.md). Booking is `channel_booking` (R1–R6 on channel ``terminal``).
- Card purchase at the terminal (R5): the card is checked before anything is booked (R12:
  registered card serial, wallet count equal to the committed count; R12a: the previous
  purchase reached the meter), then the payment is booked and its purchase ``n`` goes to
  ``card-writing`` in the same transaction; the answer tells the terminal what to write. When
  the terminal reports the card written (or not), the same purchase — same ``n`` — is also
  dispatched remotely; whichever reaches the meter first loads it, the other is recognised as
  already loaded (R8).
- Last-transaction query (末笔交易查询): how a terminal recovers after a lost reply.
- A terminal's reversal follows R17: the system reverses its payment by R15's rules according
  to the dispatch state (R16 refuses while a dispatch or card write is unresolved), on the same
  day only, idempotent on the terminal's reversal serial.

Dispatch is never run inside a transaction: the API calls `dispatch_purchase` after answering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from counter_app.core.channel_codes import channel_code
from counter_app.core.channels import Channel
from counter_app.core.purchase_state import PurchaseState
from counter_app.services import audit, auth
from counter_app.services.bank import ChannelReversal, reverse_channel_payment
from counter_app.services.cards import CardService, same_card_serial
from counter_app.services.channel_booking import (
    BookingResult,
    BookingStatus,
    ChannelPaymentRequest,
    book_channel_payments,
)
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import DispatchService, DispatchSummary, NoDispatcher
from counter_app.services.errors import (
    InvalidAmount,
    InvalidInput,
    ServiceError,
    UnknownCustomer,
)
from counter_app.services.lookup import arrears_fen, find_customer, has_pending_purchase
from counter_app.services.receipts import ReceiptData, ReceiptKind, ReceiptMeter, receipt_lines
from counter_app.services.reversals import ReversalService
from counter_app.store.database import write_transaction
from counter_app.store.models import ChannelPayment, Meter, Payment, Purchase, Terminal

TERMINAL_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
SERIAL_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class TerminalRefused(ServiceError):
    """A terminal's request refused; `refusal` is a stable code the terminal can act on."""

    code = "terminal-refused"

    def __init__(self, refusal: str, detail: str) -> None:
        super().__init__(f"{refusal}: {detail}", refusal=refusal, detail=detail)
        self.refusal = refusal
        self.detail = detail
        self.bank_code = channel_code(refusal)


@dataclass(frozen=True)
class CardOnTerminal:
    """What the terminal read from the customer's purchase card (R12, R12a)."""

    card_serial: str
    wallet_count: int
    writeback_pending: bool = False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TerminalService:
    """See the module docstring."""

    def __init__(
        self,
        ctx: ServiceContext,
        dispatch: DispatchService | None = None,
        cards: CardService | None = None,
        reversals: ReversalService | None = None,
    ) -> None:
        """The counter's own dispatch, card and reversal services (``registry.build_services``);
        a terminal's purchase then follows the same owner of each meter as the window's."""
        self.ctx = ctx
        self.dispatch = dispatch or DispatchService(ctx)
        self.cards = cards or CardService(ctx)
        self.reversals = reversals or ReversalService(ctx, self.dispatch)

    # -- terminals ---------------------------------------------------------------------------
    def register(self, terminal_id: str, *, name: str = "", actor: str) -> str:
        """Register a terminal (or give it a new token); returns the token, shown only once."""
        auth.require(auth.get_user(actor), auth.Action.MANAGE_TERMINALS)
        if not TERMINAL_ID_RE.match(terminal_id):
            raise InvalidInput("terminal", "1-16 letters, digits, '-' or '_'")
        token = secrets.token_urlsafe(32)
        with write_transaction():
            row = Terminal.get_or_none(Terminal.terminal_id == terminal_id)
            if row is None:
                row = Terminal.create(
                    terminal_id=terminal_id, name=name, token_hash=token_hash(token)
                )
                action = "terminal-registered"
            else:
                row.token_hash = token_hash(token)
                row.active = True
                row.name = name or row.name
                row.save()
                action = "terminal-token-renewed"
            audit.record(
                actor, self.ctx.counter_id, action, "terminal", terminal_id, after={"name": name}
            )
        return token

    def deactivate(self, terminal_id: str, *, actor: str) -> None:
        auth.require(auth.get_user(actor), auth.Action.MANAGE_TERMINALS)
        with write_transaction():
            Terminal.update(active=False).where(Terminal.terminal_id == terminal_id).execute()
            audit.record(
                actor, self.ctx.counter_id, "terminal-deactivated", "terminal", terminal_id
            )

    def authenticate(self, terminal_id: str, token: str) -> str:
        """The terminal id when its token is right and it is active; else `TerminalRefused`."""
        row = Terminal.get_or_none(Terminal.terminal_id == terminal_id)
        expected = str(row.token_hash) if row is not None else token_hash("-")
        ok = hmac.compare_digest(expected, token_hash(token))
        if row is None or not ok or not row.active:
            raise TerminalRefused(
                "not-authorized", f"terminal {terminal_id!r} is not registered here"
            )
        return str(row.terminal_id)

    # -- look-up -----------------------------------------------------------------------------
    def lookup_customer(self, customer_no: str) -> dict[str, Any]:
        """What a terminal shows before a payment: name, arrears, prepayment, meters."""
        c = find_customer(customer_no)
        if str(c.customer_no) != customer_no.strip():
            raise UnknownCustomer(customer_no)  # terminals use customer numbers only
        meters = list(Meter.select().where(Meter.customer == c.id).order_by(Meter.id))
        return {
            "customer_no": str(c.customer_no),
            "name": str(c.name),
            "arrears_fen": arrears_fen(int(c.id)),
            "prepayment_fen": int(c.prepayment_fen),
            "meters": [
                {
                    "meter_no": str(m.meter_no),
                    "purchase_mode": str(m.purchase_mode),
                    "active": bool(m.active),
                    "committed_count": int(m.committed_count),
                    "purchase_pending": has_pending_purchase(int(m.id)),
                }
                for m in meters
            ],
        }

    # -- payments ----------------------------------------------------------------------------
    def pay(
        self,
        terminal_id: str,
        serial: str,
        customer_no: str,
        amount_fen: int,
        *,
        card: CardOnTerminal | None = None,
        paid_at: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """Book a terminal payment (module docstring); the first answer for a repeated serial.

        The answer's ``purchase`` (if any) is to be dispatched by the caller after answering
        (`dispatch_purchase`), unless ``card_write`` asks the terminal to write the card first.
        """
        if not SERIAL_RE.match(serial):
            raise InvalidInput("serial", "1-32 letters, digits, '-' or '_'")
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise InvalidAmount(str(amount_fen), "the amount must be positive integer fen")
        first = self._first_answer(terminal_id, serial, customer_no, amount_fen)
        if first is not None:
            return first
        meter = self._check_card(customer_no, card) if card is not None else None
        request = ChannelPaymentRequest(
            channel=Channel.TERMINAL,
            source=terminal_id,
            serial=serial,
            customer_no=customer_no,
            amount_fen=amount_fen,
            business_date=self.ctx.clock.today(),
            channel_time=paid_at or self.ctx.clock.now(),
        )
        actor = f"terminal:{terminal_id}"
        with write_transaction():
            (result,) = book_channel_payments(self.ctx, [request], actor=actor)
            if result.status is BookingStatus.DUPLICATE:  # a parallel repeat won the race
                return {**result.extra, "duplicate": True}
            if result.status is BookingStatus.REJECTED:
                if result.code == "unknown-customer":
                    raise UnknownCustomer(customer_no)
                raise TerminalRefused(str(result.code), result.detail)
            answer = self._answer(result)
            if card is not None and meter is not None:
                answer["card_write"] = self._begin_card_write(result, meter, card, actor)
            Terminal.update(last_seen_at=self.ctx.clock.now()).where(
                Terminal.terminal_id == terminal_id
            ).execute()
            ChannelPayment.update(result=answer).where(
                ChannelPayment.payment == result.payment_id
            ).execute()
        return {**answer, "duplicate": False}

    def _first_answer(
        self, terminal_id: str, serial: str, customer_no: str, amount_fen: int
    ) -> dict[str, Any] | None:
        row = ChannelPayment.get_or_none(
            (ChannelPayment.channel == Channel.TERMINAL.value)
            & (ChannelPayment.source == terminal_id)
            & (ChannelPayment.serial == serial)
        )
        if row is None:
            return None
        if (str(row.customer_no), int(row.amount_fen)) != (customer_no, amount_fen):
            raise TerminalRefused(
                "serial-conflict",
                f"serial {serial} was used for customer {row.customer_no}, {row.amount_fen} fen",
            )
        return {**dict(row.result or {}), "duplicate": True}

    def _check_card(self, customer_no: str, card: CardOnTerminal) -> Meter:
        """R12/R12a before any money is taken: the card fits the account and is free."""
        c = find_customer(customer_no)
        meters = [
            m
            for m in Meter.select().where(Meter.customer == c.id).order_by(Meter.id)
            if m.active and m.is_card_meter
        ]
        if len(meters) != 1:
            raise TerminalRefused(
                "multi-meter", "R6: the meter is chosen at the counter for this household"
            )
        meter = meters[0]
        if meter.card_serial and not same_card_serial(str(meter.card_serial), card.card_serial):
            raise TerminalRefused("card-serial", f"card {card.card_serial} is not this account's")
        if card.writeback_pending:
            raise TerminalRefused(
                "previous-not-loaded", "R12a: insert the card into the meter first"
            )
        if card.wallet_count != int(meter.committed_count):
            raise TerminalRefused(
                "card-count",
                f"card count {card.wallet_count} differs from the committed count "
                f"{meter.committed_count}",
            )
        return meter

    def _begin_card_write(
        self, result: BookingResult, meter: Meter, card: CardOnTerminal, actor: str
    ) -> dict[str, Any] | None:
        """R5/R12: the purchase of this payment (or, for a card-mode meter, the prepayment)
        goes to ``card-writing`` with its n; None when nothing is to be written (R2 reason)."""
        if result.purchase_id is None and result.route != "card":
            return None
        ticket = self.cards.begin_card_write(
            int(meter.id),
            operator=actor,
            card_serial=card.card_serial,
            card_count=card.wallet_count,
            purchase_id=result.purchase_id,
        )
        return {
            "purchase_id": ticket.purchase_id,
            "count": ticket.count,
            "amount_fen": ticket.amount_fen,
            "meter_no": ticket.meter_no,
            "meter_customer_no": ticket.meter_customer_no,
            "remote_twin": result.purchase_id is not None,
        }

    def _answer(self, result: BookingResult) -> dict[str, Any]:
        purchase = None
        if result.purchase_id is not None:
            meter = Meter.get_by_id(result.meter_id)
            purchase = {
                "id": result.purchase_id,
                "count": result.purchase_count,
                "amount_fen": result.purchase_fen,
                "meter_no": str(meter.meter_no),
            }
        r = result.request
        return {
            "terminal_id": r.source,
            "serial": r.serial,
            "receipt_no": result.receipt_no,
            "payment_id": result.payment_id,
            "customer_no": r.customer_no,
            "customer_name": result.customer_name,
            "amount_fen": r.amount_fen,
            "arrears_settled_fen": sum(fen for _, fen in result.settlements),
            "arrears_after_fen": result.arrears_after_fen,
            "prepayment_after_fen": result.prepayment_after_fen,
            "route": result.route,
            "reason": result.reason,
            "purchase": purchase,
            "card_write": None,
            "booked_at": self.ctx.clock.now().isoformat(timespec="seconds"),
        }

    def card_result(
        self, terminal_id: str, serial: str, *, written: bool, card_serial: str
    ) -> dict[str, Any]:
        """The terminal wrote the card (R12 read-back matched) or not (card read again,
        nothing on it). Returns the purchase; its remote twin is then dispatched (R5)."""
        row = self._row(terminal_id, serial)
        ticket = dict(row.result or {}).get("card_write") or {}
        purchase = Purchase.get_or_none(Purchase.id == ticket.get("purchase_id", 0))
        if purchase is None or purchase.state != PurchaseState.CARD_WRITING:
            state = purchase.state if purchase is not None else "none"
            raise TerminalRefused("no-card-write", f"no card write is open for {serial} ({state})")
        actor = f"terminal:{terminal_id}"
        if written:
            state = self.cards.confirm_card_write(
                int(purchase.id), operator=actor, card_serial=card_serial
            )
        else:
            state = self.cards.abandon_card_write(int(purchase.id), operator=actor)
        return {
            "purchase_id": int(purchase.id),
            "count": int(purchase.count),
            "state": state,
            "remote_twin": purchase.route == "remote",
        }

    def dispatch_purchase(self, purchase_id: int, terminal_id: str) -> DispatchSummary | None:
        """R7–R11 for a terminal's purchase (after the answer; None without a meter link)."""
        try:
            return self.dispatch.dispatch_purchase(purchase_id, f"terminal:{terminal_id}")
        except NoDispatcher:
            return None

    # -- receipts and recovery ---------------------------------------------------------------
    def _row(self, terminal_id: str, serial: str) -> ChannelPayment:
        row = (
            ChannelPayment.select(ChannelPayment, Payment)
            .join(Payment)
            .where(
                (ChannelPayment.channel == Channel.TERMINAL.value)
                & (ChannelPayment.source == terminal_id)
                & (ChannelPayment.serial == serial)
            )
            .first()
        )
        if row is None:
            raise TerminalRefused("no-record", f"no payment {serial} from terminal {terminal_id}")
        return row  # type: ignore[no-any-return]

    def status(self, terminal_id: str, serial: str) -> dict[str, Any]:
        """A payment of this terminal as it stands now (purchase state, reversal)."""
        row = self._row(terminal_id, serial)
        purchase = (
            Purchase.select().where(Purchase.payment == row.payment_id).order_by(Purchase.id.desc())
        ).first()
        return {
            **dict(row.result or {}),
            "reversed": bool(row.payment.reversed),
            "reversal_serial": row.reversal_serial,
            "purchase_state": str(purchase.state) if purchase is not None else None,
        }

    def receipt(self, terminal_id: str, serial: str) -> dict[str, Any]:
        """The receipt as the terminal prints it: the same rows as the counter's receipt."""
        row = self._row(terminal_id, serial)
        p = row.payment
        customer = p.customer
        purchase = (
            Purchase.select().where(Purchase.payment == p.id).order_by(Purchase.id.desc()).first()
        )
        meters = tuple(
            ReceiptMeter(str(m.meter_no), int(m.committed_count), m.last_balance_fen)
            for m in Meter.select().where(Meter.customer == customer.id).order_by(Meter.id)
        )
        answer = dict(row.result or {})
        outcome = None
        if purchase is not None:
            outcome = {
                PurchaseState.LOADED.value: "success",
                PurchaseState.CREATED.value: "not-dispatched",
                PurchaseState.DISPATCHING.value: "unresolved",
                PurchaseState.FAILED.value: "failed",
                PurchaseState.WORK_ORDER.value: "failed",
                PurchaseState.CARD_WRITTEN.value: "card-written",
            }.get(str(purchase.state))
        data = ReceiptData(
            kind=ReceiptKind.PAYMENT,
            receipt_no=str(p.receipt_no),
            record_id=int(p.id),
            issued_at=p.created_at,
            counter_id=terminal_id,
            operator=f"terminal:{terminal_id}",
            customer_no=str(customer.customer_no),
            customer_name=str(customer.name),
            amount_fen=int(p.amount_fen),
            channel=Channel.TERMINAL.value,
            arrears_settled_fen=int(answer.get("arrears_settled_fen", 0)),
            adjusted_fee_fen=int(purchase.amount_fen) if purchase is not None else 0,
            prepayment_after_fen=int(p.prepayment_after_fen),
            arrears_after_fen=int(answer.get("arrears_after_fen", 0)),
            meters=meters,
            route=str(p.route),
            reason=p.reason,
            dispatch_outcome=outcome,
            purchase_count=int(purchase.count) if purchase is not None else None,
        )
        return {
            "receipt_no": data.receipt_no,
            "reversed": bool(p.reversed),
            "lines": [[label, value] for label, value in receipt_lines(data)],
        }

    def last_transaction(self, terminal_id: str) -> dict[str, Any]:
        """末笔交易查询: this terminal's latest payment as it stands now."""
        row = (
            ChannelPayment.select()
            .where(
                (ChannelPayment.channel == Channel.TERMINAL.value)
                & (ChannelPayment.source == terminal_id)
            )
            .order_by(ChannelPayment.id.desc())
            .first()
        )
        if row is None:
            raise TerminalRefused("no-record", f"terminal {terminal_id} has no payment yet")
        return self.status(terminal_id, str(row.serial))

    def reverse(
        self, terminal_id: str, serial: str, reversal_serial: str, *, reason: str
    ) -> ChannelReversal:
        """R17 for a terminal: reverse by R15's rules (same day; R16 may refuse)."""
        if not SERIAL_RE.match(reversal_serial):
            raise InvalidInput("reversal_serial", "1-32 letters, digits, '-' or '_'")
        return reverse_channel_payment(
            self.ctx,
            self.reversals,
            Channel.TERMINAL,
            terminal_id,
            serial,
            reversal_serial,
            reason=reason,
            operator=f"terminal:{terminal_id}",
        )
