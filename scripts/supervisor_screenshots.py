#!/usr/bin/env python3
"""Render the supervisor guide's screenshots of the real back-office tabs, offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/supervisor_screenshots.py [--out docs/images]

Runs the counter on the embedded demo devices (a fresh demo database and the simulated meter
bus) in a temporary directory, then plays a short day in the hall through the real services:
two tellers open shifts, take payments that are dispatched to the simulated meters (one meter
refuses for its hoarding limit and is loaded later by a re-dispatch), a supervisor authorizes
a reversal, cash is dropped to the safe, and one teller closes with a blind count that comes
out short. Each tab is grabbed as a supervisor (or admin, for users) would see it, in Chinese,
into ``docs/images/supervisor-*.png``; the shift summary PDF's first page is rendered with
``pdftoppm`` when poppler-utils is installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the tab did not reach the expected state")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def install_back_office_translations(app: object) -> list[object]:
    """The back office's Chinese translations (compiled from the .ts files when needed)."""
    from PySide6.QtCore import QTranslator

    translators = []
    folder = ROOT / "resources" / "translations"
    for ts in sorted(folder.glob("backoffice*_zh_CN.ts")):
        qm = ts.with_suffix(".qm")
        lrelease = shutil.which("pyside6-lrelease") or str(ROOT / ".venv/bin/pyside6-lrelease")
        if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
        translator = QTranslator()
        if translator.load(str(qm)):
            app.installTranslator(translator)  # type: ignore[attr-defined]
            translators.append(translator)
    return translators


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from counter_app.embedded import start_embedded
    from counter_app.services import auth
    from counter_app.services.context import ServiceContext
    from counter_app.services.shift_summary import write_shift_summary
    from counter_app.services.shifts import ShiftService
    from counter_app.ui.backoffice.context import BackOfficeContext
    from counter_app.ui.backoffice.window import BackOfficeWindow
    from counter_app.ui.resources import Language, register_cjk_font, style_sheet
    from counter_app.ui.workers import Workers
    from scripts.field_meters import prepare_meters, restart_meter_bus, set_meter

    app = QApplication(sys.argv[:1])
    register_cjk_font()
    app.setStyleSheet(style_sheet())
    language = Language()
    language.install("zh_CN")
    keep = install_back_office_translations(app)
    tmp = Path(tempfile.mkdtemp(prefix="supervisor-shots-"))
    refusing = "000000000008"  # 赵敏's meter: set at installation just above its balance

    def near_limit(simulator: object) -> None:
        with simulator.meter(refusing) as meter:  # type: ignore[attr-defined]
            meter.hoarding_limit_fen = meter.balance_fen + 1_000

    prepare_meters(tmp / "demo", near_limit)
    devices = start_embedded(tmp / "demo", with_card=False)
    services = devices.counter.services
    workers = Workers()
    saved: list[str] = []

    def grab(widget: object, name: str) -> None:
        widget.grab().save(str(out / name))  # type: ignore[attr-defined]
        saved.append(name)

    try:
        teller1 = auth.get_user("teller1")
        teller2 = auth.get_user("teller2")
        supervisor = auth.get_user("super1")
        admin = auth.get_user("admin")
        here = ShiftService(services.ctx)
        other = ShiftService(ServiceContext(counter_id="counter-2"))
        s1 = here.open_shift(teller1, 50_000)
        s2 = other.open_shift(teller2, 30_000)
        pays = services.payments
        pays.take_payment("100000000001", 20_000, operator="teller1")
        pays.take_payment("100000000002", 30_000, operator="teller1")
        refused = pays.take_payment("100000000007", 5_000, operator="teller1")
        # the technician raises the meter's limit on site, then retries the work order (R10)
        restart_meter_bus(devices, edit=set_meter(refusing, hoarding_limit_fen=0))
        order = next(
            o for o in services.work_orders.list_orders() if o.purchase_id == refused.purchase_id
        )
        services.work_orders.retry(order.id, auth.get_user("tech1"))
        wrong = pays.take_payment("100000000003", 8_800, operator="teller1")
        services.reversals.reverse_payment(
            wrong.receipt_no,
            operator="teller1",
            supervisor="super1",
            supervisor_password="super1-pass",
            reason="收错户号 wrong customer",
        )
        here.cash_movement(teller1, s1.id, "out", 40_000, "解款入保险柜 cash drop to safe")
        # teller2's shift is at counter-2: a payment taken here is in no drawer's ledger
        pays.take_payment("100000000006", 10_000, operator="teller2")

        ctx = BackOfficeContext(
            services=services, counter_id=services.ctx.counter_id, workers=workers, data_dir=tmp
        )
        # the supervisor's back office: open shifts of both counters
        window = BackOfficeWindow(ctx, supervisor)
        window.resize(1366, 768)
        window.show()
        shifts_tab = window.tab("shifts")
        wait_until(lambda: len(shifts_tab.open_reports) == 2 and shifts_tab.busy == 0)
        window.show_tab("shifts")
        grab(window, "supervisor-open-shifts.png")

        board = window.tab("success-board")
        window.show_tab("success-board")
        wait_until(lambda: board.board is not None and board.busy == 0)
        grab(window, "supervisor-success-board.png")

        audit_tab = window.tab("audit")
        window.show_tab("audit")
        wait_until(lambda: audit_tab.searches >= 1 and audit_tab.busy == 0)
        audit_tab.text.setText("reverse")
        audit_tab.search()
        wait_until(lambda: audit_tab.searches >= 2 and audit_tab.busy == 0)
        audit_tab.table.selectRow(0)
        grab(window, "supervisor-audit.png")

        # the teller's own shift: X read, blind count, short, Z
        from counter_app.ui.backoffice.shifts import ShiftsTab

        mine = ShiftsTab(ctx, teller1)
        mine.resize(1100, 680)
        mine.show()
        wait_until(lambda: mine.current is not None and mine.busy == 0)
        mine.x_read()
        wait_until(lambda: mine.last_report is not None and mine.busy == 0)
        grab(mine, "supervisor-shift-x-read.png")
        expected = mine.last_report.ledger.expected_cash_fen  # type: ignore[union-attr]
        mine.start_blind_count()
        mine.count_edit.setText(f"{(expected - 200) / 100:.2f}")
        grab(mine, "supervisor-shift-blind-count.png")
        mine.record_count()
        wait_until(lambda: mine.last_count is not None and mine.busy == 0)
        mine.reason_edit.setText("找零多付 2 元 change overpaid")
        grab(mine, "supervisor-shift-short.png")
        mine.close_shift()
        wait_until(lambda: mine.last_pdf is not None and mine.busy == 0)
        pdf = write_shift_summary(mine.last_report, tmp / "summary.pdf")  # type: ignore[arg-type]
        if shutil.which("pdftoppm"):
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(out / "supervisor-shift-summary"),
                ],
                check=True,
            )
            saved.append("supervisor-shift-summary.png")

        # the hall's end of day: counter-2 closes too, then the supervisor settles the day
        other.record_blind_count(teller2, s2.id, 30_000)
        other.close_shift(teller2, s2.id, "")
        day_tab = window.tab("daily-settlement")
        window.show_tab("daily-settlement")
        day_tab.refresh()
        wait_until(lambda: day_tab.settlement is not None and day_tab.busy == 0)
        wait_until(lambda: day_tab.slip_button.isEnabled())
        grab(window, "supervisor-daily-settlement.png")
        day_tab.issue_slip()
        wait_until(lambda: day_tab.last_slip is not None and day_tab.busy == 0)
        if shutil.which("pdftoppm"):
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-singlefile",
                    str(day_tab.last_slip),
                    str(out / "supervisor-deposit-slip"),
                ],
                check=True,
            )
            saved.append("supervisor-deposit-slip.png")
        window.live_timer.stop()

        admin_window = BackOfficeWindow(ctx, admin)
        admin_window.resize(1366, 768)
        admin_window.show()
        users_tab = admin_window.tab("users")
        admin_window.show_tab("users")
        wait_until(lambda: len(users_tab.rows) >= 5 and users_tab.busy == 0)
        users_tab.select("teller2")
        grab(admin_window, "supervisor-users.png")
    finally:
        workers.shutdown()
        devices.close() if hasattr(devices, "close") else None
        shutil.rmtree(tmp, ignore_errors=True)
    del keep
    for name in saved:
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
