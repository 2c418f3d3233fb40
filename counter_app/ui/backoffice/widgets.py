"""Widget boilerplate shared by the back-office tabs.

Every tab shows read-only tables laid out the same way (no editing, no row numbers, columns
sized to their content with the last one stretched), named push buttons wired to one slot and
date pickers with a calendar; keeping that in one place keeps the tabs looking alike. The
helpers take already-translated text only: each ``tr()`` call stays in its own tab's class,
which is the context the translations are keyed by.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QDate
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

__all__ = ["make_button", "make_date_edit", "make_label", "make_table", "set_row"]


def make_label(parent: QWidget, object_name: str, *, wrap: bool = False) -> QLabel:
    """A named label (for a tab's status and figures); `wrap` breaks long text into lines."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    if wrap:
        label.setWordWrap(True)
    return label


def make_button(parent: QWidget, object_name: str, slot: Callable[[], object]) -> QPushButton:
    """A push button (its text is set by the tab's ``retranslate``) that calls `slot`."""
    button = QPushButton(parent)
    button.setObjectName(object_name)
    button.clicked.connect(slot)
    return button


def make_date_edit(parent: QWidget, days_from_today: int = 0) -> QDateEdit:
    """A date picker with a calendar pop-up, set `days_from_today` (negative: in the past)."""
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDate(QDate.currentDate().addDays(days_from_today))
    return edit


def make_table(
    parent: QWidget,
    object_name: str,
    columns: int,
    *,
    select_rows: bool = False,
    stretch_all: bool = False,
) -> QTableWidget:
    """A read-only table; `select_rows` picks one whole row at a time.

    `stretch_all` shares the width evenly between the columns instead of sizing them to
    their content and stretching the last one.
    """
    table = QTableWidget(0, columns, parent)
    table.setObjectName(object_name)
    if select_rows:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    if stretch_all:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    else:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
    return table


def set_row(
    table: QTableWidget,
    row: int,
    values: Sequence[str],
    *,
    tooltips: bool = False,
    colour: str | None = None,
) -> list[QTableWidgetItem]:
    """Fill one row with text cells (tooltips repeat the text; `colour` paints the text).

    The items are returned so that a tab can mark single cells further.
    """
    items: list[QTableWidgetItem] = []
    for col, value in enumerate(values):
        item = QTableWidgetItem(value)
        if tooltips:
            item.setToolTip(value)
        if colour is not None:
            item.setForeground(QBrush(QColor(colour)))
        table.setItem(row, col, item)
        items.append(item)
    return items
