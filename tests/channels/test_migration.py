"""Step 5 "bank collection, terminals, reconciliation, transfers": a database of the steps
before it migrates to the same schema as a fresh one, data kept, and the reconciliation's
one-report-per-day index is there. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee
import pytest

from counter_app.store import database as store_db
from counter_app.store.migrations import LATEST_VERSION, STEPS, current_version, migrate
from counter_app.store.models import Customer, Reconciliation, SchemaVersion
from tests.fixtures.database import TestDatabase, fresh_postgres
from tests.office_views.test_migration import _schema

CHANNEL_TABLES = {
    "channel_payment",
    "bank_import",
    "bank_import_line",
    "terminal",
    "reconciliation",
    "prepayment_transfer",
}


def test_a_database_before_step_5_gets_the_channel_tables(db: TestDatabase, tmp_path: Any) -> None:
    fresh = _schema(store_db.database)
    assert set(fresh) >= CHANNEL_TABLES
    store_db.close_database()
    if db.kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'before.db'}"
    else:
        url = db.url
        fresh_postgres(url)
    store_db.bind_database(url)
    before = [step for step in STEPS if step.version < 5]
    with store_db.database.atomic():
        store_db.database.create_tables([SchemaVersion], safe=True)
        for step in before:
            step.apply(store_db.database)
            SchemaVersion.create(version=step.version, description=step.description)
    assert not CHANNEL_TABLES & set(store_db.database.get_tables())
    Customer.create(customer_no="OLD1", name="kept")
    assert 5 in migrate() and current_version() == LATEST_VERSION
    assert _schema(store_db.database) == fresh
    assert Customer.get(Customer.customer_no == "OLD1").name == "kept"
    day = dt.date(2026, 11, 30)
    row = {
        "bank_id": "B1",
        "business_date": day,
        "file_name": "f",
        "file_sha256": "0" * 64,
        "prepared_by": "s",
    }
    Reconciliation.create(**row)
    with pytest.raises(peewee.IntegrityError), store_db.database.atomic():
        Reconciliation.create(**row)  # one live report per bank and day
    Reconciliation.update(state="cancelled").execute()
    Reconciliation.create(**row)  # a cancelled one does not count
