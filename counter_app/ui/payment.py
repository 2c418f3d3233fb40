"""Take a payment: amount entry, the confirmation that says what will happen, live steps.

The confirmation text comes from the core's own plan (``core.plan_payment``, R1–R6):
arrears settled oldest first, what goes to prepayment, the adjusted fee and purchase count
``n`` for the meter, or — when nothing is dispatched — why, in a sentence the teller can
read to the customer. The payment service plans again inside its transaction.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.channels import Channel
from counter_app.core.desk import DeskError, change_fen
from counter_app.core.money import MoneyError, parse_yuan
from counter_app.core.payment_plan import PaymentPlan, Route
from counter_app.services.counter_views import Account
from counter_app.ui import texts
from counter_app.ui.errors import explain

CHANNELS = (Channel.COUNTER, Channel.TRANSFER, Channel.BANK, Channel.TERMINAL, Channel.OTHER)


class PaymentPanel(QGroupBox):
    """Amount (validated as typed), channel, cash tendered and change, the Pay button.

    For cash at the counter the teller types what the customer handed over (实收); the change
    (找零) is shown big as they type, and a tender short of the amount is refused inline.
    Empty means the exact amount.
    """

    sig_pay_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentPanel")
        self.amount = QLineEdit(self)
        self.amount.setObjectName("amountEdit")
        self.amount.textChanged.connect(self._validate)
        self.amount.returnPressed.connect(self._on_pay)
        self.error = QLabel(self)
        self.error.setObjectName("amountError")
        self.error.setWordWrap(True)
        self.channel = QComboBox(self)
        self.channel.setObjectName("channelBox")
        for ch in CHANNELS:
            self.channel.addItem(texts.channel(ch.value), ch.value)
        self.tendered = QLineEdit(self)
        self.tendered.setObjectName("tenderedEdit")
        self.tendered.textChanged.connect(lambda _t: self._show_change())
        self.tendered.returnPressed.connect(self._on_pay)
        self.change_caption = QLabel(self)
        self.change_value = QLabel("—", self)
        self.change_value.setObjectName("changeValue")
        self.amount.textChanged.connect(lambda _t: self._show_change())
        self.channel.currentIndexChanged.connect(lambda _i: self._show_cash_fields())
        self.pay_button = QPushButton(self)
        self.pay_button.setObjectName("primaryButton")
        self.pay_button.clicked.connect(self._on_pay)
        self.form = QFormLayout()
        self.amount_caption = QLabel(self)
        self.channel_caption = QLabel(self)
        self.tendered_caption = QLabel(self)
        # the big amount field spans the panel (its hint is never cut); channel and cash
        # tendered sit beside their captions, and the change is shown big next to Pay
        self.form.addRow(self.amount_caption)
        self.form.addRow(self.amount)
        self.form.addRow(self.error)
        self.form.addRow(self.channel_caption, self.channel)
        self.form.addRow(self.tendered_caption, self.tendered)
        pay_row = QHBoxLayout()
        pay_row.addWidget(self.change_caption)
        pay_row.addWidget(self.change_value)
        pay_row.addStretch(1)
        pay_row.addWidget(self.pay_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addLayout(pay_row)
        self.retranslate()
        self.set_enabled_for(None)
        self._show_cash_fields()

    def is_cash(self) -> bool:
        return str(self.channel.currentData()) == Channel.COUNTER.value

    def _show_cash_fields(self) -> None:
        cash = self.is_cash()
        self.form.setRowVisible(self.tendered, cash)
        self.change_caption.setVisible(cash)
        self.change_value.setVisible(cash)
        if not cash:
            self.tendered.clear()
        self._show_change()

    def tendered_fen(self) -> int | None:
        """Cash handed over, in fen; None when empty (the exact amount) or not cash."""
        if not self.is_cash() or not self.tendered.text().strip():
            return None
        try:
            return parse_yuan(self.tendered.text())
        except MoneyError:
            return None

    def change_fen(self) -> int | None:
        """找零 for the amount and the tender typed, None while either is missing or wrong."""
        tendered = self.tendered_fen()
        if tendered is None:
            return None
        try:
            return change_fen(parse_yuan(self.amount.text()), tendered)
        except (MoneyError, DeskError):
            return None

    def _show_change(self) -> None:
        change = self.change_fen()
        self.change_value.setText(texts.yuan(change) if change is not None else "—")

    def _tender_problem(self) -> str:
        """Why the tender cannot be taken ("" when it can)."""
        if not self.is_cash() or not self.tendered.text().strip():
            return ""
        try:
            tendered = parse_yuan(self.tendered.text())
        except MoneyError as exc:
            return explain(exc) or str(exc)
        try:
            amount = parse_yuan(self.amount.text())
        except MoneyError:
            return ""
        if tendered < amount:
            return self.tr(
                "The cash tendered ({tendered}) is less than the amount ({amount})."
            ).format(tendered=texts.yuan(tendered), amount=texts.yuan(amount))
        return ""

    def retranslate(self) -> None:
        self.setTitle(self.tr("Take payment (F5)"))
        self.amount_caption.setText(self.tr("Amount (yuan)"))
        self.channel_caption.setText(self.tr("Channel"))
        self.amount.setPlaceholderText(self.tr("e.g. 200 or 150.50"))
        self.pay_button.setText(self.tr("Pay… (Enter)"))
        self.tendered_caption.setText(self.tr("Cash tendered (yuan)"))
        self.tendered.setPlaceholderText(self.tr("exact amount"))
        self.change_caption.setText(self.tr("Change"))
        for i, ch in enumerate(CHANNELS):
            self.channel.setItemText(i, texts.channel(ch.value))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_enabled_for(self, account: Account | None) -> None:
        enabled = account is not None
        for w in (self.amount, self.channel, self.pay_button, self.tendered):
            w.setEnabled(enabled)

    def clear(self) -> None:
        self.amount.clear()
        self.tendered.clear()
        self.error.clear()
        self.channel.setCurrentIndex(0)
        self._show_change()

    def hold_change(self, change: int) -> None:
        """The change of the payment just taken stays big while the teller counts it out;
        it goes when the next amount is typed or the next customer comes (``clear``)."""
        self.change_value.setText(texts.yuan(change))

    def focus_amount(self) -> None:
        self.amount.setFocus()
        self.amount.selectAll()

    def amount_fen(self) -> int | None:
        """The amount as typed, or None (and the reason shown inline) when it is not valid."""
        try:
            fen = parse_yuan(self.amount.text())
        except MoneyError as exc:
            self._show_error(explain(exc) or str(exc))
            return None
        self._show_error("")
        return fen

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.amount.setProperty("invalid", bool(text))
        self.amount.style().unpolish(self.amount)
        self.amount.style().polish(self.amount)

    def _validate(self, text: str) -> None:
        if not text.strip():
            self._show_error("")
            return
        try:
            parse_yuan(text)
        except MoneyError as exc:
            self._show_error(explain(exc) or str(exc))
        else:
            self._show_error("")

    def _on_pay(self) -> None:
        if not self.pay_button.isEnabled():
            return
        fen = self.amount_fen()
        if fen is None:
            return
        problem = self._tender_problem()
        if problem:
            self._show_error(problem)
            self.tendered.setFocus()
            return
        self.sig_pay_requested.emit(fen, str(self.channel.currentData()))


def plan_lines(account: Account, plan: PaymentPlan) -> list[str]:
    """What the payment will do, sentence by sentence (R1–R6), translated."""
    lines = [
        QCoreApplication.translate(
            "PaymentPlan", "Receive {amount} from {name} ({customer_no}) — {channel}."
        ).format(
            amount=texts.yuan(plan.amount_fen),
            name=account.name,
            customer_no=account.customer_no,
            channel=texts.channel(plan.channel.value),
        )
    ]
    settled = sum(fen for _bill, fen in plan.allocation.settlements)
    if settled:
        lines.append(
            QCoreApplication.translate(
                "PaymentPlan",
                "Arrears settled first, oldest bill first (R1): {settled} of {arrears}.",
            ).format(settled=texts.yuan(settled), arrears=texts.yuan(account.arrears_fen))
        )
    if plan.allocation.arrears_after_fen:
        lines.append(
            QCoreApplication.translate(
                "PaymentPlan", "Arrears left after this payment: {left}."
            ).format(left=texts.yuan(plan.allocation.arrears_after_fen))
        )
    lines.append(
        QCoreApplication.translate(
            "PaymentPlan", "Prepayment: {before} → {after} (this payment adds {added})."
        ).format(
            before=texts.yuan(plan.prepayment_before_fen),
            after=texts.yuan(plan.prepayment_after_fen),
            added=texts.yuan(plan.allocation.to_prepayment),
        )
    )
    if plan.route is Route.REMOTE and plan.purchase is not None:
        meter = account.meter(plan.purchase.meter_id)
        lines.append(
            QCoreApplication.translate(
                "PaymentPlan",
                "Adjusted fee {fee} becomes purchase no. {count} for meter {meter} and is sent "
                "to the meter now (R3, remote dispatch).",
            ).format(
                fee=texts.yuan(plan.purchase.amount_fen),
                count=plan.purchase.count,
                meter=meter.meter_no,
            )
        )
    elif plan.route is Route.CARD:
        lines.append(
            QCoreApplication.translate(
                "PaymentPlan", "Not sent to the meter: {reason}. Write it to the card next (F6)."
            ).format(reason=texts.reason(plan.reason.value if plan.reason else None))
        )
    else:
        lines.append(
            QCoreApplication.translate(
                "PaymentPlan", "Not sent to the meter: {reason}. The money stays in prepayment."
            ).format(reason=texts.reason(plan.reason.value if plan.reason else None))
        )
    return lines


class ConfirmPaymentDialog(QDialog):
    """States the plan; Enter confirms once. A second Enter or click does nothing.

    ``sig_confirmed`` fires at most once per dialog: the button is disabled and the flag set
    before the signal is emitted, so a double click or a key repeat cannot pay twice.
    """

    sig_confirmed = Signal()

    def __init__(
        self,
        account: Account,
        plan: PaymentPlan,
        parent: QWidget | None = None,
        warnings: list[str] | None = None,
        cash: tuple[int, int] | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("confirmPayment")
        self.plan = plan
        self.confirmed = False
        self.warnings = list(warnings or [])
        self.setWindowTitle(self.tr("Confirm payment"))
        lines = plan_lines(account, plan)
        if cash is not None:
            lines.append(
                self.tr("Cash tendered {tendered}, change {change}.").format(
                    tendered=texts.yuan(cash[0]), change=texts.yuan(cash[1])
                )
            )
        self.text = QLabel("\n".join("• " + line for line in lines), self)
        self.text.setObjectName("planText")
        self.text.setWordWrap(True)
        # a large amount or a purchase the meter may refuse: said in red, and confirmed by a
        # tick the teller gives after asking the customer (Space), before Enter takes the money
        self.warning_label = QLabel("\n".join("⚠ " + w for w in self.warnings), self)
        self.warning_label.setObjectName("confirmWarning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setVisible(bool(self.warnings))
        self.checked = QCheckBox(self.tr("Checked with the customer"), self)
        self.checked.setObjectName("warningChecked")
        self.checked.setVisible(bool(self.warnings))
        self.buttons = QDialogButtonBox(self)
        self.confirm_button = QPushButton(self.tr("Confirm and take payment (Enter)"), self)
        self.confirm_button.setObjectName("primaryButton")
        self.confirm_button.setDefault(True)
        self.confirm_button.setAutoDefault(True)
        self.buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        back = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        back.setText(self.tr("Back (Esc)"))
        self.buttons.accepted.connect(self._on_confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.checked)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(600)
        # a word-wrapped label does not ask for its height in a dialog: give it its lines
        self.text.setMinimumHeight(self.text.heightForWidth(560) + 8)
        if self.warnings:
            self.warning_label.setMinimumHeight(self.warning_label.heightForWidth(560) + 8)
            self.confirm_button.setEnabled(False)
            self.checked.toggled.connect(self.confirm_button.setEnabled)
            self.checked.setFocus()

    def _on_confirm(self) -> None:
        if self.confirmed or (self.warnings and not self.checked.isChecked()):
            return
        self.confirmed = True
        self.confirm_button.setEnabled(False)
        self.sig_confirmed.emit()
        self.accept()


class StepList(QListWidget):
    """The steps, newest in view: also when a longer outcome below makes the list shorter."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self.show_last)

    def show_last(self) -> None:
        if shiboken6.isValid(self) and self.count():
            self.scrollToItem(self.item(self.count() - 1))


class ProgressPanel(QGroupBox):
    """Live steps of the current dispatch or card write, and its outcome."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressPanel")
        self.steps = StepList(self)
        self.steps.setObjectName("stepList")
        self.steps.setWordWrap(True)
        self.steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # wrapped steps of different heights, laid out again when the width changes, so
        # the last step is never cut at the bottom
        self.steps.setUniformItemSizes(False)
        self.steps.setResizeMode(QListView.ResizeMode.Adjust)
        self.steps.setMinimumHeight(64)
        self.outcome = QLabel(self)
        self.outcome.setObjectName("outcomeLabel")
        self.outcome.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.outcome)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("What is happening"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def clear(self) -> None:
        self.steps.clear()
        self.set_outcome("", "")

    def add_step(self, text: str) -> None:
        self.steps.addItem(text)
        item = self.steps.item(self.steps.count() - 1)
        item.setToolTip(text)
        self.steps.scrollToBottom()
        # again once the wrapped item has its height (after the layout pass)
        QTimer.singleShot(0, self.steps.show_last)

    def step_texts(self) -> list[str]:
        return [self.steps.item(i).text() for i in range(self.steps.count())]

    def set_outcome(self, text: str, kind: str) -> None:
        """``kind``: "working", "success", "failure" or "" (styled by the sheet)."""
        self.outcome.setText(text)
        self.outcome.setProperty("outcome", kind)
        self.outcome.style().unpolish(self.outcome)
        self.outcome.style().polish(self.outcome)
