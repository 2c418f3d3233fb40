"""The SMS outbox (R11): queue in the business step's transaction, send later.

A message is written to `Notification` in the same transaction as the event it reports
(dispatch success, final failure), so a crash or a gateway outage loses nothing. `drain_outbox`
sends queued messages through the `SmsGateway` port; several workers may drain at once on
PostgreSQL (``FOR UPDATE SKIP LOCKED``). A message that fails `max_tries` times is marked
``failed`` and stays visible for the staff.

States (strings in ``Notification.state``): ``queued`` (never tried), ``retried`` (tried and
failed, will be tried again — or put back by the staff after ``failed``), ``sent``, ``failed``
(gave up after `max_tries`); ``sending`` while one drainer hands it to the gateway, outside
any transaction (see `drain_outbox`). The messages are in Chinese and carry the purchase id and the
dispatch state, so the customer can quote them at the hall (R11).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from counter_app.core.money import format_yuan
from counter_app.services import audit, auth
from counter_app.services.errors import InvalidInput
from counter_app.services.ports import Clock, SmsGateway, SystemClock
from counter_app.store.database import locked, write_transaction
from counter_app.store.models import Customer, Meter, Notification, NotificationState

RETRIED = "retried"
"""Tried, failed, waiting for the next round (or put back by the staff after ``failed``)."""
PENDING = (NotificationState.QUEUED, RETRIED)
STATES = (NotificationState.QUEUED, RETRIED, NotificationState.SENT, NotificationState.FAILED)

TEMPLATE_DISPATCH_SUCCESS = "dispatch-success"
TEMPLATE_BRING_CARD = "bring-card"
TEMPLATE_DISPATCH_FAILED = "dispatch-failed"


def _purchase_ref(purchase_id: int) -> str:
    return f"（购电记录号{purchase_id}）"


def dispatch_success_text(
    customer: Customer,
    meter: Meter,
    amount_fen: int,
    balance_fen: int | None,
    *,
    purchase_id: int,
) -> str:
    """R11: amount and new balance, the purchase id and the dispatch state (下发成功)."""
    balance = f"，当前剩余金额{format_yuan(balance_fen)}元" if balance_fen is not None else ""
    return (
        f"尊敬的{customer.name}（户号{customer.customer_no}）：您的电表{meter.meter_no}"
        f"已远程购电{format_yuan(amount_fen)}元{_purchase_ref(purchase_id)}，"
        f"下发状态：成功{balance}。"
    )


def bring_card_text(customer: Customer, meter: Meter, amount_fen: int, *, purchase_id: int) -> str:
    """R10/R11: the final failure (下发失败): bring the purchase card to the hall."""
    return (
        f"尊敬的{customer.name}（户号{customer.customer_no}）：您的{format_yuan(amount_fen)}元"
        f"购电{_purchase_ref(purchase_id)}未能远程下发到电表{meter.meter_no}，"
        f"下发状态：失败，请携带购电卡到营业厅写卡。"
    )


def dispatch_failed_text(
    customer: Customer, meter: Meter, amount_fen: int, *, purchase_id: int
) -> str:
    """R10/R11: the collection system's final failure: staff retry it (work order); the card
    is the way to get the money into the meter sooner."""
    return (
        f"尊敬的{customer.name}（户号{customer.customer_no}）：您的{format_yuan(amount_fen)}元"
        f"购电{_purchase_ref(purchase_id)}暂未能远程下发到电表{meter.meter_no}，"
        f"下发状态：失败，已安排工作人员重新下发；如需尽快用电，请携带购电卡到营业厅写卡。"
    )


def queue(customer: Customer, template: str, body: str) -> Notification | None:
    """Queue one SMS for a subscribed customer with a phone number (else None).

    Call inside the transaction of the event it reports.
    """
    if not customer.sms_subscribed or not str(customer.phone).strip():
        return None
    row: Notification = Notification.create(
        customer=customer, template=template, phone=str(customer.phone), body=body
    )
    return row


@dataclass(frozen=True)
class DrainResult:
    sent: int
    retried: int
    failed: int


SENDING = "sending"
"""Claimed by a drainer and being handed to the gateway (no transaction open meanwhile);
``sent_at`` holds the moment of the claim until the result is recorded."""
CLAIM_LEASE = dt.timedelta(minutes=5)
"""A claim older than this (its drainer died mid-send) is claimed again: longer than any
gateway's timeout, so a live send is never taken over."""


def _claim_next(clock: Clock) -> Notification | None:
    """Claim the oldest message to send, in one short transaction (R11).

    The claim marks it ``sending`` and counts the try, so other drainers (PostgreSQL: ``SKIP
    LOCKED`` while the claim commits) pass over it; the network call comes after the commit.
    """
    now = clock.now()
    with write_transaction():
        claimable = Notification.state.in_(list(PENDING)) | (
            (Notification.state == SENDING) & (Notification.sent_at < now - CLAIM_LEASE)
        )
        query = Notification.select().where(claimable).order_by(Notification.id).limit(1)
        row: Notification | None = locked(query, skip_locked=True).first()
        if row is None:
            return None
        row.tries += 1
        row.state = SENDING
        row.sent_at = now
        row.save()
        return row


def _record_result(
    row: Notification, error: Exception | None, *, max_tries: int, clock: Clock
) -> str:
    """Record what the gateway said about a claimed message, in its own transaction."""
    with write_transaction():
        current = locked(Notification.select().where(Notification.id == row.id)).first()
        if current is None:
            return NotificationState.FAILED
        if error is None:
            current.state = NotificationState.SENT
            current.sent_at = clock.now()
        else:
            current.last_error = f"{type(error).__name__}: {error}"[:500]
            current.sent_at = None
            failed = int(current.tries) >= max_tries
            current.state = NotificationState.FAILED if failed else RETRIED
        current.save()
        return str(current.state)


def drain_outbox(
    gateway: SmsGateway, *, limit: int = 50, max_tries: int = 5, clock: Clock | None = None
) -> DrainResult:
    """Send up to `limit` queued messages (R11): each is claimed in one short transaction,
    handed to the gateway with no transaction open (a slow gateway holds no database lock:
    on SQLite the counter keeps taking payments meanwhile), and its result recorded in
    another transaction. A gateway that is down ends the round, keeping the messages' order."""
    clock = clock or SystemClock()
    sent = retried = failed = 0
    for _ in range(limit):
        row = _claim_next(clock)
        if row is None:
            break
        error: Exception | None = None
        try:
            gateway.send(str(row.phone), str(row.body))
        except Exception as exc:  # the gateway is a port: any failure is kept and retried
            error = exc
        state = _record_result(row, error, max_tries=max_tries, clock=clock)
        if state == NotificationState.SENT:
            sent += 1
        elif state == RETRIED:
            retried += 1
            break  # the gateway is down: stop this round, keep the order of messages
        else:
            failed += 1
    return DrainResult(sent=sent, retried=retried, failed=failed)


def pending_count() -> int:
    """Messages still to send (queued, retried, or being sent right now)."""
    waiting = [*PENDING, SENDING]
    return int(Notification.select().where(Notification.state.in_(waiting)).count())


@dataclass(frozen=True)
class OutboxRow:
    """One message as the outbox view shows it."""

    id: int
    state: str
    template: str
    customer_no: str
    customer_name: str
    phone: str
    body: str
    tries: int
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


def list_outbox(
    user: auth.SignedInUser, *, states: tuple[str, ...] = (), limit: int = 500
) -> list[OutboxRow]:
    """The outbox, newest first, optionally only some states (R11)."""
    auth.require(user, auth.Action.VIEW_OUTBOX)
    query = (
        Notification.select(Notification, Customer)
        .join(Customer)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    if states:
        query = query.where(Notification.state.in_(list(states)))
    return [
        OutboxRow(
            id=int(n.id),
            state=str(n.state),
            template=str(n.template),
            customer_no=str(n.customer.customer_no),
            customer_name=str(n.customer.name),
            phone=str(n.phone),
            body=str(n.body),
            tries=int(n.tries),
            last_error=str(n.last_error),
            created_at=n.created_at,
            sent_at=n.sent_at,
        )
        for n in query
    ]


def state_counts() -> dict[str, int]:
    """How many messages are in each state (every state present, zeros included)."""
    counts = dict.fromkeys(STATES, 0)
    for state in STATES:
        counts[state] = int(Notification.select().where(Notification.state == state).count())
    return counts


def requeue(notification_id: int, user: auth.SignedInUser, *, counter_id: str = "-") -> None:
    """Put a ``failed`` message back for another round (state ``retried``; audited, I3)."""
    auth.require(user, auth.Action.SEND_OUTBOX)
    with write_transaction():
        row = locked(Notification.select().where(Notification.id == notification_id)).first()
        if row is None:
            raise InvalidInput("notification", f"no message {notification_id}")
        if row.state != NotificationState.FAILED:
            raise InvalidInput("notification", f"message {notification_id} is {row.state}")
        row.state = RETRIED
        row.save()
        audit.record(
            user.username,
            counter_id,
            "sms-requeued",
            "notification",
            row.id,
            before={"state": NotificationState.FAILED, "tries": int(row.tries)},
            after={"state": RETRIED},
        )


def send_now(
    gateway: SmsGateway, user: auth.SignedInUser, *, limit: int = 50, max_tries: int = 5
) -> DrainResult:
    """A person presses "send now" in the outbox view (role-checked `drain_outbox`)."""
    auth.require(user, auth.Action.SEND_OUTBOX)
    return drain_outbox(gateway, limit=limit, max_tries=max_tries)
