"""Peewee models: the tables of the counter program (docs/data-model.md explains them).

Money columns are integer fen (``*_fen``, BIGINT), never floats. Timestamps are naive UTC
(`utcnow`); business dates (``issued_on``) are the hall's local date.

Two counts are kept apart on purpose (I2): `Purchase.count` is the count *allocated* to a
purchase when it was planned (R3: last committed + 1); `Meter.committed_count` only moves when
the meter (dispatch success, R8 "already loaded") or its card (write-back, R13) confirmed that
purchase. `AuditLog` is append-only (I3): the model refuses updates and deletes, and database
triggers refuse them too (see `counter_app.store.migrations`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, ClassVar

import peewee

from counter_app.store.database import database


def utcnow() -> dt.datetime:
    """Now as naive UTC, the form every timestamp column holds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class JSONField(peewee.TextField):
    """JSON stored as text on both SQLite and PostgreSQL (sorted keys: stable for diffs)."""

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def python_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.loads(value)


class BaseModel(peewee.Model):
    """Base of every table. For the type checker: peewee adds ``id`` and the ``<fk>_id``
    accessors at run time, so they are declared here (`__getattr__` types the latter)."""

    if TYPE_CHECKING:
        id: Any

        def __getattr__(self, name: str) -> Any: ...

    class Meta:
        database = database
        legacy_table_names = False


# -- people -----------------------------------------------------------------------------------


class Role:
    """Roles of the counter: what each may do is decided in `services.auth`."""

    TELLER = "teller"
    SUPERVISOR = "supervisor"
    TECHNICIAN = "technician"
    ADMIN = "admin"
    ALL: ClassVar[tuple[str, ...]] = (TELLER, SUPERVISOR, TECHNICIAN, ADMIN)


class User(BaseModel):
    """A person who signs in: teller, supervisor, technician or admin (argon2 password hash)."""

    username = peewee.CharField(max_length=64, unique=True)
    full_name = peewee.CharField(max_length=128, default="")
    role = peewee.CharField(max_length=16)
    password_hash = peewee.CharField(max_length=255)
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)
    # Lockout (`services.auth`): wrong passwords in a row, and until when sign-in is refused.
    failed_attempts = peewee.IntegerField(default=0)
    locked_until = peewee.DateTimeField(null=True)


class OperatorSession(BaseModel):
    """A counterctl sign-in (`services.sessions`): only the sha256 of its token is kept, so the
    token file on the operator's PC is the one proof of it; it ends at `expires_at`."""

    token_hash = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    counter_id = peewee.CharField(max_length=32)
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField()


# -- customers and meters --------------------------------------------------------------------


class Customer(BaseModel):
    """An account holder (用户, 户号). `prepayment_fen` is the prepayment balance (预收, R1)."""

    customer_no = peewee.CharField(max_length=32, unique=True)
    name = peewee.CharField(max_length=128)
    address = peewee.CharField(max_length=255, default="")
    phone = peewee.CharField(max_length=32, default="")
    sms_subscribed = peewee.BooleanField(default=False)
    prepayment_fen = peewee.BigIntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)


class PurchaseMode:
    REMOTE = "remote"
    CARD = "card"


class Meter(BaseModel):
    """A meter of a customer, with what the system last knew of it (R13 write-back, R7 reads).

    `address` is the 12-digit DL/T 645 communication address; `customer_no` is the customer
    number held in the meter itself (sent with every recharge, R7c), 12 digits.
    """

    customer = peewee.ForeignKeyField(Customer, backref="meters", on_delete="RESTRICT")
    address = peewee.CharField(max_length=12, unique=True)
    meter_no = peewee.CharField(max_length=32, unique=True)
    customer_no = peewee.CharField(max_length=12)
    is_card_meter = peewee.BooleanField(default=True)
    collection_capable = peewee.BooleanField(default=False)
    purchase_mode = peewee.CharField(max_length=8, default=PurchaseMode.CARD)
    active = peewee.BooleanField(default=True)
    committed_count = peewee.IntegerField(default=0)
    base_count = peewee.IntegerField(default=0)  # count when registered; I2 counts from +1
    card_serial = peewee.CharField(max_length=32, null=True)
    last_balance_fen = peewee.BigIntegerField(null=True)
    last_overdraft_fen = peewee.BigIntegerField(null=True)
    last_relay = peewee.CharField(max_length=8, null=True)  # "closed" | "open"
    last_illegal_insertions = peewee.IntegerField(null=True)
    last_seen_at = peewee.DateTimeField(null=True)
    needs_reconciliation = peewee.BooleanField(default=False)
    reconciliation_note = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=utcnow)


# -- receivables and payments ----------------------------------------------------------------


class BillKind:
    CONSUMPTION = "consumption"
    REVERSAL_DEBIT = "reversal-debit"


class Bill(BaseModel):
    """A receivable (arrears when outstanding). `reversal-debit` bills are what a reversal of a
    loaded purchase leaves behind (R15): the meter kept credit whose payment was refunded."""

    customer = peewee.ForeignKeyField(Customer, backref="bills", on_delete="RESTRICT")
    kind = peewee.CharField(max_length=16, default=BillKind.CONSUMPTION)
    amount_fen = peewee.BigIntegerField()
    outstanding_fen = peewee.BigIntegerField()
    issued_on = peewee.DateField()
    period = peewee.CharField(max_length=32, default="")
    created_at = peewee.DateTimeField(default=utcnow)


class Payment(BaseModel):
    """Money received (R1–R5). Never deleted; a reversal sets `reversed` and adds a `Refund`."""

    customer = peewee.ForeignKeyField(Customer, backref="payments", on_delete="RESTRICT")
    amount_fen = peewee.BigIntegerField()
    channel = peewee.CharField(max_length=16)
    operator = peewee.CharField(max_length=64)
    counter_id = peewee.CharField(max_length=32)
    receipt_no = peewee.CharField(max_length=64, unique=True)
    prepayment_before_fen = peewee.BigIntegerField(default=0)
    prepayment_after_fen = peewee.BigIntegerField(default=0)
    to_prepayment_fen = peewee.BigIntegerField(default=0)
    route = peewee.CharField(max_length=8, default="none")
    reason = peewee.CharField(max_length=32, null=True)
    reversed = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow)


class BillSettlement(BaseModel):
    """Part of a payment that settled part of a bill (R1). `undone` once the payment is
    reversed (the bill's outstanding amount is restored then)."""

    bill = peewee.ForeignKeyField(Bill, backref="settlements", on_delete="RESTRICT")
    payment = peewee.ForeignKeyField(Payment, backref="settlements", on_delete="RESTRICT")
    amount_fen = peewee.BigIntegerField()
    undone = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow)


LIVE_SETTLEMENT = BillSettlement.undone == False  # noqa: E712  (SQL, not Python)
"""Condition for settlements that still count (not undone by a reversal)."""


class Refund(BaseModel):
    """A counter reversal (R15): the money handed back, who authorized it and why."""

    payment = peewee.ForeignKeyField(Payment, backref="refunds", unique=True, on_delete="RESTRICT")
    amount_fen = peewee.BigIntegerField()
    reversal_case = peewee.CharField(max_length=32)
    operator = peewee.CharField(max_length=64)
    supervisor = peewee.CharField(max_length=64)
    reason = peewee.TextField()
    counter_id = peewee.CharField(max_length=32)
    debit_bill = peewee.ForeignKeyField(Bill, null=True, on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)


# -- purchases and their way to the meter ----------------------------------------------------


class Purchase(BaseModel):
    """One amount bound for one meter with its allocated count `count` (R3).

    `state` follows `counter_app.core.purchase_state`. `route` is "remote" (dispatch, R7) or
    "card" (R6/R12 card write). A purchase is persisted before any device step (R8).
    """

    customer = peewee.ForeignKeyField(Customer, backref="purchases", on_delete="RESTRICT")
    meter = peewee.ForeignKeyField(Meter, backref="purchases", on_delete="RESTRICT")
    payment = peewee.ForeignKeyField(Payment, backref="purchases", null=True, on_delete="RESTRICT")
    count = peewee.IntegerField()
    amount_fen = peewee.BigIntegerField()
    state = peewee.CharField(max_length=16)
    route = peewee.CharField(max_length=8)
    card_serial = peewee.CharField(max_length=32, null=True)
    operator = peewee.CharField(max_length=64, default="")
    counter_id = peewee.CharField(max_length=32, default="")
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    loaded_at = peewee.DateTimeField(null=True)


class DispatchAttempt(BaseModel):
    """One R7 attempt of a dispatch (R9: up to 3 per round), with what the meter answered."""

    purchase = peewee.ForeignKeyField(Purchase, backref="attempts", on_delete="RESTRICT")
    round_no = peewee.IntegerField(default=1)
    attempt_no = peewee.IntegerField()
    outcome = peewee.CharField(max_length=24)
    reason = peewee.TextField(default="")
    balance_fen = peewee.BigIntegerField(null=True)
    count_read = peewee.IntegerField(null=True)
    step_timings = JSONField(default=dict)
    started_at = peewee.DateTimeField(default=utcnow)
    duration_ms = peewee.IntegerField(default=0)


class WorkOrderState:
    OPEN = "open"
    TAKEN = "taken"
    CLOSED_SUCCESS = "closed-success"
    CLOSED_FAILED = "closed-failed"
    CANCELLED = "cancelled"  # its purchase was reversed with the payment (R15)


class WorkOrder(BaseModel):
    """A re-dispatch task for inspection staff after a failed dispatch (R10)."""

    purchase = peewee.ForeignKeyField(Purchase, backref="work_orders", on_delete="RESTRICT")
    state = peewee.CharField(max_length=16, default=WorkOrderState.OPEN)
    taken_by = peewee.CharField(max_length=64, null=True)
    taken_at = peewee.DateTimeField(null=True)
    due_at = peewee.DateTimeField(null=True)
    closed_at = peewee.DateTimeField(null=True)
    note = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=utcnow)


class NotificationState:
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class Notification(BaseModel):
    """The SMS outbox (R11): a message is queued in the same transaction as its cause and
    sent later by `services.notifications.drain_outbox`, so none is lost while the gateway is
    down."""

    customer = peewee.ForeignKeyField(Customer, backref="notifications", on_delete="RESTRICT")
    template = peewee.CharField(max_length=32)
    phone = peewee.CharField(max_length=32)
    body = peewee.TextField()
    state = peewee.CharField(max_length=8, default=NotificationState.QUEUED)
    tries = peewee.IntegerField(default=0)
    last_error = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=utcnow)
    sent_at = peewee.DateTimeField(null=True)


# -- hand-over to the collection system (station) --------------------------------------------


class StationTaskState:
    """Where a dispatch task stands on *our* side of the hand-over (the station has its own).

    ``queued``: written in the payment's (or retry's) transaction, not yet accepted by the
    station — the outbox; ``sent``: the station accepted it (its result is not known yet:
    the teller sees 下发中); ``applied``: the station's final result was applied to the
    purchase, exactly once; ``refused``: the station refused the task (conflict, bad field),
    applied as a final failure.
    """

    QUEUED = "queued"
    SENT = "sent"
    APPLIED = "applied"
    REFUSED = "refused"
    LIVE: ClassVar[tuple[str, ...]] = (QUEUED, SENT)


class StationTask(BaseModel):
    """One dispatch task handed to the collection system (R7–R9 run there).

    Written in the same transaction that makes the purchase ``dispatching``, sent after the
    commit (an outbox), so a crash between "paid" and "sent" loses nothing; `task_id` is the
    station's idempotency key, so a task sent twice is one task. A result is applied once:
    the row is locked and moved to ``applied`` in the transaction that applies it.
    """

    task_id = peewee.CharField(max_length=64, unique=True)
    # the id the station answered with: ours, unless it recognised the purchase (meter +
    # count) as a task it already had under another id
    station_task_id = peewee.CharField(max_length=64, null=True, index=True)
    purchase = peewee.ForeignKeyField(Purchase, backref="station_tasks", on_delete="RESTRICT")
    round_no = peewee.IntegerField(default=1)
    meter_address = peewee.CharField(max_length=12)
    customer_no = peewee.CharField(max_length=12)
    amount_fen = peewee.BigIntegerField()
    count = peewee.IntegerField()
    origin = peewee.CharField(max_length=64)
    state = peewee.CharField(max_length=8, default=StationTaskState.QUEUED)
    tries = peewee.IntegerField(default=0)
    last_error = peewee.TextField(default="")
    outcome = peewee.CharField(max_length=24, null=True)
    reason = peewee.CharField(max_length=32, null=True)
    result = JSONField(null=True)
    result_seq = peewee.BigIntegerField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    sent_at = peewee.DateTimeField(null=True)
    applied_at = peewee.DateTimeField(null=True)


class StationCursor(BaseModel):
    """How far the result poller has read the station's result feed (``GET /results?after=``)."""

    name = peewee.CharField(max_length=32, primary_key=True)
    last_seq = peewee.BigIntegerField(default=0)
    updated_at = peewee.DateTimeField(default=utcnow)


# -- shifts and cash -------------------------------------------------------------------------


class ShiftState:
    """States of `Shift` (`counter_app.core.shift_ledger.ShiftState`)."""

    OPEN = "open"
    COUNTED = "counted"
    CLOSED = "closed"
    LIVE: ClassVar[tuple[str, ...]] = (OPEN, COUNTED)


class Shift(BaseModel):
    """A teller's shift at one counter: the float, then the blind count and the close (Z).

    Payments and refunds are not linked by a column: they belong to the shift of their
    operator at their counter between `opened_at` and `counted_at` (the end of the window),
    looked up at report time by `counter_app.services.shifts`. At most one live (not closed)
    shift per operator and per counter (partial unique indexes, `store.migrations`).
    `expected_fen` and `variance_fen` are frozen at the blind count.
    """

    operator = peewee.CharField(max_length=64)
    counter_id = peewee.CharField(max_length=32)
    state = peewee.CharField(max_length=8, default=ShiftState.OPEN)
    float_fen = peewee.BigIntegerField()
    opened_at = peewee.DateTimeField(default=utcnow)
    counted_at = peewee.DateTimeField(null=True)
    counted_fen = peewee.BigIntegerField(null=True)
    expected_fen = peewee.BigIntegerField(null=True)
    variance_fen = peewee.BigIntegerField(null=True)
    variance_reason = peewee.TextField(default="")
    closed_at = peewee.DateTimeField(null=True)
    closed_by = peewee.CharField(max_length=64, null=True)


class CashMovement(BaseModel):
    """Cash put into (change top-up) or taken out of (cash drop) a shift's drawer, with why."""

    shift = peewee.ForeignKeyField(Shift, backref="cash_movements", on_delete="RESTRICT")
    direction = peewee.CharField(max_length=8)  # "in" | "out"
    amount_fen = peewee.BigIntegerField()
    reason = peewee.TextField()
    operator = peewee.CharField(max_length=64)
    counter_id = peewee.CharField(max_length=32)
    created_at = peewee.DateTimeField(default=utcnow)


# -- business changes (R18-R20) and the customer archive ---------------------------------------


class ChangeKind:
    """What a business change (业务变更) does; `counter_app.services.business` runs each."""

    NEW_INSTALLATION = "new-installation"  # R18 业扩新装
    METER_REPLACEMENT = "meter-replacement"  # R19 变更换表
    ACCOUNT_CLOSE = "account-close"  # 销户
    METER_MOVE = "meter-move"  # 过户 of one meter to another customer
    MODE_CHANGE = "mode-change"  # remote <-> card (R2)
    ALL: ClassVar[tuple[str, ...]] = (
        NEW_INSTALLATION,
        METER_REPLACEMENT,
        ACCOUNT_CLOSE,
        METER_MOVE,
        MODE_CHANGE,
    )


class BusinessChange(BaseModel):
    """One business change as filed (by a technician) and what it did, for the record and
    the back office's list. `details` holds the figures of the change (readings, modes)."""

    kind = peewee.CharField(max_length=24)
    customer = peewee.ForeignKeyField(Customer, backref="changes", on_delete="RESTRICT")
    meter = peewee.ForeignKeyField(Meter, null=True, backref="changes", on_delete="RESTRICT")
    new_meter = peewee.ForeignKeyField(Meter, null=True, on_delete="RESTRICT")
    filed_by = peewee.CharField(max_length=64)
    counter_id = peewee.CharField(max_length=32)
    reason = peewee.TextField(default="")
    details = JSONField(default=dict)
    created_at = peewee.DateTimeField(default=utcnow)


class PrepaymentSource:
    METER_BALANCE = "meter-balance"  # R19: the old meter's final balance
    ACCOUNT_CLOSE = "account-close"  # the prepayment of a closed account, to refund


class ReviewState:
    """States of a `ReviewedPrepayment` (R20)."""

    PENDING = "pending"
    APPROVED = "approved"  # joined the prepayment, computed and dispatched like any purchase
    REFUSED = "refused"  # held in prepayment with the reviewer's reason
    REFUNDED = "refunded"  # handed back in cash (`PrepaymentRefund`)
    HELD: ClassVar[tuple[str, ...]] = (PENDING, REFUSED)


class ReviewedPrepayment(BaseModel):
    """Prepayment created by a business change, held until a supervisor reviews it (R20).

    Held money (pending or refused) is part of the customer's prepayment for I1 but not of
    `Customer.prepayment_fen`, so that no payment sweeps it into a purchase unreviewed (R3).
    A `meter-balance` row is money that came back out of a removed meter (R19): I1 subtracts
    it from "loaded" (`services.checks`).
    """

    change = peewee.ForeignKeyField(BusinessChange, backref="prepayments", on_delete="RESTRICT")
    customer = peewee.ForeignKeyField(
        Customer, backref="reviewed_prepayments", on_delete="RESTRICT"
    )
    meter = peewee.ForeignKeyField(Meter, null=True, on_delete="RESTRICT")  # where it would go
    source = peewee.CharField(max_length=16)
    amount_fen = peewee.BigIntegerField()
    state = peewee.CharField(max_length=12, default=ReviewState.PENDING)
    reviewer = peewee.CharField(max_length=64, null=True)
    review_reason = peewee.TextField(default="")
    reviewed_at = peewee.DateTimeField(null=True)
    payment = peewee.ForeignKeyField(Payment, null=True, on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)


class PrepaymentRefund(BaseModel):
    """Prepayment handed back in cash (account close, R19 "refund cash"), authorized by a
    supervisor; counted as "refunded" by I1 and printed as a receipt."""

    customer = peewee.ForeignKeyField(Customer, backref="prepayment_refunds", on_delete="RESTRICT")
    change = peewee.ForeignKeyField(BusinessChange, null=True, on_delete="RESTRICT")
    amount_fen = peewee.BigIntegerField()
    receipt_no = peewee.CharField(max_length=64, unique=True)
    operator = peewee.CharField(max_length=64)
    supervisor = peewee.CharField(max_length=64)
    reason = peewee.TextField()
    counter_id = peewee.CharField(max_length=32)
    created_at = peewee.DateTimeField(default=utcnow)


# -- channels: bank collection, self-service terminals, transfers (R4, R5, R17) ----------------


class ChannelSource:
    """Channels whose payments arrive with the channel's own serial (R5)."""

    BANK = "bank"
    TERMINAL = "terminal"


class ChannelPayment(BaseModel):
    """A payment that came from a bank (代收) or a self-service terminal, keyed by the channel's
    own serial: ``(channel, source, serial)`` is unique, so the same bank line or terminal
    request booked twice is found instead of booked again (R5, INTEGRATION.md).

    `source` is the bank id or the terminal id; `business_date` is the bank's accounting date
    (the terminal's day); `result` keeps the first answer given to the channel, returned again
    for a duplicate request. A reversal by the channel (代收冲正) sets `reversal_serial`.
    """

    channel = peewee.CharField(max_length=16)
    source = peewee.CharField(max_length=32)
    serial = peewee.CharField(max_length=40)
    payment = peewee.ForeignKeyField(Payment, unique=True, on_delete="RESTRICT")
    customer_no = peewee.CharField(max_length=32)
    amount_fen = peewee.BigIntegerField()
    business_date = peewee.DateField()
    channel_time = peewee.DateTimeField(null=True)
    agency = peewee.CharField(max_length=32, default="")
    channel_operator = peewee.CharField(max_length=32, default="")
    bank_import = peewee.IntegerField(null=True)  # BankImport id of the file that booked it
    result = JSONField(null=True)
    reversal_serial = peewee.CharField(max_length=40, null=True)
    reversed_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("channel", "source", "serial"), True),
            (("channel", "source", "business_date"), False),
        )


class BankImport(BaseModel):
    """One bank collection file as imported: its header and trailer, what was booked, what was
    found already booked, what was rejected (`BankImportLine`)."""

    bank_id = peewee.CharField(max_length=16)
    business_date = peewee.DateField()
    file_name = peewee.CharField(max_length=255)
    file_sha256 = peewee.CharField(max_length=64)
    trailer_count = peewee.IntegerField(null=True)
    trailer_total_fen = peewee.BigIntegerField(null=True)
    detail_lines = peewee.IntegerField(default=0)
    booked_count = peewee.IntegerField(default=0)
    booked_fen = peewee.BigIntegerField(default=0)
    duplicate_count = peewee.IntegerField(default=0)
    rejected_count = peewee.IntegerField(default=0)
    operator = peewee.CharField(max_length=64)
    counter_id = peewee.CharField(max_length=32)
    started_at = peewee.DateTimeField(default=utcnow)
    finished_at = peewee.DateTimeField(null=True)


class BankImportLine(BaseModel):
    """A line of a bank file that was not booked: rejected (with its reason) or a duplicate
    of an already booked serial. Booked lines are the `ChannelPayment` rows of the import."""

    bank_import = peewee.ForeignKeyField(BankImport, backref="lines", on_delete="RESTRICT")
    line_no = peewee.IntegerField()
    status = peewee.CharField(max_length=12)  # "rejected" | "duplicate"
    code = peewee.CharField(max_length=32)
    detail = peewee.TextField(default="")
    serial = peewee.CharField(max_length=64, default="")
    raw_text = peewee.TextField(default="")


class Terminal(BaseModel):
    """A self-service terminal (ATM/POS) allowed to use the terminal API. Its secret token is
    stored only as a SHA-256 hash: the token is 32 random bytes, so a slow password hash would
    add nothing but latency to every request."""

    terminal_id = peewee.CharField(max_length=32, unique=True)
    name = peewee.CharField(max_length=128, default="")
    token_hash = peewee.CharField(max_length=64)
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)
    last_seen_at = peewee.DateTimeField(null=True)


class ReconciliationState:
    PREPARED = "prepared"  # report made; nothing booked or reversed yet
    SIGNED_OFF = "signed-off"  # a supervisor signed it off; its actions were applied
    CANCELLED = "cancelled"  # superseded by a new preparation of the same day


class Reconciliation(BaseModel):
    """对账 of one bank's statement for one day against our books (R17).

    `items` holds the single-sided lines with the proposed action (book, refuse, reverse,
    hold) and, after sign-off, what was done. Nothing is booked or reversed before a
    supervisor signs it off with their own credentials.
    """

    bank_id = peewee.CharField(max_length=16)
    business_date = peewee.DateField()
    state = peewee.CharField(max_length=12, default=ReconciliationState.PREPARED)
    file_name = peewee.CharField(max_length=255)
    file_sha256 = peewee.CharField(max_length=64)
    bank_count = peewee.IntegerField(default=0)
    bank_total_fen = peewee.BigIntegerField(default=0)
    ours_count = peewee.IntegerField(default=0)
    ours_total_fen = peewee.BigIntegerField(default=0)
    matched_count = peewee.IntegerField(default=0)
    items = JSONField(default=list)
    prepared_by = peewee.CharField(max_length=64)
    prepared_at = peewee.DateTimeField(default=utcnow)
    signed_by = peewee.CharField(max_length=64, null=True)
    signed_at = peewee.DateTimeField(null=True)
    counter_id = peewee.CharField(max_length=32, default="")


class PrepaymentTransfer(BaseModel):
    """R4 transfer: prepayment moved from one customer to another. The receiving side is a
    payment on the ``transfer`` channel (R1–R3 apply to it); the giving side is this row,
    counted as money that left the customer for I1 (`services.checks`)."""

    from_customer = peewee.ForeignKeyField(Customer, on_delete="RESTRICT", backref="transfers_out")
    to_customer = peewee.ForeignKeyField(Customer, on_delete="RESTRICT", backref="transfers_in")
    amount_fen = peewee.BigIntegerField()
    payment = peewee.ForeignKeyField(Payment, unique=True, on_delete="RESTRICT")
    operator = peewee.CharField(max_length=64)
    supervisor = peewee.CharField(max_length=64)
    reason = peewee.TextField()
    counter_id = peewee.CharField(max_length=32)
    created_at = peewee.DateTimeField(default=utcnow)


# -- audit (I3) ------------------------------------------------------------------------------


class AppendOnlyError(RuntimeError):
    """An update or delete of an audit record was attempted (I3)."""

    def __init__(self, operation: str) -> None:
        super().__init__(f"audit_log is append-only (I3): {operation} refused")
        self.operation = operation


class AuditLog(BaseModel):
    """Who did what, when, at which counter, with the state before and after (I3).

    Append-only: `save` of an existing row, `delete_instance`, `update` and `delete` raise
    `AppendOnlyError`; the database triggers of the migrations refuse UPDATE/DELETE as well.

    Tamper evidence: each row carries `prev_hash` (the `row_hash` of the row before it in id
    order, or `core.audit_chain.GENESIS_HASH`) and `row_hash`, the sha256 of its own canonical
    content and `prev_hash` (`core.audit_chain`, written by `services.audit`). Someone who
    drops a trigger and edits or deletes a row breaks the chain at that row; the unique
    `prev_hash` keeps two writers from forking it.
    """

    at = peewee.DateTimeField(default=utcnow)
    actor = peewee.CharField(max_length=64)
    counter_id = peewee.CharField(max_length=32)
    action = peewee.CharField(max_length=48)
    entity = peewee.CharField(max_length=32)
    entity_id = peewee.CharField(max_length=64, default="")
    before = JSONField(null=True)
    after = JSONField(null=True)
    prev_hash = peewee.CharField(max_length=64, unique=True)
    row_hash = peewee.CharField(max_length=64)

    def save(self, force_insert: bool = False, only: Any = None) -> Any:
        if self._pk is not None and not force_insert:
            raise AppendOnlyError("update")
        return super().save(force_insert=force_insert, only=only)

    def delete_instance(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("delete")

    @classmethod
    def update(cls, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("update")

    @classmethod
    def delete(cls, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("delete")


class SchemaVersion(BaseModel):
    """Applied schema steps (`counter_app.store.migrations`)."""

    version = peewee.IntegerField(primary_key=True)
    description = peewee.CharField(max_length=255)
    applied_at = peewee.DateTimeField(default=utcnow)


ALL_MODELS: tuple[type[BaseModel], ...] = (
    User,
    Customer,
    Meter,
    Bill,
    Payment,
    BillSettlement,
    Refund,
    Purchase,
    DispatchAttempt,
    WorkOrder,
    Notification,
    AuditLog,
    Shift,
    CashMovement,
    OperatorSession,
    BusinessChange,
    ReviewedPrepayment,
    PrepaymentRefund,
    ChannelPayment,
    BankImport,
    BankImportLine,
    Terminal,
    Reconciliation,
    PrepaymentTransfer,
    StationTask,
    StationCursor,
)
"""Application tables in dependency order (`SchemaVersion` is managed by the migrator)."""
