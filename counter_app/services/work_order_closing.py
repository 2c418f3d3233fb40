"""A purchase's live re-dispatch work orders (R10): finding the one somebody may still act
on, and closing them when the purchase is settled another way (loaded by a dispatch or a card
write-back, written to a card, reversed).

One place for both, so that "live" means the same to the dispatch, the hand-over, the
recovery routine and the closing; the closing runs inside the transaction that settles the
purchase, so an order never stays open for a purchase that no longer needs it.
"""

from __future__ import annotations

import datetime as dt

from counter_app.store.indexes import LIVE_WORK_ORDER_STATES
from counter_app.store.models import WorkOrder

LIVE = LIVE_WORK_ORDER_STATES
"""Work orders somebody may still act on (open, or taken by a technician)."""


def live_work_order(purchase_id: int) -> WorkOrder | None:
    """The purchase's work order still open or taken, if any (there is at most one)."""
    order: WorkOrder | None = WorkOrder.get_or_none(
        (WorkOrder.purchase == purchase_id) & WorkOrder.state.in_(list(LIVE))
    )
    return order


def close_live_work_orders(purchase_id: int, state: str, now: dt.datetime, note: str) -> int:
    """Close every live work order of the purchase as `state` with `note`; how many."""
    return int(
        WorkOrder.update(state=state, closed_at=now, note=note)
        .where((WorkOrder.purchase == purchase_id) & WorkOrder.state.in_(list(LIVE)))
        .execute()
    )
