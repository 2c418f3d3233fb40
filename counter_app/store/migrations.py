"""Schema migrations: numbered steps recorded in the ``schema_version`` table.

* A fresh database gets the current schema at once (`ALL_MODELS` plus the database objects of
  `_create_database_objects`) and is recorded at `LATEST_VERSION`.
* An existing database gets every step above its recorded version, in order, each in its own
  transaction, each recorded when done.

A later change to the models adds a step here (with ``playhouse.migrate``'s `SchemaMigrator`
for columns, `create_tables` for new tables) *and* changes the model, so that fresh and
migrated databases end up the same. Step 1 is the baseline (its table list is frozen in
`BASELINE_MODELS`); step 2 adds shifts and cash (`Shift`, `CashMovement`, and the partial
unique indexes that allow one live shift per teller and per counter); step 3 adds authority
and tamper evidence (lockout columns of `User`, `OperatorSession` for counterctl sign-ins,
and the hash chain of `AuditLog`, backfilled over the records already there); step 4 adds the
hand-over to the collection system (`StationTask`, the outbox of dispatch tasks, and
`StationCursor`, the result poller's place in the station's result feed); step 5 adds the
channels (`ChannelPayment`, `BankImport`, `BankImportLine`, `Terminal`, `Reconciliation`,
`PrepaymentTransfer`) and the index that allows one prepared reconciliation per bank and day;
step 6 adds business changes (`BusinessChange`, `ReviewedPrepayment`, `PrepaymentRefund`) and
the index that keeps a re-imported archive bill from being booked twice; step 7 adds the
indexes that keep every path independent of the size of the books (`store.indexes`); step 8
adds the partial index of the live work orders by due time (the technicians' queue read without
a scan among years of closed orders).

Steps were numbered when they were planned and merged in another order: a step below the
recorded version whose objects are missing (`Step.present` says so) is applied too, so a
database that reached a later step before this one was merged still gets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import peewee

from counter_app.core.audit_chain import GENESIS_HASH, record_hash
from counter_app.store.database import database, is_postgres
from counter_app.store.indexes import create_scale_indexes
from counter_app.store.models import (
    ALL_MODELS,
    AuditLog,
    BankImport,
    BankImportLine,
    Bill,
    BillSettlement,
    BusinessChange,
    CashMovement,
    ChannelPayment,
    Customer,
    DispatchAttempt,
    Meter,
    Notification,
    OperatorSession,
    Payment,
    PrepaymentRefund,
    PrepaymentTransfer,
    Purchase,
    Reconciliation,
    Refund,
    ReviewedPrepayment,
    SchemaVersion,
    Shift,
    StationCursor,
    StationTask,
    Terminal,
    User,
    WorkOrder,
)

BASELINE_MODELS: tuple[type[peewee.Model], ...] = (
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
)
"""The tables of step 1, frozen: later steps add theirs (a v1 database has exactly these)."""

SHIFT_MODELS: tuple[type[peewee.Model], ...] = (Shift, CashMovement)
HANDOVER_MODELS: tuple[type[peewee.Model], ...] = (StationTask, StationCursor)
BUSINESS_CHANGE_MODELS: tuple[type[peewee.Model], ...] = (
    BusinessChange,
    ReviewedPrepayment,
    PrepaymentRefund,
)

CHANNEL_MODELS: tuple[type[peewee.Model], ...] = (
    ChannelPayment,
    BankImport,
    BankImportLine,
    Terminal,
    Reconciliation,
    PrepaymentTransfer,
)

# R17: one open (prepared, not yet signed off) reconciliation per bank and day, so that two
# supervisors cannot sign off two different reports of the same statement.
LIVE_RECONCILIATION_INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS reconciliation_live_day "
    "ON reconciliation (bank_id, business_date) WHERE state <> 'cancelled'"
)

SQLITE_AUDIT_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (I3)'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (I3)'); END""",
)

POSTGRES_AUDIT_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only (I3)'; END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
)

# I2 in the database itself: two live (not reversed) purchases of one meter never share a count.
LIVE_COUNT_INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS purchase_meter_live_count "
    "ON purchase (meter_id, \"count\") WHERE state <> 'reversed'"
)


# One live (open or counted) shift per teller and per counter: one drawer, one person.
LIVE_SHIFT_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS shift_live_operator "
    "ON shift (operator) WHERE state <> 'closed'",
    "CREATE UNIQUE INDEX IF NOT EXISTS shift_live_counter "
    "ON shift (counter_id) WHERE state <> 'closed'",
)


# The customer archive (档案导入) names an open bill by customer and period: a re-import finds
# the bill it booked before instead of booking it again.
ARCHIVE_BILL_INDEX = "CREATE INDEX IF NOT EXISTS bill_customer_period ON bill (customer_id, period)"


def _baseline_objects(db: Any) -> None:
    statements = POSTGRES_AUDIT_TRIGGERS if is_postgres() else SQLITE_AUDIT_TRIGGERS
    for sql in (*statements, LIVE_COUNT_INDEX):
        db.execute_sql(sql)


def _shift_objects(db: Any) -> None:
    for sql in LIVE_SHIFT_INDEXES:
        db.execute_sql(sql)


def _column_types() -> dict[str, str]:
    if is_postgres():
        return {"hash": "VARCHAR(64)", "int": "INTEGER", "time": "TIMESTAMP"}
    return {"hash": "VARCHAR(64)", "int": "INTEGER", "time": "DATETIME"}


def _drop_audit_triggers(db: Any) -> None:
    if is_postgres():
        db.execute_sql("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
    else:
        db.execute_sql("DROP TRIGGER IF EXISTS audit_log_no_update")


def _backfill_audit_chain(db: Any) -> None:
    """Chain the records already there, in id order (the append-only trigger is lifted for
    this one transaction and put back by the caller)."""
    prev = GENESIS_HASH
    rows = db.execute_sql(
        "SELECT id, at, actor, counter_id, action, entity, entity_id, before, after "
        "FROM audit_log ORDER BY id"
    ).fetchall()
    json_field = AuditLog.before
    for rid, at, actor, counter_id, action, entity, entity_id, before, after in rows:
        at_value = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
        digest = record_hash(
            at_value,
            str(actor),
            str(counter_id),
            str(action),
            str(entity),
            str(entity_id),
            json_field.python_value(before),
            json_field.python_value(after),
            prev,
        )
        db.execute_sql(
            "UPDATE audit_log SET prev_hash = %s, row_hash = %s WHERE id = %s"
            if is_postgres()
            else "UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE id = ?",
            (prev, digest, rid),
        )
        prev = digest


def _step_3_authority_and_tamper_evidence(db: Any) -> None:
    types = _column_types()
    new_columns = (
        ("user", "failed_attempts", f"{types['int']} NOT NULL DEFAULT 0"),
        ("user", "locked_until", types["time"]),
        ("audit_log", "prev_hash", f"{types['hash']} NOT NULL DEFAULT ''"),
        ("audit_log", "row_hash", f"{types['hash']} NOT NULL DEFAULT ''"),
    )
    for table, column, ddl in new_columns:
        # step 1 builds its tables from today's models: skip what they already have
        if column in {c.name for c in db.get_columns(table)}:
            continue
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN {column} {ddl}')
        if is_postgres() and "DEFAULT" in ddl:  # fresh tables carry no database defaults
            db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN {column} DROP DEFAULT')
    db.create_tables([OperatorSession], safe=True)
    _drop_audit_triggers(db)
    _backfill_audit_chain(db)
    _baseline_objects(db)  # the append-only triggers again
    db.execute_sql("CREATE UNIQUE INDEX IF NOT EXISTS audit_log_prev_hash ON audit_log (prev_hash)")


def _business_change_objects(db: Any) -> None:
    db.execute_sql(ARCHIVE_BILL_INDEX)


def _channel_objects(db: Any) -> None:
    db.execute_sql(LIVE_RECONCILIATION_INDEX)


def _create_database_objects(db: Any) -> None:
    """Triggers and partial indexes that peewee's model metadata cannot express."""
    _baseline_objects(db)
    _shift_objects(db)
    _channel_objects(db)
    _business_change_objects(db)
    create_scale_indexes(db)


def _step_1_baseline(db: Any) -> None:
    db.create_tables(BASELINE_MODELS, safe=True)
    _baseline_objects(db)


def _step_2_shifts_and_cash(db: Any) -> None:
    db.create_tables(SHIFT_MODELS, safe=True)
    _shift_objects(db)


def _step_4_collection_handover(db: Any) -> None:
    db.create_tables(HANDOVER_MODELS, safe=True)


def _collection_handover_present(db: Any) -> bool:
    return all(db.table_exists(m._meta.table_name) for m in HANDOVER_MODELS)


def _step_5_channels(db: Any) -> None:
    db.create_tables(CHANNEL_MODELS, safe=True)
    _channel_objects(db)


def _step_7_indexes_for_a_province(db: Any) -> None:
    create_scale_indexes(db)


def _step_8_live_work_order_queue(db: Any) -> None:
    """The partial index of live orders by due time (the queue read without a scan)."""
    create_scale_indexes(db)


@dataclass(frozen=True)
class Step:
    version: int
    description: str
    apply: Callable[[Any], None]
    present: Callable[[Any], bool] | None = None
    """Whether the step's objects exist (None: trust the recorded version)."""


def _step_6_business_changes(db: Any) -> None:
    db.create_tables(BUSINESS_CHANGE_MODELS, safe=True)
    _business_change_objects(db)


STEPS: tuple[Step, ...] = (
    Step(1, "baseline schema", _step_1_baseline),
    Step(2, "shifts and cash", _step_2_shifts_and_cash),
    Step(3, "authority and tamper evidence", _step_3_authority_and_tamper_evidence),
    Step(
        4,
        "hand-over to the collection system",
        _step_4_collection_handover,
        present=_collection_handover_present,
    ),
    Step(5, "bank collection, terminals, reconciliation, transfers", _step_5_channels),
    Step(6, "business changes and the customer archive", _step_6_business_changes),
    Step(7, "search and history indexes for a million customers", _step_7_indexes_for_a_province),
    Step(8, "the live work-order queue in due order", _step_8_live_work_order_queue),
)
LATEST_VERSION = STEPS[-1].version


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer program (its schema version is above ours)."""

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(
            f"database schema version {found} is newer than this program's {supported}"
        )
        self.found = found
        self.supported = supported


def current_version() -> int:
    """The recorded schema version, 0 for a database without the version table."""
    if not database.table_exists(SchemaVersion._meta.table_name):
        return 0
    top = SchemaVersion.select(peewee.fn.MAX(SchemaVersion.version)).scalar()
    return int(top or 0)


def migrate() -> list[int]:
    """Bring the bound database to `LATEST_VERSION`; return the versions applied."""
    applied: list[int] = []
    with database.atomic():
        database.create_tables([SchemaVersion], safe=True)
        found = current_version()
        if found > LATEST_VERSION:
            raise SchemaTooNewError(found, LATEST_VERSION)
        fresh = found == 0 and not any(
            database.table_exists(m._meta.table_name) for m in ALL_MODELS
        )
        if fresh:
            database.create_tables(ALL_MODELS, safe=True)
            _create_database_objects(database)
            SchemaVersion.create(version=LATEST_VERSION, description="fresh schema")
            return [LATEST_VERSION]
    for step in STEPS:
        if step.version <= found and (step.present is None or step.present(database)):
            continue
        with database.atomic():
            step.apply(database)
            SchemaVersion.create(version=step.version, description=step.description)
        applied.append(step.version)
    return applied
