"""Step 4 (the hand-over tables) reaches every database: fresh ones, older ones, and ones
that reached a later step before this one was merged (steps were numbered when planned)."""

from __future__ import annotations

from counter_app.store import database as store_db
from counter_app.store.migrations import LATEST_VERSION, current_version, migrate
from counter_app.store.models import Purchase, StationCursor, StationTask
from tests.fixtures.database import TestDatabase


def _tables() -> set[str]:
    return set(store_db.database.get_tables())


def test_a_fresh_database_has_the_outbox(db: TestDatabase) -> None:
    assert {"station_task", "station_cursor"} <= _tables()
    assert current_version() == LATEST_VERSION


def test_a_database_past_step_four_without_its_tables_gets_them(db: TestDatabase) -> None:
    store_db.database.drop_tables([StationTask, StationCursor])
    assert "station_task" not in _tables() and current_version() == LATEST_VERSION
    assert migrate() == [4]
    assert {"station_task", "station_cursor"} <= _tables()
    assert migrate() == []  # and only once
    assert Purchase.select().count() == 0  # nothing else was touched
