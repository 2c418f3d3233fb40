"""Shifts and cash: open with a float, cash in/out, X read, blind count, Z close, open shifts.

The teller's part ("My shift") follows the order of a mature POS: open with the float; cash
in/out with a reason; an X read whenever wanted; then **Start blind count**, which clears
every figure from the screen, and the teller types what the drawer holds. Only when that
count is stored (`ShiftService.record_blind_count`: once, it cannot be typed again) does the
tab show the expected cash and the variance; a short or over drawer needs a reason to close
(Z). The Z close writes the shift summary PDF (`services.shift_summary`) next to the
counter's data, with the same totals as the screen: both come from one ledger.

Supervisors also see "Open shifts": every live shift of every counter with its figures so
far (`ShiftService.open_shifts`, which the services refuse to anyone else).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.auth import Action, SignedInUser
from counter_app.services.shift_summary import write_shift_summary
from counter_app.services.shifts import (
    CountResult,
    ShiftReport,
    ShiftView,
    UncoveredMoney,
)
from counter_app.ui import texts
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.backoffice.office_jobs import describe, format_fen, local_time, run_db
from counter_app.ui.backoffice.widgets import make_button, make_label, make_table, set_row

SUPERVISED_COLUMNS = 10


def start_of_local_day() -> dt.datetime:
    """Local midnight today as naive UTC (the form the database holds)."""
    midnight = dt.datetime.combine(dt.date.today(), dt.time()).astimezone()
    return midnight.astimezone(dt.UTC).replace(tzinfo=None)


class ShiftsTab(QWidget):
    """See the module docstring."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("shiftsTab")
        self.ctx = ctx
        self.user = user
        self.service = ctx.services.shifts
        self.busy = 0
        self.last_error: BaseException | None = None
        self.current: ShiftView | None = None
        self.last_report: ShiftReport | None = None
        self.last_count: CountResult | None = None
        self.last_pdf: Path | None = None
        self.open_reports: list[ShiftReport] = []
        self.counting = False
        self.works_shift = bool(user.may(Action.OPEN_SHIFT))
        self.supervises = bool(user.may(Action.VIEW_OPEN_SHIFTS))

        # -- my shift ----------------------------------------------------------------------
        self.mine = QGroupBox(self)
        self.state_label = make_label(self, "shiftState")
        self.float_caption = QLabel(self)
        self.float_edit = QLineEdit(self)
        self.float_edit.setObjectName("floatAmount")
        self.open_button = make_button(self, "openShiftButton", self.open_shift)

        self.cash_caption = QLabel(self)
        self.direction = QComboBox(self)
        self.direction.setObjectName("cashDirection")
        self.cash_amount = QLineEdit(self)
        self.cash_amount.setObjectName("cashAmount")
        self.cash_reason = QLineEdit(self)
        self.cash_reason.setObjectName("cashReason")
        self.cash_button = make_button(self, "cashButton", self.record_cash)

        self.x_button = make_button(self, "xReadButton", self.x_read)
        self.start_count_button = make_button(self, "startCountButton", self.start_blind_count)
        self.count_caption = QLabel(self)
        self.count_edit = QLineEdit(self)
        self.count_edit.setObjectName("countedAmount")
        self.count_button = make_button(self, "recordCountButton", self.record_count)
        self.variance_label = make_label(self, "varianceLabel")
        self.reason_caption = QLabel(self)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("varianceReason")
        self.close_button = make_button(self, "closeShiftButton", self.close_shift)

        self.figures = make_table(self, "shiftFigures", 2, stretch_all=True)
        # Enter in a field submits its form, as at the counter
        self.float_edit.returnPressed.connect(self.open_shift)
        self.cash_amount.returnPressed.connect(self.record_cash)
        self.cash_reason.returnPressed.connect(self.record_cash)
        self.count_edit.returnPressed.connect(self.record_count)
        self.reason_edit.returnPressed.connect(self.close_shift)

        grid = QGridLayout(self.mine)
        grid.addWidget(self.state_label, 0, 0, 1, 5)
        grid.addWidget(self.float_caption, 1, 0)
        grid.addWidget(self.float_edit, 1, 1)
        grid.addWidget(self.open_button, 1, 2)
        grid.addWidget(self.cash_caption, 2, 0)
        grid.addWidget(self.direction, 2, 1)
        grid.addWidget(self.cash_amount, 2, 2)
        grid.addWidget(self.cash_reason, 2, 3)
        grid.addWidget(self.cash_button, 2, 4)
        grid.addWidget(self.x_button, 3, 0)
        grid.addWidget(self.start_count_button, 3, 1)
        grid.addWidget(self.count_caption, 4, 0)
        grid.addWidget(self.count_edit, 4, 1)
        grid.addWidget(self.count_button, 4, 2)
        grid.addWidget(self.variance_label, 5, 0, 1, 5)
        grid.addWidget(self.reason_caption, 6, 0)
        grid.addWidget(self.reason_edit, 6, 1, 1, 3)
        grid.addWidget(self.close_button, 6, 4)
        grid.addWidget(self.figures, 7, 0, 1, 5)

        # -- every open shift (supervisors) -----------------------------------------------
        self.supervised = QGroupBox(self)
        self.refresh_button = make_button(self, "refreshShiftsButton", self.refresh_open_shifts)
        self.open_table = make_table(self, "openShiftsTable", SUPERVISED_COLUMNS)
        sup_layout = QVBoxLayout(self.supervised)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        sup_layout.addLayout(row)
        sup_layout.addWidget(self.open_table)
        self.outside_label = make_label(self, "outsideShifts", wrap=True)
        sup_layout.addWidget(self.outside_label)
        self.outside: list[UncoveredMoney] = []

        self.status = make_label(self, "shiftStatus", wrap=True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.mine, 3)
        layout.addWidget(self.supervised, 2)
        layout.addWidget(self.status)
        self.mine.setVisible(self.works_shift)

        self.retranslate()
        self.refresh()

    # -- texts -----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.mine.setTitle(self.tr("My shift"))
        self.float_caption.setText(self.tr("Float (yuan)"))
        self.open_button.setText(self.tr("Open shift"))
        self.cash_caption.setText(self.tr("Cash in/out"))
        current = self.direction.currentIndex()
        self.direction.clear()
        self.direction.addItem(self.tr("Cash in"), "in")
        self.direction.addItem(self.tr("Cash out"), "out")
        self.direction.setCurrentIndex(max(current, 0))
        self.cash_amount.setPlaceholderText(self.tr("amount (yuan)"))
        self.cash_reason.setPlaceholderText(self.tr("reason (required)"))
        self.cash_button.setText(self.tr("Record"))
        self.x_button.setText(self.tr("X read (mid-shift)"))
        self.start_count_button.setText(self.tr("Start blind count"))
        self.count_caption.setText(self.tr("Counted cash (yuan)"))
        self.count_button.setText(self.tr("Record count"))
        self.reason_caption.setText(self.tr("Reason for short/over"))
        self.close_button.setText(self.tr("Close shift (Z)"))
        self.figures.setHorizontalHeaderLabels([self.tr("Figure"), self.tr("Yuan")])
        self.supervised.setTitle(self.tr("Open shifts (all counters)"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.open_table.setHorizontalHeaderLabels(
            [
                self.tr("Shift"),
                self.tr("Teller"),
                self.tr("Counter"),
                self.tr("State"),
                self.tr("Opened"),
                self.tr("Float"),
                self.tr("Payments"),
                self.tr("Refunds"),
                self.tr("Cash in/out"),
                self.tr("Expected cash"),
            ]
        )
        self._show_state()
        if self.last_report is not None and not self.counting:
            self._show_figures(self.last_report)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_error(self, text: str) -> None:
        self.status.setText(text)

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # -- state -----------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.works_shift:
            run_db(
                self,
                "current-shift",
                lambda: self.service.current_shift(self.user),
                self._on_current,
            )
        if self.supervises:
            self.refresh_open_shifts()

    def _on_current(self, view: ShiftView | None) -> None:
        self.current = view
        if view is not None and view.state == "counted" and self.last_count is None:
            self.last_count = CountResult(
                view.id,
                int(view.counted_fen or 0),
                int(view.expected_fen or 0),
                int(view.variance_fen or 0),
                "short"
                if (view.variance_fen or 0) < 0
                else "over"
                if view.variance_fen
                else "exact",
                bool(view.variance_fen),
            )
        self._show_state()

    def _show_state(self) -> None:
        view = self.current
        state = view.state if view is not None else None
        if view is None:
            self.state_label.setText(self.tr("No shift is open for you at this counter."))
        elif state == "open":
            self.state_label.setText(
                self.tr("Shift {id} open since {opened}, float {float} yuan").format(
                    id=view.id, opened=local_time(view.opened_at), float=format_fen(view.float_fen)
                )
            )
        else:
            self.state_label.setText(
                self.tr("Shift {id} counted: close it with the Z read").format(id=view.id)
            )
        self.float_edit.setEnabled(view is None)
        self.open_button.setEnabled(view is None)
        for w in (self.cash_amount, self.cash_reason, self.cash_button, self.direction):
            w.setEnabled(state == "open")
        # a blind count is blind: no X read, no expected cash anywhere until the count is stored
        self.x_button.setEnabled(view is not None and not self.counting)
        self.start_count_button.setEnabled(state == "open" and not self.counting)
        self.supervised.setVisible(self.supervises and not self.counting)
        self.count_edit.setVisible(self.counting)
        self.count_caption.setVisible(self.counting)
        self.count_button.setVisible(self.counting)
        closing = state == "counted"
        for widget in (
            self.reason_caption,
            self.reason_edit,
            self.close_button,
            self.variance_label,
        ):
            widget.setVisible(closing)
        if closing and self.last_count is not None:
            c = self.last_count
            kind = {
                "short": self.tr("short"),
                "over": self.tr("over"),
                "exact": self.tr("exact"),
            }[c.kind]
            self.variance_label.setText(
                self.tr(
                    "Counted {counted} yuan, expected {expected} yuan: {kind} {variance} yuan"
                ).format(
                    counted=format_fen(c.counted_fen),
                    expected=format_fen(c.expected_fen),
                    kind=kind,
                    variance=format_fen(c.variance_fen),
                )
            )

    def _show_figures(self, report: ShiftReport) -> None:
        led = report.ledger
        rows: list[tuple[str, int]] = [(self.tr("Float"), led.float_fen)]
        for ch in led.by_channel:
            rows.append(
                (
                    self.tr("Payments, {channel} ({count})").format(
                        channel=texts.channel(ch.channel), count=ch.count
                    ),
                    ch.amount_fen,
                )
            )
        rows += [
            (self.tr("Cash payments"), led.cash_payments_fen),
            (self.tr("Refunds ({count})").format(count=led.refund_count), led.refunds_fen),
            (self.tr("Cash in ({count})").format(count=led.cash_in_count), led.cash_in_fen),
            (self.tr("Cash out ({count})").format(count=led.cash_out_count), led.cash_out_fen),
            (self.tr("Expected cash"), led.expected_cash_fen),
        ]
        v = report.variance
        if v is not None:
            rows += [(self.tr("Counted cash"), v.counted_fen), (self.tr("Variance"), v.fen)]
        self.figures.setRowCount(len(rows))
        for i, (label, fen) in enumerate(rows):
            set_row(self.figures, i, [label, format_fen(fen)])

    def _clear_figures(self) -> None:
        self.figures.setRowCount(0)

    # -- actions ---------------------------------------------------------------------------
    def _amount(self, edit: QLineEdit) -> int | None:
        from counter_app.ui.backoffice.office_jobs import parse_amount

        try:
            return parse_amount(edit.text().strip())
        except Exception as exc:  # InvalidAmount: say why, change nothing
            self.last_error = exc
            self.show_error(describe(exc))
            return None

    def open_shift(self) -> None:
        fen = self._amount(self.float_edit)
        if fen is None:
            return
        self.last_count = None
        self.last_report = None
        self.last_pdf = None

        def done(view: ShiftView) -> None:
            self.current = view
            self.float_edit.clear()
            self._clear_figures()
            self._say(self.tr("Shift {id} opened.").format(id=view.id))
            self._show_state()
            if self.supervises:
                self.refresh_open_shifts()

        run_db(self, "open-shift", lambda: self.service.open_shift(self.user, fen), done)

    def record_cash(self) -> None:
        if self.current is None:
            return
        fen = self._amount(self.cash_amount)
        if fen is None:
            return
        direction = str(self.direction.currentData())
        reason = self.cash_reason.text()
        shift_id = self.current.id

        def done(_movement_id: int) -> None:
            self.cash_amount.clear()
            self.cash_reason.clear()
            self._say(
                self.tr("Cash {direction} of {amount} yuan recorded.").format(
                    direction=self.direction.currentText(), amount=format_fen(fen)
                )
            )

        run_db(
            self,
            "cash-movement",
            lambda: self.service.cash_movement(self.user, shift_id, direction, fen, reason),
            done,
        )

    def x_read(self) -> None:
        if self.current is None or self.counting:
            return
        shift_id = self.current.id

        def done(report: ShiftReport) -> None:
            if self.counting:
                return  # the read answered after the blind count began: it stays unseen
            self.last_report = report
            self._show_figures(report)
            self._say(
                self.tr("X read of shift {id} at {time}.").format(
                    id=report.shift.id, time=local_time(report.until)
                )
            )

        run_db(self, "x-read", lambda: self.service.x_read(self.user, shift_id), done)

    def start_blind_count(self) -> None:
        """Blind count: every figure leaves the screen before the teller counts."""
        self.counting = True
        self._clear_figures()
        self.last_report = None
        self.count_edit.clear()
        self._show_state()
        self.count_edit.setFocus()
        self._say(
            self.tr(
                "Count the drawer and type what it holds; the expected cash is shown afterwards."
            )
        )

    def record_count(self) -> None:
        if self.current is None:
            return
        fen = self._amount(self.count_edit)
        if fen is None:
            return
        shift_id = self.current.id

        def done(result: CountResult) -> None:
            self.counting = False
            self.last_count = result
            self.count_edit.clear()
            self.current = self.service_view_after_count(result)
            self._show_state()
            self._say(self.tr("Blind count recorded; it cannot be changed."))
            self.reason_edit.setFocus()

        run_db(
            self,
            "blind-count",
            lambda: self.service.record_blind_count(self.user, shift_id, fen),
            done,
        )

    def service_view_after_count(self, result: CountResult) -> ShiftView | None:
        view = self.current
        if view is None:
            return None
        from dataclasses import replace

        return replace(
            view,
            state="counted",
            counted_fen=result.counted_fen,
            expected_fen=result.expected_fen,
            variance_fen=result.variance_fen,
        )

    def _pdf_dir(self) -> Path:
        base = self.ctx.data_dir
        if base is None:
            from counter_app.config import data_dir

            base = data_dir()
        return Path(base) / "shift-reports"

    def close_shift(self) -> None:
        if self.current is None:
            return
        shift_id = self.current.id
        reason = self.reason_edit.text()
        target = self._pdf_dir() / f"shift-{shift_id}-z.pdf"

        def work() -> tuple[ShiftReport, Path]:
            report = self.service.close_shift(self.user, shift_id, reason)
            return report, write_shift_summary(report, target)

        def done(result: tuple[ShiftReport, Path]) -> None:
            report, path = result
            self.last_report = report
            self.last_pdf = path
            self.current = None
            self.last_count = None
            self.reason_edit.clear()
            self._show_figures(report)
            self._show_state()
            self._say(
                self.tr("Shift {id} closed. Summary: {path}").format(id=report.shift.id, path=path)
            )
            if self.supervises:
                self.refresh_open_shifts()

        run_db(self, "close-shift", work, done)

    # -- supervisors -----------------------------------------------------------------------
    def state_text(self, state: str) -> str:
        return {
            "open": self.tr("open"),
            "counted": self.tr("counted, not closed"),
            "closed": self.tr("closed"),
        }.get(state, state)

    def refresh_open_shifts(self) -> None:
        run_db(self, "open-shifts", lambda: self.service.open_shifts(self.user), self._on_open)
        since = start_of_local_day()
        run_db(
            self,
            "outside-shifts",
            lambda: self.service.payments_outside_shifts(self.user, since),
            self._on_outside,
        )

    def _on_outside(self, lines: list[UncoveredMoney]) -> None:
        self.outside = lines
        if not lines:
            self.outside_label.setText(self.tr("Today every counter payment belongs to a shift."))
            return
        paid = sum(u.amount_fen for u in lines if u.kind == "payment")
        refunded = sum(u.amount_fen for u in lines if u.kind == "refund")
        people = ", ".join(sorted({f"{u.operator}@{u.counter_id}" for u in lines}))
        self.outside_label.setText(
            self.tr(
                "Today outside any shift: {count} counter payments/refunds "
                "(paid {paid} yuan, refunded {refunded} yuan) by {people}."
            ).format(
                count=len(lines),
                paid=format_fen(paid),
                refunded=format_fen(refunded),
                people=people,
            )
        )

    def _on_open(self, reports: list[ShiftReport]) -> None:
        self.open_reports = reports
        self.open_table.setRowCount(len(reports))
        for i, r in enumerate(reports):
            led = r.ledger
            values = [
                str(r.shift.id),
                r.shift.operator,
                r.shift.counter_id,
                self.state_text(r.shift.state),
                local_time(r.shift.opened_at, "%m-%d %H:%M"),
                format_fen(led.float_fen),
                f"{format_fen(led.payments_fen)} ({led.payment_count})",
                f"{format_fen(led.refunds_fen)} ({led.refund_count})",
                f"+{format_fen(led.cash_in_fen)} / -{format_fen(led.cash_out_fen)}",
                format_fen(led.expected_cash_fen),
            ]
            set_row(self.open_table, i, values)
