"""User management for admins: create user, change role, reset password, deactivate.

Every button calls `services.users`, which requires ``manage-users`` (admins) itself; the
tab is only the face of it. Passwords are typed twice and never shown; the services keep
only the argon2 hash and audit every change (I3).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from counter_app.services import users
from counter_app.services.auth import ROLES, SignedInUser
from counter_app.services.users import UserRow
from counter_app.ui import texts
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.backoffice.office_jobs import local_time, run_db
from counter_app.ui.backoffice.widgets import make_button, make_label, make_table, set_row


class UsersTab(QWidget):
    """See the module docstring."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("usersTab")
        self.ctx = ctx
        self.user = user
        self.busy = 0
        self.last_error: BaseException | None = None
        self.rows: list[UserRow] = []

        self.table = make_table(self, "usersTable", 5, select_rows=True)
        self.table.itemSelectionChanged.connect(self._on_selection)

        self.new_box = QGroupBox(self)
        self.username = QLineEdit(self)
        self.username.setObjectName("newUsername")
        self.full_name = QLineEdit(self)
        self.full_name.setObjectName("newFullName")
        self.new_role = self._roles("newRole")
        self.password = self._secret("newPassword")
        self.password2 = self._secret("newPassword2")
        self.create_button = make_button(self, "createUserButton", self.create_user)

        self.edit_box = QGroupBox(self)
        self.selected_label = QLabel(self)
        self.role = self._roles("changeRole")
        self.role_button = make_button(self, "changeRoleButton", self.change_role)
        self.reset1 = self._secret("resetPassword")
        self.reset2 = self._secret("resetPassword2")
        self.reset_button = make_button(self, "resetPasswordButton", self.reset_password)
        self.active_button = make_button(self, "toggleActiveButton", self.toggle_active)
        self.status = make_label(self, "usersStatus", wrap=True)
        # Enter in a field submits its form
        for field in (self.username, self.full_name, self.password, self.password2):
            field.returnPressed.connect(self.create_user)
        for field in (self.reset1, self.reset2):
            field.returnPressed.connect(self.reset_password)

        self.captions = [QLabel(self) for _ in range(7)]
        grid = QGridLayout(self.new_box)
        for i, w in enumerate(
            (self.username, self.full_name, self.new_role, self.password, self.password2)
        ):
            grid.addWidget(self.captions[i], 0, i)
            grid.addWidget(w, 1, i)
        grid.addWidget(self.create_button, 1, 5)
        edit = QGridLayout(self.edit_box)
        edit.addWidget(self.selected_label, 0, 0, 1, 4)
        edit.addWidget(self.role, 1, 0)
        edit.addWidget(self.role_button, 1, 1)
        edit.addWidget(self.captions[5], 2, 0)
        edit.addWidget(self.reset1, 2, 1)
        edit.addWidget(self.reset2, 2, 2)
        edit.addWidget(self.reset_button, 2, 3)
        edit.addWidget(self.active_button, 1, 3)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.edit_box)
        layout.addWidget(self.new_box)
        layout.addWidget(self.status)
        self.retranslate()
        self._on_selection()
        self.refresh()

    def _roles(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        for role in ROLES:
            combo.addItem(texts.role(role), role)
        return combo

    def _secret(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [self.tr("User"), self.tr("Name"), self.tr("Role"), self.tr("Active"), self.tr("Since")]
        )
        self.new_box.setTitle(self.tr("New user"))
        self.edit_box.setTitle(self.tr("Selected user"))
        for label, text in zip(
            self.captions,
            (
                self.tr("Username"),
                self.tr("Full name"),
                self.tr("Role"),
                self.tr("Password"),
                self.tr("Password again"),
                self.tr("New password (twice)"),
                "",
            ),
            strict=True,
        ):
            label.setText(text)
        self.create_button.setText(self.tr("Create user"))
        self.role_button.setText(self.tr("Change role"))
        self.reset_button.setText(self.tr("Reset password"))
        for combo in (self.new_role, self.role):
            for i in range(combo.count()):
                combo.setItemText(i, texts.role(str(combo.itemData(i))))
        self._on_selection()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_error(self, text: str) -> None:
        self.status.setText(text)

    # -- data ------------------------------------------------------------------------------
    def refresh(self) -> None:
        run_db(self, "list-users", lambda: users.list_users(self.user), self._on_rows)

    def _on_rows(self, rows: list[UserRow]) -> None:
        chosen = self.selected()
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = [
                r.username,
                r.full_name,
                texts.role(r.role),
                self.tr("yes") if r.active else self.tr("no (deactivated)"),
                local_time(r.created_at, "%Y-%m-%d"),
            ]
            set_row(self.table, i, values)
        if chosen is not None:
            self.select(chosen.username)
        self._on_selection()

    def select(self, username: str) -> None:
        for i, r in enumerate(self.rows):
            if r.username == username:
                self.table.selectRow(i)
                return

    def selected(self) -> UserRow | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def _on_selection(self) -> None:
        row = self.selected()
        self.edit_box.setEnabled(row is not None)
        if row is None:
            self.selected_label.setText(self.tr("Select a user in the list."))
            self.active_button.setText(self.tr("Deactivate"))
            return
        self.selected_label.setText(
            self.tr("{user} ({name}): {role}").format(
                user=row.username, name=row.full_name or "—", role=texts.role(row.role)
            )
        )
        self.role.setCurrentIndex(max(self.role.findData(row.role), 0))
        self.active_button.setText(self.tr("Deactivate") if row.active else self.tr("Reactivate"))

    # -- actions ---------------------------------------------------------------------------
    def _done(self, message: str) -> Callable[[UserRow], None]:
        def done(row: UserRow) -> None:
            self.status.setText(message.format(user=row.username))
            self.refresh()

        return done

    def _same_twice(self, a: QLineEdit, b: QLineEdit) -> str | None:
        if a.text() != b.text():
            self.status.setText(self.tr("The two passwords differ."))
            return None
        return a.text()

    def create_user(self) -> None:
        password = self._same_twice(self.password, self.password2)
        if password is None:
            return
        username, full_name = self.username.text(), self.full_name.text()
        role = str(self.new_role.currentData())
        for edit in (self.username, self.full_name, self.password, self.password2):
            edit.clear()
        run_db(
            self,
            "create-user",
            lambda: users.create_user(
                self.user,
                username,
                password,
                role,
                full_name=full_name,
                counter_id=self.ctx.counter_id,
            ),
            self._done(self.tr("User {user} created.")),
        )

    def change_role(self) -> None:
        row = self.selected()
        if row is None:
            return
        role = str(self.role.currentData())
        run_db(
            self,
            "change-role",
            lambda: users.change_role(
                self.user, row.username, role, counter_id=self.ctx.counter_id
            ),
            self._done(self.tr("Role of {user} changed.")),
        )

    def reset_password(self) -> None:
        row = self.selected()
        password = self._same_twice(self.reset1, self.reset2)
        if row is None or password is None:
            return
        self.reset1.clear()
        self.reset2.clear()
        run_db(
            self,
            "reset-password",
            lambda: users.reset_password(
                self.user, row.username, password, counter_id=self.ctx.counter_id
            ),
            self._done(self.tr("Password of {user} reset.")),
        )

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        run_db(
            self,
            "set-active",
            lambda: users.set_active(
                self.user, row.username, not row.active, counter_id=self.ctx.counter_id
            ),
            self._done(
                self.tr("{user} deactivated.") if row.active else self.tr("{user} reactivated.")
            ),
        )
