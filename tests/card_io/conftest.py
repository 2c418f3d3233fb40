"""Helpers for the card_io tests: a small meter that satisfies ``card_io.meter_card.CardMeter``."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class DemoMeter:
    """Just enough of a card meter for the §2.1 table: overdraft is repaid first (R21's
    order), the purchase count becomes the card's."""

    meter_no: str = "000012345678"
    customer_no: str = "310000000001"
    purchase_count: int = 0
    balance_fen: int = 0
    overdraft_fen: int = 0
    hoarding_limit_fen: int = 0
    card_serial: str | None = None
    opened: bool = False
    illegal_insertions: int = 0
    last_purchase_fen: int = 0
    relay_open: bool = False

    def load_purchase(self, amount_fen: int, count: int) -> None:
        repay = min(self.overdraft_fen, amount_fen)
        self.overdraft_fen -= repay
        self.balance_fen += amount_fen - repay
        self.purchase_count = count
        self.last_purchase_fen = amount_fen
        if self.overdraft_fen == 0:
            self.relay_open = False


@pytest.fixture
def meter() -> DemoMeter:
    return DemoMeter()
