"""Upgrading a hall's database when a new version of the program starts.

An installed counter is upgraded by replacing the program, not the data: the first start of
the new version finds the database at an older schema version and migrates it
(`counter_app.store.migrations`). Two promises to the hall's IT person:

* **A copy first.** Before any step runs on a SQLite database, the whole file is copied next
  to it (``counter.db.before-v5-20261201T080000.bak``) through SQLite's online backup API,
  which copies a consistent snapshot even while another process holds the file open (a
  plain file copy of a WAL database can miss the pages still in ``-wal``). A PostgreSQL
  database is backed up by its own tools (``pg_dump``), which the operations guide names;
  the program does not hold the server's credentials for that.
* **Never backwards.** A database already written by a newer program is refused with a
  message saying what to do, before anything touches it: an older program would not know
  the newer tables' rules and could break the books (I1, I2) without noticing.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from counter_app.store import database as store_db
from counter_app.store.migrations import LATEST_VERSION, SchemaTooNewError, current_version, migrate


class DatabaseTooNewError(SchemaTooNewError):
    """The database comes from a newer program; the message says what to do about it."""

    def __str__(self) -> str:
        return (
            f"the database was written by a newer version of this program (schema version "
            f"{self.found}; this program knows up to {self.supported}): install that version "
            "again, or restore the backup taken before the upgrade"
        )


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade_database` did: versions found and reached, steps, the backup copy."""

    found: int
    reached: int
    applied: tuple[int, ...]
    backup: Path | None


def sqlite_path() -> Path | None:
    """The file of the bound SQLite database (None for PostgreSQL or an in-memory one)."""
    db = store_db.database.obj
    if store_db.is_postgres():
        return None
    name = getattr(db, "database", None)
    if not name or name == ":memory:":
        return None
    return Path(name)


def backup_sqlite(path: Path, *, target_version: int, now: dt.datetime | None = None) -> Path:
    """Copy the SQLite database at `path` beside itself; return the copy's path."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.before-v{target_version}-{stamp}.bak")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    target.chmod(path.stat().st_mode & 0o777)  # the copy is as private as the books
    return target


def upgrade_database(*, backup: bool = True) -> Upgrade:
    """Bring the bound database to this program's schema, with a backup copy first.

    A new, empty database is simply created (nothing to copy); a database at this version
    is left alone; an older one is copied (SQLite) and migrated; a newer one raises
    `DatabaseTooNewError` without a change.
    """
    found = current_version()
    if found > LATEST_VERSION:
        raise DatabaseTooNewError(found, LATEST_VERSION)
    copy: Path | None = None
    if backup and 0 < found < LATEST_VERSION:
        path = sqlite_path()
        if path is not None and path.is_file():
            store_db.close_database()
            copy = backup_sqlite(path, target_version=LATEST_VERSION)
    try:
        applied = migrate()
    except SchemaTooNewError as exc:  # another program upgraded it in between
        raise DatabaseTooNewError(exc.found, exc.supported) from exc
    return Upgrade(found=found, reached=current_version(), applied=tuple(applied), backup=copy)
