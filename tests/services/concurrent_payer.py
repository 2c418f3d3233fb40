"""Helper process of the concurrency test: pays one customer N times as fast as it can.

Usage: python -m tests.services.concurrent_payer DB_URL CUSTOMER N START_AT COUNTER_ID

Starts at the wall-clock time START_AT (so that two processes really overlap), dispatches
through a dispatcher that confirms whatever count it is sent (the meter's side is not under
test here: the allocation of n under the row lock is), prints one JSON line with the counts
its purchases were given.
"""

from __future__ import annotations

import json
import random
import sys
import time

from counter_app.services.context import ServiceContext
from counter_app.services.ports import DispatchProgress, DispatchReport, MeterProbe
from counter_app.services.registry import build_services
from counter_app.store.database import bind_database


class ConfirmingDispatcher:
    def dispatch(
        self,
        meter_address: str,
        customer_no: str,
        amount_fen: int,
        count: int,
        progress: DispatchProgress | None = None,
        *,
        meter_no: str | None = None,
    ) -> DispatchReport:
        time.sleep(random.uniform(0, 0.003))  # device time between payment and finish steps
        return DispatchReport("success", "", amount_fen, count)

    def probe(self, meter_address: str) -> MeterProbe:
        raise ConnectionError("not used")


def main() -> int:
    url, customer, n, start_at, counter_id = sys.argv[1:6]
    bind_database(url)
    services = build_services(
        ServiceContext(counter_id=counter_id, dispatcher=ConfirmingDispatcher())
    )
    delay = float(start_at) - time.time()
    if delay > 0:
        time.sleep(delay)
    counts = []
    waited = 0
    for _ in range(int(n)):
        out = services.payments.take_payment(customer, 100, operator="teller1")
        if out.purchase_count is not None:
            counts.append(out.purchase_count)
        else:
            waited += 1
        time.sleep(random.uniform(0, 0.004))  # the next customer at this counter
    print(json.dumps({"counts": counts, "waited": waited}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
