"""The business-change and archive-import tabs' Chinese catalogue: complete, placeholders
intact, up to date with the sources, and shown by the real tab
(resources/translations/business_zh_CN.ts)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from tests.backoffice.test_translations import messages, placeholders

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "business_zh_CN.ts"
SOURCES = [
    ROOT / "counter_app" / "ui" / "backoffice" / name
    for name in ("business_changes.py", "archive_import.py")
]
TOOLS = ROOT / ".venv" / "bin"


def test_every_string_is_translated_with_its_placeholders() -> None:
    found = messages(TS)
    assert len(found) > 70
    for (context, source), m in found.items():
        translation = m.find("translation")
        assert translation is not None and translation.text, (context, source)
        assert translation.get("type") != "unfinished", (context, source)
        assert placeholders(translation.text) == placeholders(source), (context, source)


def test_the_catalogue_is_up_to_date_with_the_sources(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh_zh_CN.ts"
    subprocess.run(
        [
            str(TOOLS / "pyside6-lupdate"),
            "-no-obsolete",
            "-locations",
            "none",
            *map(str, SOURCES),
            "-ts",
            str(fresh),
        ],
        check=True,
        capture_output=True,
    )
    missing = set(messages(fresh)) - set(messages(TS))
    assert not missing, f"run lupdate and translate: {sorted(missing)}"


def test_the_tab_speaks_chinese(qtbot: Any, tmp_path: Path, sqlite_hall: Any) -> None:
    from PySide6.QtCore import QCoreApplication, QTranslator

    from counter_app.ui.backoffice.business_changes import BusinessChangesTab
    from counter_app.ui.backoffice.context import BackOfficeContext
    from counter_app.ui.workers import Workers

    qm = tmp_path / "business_zh_CN.qm"
    subprocess.run(
        [str(TOOLS / "pyside6-lrelease"), "-silent", str(TS), "-qm", str(qm)], check=True
    )
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    workers = Workers()
    try:
        ctx = BackOfficeContext(services=sqlite_hall.services, counter_id="B1", workers=workers)
        tab = BusinessChangesTab(ctx, sqlite_hall.users["super1"])
        qtbot.addWidget(tab)
        qtbot.waitUntil(lambda: tab.busy == 0, timeout=10_000)
        assert tab.approve_button.text() == "批准并下发"
        assert tab.kind.itemText(1) == "变更换表"
    finally:
        QCoreApplication.removeTranslator(translator)
        workers.shutdown()
