"""A supervisor's sign-off inside a teller's dialog: the reason, and the supervisor's *own*
user name and password (R4 offsets and transfers, R15 reversals).

Every money movement a teller cannot make alone is authorized the same way (I3: the service
checks the credentials, refuses the teller's own account and audits who signed), so the
three dialogs that ask for it share these fields and the way a refusal is told: the password
is cleared, the reason and the supervisor's name stay for the next try. The fields are
children of the dialog and their rows go into the dialog's own form, so the dialog keeps its
layout; the words are in the ``SupervisorSignOff`` translation context.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from counter_app.ui.errors import explain, show_exception


@dataclass(frozen=True)
class SignOff:
    """What the person typed: the reason and the supervisor's credentials (trimmed name)."""

    reason: str
    supervisor: str
    password: str


class SupervisorSignOff(QObject):
    """The reason, supervisor and password fields of one dialog (``reason``, ``supervisor``,
    ``password``: line edits with the object names the tests and guides use).

    ``reason_hint`` is the dialog's own question under the reason (None: no hint);
    ``name_hint`` shows "supervisor's own user name" in the supervisor field.
    """

    def __init__(
        self, dialog: QWidget, *, reason_hint: str | None = None, name_hint: bool = True
    ) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.reason = QLineEdit(dialog)
        self.reason.setObjectName("reasonEdit")
        if reason_hint is not None:
            self.reason.setPlaceholderText(reason_hint)
        self.supervisor = QLineEdit(dialog)
        self.supervisor.setObjectName("supervisorEdit")
        if name_hint:
            self.supervisor.setPlaceholderText(self.tr("supervisor's own user name"))
        self.password = QLineEdit(dialog)
        self.password.setObjectName("supervisorPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)

    def add_rows(self, form: QFormLayout) -> None:
        """The three rows, in the order a person fills them: reason, supervisor, password."""
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.tr("Supervisor"), self.supervisor)
        form.addRow(self.tr("Supervisor's password"), self.password)

    def typed(self) -> SignOff:
        return SignOff(
            reason=self.reason.text().strip(),
            supervisor=self.supervisor.text().strip(),
            password=self.password.text(),
        )

    def refusal(self, exc: BaseException, failed: str) -> str:
        """The words for a refused (or failed) authorization; the password is cleared so the
        supervisor types it again. An error the window has no words for is reported (the
        bug dialog) and told as `failed`."""
        self.password.clear()
        text = explain(exc)
        if text is None:
            show_exception(self.dialog, exc)
            text = failed
        return self.tr("Refused: {why}").format(why=text)
