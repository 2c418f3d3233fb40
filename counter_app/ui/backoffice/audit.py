"""The audit view for supervisors: who did what, when, at which counter, searchable (I3).

Filters (free text, person, counter, action, date range) go to `services.audit_view.search_as`,
which refuses anyone without ``view-audit``; the newest records come first. The text search
also looks inside the before/after data, so a receipt number, a meter address or an amount
in fen finds the records that carry it. Selecting a record shows its before/after in full.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from counter_app.services import audit, audit_view
from counter_app.services.audit import AuditEntry
from counter_app.services.auth import SignedInUser
from counter_app.ui.backoffice.audit_words import action_text, data_text
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.backoffice.office_jobs import local_time, run_db
from counter_app.ui.backoffice.widgets import (
    make_button,
    make_date_edit,
    make_label,
    make_table,
    set_row,
)

ANY = ""


class AuditFilters(TypedDict, total=False):
    """The audit view's filters, as ``services.audit.search`` takes them."""

    text: str
    actor: str
    counter_id: str
    action: str
    since: dt.datetime
    until: dt.datetime


def _local_day_bounds(day: dt.date, end: bool) -> dt.datetime:
    """The naive-UTC moment where a local day starts (or ends)."""
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time())
    return moment.astimezone().astimezone(dt.UTC).replace(tzinfo=None)


class AuditTab(QWidget):
    """See the module docstring."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("auditTab")
        self.ctx = ctx
        self.user = user
        self.busy = 0
        self.last_error: BaseException | None = None
        self.entries: list[AuditEntry] = []
        self.searches = 0

        self.text = QLineEdit(self)
        self.text.setObjectName("auditText")
        self.text.returnPressed.connect(self.search)
        self.actor = self._combo("auditActor")
        self.counter = self._combo("auditCounter")
        self.action = self._combo("auditAction")
        self.use_dates = QCheckBox(self)
        self.since = make_date_edit(self, -7)
        self.until = make_date_edit(self)
        self.search_button = make_button(self, "auditSearchButton", self.search)

        self.table = make_table(self, "auditTable", 6, select_rows=True)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("auditDetail")
        self.detail.setReadOnly(True)
        self.status = make_label(self, "auditStatus")

        # the free text has a row of its own (its hint is never cut), the choices the next
        search_row = QHBoxLayout()
        search_row.addWidget(self.text, 1)
        search_row.addWidget(self.search_button)
        choices = QHBoxLayout()
        choices.addWidget(self.actor, 1)
        choices.addWidget(self.counter, 1)
        choices.addWidget(self.action, 1)
        choices.addWidget(self.use_dates)
        choices.addWidget(self.since)
        choices.addWidget(self.until)
        filters = QVBoxLayout()
        filters.addLayout(search_row)
        filters.addLayout(choices)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self.retranslate()
        self.load_filters()
        self.search()

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.addItem("", ANY)
        return combo

    def retranslate(self) -> None:
        self.text.setPlaceholderText(
            self.tr("search: person, action, receipt, meter, amount in fen…")
        )
        for combo, text in (
            (self.actor, self.tr("any person")),
            (self.counter, self.tr("any counter")),
            (self.action, self.tr("any action")),
        ):
            combo.setItemText(0, text)
        self.use_dates.setText(self.tr("From"))
        self.search_button.setText(self.tr("Search"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("When"),
                self.tr("Who"),
                self.tr("Counter"),
                self.tr("Action"),
                self.tr("On"),
                self.tr("After"),
            ]
        )
        for i in range(1, self.action.count()):  # the codes stay the data, the words change
            self.action.setItemText(i, action_text(str(self.action.itemData(i))))
        if getattr(self, "entries", None):
            self._fill(self.entries)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_error(self, text: str) -> None:
        self.status.setText(text)

    def load_filters(self) -> None:
        def work() -> dict[str, list[str]]:
            return {c: audit.distinct_values(c) for c in ("actor", "counter_id", "action")}

        def done(values: dict[str, list[str]]) -> None:
            for combo, key in (
                (self.actor, "actor"),
                (self.counter, "counter_id"),
                (self.action, "action"),
            ):
                chosen = combo.currentData()
                while combo.count() > 1:
                    combo.removeItem(1)
                for v in values[key]:
                    combo.addItem(action_text(v) if key == "action" else v, v)
                index = combo.findData(chosen)
                combo.setCurrentIndex(max(index, 0))

        run_db(self, "audit-filters", work, done)

    def filters(self) -> AuditFilters:
        f: AuditFilters = {"text": self.text.text()}
        if self.actor.currentData():
            f["actor"] = str(self.actor.currentData())
        if self.counter.currentData():
            f["counter_id"] = str(self.counter.currentData())
        if self.action.currentData():
            f["action"] = str(self.action.currentData())
        if self.use_dates.isChecked():
            f["since"] = _local_day_bounds(self.since.date().toPython(), False)  # type: ignore[arg-type]
            f["until"] = _local_day_bounds(self.until.date().toPython(), True)  # type: ignore[arg-type]
        return f

    def search(self) -> None:
        filters = self.filters()
        run_db(
            self,
            "audit-search",
            lambda: audit_view.search_as(self.user, **filters),
            self._on_entries,
        )

    def _on_entries(self, entries: list[AuditEntry]) -> None:
        self.entries = entries
        self.searches += 1
        self._fill(entries)
        self.status.setText(self.tr("{count} records").format(count=len(entries)))
        self.detail.clear()

    def _fill(self, entries: list[AuditEntry]) -> None:
        self.table.setRowCount(len(entries))
        for i, e in enumerate(entries):
            values = [
                local_time(e.at),
                e.actor,
                e.counter_id,
                action_text(e.action),
                f"{e.entity} {e.entity_id}".strip(),
                data_text(e.after),
            ]
            set_row(self.table, i, values, tooltips=True)

    def _on_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.entries):
            return
        e = self.entries[rows[0].row()]
        self.detail.setPlainText(
            self.tr("Before:")
            + "\n"
            + (data_text(e.before, "\n") or "—")
            + "\n"
            + self.tr("After:")
            + "\n"
            + (data_text(e.after, "\n") or "—")
        )
