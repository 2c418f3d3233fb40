"""The window's implementation of the services' ``Prompts`` port (services.ports.Prompts).

A service or device step running on an owner thread sometimes needs a person: "put the card
back", "supervisor, sign here". It calls these methods on its own thread; each one runs a
small modal dialog on the GUI thread through ``workers.GuiCall`` and blocks the *calling*
thread (never the GUI thread) until the person answers — Electrum's hardware-wallet handler
pattern. Called on the GUI thread itself, the dialog simply runs there.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.ui.workers import GuiCall


class SupervisorPrompt(QDialog):
    """A supervisor types their own user name and password (R15)."""

    def __init__(self, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supervisorPrompt")
        self.setWindowTitle(self.tr("Supervisor authorization"))
        self.username = QLineEdit(self)
        self.username.setObjectName("supervisorEdit")
        self.password = QLineEdit(self)
        self.password.setObjectName("supervisorPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("Supervisor"), self.username)
        form.addRow(self.tr("Password"), self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        text = QLabel(reason, self)
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(buttons)


class QtPrompts:
    """``Prompts`` for the counter window (supervisor credentials, confirm, tell)."""

    def __init__(self, parent: QWidget | None = None, bridge: GuiCall | None = None) -> None:
        self.parent = parent
        self.bridge = bridge or GuiCall()

    def supervisor_credentials(self, reason: str) -> tuple[str, str] | None:
        def ask() -> tuple[str, str] | None:
            dialog = SupervisorPrompt(reason, self.parent)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.username.text().strip(), dialog.password.text()

        return self.bridge.call(ask)

    def confirm(self, question: str) -> bool:
        def ask() -> bool:
            answer = QMessageBox.question(
                self.parent, QCoreApplication.translate("Prompts", "Confirm"), question
            )
            return answer == QMessageBox.StandardButton.Yes

        return self.bridge.call(ask)

    def tell(self, message: str) -> None:
        def show() -> None:
            QMessageBox.information(
                self.parent, QCoreApplication.translate("Prompts", "Information"), message
            )

        self.bridge.call(show)
