"""Multi-row inserts for batch work (a bank file of 100,000 lines), straight to the driver.

Why not ``Model.insert_many``: peewee builds the SQL of a multi-row insert value by value in
Python, which costs more than the database's own work for a large batch. Here the statement
is built once per table and the rows go to the driver as parameter tuples: SQLite's
``executemany`` (one prepared statement), psycopg2's ``execute_values`` (hundreds of rows per
round trip). Values are converted by the model's own fields (``db_value``: JSON columns,
foreign keys), exactly as peewee would, so a row written here reads back like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from counter_app.store.database import database, is_postgres


def bulk_insert(model: Any, rows: Sequence[Mapping[str, Any]], *, page_size: int = 500) -> None:
    """Insert `rows` (dicts keyed by field name, all with the same keys) into `model`'s table.

    Runs inside the caller's transaction. Does nothing for an empty list.
    """
    if not rows:
        return
    names = list(rows[0].keys())
    fields = [model._meta.fields[name] for name in names]
    table = model._meta.table_name
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    values = [tuple(f.db_value(row[n]) for f, n in zip(fields, names, strict=True)) for row in rows]
    db = database.obj
    cursor = db.cursor()
    if is_postgres():
        from psycopg2.extras import execute_values

        execute_values(
            cursor, f'INSERT INTO "{table}" ({columns}) VALUES %s', values, page_size=page_size
        )
    else:
        marks = ", ".join("?" for _ in fields)
        cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', values)
