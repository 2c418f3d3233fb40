"""Where the window finds its resources, and the fonts and translations it loads from them.

Resources live in the checkout's ``resources/`` (or next to a frozen executable); the
``COUNTER_RESOURCES`` environment variable points elsewhere. Translations are compiled
``.qm`` files (build products of ``resources/translations/*.ts``, made by
``scripts/build-translations.sh``, which ``scripts/setup.sh`` runs).

The Chinese font: without a CJK font Qt draws empty boxes (offscreen, or a bare Linux
machine), so the same TrueType font the receipts embed is registered with Qt here.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase

from counter_app.services.receipts import FontNotFoundError, find_cjk_font

log = logging.getLogger(__name__)

LANGUAGES: tuple[tuple[str, str], ...] = (("zh_CN", "中文（简体）"), ("en", "English"))
DEFAULT_LANGUAGE = "zh_CN"


def resources_dir() -> Path:
    env = os.environ.get("COUNTER_RESOURCES")
    if env:
        return Path(env)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def translation_file(language: str) -> Path:
    return resources_dir() / "translations" / f"counter_{language}.qm"


def style_sheet() -> str:
    path = resources_dir() / "styles" / "counter.qss"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        log.warning("style sheet %s not found; using Qt's default look", path)
        return ""


class Language:
    """The installed translators; switching language replaces them (at sign-in).

    ``counter_<lang>.qm`` is the counter window's catalogue; any other ``*_<lang>.qm`` in the
    same directory (another part of the program keeping its own catalogue) is installed
    with it.
    """

    def __init__(self) -> None:
        self._translators: list[QTranslator] = []
        self.current = "en"
        self.missing: list[str] = []

    def install(self, language: str) -> bool:
        """Install ``language`` (``zh_CN`` or ``en``); False if its ``.qm`` is missing.

        English is the source language: it needs no file (its .qm only makes the fallback
        explicit).
        """
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication first")
        for old in self._translators:
            QCoreApplication.removeTranslator(old)
        self._translators = []
        self.current = language
        main = translation_file(language)
        others = sorted(p for p in main.parent.glob(f"*_{language}.qm") if p.name != main.name)
        for path in [main, *others]:
            translator = QTranslator(app)
            if translator.load(str(path)):
                QCoreApplication.installTranslator(translator)
                self._translators.append(translator)
        if language == "en":
            QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.China))
            return True
        if not any(t.filePath() == str(main) for t in self._translators):
            log.warning("translation %s not found (run scripts/build-translations.sh)", main)
            self.missing.append(str(main))
            return False
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        return True


def register_cjk_font(configured: str | None = None) -> str | None:
    """Register the CJK font with Qt and make it the application font's first choice.

    Returns the family name, or None (with a warning) when no font was found: the window
    still works, Chinese text may show as boxes, and the self-check says so.
    """
    try:
        path, _index = find_cjk_font(configured)
    except FontNotFoundError as exc:
        log.warning("%s", exc)
        return None
    font_id = QFontDatabase.addApplicationFont(path)
    if font_id < 0:
        log.warning("Qt could not load the font %s", path)
        return None
    families = QFontDatabase.applicationFontFamilies(font_id)
    if not families:
        return None
    family = families[0]
    app = QCoreApplication.instance()
    if app is not None:
        font = QFont(family)
        font.setPointSize(11)
        font.setFamilies([family, "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"])
        app.setFont(font)  # type: ignore[attr-defined]
    return family
