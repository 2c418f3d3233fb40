"""The back office's Chinese translations: complete, placeholders intact, up to date with the
sources, and shown by the real window (resources/translations/backoffice_zh_CN.ts)."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "backoffice_zh_CN.ts"
SOURCES = [
    ROOT / "counter_app" / "ui" / "backoffice" / name
    for name in ("window.py", "work_orders.py", "card_workbench.py", "outbox.py")
]
TOOLS = ROOT / ".venv" / "bin"


def messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    out = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name", "")
        for m in context.iter("message"):
            out[(name, m.findtext("source", ""))] = m
    return out


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w*)\}", text))


def test_every_string_is_translated_with_its_placeholders() -> None:
    found = messages(TS)
    assert len(found) > 150
    for (context, source), m in found.items():
        translation = m.find("translation")
        assert translation is not None and translation.text, (context, source)
        assert translation.get("type") != "unfinished", (context, source)
        assert placeholders(translation.text) == placeholders(source), (context, source)


def test_the_ts_file_is_up_to_date_with_the_sources(tmp_path: Path) -> None:
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


def test_the_window_speaks_chinese(
    qtbot: Any, tmp_path: Path, bo_env: Any, back_office: Any
) -> None:
    from PySide6.QtCore import QCoreApplication, QTranslator

    qm = tmp_path / "backoffice_zh_CN.qm"
    subprocess.run(
        [str(TOOLS / "pyside6-lrelease"), "-silent", str(TS), "-qm", str(qm)], check=True
    )
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        window = back_office(bo_env, "tech1", "tech1-pass")
        titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert titles[:3] == ["补发工单", "卡务工作台", "短信发件箱"]
        tab = window.tab("work-orders")
        assert tab.take_button.text() == "领取下一单"
        assert tab.close_failed_button.text() == "按失败关闭（短信通知带卡）"
        assert window.tab("card-workbench").reissue_button.text() == "补卡 (R14)"
        assert window.tab("outbox").state_text("retried") == "重试中"
    finally:
        QCoreApplication.removeTranslator(translator)
