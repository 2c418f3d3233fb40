"""Database setup from a URL, and the transaction helpers every service uses.

One `DatabaseProxy` (``database``) is what the models are bound to; `bind_database(url)` opens
the real database behind it. Two kinds of URL are understood:

* ``sqlite:///path/to/counter.db`` (the default for a single counter): WAL journal so that the
  window can read while a payment is written, foreign keys on, and a busy timeout so that a
  second process waits for the writer instead of failing at once.
* ``postgresql://user:password@host:port/dbname`` (several counters of a hall on one server),
  parsed by ``playhouse.db_url``; a thread reconnects when the server dropped its connection
  (`ReconnectingPostgresqlDatabase`).

Why `write_transaction`: the purchase count of a meter must be allocated under a row lock
(ARCHITECTURE.md, I2). SQLite has one writer per file; ``BEGIN IMMEDIATE`` takes the write lock
at the start of the transaction, so two processes can never both read "last count = 5" and both
write 6. PostgreSQL locks the rows themselves with ``SELECT ... FOR UPDATE`` (`locked`).
"""

from __future__ import annotations

import contextlib
import os
import select
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


class ReconnectingPostgresqlDatabase(peewee.PostgresqlDatabase):
    """PostgreSQL with a fresh connection for a thread whose connection the server dropped.

    Every thread (the window, a server's request threads, the workers) keeps its connection
    open between statements. When the server restarts, fails over or ends idle sessions,
    peewee still counts that thread's connection as open, so without this class every later
    statement on the thread fails ("connection already closed") until the process restarts —
    a counter-server would stop sending tasks and applying results for good. Here, before a
    statement runs outside a transaction, a connection the driver knows to be closed — or
    whose socket the server has already hung up (readable while nothing was asked) — is
    dropped and a new one opened. A statement whose connection dies under it still fails
    (it may or may not have run: the caller's transaction decides); the next one reconnects.
    Inside a transaction nothing is swapped: the transaction fails as a whole.

    The sessions also commit synchronously whatever the server's default: a payment the
    teller was told is booked must survive the server stopping a moment later (I1, I3).
    """

    _state: Any  # peewee's per-thread connection state (set by peewee, untyped there)

    def cursor(self, named_cursor: Any = None) -> Any:
        state = self._state
        if not state.closed and not self.in_transaction() and _hung_up(state.conn):
            ctx = state.ctx  # an open connection_context() block goes on, on the new one
            with contextlib.suppress(Exception):
                state.conn.close()
            state.reset()
            try:
                self.connect()  # OperationalError while the server is still away
            finally:
                state.ctx = ctx
        return super().cursor(named_cursor)  # type: ignore[no-untyped-call]


def _hung_up(conn: Any) -> bool:
    """Whether an idle driver connection is closed, or its server has hung up on it."""
    if conn is None:
        return False
    if conn.closed:
        return True
    try:
        fd = conn.fileno()
        if hasattr(select, "poll"):  # no limit on the descriptor's number
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return False  # cannot tell: the statement itself will say
    # An idle session is sent nothing unless the server ends it (we LISTEN to nothing).
    return bool(readable)


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
        kwargs = db_url.parse(url, unquote_password=True)
        if not kwargs.get("database"):
            raise DatabaseUrlError(url, "no database name (postgresql://host:port/dbname)")
        kwargs["options"] = f"{kwargs.get('options', '')} -c synchronous_commit=on".strip()
        return ReconnectingPostgresqlDatabase(**kwargs)
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
