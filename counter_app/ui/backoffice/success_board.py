"""The success board: remote-purchase success rate by path, cause, day and meter, with a chart.

The four cumulative rates of `core.success_stats` (first attempt, within 3 attempts, after
work orders, eventually — including the card path) head the tab; below them the failures by
cause (the meter link's `DispatchOutcome` values), a QtCharts stacked bar chart of the paths
by day, and tables by day and by meter. "Export CSV" writes exactly what is shown
(`services.success_board.board_csv`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.success_stats import FAILURE_CAUSES, PurchasePath, SuccessStats
from counter_app.services.auth import SignedInUser
from counter_app.services.success_board import Board, write_csv
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.backoffice.office_jobs import run_db
from counter_app.ui.backoffice.widgets import (
    make_button,
    make_date_edit,
    make_label,
    make_table,
    set_row,
)

PATHS = (
    PurchasePath.FIRST_ATTEMPT,
    PurchasePath.WITHIN_THREE,
    PurchasePath.AFTER_WORK_ORDER,
    PurchasePath.BY_CARD,
    PurchasePath.PENDING,
    PurchasePath.REVERSED,
)


class SuccessBoardTab(QWidget):
    """See the module docstring."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("successBoardTab")
        self.ctx = ctx
        self.user = user
        self.service = ctx.services.success_board
        self.busy = 0
        self.last_error: BaseException | None = None
        self.board: Board | None = None
        self.last_csv: Path | None = None

        self.use_range = QCheckBox(self)
        self.since = make_date_edit(self, -30)
        self.until = make_date_edit(self)
        self.refresh_button = make_button(self, "refreshBoardButton", self.refresh)
        self.export_button = make_button(self, "exportCsvButton", lambda: self.export_csv())

        self.rates = make_label(self, "successRates", wrap=True)
        self.failures = make_label(self, "failuresByCause", wrap=True)

        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart, self)
        self.chart_view.setObjectName("successChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(220)

        self.day_table = self._table("boardByDay")
        self.meter_table = self._table("boardByMeter")
        self.status = make_label(self, "boardStatus", wrap=True)

        top = QHBoxLayout()
        top.addWidget(self.use_range)
        top.addWidget(self.since)
        top.addWidget(self.until)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)
        tables = QSplitter(Qt.Orientation.Horizontal, self)
        tables.addWidget(self.day_table)
        tables.addWidget(self.meter_table)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.rates)
        layout.addWidget(self.failures)
        layout.addWidget(self.chart_view, 3)
        layout.addWidget(tables, 2)
        layout.addWidget(self.status)
        self.retranslate()
        self.refresh()

    def _table(self, name: str) -> QTableWidget:
        return make_table(self, name, 7)

    # -- texts -----------------------------------------------------------------------------
    def path_text(self, path: PurchasePath) -> str:
        return {
            PurchasePath.FIRST_ATTEMPT: self.tr("First attempt"),
            PurchasePath.WITHIN_THREE: self.tr("Attempt 2 or 3"),
            PurchasePath.AFTER_WORK_ORDER: self.tr("After work orders"),
            PurchasePath.BY_CARD: self.tr("Loaded by card"),
            PurchasePath.PENDING: self.tr("Not loaded yet"),
            PurchasePath.REVERSED: self.tr("Reversed"),
        }[path]

    def cause_text(self, cause: str) -> str:
        return {
            "terminal-offline": self.tr("terminal offline"),
            "route-lost": self.tr("carrier route lost"),
            "meter-silent": self.tr("meter silent"),
            "channel-failure": self.tr("channel failure"),
            "count-mismatch": self.tr("count mismatch"),
            "security-refusal": self.tr("security refusal"),
            "hoarding-limit": self.tr("hoarding limit"),
            "timeout": self.tr("timeout"),
            "unresolved": self.tr("link broke (unresolved)"),
            "other": self.tr("other"),
        }.get(cause, cause)

    def retranslate(self) -> None:
        self.use_range.setText(self.tr("Only from"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.export_button.setText(self.tr("Export CSV"))
        headers = [
            self.tr("Dispatched"),
            self.tr("First attempt %"),
            self.tr("Within 3 %"),
            self.tr("After work orders %"),
            self.tr("Eventually %"),
            self.tr("Failed dispatches"),
        ]
        self.day_table.setHorizontalHeaderLabels([self.tr("Day"), *headers])
        self.meter_table.setHorizontalHeaderLabels([self.tr("Meter"), *headers])
        self.chart.setTitle(self.tr("How remote purchases reached the meter, by day"))
        if self.board is not None:
            self._show(self.board)
        else:
            self.rates.setText(self.tr("Loading…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_error(self, text: str) -> None:
        self.status.setText(text)

    # -- data ------------------------------------------------------------------------------
    def _range(self) -> tuple[dt.date | None, dt.date | None]:
        if not self.use_range.isChecked():
            return None, None
        return self.since.date().toPython(), self.until.date().toPython()  # type: ignore[return-value]

    def refresh(self) -> None:
        since, until = self._range()
        run_db(
            self,
            "success-board",
            lambda: self.service.board(self.user, since, until),
            self._on_board,
        )

    def _on_board(self, board: Board) -> None:
        self.board = board
        self._show(board)

    def _show(self, board: Board) -> None:
        o = board.overall
        self.rates.setText(
            self.tr(
                "{total} remote purchases dispatched. First attempt {first}%, within 3 attempts "
                "{three}%, after work orders {after}%, eventually loaded (incl. card) {ever}%."
            ).format(
                total=o.total,
                first=f"{o.first_attempt_rate:.1f}",
                three=f"{o.within_three_rate:.1f}",
                after=f"{o.after_work_orders_rate:.1f}",
                ever=f"{o.eventually_rate:.1f}",
            )
        )
        causes = ", ".join(
            f"{self.cause_text(c)} {o.failures[c]}" for c in FAILURE_CAUSES if o.failures.get(c)
        )
        self.failures.setText(
            self.tr("Failed dispatches by cause: {causes}").format(causes=causes or "—")
        )
        self._fill(self.day_table, [(d.isoformat(), s) for d, s in board.by_day])
        self._fill(self.meter_table, list(board.by_meter))
        self._chart(board)

    def _fill(self, table: QTableWidget, rows: list[tuple[str, SuccessStats]]) -> None:
        table.setRowCount(len(rows))
        for i, (key, s) in enumerate(rows):
            values = [
                key,
                str(s.total),
                f"{s.first_attempt_rate:.1f}",
                f"{s.within_three_rate:.1f}",
                f"{s.after_work_orders_rate:.1f}",
                f"{s.eventually_rate:.1f}",
                str(s.failed_rounds),
            ]
            set_row(table, i, values)

    def _chart(self, board: Board) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        series = QStackedBarSeries()
        for path in PATHS:
            bar = QBarSet(self.path_text(path))
            for _day, s in board.by_day:
                bar.append(s.count(path))
            series.append(bar)
        self.chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([d.strftime("%m-%d") for d, _ in board.by_day])
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        values = QValueAxis()
        values.setLabelFormat("%d")
        values.setMin(0)
        top = max([s.total for _, s in board.by_day] + [1])
        values.setMax(top)
        if top <= 10:
            values.setTickCount(top + 1)  # whole purchases: one tick per purchase
        else:
            values.applyNiceNumbers()
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(values)

    def chart_counts(self) -> dict[str, list[int]]:
        """What the chart draws: path label -> counts by day (for tests and screenshots)."""
        out: dict[str, list[int]] = {}
        for series in self.chart.series():
            for bar in series.barSets():  # type: ignore[attr-defined]
                out[bar.label()] = [int(bar.at(i)) for i in range(bar.count())]
        return out

    def export_csv(self, path: Path | None = None) -> Path | None:
        """Write the board shown now as CSV (asks for a file when `path` is None)."""
        if self.board is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export CSV"), "success-board.csv", "CSV (*.csv)"
            )
            if not chosen:
                return None
            path = Path(chosen)
        self.last_csv = write_csv(self.board, path)
        self.status.setText(self.tr("Exported to {path}").format(path=self.last_csv))
        return self.last_csv
