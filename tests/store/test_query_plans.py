"""Every window and back-office path reads through an index, on a database big enough for a
full scan to show, on SQLite and PostgreSQL.

Each path (search of every kind, the account, a receipt and its history, the work-order queue
and an order's history, the success board over a month, a shift's ledger, the supervisor's
uncovered-cash view, audit search, the outbox) runs against synthetic books
(`tests.fixtures.books`); every statement it issues is captured from peewee's log and
explained by the engine. The test fails on a full scan of a large table, and on a path whose
number of statements grows with the rows it shows (a query per row).

How big is big enough: the books hold 5,000 customers and 10,000 payments (with their
purchases, attempts, audit records, bills, 400 work orders and 3,000 messages). The plans of
every path are the same as over four times the books (20,000 customers, 40,000 payments),
which took a minute to build on both engines: SQLite plans from the ANALYZE statistics, which
scale with the books; PostgreSQL is asked with ``enable_seqscan`` off, so a sequential scan
left in its plan means no index serves the query, whatever the size.
`test_a_path_without_its_index_is_caught` drops one index inside a transaction and sees the
path fail, on these books.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from counter_app.services import audit, counter_views, notifications
from counter_app.services.auth import SignedInUser
from counter_app.services.context import ServiceContext
from counter_app.services.shifts import ShiftService, shift_window_rows
from counter_app.services.success_board import compute_board
from counter_app.services.work_orders import WorkOrderService
from counter_app.store import database as store_db
from counter_app.store.migrations import migrate
from counter_app.store.models import Customer, Payment, WorkOrder
from tests.fixtures.books import BookSize, populate

LARGE = {
    "customer",
    "meter",
    "payment",
    "purchase",
    "dispatch_attempt",
    "audit_log",
    "bill",
    "bill_settlement",
    "refund",
    "notification",
    "work_order",
}
SIZE = BookSize(customers=5_000, payments=10_000, work_orders=400, notifications=3_000)
CUSTOMER_ID = 2_345  # a customer with a single meter (every 20th has two)
TODAY = dt.date(2026, 12, 1)
SUPERVISOR = SignedInUser(1, "super1", "班长", "supervisor")


@dataclass
class Books:
    kind: str
    customer_no: str
    phone: str
    name: str
    address_fragment: str
    payment_id: int
    work_order_id: int


def _prepare(url: str, kind: str) -> Books:
    store_db.bind_database(url)
    migrate()
    populate(SIZE, today=TODAY)
    store_db.database.execute_sql("ANALYZE")
    c = Customer.get_by_id(CUSTOMER_ID)
    return Books(
        kind=kind,
        customer_no=str(c.customer_no),
        phone=str(c.phone) or "13800000000",
        name=str(c.name),
        address_fragment=str(c.address)[3:8],
        payment_id=int(Payment.select(Payment.id).where(Payment.customer == c.id).first().id)
        if Payment.select().where(Payment.customer == c.id).exists()
        else 1,
        work_order_id=int(WorkOrder.select(WorkOrder.id).first().id),
    )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def books(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Books]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('plans') / 'books.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        server.psql("DROP DATABASE IF EXISTS counter_plans")
        server.psql("CREATE DATABASE counter_plans")
        url = server.url("counter_plans")
    books = _prepare(url, request.param)
    yield books
    store_db.close_database()


class Statements(logging.Handler):
    """peewee logs each statement as ``(sql, params)`` at DEBUG: keep them."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, list[Any]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple) and len(record.msg) == 2:
            sql, params = record.msg
            self.seen.append((str(sql), list(params or ())))


def _capture(path: Callable[[], Any]) -> list[tuple[str, list[Any]]]:
    logger = logging.getLogger("peewee")
    handler = Statements()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        path()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return [
        (sql, p) for sql, p in handler.seen if sql.lstrip().upper().startswith(("SELECT", "WITH"))
    ]


def _sqlite_scans(sql: str, params: list[Any]) -> list[str]:
    """Full scans of large tables in SQLite's plan. SQLite names a table by the alias the
    statement gives it (peewee writes ``FROM "work_order" AS "t1"``, the plan says ``SCAN t1``):
    the aliases are mapped back to their tables first. A scan through a partial index reads
    only the rows of the index's condition (the live work orders among the closed ones), so
    it is not a full scan."""
    plan = store_db.database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    partial = {
        str(name)
        for (name,) in store_db.database.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'"
        ).fetchall()
    }
    details = [str(row[-1]) for row in plan]
    bounded = " LIMIT " in sql.upper() and " WHERE " not in sql.upper()
    tables = {alias: table for table, alias in re.findall(r'"(\w+)" AS "(\w+)"', sql)}
    scans = []
    for detail in details:
        m = re.match(r"SCAN (\w+)(?: AS \w+)?( USING .*)?$", detail)
        if not m:
            continue
        table = tables.get(m.group(1), m.group(1))
        through = re.match(r" USING (?:COVERING )?INDEX (\w+)", m.group(2) or "")
        if through and through.group(1) in partial:
            continue
        if table in LARGE and not bounded:
            scans.append(f"{detail} ({table})")
    return scans


def _pg_scans(sql: str, params: list[Any]) -> list[str]:
    """Sequential scans PostgreSQL cannot avoid: with ``enable_seqscan`` off the planner takes
    any index path there is, so a Seq Scan left in the plan means no index serves the query
    (on test-sized tables it would otherwise rightly prefer a scan to a few hundred probes)."""
    db = store_db.database
    db.execute_sql("SET enable_seqscan = off")
    try:
        (raw,) = db.execute_sql("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()
    finally:
        db.execute_sql("SET enable_seqscan = on")
    plan = raw if isinstance(raw, list) else json.loads(raw)
    scans: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in LARGE:
            scans.append(f"Seq Scan on {node['Relation Name']}")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return scans


def _paths(b: Books) -> dict[str, Callable[[], Any]]:
    ctx = ServiceContext(counter_id="hall1-c01", dispatcher=None)
    orders = WorkOrderService(ctx)
    shifts = ShiftService(ctx)
    month_ago = dt.datetime.combine(TODAY - dt.timedelta(days=30), dt.time())
    end = dt.datetime.combine(TODAY, dt.time(23))
    return {
        "search: customer number": lambda: counter_views.search_customers(b.customer_no),
        "search: number prefix": lambda: counter_views.search_customers(b.customer_no[:6]),
        "search: number tail": lambda: counter_views.search_customers(b.customer_no[-5:]),
        "search: meter number": lambda: counter_views.search_customers(f"41{CUSTOMER_ID:010d}"),
        "search: phone": lambda: counter_views.search_customers(b.phone),
        "search: phone tail": lambda: counter_views.search_customers(b.phone[-4:]),
        "search: name prefix": lambda: counter_views.search_customers(b.name[:1]),
        "search: address fragment": lambda: counter_views.search_customers(b.address_fragment),
        "account": lambda: counter_views.load_account(b.customer_no),
        "receipt": lambda: counter_views.payment_receipt(b.payment_id),
        "receipt history": lambda: audit.entries(entity="payment", entity_id=b.payment_id),
        "work-order queue": lambda: orders.list_orders(),
        "work-order archive": lambda: orders.list_orders(live_only=False, limit=200),
        "work-order history": lambda: orders.history(b.work_order_id),
        "success board, a month": lambda: compute_board(TODAY - dt.timedelta(days=30), TODAY),
        "shift ledger": lambda: shift_window_rows("teller3", "hall3-c03", month_ago, end),
        "uncovered cash": lambda: shifts.payments_outside_shifts(
            SUPERVISOR, end - dt.timedelta(hours=8), end
        ),
        "audit search, by person": lambda: audit.search(actor="teller2", since=month_ago),
        "audit search, text in a month": lambda: audit.search(text="R00000", since=month_ago),
        "audit search, latest": lambda: audit.search(limit=200),
        "outbox": lambda: notifications.list_outbox(SUPERVISOR),
    }


KNOWN_SCANS: dict[tuple[str, str], str] = {}
"""Scans the check finds today, each a defect of the store to fix (strict: the test says so
when one is fixed)."""

PATH_NAMES = list(_paths(Books("", "", "", "", "", 0, 0)))


@pytest.mark.slow
@pytest.mark.parametrize("path", PATH_NAMES)
def test_path_reads_through_indexes(
    books: Books, path: str, request: pytest.FixtureRequest
) -> None:
    known = KNOWN_SCANS.get((books.kind, path))
    if known:
        request.applymarker(pytest.mark.xfail(reason=known, strict=True))
    statements = _capture(_paths(books)[path])
    assert statements, f"{path}: issued no statement (the capture is broken)"
    explain = _pg_scans if books.kind == "postgres" else _sqlite_scans
    scans = {sql: s for sql, params in statements if (s := explain(sql, params))}
    assert not scans, f"{path} scans a large table on {books.kind}:\n" + "\n".join(
        f"{s}\n  in {sql[:300]}" for sql, s in scans.items()
    )


# statements each listing path may issue, whatever the number of rows it shows
STATEMENT_BOUNDS = {
    "work-order queue": 4,  # orders, their purchases/meters/customers, attempt tallies (2)
    "work-order archive": 4,
    "success board, a month": 2,  # purchases with meters, their attempts
    "outbox": 1,
    # customer, meters, bills, payments, purchases, attempt tallies (2), and the pending
    # check per meter of the household (a household's meters, not the history's rows)
    "account": 8,
}


@pytest.mark.slow
@pytest.mark.parametrize("path", list(STATEMENT_BOUNDS))
def test_no_path_issues_a_query_per_row(books: Books, path: str) -> None:
    """The queue lists 30 or 200 orders, the board a month of purchases, the account ten
    payments and purchases: a handful of statements each, not one per row."""
    statements = _capture(_paths(books)[path])
    assert len(statements) <= STATEMENT_BOUNDS[path], [s[:80] for s, _ in statements]


def test_capture_sees_a_full_scan_when_there_is_one(books: Books) -> None:
    """The check itself can fail: a LIKE with a leading wildcard over the books is a scan."""
    mark = "%s" if books.kind == "postgres" else "?"
    sql = f"SELECT id FROM customer WHERE address LIKE {mark}"
    explain = _pg_scans if books.kind == "postgres" else _sqlite_scans
    assert explain(sql, ["%幸福%"])


def test_a_path_without_its_index_is_caught(books: Books) -> None:
    """The check fails on a real path over these books: without the indexes on a bill's
    customer, the account's open bills are read by a full scan of the bills (the indexes are
    dropped inside a transaction that is rolled back).

    The statements are explained with a comment appended: Python's sqlite3 keeps prepared
    statements by their text, and a kept ``EXPLAIN QUERY PLAN`` program is not planned again
    after a schema change (it has no schema check), so the same text would show the old plan.
    """
    db = store_db.database
    explain = _pg_scans if books.kind == "postgres" else _sqlite_scans
    with db.atomic() as txn:
        db.execute_sql("DROP INDEX bill_customer_id")
        db.execute_sql("DROP INDEX bill_customer_period")
        try:
            statements = _capture(_paths(books)["account"])
            scans = [
                s
                for sql, params in statements
                for s in explain(sql + " -- without the bill indexes", params)
            ]
        finally:
            txn.rollback()
    assert any("bill" in s for s in scans), scans
    # with the indexes back, the same path reads through them again
    statements = _capture(_paths(books)["account"])
    assert statements
    assert not [s for sql, params in statements for s in explain(sql, params)]
