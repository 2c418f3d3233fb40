"""The deposit slip (缴款单) is one A5 page whatever the day held: a busy hall's many drawers,
short ones with long reasons and cash taken outside any shift must not run off the page the
bank stamps. Read back with poppler (``pdfinfo`` for the page, ``pdftotext -bbox`` for where
every word landed)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from counter_app.services.daily_settlement import DailySettlementService
from counter_app.services.shifts import ShiftService
from tests.office_views.conftest import Office

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")

A5_LANDSCAPE_PT = (595.28, 419.53)


def words_on_slip(slip: Path) -> tuple[int, tuple[float, float], list[tuple[str, float, float]]]:
    """Pages, page size, and each word with its right and bottom edge in points."""
    info = subprocess.run(["pdfinfo", str(slip)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info.stdout)
    assert size is not None
    html = subprocess.run(
        ["pdftotext", "-bbox", str(slip), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = [
        (text, float(x_max), float(y_max))
        for x_max, y_max, text in re.findall(
            r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            html,
        )
    ]
    return pages, (float(size.group(1)), float(size.group(2))), words


def test_a_busy_days_deposit_slip_stays_on_one_a5_page(office: Office, tmp_path: Path) -> None:
    teller, boss = office.users["teller1"], office.users["super1"]
    office.customer("D1")
    drawers = 18
    for n in range(drawers):
        shifts = ShiftService(office.services_at(f"C{n:02d}").ctx)
        shift = shifts.open_shift(teller, 20_000)
        office.services_at(f"C{n:02d}").payments.take_payment("D1", 1_000 + n, operator="teller1")
        short = 100 if n % 2 else 0
        shifts.record_blind_count(teller, shift.id, 21_000 + n - short)
        reason = "找零多付，顾客已离开营业厅，当班柜员签字确认并报班长复核" * (n % 2)
        shifts.close_shift(teller, shift.id, reason)
    for n in range(6):  # at a counter with no shift open: money in no drawer's ledger
        office.services_at("C99").payments.take_payment("D1", 500 + n, operator="super1")

    service = DailySettlementService(office.services.ctx)
    settlement, slip = service.issue_deposit_slip(
        boss, dt.date.today(), tmp_path / "slip.pdf", hall="城东营业厅", supplier="国网示范供电公司"
    )
    assert len(settlement.shifts) == drawers and len(settlement.differences) == 9 + 6

    pages, (width, height), words = words_on_slip(slip)
    assert pages == 1
    assert (round(width, 1), round(height, 1)) == (round(A5_LANDSCAPE_PT[0], 1), 419.5)
    outside = [(t, x, y) for t, x, y in words if x > width - 10 or y > height - 10]
    assert outside == [], "text runs off the A5 page"
    text = "".join(t for t, _, _ in words)
    # what the bank and the hall sign for is on the page: the total in figures and capitals,
    # and the signature lines at the bottom
    assert f"¥{settlement.to_bank_fen // 100}." in text
    assert "大写金额" in text and "银行签章" in text
    # the slip is a Chinese document: no English explanation leaks onto it
    assert not re.search(r"[A-Za-z]{3,}", re.sub(r"teller\d|super\d", "", text))
    # every drawer is accounted for, on its own line or in the line of the rest
    total_at = next(i for i, (t, _, _) in enumerate(words) if t.startswith("解缴合计"))
    drawers_part = " ".join(t for t, _, _ in words[:total_at])
    listed = len(re.findall(r"\bC\d\d\b", drawers_part))
    rest = re.search(r"其余(\d+)个班次", drawers_part)
    assert listed + (int(rest.group(1)) if rest else 0) == drawers
