"""When to suggest a card instead of a remote dispatch (ours).

The collection system knows how a meter's channel has fared today (master station →
terminal → meter). A channel that has already failed repeatedly today will most likely fail
the next dispatch too: the money then waits for a work order (R10) while the customer's
meter may trip. Before the customer leaves, the teller is told to offer the card path
(R12) instead — a suggestion, not a rule: R2 still decides what a payment does.
"""

from __future__ import annotations

CARD_SUGGESTION_FAILURES = 2
"""Channel failures today from which the account suggests writing a card."""


def suggests_card(failures_today: int, threshold: int = CARD_SUGGESTION_FAILURES) -> bool:
    """True when the channel failed `threshold` times or more today."""
    return failures_today >= threshold
