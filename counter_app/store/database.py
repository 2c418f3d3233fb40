"""Database setup from a URL, and the transaction helpers every service uses.

One `DatabaseProxy` (``database``) is what the models are bound to; `bind_database(url)` opens
the real database behind it. Two kinds of URL are understood:

* ``sqlite:///path/to/counter.db`` (the default for a single counter): WAL journal so that the
  window can read while a payment is written, foreign keys on, and a busy timeout so that a
  second process waits for the writer instead of failing at once.
* ``postgresql://user:password@host:port/dbname`` (several counters of a hall on one server),
  opened through ``playhouse.db_url``.

Why `write_transaction`: the purchase count of a meter must be allocated under a row lock
(ARCHITECTURE.md, I2). SQLite has one writer per file; ``BEGIN IMMEDIATE`` takes the write lock
at the start of the transaction, so two processes can never both read "last count = 5" and both
write 6. PostgreSQL locks the rows themselves with ``SELECT ... FOR UPDATE`` (`locked`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

import peewee
from playhouse import db_url

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

database: Any = peewee.DatabaseProxy()
"""The proxy every model is bound to; `bind_database` points it at a real database."""

SQLITE_PRAGMAS: tuple[tuple[str, object], ...] = (
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("busy_timeout", 15000),
    ("synchronous", "normal"),
)
SQLITE_TIMEOUT_S = 15.0


class DatabaseUrlError(ValueError):
    """The database URL cannot be used (unknown scheme, missing name)."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"database URL {redact_url(url)!r}: {problem}")
        self.url = redact_url(url)
        self.problem = problem


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
        return parsed._replace(netloc=netloc).geturl()
    return url


def open_database(url: str) -> Any:
    """Open (lazily connect) the database a URL names; see the module docstring."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise DatabaseUrlError(url, "use sqlite:///path/to/file.db")
        if path != ":memory:":
            parent = os.path.dirname(os.path.abspath(path))
            os.makedirs(parent, exist_ok=True)
        return peewee.SqliteDatabase(
            path, pragmas=list(SQLITE_PRAGMAS), timeout=SQLITE_TIMEOUT_S, autoconnect=True
        )
    if scheme in ("postgres", "postgresql"):
        try:
            return db_url.connect(url, unquote_password=True)
        except (ValueError, RuntimeError) as exc:
            raise DatabaseUrlError(url, str(exc)) from exc
    raise DatabaseUrlError(url, "scheme must be sqlite:/// or postgresql://")


def bind_database(url: str) -> Any:
    """Point the model proxy at the database of `url` and return that database."""
    db = open_database(url)
    close_database()
    database.initialize(db)
    return db


def close_database() -> None:
    """Close this thread's connection of the bound database, if any."""
    obj = getattr(database, "obj", None)
    if obj is not None and not obj.is_closed():
        obj.close()


def is_postgres() -> bool:
    """True when the bound database is PostgreSQL (row locks, SKIP LOCKED available)."""
    return isinstance(getattr(database, "obj", None), peewee.PostgresqlDatabase)


@contextmanager
def write_transaction() -> Iterator[None]:
    """One business step: a transaction that may allocate purchase counts (see module doc).

    SQLite: ``BEGIN IMMEDIATE`` (the file's write lock from the first statement). PostgreSQL:
    a plain transaction; the rows that matter are locked with `locked` inside it. Nested use
    becomes a savepoint of the outer transaction.
    """
    if is_postgres() or database.transaction_depth() > 0:
        with database.atomic():
            yield
    else:
        with _writer_turn(), database.atomic("IMMEDIATE"):
            yield


@contextmanager
def _writer_turn() -> Iterator[None]:
    """Wait for SQLite's write lock in the kernel, not in SQLite's busy handler.

    SQLite's busy handler polls with sleeps that grow to 100 ms, and nothing orders the
    waiters: with four counters writing, one payment could lose the race for the lock again
    and again and wait over a second. An advisory lock on a file beside the database
    (``counter.db-writer``, ``flock``) queues the writers in the kernel, which wakes the next
    one the moment the lock is released. Every writer of the program goes through here;
    another program's writes still meet SQLite's own lock. Windows has no ``flock``: there the
    busy handler alone serves (a Windows hall with several counters uses PostgreSQL).
    """
    path = getattr(database.obj, "database", None)
    if fcntl is None or not path or path == ":memory:":
        yield
        return
    fd = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def locked(query: Any, *, skip_locked: bool = False) -> Any:
    """Add ``FOR NO KEY UPDATE`` (optionally ``SKIP LOCKED``) on PostgreSQL.

    SQLite has no row locks; there `write_transaction` already holds the single write lock, so
    the query is returned unchanged.
    """
    if is_postgres():
        # NO KEY UPDATE: serialises our writers of the row like FOR UPDATE, but lets inserts
        # that merely reference the row (a payment's foreign key to its customer) proceed.
        return query.for_update("FOR NO KEY UPDATE", skip_locked=skip_locked or None)
    return query
