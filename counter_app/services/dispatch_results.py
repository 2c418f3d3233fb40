"""What a dispatch did to a purchase, as the screen, the receipt and the shell report it.

Kept apart from `counter_app.services.dispatching` so that the hand-over to the collection
system (`counter_app.services.handover`), which reports the same summaries, does not import
the dispatch service that owns it.
"""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.core.purchase_state import PurchaseState

UNRESOLVED_OUTCOME = "unresolved"
"""Reported when the dispatcher itself failed: the recharge may or may not have been sent."""
PENDING_OUTCOME = "pending"
"""Handed over to the collection system, result not yet known (下发中)."""
OUTBOX_OUTCOME = "outbox"
"""Written to our outbox, not yet accepted by the collection system (it was unreachable)."""
WAITING_OUTCOMES = frozenset({PENDING_OUTCOME, OUTBOX_OUTCOME})


@dataclass(frozen=True)
class DispatchSummary:
    """What a dispatch did to one purchase, for the receipt and the screen."""

    purchase_id: int
    count: int
    outcome: str
    reason: str
    state: str
    balance_fen: int | None
    meter_count: int | None
    attempts: int
    work_order_id: int | None

    @property
    def loaded(self) -> bool:
        return self.state == PurchaseState.LOADED

    @property
    def pending(self) -> bool:
        """The collection system has the task and its result is not known yet (下发中)."""
        return self.outcome in WAITING_OUTCOMES
