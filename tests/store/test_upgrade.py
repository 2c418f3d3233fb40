"""Upgrades keep the data: an older database is copied, then migrated; a newer one is refused."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from counter_app.config import Config
from counter_app.store import database as store_db
from counter_app.store.migrations import LATEST_VERSION, STEPS, current_version
from counter_app.store.models import Customer, SchemaVersion
from counter_app.store.upgrade import DatabaseTooNewError, upgrade_database
from tests.fixtures.database import TestDatabase, fresh_postgres


def make_old_database(url: str) -> None:
    """A database as the first version of the program left it: the baseline step only."""
    store_db.bind_database(url)
    db = store_db.database
    with db.atomic():
        db.create_tables([SchemaVersion], safe=True)
        STEPS[0].apply(db)
        SchemaVersion.create(version=1, description="baseline schema")
    Customer.create(customer_no="310000000009", name="老用户")
    store_db.close_database()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_old_sqlite_database_is_copied_before_it_is_migrated(
    tmp_path: Path, fast_password_hashing: None
) -> None:
    from counter_app.bootstrap import open_counter

    path = tmp_path / "counter.db"
    url = f"sqlite:///{path}"
    make_old_database(url)
    counter = open_counter(Config(database_url=url), use_meter_link=False)
    try:
        upgrade = counter.upgrade
        assert upgrade is not None and upgrade.found == 1 and upgrade.reached == LATEST_VERSION
        assert upgrade.applied == tuple(s.version for s in STEPS[1:])
        assert upgrade.backup is not None and upgrade.backup.is_file()
        assert upgrade.backup.name.startswith(f"counter.db.before-v{LATEST_VERSION}-")
        # the copy is the old database, whole: version 1 and the customer
        copy = sqlite3.connect(upgrade.backup)
        try:
            assert copy.execute("select max(version) from schema_version").fetchone() == (1,)
            assert copy.execute("select name from customer").fetchall() == [("老用户",)]
        finally:
            copy.close()
        assert Customer.get(Customer.customer_no == "310000000009").name == "老用户"
    finally:
        counter.close()
        store_db.close_database()
    # the next start finds nothing to do and copies nothing
    store_db.bind_database(url)
    try:
        again = upgrade_database()
        assert again.applied == () and again.backup is None
    finally:
        store_db.close_database()


def _make_newer(url: str) -> None:
    store_db.bind_database(url)
    from counter_app.store.migrations import migrate

    migrate()
    SchemaVersion.create(version=LATEST_VERSION + 1, description="from a newer program")
    store_db.close_database()


def test_newer_database_is_refused_untouched(db: TestDatabase, tmp_path: Path) -> None:
    store_db.close_database()
    if db.kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'newer.db'}"
    else:
        url = db.url
        fresh_postgres(url)
    _make_newer(url)
    store_db.bind_database(url)
    try:
        with pytest.raises(DatabaseTooNewError) as caught:
            upgrade_database()
        assert f"schema version {LATEST_VERSION + 1}" in str(caught.value)
        assert "newer version" in str(caught.value)
        assert current_version() == LATEST_VERSION + 1
    finally:
        store_db.close_database()
    if db.kind == "sqlite":
        assert not list(tmp_path.glob("*.bak"))


def test_counterctl_refuses_a_newer_database_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    url = f"sqlite:///{path}"
    _make_newer(url)
    before = _digest(path)
    done = subprocess.run(
        [sys.executable, "-m", "counter_app.cli", "--db", url, "init"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("counterctl: error: the database was written by a newer version")
    assert _digest(path) == before
