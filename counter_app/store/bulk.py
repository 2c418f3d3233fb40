"""Multi-row inserts and upserts for batch work (a bank file of 100,000 lines, a county's
archive of a million customers), straight to the driver.

Why not ``Model.insert_many``: peewee builds the SQL of a multi-row insert value by value in
Python, which costs more than the database's own work for a large batch. Here the statement
is built once per table and the rows go to the driver as parameter tuples: SQLite's
``executemany`` (one prepared statement), psycopg2's ``execute_values`` (hundreds of rows per
round trip). Values are converted by the model's own fields (``db_value``: JSON columns,
foreign keys), exactly as peewee would, so a row written here reads back like any other.

`bulk_upsert` inserts or, where the key exists, updates (``INSERT ... ON CONFLICT DO UPDATE``,
SQLite 3.24+ and PostgreSQL); `execute_many` runs one written statement over many parameter
rows. Both send one statement per row in pages (psycopg2's ``execute_batch``), so two rows of
one page may name the same key, which one multi-row upsert statement refuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from counter_app.store.database import database, is_postgres


def _columns_and_values(
    model: Any, rows: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The column names of `rows`' fields and each row's values as the driver takes them."""
    names = list(rows[0].keys())
    fields = [model._meta.fields[name] for name in names]
    values = [tuple(f.db_value(row[n]) for f, n in zip(fields, names, strict=True)) for row in rows]
    return [f.column_name for f in fields], values


def bulk_insert(model: Any, rows: Sequence[Mapping[str, Any]], *, page_size: int = 500) -> None:
    """Insert `rows` (dicts keyed by field name, all with the same keys) into `model`'s table.

    Runs inside the caller's transaction. Does nothing for an empty list.
    """
    if not rows:
        return
    names, values = _columns_and_values(model, rows)
    table = model._meta.table_name
    columns = ", ".join(f'"{name}"' for name in names)
    db = database.obj
    cursor = db.cursor()
    if is_postgres():
        from psycopg2.extras import execute_values

        execute_values(
            cursor, f'INSERT INTO "{table}" ({columns}) VALUES %s', values, page_size=page_size
        )
    else:
        marks = ", ".join("?" for _ in names)
        cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', values)


def bulk_upsert(
    model: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str],
    page_size: int = 500,
) -> None:
    """Insert `rows` (as `bulk_insert`); a row whose `key` fields match a stored row sets
    that row's `update` fields to its own values instead.

    Runs inside the caller's transaction. Does nothing for an empty list.
    """
    if not rows:
        return
    names, values = _columns_and_values(model, rows)
    fields = model._meta.fields
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    target = ", ".join(f'"{fields[name].column_name}"' for name in key)
    changes = ", ".join(
        f'"{fields[name].column_name}" = excluded."{fields[name].column_name}"' for name in update
    )
    execute_many(
        f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks}) '
        f"ON CONFLICT ({target}) DO UPDATE SET {changes}",
        values,
        page_size=page_size,
    )


def execute_many(sql: str, rows: Sequence[Sequence[Any]], *, page_size: int = 500) -> None:
    """Run `sql` (``?`` for each parameter) once per row of `rows`, in pages.

    Runs inside the caller's transaction. Does nothing for an empty list.
    """
    if not rows:
        return
    sql = sql.replace("?", database.param)
    cursor = database.obj.cursor()
    if is_postgres():
        from psycopg2.extras import execute_batch

        execute_batch(cursor, sql, rows, page_size=page_size)
    else:
        cursor.executemany(sql, rows)
