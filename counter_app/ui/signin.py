"""Sign-in at the counter: user name, password, language, counter id.

The password is checked by ``services.auth.sign_in`` on the database thread (argon2 takes
tens of milliseconds; a networked PostgreSQL longer), never on the GUI thread. The language
chosen here applies at once to this dialog and to the window that follows (Chinese by
default, English selectable).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.auth import SignedInUser
from counter_app.ui.errors import explain, show_exception
from counter_app.ui.resources import LANGUAGES, Language
from counter_app.ui.workers import Workers


class SignInDialog(QDialog):
    """Asks who sits at the counter; ``user`` holds the signed-in user after ``accept``."""

    sig_signed_in = Signal(object)

    def __init__(
        self,
        workers: Workers,
        language: Language,
        counter_id: str,
        sign_in: Callable[[str, str, str], SignedInUser],
        parent: QWidget | None = None,
        check_panel: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self._workers = workers
        self._language = language
        self._counter_id = counter_id
        self._sign_in = sign_in
        self.user: SignedInUser | None = None

        self.title = QLabel(self)
        self.title.setObjectName("signInTitle")
        self.language_box = QComboBox(self)
        self.language_box.setObjectName("languageBox")
        for code, name in LANGUAGES:
            self.language_box.addItem(name, code)
        index = self.language_box.findData(language.current)
        self.language_box.setCurrentIndex(max(index, 0))
        self.language_box.currentIndexChanged.connect(self._on_language_changed)
        self.username = QLineEdit(self)
        self.username.setObjectName("usernameEdit")
        self.password = QLineEdit(self)
        self.password.setObjectName("passwordEdit")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.counter_label = QLabel(counter_id, self)
        self.counter_label.setObjectName("counterId")
        self.message = QLabel(self)
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)

        self.form = QFormLayout()
        self.captions = [QLabel(self) for _ in range(4)]
        for caption, field in zip(
            self.captions,
            (self.language_box, self.username, self.password, self.counter_label),
            strict=True,
        ):
            self.form.addRow(caption, field)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(self)
        self.ok_button.setObjectName("primaryButton")
        self.ok_button.setDefault(True)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.check_panel = check_panel
        if check_panel is not None:
            layout.addWidget(check_panel)
        self._retranslate()
        self.username.setFocus()

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Sign in"))
        self.title.setText(self.tr("Electricity purchase counter — sign in"))
        labels = (self.tr("Language"), self.tr("User"), self.tr("Password"), self.tr("Counter"))
        for caption, text in zip(self.captions, labels, strict=True):
            caption.setText(text)
        self.username.setPlaceholderText(self.tr("user name"))
        self.ok_button.setText(self.tr("Sign in (Enter)"))
        self.cancel_button.setText(self.tr("Quit"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _on_language_changed(self, _index: int) -> None:
        self._language.install(str(self.language_box.currentData()))
        self._retranslate()

    def _on_submit(self) -> None:
        username = self.username.text().strip()
        password = self.password.text()
        if not username or not password:
            self.message.setText(self.tr("Enter your user name and password."))
            return
        self.ok_button.setEnabled(False)
        self.message.setText(self.tr("Checking…"))
        self._workers.submit(
            self._workers.db,
            "sign-in",
            lambda _report: self._sign_in(username, password, self._counter_id),
            on_done=self._on_signed_in,
            on_error=self._on_failed,
        )

    def _on_signed_in(self, user: SignedInUser) -> None:
        self.user = user
        self.password.clear()
        self.sig_signed_in.emit(user)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        text = explain(exc)
        if text is None:
            show_exception(self, exc)
            text = self.tr("Sign-in failed.")
        self.message.setText(text)
