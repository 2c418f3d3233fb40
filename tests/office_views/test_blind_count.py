"""A blind count is blind: while it is open nothing in the window shows the expected cash.

A supervisor who also works a shift is the hard case: the tab shows them every open shift
with its expected cash, and the X read would show their own. Both stay out of sight from
"Start blind count" until the count is stored; afterwards the variance is shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QTableWidget, QWidget

from tests.office_views.conftest import WAIT_MS, ViewEnv


def visible_texts(root: QWidget) -> list[str]:
    """Every text a person can see in ``root``: labels, buttons, fields and table cells."""
    seen: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisibleTo(root) and w is not root:
            continue
        if isinstance(w, QLabel | QAbstractButton | QLineEdit):
            seen.append(w.text())
        elif isinstance(w, QTableWidget):
            for r in range(w.rowCount()):
                for c in range(w.columnCount()):
                    item = w.item(r, c)
                    if item is not None:
                        seen.append(item.text())
    return seen


def test_nothing_reveals_expected_cash_while_the_blind_count_is_open(
    qtbot: Any, view_env: ViewEnv
) -> None:
    from counter_app.ui.backoffice.shifts import ShiftsTab

    env = view_env
    tab = ShiftsTab(env.ctx, env.users["super1"])
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.busy == 0, timeout=WAIT_MS)
    qtbot.keyClicks(tab.float_edit, "123.45")
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.current is not None and tab.busy == 0, timeout=WAIT_MS)
    env.services.payments.take_payment(env.customers[0], 5_000, operator="super1")
    tab.refresh()
    qtbot.waitUntil(lambda: tab.busy == 0 and len(tab.open_reports) == 1, timeout=WAIT_MS)
    expected = "173.45"  # float 123.45 + cash payment 50.00
    assert any(expected in t for t in visible_texts(tab))  # the open-shifts table shows it

    qtbot.mouseClick(tab.start_count_button, Qt.MouseButton.LeftButton)
    assert not tab.x_button.isEnabled()
    assert not any(expected in t for t in visible_texts(tab))
    # neither the X read (its button is off, its slot refuses) nor a refresh brings it back
    tab.x_read()
    tab.refresh()
    qtbot.waitUntil(lambda: tab.busy == 0, timeout=WAIT_MS)
    assert tab.last_report is None
    assert not any(expected in t for t in visible_texts(tab))

    qtbot.keyClicks(tab.count_edit, "173.00")
    qtbot.mouseClick(tab.count_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.last_count is not None, timeout=WAIT_MS)
    assert tab.x_button.isEnabled()
    assert expected in tab.variance_label.text()


def test_the_x_read_names_the_channels_in_chinese(qtbot: Any, view_env: ViewEnv) -> None:
    """The X read's figures say 收费，柜台 — not the channel's code ("counter")."""
    import re

    from counter_app.ui.backoffice.shifts import ShiftsTab
    from counter_app.ui.resources import Language

    language = Language()
    assert language.install("zh_CN")
    try:
        env = view_env
        tab = ShiftsTab(env.ctx, env.users["super1"])
        qtbot.addWidget(tab)
        tab.show()
        qtbot.waitUntil(lambda: tab.busy == 0, timeout=WAIT_MS)
        qtbot.keyClicks(tab.float_edit, "100")
        qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: tab.current is not None and tab.busy == 0, timeout=WAIT_MS)
        env.services.payments.take_payment(env.customers[0], 5_000, operator="super1")
        qtbot.mouseClick(tab.x_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: tab.last_report is not None and tab.busy == 0, timeout=WAIT_MS)
        figures = [t for t in visible_texts(tab) if "收费" in t]
        assert figures and not any(re.search(r"[A-Za-z]{3,}", t) for t in figures), figures
    finally:
        language.install("en")
