"""R4 from the account view: prepayment offsetting arrears, and transfers of prepayment to
another customer, each authorized by a supervisor (`OffsetDialog`, `TransferDialog`).

The dialog states what the offset would do now (arrears, prepayment, the amount that settles
them) and, as R4 says, that nothing is dispatched while any arrears remain; when the offset
settles the last of them the rest of the prepayment is dispatched. The supervisor types their
*own* user name and password; the service (`services.offsets.OffsetService`) checks them,
refuses the teller's own account, books the offset through R1–R3 and audits it. The
service is the counter's own (``Services.offsets``, built by the composition root).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.auth import SignedInUser
from counter_app.services.counter_views import Account
from counter_app.services.offsets import OffsetService, TransferOutcome
from counter_app.services.payments import PaymentOutcome
from counter_app.ui import texts
from counter_app.ui.supervisor_sign import SupervisorSignOff
from counter_app.ui.workers import Report, Workers

Outcome = TypeVar("Outcome")


class SignedOffDialog(QDialog, Generic[Outcome]):
    """What the offset and the transfer share once the supervisor has signed: the booking
    runs on the meter bus's thread (a dispatch may follow it, never on the GUI thread); a
    refusal is told and the supervisor may sign again; the outcome closes the dialog."""

    workers: Workers
    sign_off: SupervisorSignOff
    confirm_button: QPushButton
    message: QLabel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome: Outcome | None = None
        self.busy = False

    def _book(self, name: str, working: str, run: Callable[[Report], Outcome]) -> None:
        self.busy = True
        self.confirm_button.setEnabled(False)
        self.message.setText(working)
        self.workers.submit(
            self.workers.meter_bus, name, run, on_done=self._on_done, on_error=self._on_failed
        )

    def _failed_words(self) -> str:
        """Said when the booking failed for a reason the window has no words for."""
        raise NotImplementedError

    def _booked(self, outcome: Outcome) -> None:
        """Tell the window (the dialog's own signal)."""
        raise NotImplementedError

    def _on_failed(self, exc: BaseException) -> None:
        self.busy = False
        self.confirm_button.setEnabled(True)
        self.message.setText(self.sign_off.refusal(exc, self._failed_words()))

    def _on_done(self, outcome: Outcome) -> None:
        self.busy = False
        self.outcome = outcome
        self._booked(outcome)
        self.accept()


class OffsetDialog(SignedOffDialog[PaymentOutcome]):
    """Offset one customer's arrears from their prepayment; ``sig_offset(outcome)`` when done."""

    sig_offset = Signal(object)

    def __init__(
        self,
        service: OffsetService,
        workers: Workers,
        user: SignedInUser,
        account: Account,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("offsetDialog")
        self.workers = workers
        self.user = user
        self.account = account
        self.service = service
        amount = min(account.arrears_fen, account.prepayment_fen)
        self.amount_fen = amount
        self.setWindowTitle(self.tr("Offset arrears from prepayment"))
        lines = [
            self.tr("Arrears {arrears}, prepayment {prepayment}: {amount} settles arrears.").format(
                arrears=texts.yuan(account.arrears_fen),
                prepayment=texts.yuan(account.prepayment_fen),
                amount=texts.yuan(amount),
            )
        ]
        if account.arrears_fen > account.prepayment_fen:
            lines.append(self.tr("Arrears remain afterwards: nothing is dispatched (R4)."))
        elif account.prepayment_fen > account.arrears_fen:
            lines.append(
                self.tr("All arrears are settled: the rest of the prepayment may be dispatched.")
            )
        self.summary = QLabel("\n".join(lines), self)
        self.summary.setObjectName("offsetSummary")
        self.summary.setWordWrap(True)
        self.sign_off = SupervisorSignOff(
            self, reason_hint=self.tr("Why is the prepayment used for arrears?")
        )
        self.reason = self.sign_off.reason
        self.supervisor = self.sign_off.supervisor
        self.password = self.sign_off.password
        self.message = QLabel(self)
        self.message.setObjectName("offsetMessage")
        self.message.setWordWrap(True)
        form = QFormLayout()
        self.sign_off.add_rows(form)
        buttons = QDialogButtonBox(self)
        self.confirm_button = QPushButton(self.tr("Authorize and offset"), self)
        self.confirm_button.setObjectName("confirmOffsetButton")
        self.confirm_button.setEnabled(amount > 0)
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel (Esc)"))
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.reason.setFocus()

    def confirm(self) -> None:
        if self.busy or self.outcome is not None or self.amount_fen <= 0:
            return
        typed = self.sign_off.typed()
        reason, supervisor, password = typed.reason, typed.supervisor, typed.password
        if not reason:
            self.message.setText(self.tr("Enter the reason."))
            return
        if not supervisor or not password:
            self.message.setText(
                self.tr("A supervisor must sign with their own user name and password.")
            )
            return
        service, customer, operator = self.service, self.account.customer_no, self.user.username

        def run(_r: Report) -> PaymentOutcome:
            return service.offset_arrears(
                customer,
                operator=str(operator),
                supervisor=supervisor,
                supervisor_password=password,
                reason=reason,
            )

        self._book("offset", self.tr("Offsetting…"), run)

    def _failed_words(self) -> str:
        return self.tr("The offset failed.")

    def _booked(self, outcome: PaymentOutcome) -> None:
        self.sig_offset.emit(outcome)


class TransferDialog(SignedOffDialog[TransferOutcome]):
    """R4 transfer: move part of this customer's prepayment to another customer, who books it
    through R1–R3 (their arrears first). A supervisor authorizes with their own credentials;
    ``sig_transferred(outcome)`` when done."""

    sig_transferred = Signal(object)

    def __init__(
        self,
        service: OffsetService,
        workers: Workers,
        user: SignedInUser,
        account: Account,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("transferDialog")
        self.workers = workers
        self.user = user
        self.account = account
        self.service = service
        self.setWindowTitle(self.tr("Transfer prepayment"))
        self.summary = QLabel(
            self.tr("Prepayment of {customer}: {prepayment}.").format(
                customer=account.customer_no, prepayment=texts.yuan(account.prepayment_fen)
            ),
            self,
        )
        self.summary.setWordWrap(True)
        self.target = QLineEdit(self)
        self.target.setObjectName("targetCustomerEdit")
        self.target.setPlaceholderText(self.tr("customer number receiving it"))
        self.amount = QLineEdit(self)
        self.amount.setObjectName("transferAmountEdit")
        self.sign_off = SupervisorSignOff(self, name_hint=False)
        self.reason = self.sign_off.reason
        self.supervisor = self.sign_off.supervisor
        self.password = self.sign_off.password
        self.message = QLabel(self)
        self.message.setObjectName("transferMessage")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("To customer"), self.target)
        form.addRow(self.tr("Amount (yuan)"), self.amount)
        self.sign_off.add_rows(form)
        buttons = QDialogButtonBox(self)
        self.confirm_button = QPushButton(self.tr("Authorize and transfer"), self)
        self.confirm_button.setObjectName("confirmTransferButton")
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel (Esc)"))
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.target.setFocus()

    def confirm(self) -> None:
        from counter_app.services.errors import InvalidAmount
        from counter_app.services.payments import parse_amount

        if self.busy or self.outcome is not None:
            return
        try:
            amount = parse_amount(self.amount.text())
        except InvalidAmount:
            self.message.setText(self.tr("Enter the amount in yuan, e.g. 100 or 88.50."))
            return
        target = self.target.text().strip()
        typed = self.sign_off.typed()
        reason, supervisor, password = typed.reason, typed.supervisor, typed.password
        if not target or not reason or not supervisor or not password:
            self.message.setText(
                self.tr("Enter the customer, the reason and a supervisor's own credentials.")
            )
            return
        service, source, operator = self.service, self.account.customer_no, self.user.username

        def run(_r: Report) -> TransferOutcome:
            return service.transfer(
                source,
                target,
                amount,
                operator=str(operator),
                supervisor=supervisor,
                supervisor_password=password,
                reason=reason,
            )

        self._book("transfer", self.tr("Transferring…"), run)

    def _failed_words(self) -> str:
        return self.tr("The transfer failed.")

    def _booked(self, outcome: TransferOutcome) -> None:
        self.sig_transferred.emit(outcome)
