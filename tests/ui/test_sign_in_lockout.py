"""The sign-in dialog under lockout: after too many wrong passwords the account is locked and
the dialog says so in words (until when, who can help) — even for the right password."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from counter_app.services import audit, auth
from counter_app.ui.resources import Language
from counter_app.ui.signin import SignInDialog
from tests.ui.conftest import CounterEnv


@pytest.fixture
def three_strikes() -> Iterator[None]:
    previous = auth.set_lockout_policy(auth.LockoutPolicy(attempts=3, minutes=15))
    yield
    auth.set_lockout_policy(previous)


def test_sign_in_dialog_explains_a_locked_account(
    qtbot: Any, counter_env: CounterEnv, three_strikes: None
) -> None:
    dialog = SignInDialog(
        counter_env.workers, Language(), counter_env.context.counter_id, counter_env.context.sign_in
    )
    qtbot.addWidget(dialog)
    dialog.show()

    def attempt(password: str, expect: str) -> None:
        dialog.username.setText("teller1")
        qtbot.keyClicks(dialog.password, password)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: expect in dialog.message.text(), timeout=10_000)
        qtbot.waitUntil(dialog.ok_button.isEnabled, timeout=10_000)

    for _ in range(3):
        attempt("not-the-password", "Wrong")
    attempt("teller1-pass", "locked")
    assert dialog.user is None
    assert "administrator" in dialog.message.text()
    assert len(audit.entries(actions=["account-locked"])) == 1
