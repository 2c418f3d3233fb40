"""Counter reversal (坐收冲正, R15–R16): a supervisor signs at the teller's counter.

Before anything is confirmed the dialog states which case applies, from the services'
R15/R16 matrix (``ReversalService.check_reversal``): payment only (the meter keeps its
credit, which becomes arrears), payment and purchase (the purchase never reached the meter;
its count is free again), or a refusal (already reversed, a dispatch or card write still
unresolved, the purchase on a card not yet cleared). The supervisor types their *own* user
name and password; the service refuses the teller's own account and any non-supervisor.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.reversal import ReversalCase, ReversalRefusal
from counter_app.services.auth import SignedInUser
from counter_app.services.counter_views import Account, PaymentRow
from counter_app.services.receipts import ReceiptData, ReceiptKind
from counter_app.services.reversals import ReversalOutcome
from counter_app.ui import texts
from counter_app.ui.context import CounterContext
from counter_app.ui.errors import show_exception
from counter_app.ui.supervisor_sign import SupervisorSignOff
from counter_app.ui.workers import Report, Workers


class ReversalDialog(QDialog):
    """Reverse one payment; ``sig_reversed(ReceiptData)`` after the service booked it."""

    sig_reversed = Signal(object)

    def __init__(
        self,
        context: CounterContext,
        workers: Workers,
        user: SignedInUser,
        account: Account,
        payment: PaymentRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reversalDialog")
        self.context = context
        self.workers = workers
        self.user = user
        self.account = account
        self.payment = payment
        self.case: str | None = None
        self.refusal: str | None = None
        self.outcome: ReversalOutcome | None = None
        self.busy = False

        self.setWindowTitle(
            self.tr("Reverse payment {receipt_no}").format(receipt_no=payment.receipt_no)
        )
        self.summary = QLabel(
            self.tr("Payment {receipt_no} of {amount} on {when} by {operator}.").format(
                receipt_no=payment.receipt_no,
                amount=texts.yuan(payment.amount_fen),
                when=texts.when(payment.created_at),
                operator=payment.operator,
            ),
            self,
        )
        self.summary.setWordWrap(True)
        self.case_label = QLabel(self.tr("Checking which case applies…"), self)
        self.case_label.setObjectName("reversalCase")
        self.case_label.setWordWrap(True)
        self.sign_off = SupervisorSignOff(
            self, reason_hint=self.tr("Why is this payment reversed?")
        )
        self.reason = self.sign_off.reason
        self.supervisor = self.sign_off.supervisor
        self.password = self.sign_off.password
        self.message = QLabel(self)
        self.message.setObjectName("reversalMessage")
        self.message.setWordWrap(True)
        form = QFormLayout()
        self.sign_off.add_rows(form)
        self.buttons = QDialogButtonBox(self)
        self.confirm_button = QPushButton(self.tr("Authorize and reverse (Enter)"), self)
        self.confirm_button.setObjectName("dangerButton")
        self.confirm_button.setEnabled(False)
        self.buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel (Esc)"))
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.case_label)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(600)
        for label in (self.summary, self.case_label):
            label.setMinimumHeight(label.heightForWidth(560) + 4)
        self.reason.setFocus()
        self._check()

    def _check(self) -> None:
        reversals = self.context.reversals
        payment_id = self.payment.id
        self.workers.submit(
            self.workers.db,
            "check-reversal",
            lambda _r: reversals.check_reversal(payment_id),
            on_done=self._on_checked,
            on_error=lambda exc: show_exception(self, exc),
        )

    def _on_checked(self, decision: tuple[ReversalCase | None, ReversalRefusal | None]) -> None:
        case, refusal = decision
        self.case = None if case is None else str(getattr(case, "value", case))
        self.refusal = None if refusal is None else str(getattr(refusal, "value", refusal))
        if self.case is not None:
            self.case_label.setText(
                self.tr("This reversal is: {case}").format(case=texts.reversal_case(self.case))
            )
            self.case_label.setMinimumHeight(self.case_label.heightForWidth(560) + 4)
            self.confirm_button.setEnabled(True)
        else:
            from counter_app.ui.errors import text_for_code

            self.case_label.setText(
                self.tr("Not possible now: {why}").format(
                    why=text_for_code(self.refusal or "") or self.refusal
                )
            )

    def confirm(self) -> None:
        if self.busy or self.case is None or self.outcome is not None:
            return
        typed = self.sign_off.typed()
        reason, supervisor, password = typed.reason, typed.supervisor, typed.password
        if not reason:
            self.message.setText(self.tr("Enter the reason."))
            self.reason.setFocus()
            return
        if not supervisor or not password:
            self.message.setText(
                self.tr("A supervisor must sign with their own user name and password (R15).")
            )
            self.supervisor.setFocus()
            return
        self.busy = True
        self.confirm_button.setEnabled(False)
        self.message.setText(self.tr("Reversing…"))
        reversals = self.context.reversals
        operator = str(self.user.username)
        payment_id = self.payment.id

        def run(_r: Report) -> ReversalOutcome:
            return reversals.reverse_payment(
                payment_id,
                operator=operator,
                supervisor=supervisor,
                supervisor_password=password,
                reason=reason,
            )

        self.workers.submit(
            self.workers.db, "reverse", run, on_done=self._on_reversed, on_error=self._on_failed
        )

    def _on_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.confirm_button.setEnabled(self.case is not None)
        self.message.setText(self.sign_off.refusal(exc, self.tr("The reversal failed.")))

    def _on_reversed(self, outcome: ReversalOutcome) -> None:
        self.busy = False
        self.outcome = outcome
        lines = [
            self.tr("Reversed. Refund {refund} to the customer.").format(
                refund=texts.yuan(outcome.refund_fen)
            )
        ]
        if outcome.purchase_reversed:
            lines.append(self.tr("The purchase is cancelled; its count is free again."))
        if outcome.debit_fen:
            lines.append(
                self.tr("The meter keeps {debit}: it is now arrears (R15).").format(
                    debit=texts.yuan(outcome.debit_fen)
                )
            )
        self.message.setText("\n".join(lines))
        self.sig_reversed.emit(self.receipt(outcome))
        self.accept()

    def receipt(self, outcome: ReversalOutcome) -> ReceiptData:
        now = dt.datetime.now()
        return ReceiptData(
            kind=ReceiptKind.REVERSAL,
            receipt_no=f"{outcome.receipt_no}-R",
            record_id=int(outcome.payment_id),
            issued_at=now,
            counter_id=str(self.context.counter_id),
            operator=str(getattr(self.user, "full_name", "") or self.user.username),
            customer_no=self.account.customer_no,
            customer_name=self.account.name,
            amount_fen=int(outcome.refund_fen),
            prepayment_after_fen=int(outcome.prepayment_after_fen),
            arrears_after_fen=self.account.arrears_fen
            + int(outcome.reopened_fen)
            + int(outcome.debit_fen),
            supervisor=str(outcome.supervisor),
            reversal_case=str(outcome.case),
            reversal_reason=str(outcome.reason),
            original_receipt_no=str(outcome.receipt_no),
        )
