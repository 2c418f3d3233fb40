"""A v1 database migrates, step by step, to the same schema as a fresh one."""

from __future__ import annotations

from typing import Any

import peewee
import pytest

from counter_app.store import database as store_db
from counter_app.store.migrations import (
    BASELINE_MODELS,
    LATEST_VERSION,
    STEPS,
    current_version,
    migrate,
)
from counter_app.store.models import Customer, SchemaVersion, Shift
from tests.fixtures.database import TestDatabase, fresh_postgres


def _schema(db: Any) -> dict[str, object]:
    """Tables with their columns and indexes, as the engine reports them."""
    tables = sorted(t for t in db.get_tables() if t != "schema_version")
    return {
        t: (
            sorted((c.name, c.data_type, c.null) for c in db.get_columns(t)),
            sorted((i.name, tuple(i.columns), i.unique) for i in db.get_indexes(t)),
        )
        for t in tables
    }


def _make_v1(db: Any) -> None:
    """A database as version 1 of the program left it (baseline step only)."""
    with db.atomic():
        db.create_tables([SchemaVersion], safe=True)
        STEPS[0].apply(db)
        SchemaVersion.create(version=1, description="baseline schema")


def test_v1_database_migrates_to_the_fresh_schema(db: TestDatabase, tmp_path: Any) -> None:
    fresh = _schema(store_db.database)
    assert "shift" in fresh and "cash_movement" in fresh
    # start again from an empty database of the same engine, at version 1
    store_db.close_database()
    if db.kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'v1.db'}"
    else:
        url = db.url
        fresh_postgres(url)
    store_db.bind_database(url)
    _make_v1(store_db.database)
    assert current_version() == 1
    assert "shift" not in store_db.database.get_tables()
    assert len(BASELINE_MODELS) == 12
    Customer.create(customer_no="OLD1", name="kept across the migration")
    assert migrate() == [s.version for s in STEPS[1:]] and current_version() == LATEST_VERSION
    assert _schema(store_db.database) == fresh
    assert Customer.get(Customer.customer_no == "OLD1").name == "kept across the migration"
    # the live-shift index of step 2 is there: one live shift per counter
    Shift.create(operator="a", counter_id="K1", float_fen=0)
    with pytest.raises(peewee.IntegrityError), store_db.database.atomic():
        Shift.create(operator="b", counter_id="K1", float_fen=0)
