"""The back office is live and keyboard-driven: tabs reload themselves when the data behind
them changes (a work order opened or taken, a shift closed) and Enter submits a form."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from counter_app.services import auth
from counter_app.services.shifts import ShiftService
from counter_app.store.models import User
from tests.backoffice.conftest import WAIT_MS, back_office_context
from tests.backoffice.test_work_orders import failed_dispatch
from tests.ui.conftest import CounterEnv


def live_window(qtbot: Any, env: CounterEnv, username: str, password: str) -> Any:
    from counter_app.ui.backoffice.window import BackOfficeWindow

    user = auth.sign_in(username, password, counter_id=env.context.counter_id)
    window = BackOfficeWindow(back_office_context(env), user, live_ms=200)
    qtbot.addWidget(window)
    window.show()
    return window


def test_tabs_reload_when_the_data_changes_without_refresh(qtbot: Any, bo_env: CounterEnv) -> None:
    window = live_window(qtbot, bo_env, "super1", "super1-pass")
    orders = window.tab("work-orders")
    window.show_tab("work-orders")
    qtbot.waitUntil(lambda: window.data_version is not None and not orders.loading, timeout=WAIT_MS)
    assert orders.orders == []

    failed_dispatch(bo_env)  # R10: a work order opens behind the window's back
    qtbot.waitUntil(lambda: len(orders.orders) == 1, timeout=WAIT_MS)

    # a teller's shift opened and closed elsewhere: the supervisor's shifts tab follows
    shifts = window.tab("shifts")
    window.show_tab("shifts")
    qtbot.waitUntil(lambda: shifts.busy == 0, timeout=WAIT_MS)
    assert shifts.open_reports == []
    teller = auth.sign_in("teller1", "teller1-pass", counter_id="test-01")
    service = ShiftService(bo_env.counter.services.ctx)
    shift = service.open_shift(teller, 10_000)
    qtbot.waitUntil(lambda: len(shifts.open_reports) == 1, timeout=WAIT_MS)
    service.record_blind_count(teller, shift.id, 10_000)
    service.close_shift(teller, shift.id, "")
    qtbot.waitUntil(lambda: shifts.open_reports == [] and shifts.busy == 0, timeout=WAIT_MS)
    window.close()  # stops its live timer
    qtbot.waitUntil(lambda: bo_env.workers.busy == 0, timeout=WAIT_MS)


def test_enter_submits_the_back_office_forms(qtbot: Any, bo_env: CounterEnv) -> None:
    teller_window = live_window(qtbot, bo_env, "teller1", "teller1-pass")
    shifts = teller_window.tab("shifts")
    qtbot.waitUntil(lambda: shifts.busy == 0, timeout=WAIT_MS)
    qtbot.keyClicks(shifts.float_edit, "300")
    qtbot.keyClick(shifts.float_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shifts.current is not None, timeout=WAIT_MS)
    assert shifts.current.float_fen == 30_000
    teller_window.close()

    admin_window = live_window(qtbot, bo_env, "admin", "admin-pass")
    users = admin_window.tab("users")
    qtbot.waitUntil(lambda: users.busy == 0, timeout=WAIT_MS)
    qtbot.keyClicks(users.username, "teller9")
    qtbot.keyClicks(users.full_name, "Teller Nine")
    qtbot.keyClicks(users.password, "teller9-pass-long")
    qtbot.keyClicks(users.password2, "teller9-pass-long")
    qtbot.keyClick(users.password2, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: User.get_or_none(User.username == "teller9") is not None, timeout=WAIT_MS
    )
    admin_window.close()
    qtbot.waitUntil(lambda: bo_env.workers.busy == 0, timeout=WAIT_MS)
