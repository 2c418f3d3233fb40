"""Ports: what the services need from the world, as `typing.Protocol`s.

The composition root (`counter_app.bootstrap`) plugs real adapters in (the DL/T 645 meter link,
an SMS gateway, the system clock); tests of the services may plug small doubles in. The
services never import a device library directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
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


class SmsGateway(Protocol):
    """Sends one SMS; raises on failure (the outbox keeps the message and retries, R11)."""

    def send(self, phone: str, body: str) -> None: ...


Notifier = SmsGateway
"""Alias: the notification port of the brief is the SMS gateway of the outbox (R11)."""
