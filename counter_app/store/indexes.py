"""Indexes that keep every window and back-office path independent of the size of the books.

A hall's database grows by a payment, a purchase and a few audit rows per transaction; a
province's holds a million customers. Each path the window or the back office takes — the
receipt and its history, the work-order queue, the success board over a date range, a shift's
payments, audit search — reads through one of these, so its cost follows what it shows, not
what is stored. `tests/store/test_query_plans.py` runs every path against a populated
database and fails on a full scan of a large table.
"""

from __future__ import annotations

from typing import Any

import peewee

from counter_app.store.models import WorkOrder, WorkOrderState
from counter_app.store.search_index import create_search_indexes

LIVE_WORK_ORDER_STATES = (WorkOrderState.OPEN, WorkOrderState.TAKEN)
"""The states of the technicians' queue: few rows among years of closed orders."""

_LIVE_STATES_SQL = ", ".join(f"'{state}'" for state in LIVE_WORK_ORDER_STATES)


def live_work_orders() -> peewee.Expression:
    """The queue's condition with its states written out, not bound: SQLite uses a partial
    index only when the query's term matches the index's ``WHERE`` at prepare time, and a bound
    parameter is unknown then (its statistics alone make it scan, since closed and live orders
    share one index prefix of a handful of states)."""
    return WorkOrder.state.in_([peewee.SQL(f"'{state}'") for state in LIVE_WORK_ORDER_STATES])


PATH_INDEXES = (
    # receipt, purchase and work-order histories: the audit rows of one entity, in order
    "CREATE INDEX IF NOT EXISTS audit_log_entity ON audit_log (entity, entity_id, id)",
    # audit search, newest first, optionally by person or counter
    "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at, id)",
    "CREATE INDEX IF NOT EXISTS audit_log_actor_at ON audit_log (actor, at)",
    # success board over a date range (remote dispatches only)
    "CREATE INDEX IF NOT EXISTS purchase_route_created ON purchase (route, created_at)",
    # a shift's payments and refunds: by counter or teller within the shift's hours
    "CREATE INDEX IF NOT EXISTS payment_created ON payment (created_at)",
    "CREATE INDEX IF NOT EXISTS payment_counter_created ON payment (counter_id, created_at)",
    "CREATE INDEX IF NOT EXISTS payment_operator_created ON payment (operator, created_at)",
    "CREATE INDEX IF NOT EXISTS refund_created ON refund (created_at)",
    # the work-order queue: live orders by due time
    "CREATE INDEX IF NOT EXISTS work_order_state_due ON work_order (state, due_at, id)",
    "CREATE INDEX IF NOT EXISTS work_order_live_due ON work_order (due_at, id) "
    f"WHERE state IN ({_LIVE_STATES_SQL})",
    # the SMS outbox: queued messages, oldest first
    "CREATE INDEX IF NOT EXISTS notification_state ON notification (state, id)",
    # purchases of one meter by state (R8 probes, I2 checks, the open purchase of a meter)
    "CREATE INDEX IF NOT EXISTS purchase_meter_state ON purchase (meter_id, state)",
    "CREATE INDEX IF NOT EXISTS purchase_customer_state ON purchase (customer_id, state)",
)


def create_scale_indexes(db: Any) -> None:
    """Every path and search index (idempotent: fresh databases and the migration step)."""
    for sql in PATH_INDEXES:
        db.execute_sql(sql)
    create_search_indexes(db)
