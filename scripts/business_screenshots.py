#!/usr/bin/env python3
"""Render the guides' screenshots of the business-change and archive-import tabs, offscreen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/business_screenshots.py [--out docs/images]

Runs the counter on the embedded demo devices (a fresh demo database and the simulated meter
bus) in a temporary directory, then plays the business changes of a day through the real
services and tabs: a technician files the replacement of a meter that cannot be read (figures
from the form), another replacement is read from the meter and refused by the supervisor, the
supervisor's review queue is grabbed, and an archive export with refused lines is imported.
Chinese, into ``docs/images/business-*.png``.
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


def install_translations(app: object) -> list[object]:
    """The back office's Chinese catalogues (compiled from the .ts files when needed)."""
    from PySide6.QtCore import QTranslator

    translators = []
    folder = ROOT / "resources" / "translations"
    lrelease = shutil.which("pyside6-lrelease") or str(ROOT / ".venv/bin/pyside6-lrelease")
    for name in ("backoffice_zh_CN.ts", "business_zh_CN.ts"):
        ts = folder / name
        qm = ts.with_suffix(".qm")
        if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
        translator = QTranslator()
        if translator.load(str(qm)):
            app.installTranslator(translator)  # type: ignore[attr-defined]
            translators.append(translator)
    return translators


EXPORT_LINES = (
    "户号,户名,地址,电话,短信,表地址,表号,表类型,具备采集条件,购电方式,购电次数,欠费期,欠费日期,欠费金额",
    "300000000001,孙丽,和平路1号,13900000001,1,400000000001,,费控卡表,1,,0,2026-10,2026-11-01,56.20",
    "300000000002,周强,和平路2号,13900000002,0,400000000002,,费控卡表,0,,3,,,",
    "300000000003,吴刚,和平路3号,,0,400000000003,,智能表,1,,0,,,",
    "30000000004,郑红,和平路4号,,0,400000000004,,费控卡表,1,,0,,,",
    "300000000005,冯军,和平路5号,,0,400000000001,,费控卡表,1,,0,,,",
    "300000000006,陈平,和平路6号,,0,400000000006,,普通表,0,card,0,2026-09,2026-10-01,18.00",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from counter_app.embedded import start_embedded
    from counter_app.services import auth
    from counter_app.ui.backoffice.context import BackOfficeContext
    from counter_app.ui.backoffice.window import BackOfficeWindow
    from counter_app.ui.resources import Language, register_cjk_font, style_sheet
    from counter_app.ui.workers import Workers
    from scripts.field_meters import prepare_meters

    app = QApplication(sys.argv[:1])
    register_cjk_font()
    app.setStyleSheet(style_sheet())
    language = Language()
    language.install("zh_CN")
    keep = install_translations(app)
    tmp = Path(tempfile.mkdtemp(prefix="business-shots-"))
    dead = "000000000001"  # burnt out: it no longer answers on the bus

    def replacements_hung(simulator: object) -> None:
        """The new meters are on the bus before the changes are filed."""
        simulator.create_meter("000000000021", "100000000001", purchase_count=2)  # type: ignore[attr-defined]
        simulator.create_meter("000000000022", "100000000002")  # type: ignore[attr-defined]

    prepare_meters(tmp / "demo", replacements_hung)
    devices = start_embedded(tmp / "demo", with_card=False, meter_faults=[f"{dead}=no-reply*all"])
    services = devices.counter.services
    workers = Workers()
    saved: list[str] = []

    def grab(widget: object, name: str) -> None:
        widget.grab().save(str(out / name))  # type: ignore[attr-defined]
        saved.append(name)

    try:
        tech = auth.get_user("tech1")
        supervisor = auth.get_user("super1")
        ctx = BackOfficeContext(
            services=services, counter_id=services.ctx.counter_id, workers=workers, data_dir=tmp
        )

        # the technician files the replacement of a dead meter, figures from the form
        window = BackOfficeWindow(ctx, tech)
        window.resize(1366, 768)
        window.show()
        tab = window.tab("business-changes")
        window.show_tab("business-changes")
        wait_until(lambda: tab.busy == 0)
        tab.kind.setCurrentIndex(tab.kind.findData("meter-replacement"))
        tab.meter.setText(dead)
        tab.new_meter.setText("000000000021")
        tab.file_change()
        wait_until(lambda: tab.busy == 0)
        tab.dead.setChecked(True)
        tab.balance.setText("48.80")
        tab.count.setValue(0)
        tab.reason.setText("表计烧毁，读数取自拆表工单")
        grab(window, "business-replacement-dead.png")
        tab.file_change()
        wait_until(lambda: tab.busy == 0 and tab.last_result is not None)
        grab(window, "business-replacement-filed.png")

        # a second replacement read from the meter, which the supervisor will refuse
        services.business.replace_meter(tech, "000000000002", new_meter_address="000000000022")

        boss = BackOfficeWindow(ctx, supervisor)
        boss.resize(1366, 768)
        boss.show()
        review = boss.tab("business-changes")
        boss.show_tab("business-changes")
        wait_until(lambda: review.busy == 0 and review.review_table.rowCount() == 2)
        review.review_table.selectRow(1)
        review.review_reason.setText("余额与营销系统不符，待核实")
        review.refuse()
        wait_until(lambda: review.busy == 0 and review.review_table.rowCount() == 2)
        review.review_table.selectRow(0)
        grab(boss, "business-review-queue.png")
        review.approve()
        wait_until(lambda: review.busy == 0 and review.review_table.rowCount() == 1)
        grab(boss, "business-review-approved.png")

        # the archive import, as a technician
        export = tmp / "营销档案.csv"
        export.write_bytes(("\n".join(EXPORT_LINES) + "\n").encode("gb18030"))
        archive = window.tab("archive-import")
        window.show_tab("archive-import")
        archive.path.setText(str(export))
        archive.start_import()
        wait_until(lambda: archive.result is not None and archive.busy == 0)
        grab(window, "business-archive-import.png")
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
