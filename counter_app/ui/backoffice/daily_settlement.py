"""The supervisor's end of day (日结) across every counter of the hall.

One screen: every shift of the day with its expected and counted cash and what goes to the
bank, the day's totals by channel, reversals, and every difference explained (short or over
drawers with their reason, cash taken outside any shift). "Issue deposit slip" settles the
day — refused while a drawer is still open — and writes the slip (缴款单) PDF next to the
counter's data. The figures are the service's (`services.daily_settlement`), the same ones
``counterctl day`` prints.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from counter_app.services.auth import SignedInUser
from counter_app.services.daily_settlement import DaySettlement
from counter_app.ui import texts
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.backoffice.office_jobs import format_fen, local_time, run_db
from counter_app.ui.backoffice.widgets import (
    make_button,
    make_date_edit,
    make_label,
    make_table,
    set_row,
)


class DailySettlementTab(QWidget):
    """See the module docstring."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dailySettlementTab")
        self.ctx = ctx
        self.user = user
        self.service = ctx.services.daily_settlement
        self.busy = 0
        self.last_error: BaseException | None = None
        self.settlement: DaySettlement | None = None
        self.last_slip: Path | None = None

        self.day_caption = QLabel(self)
        self.day = make_date_edit(self)
        self.day.setObjectName("settlementDay")
        self.day.dateChanged.connect(lambda _d: self.refresh())
        self.slip_button = make_button(self, "depositSlipButton", self.issue_slip)
        self.state_label = make_label(self, "settlementState", wrap=True)
        self.shifts_table = make_table(self, "settlementShifts", 7)
        self.channels_table = make_table(self, "settlementChannels", 3)
        self.differences_table = make_table(self, "settlementDifferences", 4)
        self.totals_label = make_label(self, "settlementTotals", wrap=True)
        self.status = make_label(self, "settlementStatus", wrap=True)

        top = QHBoxLayout()
        top.addWidget(self.day_caption)
        top.addWidget(self.day)
        top.addStretch(1)
        top.addWidget(self.slip_button)
        middle = QHBoxLayout()
        middle.addWidget(self.channels_table, 1)
        middle.addWidget(self.differences_table, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.state_label)
        layout.addWidget(self.shifts_table, 2)
        layout.addLayout(middle, 1)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.status)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.day_caption.setText(self.tr("Day"))
        self.slip_button.setText(self.tr("Settle the day and issue the deposit slip"))
        self.shifts_table.setHorizontalHeaderLabels(
            [
                self.tr("Shift"),
                self.tr("Counter"),
                self.tr("Teller"),
                self.tr("State"),
                self.tr("Expected cash"),
                self.tr("Counted"),
                self.tr("To the bank"),
            ]
        )
        self.channels_table.setHorizontalHeaderLabels(
            [self.tr("Channel"), self.tr("Payments"), self.tr("Yuan")]
        )
        self.differences_table.setHorizontalHeaderLabels(
            [self.tr("Difference"), self.tr("Who"), self.tr("Yuan"), self.tr("Explanation")]
        )
        if self.settlement is not None:
            self._show(self.settlement)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_error(self, text: str) -> None:
        self.status.setText(text)

    def chosen_day(self) -> dt.date:
        return self.day.date().toPython()  # type: ignore[return-value]

    def refresh(self) -> None:
        day = self.chosen_day()
        run_db(
            self, "daily-settlement", lambda: self.service.settlement(self.user, day), self._show
        )

    def _show(self, s: DaySettlement) -> None:
        self.settlement = s
        if s.settled:
            self.state_label.setText(self.tr("Every drawer of the day is counted and closed."))
        else:
            self.state_label.setText(
                self.tr(
                    "{count} shift(s) still open: close them (Z) before settling the day."
                ).format(count=len(s.open_shifts))
            )
        self.slip_button.setEnabled(s.settled)
        self.shifts_table.setRowCount(len(s.shifts))
        for i, d in enumerate(s.shifts):
            sh, led = d.report.shift, d.report.ledger
            set_row(
                self.shifts_table,
                i,
                [
                    str(sh.id),
                    sh.counter_id,
                    sh.operator,
                    self.tr("closed") if d.closed else self.tr("open"),
                    format_fen(led.expected_cash_fen),
                    format_fen(sh.counted_fen) if sh.counted_fen is not None else "—",
                    format_fen(d.to_bank_fen),
                ],
            )
        self.channels_table.setRowCount(len(s.channels))
        for i, c in enumerate(s.channels):
            set_row(
                self.channels_table,
                i,
                [texts.channel(c.channel), str(c.count), format_fen(c.amount_fen)],
            )
        kinds = {
            "short": self.tr("short"),
            "over": self.tr("over"),
            "open-shift": self.tr("shift not closed"),
            "outside-shift": self.tr("taken outside any shift"),
        }
        rows: list[list[str]] = []
        for diff in s.differences:
            if diff.kind in ("short", "over"):
                why = diff.explanation
            elif diff.kind == "open-shift":
                why = self.tr("its cash is not counted yet")
            else:
                why = ""
            rows.append(
                [kinds.get(diff.kind, diff.kind), diff.who, format_fen(diff.amount_fen), why]
            )
        outside = iter(s.outside)
        for row, diff in zip(rows, s.differences, strict=True):
            if diff.kind == "outside-shift":
                u = next(outside)
                row[3] = self.tr("receipt {receipt_no} at {time}").format(
                    receipt_no=u.receipt_no, time=local_time(u.at, "%H:%M")
                )
        self.differences_table.setRowCount(len(rows))
        for i, values in enumerate(rows):
            set_row(self.differences_table, i, values, tooltips=True)
        self.totals_label.setText(
            self.tr(
                "Payments {payments} yuan, reversals {refunds} yuan ({reversals}); counted "
                "{counted} yuan, floats kept {floats} yuan, difference {variance} yuan; "
                "to the bank {bank} yuan. Outside any shift: {outside}."
            ).format(
                payments=format_fen(s.payments_fen),
                refunds=format_fen(s.refunds_fen),
                reversals=len(s.reversals),
                counted=format_fen(s.counted_fen),
                floats=format_fen(s.floats_fen),
                variance=format_fen(s.variance_fen),
                bank=format_fen(s.to_bank_fen),
                outside=len(s.outside),
            )
        )

    def _slip_dir(self) -> Path:
        base = self.ctx.data_dir
        if base is None:
            from counter_app.config import data_dir

            base = data_dir()
        return Path(base) / "deposit-slips"

    def issue_slip(self) -> None:
        day = self.chosen_day()
        target = self._slip_dir() / f"deposit-slip-{day.isoformat()}.pdf"
        desk = self.ctx.desk
        hall = getattr(desk, "hall", "")
        supplier = getattr(desk, "supplier", "")

        def done(result: tuple[DaySettlement, Path]) -> None:
            settlement, path = result
            self.last_slip = path
            self._show(settlement)
            self.status.setText(self.tr("Day settled. Deposit slip: {path}").format(path=path))

        run_db(
            self,
            "deposit-slip",
            lambda: self.service.issue_deposit_slip(
                self.user, day, target, hall=hall, supplier=supplier
            ),
            done,
        )
