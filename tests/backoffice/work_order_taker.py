"""Helper process of the work-order concurrency test: takes orders until none is left.

Usage: python -m tests.backoffice.work_order_taker DB_URL USERNAME START_AT COUNTER_ID

Starts at the wall-clock time START_AT (so that two processes really overlap), takes the
next open order (``WorkOrderService.take_next``) again and again, spending a moment on each
as a person would, and prints one JSON line with the ids it got.
"""

from __future__ import annotations

import json
import random
import sys
import time

from counter_app.services import auth
from counter_app.services.context import ServiceContext
from counter_app.services.registry import build_services
from counter_app.store.database import bind_database


def main() -> int:
    url, username, start_at, counter_id = sys.argv[1:5]
    bind_database(url)
    services = build_services(ServiceContext(counter_id=counter_id))
    user = auth.get_user(username)
    delay = float(start_at) - time.time()
    if delay > 0:
        time.sleep(delay)
    taken: list[int] = []
    while True:
        order = services.work_orders.take_next(user)
        if order is None:
            break
        taken.append(order.id)
        time.sleep(random.uniform(0.001, 0.005))  # a person looks at it
    print(json.dumps({"taken": taken}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
