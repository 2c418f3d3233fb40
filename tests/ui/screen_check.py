"""What a person sees on a window, checked widget by widget: text clipped by its widget, text
in the wrong script for the interface language, and ``tr()`` strings missing from the
catalogues (a recording translator sees every lookup the widgets make).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabBar,
    QWidget,
)

from counter_app.ui.resources import resources_dir

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# Words a Chinese interface keeps as they are: keys, units, protocols, product names
KEPT_WORDS = frozenset(
    {"Enter", "Esc", "Ctrl", "COPY", "PDF", "SMS", "UTC", "PSAM", "ESAM", "Tab", "Del", "OK"}
)


@dataclass(frozen=True)
class Finding:
    widget: str
    text: str
    problem: str

    def __str__(self) -> str:
        return f"{self.problem}: {self.widget}: {self.text!r}"


def shown(root: QWidget) -> Iterator[QWidget]:
    """``root`` and every descendant a person can see now."""
    yield root
    for w in root.findChildren(QWidget):
        if w.objectName().startswith("qt_") and not isinstance(w, QTabBar):
            continue  # Qt's own parts (viewports, scroll bars, popups): nothing to translate
        if w.isVisibleTo(root) and w.isVisible():
            yield w


def _name(w: QWidget) -> str:
    return f"{type(w).__name__}#{w.objectName() or '?'}"


def texts_of(w: QWidget) -> list[str]:
    """The interface texts a widget shows (not what a person typed into a field)."""
    if isinstance(w, QLabel | QAbstractButton):
        return [w.text()]
    if isinstance(w, QLineEdit):
        return [w.placeholderText()]
    if isinstance(w, QGroupBox):
        return [w.title()]
    if isinstance(w, QTabBar):
        return [w.tabText(i) for i in range(w.count())]
    if isinstance(w, QComboBox):
        return [w.itemText(i) for i in range(w.count())]
    return []


def clipped(root: QWidget) -> list[Finding]:
    """Texts wider (or, wrapped, taller) than the room their widget has."""
    found: list[Finding] = []
    for w in shown(root):
        fm = QFontMetrics(w.font())
        if isinstance(w, QLabel) and w.text() and w.textFormat() != Qt.TextFormat.RichText:
            room = w.contentsRect()
            if w.wordWrap():
                if room.width() > 0 and w.heightForWidth(w.width()) > w.height() + 2:
                    found.append(Finding(_name(w), w.text(), "clipped (wrapped height)"))
            elif fm.horizontalAdvance(w.text().split("\n")[0]) > room.width() + 1:
                found.append(Finding(_name(w), w.text(), "clipped"))
        elif isinstance(w, QPushButton) and w.text():
            if fm.horizontalAdvance(w.text()) + 12 > w.width():
                found.append(Finding(_name(w), w.text(), "clipped"))
        elif isinstance(w, QCheckBox) and w.text():
            if fm.horizontalAdvance(w.text()) + 18 > w.width():
                found.append(Finding(_name(w), w.text(), "clipped"))
        elif isinstance(w, QLineEdit) and not w.text() and w.placeholderText():
            if fm.horizontalAdvance(w.placeholderText()) + 10 > w.width():
                found.append(Finding(_name(w), w.placeholderText(), "placeholder clipped"))
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                if fm.horizontalAdvance(w.tabText(i)) > w.tabRect(i).width():
                    found.append(Finding(_name(w), w.tabText(i), "tab clipped"))
    return found


DATA_WIDGETS = frozenset({"languageBox", "auditActor", "auditCounter", "counterId"})
"""Widgets that show data or each language's own name, not interface text."""


def wrong_script(root: QWidget, language: str) -> list[Finding]:
    """Chinese interface: interface text that is English words only. English interface:
    interface text that is Chinese only. Mixed texts carry data (names, addresses) and pass."""
    found: list[Finding] = []
    for w in shown(root):
        if w.objectName() in DATA_WIDGETS:
            continue
        for text in texts_of(w):
            if not text.strip():
                continue
            has_cjk = bool(CJK.search(text))
            words = [x for x in LATIN_WORD.findall(text) if x not in KEPT_WORDS]
            if language == "zh_CN" and words and not has_cjk:
                found.append(Finding(_name(w), text, "English in the Chinese interface"))
            if language == "en" and has_cjk and not LATIN_WORD.search(text):
                found.append(Finding(_name(w), text, "Chinese in the English interface"))
    return found


def catalogue(language: str = "zh_CN") -> set[tuple[str, str]]:
    """Every (context, source) of the shipped catalogues of ``language``."""
    keys: set[tuple[str, str]] = set()
    for ts in sorted((resources_dir() / "translations").glob(f"*_{language}.ts")):
        for context in ET.parse(ts).getroot().iter("context"):
            name = context.findtext("name", "")
            for m in context.iter("message"):
                keys.add((name, m.findtext("source", "")))
    return keys


class RecordingTranslator(QTranslator):
    """Installed last, asked first: records each lookup and lets the real catalogues answer."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[tuple[str, str]] = set()

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        if context and source and not context.startswith("Q"):  # Qt's own contexts
            self.asked.add((context, source))
        return None  # type: ignore[return-value]  # null: the next translator answers

    def isEmpty(self) -> bool:
        return False

    def install(self) -> RecordingTranslator:
        QCoreApplication.installTranslator(self)
        return self

    def remove(self) -> None:
        QCoreApplication.removeTranslator(self)

    def missing(self, known: set[tuple[str, str]]) -> list[tuple[str, str]]:
        return sorted(self.asked - known)


def ts_path(name: str) -> Path:
    return resources_dir() / "translations" / name
