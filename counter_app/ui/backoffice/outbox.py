"""The SMS outbox (R11): every message with its state, sending now, putting failed ones back.

Messages are queued in the same transaction as their cause (a dispatch that loaded, a
work order closed as failed) and sent through the configured gateway (HTTP SMS platform,
or the file in the data directory by default). States: ``queued`` (not tried yet),
``retried`` (tried, failed, will be tried again), ``sent``, ``failed`` (gave up; a person
can put it back). "Send now" drains the outbox once; it runs on the database's owner
thread (the gateway call has its own timeout, and a round stops at the first failure).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.services import notifications
from counter_app.services.auth import Action, SignedInUser
from counter_app.services.notifications import DrainResult, OutboxRow
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.backoffice.widgets import make_button, make_label, make_table, set_row
from counter_app.ui.backoffice.window import describe_error
from counter_app.ui.workers import Report

REFRESH_MS = 30_000
STATE_COLOURS = {"failed": "#b00020", "retried": "#a15c00", "sent": "#1b5e20"}


def local_time(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


class OutboxTab(QWidget):
    """See the module docstring."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("outboxTab")
        self.ctx = ctx
        self.user = user
        self.workers = ctx.workers
        self.rows: list[OutboxRow] = []
        self.counts: dict[str, int] = {}
        self.loading = False
        self.busy = False
        self.refreshes = 0
        self.last_drain: DrainResult | None = None
        self.last_error: BaseException | None = None

        self.title = make_label(self, "sectionTitle")
        self.counts_label = make_label(self, "outboxCounts")
        self.gateway_label = QLabel(self)
        self.gateway_label.setWordWrap(True)
        self.filter = QComboBox(self)
        self.filter.setObjectName("outboxFilter")
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.refresh)
        self.send_button = make_button(self, "primaryButton", self.send_now)
        self.requeue_button = QPushButton(self)
        self.requeue_button.clicked.connect(self.requeue_selected)
        self.table = make_table(self, "outboxTable", 9, select_rows=True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.status = make_label(self, "outboxStatus", wrap=True)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.filter)
        top.addWidget(self.refresh_button)
        top.addWidget(self.requeue_button)
        top.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.gateway_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.retranslate()
        self._update_buttons()
        self.refresh()

    # -- texts ---------------------------------------------------------------------------------
    def state_text(self, code: str) -> str:
        return {
            "queued": self.tr("queued"),
            "retried": self.tr("retried"),
            "sent": self.tr("sent"),
            "failed": self.tr("failed"),
        }.get(code, code)

    def template_text(self, code: str) -> str:
        return {
            "dispatch-success": self.tr("dispatch success"),
            "bring-card": self.tr("bring your card"),
            "dispatch-failed": self.tr("not loaded yet"),
        }.get(code, code)

    def retranslate(self) -> None:
        self.title.setText(self.tr("SMS outbox (R11)"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.send_button.setText(self.tr("Send now"))
        self.requeue_button.setText(self.tr("Send failed message again"))
        current = self.filter.currentData()
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem(self.tr("All states"), "")
        for state in notifications.STATES:
            self.filter.addItem(self.state_text(state), state)
        index = self.filter.findData(current if current is not None else "")
        self.filter.setCurrentIndex(max(index, 0))
        self.filter.blockSignals(False)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("No."),
                self.tr("State"),
                self.tr("Queued at"),
                self.tr("Customer"),
                self.tr("Phone"),
                self.tr("Message"),
                self.tr("Tries"),
                self.tr("Text"),
                self.tr("Last error"),
            ]
        )
        gateway = self.ctx.gateway
        if gateway is None:
            self.gateway_label.setText(
                self.tr("No SMS gateway is configured: messages stay queued.")
            )
        elif hasattr(gateway, "url"):
            self.gateway_label.setText(
                self.tr("Gateway: HTTP {url}").format(url=getattr(gateway, "url", ""))
            )
        elif hasattr(gateway, "path"):
            self.gateway_label.setText(
                self.tr("Gateway: file {path} (no SMS platform configured)").format(
                    path=getattr(gateway, "path", "")
                )
            )
        else:
            self.gateway_label.setText(
                self.tr("Gateway: {name}").format(name=type(gateway).__name__)
            )
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- data ----------------------------------------------------------------------------------
    def selected(self) -> OutboxRow | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows:
            return None
        index = rows[0].row()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def refresh(self) -> None:
        if self.loading:
            return
        self.loading = True
        state = self.filter.currentData() or ""
        user = self.user

        def load(_r: Report) -> tuple[list[OutboxRow], dict[str, int]]:
            states = (state,) if state else ()
            return notifications.list_outbox(user, states=states), notifications.state_counts()

        self.workers.submit(
            self.workers.db, "outbox", load, on_done=self._on_loaded, on_error=self._on_error
        )

    def _on_loaded(self, loaded: tuple[list[OutboxRow], dict[str, int]]) -> None:
        self.loading = False
        self.rows, self.counts = list(loaded[0]), dict(loaded[1])
        self.refreshes += 1
        self._fill()
        self._update_buttons()

    def _fill(self) -> None:
        self.counts_label.setText(
            "   ".join(
                self.tr("{state}: {n}").format(state=self.state_text(s), n=self.counts.get(s, 0))
                for s in notifications.STATES
            )
        )
        self.table.setRowCount(len(self.rows))
        for r, m in enumerate(self.rows):
            values = [
                str(m.id),
                self.state_text(m.state),
                local_time(m.created_at),
                f"{m.customer_no} {m.customer_name}",
                m.phone,
                self.template_text(m.template),
                str(m.tries),
                m.body,
                m.last_error or "—",
            ]
            items = set_row(self.table, r, values, tooltips=True)
            colour = STATE_COLOURS.get(m.state)
            if colour is not None:
                items[1].setForeground(QBrush(QColor(colour)))

    def _update_buttons(self) -> None:
        may = self.user.may
        row = self.selected()
        self.send_button.setEnabled(
            not self.busy and self.ctx.gateway is not None and may(Action.SEND_OUTBOX)
        )
        self.requeue_button.setEnabled(
            not self.busy and row is not None and row.state == "failed" and may(Action.SEND_OUTBOX)
        )

    # -- actions -------------------------------------------------------------------------------
    def send_now(self) -> None:
        gateway = self.ctx.gateway
        if gateway is None or self.busy:
            return
        self.busy = True
        self.last_error = None
        self._update_buttons()
        user = self.user
        self.workers.submit(
            self.workers.db,
            "outbox-send",
            lambda _r: notifications.send_now(gateway, user),
            on_done=self._on_sent,
            on_error=self._on_error,
        )

    def _on_sent(self, result: DrainResult) -> None:
        self.busy = False
        self.last_drain = result
        self.status.setText(
            self.tr("Sent {sent}; will retry {retried}; failed {failed}.").format(
                sent=result.sent, retried=result.retried, failed=result.failed
            )
        )
        self._update_buttons()
        self.refresh()

    def requeue_selected(self) -> None:
        row = self.selected()
        if row is None or self.busy:
            return
        self.busy = True
        self._update_buttons()
        user = self.user
        counter_id = self.ctx.counter_id
        message_id = row.id
        self.workers.submit(
            self.workers.db,
            "outbox-requeue",
            lambda _r: notifications.requeue(message_id, user, counter_id=counter_id),
            on_done=lambda _x: self._on_requeued(message_id),
            on_error=self._on_error,
        )

    def _on_requeued(self, message_id: int) -> None:
        self.busy = False
        self.status.setText(
            self.tr("Message {id} goes out again with the next sending.").format(id=message_id)
        )
        self._update_buttons()
        self.refresh()

    def _on_error(self, exc: BaseException) -> None:
        self.loading = False
        self.busy = False
        self.last_error = exc
        self.status.setText(describe_error(exc))
        self._update_buttons()
