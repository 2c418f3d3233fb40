"""The way from the counter window into the back office, by role.

Tellers and supervisors work at the desk and open the back office with F10 — only the tabs
their role may use; technicians and admins land in the back office after sign-in.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from counter_app.app import lands_in_back_office
from counter_app.ui.backoffice.window import BackOfficeWindow, back_office_for
from tests.ui.conftest import SUPERVISOR, TELLER, CounterEnv, sign_in
from tests.ui.helpers import WAIT_MS


def _f10(qtbot: Any, window: Any) -> BackOfficeWindow:
    qtbot.keyClick(window, Qt.Key.Key_F10)
    qtbot.waitUntil(
        lambda: window.back_office is not None and window.back_office.isVisible(),
        timeout=WAIT_MS,
    )
    office = window.back_office
    assert isinstance(office, BackOfficeWindow)
    return office


def test_supervisor_opens_shifts_board_and_audit_with_f10(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env, SUPERVISOR)
    assert window.office_button.isVisible() and "F10" in window.office_button.text()
    office = _f10(qtbot, window)
    keys = {s.key for s in office.specs}
    assert {"work-orders", "shifts", "success-board", "audit"} <= keys
    assert "users" not in keys  # the admin's
    # the same window again, not a second one
    assert _f10(qtbot, window) is office
    assert office.parent() is window


def test_teller_reaches_only_the_own_shift_from_the_counter(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any
) -> None:
    window = signed_in_window(counter_env, TELLER)
    office = _f10(qtbot, window)
    assert [s.key for s in office.specs] == ["shifts"]


def test_technician_and_admin_land_in_the_back_office(qtbot: Any, counter_env: CounterEnv) -> None:
    for credentials in (TELLER, SUPERVISOR):
        assert not lands_in_back_office(sign_in(qtbot, counter_env, *credentials))
    for credentials, tabs in (
        (("tech1", "tech1-pass"), {"work-orders", "card-workbench", "outbox"}),
        (("admin", "admin-pass"), {"audit", "users"}),
    ):
        user = sign_in(qtbot, counter_env, *credentials)
        assert lands_in_back_office(user)
        office = back_office_for(counter_env.context, user, counter_env.workers, counter_env.events)
        qtbot.addWidget(office)
        assert tabs <= {s.key for s in office.specs}
        assert office.ctx.services is counter_env.counter.services
