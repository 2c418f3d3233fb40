"""The success board, audit and users views against the real services.

Dispatches go over DL/T 645 to the simulated meters (`meter_bus`) with real faults: a lost
reply (retried within the round, R9) and a hoarding-limit refusal (R21) that a later round
loads once the limit is raised (R10).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from counter_app.services.errors import NotAuthorized
from meter_link.simulator.faults import Fault, FaultKind
from tests.office_views.conftest import WAIT_MS, ViewEnv


def idle(qtbot: Any, tab: Any) -> None:
    qtbot.waitUntil(lambda: tab.busy == 0, timeout=WAIT_MS)


def test_success_board_paths_causes_chart_and_csv(qtbot: Any, view_env: ViewEnv) -> None:
    from counter_app.ui.backoffice.success_board import SuccessBoardTab

    env = view_env
    a1, a2, a3 = env.bus.addresses
    pays = env.services.payments
    assert pays.take_payment(env.customers[0], 1_000, operator="teller1").dispatch.loaded
    env.bus.simulator.inject(a2, Fault(FaultKind.NO_REPLY, times=1))
    second = pays.take_payment(env.customers[1], 1_000, operator="teller1")
    assert second.dispatch.loaded and second.dispatch.attempts == 2
    with env.bus.simulator.meter(a3) as m:
        m.hoarding_limit_fen = m.balance_fen + 500  # a 10.00 yuan purchase is refused
    third = pays.take_payment(env.customers[2], 1_000, operator="teller1")
    assert third.dispatch.outcome == "hoarding-limit" and third.dispatch.work_order_id
    with env.bus.simulator.meter(a3) as m:
        m.hoarding_limit_fen = 0
    assert env.services.dispatch.dispatch_purchase(third.purchase_id, "tech1").loaded

    tab = SuccessBoardTab(env.ctx, env.users["super1"])
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.board is not None, timeout=WAIT_MS)
    o = tab.board.overall
    assert (o.total, o.first_attempt, o.within_three, o.after_work_orders) == (3, 1, 2, 3)
    assert o.failures == {"hoarding-limit": 1}
    assert "33.3%" in tab.rates.text() and "100.0%" in tab.rates.text()
    assert "hoarding limit 1" in tab.failures.text()
    counts = tab.chart_counts()
    assert counts["First attempt"] == [1] and counts["After work orders"] == [1]
    assert tab.meter_table.rowCount() == 3
    path = tab.export_csv(env.tmp / "board.csv")
    assert path is not None
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert rows[0]["within_3"] == "2" and rows[0]["failed_hoarding-limit"] == "1"
    assert {r["key"] for r in rows if r["group"] == "meter"} == {a1, a2, a3}

    teller_tab = SuccessBoardTab(env.ctx, env.users["teller1"])
    qtbot.addWidget(teller_tab)
    qtbot.waitUntil(lambda: teller_tab.last_error is not None, timeout=WAIT_MS)
    assert isinstance(teller_tab.last_error, NotAuthorized) and teller_tab.board is None


def test_audit_view_finds_who_did_what_where(qtbot: Any, view_env: ViewEnv) -> None:
    from counter_app.ui.backoffice.audit import AuditTab

    env = view_env
    paid = env.services.payments.take_payment(env.customers[0], 2_345, operator="teller2")
    tab = AuditTab(env.ctx, env.users["super1"])
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.searches == 1 and tab.busy == 0, timeout=WAIT_MS)
    assert len(tab.entries) > 3
    qtbot.keyClicks(tab.text, paid.receipt_no)
    qtbot.keyClick(tab.text, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.searches == 2, timeout=WAIT_MS)
    assert [(e.actor, e.action, e.counter_id) for e in tab.entries] == [
        ("teller2", "take-payment", "T1")
    ]
    assert tab.table.item(0, 1).text() == "teller2"
    tab.table.selectRow(0)
    assert "¥23.45" in tab.detail.toPlainText()  # the amount in yuan, not raw fen
    tab.text.clear()
    tab.action.setCurrentIndex(tab.action.findData("dispatch-loaded"))
    qtbot.mouseClick(tab.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.searches == 3, timeout=WAIT_MS)
    assert tab.entries and all(e.action == "dispatch-loaded" for e in tab.entries)


def test_users_view_admin_only(qtbot: Any, view_env: ViewEnv, tmp_path: Path) -> None:
    from counter_app.services import auth
    from counter_app.ui.backoffice.users import UsersTab

    env = view_env
    tab = UsersTab(env.ctx, env.users["admin"])
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: len(tab.rows) == 5, timeout=WAIT_MS)
    qtbot.keyClicks(tab.username, "teller7")
    qtbot.keyClicks(tab.full_name, "Teller Seven")
    tab.new_role.setCurrentIndex(tab.new_role.findData("teller"))
    qtbot.keyClicks(tab.password, "seven-pass")
    qtbot.keyClicks(tab.password2, "seven-pass")
    qtbot.mouseClick(tab.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(tab.rows) == 6, timeout=WAIT_MS)
    assert auth.authenticate("teller7", "seven-pass").role == "teller"

    tab.select("teller7")
    tab.role.setCurrentIndex(tab.role.findData("supervisor"))
    qtbot.mouseClick(tab.role_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any(r.username == "teller7" and r.role == "supervisor" for r in tab.rows),
        timeout=WAIT_MS,
    )
    tab.select("teller7")
    qtbot.keyClicks(tab.reset1, "eight-pass")
    qtbot.keyClicks(tab.reset2, "eight-pass")
    qtbot.mouseClick(tab.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "reset" in tab.status.text(), timeout=WAIT_MS)
    assert auth.authenticate("teller7", "eight-pass").role == "supervisor"
    tab.select("teller7")
    qtbot.mouseClick(tab.active_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any(r.username == "teller7" and not r.active for r in tab.rows),
        timeout=WAIT_MS,
    )

    refused = UsersTab(env.ctx, env.users["teller1"])
    qtbot.addWidget(refused)
    qtbot.waitUntil(lambda: refused.last_error is not None, timeout=WAIT_MS)
    assert isinstance(refused.last_error, NotAuthorized) and refused.rows == []


def test_back_office_window_shows_these_tabs_by_role(qtbot: Any, view_env: ViewEnv) -> None:
    from counter_app.ui.backoffice.window import BackOfficeWindow

    seen = {}
    for who in ("super1", "admin", "tech1", "teller1"):
        window = BackOfficeWindow(view_env.ctx, view_env.users[who])
        qtbot.addWidget(window)
        seen[who] = {k for k in ("shifts", "success-board", "audit", "users") if window.tab(k)}
        for key in seen[who]:
            qtbot.waitUntil(lambda k=key, w=window: w.tab(k).busy == 0, timeout=WAIT_MS)
            assert window.tab(key).last_error is None, (who, key)
    assert seen["super1"] == {"shifts", "success-board", "audit"}
    assert seen["admin"] == {"audit", "users"}
    assert seen["tech1"] == {"success-board"}
    assert seen["teller1"] == {"shifts"}
