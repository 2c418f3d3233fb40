"""The audit trail (I3): every money movement and every authorization leaves a record.

`record` is called *inside* the transaction of the business step it documents, so the record
and the change it describes are committed together or not at all.

Tamper evidence (`core.audit_chain`): `record` chains each new record to the one before it.
The chain's head is read and extended under the writers' lock — SQLite's single write lock of
``BEGIN IMMEDIATE`` (`write_transaction`), a transaction-scoped advisory lock on PostgreSQL —
so two counters writing at once never fork the chain (and the unique ``prev_hash`` would
refuse a fork if they did). `verify_chain` walks the whole trail; `head_hash` is what a Z
report prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import peewee

from counter_app.core.audit_chain import (
    GENESIS_HASH,
    ChainBreak,
    ChainedRecord,
    first_break,
    record_hash,
)
from counter_app.store.bulk import bulk_insert
from counter_app.store.database import database, is_postgres, write_transaction
from counter_app.store.models import AuditLog, utcnow

CHAIN_LOCK_KEY = 0x636F756E746572
"""PostgreSQL advisory lock key of the audit chain's head (any fixed number of ours)."""


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    counter_id: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any


def _take_chain_head() -> str:
    """The head hash, read under the lock that every `record` holds until its commit."""
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK_KEY,))
    last = AuditLog.select(AuditLog.row_hash).order_by(AuditLog.id.desc()).first()
    return str(last.row_hash) if last is not None else GENESIS_HASH


def data_version() -> tuple[int, int, int]:
    """A figure that changes whenever the data behind the back office changes.

    Every money movement, authorization and work-order step is audited (I3), so the audit
    log's newest id moves with them; the SMS outbox adds its newest message and how many are
    sent (the sender is a background job). Cheap enough to ask every few seconds, and the
    same on every counter of a shared database.
    """
    from counter_app.store.models import Notification

    last_audit = AuditLog.select(peewee.fn.MAX(AuditLog.id)).scalar() or 0
    last_sms = Notification.select(peewee.fn.MAX(Notification.id)).scalar() or 0
    sent = Notification.select().where(Notification.sent_at.is_null(False)).count()
    return int(last_audit), int(last_sms), int(sent)


def record(
    actor: str,
    counter_id: str,
    action: str,
    entity: str,
    entity_id: object,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> int:
    """Append one audit record, chained to the one before it; returns its id."""
    before_value = dict(before) if before is not None else None
    after_value = dict(after) if after is not None else None
    with write_transaction():  # nested in the business step: a savepoint of it
        prev = _take_chain_head()
        at = utcnow()
        digest = record_hash(
            at,
            actor,
            counter_id,
            action,
            entity,
            str(entity_id),
            before_value,
            after_value,
            prev,
        )
        row = AuditLog.create(
            at=at,
            actor=actor,
            counter_id=counter_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before_value,
            after=after_value,
            prev_hash=prev,
            row_hash=digest,
        )
    return int(row.id)


def record_many(rows: Sequence[Mapping[str, Any]]) -> None:
    """Append many audit records at once (a bank file's payments), chained in their order.

    Each row has the fields of `record` (``at``, ``actor``, ``counter_id``, ``action``,
    ``entity``, ``entity_id``, ``before``, ``after``). The chain's head is taken once under
    the writers' lock and every row's hash computed here, so a batch costs one multi-row
    insert and still verifies record by record (I3).
    """
    if not rows:
        return
    chained = []
    with write_transaction():
        prev = _take_chain_head()
        for row in rows:
            before = dict(row["before"]) if row.get("before") is not None else None
            after = dict(row["after"]) if row.get("after") is not None else None
            entity_id = str(row["entity_id"])
            digest = record_hash(
                row["at"],
                row["actor"],
                row["counter_id"],
                row["action"],
                row["entity"],
                entity_id,
                before,
                after,
                prev,
            )
            chained.append(
                {
                    **row,
                    "entity_id": entity_id,
                    "before": before,
                    "after": after,
                    "prev_hash": prev,
                    "row_hash": digest,
                }
            )
            prev = digest
        bulk_insert(AuditLog, chained)


def _chained(r: AuditLog) -> ChainedRecord:
    return ChainedRecord(
        int(r.id),
        r.at,
        str(r.actor),
        str(r.counter_id),
        str(r.action),
        str(r.entity),
        str(r.entity_id),
        r.before,
        r.after,
        str(r.prev_hash),
        str(r.row_hash),
    )


def verify_chain() -> ChainBreak | None:
    """The first audit record where the hash chain is broken (None: the trail is intact)."""
    rows = AuditLog.select().order_by(AuditLog.id).iterator()
    return first_break(_chained(r) for r in rows)


def hash_of(record_id: int) -> str:
    """The stored hash of one audit record."""
    return str(AuditLog.get_by_id(record_id).row_hash)


def head_hash() -> str:
    """The hash of the newest audit record (what a Z report prints to keep it outside)."""
    last = AuditLog.select(AuditLog.row_hash).order_by(AuditLog.id.desc()).first()
    return str(last.row_hash) if last is not None else GENESIS_HASH


def _entry(r: AuditLog) -> AuditEntry:
    return AuditEntry(
        int(r.id),
        r.at,
        str(r.actor),
        str(r.counter_id),
        str(r.action),
        str(r.entity),
        str(r.entity_id),
        r.before,
        r.after,
    )


def entries(
    *,
    entity: str | None = None,
    entity_id: object | None = None,
    actions: Sequence[str] = (),
    limit: int = 500,
) -> list[AuditEntry]:
    """Audit records, newest last, filtered by entity and/or action."""
    query = AuditLog.select().order_by(AuditLog.id)
    if entity is not None:
        query = query.where(AuditLog.entity == entity)
    if entity_id is not None:
        query = query.where(AuditLog.entity_id == str(entity_id))
    if actions:
        query = query.where(AuditLog.action.in_(list(actions)))
    return [_entry(r) for r in query.limit(limit)]


SEARCH_LIMIT = 1000


def search(
    *,
    text: str = "",
    actor: str | None = None,
    counter_id: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = SEARCH_LIMIT,
) -> list[AuditEntry]:
    """Audit records for the supervisor's view, newest first.

    `text` matches (case-insensitively) the actor, counter, action, entity, entity id and the
    before/after data (a receipt number, a meter address, an amount in fen); the other filters
    are exact. `since`/`until` bound `at` (naive UTC, inclusive).
    """
    query = AuditLog.select().order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if actor:
        query = query.where(AuditLog.actor == actor)
    if counter_id:
        query = query.where(AuditLog.counter_id == counter_id)
    if action:
        query = query.where(AuditLog.action == action)
    if entity:
        query = query.where(AuditLog.entity == entity)
    if since is not None:
        query = query.where(AuditLog.at >= since)
    if until is not None:
        query = query.where(AuditLog.at <= until)
    needle = text.strip().lower()
    if needle:
        pattern = f"%{needle}%"  # % and _ typed by a person act as wildcards: harmless here
        columns = (
            AuditLog.actor,
            AuditLog.counter_id,
            AuditLog.action,
            AuditLog.entity,
            AuditLog.entity_id,
            AuditLog.before,
            AuditLog.after,
        )
        matches = [
            peewee.fn.LOWER(peewee.fn.COALESCE(peewee.Cast(c, "TEXT"), ""))
            ** peewee.Value(pattern, converter=False)  # ILIKE (LIKE on SQLite)
            for c in columns
        ]
        condition = matches[0]
        for m in matches[1:]:
            condition = condition | m
        query = query.where(condition)
    return [_entry(r) for r in query.limit(limit)]


def distinct_values(column: str) -> list[str]:
    """The actors, counters, actions or entities seen so far (for the view's filters)."""
    field = {
        "actor": AuditLog.actor,
        "counter_id": AuditLog.counter_id,
        "action": AuditLog.action,
        "entity": AuditLog.entity,
    }[column]
    rows: Any = AuditLog.select(field).distinct().order_by(field).tuples()
    return [str(row[0]) for row in rows]
