"""Ports: what the services need from the world, as `typing.Protocol`s.

The composition root (`counter_app.bootstrap`) plugs real adapters in (the DL/T 645 meter link,
an SMS gateway, the system clock); tests of the services may plug small doubles in. The
services never import a device library directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable


class DispatchOutcome:
    """Outcome strings of one dispatch (R7–R9); the first two count as success (R8)."""

    SUCCESS = "success"
    ALREADY_LOADED = "already-loaded"
    CHANNEL_FAILURE = "channel-failure"
    COUNT_MISMATCH = "count-mismatch"
    SECURITY_REFUSAL = "security-refusal"
    HOARDING_LIMIT = "hoarding-limit"
    TIMEOUT = "timeout"
    ALL = (
        SUCCESS,
        ALREADY_LOADED,
        CHANNEL_FAILURE,
        COUNT_MISMATCH,
        SECURITY_REFUSAL,
        HOARDING_LIMIT,
        TIMEOUT,
    )
    LOADED = frozenset({SUCCESS, ALREADY_LOADED})


@dataclass(frozen=True)
class DispatchAttemptReport:
    """One R7 attempt as the dispatcher saw it (R9: recorded with reason, reads and timings)."""

    attempt_no: int
    outcome: str
    reason: str = ""
    balance_fen: int | None = None
    count: int | None = None
    step_timings: Mapping[str, float] = field(default_factory=dict)
    started_at: dt.datetime | None = None
    duration_ms: int = 0


@dataclass(frozen=True)
class DispatchReport:
    """The result of one dispatch (up to 3 attempts, R9)."""

    outcome: str
    reason: str = ""
    balance_fen: int | None = None
    count: int | None = None
    attempts: tuple[DispatchAttemptReport, ...] = ()

    @property
    def loaded(self) -> bool:
        """R8: success and already-loaded both mean the meter has purchase n."""
        return self.outcome in DispatchOutcome.LOADED


@dataclass(frozen=True)
class MeterProbe:
    """R8 (a)+(b): what the meter says now: balance, purchase count, last purchase amount."""

    balance_fen: int
    count: int
    last_purchase_fen: int | None = None
    overdraft_fen: int | None = None


class DispatchProgress(Protocol):
    """Called by the dispatcher for each step: ("channel-test" | "count-check" | "recharge"
    | ..., attempt number 1..3). The UI shows it; it must return quickly."""

    def __call__(self, step: str, attempt: int) -> None: ...


class Dispatcher(Protocol):
    """Loads a purchase into a meter through the collection channel (R7–R9)."""

    def dispatch(
        self,
        meter_address: str,
        customer_no: str,
        amount_fen: int,
        count: int,
        progress: DispatchProgress | None = None,
        *,
        meter_no: str | None = None,
    ) -> DispatchReport:
        """Blocking; never raises for a meter's answer (that is the outcome).

        `meter_no` diversifies the meter's security key; None means "same as the address".
        """
        ...

    def probe(self, meter_address: str) -> MeterProbe:
        """R8 (a)+(b): read balance, count and last purchase; raises if unreachable."""
        ...


@runtime_checkable
class AccountOpener(Protocol):
    """A dispatcher that can also open a new meter's account remotely (070101FF, R18).

    Dispatchers without it leave a new meter to the open-account card (R14).
    """

    def open_account(
        self, meter_address: str, customer_no: str, *, meter_no: str | None = None
    ) -> MeterProbe:
        """Open the account (no money, the meter's own count); raises if not possible."""
        ...


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """Naive UTC now (the form stored in the database)."""
        ...

    def today(self) -> dt.date:
        """The hall's local date (bills, receipts)."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def today(self) -> dt.date:
        return dt.date.today()


class Prompts(Protocol):
    """Questions a service step asks a person (the UI, the CLI and tests implement it)."""

    def supervisor_credentials(self, reason: str) -> tuple[str, str] | None:
        """Ask a supervisor for their own username and password; None when cancelled."""
        ...

    def confirm(self, question: str) -> bool: ...

    def tell(self, message: str) -> None: ...


class CardStep(StrEnum):
    """What a card procedure is doing or has found, for the person watching (R12, R13)."""

    READING = "reading"  # reading the card in the reader
    CARD_READ = "card-read"  # values: contents
    READ_FAILED = "read-failed"  # values: error (not a security refusal: try again)
    WRITEBACK_FOUND = "writeback-found"  # values: write_back
    WRITEBACK_APPLIED = "writeback-applied"  # values: result
    RECORDING = "recording"  # the purchase is recorded card-writing before the card is touched
    RECORD_FAILED = "record-failed"  # values: error (the services refused: nothing written)
    WRITING = "writing"  # values: ticket
    READ_BACK = "read-back"  # values: contents (the card holds the purchase)
    WRITE_INTERRUPTED = "write-interrupted"  # values: error; the card is read again next
    REREADING = "rereading"  # values: ticket (settling an interrupted write)
    FOUND_WRITTEN = "found-written"  # the interrupted write did reach the card
    FOUND_UNCHANGED = "found-unchanged"  # values: ticket; abandoned, ready to try again
    FOUND_OTHER = "found-other"  # the card shows another purchase: reconciliation
    REFUSED = "refused"  # values: error (blocked, forged, other keys; audited, I3)


class CardWait(StrEnum):
    """Why a card procedure waits for the card to be (re)inserted."""

    FIRST = "first"  # nothing read yet
    AGAIN = "again"  # the card was taken out, another meter chosen, or a check failed
    RETRY = "retry"  # after an error (reading, recording): the person reads the card again
    PUT_BACK = "put-back"  # values: error; an interrupted write is settled only by reading


class CardAnswer(StrEnum):
    """The person's answer to the checks before a card write."""

    WRITE = "write"
    READ_AGAIN = "read-again"  # another meter was chosen, the card was taken out, F3
    CANCEL = "cancel"


@dataclass(frozen=True)
class CardNote:
    """One moment of a card procedure: the step and its values (the UI words it)."""

    step: CardStep
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CardCheck:
    """One R12/R12a check of a card against the chosen meter, with the values compared."""

    name: str  # "meter" | "serial" | "count" | "previous-loaded" | "amount"
    ok: bool
    values: Mapping[str, object] = field(default_factory=dict)


class CardPrompts(Protocol):
    """The moments of a card procedure when a person must act, in the manner of Electrum's
    hardware-wallet handlers: the procedure runs on the card reader's thread and calls these;
    the window's dialog signals the GUI thread and waits for the person, the shell asks on
    the terminal. Every method blocks its caller until the person has acted."""

    def note(self, note: CardNote) -> None:
        """Show what happens (no answer expected)."""
        ...

    def insert_card(self, why: CardWait, values: Mapping[str, object]) -> bool:
        """Wait until the person says the card is in the reader; False: they gave up."""
        ...

    def confirm_write(self, checks: Sequence[CardCheck]) -> CardAnswer:
        """Show the checks; WRITE only when all passed and the person confirms."""
        ...

    def remove_card(self) -> None:
        """The card is written: the customer may take it (to the meter)."""
        ...


class SmsGateway(Protocol):
    """Sends one SMS; raises on failure (the outbox keeps the message and retries, R11)."""

    def send(self, phone: str, body: str) -> None: ...


Notifier = SmsGateway
"""Alias: the notification port of the brief is the SMS gateway of the outbox (R11)."""


# -- hand-over to the collection system ------------------------------------------------------


@dataclass(frozen=True)
class DispatchTask:
    """One dispatch as a task for the collection system: what to load where (R3, R7).

    `task_id` is the idempotency key: the same task sent twice is one task at the station.
    """

    task_id: str
    meter_address: str
    customer_no: str
    amount_fen: int
    count: int
    origin: str


class TaskState:
    """The station's states of a task; only ``done`` carries a final result (R9)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True)
class TaskResult:
    """What the station says about one task now.

    ``report`` is the final result (outcome, reason, every attempt) once `state` is ``done``;
    `station_outcome` and `station_reason` are the station's own words (``failed`` /
    ``meter-silent``), kept for the record next to our outcome in `report`.
    """

    task_id: str
    state: str
    station_outcome: str | None = None
    station_reason: str | None = None
    report: DispatchReport | None = None
    result_seq: int | None = None
    raw: Mapping[str, object] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.state == TaskState.DONE and self.report is not None


@dataclass(frozen=True)
class ChannelHealth:
    """The station's latest knowledge of a meter's channel (master station → terminal → meter)."""

    meter_address: str
    last_good_read: dt.datetime | None
    failures_today: int
    last_failure_reason: str | None = None


class StationUnavailable(Exception):
    """The collection system could not be reached or answered with a server error: the task
    stays in our outbox and is sent again later (nothing is lost, nothing is booked twice)."""


class TaskRefused(Exception):
    """The collection system refused a task (conflict on meter + count, a malformed field):
    sending it again would be refused again."""

    def __init__(self, task_id: str, reason: str) -> None:
        super().__init__(f"task {task_id} refused by the collection system: {reason}")
        self.task_id = task_id
        self.reason = reason


class TaskHandover(Protocol):
    """The collection system as the marketing side sees it (the seed's WebService): tasks
    go in, results come back (R7–R9 run there). Every call is blocking with a timeout."""

    def submit(self, task: DispatchTask) -> TaskResult:
        """Hand a task over (idempotent on `task_id`). Raises `StationUnavailable` or
        `TaskRefused`."""
        ...

    def follow(
        self, task_id: str, progress: DispatchProgress | None, timeout_s: float
    ) -> TaskResult:
        """Relay the task's live steps until its result or `timeout_s`; then its state."""
        ...

    def results(self, after: int, limit: int = 100) -> tuple[list[TaskResult], int]:
        """Finished tasks after result sequence `after`, and the last sequence number."""
        ...

    def acknowledge(self, task_id: str) -> None:
        """Tell the station the result was applied (it stops calling back)."""
        ...

    def channel_health(self, meter_address: str) -> ChannelHealth:
        """The station's knowledge of the meter's channel (raises `StationUnavailable`)."""
        ...

    def health(self) -> Mapping[str, object]:
        """The station's own health (status, links, queue); raises `StationUnavailable`."""
        ...
