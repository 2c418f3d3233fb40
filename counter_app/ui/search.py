"""Find the customer: by customer number, meter number, name or phone — or by the card.

Results come as you type, debounced (a query per pause, not per key), capped
(``counter_views.SEARCH_LIMIT``) and computed on the database thread; an answer to an older query
that arrives after a newer one was sent is dropped, so the list never jumps back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from counter_app.services import counter_views
from counter_app.ui.errors import explain
from counter_app.ui.workers import Workers

DEBOUNCE_MS = 250


class SearchPanel(QGroupBox):
    """Search box, results list and "read card"; emits ``sig_customer_chosen(customer_no)``."""

    sig_customer_chosen = Signal(str)
    sig_read_card_requested = Signal()

    def __init__(
        self,
        workers: Workers,
        search: Callable[[str], counter_views.SearchResult] = counter_views.search_customers,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self._workers = workers
        self._search = search
        self._sequence = 0
        self.last_result: counter_views.SearchResult | None = None

        self.edit = QLineEdit(self)
        self.edit.setObjectName("searchEdit")
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        self.read_card_button = QPushButton(self)
        self.read_card_button.setObjectName("readCardButton")
        self.read_card_button.clicked.connect(self.sig_read_card_requested)
        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        self.status.setWordWrap(True)
        self.model = QStandardItemModel(0, 4, self)
        self.table = QTableView(self)
        self.table.setObjectName("searchResults")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(lambda index: self._choose_row(index.row()))
        self.table.installEventFilter(self)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._run_query)
        self.edit.textChanged.connect(lambda _text: self._timer.start())
        self.edit.returnPressed.connect(self._on_return)

        # the field has the panel's whole width (its placeholder is never cut); the read-card
        # button sits under it, next to the result count
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.read_card_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Find customer (F2)"))
        # short enough for the field; the tooltip says how the search works
        self.edit.setPlaceholderText(self.tr("Customer, meter, name or phone"))
        self.edit.setToolTip(
            self.tr("Customer no., meter no., name or phone — results as you type")
        )
        self.read_card_button.setText(self.tr("Read card (F3)"))
        self.model.setHorizontalHeaderLabels(
            [self.tr("Customer no."), self.tr("Name"), self.tr("Phone"), self.tr("Meters")]
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def focus_search(self) -> None:
        self.edit.setFocus()
        self.edit.selectAll()

    def clear(self) -> None:
        self._sequence += 1  # answers to queries in flight are now stale
        self._timer.stop()
        self.edit.clear()
        self._timer.stop()
        self.model.removeRows(0, self.model.rowCount())
        self.status.clear()
        self.last_result = None

    def search_now(self, text: str) -> None:
        """Put ``text`` in the box and query at once (used after reading a card)."""
        self.edit.setText(text)
        self._timer.stop()
        self._run_query()

    def _run_query(self) -> None:
        text = self.edit.text()
        self._sequence += 1
        sequence = self._sequence
        if not text.strip():
            self.model.removeRows(0, self.model.rowCount())
            self.status.clear()
            return
        self.status.setText(self.tr("Searching…"))
        self._workers.submit(
            self._workers.db,
            "search",
            lambda _report: self._search(text),
            on_done=lambda result: self._on_result(sequence, result),
            on_error=lambda exc: self._on_error(sequence, exc),
        )

    def _on_result(self, sequence: int, result: counter_views.SearchResult) -> None:
        if sequence != self._sequence:
            return  # an older query answered late
        self.last_result = result
        self.model.removeRows(0, self.model.rowCount())
        for hit in result.hits:
            items = [
                QStandardItem(hit.customer_no),
                QStandardItem(hit.name),
                QStandardItem(hit.phone),
                QStandardItem(", ".join(hit.meter_nos)),
            ]
            items[0].setData(hit.customer_no, Qt.ItemDataRole.UserRole)
            self.model.appendRow(items)
        if not result.hits:
            self.status.setText(
                self.tr("No customer matches “{query}”.").format(query=result.query)
            )
        elif result.more:
            self.status.setText(
                self.tr("First {count} results; type more to narrow down.").format(
                    count=len(result.hits)
                )
            )
        else:
            self.status.setText(
                self.tr("{count} result(s). ↓ to choose, Enter to open.").format(
                    count=len(result.hits)
                )
            )
        self.table.resizeColumnsToContents()
        if result.hits:
            self.table.selectRow(0)
        if self._pending_open:
            self._pending_open = False
            if len(result.hits) == 1:
                self._open_selected()

    def _on_error(self, sequence: int, exc: BaseException) -> None:
        if sequence == self._sequence:
            self.status.setText(explain(exc) or self.tr("Search failed: {error}").format(error=exc))

    def _on_return(self) -> None:
        """Enter in the box: open the only (or selected) result once the query is answered."""
        if self._timer.isActive():
            self._timer.stop()
            self._run_query()
            self._pending_open = True
            return
        self._open_selected()

    _pending_open = False

    def _open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else (0 if self.model.rowCount() else -1)
        if row >= 0:
            self._choose_row(row)

    def _choose_row(self, row: int) -> None:
        item = self.model.item(row, 0)
        if item is not None:
            self.sig_customer_chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.edit and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self.table.setFocus()
                current = self.table.currentIndex().row()
                step = 1 if key == Qt.Key.Key_Down else -1
                self.table.selectRow(max(0, min(self.model.rowCount() - 1, current + step)))
                return True
            if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open_selected()
                return True
        return super().eventFilter(watched, event)
