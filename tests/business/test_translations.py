"""The business-change and archive-import tabs' Chinese catalogue: complete, placeholders
intact, up to date with the sources, and shown by the real tab
(resources/translations/business_zh_CN.ts)."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
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


@contextlib.contextmanager
def chinese_office(tmp_path: Path, hall: Any) -> Iterator[Any]:
    """A back-office context with the Chinese catalogue compiled from the source file and
    installed (removed again, and the owner threads stopped, when the block ends)."""
    from PySide6.QtCore import QCoreApplication, QTranslator

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
        yield BackOfficeContext(services=hall.services, counter_id="B1", workers=workers)
    finally:
        QCoreApplication.removeTranslator(translator)
        workers.shutdown()


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
    from counter_app.ui.backoffice.business_changes import BusinessChangesTab

    with chinese_office(tmp_path, sqlite_hall) as ctx:
        tab = BusinessChangesTab(ctx, sqlite_hall.users["super1"])
        qtbot.addWidget(tab)
        qtbot.waitUntil(lambda: tab.busy == 0, timeout=10_000)
        assert tab.approve_button.text() == "批准并下发"
        assert tab.kind.itemText(1) == "变更换表"


def test_the_archive_refusals_speak_chinese(qtbot: Any, tmp_path: Path, sqlite_hall: Any) -> None:
    """A refused line's reason and detail are in Chinese in the Chinese window, with the
    file's own values in them; the report file keeps the English sentence and its code."""
    import re

    from counter_app.core.archive import COLUMNS
    from counter_app.ui.backoffice.archive_import import ArchiveImportTab

    blank = dict.fromkeys(COLUMNS, "")
    rows = [
        {**blank, "customer_no": "70000000001", "name": "短户号"},
        {**blank, "customer_no": "700000000002", "name": "怪表", "meter_address": "800000000002"}
        | {"meter_kind": "steam", "collection_capable": "1", "sms": "0"},
        {**blank, "customer_no": "700000000003", "name": "账单", "sms": "0"}
        | {"bill_amount": "12.5", "bill_period": "2026-10", "bill_issued_on": "2026/10/01"},
    ]
    export = tmp_path / "refused.csv"
    export.write_text(
        "\n".join([",".join(COLUMNS), *(",".join(r[c] for c in COLUMNS) for r in rows)]) + "\n",
        encoding="utf-8",
    )
    with chinese_office(tmp_path, sqlite_hall) as ctx:
        tab = ArchiveImportTab(ctx, sqlite_hall.users["tech1"])
        qtbot.addWidget(tab)
        tab.path.setText(str(export))
        tab.start_import()
        qtbot.waitUntil(lambda: tab.result is not None, timeout=30_000)
        shown = [
            [tab.table.item(i, c).text() for c in range(3)] for i in range(tab.table.rowCount())
        ]
    assert [row[0] for row in shown] == ["2", "3", "4"]
    assert shown[0][2] == "户号 '70000000001' 不是 12 位数字"
    assert shown[1][2] == "未知的电表类型 'steam'"
    assert shown[2][2] == "账单日期 '2026/10/01' 不是 年-月-日 格式"
    for row in shown:  # no English sentence left: only the file's values are Latin
        assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", row[1] + row[2]), row
    report = tab.result.rejections
    assert (
        report[1].detail == "unknown meter kind 'steam'" and report[1].code == "unknown-meter-kind"
    )
