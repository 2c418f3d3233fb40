"""R15/R16: the reversal matrix, authorization, and the money movements of a reversal."""

from __future__ import annotations

import pytest

from counter_app.core.purchase_state import PurchaseState
from counter_app.core.reversal import (
    REFUSAL_TEXT,
    ReversalCase,
    ReversalDecision,
    ReversalRefusal,
    authorization_refusal,
    decide_reversal,
    plan_reversal,
)

S = PurchaseState
ALLOWED = {
    None: ReversalCase.PAYMENT_NO_PURCHASE,
    S.REVERSED: ReversalCase.PAYMENT_NO_PURCHASE,
    S.CREATED: ReversalCase.PAYMENT_AND_PURCHASE,
    S.FAILED: ReversalCase.PAYMENT_AND_PURCHASE,
    S.WORK_ORDER: ReversalCase.PAYMENT_AND_PURCHASE,
    S.LOADED: ReversalCase.PAYMENT_ONLY,
}
REFUSED = {
    S.DISPATCHING: ReversalRefusal.UNRESOLVED_DISPATCH,
    S.CARD_WRITING: ReversalRefusal.UNRESOLVED_CARD_WRITE,
    S.CARD_WRITTEN: ReversalRefusal.CARD_NOT_CLEARED,
}


def test_matrix_covers_every_purchase_state() -> None:
    assert set(ALLOWED) | set(REFUSED) == {None, *PurchaseState}


@pytest.mark.parametrize(("state", "case"), list(ALLOWED.items()), ids=str)
def test_r15_allowed_cases(state: PurchaseState | None, case: ReversalCase) -> None:
    assert decide_reversal(False, state) == ReversalDecision(True, case, None)


@pytest.mark.parametrize(("state", "refusal"), list(REFUSED.items()), ids=str)
def test_r16_refused_while_unresolved_or_on_card(
    state: PurchaseState, refusal: ReversalRefusal
) -> None:
    assert decide_reversal(False, state) == ReversalDecision(False, None, refusal)


@pytest.mark.parametrize("state", [None, *PurchaseState], ids=str)
def test_r15_already_reversed_payment_is_refused_whatever_the_purchase(
    state: PurchaseState | None,
) -> None:
    assert decide_reversal(True, state) == ReversalDecision(
        False, None, ReversalRefusal.ALREADY_REVERSED
    )


def test_every_refusal_has_english_text() -> None:
    assert set(REFUSAL_TEXT) == set(ReversalRefusal)


@pytest.mark.parametrize(
    ("operator", "supervisor", "is_supervisor", "reason", "refusal"),
    [
        ("li", "wang", True, "wrong amount", None),
        ("li", "wang", False, "wrong amount", ReversalRefusal.NOT_A_SUPERVISOR),
        ("wang", "wang", True, "wrong amount", ReversalRefusal.SELF_AUTHORIZATION),
        ("Wang ", "wang", True, "wrong amount", ReversalRefusal.SELF_AUTHORIZATION),
        ("li", "wang", True, "  ", ReversalRefusal.NO_REASON),
    ],
)
def test_r15_supervisor_authorization(
    operator: str,
    supervisor: str,
    is_supervisor: bool,
    reason: str,
    refusal: ReversalRefusal | None,
) -> None:
    assert authorization_refusal(operator, supervisor, is_supervisor, reason) is refusal


def test_r15_payment_only_refunds_and_leaves_a_debit_for_the_loaded_part() -> None:
    """Paid 100.00: 30.00 on a bill, 70.00 loaded. Refund 100.00, bill reopened, debit 70.00."""
    plan = plan_reversal(ReversalCase.PAYMENT_ONLY, 10000, 3000, 7000, prepayment_fen=0)
    assert plan.refund_fen == 10000
    assert plan.reopen_fen == 3000
    assert not plan.purchase_reversed
    assert plan.from_prepayment_fen == 0
    assert plan.debit_fen == 7000
    assert plan.prepayment_after_fen == 0


def test_r15_payment_only_leaves_later_prepayment_alone() -> None:
    plan = plan_reversal(ReversalCase.PAYMENT_ONLY, 10000, 0, 10000, prepayment_fen=2500)
    assert plan.debit_fen == 10000
    assert plan.prepayment_after_fen == 2500


def test_r15_payment_and_purchase_returns_the_purchase_then_refunds() -> None:
    """Purchase 120.00 = 20.00 older prepayment + this payment's 100.00: 20.00 stays."""
    plan = plan_reversal(ReversalCase.PAYMENT_AND_PURCHASE, 10000, 0, 12000, prepayment_fen=0)
    assert plan.purchase_reversed
    assert plan.from_prepayment_fen == 10000
    assert plan.debit_fen == 0
    assert plan.prepayment_after_fen == 2000


def test_r15_payment_no_purchase_refunds_from_prepayment() -> None:
    plan = plan_reversal(ReversalCase.PAYMENT_NO_PURCHASE, 5000, 1000, 0, prepayment_fen=4000)
    assert (plan.reopen_fen, plan.from_prepayment_fen, plan.debit_fen) == (1000, 4000, 0)
    assert plan.prepayment_after_fen == 0


def test_r15_prepayment_already_spent_on_a_later_purchase_becomes_a_debit() -> None:
    plan = plan_reversal(ReversalCase.PAYMENT_NO_PURCHASE, 5000, 0, 0, prepayment_fen=1500)
    assert (plan.from_prepayment_fen, plan.debit_fen, plan.prepayment_after_fen) == (1500, 3500, 0)


@pytest.mark.parametrize("case", list(ReversalCase))
@pytest.mark.parametrize(
    ("payment", "settled", "purchase", "prepayment"),
    [(10000, 0, 10000, 0), (10000, 4000, 9000, 300), (5000, 5000, 0, 0), (7000, 1000, 0, 100)],
)
def test_r15_refund_is_always_fully_accounted(
    case: ReversalCase, payment: int, settled: int, purchase: int, prepayment: int
) -> None:
    plan = plan_reversal(case, payment, settled, purchase, prepayment)
    assert plan.refund_fen == plan.reopen_fen + plan.from_prepayment_fen + plan.debit_fen
    assert min(plan.from_prepayment_fen, plan.debit_fen, plan.prepayment_after_fen) >= 0


@pytest.mark.parametrize(
    ("payment", "settled", "purchase", "prepayment"),
    [(-1, 0, 0, 0), (100, -1, 0, 0), (100, 0, -1, 0), (100, 0, 0, -1), (100, 101, 0, 0)],
)
def test_r15_plan_reversal_refuses_wrong_figures(
    payment: int, settled: int, purchase: int, prepayment: int
) -> None:
    with pytest.raises(ValueError, match="R15"):
        plan_reversal(ReversalCase.PAYMENT_NO_PURCHASE, payment, settled, purchase, prepayment)
