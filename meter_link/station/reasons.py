"""Task states, final outcomes and the named causes a station reports.

The marketing side acts on the cause, not on the wording: a silent meter or a link that
cannot be opened suggests a card write (R10, R12); a count that does not fit needs R8's
inspection; a hoarding limit needs the customer. So every failed attempt is reduced to one
:class:`Reason`, derived from the error type and SERR flags that ended it
(:attr:`~meter_link.dispatch.AttemptRecord.cause`), never from its message text.
"""

from __future__ import annotations

import enum

from ..dispatch import AttemptRecord, DispatchOutcome
from ..dlt645.codes import SerrFlag
from ..errors import ExceptionReply, LinkUnavailable, MeterLinkError, SecurityRefusal


class TaskState(enum.StrEnum):
    """Where a task is: waiting for its link, on the link, or finished with a result."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class TaskOutcome(enum.StrEnum):
    """The final result: loaded (success or already-loaded, R8) or failed after R9."""

    SUCCESS = "success"
    ALREADY_LOADED = "already-loaded"
    FAILED = "failed"


class Reason(enum.StrEnum):
    """Named causes of a failed attempt or task (the contract's ``reason`` values).

    ``terminal-offline`` and ``route-lost`` belong to links through a concentrator
    (Q/GDW 1376.1); a direct DL/T 645 link reports the others.
    """

    TERMINAL_OFFLINE = "terminal-offline"
    ROUTE_LOST = "route-lost"
    METER_SILENT = "meter-silent"
    LINK_REFUSED = "link-refused"
    COUNT_MISMATCH = "count-mismatch"
    SECURITY_REFUSED = "security-refused"
    HOARDING_LIMIT = "hoarding-limit"
    CUSTOMER_MISMATCH = "customer-mismatch"
    METER_REFUSED = "meter-refused"
    STATION_ERROR = "station-error"


CHANNEL_REASONS = frozenset(
    {Reason.TERMINAL_OFFLINE, Reason.ROUTE_LOST, Reason.METER_SILENT, Reason.LINK_REFUSED}
)
"""Causes that say the channel failed (counted as the meter's channel failures today)."""


def cause_reason(cause: MeterLinkError) -> Reason:
    """The named cause of one link error or meter refusal."""
    if cause.cause in (Reason.TERMINAL_OFFLINE, Reason.ROUTE_LOST):
        return Reason(cause.cause)  # the concentrator path names where it failed
    if isinstance(cause, LinkUnavailable):
        return Reason.LINK_REFUSED
    if isinstance(cause, SecurityRefusal):
        flags = cause.flags
        if flags & SerrFlag.HOARDING_LIMIT:
            return Reason.HOARDING_LIMIT
        if flags & SerrFlag.PURCHASE_COUNT:
            return Reason.COUNT_MISMATCH
        if flags & SerrFlag.CUSTOMER_NUMBER:
            return Reason.CUSTOMER_MISMATCH
        return Reason.SECURITY_REFUSED
    if isinstance(cause, ExceptionReply):
        return Reason.METER_REFUSED
    # NoAnswer, Garbled: nothing valid came back from the addressed meter.
    return Reason.METER_SILENT


_OUTCOME_REASONS: dict[DispatchOutcome, Reason] = {
    DispatchOutcome.CHANNEL_FAILURE: Reason.METER_SILENT,
    DispatchOutcome.TIMEOUT: Reason.METER_SILENT,
    DispatchOutcome.COUNT_MISMATCH: Reason.COUNT_MISMATCH,
    DispatchOutcome.SECURITY_REFUSAL: Reason.SECURITY_REFUSED,
    DispatchOutcome.HOARDING_LIMIT: Reason.HOARDING_LIMIT,
}


def attempt_reason(record: AttemptRecord) -> Reason | None:
    """The named cause of one attempt (``None`` when it loaded the purchase, R8)."""
    if record.outcome.succeeded:
        return None
    if record.outcome is DispatchOutcome.COUNT_MISMATCH:
        return Reason.COUNT_MISMATCH
    if record.cause is not None:
        return cause_reason(record.cause)
    return _OUTCOME_REASONS[record.outcome]


def task_outcome(outcome: DispatchOutcome) -> TaskOutcome:
    """The task's final outcome from its last attempt's (R8: already-loaded is loaded)."""
    if outcome is DispatchOutcome.SUCCESS:
        return TaskOutcome.SUCCESS
    if outcome is DispatchOutcome.ALREADY_LOADED:
        return TaskOutcome.ALREADY_LOADED
    return TaskOutcome.FAILED
