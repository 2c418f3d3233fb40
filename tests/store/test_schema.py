"""The schema on both engines: migrations, the I3 append-only audit log, the I2 count index."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest

from counter_app.store import database as store_db
from counter_app.store.migrations import LATEST_VERSION, current_version, migrate
from counter_app.store.models import (
    AppendOnlyError,
    AuditLog,
    Customer,
    Meter,
    Purchase,
    SchemaVersion,
)
from tests.fixtures.database import TestDatabase


def test_fresh_database_is_at_latest_version(db: TestDatabase) -> None:
    assert current_version() == LATEST_VERSION
    assert migrate() == []  # a second run applies nothing
    assert SchemaVersion.select().count() == 1


def test_sqlite_url_uses_wal_and_foreign_keys(sqlite_db: TestDatabase) -> None:
    assert store_db.database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store_db.database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(peewee.IntegrityError):
        Meter.create(customer=999, address="000000000001", meter_no="M1", customer_no="1")


def test_bad_urls_are_refused_with_a_clear_reason() -> None:
    with pytest.raises(store_db.DatabaseUrlError, match="scheme"):
        store_db.open_database("mysql://x/y")
    with pytest.raises(store_db.DatabaseUrlError, match="sqlite:///"):
        store_db.open_database("sqlite://")
    assert "***" in store_db.redact_url("postgresql://u:secret@h/db")


def _audit_row() -> AuditLog:
    from counter_app.services import audit

    row_id = audit.record("teller1", "C1", "pay", "payment", "1", after={"amount_fen": 100})
    return AuditLog.get_by_id(row_id)


def test_i3_audit_log_model_refuses_update_and_delete(db: TestDatabase) -> None:
    row = _audit_row()
    row.actor = "someone-else"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete_instance()
    with pytest.raises(AppendOnlyError):
        AuditLog.update(actor="x")
    with pytest.raises(AppendOnlyError):
        AuditLog.delete()
    assert AuditLog.get_by_id(row.id).actor == "teller1"
    assert AuditLog.get_by_id(row.id).after == {"amount_fen": 100}


def test_i3_database_trigger_refuses_raw_update_and_delete(db: TestDatabase) -> None:
    """Even SQL that bypasses the model cannot change or remove an audit record (I3)."""
    row = _audit_row()
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(peewee.DatabaseError, match="append-only"), store_db.database.atomic():
            store_db.database.execute_sql(sql)
    assert AuditLog.get_by_id(row.id).actor == "teller1"
    assert AuditLog.select().count() == 1


def test_i2_two_live_purchases_of_a_meter_cannot_share_a_count(db: TestDatabase) -> None:
    customer = Customer.create(customer_no="C1", name="Li")
    meter = Meter.create(
        customer=customer, address="000000000001", meter_no="M1", customer_no="000000000001"
    )
    common = {"customer": customer, "meter": meter, "amount_fen": 100, "route": "remote"}
    first = Purchase.create(count=1, state="created", **common)
    with pytest.raises(peewee.IntegrityError), store_db.database.atomic():
        Purchase.create(count=1, state="created", **common)
    # a reversed purchase frees its count again (R15)
    first.state = "reversed"
    first.save()
    Purchase.create(count=1, state="created", **common)


def test_money_columns_hold_large_integers(db: TestDatabase) -> None:
    customer = Customer.create(customer_no="C2", name="Wang", prepayment_fen=99_999_999_999)
    assert Customer.get_by_id(customer.id).prepayment_fen == 99_999_999_999
    assert isinstance(Customer.get_by_id(customer.id).created_at, dt.datetime)


def test_write_transaction_rolls_back_on_error(db: TestDatabase) -> None:
    with pytest.raises(RuntimeError), store_db.write_transaction():
        Customer.create(customer_no="C3", name="Zhao")
        raise RuntimeError("boom")
    assert Customer.get_or_none(Customer.customer_no == "C3") is None


def test_a_newer_schema_is_refused(db: TestDatabase) -> None:
    from counter_app.store.migrations import SchemaTooNewError

    SchemaVersion.create(version=LATEST_VERSION + 1, description="from the future")
    with pytest.raises(SchemaTooNewError):
        migrate()


def test_pending_steps_are_applied_in_order(
    db: TestDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An existing database gets every step above its version, each recorded."""
    from counter_app.store import migrations

    applied: list[int] = []
    extra = migrations.Step(
        LATEST_VERSION + 1, "test step", lambda _db: applied.append(LATEST_VERSION + 1)
    )
    monkeypatch.setattr(migrations, "STEPS", (*migrations.STEPS, extra))
    monkeypatch.setattr(migrations, "LATEST_VERSION", LATEST_VERSION + 1)
    assert migrations.migrate() == [LATEST_VERSION + 1]
    assert applied == [LATEST_VERSION + 1]
    assert current_version() == LATEST_VERSION + 1
    assert migrations.migrate() == []
