"""Closing a purchase's live re-dispatch work orders (R10) when the purchase is settled
another way: loaded by a dispatch or a card write-back, written to a card, reversed.

One helper, called inside the transaction that settles the purchase, so an order never
stays open for a purchase that no longer needs it.
"""

from __future__ import annotations

import datetime as dt

from counter_app.store.models import WorkOrder, WorkOrderState

LIVE = (WorkOrderState.OPEN, WorkOrderState.TAKEN)
"""Work orders somebody may still act on (open, or taken by a technician)."""


def close_live_work_orders(purchase_id: int, state: str, now: dt.datetime, note: str) -> int:
    """Close every live work order of the purchase as `state` with `note`; how many."""
    return int(
        WorkOrder.update(state=state, closed_at=now, note=note)
        .where((WorkOrder.purchase == purchase_id) & WorkOrder.state.in_(list(LIVE)))
        .execute()
    )
