"""The Chinese catalogue of the bank collection and reconciliation tabs
(resources/translations/channels_zh_CN.ts): complete, placeholders intact, up to date with the
source, and compiled it turns the live tab Chinese."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from tests.backoffice.test_translations import messages, placeholders

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "channels_zh_CN.ts"
SOURCE = ROOT / "counter_app" / "ui" / "backoffice" / "bank.py"
TOOLS = ROOT / ".venv" / "bin"


def test_every_string_is_translated_with_its_placeholders() -> None:
    found = messages(TS)
    assert len(found) > 50
    for (context, source), m in found.items():
        translation = m.find("translation")
        assert translation is not None and translation.text, (context, source)
        assert translation.get("type") != "unfinished", (context, source)
        assert placeholders(translation.text) == placeholders(source), (context, source)
        assert re.search(r"[\u4e00-\u9fff]", translation.text) or source in {
            "Export PDF",
            "Export CSV",
        }


def test_the_catalogue_is_up_to_date_with_the_source(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    subprocess.run(
        [
            str(TOOLS / "pyside6-lupdate"),
            "-no-obsolete",
            "-locations",
            "none",
            str(SOURCE),
            "-ts",
            str(fresh),
        ],
        check=True,
        capture_output=True,
    )
    assert set(messages(fresh)) == set(messages(TS))
    assert ET.parse(TS).getroot().tag == "TS"


def test_the_compiled_catalogue_translates_the_tabs(qtbot: Any, tmp_path: Path, qapp: Any) -> None:
    from PySide6.QtCore import QCoreApplication, QTranslator

    qm = tmp_path / "channels_zh_CN.qm"
    subprocess.run(
        [str(TOOLS / "pyside6-lrelease"), "-silent", str(TS), "-qm", str(qm)], check=True
    )
    translator = QTranslator(qapp)
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        assert QCoreApplication.translate("ReconciliationTab", "Sign off…") == "审核签字…"
        assert QCoreApplication.translate("BankCollectionTab", "unknown customer") == "无此户号"
    finally:
        QCoreApplication.removeTranslator(translator)
