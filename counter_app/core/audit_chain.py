"""Tamper evidence of the audit trail (I3): each record's hash covers its content and the hash
of the record before it, so editing or deleting one record breaks the chain at that point.

The hash is sha256 over a canonical text of the record: its fields in a fixed order as JSON
with sorted keys (``before``/``after`` as the JSON the database keeps), the timestamp in ISO
form, and the previous record's hash. The same record read back from SQLite or PostgreSQL
gives the same text, so `first_break` can verify a chain written by either engine.

The head hash (the last record's) is printed on every Z report so that it can be kept outside
the database: a chain cut short at its end still verifies, but no longer reaches that head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
"""The previous hash of the first record."""


@dataclass(frozen=True)
class ChainedRecord:
    """One audit record as the chain sees it (stored hashes included)."""

    id: int
    at: dt.datetime
    actor: str
    counter_id: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any
    prev_hash: str
    row_hash: str


@dataclass(frozen=True)
class ChainBreak:
    """The first record where the chain does not hold, and why."""

    record_id: int
    problem: str

    def __str__(self) -> str:
        return f"I3 audit record {self.record_id}: {self.problem}"


def _json(value: Any) -> Any:
    if value is None:
        return None
    # the text the database keeps, read back: what every later reader sees
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def canonical_text(
    at: dt.datetime,
    actor: str,
    counter_id: str,
    action: str,
    entity: str,
    entity_id: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    """The text a record's hash is computed over (see the module docstring)."""
    content = [
        at.replace(tzinfo=None).isoformat(timespec="microseconds"),
        actor,
        counter_id,
        action,
        entity,
        entity_id,
        _json(before),
        _json(after),
        prev_hash,
    ]
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_hash(
    at: dt.datetime,
    actor: str,
    counter_id: str,
    action: str,
    entity: str,
    entity_id: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    """sha256 (hex) of `canonical_text`."""
    text = canonical_text(
        at, actor, counter_id, action, entity, entity_id, before, after, prev_hash
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_break(records: Iterable[ChainedRecord]) -> ChainBreak | None:
    """The first record (in id order) whose link or hash is wrong; None when the chain holds.

    A wrong link (its `prev_hash` is not the stored hash of the record before it) means a
    record before it was removed or inserted; a wrong hash means its own content was edited.
    """
    expected_prev = GENESIS_HASH
    for r in records:
        if r.prev_hash != expected_prev:
            return ChainBreak(
                r.id, "does not follow the record before it (a record was removed or inserted)"
            )
        computed = record_hash(
            r.at,
            r.actor,
            r.counter_id,
            r.action,
            r.entity,
            r.entity_id,
            r.before,
            r.after,
            r.prev_hash,
        )
        if computed != r.row_hash:
            return ChainBreak(r.id, "content does not match its hash (the record was edited)")
        expected_prev = r.row_hash
    return None
