"""A short fault campaign in every test run (`tests.campaign.engine`): kill -9 of the counter
and of the meter simulator at random moments, lost and corrupt replies, a link that cannot be
opened, on PostgreSQL a dropped database connection; with pcscd, card writes at the shell with
the card pulled mid-write, the wrong card put back, kill -9 during the write and pcscd
restarted — recovered as an operator would, after which I1 and I2 hold, no meter or card was
credited twice and no purchase is stranded. A failure names the seed that replays it.

``benchmarks/fault_campaign.py`` runs the same campaign 1,000 times per database.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.campaign.cards import pcscd_restarter
from tests.campaign.engine import Campaign, restart_postgres
from tests.fixtures.database import fresh_postgres
from tests.fixtures.pcsc import PcscService
from tests.fixtures.postgres import PostgresServer

SQLITE_RUNS = int(os.environ.get("COUNTER_CAMPAIGN_RUNS", "10"))
POSTGRES_RUNS = int(os.environ.get("COUNTER_CAMPAIGN_PG_RUNS", "5"))
CARD_RUNS = int(os.environ.get("COUNTER_CAMPAIGN_CARD_RUNS", "4"))


def _campaign(campaign: Campaign, runs: int) -> None:
    try:
        campaign.setup()
        reports = campaign.run(runs)
    finally:
        campaign.close()
    failed = [r for r in reports if not r.ok]
    assert len(reports) == runs
    assert failed == [], f"seed {campaign.seed}:\n" + "\n".join(
        f"run {r.number} ({r.profile}, {r.operations}): {r.failures}" for r in failed
    )


@pytest.mark.timeout(480)
def test_fault_campaign_on_sqlite(tmp_path: Path, fast_password_hashing: None) -> None:
    _campaign(Campaign(tmp_path, f"sqlite:///{tmp_path / 'counter.db'}", seed=645), SQLITE_RUNS)


@pytest.mark.postgres
@pytest.mark.timeout(480)
def test_fault_campaign_on_postgres(
    tmp_path: Path,
    fast_password_hashing: None,
    postgres_server: PostgresServer,
    postgres_test_url: str,
) -> None:
    fresh_postgres(postgres_test_url)
    campaign = Campaign(
        tmp_path,
        postgres_test_url,
        seed=1376,
        restart_database=lambda: restart_postgres(postgres_server),
    )
    _campaign(campaign, POSTGRES_RUNS)


@pytest.mark.pcsc
@pytest.mark.timeout(480)
def test_fault_campaign_with_cards_on_sqlite(
    tmp_path: Path, fast_password_hashing: None, pcsc_service: PcscService
) -> None:
    """Card writes at the shell in every run, with the card pulled mid-write, counterctl
    killed during the write and pcscd restarted (when no other session uses it)."""
    campaign = Campaign(
        tmp_path,
        f"sqlite:///{tmp_path / 'counter.db'}",
        seed=1207,
        cards=True,
        slot=1,
        restart_pcscd=pcscd_restarter(pcsc_service),
    )
    _campaign(campaign, CARD_RUNS)
