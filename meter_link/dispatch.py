"""Remote dispatch of one purchase to one meter: DOMAIN.md R7–R9 with R8's recovery.

One attempt (R7): (a) channel test — read balance, overdraft, purchase count, last purchase
amount and relay state; (b) count check — the meter must be at ``n-1``; (c) identity
authentication and the recharge (amount, ``n``, customer number, MACs); then read back.

Recovery (R8): a meter already at ``n`` whose last purchase equals the amount, or a
*repeated recharge* refusal (SERR 0x0002) confirmed by reading the count, is
``already-loaded`` (a lost reply, a card that got there first, a crash after sending) and
counts as success. Any other count is ``count-mismatch``. A retry resends the same ``n``,
never a new one, and every attempt starts again with (a)+(b): never guess.

Attempts (R9): up to three; each recorded with its outcome, reason, the balance and count
read, and the time of every step. Only a silent or garbled link is retried; a refusal by
the meter or a count that does not fit is final, the counter decides what next (R10).

A link failure also names where it happened (``link_cause``, a
:class:`~meter_link.errors.LinkCause` value): terminal offline, route lost or meter silent,
so the success board can say why the channel failed, not only that it did.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .client import Dlt645Client
from .dlt645.codes import ErrFlag, SerrFlag
from .dlt645.data_ids import STATUS3_RELAY_OPEN, STATUS3_REMOTE_NOT_OPENED
from .dlt645.security_payloads import RechargeRequest
from .errors import (
    ExceptionReply,
    Garbled,
    LinkUnavailable,
    MeterLinkError,
    NoAnswer,
    SecurityRefusal,
)
from .security import SecurityModule, Session

COUNT_MODULUS = 10_000
"""03330201 holds the count as 4 BCD digits: it wraps at 9999 (DLT645 notes §4.2)."""


class DispatchStep(enum.Enum):
    """Steps of one attempt, reported to the progress callback (the UI shows them)."""

    CHANNEL_TEST = "channel-test"
    COUNT_CHECK = "count-check"
    AUTHENTICATION = "authentication"
    RECHARGE = "recharge"
    READ_BACK = "read-back"


class DispatchOutcome(enum.StrEnum):
    """How a dispatch (or one attempt) ended; the success board groups by these."""

    SUCCESS = "success"
    ALREADY_LOADED = "already-loaded"
    CHANNEL_FAILURE = "channel-failure"
    COUNT_MISMATCH = "count-mismatch"
    SECURITY_REFUSAL = "security-refusal"
    HOARDING_LIMIT = "hoarding-limit"
    TIMEOUT = "timeout"

    @property
    def succeeded(self) -> bool:
        """Success or already loaded (R8)."""
        return self in (DispatchOutcome.SUCCESS, DispatchOutcome.ALREADY_LOADED)

    @property
    def retryable(self) -> bool:
        """Only link failures are worth another attempt (R9)."""
        return self in (DispatchOutcome.CHANNEL_FAILURE, DispatchOutcome.TIMEOUT)


@dataclass(frozen=True, slots=True)
class DispatchRequest:
    """Purchase ``count`` (n) of ``amount_fen`` for the meter at ``address``.

    ``meter_no`` (for key diversification) defaults to the address, as on most meters.
    """

    address: str
    customer_no: str
    amount_fen: int
    count: int
    meter_no: str | None = None

    def __post_init__(self) -> None:
        if self.amount_fen <= 0:
            raise ValueError("a purchase amount must be above zero (R2)")
        if self.count < 1:
            raise ValueError("purchase counts start at 1")


@dataclass(frozen=True, slots=True)
class MeterReading:
    """What the channel test reads (R7 a): money in fen, the meter's purchase count."""

    balance_fen: int
    overdraft_fen: int
    count: int
    last_purchase_fen: int
    relay_open: bool


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One attempt (R9): outcome, reason, figures read and per-step seconds.

    ``cause`` is the link error or meter refusal that ended the attempt (``None`` for a
    success or a count that does not fit), so that a caller can name the cause — a link
    that cannot be opened, a silent meter, a refused customer number — by its type and
    SERR flags instead of by the wording of ``reason``.
    """

    attempt: int
    outcome: DispatchOutcome
    reason: str
    balance_fen: int | None
    count: int | None
    step_times: dict[str, float]
    started_at: datetime
    duration_s: float
    cause: MeterLinkError | None = None

    @property
    def link_cause(self) -> str | None:
        """Where the link failed: terminal-offline, route-lost, meter-silent (or ``None``)."""
        return None if self.cause is None else self.cause.cause


@dataclass(frozen=True, slots=True)
class DispatchResult:
    """The dispatch as the counter records it: final outcome and every attempt."""

    outcome: DispatchOutcome
    reason: str
    balance_fen: int | None
    count: int | None
    attempts: tuple[AttemptRecord, ...]

    @property
    def succeeded(self) -> bool:
        """Success or already loaded (R8)."""
        return self.outcome.succeeded

    @property
    def link_cause(self) -> str | None:
        """The last attempt's link cause (terminal-offline, route-lost, meter-silent)."""
        return self.attempts[-1].link_cause if self.attempts else None


Progress = Callable[[DispatchStep, int, int], None]


@dataclass
class _Attempt:
    number: int
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    t0: float = field(default_factory=time.monotonic)
    step_times: dict[str, float] = field(default_factory=dict)
    balance_fen: int | None = None
    count: int | None = None

    def record(
        self, outcome: DispatchOutcome, reason: str, cause: MeterLinkError | None = None
    ) -> AttemptRecord:
        return AttemptRecord(
            self.number,
            outcome,
            reason,
            self.balance_fen,
            self.count,
            dict(self.step_times),
            self.started_at,
            time.monotonic() - self.t0,
            cause,
        )


class _Done(Exception):
    def __init__(
        self, outcome: DispatchOutcome, reason: str, cause: MeterLinkError | None = None
    ) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason
        self.cause = cause


def _counts_equal(meter_count: int, n: int) -> bool:
    return meter_count % COUNT_MODULUS == n % COUNT_MODULUS


class MeterDispatcher:
    """Runs R7–R9 for one purchase over a :class:`~meter_link.client.Dlt645Client`."""

    def __init__(
        self,
        client: Dlt645Client,
        security: SecurityModule,
        *,
        attempts: int = 3,
        retry_delay: float = 0.0,
        block_reads: bool = True,
    ) -> None:
        if attempts < 1:
            raise ValueError("at least one attempt")
        self.block_reads = block_reads
        self._without_blocks: set[str] = set()
        self.client = client
        self.security = security
        self.attempts = attempts
        self.retry_delay = retry_delay

    def probe(self, address: str) -> MeterReading:
        """Channel test (R7 a): balance, overdraft, count, last purchase, relay state.

        Also R8's "run (a)+(b) again before any retry, card write or reversal".
        Raises :class:`~meter_link.errors.MeterLinkError` when the meter cannot be read.
        """
        c = self.client
        if self.block_reads and address not in self._without_blocks:
            reading = self._probe_blocks(address)
            if reading is not None:
                return reading
        return MeterReading(
            balance_fen=c.read_int(address, "balance"),
            overdraft_fen=c.read_int(address, "overdraft"),
            count=c.read_int(address, "purchase-count"),
            last_purchase_fen=c.read_int(address, "last-purchase"),
            relay_open=bool(c.read_int(address, "status3") & STATUS3_RELAY_OPEN),
        )

    def open_account(
        self, address: str, customer_no: str, *, meter_no: str | None = None
    ) -> MeterReading:
        """Remote account opening (070101FF) of a newly installed meter, without money.

        The frame carries the meter's own purchase count and amount 0, so the meter only takes
        the customer number and clears its "remote account not opened" bit; the first purchase
        follows as an ordinary recharge with count + 1 (I2). Read-back: status word 3 must
        show the account opened. Raises `MeterLinkError` (a `SecurityRefusal` for the meter's
        refusal) when the meter cannot be read or refuses; returns the reading afterwards.
        """
        before = self.probe(address)
        session = self.client.authenticate(address, meter_no or address, self.security)
        mac1, mac2 = self.security.recharge_macs(
            session, 0, before.count, customer_no, opening=True
        )
        self.client.remote_account_opening(
            address, RechargeRequest(0, before.count, mac1, customer_no, mac2)
        )
        if self.client.read_int(address, "status3") & STATUS3_REMOTE_NOT_OPENED:
            raise Garbled("the meter confirmed the account opening but still reads not opened")
        return self.probe(address)

    def _probe_blocks(self, address: str) -> MeterReading | None:
        """The channel test in three reads instead of five, where the meter has the blocks.

        009002FF (remaining + overdraft money) and 0333FF01 (the last purchase record: time,
        count, amount, balances, cumulative) are data blocks (DI byte FFH = every item) that
        cost-control meters and concentrators carry; every round trip saved is a response
        delay Td and two headers less on a 2400-baud line. A meter that answers "no such
        data" is read item by item from then on.
        """
        c = self.client
        try:
            money = c.read_value(address, "money-block")
            record = c.read_value(address, "last-purchase-record")
        except ExceptionReply as exc:
            if not exc.err & ErrFlag.NO_DATA:
                raise
            self._without_blocks.add(address)
            return None
        if not (isinstance(money, tuple) and isinstance(record, tuple)):
            raise Garbled(f"block reads of {address} did not decode as blocks")
        return MeterReading(
            balance_fen=money[0],
            overdraft_fen=money[1],
            count=record[1],
            last_purchase_fen=record[2],
            relay_open=bool(c.read_int(address, "status3") & STATUS3_RELAY_OPEN),
        )

    def dispatch(
        self, request: DispatchRequest, progress: Progress | None = None
    ) -> DispatchResult:
        """Up to ``attempts`` attempts of R7, stopping at the first non-retryable outcome."""
        records: list[AttemptRecord] = []
        for number in range(1, self.attempts + 1):
            if number > 1 and self.retry_delay > 0:
                time.sleep(self.retry_delay)
            attempt = _Attempt(number)
            try:
                self._attempt(request, attempt, progress)
            except _Done as done:
                records.append(attempt.record(done.outcome, done.reason, done.cause))
                if not done.outcome.retryable:
                    break
        last = records[-1]
        return DispatchResult(
            last.outcome, last.reason, last.balance_fen, last.count, tuple(records)
        )

    # -- one attempt --------------------------------------------------------------------------
    def _step(self, attempt: _Attempt, step: DispatchStep, progress: Progress | None) -> float:
        if progress is not None:
            progress(step, attempt.number, self.attempts)
        return time.monotonic()

    def _timed(self, attempt: _Attempt, step: DispatchStep, started: float) -> None:
        attempt.step_times[step.value] = attempt.step_times.get(step.value, 0.0) + (
            time.monotonic() - started
        )

    def _attempt(self, req: DispatchRequest, attempt: _Attempt, progress: Progress | None) -> None:
        n = req.count
        # (a) channel test
        t = self._step(attempt, DispatchStep.CHANNEL_TEST, progress)
        try:
            reading = self.probe(req.address)
        except MeterLinkError as exc:
            raise _Done(
                DispatchOutcome.CHANNEL_FAILURE, f"channel test failed: {exc}", exc
            ) from None
        finally:
            self._timed(attempt, DispatchStep.CHANNEL_TEST, t)
        attempt.balance_fen, attempt.count = reading.balance_fen, reading.count

        # (b) count check (R7 b, R8)
        t = self._step(attempt, DispatchStep.COUNT_CHECK, progress)
        self._timed(attempt, DispatchStep.COUNT_CHECK, t)
        self._check_count(req, reading)

        # (c) identity authentication
        t = self._step(attempt, DispatchStep.AUTHENTICATION, progress)
        try:
            session = self.client.authenticate(
                req.address, req.meter_no or req.address, self.security
            )
        except SecurityRefusal as exc:
            raise _Done(
                DispatchOutcome.SECURITY_REFUSAL,
                f"identity authentication refused: {'; '.join(exc.reasons)} "
                f"(SERR 0x{exc.serr:04X})",
                exc,
            ) from None
        except MeterLinkError as exc:
            raise _Done(self._link_outcome(exc), f"identity authentication: {exc}", exc) from None
        finally:
            self._timed(attempt, DispatchStep.AUTHENTICATION, t)

        # (c) recharge — same n on every attempt (R8)
        t = self._step(attempt, DispatchStep.RECHARGE, progress)
        repeated = False
        try:
            mac1, mac2 = self.security.recharge_macs(session, req.amount_fen, n, req.customer_no)
            self.client.remote_recharge(
                req.address, RechargeRequest(req.amount_fen, n, mac1, req.customer_no, mac2)
            )
        except SecurityRefusal as exc:
            if not exc.flags & SerrFlag.REPEATED_RECHARGE:
                raise self._refusal(exc) from None
            repeated = True
        except (NoAnswer, Garbled, LinkUnavailable) as exc:
            # The recharge may have been applied: the next attempt's (a)+(b) decides (R8).
            raise _Done(
                DispatchOutcome.TIMEOUT, f"recharge sent, no valid reply: {exc}", exc
            ) from None
        except MeterLinkError as exc:
            raise _Done(self._link_outcome(exc), f"recharge: {exc}", exc) from None
        finally:
            self._timed(attempt, DispatchStep.RECHARGE, t)

        # read back
        t = self._step(attempt, DispatchStep.READ_BACK, progress)
        try:
            verified = None if repeated else self._verified_wallet(req.address, session)
            if verified is not None:
                attempt.balance_fen, attempt.count = verified
                if verified[1] != n:
                    raise _Done(
                        DispatchOutcome.COUNT_MISMATCH,
                        f"recharge confirmed but the ESAM count reads {verified[1]}, expected {n}",
                    )
                raise _Done(
                    DispatchOutcome.SUCCESS,
                    f"purchase {n} loaded, balance {verified[0]} fen (ESAM read-back verified)",
                )
            after = self.probe(req.address)
        except MeterLinkError as exc:
            if repeated:
                raise _Done(
                    DispatchOutcome.TIMEOUT,
                    f"repeated-recharge refusal not confirmed, read-back failed: {exc}",
                    exc,
                ) from None
            raise _Done(
                DispatchOutcome.SUCCESS, f"meter confirmed the recharge; read-back failed: {exc}"
            ) from None
        finally:
            self._timed(attempt, DispatchStep.READ_BACK, t)
        attempt.balance_fen, attempt.count = after.balance_fen, after.count
        if repeated:
            if _counts_equal(after.count, n) and after.last_purchase_fen == req.amount_fen:
                raise _Done(
                    DispatchOutcome.ALREADY_LOADED,
                    "meter refused a repeated recharge (SERR 0x0002) and holds "
                    f"purchase {n} of {req.amount_fen} fen",
                )
            raise _Done(
                DispatchOutcome.COUNT_MISMATCH,
                f"repeated-recharge refusal but meter count {after.count}, last purchase "
                f"{after.last_purchase_fen} fen",
            )
        if not _counts_equal(after.count, n):
            raise _Done(
                DispatchOutcome.COUNT_MISMATCH,
                f"recharge confirmed but meter count reads {after.count}, expected {n}",
            )
        raise _Done(
            DispatchOutcome.SUCCESS, f"purchase {n} loaded, balance {after.balance_fen} fen"
        )

    def _verified_wallet(self, address: str, session: Session) -> tuple[int, int] | None:
        """Balance and count from 078102FF with both read-back MACs verified, else ``None``.

        The ESAM wallet count is the authoritative one (4 bytes, no wrap at 9999, DLT645 notes
        §4.2). Meters that refuse the status query, or a MAC that does not verify, fall back
        to the plain reads of the channel test.
        """
        try:
            status = self.client.status_query(address)
        except (SecurityRefusal, ExceptionReply, Garbled):
            return None
        balance_ok = self.security.verify_readback(
            session, status.balance_fen.to_bytes(4, "big"), status.balance_mac
        )
        count_ok = self.security.verify_readback(
            session, status.count.to_bytes(4, "big"), status.count_mac
        )
        if not (balance_ok and count_ok):
            return None
        return status.balance_fen, status.count

    @staticmethod
    def _check_count(req: DispatchRequest, reading: MeterReading) -> None:
        n = req.count
        if _counts_equal(reading.count, n - 1):
            return
        if _counts_equal(reading.count, n):
            if reading.last_purchase_fen == req.amount_fen:
                raise _Done(
                    DispatchOutcome.ALREADY_LOADED,
                    f"meter already holds purchase {n} of {req.amount_fen} fen",
                )
            raise _Done(
                DispatchOutcome.COUNT_MISMATCH,
                f"meter count is {n} but its last purchase is "
                f"{reading.last_purchase_fen} fen, not {req.amount_fen}",
            )
        raise _Done(
            DispatchOutcome.COUNT_MISMATCH,
            f"meter count is {reading.count}, purchase {n} needs {n - 1}",
        )

    @staticmethod
    def _refusal(exc: SecurityRefusal) -> _Done:
        reason = f"{'; '.join(exc.reasons)} (SERR 0x{exc.serr:04X})"
        if exc.flags & SerrFlag.HOARDING_LIMIT:
            return _Done(DispatchOutcome.HOARDING_LIMIT, f"recharge refused: {reason}", exc)
        if exc.flags & SerrFlag.PURCHASE_COUNT:
            return _Done(DispatchOutcome.COUNT_MISMATCH, f"recharge refused: {reason}", exc)
        return _Done(DispatchOutcome.SECURITY_REFUSAL, f"recharge refused: {reason}", exc)

    @staticmethod
    def _link_outcome(exc: MeterLinkError) -> DispatchOutcome:
        if isinstance(exc, ExceptionReply | SecurityRefusal):
            return DispatchOutcome.SECURITY_REFUSAL
        if isinstance(exc, NoAnswer):
            return DispatchOutcome.TIMEOUT
        return DispatchOutcome.CHANNEL_FAILURE
