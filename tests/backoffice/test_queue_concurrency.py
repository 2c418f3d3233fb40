"""Two OS processes working the re-dispatch queue never take the same order (R10;
ARCHITECTURE.md "Scaling past one counter": SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on
SQLite). Real concurrency: two Python processes on one database, on both engines."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from counter_app.store.database import close_database
from counter_app.store.models import WorkOrder
from tests.fixtures.database import TestDatabase
from tests.services.conftest import World

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 40


def open_orders(world: World, n: int) -> list[int]:
    """`n` failed dispatches (the meter never answers): `n` open work orders (R9, R10)."""
    for i in range(n):
        c = world.customer(f"Q{i:03d}")
        world.dispatcher.script = ["channel-failure"]
        world.services.payments.take_payment(c.customer_no, 100 + i, operator="teller1")
    ids = [int(o.id) for o in WorkOrder.select().where(WorkOrder.state == "open")]
    assert len(ids) == n
    return ids


def test_r10_two_processes_never_take_the_same_work_order(world: World, db: TestDatabase) -> None:
    expected = open_orders(world, ORDERS)
    close_database()  # the children have the database to themselves
    start_at = f"{time.time() + 2.0:.3f}"
    users = ("tech1", "super1")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.backoffice.work_order_taker", db.url, u, start_at, u],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for u in users
    ]
    taken: dict[str, list[int]] = {}
    for user, proc in zip(users, procs, strict=True):
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
        taken[user] = json.loads(out.strip().splitlines()[-1])["taken"]
    a, b = taken["tech1"], taken["super1"]
    assert not set(a) & set(b), f"taken twice: {sorted(set(a) & set(b))}"
    assert sorted(a + b) == sorted(expected)  # every order taken exactly once
    assert a and b, taken  # both processes really worked the queue
    for user, ids in taken.items():
        holders = {str(o.taken_by) for o in WorkOrder.select().where(WorkOrder.id.in_(ids))}
        assert holders == {user}
    assert WorkOrder.select().where(WorkOrder.state == "open").count() == 0
