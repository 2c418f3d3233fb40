"""R15/R16 reversal matrix: may a payment be reversed, what happens to its purchase, who allows it.

The matrix (payment not yet reversed; purchase state of the payment's purchase):

================  ========================================  ========================================
purchase state    decision                                  effect
================  ========================================  ========================================
(no purchase)     allowed, ``payment-no-purchase``          refund from prepayment, bills reopened
reversed          allowed, ``payment-no-purchase``          purchase already gone (its money went
                                                            back to prepayment)
created           allowed, ``payment-and-purchase``         R15 not dispatched: purchase reversed,
                                                            count n free again
failed            allowed, ``payment-and-purchase``         R15 dispatch failed
work-order        allowed, ``payment-and-purchase``         R15 dispatch failed (order is cancelled)
loaded            allowed, ``payment-only``                 R15 refund; the meter keeps the credit:
                                                            a reversal debit (arrears, R1)
dispatching       refused ``unresolved-dispatch``           R16: run R8 (a)+(b) first
card-writing      refused ``unresolved-card-write``         R16/R12: read the card again first
card-written      refused ``card-not-cleared``              R16: read and clear the card first
================  ========================================  ========================================

An already reversed payment is refused (``already-reversed``) whatever its purchase.
Authorization (R15: a supervisor's own credentials and a reason) is checked separately by
:func:`authorization_refusal`, and the money movements are computed by :func:`plan_reversal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from counter_app.core.purchase_state import PurchaseState


class ReversalCase(StrEnum):
    """What an allowed reversal does (R15)."""

    PAYMENT_ONLY = "payment-only"  # purchase loaded: refund, meter keeps credit -> reversal debit
    PAYMENT_AND_PURCHASE = "payment-and-purchase"  # purchase not loaded: reversed too, n is free
    PAYMENT_NO_PURCHASE = "payment-no-purchase"  # the payment made no (live) purchase


class ReversalRefusal(StrEnum):
    """Why a reversal is refused (R15, R16)."""

    ALREADY_REVERSED = "already-reversed"
    UNRESOLVED_DISPATCH = "unresolved-dispatch"
    UNRESOLVED_CARD_WRITE = "unresolved-card-write"
    CARD_NOT_CLEARED = "card-not-cleared"
    NOT_A_SUPERVISOR = "not-a-supervisor"
    SELF_AUTHORIZATION = "self-authorization"
    NO_REASON = "no-reason"


#: English text for each refusal, for the CLI and logs (the UI translates by code).
REFUSAL_TEXT: dict[ReversalRefusal, str] = {
    ReversalRefusal.ALREADY_REVERSED: "the payment is already reversed",
    ReversalRefusal.UNRESOLVED_DISPATCH: (
        "a dispatch of this purchase may have reached the meter; probe the meter first (R8)"
    ),
    ReversalRefusal.UNRESOLVED_CARD_WRITE: (
        "a card write of this purchase is unresolved; read the card again first"
    ),
    ReversalRefusal.CARD_NOT_CLEARED: (
        "the purchase is on the customer's card; read and clear the card first"
    ),
    ReversalRefusal.NOT_A_SUPERVISOR: "a reversal needs a supervisor's authorization",
    ReversalRefusal.SELF_AUTHORIZATION: "the operator cannot authorize their own reversal",
    ReversalRefusal.NO_REASON: "a reversal needs a reason",
}


@dataclass(frozen=True)
class ReversalDecision:
    """``allowed`` with its ``case``, or not allowed with its ``refusal``."""

    allowed: bool
    case: ReversalCase | None
    refusal: ReversalRefusal | None


_REFUSED_STATES: dict[PurchaseState, ReversalRefusal] = {
    PurchaseState.DISPATCHING: ReversalRefusal.UNRESOLVED_DISPATCH,
    PurchaseState.CARD_WRITING: ReversalRefusal.UNRESOLVED_CARD_WRITE,
    PurchaseState.CARD_WRITTEN: ReversalRefusal.CARD_NOT_CLEARED,
}
_CASE_BY_STATE: dict[PurchaseState, ReversalCase] = {
    PurchaseState.CREATED: ReversalCase.PAYMENT_AND_PURCHASE,
    PurchaseState.FAILED: ReversalCase.PAYMENT_AND_PURCHASE,
    PurchaseState.WORK_ORDER: ReversalCase.PAYMENT_AND_PURCHASE,
    PurchaseState.LOADED: ReversalCase.PAYMENT_ONLY,
    PurchaseState.REVERSED: ReversalCase.PAYMENT_NO_PURCHASE,
}


def decide_reversal(
    payment_reversed: bool, purchase_state: PurchaseState | None
) -> ReversalDecision:
    """R15/R16: the reversal matrix (see the module docstring)."""
    if payment_reversed:
        return ReversalDecision(False, None, ReversalRefusal.ALREADY_REVERSED)
    if purchase_state is None:
        return ReversalDecision(True, ReversalCase.PAYMENT_NO_PURCHASE, None)
    state = PurchaseState(purchase_state)
    if state in _REFUSED_STATES:
        return ReversalDecision(False, None, _REFUSED_STATES[state])
    return ReversalDecision(True, _CASE_BY_STATE[state], None)


def authorization_refusal(
    operator: str, supervisor: str, supervisor_is_supervisor: bool, reason: str
) -> ReversalRefusal | None:
    """R15: who may authorize. ``None`` when the authorization is acceptable.

    The supervisor must hold the supervisor role (their password checked by the services), must
    not be the operator (a teller's own password never authorizes), and a reason is required.
    """
    if not reason.strip():
        return ReversalRefusal.NO_REASON
    if supervisor.strip().casefold() == operator.strip().casefold():
        return ReversalRefusal.SELF_AUTHORIZATION
    if not supervisor_is_supervisor:
        return ReversalRefusal.NOT_A_SUPERVISOR
    return None


@dataclass(frozen=True)
class ReversalPlan:
    """Money movements of an allowed reversal (the services book them in one transaction).

    - ``refund_fen``: the whole payment goes back to the customer (R15).
    - ``reopen_fen``: the payment's bill settlements are undone (those bills are arrears again).
    - ``purchase_reversed``: the purchase is reversed too and its amount returns to prepayment.
    - ``from_prepayment_fen``: what the refund takes out of the prepayment.
    - ``debit_fen``: the part of the refund that went to the meter and stays there: a new
      "reversal debit" bill, collected by R1 at the next payment (R15).
    - ``prepayment_after_fen``: the customer's prepayment afterwards.

    ``refund_fen == reopen_fen + from_prepayment_fen + debit_fen`` always holds, which is why I1
    still balances (see ``docs/rules.md``).
    """

    case: ReversalCase
    refund_fen: int
    reopen_fen: int
    purchase_reversed: bool
    from_prepayment_fen: int
    debit_fen: int
    prepayment_after_fen: int


def plan_reversal(
    case: ReversalCase,
    payment_fen: int,
    settled_fen: int,
    purchase_fen: int,
    prepayment_fen: int,
) -> ReversalPlan:
    """R15: compute the movements of an allowed reversal.

    ``payment_fen`` is the paid amount; ``settled_fen`` what it put on bills (R1);
    ``purchase_fen`` the amount of its purchase (0 without one); ``prepayment_fen`` the
    customer's prepayment now.

    The part of the payment that went beyond its bills (``payment - settled``) is recovered from
    the prepayment as far as it holds it (after a ``payment-and-purchase`` reversal has put the
    purchase's amount back there); what the prepayment no longer holds has reached a meter (this
    payment's loaded purchase, or a later purchase that took the prepayment) and becomes a
    reversal debit. For ``payment-only`` the whole ``payment - settled`` is a debit: the meter
    keeps that credit.

    An R4 offset brings no new money and is not a counter payment: it is not reversed through R15.
    """
    for name, value in (
        ("payment_fen", payment_fen),
        ("settled_fen", settled_fen),
        ("purchase_fen", purchase_fen),
        ("prepayment_fen", prepayment_fen),
    ):
        if value < 0:
            raise ValueError(f"R15: {name} cannot be negative ({value})")
    if settled_fen > payment_fen:
        raise ValueError("R15: a payment cannot have settled more than it paid")
    case = ReversalCase(case)
    beyond_bills = payment_fen - settled_fen
    purchase_reversed = case is ReversalCase.PAYMENT_AND_PURCHASE
    available = prepayment_fen + (purchase_fen if purchase_reversed else 0)
    # payment-only: the meter keeps the credit, nothing comes back from prepayment.
    from_prepayment = 0 if case is ReversalCase.PAYMENT_ONLY else min(beyond_bills, available)
    debit = beyond_bills - from_prepayment
    return ReversalPlan(
        case=case,
        refund_fen=payment_fen,
        reopen_fen=settled_fen,
        purchase_reversed=purchase_reversed,
        from_prepayment_fen=from_prepayment,
        debit_fen=debit,
        prepayment_after_fen=available - from_prepayment,
    )
