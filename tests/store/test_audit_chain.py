"""I3 tamper evidence: the audit trail is a hash chain, on SQLite and PostgreSQL.

Whoever drops the append-only trigger and edits or deletes a record with raw SQL leaves a
break that `audit.verify_chain` (and ``counterctl check``) names; concurrent writers never
fork the chain; migration step 3 chains the records a database already had.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from counter_app.core.audit_chain import GENESIS_HASH, record_hash
from counter_app.services import audit
from counter_app.services.checks import check_database
from counter_app.store import database as store_db
from counter_app.store.migrations import (
    LATEST_VERSION,
    SQLITE_AUDIT_TRIGGERS,
    STEPS,
    current_version,
    migrate,
)
from counter_app.store.models import AuditLog, SchemaVersion
from tests.fixtures.database import TestDatabase

PLACEHOLDER = "?"


def _sql(db: TestDatabase, sql: str) -> str:
    return sql.replace(PLACEHOLDER, "%s") if db.kind == "postgres" else sql


def _drop_triggers(db: TestDatabase) -> None:
    if db.kind == "postgres":
        store_db.database.execute_sql("DROP TRIGGER audit_log_no_change ON audit_log")
    else:
        store_db.database.execute_sql("DROP TRIGGER audit_log_no_update")
        store_db.database.execute_sql("DROP TRIGGER audit_log_no_delete")


def _some_records(n: int = 5) -> list[int]:
    return [
        audit.record("teller1", "C1", "pay", "payment", i, after={"amount_fen": 100 * i})
        for i in range(1, n + 1)
    ]


def test_records_are_chained_from_the_genesis(db: TestDatabase) -> None:
    ids = _some_records(3)
    rows = list(AuditLog.select().order_by(AuditLog.id))
    assert [r.id for r in rows] == ids
    assert rows[0].prev_hash == GENESIS_HASH
    assert [r.prev_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]
    assert rows[1].row_hash == record_hash(
        rows[1].at,
        "teller1",
        "C1",
        "pay",
        "payment",
        "2",
        None,
        {"amount_fen": 200},
        rows[0].row_hash,
    )
    assert audit.verify_chain() is None and audit.head_hash() == rows[-1].row_hash


def test_an_edited_record_is_named(db: TestDatabase) -> None:
    ids = _some_records()
    _drop_triggers(db)
    store_db.database.execute_sql(
        _sql(db, "UPDATE audit_log SET after = ? WHERE id = ?"), ('{"amount_fen": 1}', ids[2])
    )
    broken = audit.verify_chain()
    assert broken is not None and broken.record_id == ids[2]
    assert "edited" in broken.problem
    assert [str(b) for b in check_database()] == [f"I3 audit record {ids[2]}: {broken.problem}"]


def test_a_deleted_record_is_named_by_the_one_after_it(db: TestDatabase) -> None:
    ids = _some_records()
    _drop_triggers(db)
    store_db.database.execute_sql(_sql(db, "DELETE FROM audit_log WHERE id = ?"), (ids[1],))
    broken = audit.verify_chain()
    assert broken is not None and broken.record_id == ids[2]
    assert "removed" in broken.problem


def test_a_rehashed_edit_still_breaks_the_next_link(db: TestDatabase) -> None:
    """Recomputing the edited record's own hash is not enough: the next one points elsewhere."""
    ids = _some_records()
    _drop_triggers(db)
    row = AuditLog.get_by_id(ids[1])
    forged = record_hash(
        row.at, "teller2", "C1", "pay", "payment", "2", None, {"amount_fen": 200}, row.prev_hash
    )
    store_db.database.execute_sql(
        _sql(db, "UPDATE audit_log SET actor = ?, row_hash = ? WHERE id = ?"),
        ("teller2", forged, ids[1]),
    )
    broken = audit.verify_chain()
    assert broken is not None and broken.record_id == ids[2]


def test_concurrent_writers_do_not_fork_the_chain(db: TestDatabase) -> None:
    writers, each = 4, 15
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(each):
                with store_db.write_transaction():
                    audit.record(f"teller{n}", f"C{n}", "pay", "payment", i)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            store_db.close_database()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert AuditLog.select().count() == writers * each
    prevs = [r.prev_hash for r in AuditLog.select(AuditLog.prev_hash)]
    assert len(set(prevs)) == len(prevs)  # no two records follow the same one
    assert audit.verify_chain() is None


def _as_version_2(db: TestDatabase) -> None:
    """Take the step-3 objects away again: the database as the previous program left it."""
    d: Any = store_db.database
    _drop_triggers(db)
    d.execute_sql("DROP INDEX audit_log_prev_hash")
    d.execute_sql("DROP TABLE operator_session")
    for table, column in (
        ("audit_log", "prev_hash"),
        ("audit_log", "row_hash"),
        ("user", "failed_attempts"),
        ("user", "locked_until"),
    ):
        d.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN {column}')
    SchemaVersion.delete().execute()
    SchemaVersion.create(version=2, description="shifts and cash")
    if db.kind == "sqlite":
        for sql in SQLITE_AUDIT_TRIGGERS:
            d.execute_sql(sql)


def test_step_3_chains_the_records_already_there(db: TestDatabase) -> None:
    from tests.office_views.test_migration import _schema

    fresh = _schema(store_db.database)
    _as_version_2(db)
    for i in range(4):  # records written by the previous program: no hashes
        store_db.database.execute_sql(
            _sql(
                db,
                "INSERT INTO audit_log (at, actor, counter_id, action, entity, entity_id, after) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
            ),
            (f"2026-11-0{i + 1} 08:00:00.000001", "teller1", "C1", "pay", "payment", str(i), "{}"),
        )
    assert current_version() == 2
    later = [step.version for step in STEPS if step.version > 2]
    assert migrate() == later and later[0] == 3 and current_version() == LATEST_VERSION
    assert _schema(store_db.database) == fresh
    assert AuditLog.select().count() == 4 and audit.verify_chain() is None
    audit.record("teller1", "C1", "pay", "payment", "5")  # the chain goes on from there
    assert audit.verify_chain() is None
    with pytest.raises(Exception, match="append-only"), store_db.database.atomic():
        store_db.database.execute_sql("DELETE FROM audit_log")
