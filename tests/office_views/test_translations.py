"""The Chinese translation of the shifts, success board, audit and users tabs.

Every source string has a finished translation that keeps its named placeholders, and the
compiled file switches a live tab to Chinese.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QTranslator

from tests.office_views.conftest import WAIT_MS, ViewEnv

TS = Path(__file__).resolve().parents[2] / "resources" / "translations" / "backoffice_zh_CN.ts"


def test_every_string_is_translated_with_its_placeholders() -> None:
    root = ET.parse(TS).getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 100
    for m in messages:
        source = m.findtext("source") or ""
        t = m.find("translation")
        assert t is not None and t.get("type") is None and t.text, source
        assert sorted(re.findall(r"{\w+}", source)) == sorted(re.findall(r"{\w+}", t.text))


def test_compiled_translation_switches_the_tabs(
    qtbot: Any, view_env: ViewEnv, tmp_path: Path
) -> None:
    from counter_app.ui.backoffice.shifts import ShiftsTab

    lrelease = shutil.which("pyside6-lrelease") or str(Path(".venv/bin/pyside6-lrelease"))
    qm = tmp_path / "office.qm"
    subprocess.run([lrelease, "-silent", str(TS), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        tab = ShiftsTab(view_env.ctx, view_env.users["teller1"])
        qtbot.addWidget(tab)
        qtbot.waitUntil(lambda: tab.busy == 0, timeout=WAIT_MS)
        assert tab.open_button.text() == "开班"
        assert tab.start_count_button.text() == "开始盲点"
    finally:
        QCoreApplication.removeTranslator(translator)
