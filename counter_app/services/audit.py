"""The audit trail (I3): every money movement and every authorization leaves a record.

`record` is called *inside* the transaction of the business step it documents, so the record
and the change it describes are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import peewee

from counter_app.store.models import AuditLog


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
    """Append one audit record; returns its id."""
    row = AuditLog.create(
        actor=actor,
        counter_id=counter_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
    )
    return int(row.id)


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
