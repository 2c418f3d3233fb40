"""The training-mode banner: the embedded demo must never be mistaken for a live counter.

Without a configuration file the program runs on the embedded demo (demo customers, users
whose passwords are printed in the manual, simulated meters). Every window then carries this
banner for as long as it is open, every receipt says so (`services.receipts.TRAINING_MARK`)
and ``counter-app --self-check`` prints it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget

from counter_app.services.receipts import TRAINING_MARK

__all__ = ["TRAINING_MARK", "TrainingBanner"]


class TrainingBanner(QLabel):
    """A red strip across the top of a window in training mode (not closable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingBanner")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(
            "QLabel#trainingBanner { background: #b3261e; color: white; font-weight: bold;"
            " padding: 4px; }"
        )
        self.retranslate()

    def retranslate(self) -> None:
        self.setText(
            f"{TRAINING_MARK} — "
            + self.tr("demo data and simulated meters: no real money, no real customers")
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
