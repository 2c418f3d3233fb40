"""Two processes paying the same customer at once never allocate the same purchase count
(ARCHITECTURE.md: the count is taken under a row lock; I2). SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from counter_app.services.checks import check_customer, check_meter
from counter_app.store.database import close_database
from counter_app.store.models import Meter, Payment, Purchase
from tests.fixtures.database import TestDatabase
from tests.services.conftest import World

ROOT = Path(__file__).resolve().parents[2]
PAYMENTS_EACH = 25


def test_two_processes_never_allocate_the_same_count(world: World, db: TestDatabase) -> None:
    customer = world.customer("CONC-1")
    meter = Meter.get(Meter.customer == customer.id)
    close_database()  # let the children have the database to themselves
    start_at = f"{time.time() + 1.5:.3f}"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.services.concurrent_payer",
                db.url,
                "CONC-1",
                str(PAYMENTS_EACH),
                start_at,
                f"C{i}",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in (1, 2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    counts = [n for r in results for n in r["counts"]]
    assert len(counts) == len(set(counts)), f"a count was allocated twice: {sorted(counts)}"
    assert all(r["counts"] for r in results), results
    assert Payment.select().count() == 2 * PAYMENTS_EACH
    loaded = sorted(p.count for p in Purchase.select().where(Purchase.meter == meter.id))
    assert loaded == list(range(1, len(counts) + 1))
    assert Meter.get_by_id(meter.id).committed_count == len(counts)
    assert check_customer(customer.id) == [] and check_meter(meter.id) == []
