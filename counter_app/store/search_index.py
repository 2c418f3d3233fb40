"""The customer search's indexes and the queries that use them, per database engine.

`counter_app.core.search_query` decides *which* lookups answer what the teller typed; this
module owns *how* each is asked so that an index serves it (see that module for why):

================  ==========================================  ===================================
lookup            SQLite                                      PostgreSQL
================  ==========================================  ===================================
prefix            ``col >= q AND col < q || X`` (B-tree)      ``col LIKE 'q%'`` (text_pattern_ops)
tail              the same on ``rev20(col)``, an index on     ``reverse(col) LIKE 'p%'`` on an
                  an expression of built-in ``substr``        index on ``reverse(col)``
name/address      FTS5 table ``customer_text``, tokenizer     GIN ``gin_trgm_ops`` index on
fragment          ``trigram``, kept by triggers               ``name || ' ' || address``
================  ==========================================  ===================================

SQLite has no ``reverse()``; registering a Python one would make the index unusable (and the
table unwritable) from any connection without it — the ``sqlite3`` shell, a backup tool. So
the reversed key is spelled with ``substr`` alone: the last 20 characters, reversed, which
covers any tail a teller types. Each lookup is capped (``LIMIT``), so a keystroke costs a
bounded index range, whatever the size of the books.
"""

from __future__ import annotations

from typing import Any

from counter_app.core.search_query import Lookup, SearchPlan
from counter_app.store.database import database, is_postgres

TAIL_CHARS = 20


def _rev(column: str) -> str:
    """``substr(col,-1,1)||…||substr(col,-20,1)``: the column's tail, reversed (SQLite)."""
    return "||".join(f"substr({column},-{i},1)" for i in range(1, TAIL_CHARS + 1))


# The numbers a teller types are digits; ':' sorts right after '9' (ASCII), so
# `col >= '1380' AND col < '1380:'` is exactly the prefix '1380' on SQLite's BINARY collation.
_DIGITS_END = ":"
_TEXT_END = "\U0010ffff"

SQLITE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS customer_name ON customer (name)",
    "CREATE INDEX IF NOT EXISTS customer_phone ON customer (phone)",
    f"CREATE INDEX IF NOT EXISTS customer_no_tail ON customer ({_rev('customer_no')})",
    f"CREATE INDEX IF NOT EXISTS customer_phone_tail ON customer ({_rev('phone')})",
    f"CREATE INDEX IF NOT EXISTS meter_no_tail ON meter ({_rev('meter_no')})",
    # name and address fragments: an external-content FTS5 table over the customer rows
    """CREATE VIRTUAL TABLE IF NOT EXISTS customer_text USING fts5(
           name, address, content='customer', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER IF NOT EXISTS customer_text_insert AFTER INSERT ON customer BEGIN
           INSERT INTO customer_text (rowid, name, address) VALUES (new.id, new.name, new.address);
       END""",
    """CREATE TRIGGER IF NOT EXISTS customer_text_delete AFTER DELETE ON customer BEGIN
           INSERT INTO customer_text (customer_text, rowid, name, address)
           VALUES ('delete', old.id, old.name, old.address);
       END""",
    """CREATE TRIGGER IF NOT EXISTS customer_text_update AFTER UPDATE OF name, address
       ON customer BEGIN
           INSERT INTO customer_text (customer_text, rowid, name, address)
           VALUES ('delete', old.id, old.name, old.address);
           INSERT INTO customer_text (rowid, name, address) VALUES (new.id, new.name, new.address);
       END""",
    # a database that already has customers: index what is there
    "INSERT INTO customer_text (customer_text) VALUES ('rebuild')",
)

POSTGRES_INDEXES = (
    # pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's
    # owner may create it without being a superuser.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS customer_no_prefix ON customer (customer_no text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS customer_name ON customer (name text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS customer_phone ON customer (phone text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS customer_no_tail ON customer "
    "(reverse(customer_no) text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS customer_phone_tail ON customer (reverse(phone) text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS meter_no_prefix ON meter (meter_no text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS meter_address_prefix ON meter (address text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS meter_no_tail ON meter (reverse(meter_no) text_pattern_ops)",
    """CREATE INDEX IF NOT EXISTS customer_text_trgm ON customer
       USING gin ((name || ' ' || address) gin_trgm_ops)""",
)


def create_search_indexes(db: Any) -> None:
    """The search's indexes on the bound engine (idempotent; a migration step runs it)."""
    for sql in POSTGRES_INDEXES if is_postgres() else SQLITE_INDEXES:
        db.execute_sql(sql)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _sqlite_lookup(lookup: Lookup, q: str) -> tuple[str, list[Any]]:
    digits_range: list[Any] = [q, q + _DIGITS_END]
    tail = q[::-1][:TAIL_CHARS]
    tail_range = [tail, tail + _DIGITS_END]
    match lookup:
        case Lookup.CUSTOMER_NO_PREFIX:
            return (
                "SELECT id FROM customer WHERE customer_no >= ? AND customer_no < ?",
                digits_range,
            )
        case Lookup.PHONE_PREFIX:
            return "SELECT id FROM customer WHERE phone >= ? AND phone < ?", digits_range
        case Lookup.METER_NO_PREFIX:
            return (
                "SELECT customer_id FROM meter WHERE meter_no >= ? AND meter_no < ?",
                digits_range,
            )
        case Lookup.METER_ADDRESS_PREFIX:
            return "SELECT customer_id FROM meter WHERE address >= ? AND address < ?", digits_range
        case Lookup.CUSTOMER_NO_TAIL:
            rev = _rev("customer_no")
            return f"SELECT id FROM customer WHERE {rev} >= ? AND {rev} < ?", tail_range
        case Lookup.PHONE_TAIL:
            rev = _rev("phone")
            return f"SELECT id FROM customer WHERE {rev} >= ? AND {rev} < ?", tail_range
        case Lookup.METER_NO_TAIL:
            rev = _rev("meter_no")
            return f"SELECT customer_id FROM meter WHERE {rev} >= ? AND {rev} < ?", tail_range
        case Lookup.NAME_PREFIX:
            return "SELECT id FROM customer WHERE name >= ? AND name < ?", [q, q + _TEXT_END]
        case Lookup.TEXT_FRAGMENT:
            phrase = '"' + q.replace('"', '""') + '"'
            return "SELECT rowid FROM customer_text WHERE customer_text MATCH ?", [phrase]
    raise ValueError(lookup)


def _postgres_lookup(lookup: Lookup, q: str) -> tuple[str, list[Any]]:
    prefix = _like_escape(q) + "%"
    tail = _like_escape(q[::-1]) + "%"
    match lookup:
        case Lookup.CUSTOMER_NO_PREFIX:
            return "SELECT id FROM customer WHERE customer_no LIKE %s", [prefix]
        case Lookup.PHONE_PREFIX:
            return "SELECT id FROM customer WHERE phone LIKE %s", [prefix]
        case Lookup.METER_NO_PREFIX:
            return "SELECT customer_id FROM meter WHERE meter_no LIKE %s", [prefix]
        case Lookup.METER_ADDRESS_PREFIX:
            return "SELECT customer_id FROM meter WHERE address LIKE %s", [prefix]
        case Lookup.CUSTOMER_NO_TAIL:
            return "SELECT id FROM customer WHERE reverse(customer_no) LIKE %s", [tail]
        case Lookup.PHONE_TAIL:
            return "SELECT id FROM customer WHERE reverse(phone) LIKE %s", [tail]
        case Lookup.METER_NO_TAIL:
            return "SELECT customer_id FROM meter WHERE reverse(meter_no) LIKE %s", [tail]
        case Lookup.NAME_PREFIX:
            return "SELECT id FROM customer WHERE name LIKE %s", [prefix]
        case Lookup.TEXT_FRAGMENT:
            fragment = "%" + _like_escape(q) + "%"
            return "SELECT id FROM customer WHERE (name || ' ' || address) LIKE %s", [fragment]
    raise ValueError(lookup)


def lookup_sql(lookup: Lookup, q: str, limit: int) -> tuple[str, list[Any]]:
    """One lookup's statement on the bound engine, capped at `limit` rows."""
    sql, params = _postgres_lookup(lookup, q) if is_postgres() else _sqlite_lookup(lookup, q)
    return f"{sql} LIMIT {int(limit)}", params


def matching_customer_ids(plan: SearchPlan, limit: int) -> tuple[list[int], bool]:
    """Ids of customers the plan's lookups find (each capped at ``limit + 1`` rows), and
    whether there may be more than ``limit`` of them."""
    found: dict[int, None] = {}
    more = False
    for lookup in plan.lookups:
        sql, params = lookup_sql(lookup, plan.text, limit + 1)
        rows = database.execute_sql(sql, params).fetchall()
        more = more or len(rows) > limit
        found.update((int(r[0]), None) for r in rows)
    ids = list(found)
    return ids, more or len(ids) > limit
