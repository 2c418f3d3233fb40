"""Re-dispatch work orders (R10) for inspection staff: the queue, retry, close, history.

The queue shows every live order with its age and due time (overdue ones first and
marked). "Take next" takes the most urgent order nobody holds (the service locks it: two
counters never get the same order). "Retry" runs R7–R9 again through the real dispatcher on
the meter bus's owner thread and shows each step live (channel test, count check, recharge,
attempt k of 3); success closes the order. "Close as failed" queues the customer's "bring
your card" SMS (R10, R11): the teller then writes the same purchase onto the card (R12).
The history lists every attempt of the purchase (R9) and every audited step (I3).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.auth import Action, SignedInUser
from counter_app.services.dispatch_results import DispatchSummary
from counter_app.services.work_orders import WorkOrderHistory, WorkOrderView
from counter_app.ui import texts
from counter_app.ui.backoffice import audit_words
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.backoffice.widgets import make_button, make_label, make_table, set_row
from counter_app.ui.backoffice.window import describe_error
from counter_app.ui.workers import Report

REFRESH_MS = 30_000


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local_time(moment: dt.datetime | None) -> str:
    """A stored naive-UTC time in the hall's local time, to the minute."""
    if moment is None:
        return "—"
    return moment.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


class WorkOrdersTab(QWidget):
    """The R10 queue of one counter; see the module docstring."""

    COLUMNS = 11

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workOrdersTab")
        self.ctx = ctx
        self.user = user
        self.service = ctx.services.work_orders
        self.workers = ctx.workers
        self.orders: list[WorkOrderView] = []
        self.history: WorkOrderHistory | None = None
        self.busy = False
        self.loading = False
        self.reload_after = False
        self.refreshes = 0
        self.last_summary: DispatchSummary | None = None
        self.last_closed: WorkOrderView | None = None
        self.last_error: BaseException | None = None
        self.steps: list[str] = []

        self.title = make_label(self, "sectionTitle")
        self.show_closed = QCheckBox(self)
        self.show_closed.toggled.connect(lambda _on: self.refresh())
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.refresh)
        self.take_button = make_button(self, "takeNextButton", self.take_next)
        self.retry_button = make_button(self, "primaryButton", self.retry_selected)
        self.release_button = QPushButton(self)
        self.release_button.clicked.connect(self.release_selected)
        self.close_failed_button = make_button(
            self, "closeFailedButton", self.close_selected_failed
        )
        self.note = QLineEdit(self)
        self.note.setObjectName("closeNote")

        self.table = make_table(self, "workOrderTable", self.COLUMNS, select_rows=True)
        self.table.itemSelectionChanged.connect(self._on_selection)

        self.status = make_label(self, "workOrderStatus", wrap=True)
        self.steps_caption = QLabel(self)
        self.steps_list = QListWidget(self)
        self.steps_list.setObjectName("retrySteps")
        self.history_caption = QLabel(self)
        self.attempts_table = make_table(self, "attemptTable", 7)
        self.events_list = QListWidget(self)
        self.events_list.setObjectName("historyEvents")

        actions = QHBoxLayout()
        actions.addWidget(self.title)
        actions.addStretch(1)
        actions.addWidget(self.show_closed)
        actions.addWidget(self.refresh_button)
        actions.addWidget(self.take_button)
        actions.addWidget(self.retry_button)
        actions.addWidget(self.release_button)
        close_row = QHBoxLayout()
        self.note_caption = QLabel(self)
        close_row.addWidget(self.note_caption)
        close_row.addWidget(self.note, 1)
        close_row.addWidget(self.close_failed_button)

        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.steps_caption)
        detail_layout.addWidget(self.steps_list, 1)
        detail_layout.addWidget(self.history_caption)
        detail_layout.addWidget(self.attempts_table, 2)
        detail_layout.addWidget(self.events_list, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([780, 520])

        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)
        layout.addLayout(close_row)
        layout.addWidget(self.status)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.retranslate()
        self._update_buttons()
        self.refresh()

    # -- texts ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Re-dispatch work orders (R10)"))
        self.show_closed.setText(self.tr("Show closed"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.take_button.setText(self.tr("Take next"))
        self.retry_button.setText(self.tr("Retry dispatch"))
        self.release_button.setText(self.tr("Release"))
        self.close_failed_button.setText(self.tr("Close as failed (SMS: bring card)"))
        self.note_caption.setText(self.tr("Note"))
        self.note.setPlaceholderText(self.tr("why the order is closed (required)"))
        self.steps_caption.setText(self.tr("Retry steps"))
        self.history_caption.setText(self.tr("History of every attempt"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Order"),
                self.tr("State"),
                self.tr("Customer"),
                self.tr("Meter"),
                self.tr("n"),
                self.tr("Amount"),
                self.tr("Age"),
                self.tr("Due"),
                self.tr("Taken by"),
                self.tr("Attempts"),
                self.tr("Last result"),
            ]
        )
        self.attempts_table.setHorizontalHeaderLabels(
            [
                self.tr("Round"),
                self.tr("Attempt"),
                self.tr("Started"),
                self.tr("Result"),
                self.tr("Balance read"),
                self.tr("Count read"),
                self.tr("Reason"),
            ]
        )
        self._fill()
        if self.history is not None:
            self._on_history(self.history)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def order_state(self, code: str) -> str:
        return {
            "open": self.tr("open"),
            "taken": self.tr("taken"),
            "closed-success": self.tr("closed: loaded"),
            "closed-failed": self.tr("closed: failed"),
            "cancelled": self.tr("cancelled"),
        }.get(code, code)

    def action_text(self, code: str) -> str:
        """Audited steps of an order and its purchase (I3), in words (the audit log's words
        for the steps this tab has none of, such as the collection system's hand-over)."""
        words = {
            "dispatch-start": self.tr("dispatch started"),
            "dispatch-loaded": self.tr("dispatch loaded the meter"),
            "dispatch-failed": self.tr("dispatch failed"),
            "dispatch-interrupted": self.tr("dispatch interrupted (unresolved, R8)"),
            "dispatch-probe": self.tr("meter probed (R8)"),
            "work-order-taken": self.tr("order taken"),
            "work-order-released": self.tr("order released"),
            "work-order-closed": self.tr("order closed"),
            "card-write-start": self.tr("card write started"),
            "card-write-confirmed": self.tr("written to the card"),
            "card-write-abandoned": self.tr("card write abandoned"),
            "card-cleared": self.tr("cleared from the card"),
        }.get(code)
        return words or audit_words.action_text(code)

    def age_text(self, age: dt.timedelta) -> str:
        minutes = max(int(age.total_seconds() // 60), 0)
        if minutes < 60:
            return self.tr("{m} min").format(m=minutes)
        hours = minutes // 60
        if hours < 48:
            return self.tr("{h} h {m} min").format(h=hours, m=minutes % 60)
        return self.tr("{d} days").format(d=hours // 24)

    # -- queue ---------------------------------------------------------------------------------
    def selected(self) -> WorkOrderView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        index = rows[0].row()
        return self.orders[index] if 0 <= index < len(self.orders) else None

    def _selected_when_idle(self) -> WorkOrderView | None:
        """The selected order, or None while another step is running (one step at a time)."""
        return None if self.busy else self.selected()

    def select_order(self, order_id: int) -> None:
        for i, order in enumerate(self.orders):
            if order.id == order_id:
                self.table.selectRow(i)
                return

    def refresh(self) -> None:
        """Load the queue; asked while a load is in flight ("Show closed" ticked as the tab
        opens), it loads once more when that one is back, so the latest ask wins."""
        if self.loading:
            self.reload_after = True
            return
        self.loading = True
        live_only = not self.show_closed.isChecked()
        user = self.user
        service = self.service
        self.workers.submit(
            self.workers.db,
            "work-orders",
            lambda _r: service.list_orders(live_only=live_only, user=user),
            on_done=self._on_orders,
            on_error=self._on_load_error,
        )

    def _on_load_error(self, exc: BaseException) -> None:
        self.loading = False
        self.reload_after = False
        self._on_error(exc)

    def _on_orders(self, orders: list[WorkOrderView]) -> None:
        self.loading = False
        if self.reload_after:
            self.reload_after = False
            self.refresh()
            return
        selected = self.selected()
        self.orders = list(orders)
        self.refreshes += 1
        self._fill()
        self.table.clearSelection()
        if selected is not None:
            self.select_order(selected.id)
        self._update_buttons()

    def _fill(self) -> None:
        now = utcnow()
        self.table.setRowCount(len(self.orders))
        for row, o in enumerate(self.orders):
            overdue = o.overdue(now)
            due = local_time(o.due_at)
            if overdue:
                due = self.tr("{due} (overdue)").format(due=due)
            values = [
                str(o.id),
                self.order_state(o.state),
                f"{o.customer_no} {o.customer_name}",
                o.meter_no or o.meter_address,
                str(o.count),
                texts.yuan(o.amount_fen),
                self.age_text(o.age(now)),
                due,
                o.taken_by or "—",
                str(o.attempts),
                texts.outcome(o.last_outcome) or "—",
            ]
            set_row(self.table, row, values, colour="#b00020" if overdue else None)

    def _on_selection(self) -> None:
        self._update_buttons()
        order = self.selected()
        if order is not None:
            self.load_history(order.id)
        else:
            self.history = None
            self.attempts_table.setRowCount(0)
            self.events_list.clear()

    def _update_buttons(self) -> None:
        order = self.selected()
        live = order is not None and order.state in ("open", "taken")
        mine_or_free = (
            order is not None
            and live
            and (order.state == "open" or order.taken_by == self.user.username)
        )
        may = self.user.may
        self.take_button.setEnabled(not self.busy and may(Action.TAKE_WORK_ORDER))
        self.retry_button.setEnabled(
            not self.busy and bool(mine_or_free) and may(Action.RETRY_DISPATCH)
        )
        self.release_button.setEnabled(
            not self.busy and order is not None and order.state == "taken"
        )
        self.close_failed_button.setEnabled(not self.busy and live and may(Action.CLOSE_WORK_ORDER))

    # -- history -------------------------------------------------------------------------------
    def load_history(self, order_id: int) -> None:
        user = self.user
        service = self.service
        self.workers.submit(
            self.workers.db,
            "work-order-history",
            lambda _r: service.history(order_id, user),
            on_done=self._on_history,
            on_error=self._on_error,
        )

    def _on_history(self, history: WorkOrderHistory) -> None:
        current = self.selected()
        if current is not None and current.id != history.order.id:
            return  # another order was chosen meanwhile
        self.history = history
        self.attempts_table.setRowCount(len(history.attempts))
        for row, a in enumerate(history.attempts):
            values = [
                str(a.round_no),
                str(a.attempt_no),
                local_time(a.started_at),
                texts.outcome(a.outcome) or a.outcome,
                "—" if a.balance_fen is None else texts.yuan(a.balance_fen),
                "—" if a.count_read is None else str(a.count_read),
                texts.attempt_reason(a.reason),
            ]
            set_row(self.attempts_table, row, values, tooltips=True)
        self.events_list.clear()
        for e in history.events:
            self.events_list.addItem(
                self.tr("{at}  {actor} @ {counter}: {action}").format(
                    at=local_time(e.at),
                    actor=e.actor,
                    counter=e.counter_id,
                    action=self.action_text(e.action),
                )
            )

    # -- actions -------------------------------------------------------------------------------
    def _start(self) -> None:
        self.busy = True
        self.last_error = None
        self._update_buttons()

    def _done(self) -> None:
        self.busy = False
        self._update_buttons()

    def take_next(self) -> None:
        if self.busy:
            return
        self._start()
        user = self.user
        service = self.service
        self.workers.submit(
            self.workers.db,
            "work-order-take",
            lambda _r: service.take_next(user),
            on_done=self._on_taken,
            on_error=self._on_error,
        )

    def _on_taken(self, order: WorkOrderView | None) -> None:
        self._done()
        if order is None:
            self.status.setText(self.tr("No open order is waiting."))
            self.refresh()
            return
        self.status.setText(
            self.tr(
                "You took order {id}: purchase no. {count} of {amount} for meter {meter}."
            ).format(
                id=order.id,
                count=order.count,
                amount=texts.yuan(order.amount_fen),
                meter=order.meter_no or order.meter_address,
            )
        )
        self._after_change(order.id)

    def _after_change(self, order_id: int) -> None:
        def reselect(_orders: object) -> None:
            self.select_order(order_id)

        self.loading = False
        live_only = not self.show_closed.isChecked()
        user = self.user
        service = self.service
        self.loading = True
        job = self.workers.submit(
            self.workers.db,
            "work-orders",
            lambda _r: service.list_orders(live_only=live_only, user=user),
            on_done=self._on_orders,
            on_error=self._on_load_error,
        )
        job.sig_succeeded.connect(reselect)
        self.load_history(order_id)

    def retry_selected(self) -> None:
        order = self._selected_when_idle()
        if order is None:
            return
        self._start()
        self.steps.clear()
        self.steps_list.clear()
        self._log(
            self.tr("Retrying order {id}: purchase no. {count} (the same n, R8)…").format(
                id=order.id, count=order.count
            )
        )
        user = self.user
        service = self.service
        order_id = order.id

        def run(report: Report) -> DispatchSummary:
            return service.retry(order_id, user, lambda step, attempt: report((step, attempt)))

        self.workers.submit(
            self.workers.meter_bus,
            "work-order-retry",
            run,
            on_progress=self._on_step,
            on_done=lambda summary: self._on_retried(order_id, summary),
            on_error=self._on_error,
        )

    def _log(self, text: str) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.steps.append(text)
        self.steps_list.addItem(f"{stamp}  {text}")
        self.steps_list.scrollToBottom()

    def _on_step(self, progress: tuple[str, int]) -> None:
        step, attempt = progress
        self._log(
            self.tr("Attempt {attempt} of 3: {step}").format(
                attempt=attempt, step=texts.step(str(step))
            )
        )

    def _on_retried(self, order_id: int, summary: DispatchSummary) -> None:
        self._done()
        self.last_summary = summary
        if summary.loaded:
            text = self.tr(
                "Loaded: purchase no. {count} reached the meter ({outcome}); balance {balance}. "
                "The order is closed."
            ).format(
                count=summary.count,
                outcome=texts.outcome(summary.outcome),
                balance="—" if summary.balance_fen is None else texts.yuan(summary.balance_fen),
            )
        elif summary.pending:
            text = self.tr(
                "Result not yet known (下发中): the collection system has the retry of purchase "
                "no. {count}. The order closes by itself when it loads; look again later."
            ).format(count=summary.count)
        else:
            text = self.tr(
                "Not loaded after {attempts} attempt(s): {outcome}. The order stays open for "
                "you; retry later or close it as failed."
            ).format(attempts=summary.attempts, outcome=texts.outcome(summary.outcome))
        self._log(text)
        self.status.setText(text)
        self._after_change(order_id)

    def release_selected(self) -> None:
        order = self._selected_when_idle()
        if order is None:
            return
        self._start()
        user = self.user
        service = self.service
        order_id = order.id
        self.workers.submit(
            self.workers.db,
            "work-order-release",
            lambda _r: service.release(order_id, user),
            on_done=lambda _o: self._on_released(order_id),
            on_error=self._on_error,
        )

    def _on_released(self, order_id: int) -> None:
        self._done()
        self.status.setText(self.tr("Order {id} is back in the queue.").format(id=order_id))
        self._after_change(order_id)

    def close_selected_failed(self) -> None:
        """R10/R11: close as failed; the customer's "bring your card" SMS is queued."""
        order = self._selected_when_idle()
        if order is None:
            return
        note = self.note.text().strip()
        if not note:
            self.status.setText(self.tr("Write a note: why is the order closed as failed?"))
            self.note.setFocus()
            return
        self._start()
        user = self.user
        service = self.service
        order_id = order.id
        self.workers.submit(
            self.workers.db,
            "work-order-close",
            lambda _r: service.close(order_id, user, success=False, note=note),
            on_done=self._on_closed,
            on_error=self._on_error,
        )

    def _on_closed(self, order: WorkOrderView) -> None:
        self._done()
        self.last_closed = order
        self.note.clear()
        self.status.setText(
            self.tr(
                "Order {id} closed as failed. The customer is asked by SMS to bring the card; "
                "the teller writes purchase no. {count} onto it (R12)."
            ).format(id=order.id, count=order.count)
        )
        self._after_change(order.id)

    def _on_error(self, exc: BaseException) -> None:
        self._done()
        self.last_error = exc
        text = describe_error(exc)
        self.status.setText(text)
        if self.busy is False and self.steps_list.count():
            self._log(text)
