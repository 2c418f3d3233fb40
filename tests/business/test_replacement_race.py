"""A meter replacement racing a payment for the same customer (two threads, two connections,
SQLite and PostgreSQL, real simulated meters).

Both steps lock the customer first, so one goes before the other. Whichever wins, no fen is
lost: the replacement either sees the payment's purchase in the old meter (its final reading
includes it) or is refused while that purchase is on its way and reads again; a payment that
comes after the swap goes to the new meter. Checked against the meters themselves: the
balance held for review equals what the old meter holds, and I1/I2 hold everywhere.
"""

from __future__ import annotations

import random
import threading
import time

from counter_app.services.business import ChangeRefused
from counter_app.store.database import close_database
from counter_app.store.models import Meter, Purchase, ReviewedPrepayment
from tests.business.conftest import Hall

OLD, NEW = "000000000001", "000000000009"
CUSTOMER = "100000000001"


def _race(hall: Hall, payment_first_delay: float, replacement_delay: float = 0.0) -> str:
    s = hall.services
    results: dict[str, object] = {}
    go = threading.Barrier(2)

    def pay() -> None:
        try:
            go.wait()
            time.sleep(payment_first_delay)
            results["payment"] = s.payments.take_payment(CUSTOMER, 2_500, operator="teller1")
        except Exception as exc:  # reported below
            results["payment-error"] = exc
        finally:
            close_database()

    def replace() -> None:
        refusals = 0
        try:
            go.wait()
            time.sleep(replacement_delay)
            for _ in range(200):
                try:
                    results["replacement"] = s.business.replace_meter(
                        hall.users["tech1"], OLD, new_meter_address=NEW
                    )
                    break
                except ChangeRefused as exc:
                    assert exc.refusal in ("count-mismatch", "purchase-pending"), exc
                    refusals += 1
                    time.sleep(random.uniform(0.005, 0.02))
            results["refusals"] = refusals
        except Exception as exc:
            results["replacement-error"] = exc
        finally:
            close_database()

    threads = [threading.Thread(target=pay), threading.Thread(target=replace)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert "payment-error" not in results and "replacement-error" not in results, results
    replacement = results["replacement"]
    payment = results["payment"]
    held = ReviewedPrepayment.get_by_id(replacement.held_id)  # type: ignore[attr-defined]
    with hall.sim(OLD) as m:
        in_old_meter = m.balance_fen
    assert held.amount_fen == in_old_meter  # what the meter holds is what is carried
    purchase = Purchase.get_by_id(payment.purchase_id)  # type: ignore[attr-defined]
    meter = Meter.get_by_id(purchase.meter_id)
    assert purchase.state == "loaded"
    hall.assert_invariants()
    if meter.address == OLD:  # the payment won: its purchase is in the carried balance
        assert in_old_meter == 5_000 + 2_500 and purchase.count == 1
        return "payment-first"
    # the replacement won: the payment went to the new meter, after its own count (I2)
    assert meter.address == NEW and in_old_meter == 5_000
    assert purchase.count == Meter.get_by_id(meter.id).base_count + 1
    return "replacement-first"


def test_replacement_first_sends_the_racing_payment_to_the_new_meter(hall: Hall) -> None:
    hall.new_meter_on_bus(NEW, count=2)
    assert _race(hall, payment_first_delay=0.4) == "replacement-first"


def test_payment_clearly_first_then_replacement_reads_it(hall: Hall) -> None:
    hall.new_meter_on_bus(NEW, count=0)
    # the replacement's reading runs while the payment's purchase is on its way: refused
    # ("purchase-pending" or "count-mismatch") and read again, or it reads after the load
    # (it locks the customer before the replacement has finished reading the old meter)
    # (the replacement starts a moment later, so that the payment holds the customer first
    # even on a busy machine; the opposite order is the test above)
    assert _race(hall, payment_first_delay=0.0, replacement_delay=0.3) == "payment-first"
