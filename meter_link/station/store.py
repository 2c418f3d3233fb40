"""The station's own database: tasks, their attempts, result delivery and channel health.

A task is written before it is acknowledged (202) and every attempt is written before the
next one starts, so that a station killed at any point knows, when it starts again, which
tasks were on a link (``running``) and must be resumed by probing the meter (R8), and
which results still have to reach the marketing side.

Idempotency (the contract's rule): a task is known by its ``task_id`` and by its
``(meter, count)`` — purchase ``n`` of a meter is one purchase (I2), whoever submits it.
The same task again is the same task; the same ``(meter, count)`` with another amount or
customer is a conflict, refused before anything reaches a meter. Both keys are unique
indexes, so two submissions racing each other cannot both insert — except that a
``(meter, count)`` whose task failed for good may be submitted again under a new task id: that
is the marketing side's re-dispatch (R10), a new task, which R7's count check keeps from
loading anything twice.

URLs: ``sqlite:///path/station.db`` (embedded default: WAL journal so that the API reads
while a link thread writes, a busy timeout so that writers wait for each other; writes
take the file's lock with ``BEGIN IMMEDIATE`` so that a reader never has to upgrade) or
``postgresql://user@host:port/db`` (a pooled connection per thread).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import peewee
from playhouse import pool

from .reasons import CHANNEL_REASONS, Reason, TaskOutcome, TaskState

station_db: Any = peewee.DatabaseProxy()
"""The proxy the station's models are bound to; :func:`open_store` points it at a database."""

SQLITE_PRAGMAS: tuple[tuple[str, object], ...] = (
    ("journal_mode", "wal"),
    ("busy_timeout", 15000),
    ("synchronous", "normal"),
)


DURABLE_COMMIT = "on"
"""PostgreSQL's ``synchronous_commit`` for the station's own sessions, whatever the server's
default: a commit returns only once it is in the write-ahead log. A server tuned with
``synchronous_commit = off`` acknowledges commits it may lose if it crashes or is stopped with
``-m immediate`` a moment later — a task answered 202 would be gone after the restart (the
API then says not-found and the task is never run), and a written attempt would be forgotten,
so a resumed task could not know a recharge had been sent (R8)."""


class StoreUrlError(ValueError):
    """The database URL cannot be used."""


class _Model(peewee.Model):
    class Meta:
        database = station_db
        legacy_table_names = False


class StationTask(_Model):
    """One dispatch task as submitted, with its state, result and delivery."""

    id = peewee.AutoField()  # submission order: tasks of one link run in this order
    task_id = peewee.CharField(max_length=64, unique=True)
    meter = peewee.CharField(max_length=12)
    customer_no = peewee.CharField(max_length=12)
    amount_fen = peewee.BigIntegerField()
    count = peewee.IntegerField()
    origin = peewee.CharField(max_length=64)
    callback_url = peewee.CharField(max_length=1024, null=True)
    state = peewee.CharField(max_length=16, index=True)
    outcome = peewee.CharField(max_length=16, null=True)
    reason = peewee.CharField(max_length=32, null=True)
    detail = peewee.TextField(null=True)
    balance_fen = peewee.BigIntegerField(null=True)
    meter_count = peewee.IntegerField(null=True)
    submitted_at = peewee.DateTimeField()
    started_at = peewee.DateTimeField(null=True)
    finished_at = peewee.DateTimeField(null=True)
    result_seq = peewee.BigIntegerField(null=True, unique=True)
    delivered_at = peewee.DateTimeField(null=True)
    delivery_attempts = peewee.IntegerField(default=0)
    next_delivery_at = peewee.DateTimeField(null=True)
    last_delivery_error = peewee.TextField(null=True)


# One task per (meter, count) that is not a final failure: purchase n is one purchase (I2), but
# a failed one may be handed over again as a new task (the counter's R10 re-dispatch), which
# starts like every task with R7's channel test and count check, so a purchase the meter took
# after all is recognised (R8) and never loaded twice.
LIVE_PURCHASE_INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS station_task_live_purchase ON station_task "
    "(meter, \"count\") WHERE outcome IS NULL OR outcome <> 'failed'"
)
OLD_PURCHASE_INDEX = "station_task_meter_count"
"""The index of stations before retries: unique over every task of a (meter, count)."""


class StationAttempt(_Model):
    """One attempt of a task (R9): outcome, named cause, figures read, timings."""

    task = peewee.ForeignKeyField(StationTask, backref="attempts", on_delete="CASCADE")
    attempt = peewee.IntegerField()
    outcome = peewee.CharField(max_length=32)
    reason = peewee.CharField(max_length=32, null=True)
    detail = peewee.TextField()
    balance_fen = peewee.BigIntegerField(null=True)
    meter_count = peewee.IntegerField(null=True)
    started_at = peewee.DateTimeField()
    elapsed_ms = peewee.IntegerField()
    steps_ms = peewee.TextField(default="{}")  # JSON {step: ms}

    class Meta:
        indexes = ((("task", "attempt"), True),)


class MeterChannel(_Model):
    """What the station knows of one meter's channel: last good read, failures today."""

    meter = peewee.CharField(max_length=12, primary_key=True)
    last_good_read = peewee.DateTimeField(null=True)
    failure_day = peewee.DateField(null=True)
    failures_today = peewee.IntegerField(default=0)
    last_failure_reason = peewee.CharField(max_length=32, null=True)


MODELS: tuple[type[_Model], ...] = (StationTask, StationAttempt, MeterChannel)


def utcnow() -> dt.datetime:
    """Naive UTC now, the form stored."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def iso(moment: dt.datetime | None) -> str | None:
    """A stored (naive UTC) moment as ISO-8601 with its offset, for the API."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class Submission:
    """A dispatch task as the marketing side submits it (already validated)."""

    task_id: str
    meter: str
    customer_no: str
    amount_fen: int
    count: int
    origin: str
    callback_url: str | None = None


@dataclass(frozen=True, slots=True)
class AttemptEntry:
    """One attempt as stored and shown (``started_at`` naive UTC)."""

    attempt: int
    outcome: str
    reason: str | None
    detail: str
    balance_fen: int | None
    meter_count: int | None
    started_at: dt.datetime
    elapsed_ms: int
    steps_ms: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt": self.attempt,
            "outcome": self.outcome,
            "reason": self.reason,
            "detail": self.detail,
            "balance_fen": self.balance_fen,
            "meter_count": self.meter_count,
            "started_at": iso(self.started_at),
            "elapsed_ms": self.elapsed_ms,
            "steps_ms": dict(self.steps_ms),
        }


@dataclass(frozen=True, slots=True)
class TaskView:
    """A task with its attempts: what ``GET /tasks/{id}`` and the result delivery send."""

    task_id: str
    meter: str
    customer_no: str
    amount_fen: int
    count: int
    origin: str
    callback_url: str | None
    state: TaskState
    outcome: TaskOutcome | None
    reason: str | None
    detail: str | None
    balance_fen: int | None
    meter_count: int | None
    attempts: tuple[AttemptEntry, ...]
    submitted_at: dt.datetime
    finished_at: dt.datetime | None
    result_seq: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "meter": self.meter,
            "customer_no": self.customer_no,
            "amount_fen": self.amount_fen,
            "count": self.count,
            "origin": self.origin,
            "state": self.state.value,
            "outcome": None if self.outcome is None else self.outcome.value,
            "reason": self.reason,
            "detail": self.detail,
            "balance_fen": self.balance_fen,
            "meter_count": self.meter_count,
            "attempts": [a.to_json() for a in self.attempts],
            "submitted_at": iso(self.submitted_at),
            "finished_at": iso(self.finished_at),
            "result_seq": self.result_seq,
        }


class TaskConflict(Exception):
    """A submission that contradicts a known task (409): nothing is booked or dispatched."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TaskNotDone(Exception):
    """A result was acknowledged before the task finished."""


@dataclass(frozen=True, slots=True)
class MeterHealth:
    """The station's knowledge of one meter's channel."""

    meter: str
    last_good_read: dt.datetime | None
    failures_today: int
    last_failure_reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "meter": self.meter,
            "last_good_read": iso(self.last_good_read),
            "failures_today": self.failures_today,
            "last_failure_reason": self.last_failure_reason,
        }


DATABASE_AWAY: tuple[type[Exception], ...] = (peewee.OperationalError, peewee.InterfaceError)
"""What the driver raises when the database cannot be reached (down, restarting, connection
lost), as opposed to a fault of the station's own."""


def database_away(exc: BaseException) -> bool:
    """Whether ``exc`` is one of :data:`DATABASE_AWAY`."""
    return isinstance(exc, DATABASE_AWAY)


def open_database(url: str) -> Any:
    """The database a URL names (see the module docstring); connects lazily."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise StoreUrlError(f"database URL {url!r}: use sqlite:///path/to/station.db")
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return peewee.SqliteDatabase(path, pragmas=list(SQLITE_PRAGMAS), timeout=15)
    if parsed.scheme in ("postgres", "postgresql"):
        if not parsed.path.strip("/"):
            raise StoreUrlError("a PostgreSQL URL needs a database name")
        return pool.PooledPostgresqlDatabase(
            parsed.path.strip("/"),
            user=parsed.username,
            password=parsed.password,
            host=parsed.hostname,
            port=parsed.port,
            max_connections=32,
            stale_timeout=300,
            options=f"-c synchronous_commit={DURABLE_COMMIT}",
        )
    raise StoreUrlError(f"database URL scheme must be sqlite:/// or postgresql://, not {url!r}")


class TaskStore:
    """Every read and write of the station's database (one instance per process).

    Each method is one unit of work on the calling thread's connection: link threads, the
    API's worker threads and the delivery thread each use their own.
    """

    def __init__(self, url: str) -> None:
        self.db = open_database(url)
        station_db.initialize(self.db)
        self._is_sqlite = isinstance(self.db, peewee.SqliteDatabase)
        self._seq_lock = threading.Lock()  # result_seq: one allocator per station process
        self._sqlite_writer = threading.RLock()
        with self._unit():
            self.db.create_tables(MODELS, safe=True)
            # stations from before re-dispatch: one task per (meter, count), even failed
            self.db.execute_sql(f"DROP INDEX IF EXISTS {OLD_PURCHASE_INDEX}")
            self.db.execute_sql(LIVE_PURCHASE_INDEX)

    def close(self) -> None:
        """Close the pool (PostgreSQL) or this thread's connection."""
        if isinstance(self.db, pool.PooledDatabase):
            self.db.close_all()
        elif not self.db.is_closed():
            self.db.close()

    @contextmanager
    def _connected(self) -> Iterator[None]:
        """This thread's connection: kept open on SQLite (opening one costs more than most
        queries), taken from and given back to the pool on PostgreSQL."""
        if self._is_sqlite:
            if self.db.is_closed():
                self.db.connect(reuse_if_open=True)
            yield
        else:
            with self.db.connection_context():
                yield

    @contextmanager
    def _unit(self) -> Iterator[None]:
        with self._connected():
            yield

    @contextmanager
    def _write(self) -> Iterator[None]:
        if self._is_sqlite:
            # One writer at a time inside the process: SQLite's busy handler sleeps in steps
            # of up to 100 ms when it finds the file locked, which our own threads would
            # otherwise hit on every concurrent write; a lock hands over at once.
            with self._sqlite_writer, self._connected(), self.db.atomic("IMMEDIATE"):
                yield
        else:
            with self.db.connection_context(), self.db.atomic():
                yield

    # -- submission -------------------------------------------------------------------------
    def submit(self, sub: Submission) -> tuple[TaskView, bool]:
        """Store a new task or return the one it repeats; ``(view, created)``.

        Raises :class:`TaskConflict` when ``sub`` contradicts a known task (module doc).
        """
        for _ in range(3):
            try:
                with self._write():
                    existing = self._known(sub)
                    if existing is not None:
                        if sub.callback_url and existing.callback_url != sub.callback_url:
                            # The counter-server moved: the result goes to where it is now.
                            StationTask.update(callback_url=sub.callback_url).where(
                                StationTask.task_id == existing.task_id
                            ).execute()
                        return self._view(existing), False
                    row = StationTask.create(
                        task_id=sub.task_id,
                        meter=sub.meter,
                        customer_no=sub.customer_no,
                        amount_fen=sub.amount_fen,
                        count=sub.count,
                        origin=sub.origin,
                        callback_url=sub.callback_url,
                        state=TaskState.QUEUED.value,
                        submitted_at=utcnow(),
                    )
                    return self._view(row), True
            except peewee.IntegrityError:
                continue  # another submission of the same key won the race: look again
        raise TaskConflict("the task was submitted concurrently; submit it again")

    @staticmethod
    def _known(sub: Submission) -> StationTask | None:
        row = StationTask.get_or_none(StationTask.task_id == sub.task_id)
        if row is not None:
            if (row.meter, row.customer_no, row.amount_fen, row.count, row.origin) != (
                sub.meter,
                sub.customer_no,
                sub.amount_fen,
                sub.count,
                sub.origin,
            ):
                raise TaskConflict(
                    f"task {sub.task_id} was submitted with a different body "
                    f"(meter {row.meter}, count {row.count}, amount {row.amount_fen} fen)"
                )
            return row
        row = StationTask.get_or_none(
            (StationTask.meter == sub.meter)
            & (StationTask.count == sub.count)
            & (StationTask.outcome.is_null() | (StationTask.outcome != "failed"))
        )
        if row is None:
            return None  # new, or a re-dispatch of a purchase whose task failed (R10)
        if (row.customer_no, row.amount_fen) != (sub.customer_no, sub.amount_fen):
            raise TaskConflict(
                f"purchase {sub.count} of meter {sub.meter} is task {row.task_id} "
                f"for customer {row.customer_no}, {row.amount_fen} fen (I2: one purchase per count)"
            )
        return row

    # -- reading ----------------------------------------------------------------------------
    def get(self, task_id: str) -> TaskView | None:
        with self._unit():
            row = StationTask.get_or_none(StationTask.task_id == task_id)
            return None if row is None else self._view(row)

    def unfinished(self) -> list[TaskView]:
        """Queued and running tasks in submission order (what a starting station resumes)."""
        with self._unit():
            rows = (
                StationTask.select()
                .where(StationTask.state != TaskState.DONE.value)
                .order_by(StationTask.id)
            )
            return [self._view(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many tasks are queued and running."""
        with self._unit():
            query = (
                StationTask.select(StationTask.state, peewee.fn.COUNT(StationTask.id))
                .where(StationTask.state != TaskState.DONE.value)
                .group_by(StationTask.state)
                .tuples()
            )
            rows: list[tuple[str, int]] = list(query)  # type: ignore[arg-type]
            found = {str(state): int(n) for state, n in rows}
        return {s.value: int(found.get(s.value, 0)) for s in (TaskState.QUEUED, TaskState.RUNNING)}

    def results_after(self, after: int, limit: int) -> list[TaskView]:
        """Finished tasks with ``result_seq > after``, in result order (the poll)."""
        with self._unit():
            rows = (
                StationTask.select()
                .where(StationTask.result_seq > after)
                .order_by(StationTask.result_seq)
                .limit(limit)
            )
            return [self._view(r) for r in rows]

    # -- the task on its link ---------------------------------------------------------------
    def mark_running(self, task_id: str) -> None:
        with self._write():
            StationTask.update(state=TaskState.RUNNING.value, started_at=utcnow()).where(
                StationTask.task_id == task_id
            ).execute()

    def add_attempt(self, task_id: str, entry: AttemptEntry) -> None:
        """Write one attempt (before the next one starts, R9)."""
        with self._write():
            task = StationTask.get(StationTask.task_id == task_id)
            StationAttempt.create(
                task=task,
                attempt=entry.attempt,
                outcome=entry.outcome,
                reason=entry.reason,
                detail=entry.detail,
                balance_fen=entry.balance_fen,
                meter_count=entry.meter_count,
                started_at=entry.started_at,
                elapsed_ms=entry.elapsed_ms,
                steps_ms=json.dumps(entry.steps_ms),
            )

    def finish(
        self,
        task_id: str,
        outcome: TaskOutcome,
        reason: str | None,
        detail: str,
        balance_fen: int | None,
        meter_count: int | None,
    ) -> TaskView:
        """Record the final result and give it the next result sequence number."""
        with self._seq_lock, self._write():
            row = StationTask.get(StationTask.task_id == task_id)
            if row.state == TaskState.DONE.value:
                return self._view(row)
            last = StationTask.select(peewee.fn.MAX(StationTask.result_seq)).scalar() or 0
            now = utcnow()
            StationTask.update(
                state=TaskState.DONE.value,
                outcome=outcome.value,
                reason=reason,
                detail=detail,
                balance_fen=balance_fen,
                meter_count=meter_count,
                finished_at=now,
                result_seq=int(last) + 1,
                next_delivery_at=now,
            ).where(StationTask.id == row.id).execute()
            return self._view(StationTask.get_by_id(row.id))

    # -- delivery ---------------------------------------------------------------------------
    def due_deliveries(self, now: dt.datetime, limit: int = 50) -> list[TaskView]:
        """Finished, undelivered results whose next callback is due."""
        with self._unit():
            rows = (
                StationTask.select()
                .where(
                    (StationTask.state == TaskState.DONE.value)
                    & StationTask.delivered_at.is_null()
                    & (StationTask.next_delivery_at <= now)
                )
                .order_by(StationTask.result_seq)
                .limit(limit)
            )
            return [self._view(r) for r in rows]

    def next_delivery_due(self) -> dt.datetime | None:
        with self._unit():
            value = (
                StationTask.select(peewee.fn.MIN(StationTask.next_delivery_at))
                .where(
                    (StationTask.state == TaskState.DONE.value) & StationTask.delivered_at.is_null()
                )
                .scalar()
            )
        if isinstance(value, str):  # SQLite aggregates come back as text
            return dt.datetime.fromisoformat(value)
        return value  # type: ignore[no-any-return]

    def mark_delivered(self, task_id: str) -> bool:
        """Mark a finished task's result delivered (callback 2xx or ack).

        Raises :class:`TaskNotDone` for a task without a result; ``False`` if unknown.
        """
        with self._write():
            row = StationTask.get_or_none(StationTask.task_id == task_id)
            if row is None:
                return False
            if row.state != TaskState.DONE.value:
                raise TaskNotDone(task_id)
            if row.delivered_at is None:
                StationTask.update(delivered_at=utcnow()).where(StationTask.id == row.id).execute()
            return True

    def delivery_failed(self, task_id: str, error: str, delay_for: Callable[[int], float]) -> int:
        """Count a failed callback and schedule the next one ``delay_for(attempts)`` seconds
        later; returns the attempts so far."""
        with self._write():
            row = StationTask.get(StationTask.task_id == task_id)
            attempts = int(row.delivery_attempts) + 1
            StationTask.update(
                delivery_attempts=attempts,
                next_delivery_at=utcnow() + dt.timedelta(seconds=delay_for(attempts)),
                last_delivery_error=error[:500],
            ).where(StationTask.id == row.id).execute()
            return attempts

    def no_callback(self, task_id: str) -> None:
        """A result with nowhere to call: it waits for the poll and its ack."""
        with self._write():
            StationTask.update(next_delivery_at=None).where(
                StationTask.task_id == task_id
            ).execute()

    # -- channel health ---------------------------------------------------------------------
    def record_channel(self, meter: str, reason: Reason | None, today: dt.date) -> None:
        """A good read (``reason`` None) or a failure of the channel to ``meter``.

        Only channel causes count as failures: a meter that answered and refused, or whose
        count does not fit, has a working channel.
        """
        with self._write():
            row = MeterChannel.get_or_none(MeterChannel.meter == meter)
            if row is None:
                row = MeterChannel.create(meter=meter)
            if reason is None:
                row.last_good_read = utcnow()
            elif reason in CHANNEL_REASONS:
                if row.failure_day != today:
                    row.failure_day, row.failures_today = today, 0
                row.failures_today += 1
                row.last_failure_reason = reason.value
            else:
                row.last_good_read = utcnow()
            row.save()

    def meter_health(self, meter: str, today: dt.date) -> MeterHealth:
        with self._unit():
            row = MeterChannel.get_or_none(MeterChannel.meter == meter)
        if row is None:
            return MeterHealth(meter, None, 0, None)
        failures = row.failures_today if row.failure_day == today else 0
        return MeterHealth(meter, row.last_good_read, failures, row.last_failure_reason)

    # -- rows to views ----------------------------------------------------------------------
    @staticmethod
    def _view(row: StationTask) -> TaskView:
        attempts = tuple(
            AttemptEntry(
                attempt=a.attempt,
                outcome=a.outcome,
                reason=a.reason,
                detail=a.detail,
                balance_fen=a.balance_fen,
                meter_count=a.meter_count,
                started_at=a.started_at,
                elapsed_ms=a.elapsed_ms,
                steps_ms={k: int(v) for k, v in json.loads(a.steps_ms or "{}").items()},
            )
            for a in StationAttempt.select()
            .where(StationAttempt.task == row.id)
            .order_by(StationAttempt.attempt)
        )
        return TaskView(
            task_id=row.task_id,
            meter=row.meter,
            customer_no=row.customer_no,
            amount_fen=int(row.amount_fen),
            count=int(row.count),
            origin=row.origin,
            callback_url=row.callback_url,
            state=TaskState(row.state),
            outcome=None if row.outcome is None else TaskOutcome(row.outcome),
            reason=row.reason,
            detail=row.detail,
            balance_fen=row.balance_fen,
            meter_count=row.meter_count,
            attempts=attempts,
            submitted_at=row.submitted_at,
            finished_at=row.finished_at,
            result_seq=row.result_seq,
        )
