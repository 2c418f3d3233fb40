"""The success-rate study in small (`tests.campaign.success_study`): attempts that succeed
about 80 % of the time, failures split between a terminal offline, a silent meter and a lost
reply. Three attempts (R9) and work-order retries (R10) load nearly everything without the
customer coming back; the rest is refunded (R15); nothing is left stranded.

``benchmarks/success_rate.py`` runs it with 1,000 purchases and renders the success board.
"""

from __future__ import annotations

from pathlib import Path

from counter_app.services.checks import check_database
from counter_app.services.success_board import compute_board
from tests.campaign.success_study import run_study


def test_success_rate_study(tmp_path: Path, fast_password_hashing: None) -> None:
    figures = run_study(tmp_path, purchases=100, meters=20, seed=769784)
    assert figures.purchases == 100
    drawn = sum(figures.attempts.values())
    assert 0.72 < figures.attempts["success"] / drawn < 0.88
    assert all(figures.attempts[c] > 0 for c in ("terminal-offline", "meter-silent", "lost-reply"))
    assert 65 < figures.share(figures.first_attempt) < 95
    assert figures.share(figures.without_return) >= 99.0
    assert figures.without_return + figures.refunded == figures.purchases
    assert figures.stranded == 0
    board = compute_board()
    assert board.overall.total == 100
    assert board.overall.after_work_orders_rate >= 99.0
    assert check_database() == []
