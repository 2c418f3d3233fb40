"""Argument checks of the purchase-card operations happen before any PC/SC call."""

from __future__ import annotations

import pytest

from card_io.errors import CountMismatch, InvalidAmount
from card_io.purchase_card import PurchaseCard
from card_io.reader import PcscReader

PC = PurchaseCard(PcscReader("never used"))


@pytest.mark.parametrize("amount", [0, -1, 100_000_000, 1.5, True])
def test_purchase_amount_is_positive_integer_fen(amount: object) -> None:
    with pytest.raises(InvalidAmount):
        PC.write_purchase(
            expected_customer_no="310000000001",
            expected_meter_no="000012345678",
            expected_serial=None,
            last_committed_count=0,
            amount_fen=amount,  # type: ignore[arg-type]
            count=1,
        )


def test_count_must_follow_the_last_committed_count() -> None:
    with pytest.raises(ValueError):
        PC.write_purchase(
            expected_customer_no="310000000001",
            expected_meter_no="000012345678",
            expected_serial=None,
            last_committed_count=3,
            amount_fen=100,
            count=5,
        )


def test_r14_open_card_carries_count_zero_or_one() -> None:
    with pytest.raises(CountMismatch):
        PC.issue_card(customer_no="310000000001", meter_no="000012345678", amount_fen=1, count=2)
    with pytest.raises(InvalidAmount):
        PC.issue_card(customer_no="310000000001", meter_no="000012345678", amount_fen=5, count=0)
