"""The account view: what the customer owes, what is waiting, each meter, recent history.

Every figure comes from one ``counter_views.Account`` read on the database thread; the view only
lays it out. Below the meters, the collection system's knowledge of each remote meter's
channel (last good read, failures today), asked for off the GUI thread; a channel that
failed repeatedly today comes with the suggestion to write a card instead, before the
customer leaves. Arrears show red, a tripped relay says so, and each purchase shows its outcome
and reason so the teller can answer "where is my money?".
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QResizeEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.channel_health import suggests_card
from counter_app.services.counter_views import Account
from counter_app.services.ports import ChannelHealth
from counter_app.ui import texts


def _table(name: str, parent: QWidget) -> tuple[QTableView, QStandardItemModel]:
    model = QStandardItemModel(0, 0, parent)
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view, model


def _row(*values: str) -> list[QStandardItem]:
    return [QStandardItem(v) for v in values]


class AccountView(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accountView")
        self.account: Account | None = None

        self.name_label = QLabel(self)
        self.name_label.setObjectName("customerName")
        self.detail_label = QLabel(self)
        self.detail_label.setObjectName("customerDetail")
        self.detail_label.setWordWrap(True)
        self.arrears_caption = QLabel(self)
        self.arrears_value = QLabel("—", self)
        self.arrears_value.setObjectName("arrearsValue")
        self.arrears_value.setProperty("class", "figure")
        self.prepayment_caption = QLabel(self)
        self.prepayment_value = QLabel("—", self)
        self.prepayment_value.setObjectName("prepaymentValue")
        self.prepayment_value.setProperty("class", "figure")

        self.meters_view, self.meters = _table("metersTable", self)
        self.channel_label = QLabel(self)
        self.channel_label.setObjectName("channelHealth")
        self.channel_label.setWordWrap(True)
        self.channel_label.hide()
        self.channel_health: dict[str, object] = {}
        self.suggests_card = False
        self.payments_view, self.payments = _table("paymentsTable", self)
        self.purchases_view, self.purchases = _table("purchasesTable", self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.payments_view, "")
        self.tabs.addTab(self.purchases_view, "")

        figures = QGridLayout()
        figures.addWidget(self.arrears_caption, 0, 0)
        figures.addWidget(self.arrears_value, 1, 0)
        figures.addWidget(self.prepayment_caption, 0, 1)
        figures.addWidget(self.prepayment_value, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.name_label)
        layout.addWidget(self.detail_label)
        layout.addLayout(figures)
        layout.addWidget(self.meters_view, 2)
        layout.addWidget(self.channel_label)
        layout.addWidget(self.tabs, 3)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Account"))
        self.arrears_caption.setText(self.tr("Arrears"))
        self.prepayment_caption.setText(self.tr("Prepayment"))
        self.tabs.setTabText(0, self.tr("Recent payments"))
        self.tabs.setTabText(1, self.tr("Recent purchases"))
        self.meters.setHorizontalHeaderLabels(
            [
                self.tr("Meter no."),
                self.tr("Mode"),
                self.tr("Collection"),
                self.tr("Balance"),
                self.tr("Count"),
                self.tr("Relay"),
                self.tr("Last seen"),
            ]
        )
        self.payments.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Receipt"),
                self.tr("Amount"),
                self.tr("Channel"),
                self.tr("Outcome"),
            ]
        )
        self.purchases.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Meter"),
                self.tr("Count"),
                self.tr("Amount"),
                self.tr("State"),
                self.tr("Last dispatch"),
            ]
        )
        if self.account is not None:
            self.show_account(self.account)
            self.show_channel_health(self.channel_health)
        else:
            self.name_label.setText(self.tr("No customer — press F2 to search"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def clear(self) -> None:
        self.account = None
        for model in (self.meters, self.payments, self.purchases):
            model.removeRows(0, model.rowCount())
        self.detail_label.clear()
        self.show_channel_health({})
        self.arrears_value.setText("—")
        self.prepayment_value.setText("—")
        self.name_label.setText(self.tr("No customer — press F2 to search"))

    def show_account(self, account: Account) -> None:
        self.account = account
        self.name_label.setText(
            self.tr("{name} · customer no. {customer_no}").format(
                name=account.name, customer_no=account.customer_no
            )
        )
        self.detail_label.setText(
            self.tr("Address: {address}   Phone: {phone}").format(
                address=account.address or "—", phone=account.phone or "—"
            )
        )
        self.arrears_value.setText(texts.yuan(account.arrears_fen))
        self.arrears_value.setProperty("owing", account.arrears_fen > 0)
        self.arrears_value.style().unpolish(self.arrears_value)
        self.arrears_value.style().polish(self.arrears_value)
        self.prepayment_value.setText(texts.yuan(account.prepayment_fen))

        self.meters.removeRows(0, self.meters.rowCount())
        for m in account.meters:
            flags = []
            if not m.active:
                flags.append(self.tr("not in use"))
            if m.needs_reconciliation:
                flags.append(self.tr("to reconcile"))
            meter_text = m.meter_no + (f" ({', '.join(flags)})" if flags else "")
            self.meters.appendRow(
                _row(
                    meter_text,
                    texts.mode(m.mode) if m.is_card_meter else self.tr("not a card meter"),
                    texts.yes_no(m.collection_capable),
                    texts.yuan(m.last_balance_fen),
                    str(m.committed_count),
                    texts.relay(m.last_relay),
                    texts.when(m.last_seen_at),
                )
            )
        self.payments.removeRows(0, self.payments.rowCount())
        for p in account.payments:
            what = texts.payment_result(
                p.route, p.reason, p.purchase_state, p.purchase_outcome, p.reversed
            )
            row = _row(
                texts.when(p.created_at),
                p.receipt_no,
                texts.yuan(p.amount_fen),
                texts.channel(p.channel),
                what,
            )
            row[1].setToolTip(p.receipt_no)
            row[4].setToolTip(what)
            self.payments.appendRow(row)
        self.meters_view.resizeColumnsToContents()
        self.purchases.removeRows(0, self.purchases.rowCount())
        for pu in account.purchases:
            last = texts.outcome(pu.last_outcome)
            if pu.last_reason:
                last += f" ({pu.last_reason})"
            self.purchases.appendRow(
                _row(
                    texts.when(pu.created_at),
                    pu.meter_no,
                    str(pu.count),
                    texts.yuan(pu.amount_fen),
                    texts.state(pu.state),
                    last,
                )
            )
        self._fit_result_column()
        self.purchases_view.resizeColumnsToContents()

    def _fit_result_column(self) -> None:
        """The 处理结果 column takes the rest of the width and wraps: never cut off.

        It keeps room for its heading and a few words even where the other columns
        would take it all (the longer English captions narrow this panel at 1366×768): the
        receipt number gives way, elided in the middle ("demo-01-…-00000001", the whole
        number in its tooltip)."""
        view = self.payments_view
        header = view.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        view.resizeColumnsToContents()
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        metrics = view.fontMetrics()
        title = str(self.payments.headerData(4, Qt.Orientation.Horizontal) or "")
        widest = max(
            (
                metrics.horizontalAdvance(self.payments.item(r, 4).text()) + 12
                for r in range(self.payments.rowCount())
            ),
            default=0,
        )
        room = max(
            metrics.horizontalAdvance(title) + 16,
            min(widest, metrics.horizontalAdvance("M" * 8)),
        )
        taken = sum(header.sectionSize(i) for i in range(4))
        short = taken + room - view.viewport().width()
        if short > 0:
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(
                1, max(header.sectionSize(1) - short, metrics.horizontalAdvance("0" * 10))
            )
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        view.setWordWrap(True)
        view.resizeRowsToContents()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.payments.rowCount():
            self._fit_result_column()

    def show_channel_health(self, by_meter: Mapping[str, object]) -> None:
        """One line per remote meter: ``ChannelHealth`` from the collection system, or the
        error that kept us from asking (the payment still works: the task waits)."""
        self.channel_health = dict(by_meter)
        lines = []
        suggest = False
        for meter_no, health in sorted(by_meter.items()):
            if not isinstance(health, ChannelHealth):
                lines.append(
                    self.tr(
                        "Channel of meter {meter}: the collection system cannot be asked now."
                    ).format(meter=meter_no)
                )
                continue
            line = self.tr(
                "Channel of meter {meter}: last good read {when}; {failures} failure(s) today."
            ).format(
                meter=meter_no,
                when=texts.when(health.last_good_read),
                failures=health.failures_today,
            )
            if suggests_card(health.failures_today):
                suggest = True
                reason = health.last_failure_reason or "—"
                line += " " + self.tr(
                    "The channel keeps failing today (last: {reason}): suggest writing the "
                    "purchase to the card instead (F6) before the customer leaves."
                ).format(reason=reason)
            lines.append(line)
        self.suggests_card = suggest
        self.channel_label.setText("\n".join(lines))
        self.channel_label.setVisible(bool(lines))
        self.channel_label.setProperty("suggestCard", suggest)
        self.channel_label.style().unpolish(self.channel_label)
        self.channel_label.style().polish(self.channel_label)
