"""Card fallback: write a purchase onto the customer's purchase card (R6, R10, R12, R12a, R13).

Used for a multi-meter household (R6: the teller chooses the meter, the card is written
from the prepayment) and after a failed dispatch (R10: the same purchase, same count ``n``).

The steps, each shown as it happens, with the card's insert/remove events live:

1. choose the meter; insert the card;
2. read the card (reader thread). A write-back on the card is applied first (R13): it may
   show that an earlier purchase reached the meter. Then the checks of R12/R12a are listed
   in words: the card belongs to this customer and meter, its count ``C`` equals the
   system's last committed count, and the previous purchase on it has reached the meter;
3. Enter writes: the purchase is recorded ``card-writing`` *before* the card is touched
   (``CardService.begin_card_write``), the card library writes and reads back, and only
   then the write is confirmed. A card pulled in the middle is read again: written →
   confirmed, unchanged → abandoned (ready to try again); it is never written twice.

A card refused for security — blocked after too many failed key checks (6983), forged (its
write-back MAC does not verify) or answering with other keys — is explained in words, the
customer is sent to the technician's workbench, the event is audited
(``CardService.record_card_refusal``) and the dialog writes nothing to that card.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.cards import same_card_serial
from counter_app.services.counter_views import Account, MeterRow, card_meters
from counter_app.services.receipts import ReceiptData, ReceiptKind, ReceiptMeter
from counter_app.ui import texts
from counter_app.ui.errors import explain
from counter_app.ui.workers import DeviceEvents, Workers


def same_serial(registered: str | None, serial: str) -> bool:
    """R12: no registered serial accepts any card; else the services' comparison."""
    return not registered or same_card_serial(registered, serial)


def serial_as_recorded(registered: str | None, serial: str) -> str:
    """The serial in the form the records use (so the services' R12 check compares alike)."""
    return registered if registered and same_serial(registered, serial) else serial


class CardWriteDialog(QDialog):
    """The card-write flow for one account; ``sig_written(ReceiptData)`` when done."""

    sig_written = Signal(object)
    sig_step_logged = Signal(str)

    def __init__(
        self,
        context: Any,
        workers: Workers,
        events: DeviceEvents,
        account: Account,
        user: Any,
        *,
        failed_purchase_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cardWriteDialog")
        self.context = context
        self.workers = workers
        self.account = account
        self.user = user
        self.contents: Any = None
        self.ticket: Any = None
        self.result_contents: Any = None
        self.busy = False
        self.written = False
        self.refused_card: BaseException | None = None  # blocked / forged / other keys
        self.purchase_id = self._reusable_purchase(failed_purchase_id)

        self.meter_box = QComboBox(self)
        self.meter_box.setObjectName("meterBox")
        self.meters: list[MeterRow] = list(card_meters(account))
        for m in self.meters:
            self.meter_box.addItem(m.meter_no, m.id)
        preferred = self._purchase_meter_id()
        if preferred is not None:
            index = self.meter_box.findData(preferred)
            self.meter_box.setCurrentIndex(max(index, 0))
            self.meter_box.setEnabled(False)  # the failed purchase belongs to its meter
        self.amount_label = QLabel(self)
        self.amount_label.setObjectName("cardAmount")
        self.card_label = QLabel(self)
        self.card_label.setObjectName("cardState")
        self.card_label.setWordWrap(True)
        self.events_list = QListWidget(self)
        self.events_list.setObjectName("cardEvents")
        self.checks_label = QLabel(self)
        self.checks_label.setObjectName("cardChecks")
        self.checks_label.setWordWrap(True)
        self.read_button = QPushButton(self)
        self.read_button.setObjectName("readButton")
        self.read_button.clicked.connect(self.read_card)
        self.write_button = QPushButton(self)
        self.write_button.setObjectName("primaryButton")
        self.write_button.setEnabled(False)
        self.write_button.clicked.connect(self.write_card)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self._close)
        QShortcut(QKeySequence("F3"), self, self.read_card)

        form = QFormLayout()
        self.meter_caption = QLabel(self)
        self.amount_caption = QLabel(self)
        form.addRow(self.meter_caption, self.meter_box)
        form.addRow(self.amount_caption, self.amount_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.read_button)
        buttons.addStretch(1)
        buttons.addWidget(self.write_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.card_label)
        layout.addWidget(self.checks_label)
        layout.addWidget(self.events_list, 1)
        layout.addLayout(buttons)
        self.resize(620, 520)

        events.sig_card_inserted.connect(self._on_inserted)
        events.sig_card_removed.connect(self._on_removed)
        self.meter_box.currentIndexChanged.connect(lambda _i: self._reset_card())
        self.retranslate()

    # -- purchase to write ---------------------------------------------------------------------
    def _reusable_purchase(self, purchase_id: int | None) -> int | None:
        """R10: a failed / work-order / created card purchase of this account is written as is
        (same n). Otherwise (R6) a new purchase is made from the prepayment."""
        for p in self.account.purchases:
            if purchase_id is not None and p.id != purchase_id:
                continue
            if p.state in ("failed", "work-order"):
                return p.id
        return None

    def _purchase_meter_id(self) -> int | None:
        if self.purchase_id is None:
            return None
        row = next(p for p in self.account.purchases if p.id == self.purchase_id)
        meter = next((m for m in self.meters if m.meter_no == row.meter_no), None)
        return meter.id if meter else None

    _retry_amount: int | None = None

    def amount_fen(self) -> int:
        if self._retry_amount is not None:
            return self._retry_amount
        if self.purchase_id is not None:
            return next(p.amount_fen for p in self.account.purchases if p.id == self.purchase_id)
        return self.account.prepayment_fen

    def meter(self) -> MeterRow | None:
        index = self.meter_box.currentIndex()
        return self.meters[index] if 0 <= index < len(self.meters) else None

    # -- texts ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Write purchase card"))
        self.meter_caption.setText(self.tr("Meter"))
        self.amount_caption.setText(self.tr("Amount to write"))
        row = next((p for p in self.account.purchases if p.id == self.purchase_id), None)
        if row is not None:
            self.amount_label.setText(
                self.tr(
                    "{amount} — purchase no. {count} that could not be dispatched (R10)"
                ).format(amount=texts.yuan(row.amount_fen), count=row.count)
            )
        else:
            self.amount_label.setText(
                self.tr("{amount} — the whole prepayment (R6)").format(
                    amount=texts.yuan(self.account.prepayment_fen)
                )
            )
        if self.contents is None:
            self.card_label.setText(
                self.tr("Insert the customer's card, then press F3 to read it.")
            )
        self.read_button.setText(self.tr("Read card (F3)"))
        self.write_button.setText(self.tr("Write card (Enter)"))
        self.close_button.setText(self.tr("Close (Esc)"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def log(self, text: str) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.events_list.addItem(f"{stamp}  {text}")
        self.events_list.scrollToBottom()
        self.sig_step_logged.emit(text)

    def event_texts(self) -> list[str]:
        return [self.events_list.item(i).text() for i in range(self.events_list.count())]

    def _on_inserted(self, reader: str) -> None:
        self.log(self.tr("Card inserted ({reader}).").format(reader=reader))
        if not self.busy and not self.written:
            self.read_card()

    def _on_removed(self, reader: str) -> None:
        self.log(self.tr("Card removed ({reader}).").format(reader=reader))
        if not self.busy and not self.written:
            self._reset_card()

    def _reset_card(self) -> None:
        self.refused_card = None
        self.contents = None
        self.write_button.setEnabled(False)
        self.checks_label.clear()
        self.card_label.setText(self.tr("Insert the customer's card, then press F3 to read it."))

    # -- 1. read -------------------------------------------------------------------------------
    def read_card(self) -> None:
        if self.busy or self.written:
            return
        meter = self.meter()
        if meter is None:
            self.card_label.setText(self.tr("This customer has no card meter."))
            return
        self.busy = True
        self.write_button.setEnabled(False)
        card = self.context.purchase_card
        ticket = self.ticket
        if ticket is not None:
            # R12: a write was interrupted; the card says whether it happened. Never write
            # again before that is settled.
            self.log(
                self.tr("Reading the card again: is purchase no. {count} on it? (R12)").format(
                    count=ticket.count
                )
            )
            self.workers.submit(
                self.workers.card_reader,
                "card-state",
                lambda _r: card.purchase_state(ticket.amount_fen, ticket.count),
                on_done=self._on_state_known,
                on_error=self._on_state_unknown,
            )
            return
        self.log(self.tr("Reading the card…"))
        self.workers.submit(
            self.workers.card_reader,
            "card-read",
            lambda _r: card.read_card(),
            on_done=self._on_read,
            on_error=self._on_error,
        )

    def _on_read(self, contents: Any) -> None:
        self.contents = contents
        self.card_label.setText(
            self.tr(
                "Card {serial}: customer {customer_no}, meter {meter_no}; purchase no. {count} "
                "of {amount} on the card."
            ).format(
                serial=contents.serial,
                customer_no=contents.customer_no,
                meter_no=contents.meter_no,
                count=contents.count,
                amount=texts.yuan(contents.amount_fen),
            )
        )
        wb = contents.write_back
        if wb is None:
            self._after_writeback()
            return
        self.log(
            self.tr(
                "Write-back from the meter: balance {balance}, count {count} (R13); applying."
            ).format(balance=texts.yuan(wb.remaining_fen), count=wb.count)
        )
        operator = str(self.user.username)
        cards = self.context.cards

        def apply(_r: Any) -> Any:
            return cards.apply_writeback(
                wb.meter_no,
                remaining_fen=wb.remaining_fen,
                count=wb.count,
                overdraft_fen=wb.overdraft_fen,
                illegal_insertions=wb.illegal_insertions,
                written_at=wb.written_at,
                operator=operator,
            )

        self.workers.submit(
            self.workers.db,
            "apply-writeback",
            apply,
            on_done=self._on_writeback_applied,
            on_error=self._on_error,
        )

    def _on_writeback_applied(self, result: Any) -> None:
        if result.loaded_purchase_ids:
            self.log(
                self.tr(
                    "The meter has loaded {n} purchase(s); committed count now {count}."
                ).format(n=len(result.loaded_purchase_ids), count=result.committed_count)
            )
        for flag in result.flags:
            self.log(self.tr("To reconcile: {flag}").format(flag=flag))
        self._committed_override = int(result.committed_count)
        self._after_writeback()

    _committed_override: int | None = None

    def _after_writeback(self) -> None:
        """Explain the R12/R12a checks for this card and this meter."""
        self.busy = False
        contents = self.contents
        meter = self.meter()
        assert meter is not None
        committed = (
            self._committed_override
            if self._committed_override is not None
            else meter.committed_count
        )
        checks: list[tuple[bool, str]] = [
            (
                contents.meter_no == meter.meter_no,
                self.tr("Card is for meter {card_meter}; chosen meter {meter} (R12).").format(
                    card_meter=contents.meter_no, meter=meter.meter_no
                ),
            ),
            (
                same_serial(meter.card_serial, contents.serial),
                self.tr("Card serial {serial} is the card registered for this meter (R12).").format(
                    serial=contents.serial
                ),
            ),
            (
                contents.count == committed,
                self.tr(
                    "Card count C = {card}; system's last committed count = {committed}: they "
                    "must be equal, the new purchase gets n = {n} (R12)."
                ).format(card=contents.count, committed=committed, n=committed + 1),
            ),
            (
                not contents.previous_purchase_pending,
                self.tr(
                    "The previous purchase on the card has reached the meter (R12a); otherwise "
                    "the customer must insert the card into the meter first."
                ),
            ),
            (
                self.amount_fen() > 0,
                self.tr("There is {amount} to write.").format(amount=texts.yuan(self.amount_fen())),
            ),
        ]
        lines = [("✔ " if ok else "✘ ") + text for ok, text in checks]
        self.checks_label.setText("\n".join(lines))
        all_ok = all(ok for ok, _ in checks)
        self.write_button.setEnabled(all_ok)
        if all_ok:
            self.log(self.tr("Checks passed. Press Enter to write the card."))
            self.write_button.setFocus()
        else:
            self.log(self.tr("The card cannot be written; see the checks above."))

    # -- 2. write ------------------------------------------------------------------------------
    def write_card(self) -> None:
        if self.busy or self.written or self.contents is None:
            return
        meter = self.meter()
        assert meter is not None
        self.busy = True
        self.write_button.setEnabled(False)
        contents = self.contents
        operator = str(self.user.username)
        cards = self.context.cards
        purchase_id = self.purchase_id
        self.log(self.tr("Recording the card write before writing (R12)…"))

        def begin(_r: Any) -> Any:
            return cards.begin_card_write(
                meter.id,
                operator=operator,
                card_serial=serial_as_recorded(meter.card_serial, contents.serial),
                card_count=contents.count,
                writeback_pending=contents.previous_purchase_pending,
                purchase_id=purchase_id,
            )

        self.workers.submit(
            self.workers.db,
            "card-write-begin",
            begin,
            on_done=self._on_ticket,
            on_error=self._on_error,
        )

    def _on_ticket(self, ticket: Any) -> None:
        self.ticket = ticket
        self.log(
            self.tr("Writing purchase no. {count} of {amount} to the card…").format(
                count=ticket.count, amount=texts.yuan(ticket.amount_fen)
            )
        )
        card = self.context.purchase_card
        contents = self.contents
        meter = self.meter()
        assert meter is not None

        def write(_r: Any) -> Any:
            return card.write_purchase(
                expected_customer_no=ticket.meter_customer_no,
                expected_meter_no=ticket.meter_no,
                expected_serial=contents.serial if meter.card_serial else None,
                last_committed_count=ticket.count - 1,
                amount_fen=ticket.amount_fen,
                count=ticket.count,
            )

        self.workers.submit(
            self.workers.card_reader,
            "card-write",
            write,
            on_done=self._on_card_written,
            on_error=self._on_write_failed,
        )

    def _on_write_failed(self, exc: BaseException) -> None:
        """R12: never write twice — read the card again and settle what happened."""
        self._note_security_refusal(exc)
        self.log(
            self.tr("The write did not finish: {error} Reading the card again…").format(
                error=explain(exc) or str(exc)
            )
        )
        ticket = self.ticket
        card = self.context.purchase_card
        self.workers.submit(
            self.workers.card_reader,
            "card-state",
            lambda _r: card.purchase_state(ticket.amount_fen, ticket.count),
            on_done=self._on_state_known,
            on_error=self._on_state_unknown,
        )

    def _on_state_unknown(self, exc: BaseException) -> None:
        self.busy = False
        self.log(
            self.tr(
                "The card could not be read ({error}). Put the card back and press F3: the "
                "purchase stays “writing card” until the card is read."
            ).format(error=explain(exc) or str(exc))
        )
        self.written = False

    def _on_state_known(self, state: Any) -> None:
        value = str(getattr(state, "value", state))
        if value == "written":
            self.log(self.tr("The card does carry the purchase: confirming."))
            self._confirm(None)
        elif value == "unchanged":
            operator = str(self.user.username)
            ticket = self.ticket
            self.log(self.tr("The card is unchanged: the write is abandoned; try again."))
            self.workers.submit(
                self.workers.db,
                "card-write-abandon",
                lambda _r: self.context.cards.abandon_card_write(
                    ticket.purchase_id, operator=operator
                ),
                on_done=lambda _s: self._after_abandon(),
                on_error=self._on_error,
            )
        else:
            self.busy = False
            self.log(
                self.tr(
                    "The card shows another purchase: nothing more is written. Call the "
                    "supervisor (reconciliation)."
                )
            )

    def _after_abandon(self) -> None:
        self.busy = False
        if self.purchase_id is None and self.ticket is not None:
            self.purchase_id = self.ticket.purchase_id  # the retry writes the same purchase
            self._retry_amount = int(self.ticket.amount_fen)
            self.meter_box.setEnabled(False)  # the retry is for the same meter
        self.ticket = None
        refused = self.refused_card
        self._reset_card()
        if refused is not None:
            self.refused_card = refused
            self._show_refused(refused)  # not this card: the technician first
            return
        self.read_card()  # the card is still in the reader: check it again for the retry

    def _on_card_written(self, contents: Any) -> None:
        self.log(
            self.tr("Read back: the card holds purchase no. {count} of {amount}.").format(
                count=contents.count, amount=texts.yuan(contents.amount_fen)
            )
        )
        self._confirm(contents)

    def _confirm(self, contents: Any) -> None:
        self.result_contents = contents
        operator = str(self.user.username)
        ticket = self.ticket
        meter = self.meter()
        serial = (
            serial_as_recorded(meter.card_serial if meter else None, self.contents.serial)
            if self.contents is not None
            else ""
        )
        self.workers.submit(
            self.workers.db,
            "card-write-confirm",
            lambda _r: self.context.cards.confirm_card_write(
                ticket.purchase_id, operator=operator, card_serial=serial
            ),
            on_done=self._on_confirmed,
            on_error=self._on_error,
        )

    def _on_confirmed(self, _state: Any) -> None:
        self.busy = False
        self.written = True
        ticket = self.ticket
        self.log(
            self.tr(
                "Card written. The customer inserts it into meter {meter}; the meter loads "
                "purchase no. {count}."
            ).format(meter=ticket.meter_no, count=ticket.count)
        )
        self.close_button.setFocus()
        self.sig_written.emit(self.receipt())

    def receipt(self) -> ReceiptData:
        ticket = self.ticket
        now = dt.datetime.now()
        serial = self.contents.serial if self.contents is not None else None
        return ReceiptData(
            kind=ReceiptKind.CARD_WRITE,
            receipt_no=f"{self.context.counter_id}-{now:%Y%m%d}-K{ticket.purchase_id:08d}",
            record_id=int(ticket.purchase_id),
            issued_at=now,
            counter_id=str(self.context.counter_id),
            operator=str(getattr(self.user, "full_name", "") or self.user.username),
            customer_no=self.account.customer_no,
            customer_name=self.account.name,
            amount_fen=int(ticket.amount_fen),
            prepayment_after_fen=self.account.prepayment_fen
            - (ticket.amount_fen if self.purchase_id is None else 0),
            meters=(ReceiptMeter(ticket.meter_no),),
            dispatch_outcome="card-written",
            purchase_count=int(ticket.count),
            card_serial=serial,
        )

    _SECURITY_CODES = frozenset({"card-blocked", "forged-card", "wrong-key-or-mac"})

    def _note_security_refusal(self, exc: BaseException) -> bool:
        """A card refused for security: remember it (no write on it) and audit it (I3)."""
        if getattr(exc, "code", None) not in self._SECURITY_CODES:
            return False
        self.refused_card = exc
        meter = self.meter()
        operator = str(self.user.username)
        cards = self.context.cards
        self.workers.submit(
            self.workers.db,
            "card-refusal",
            lambda _r: cards.record_card_refusal(
                exc, operator=operator, meter=None if meter is None else meter.id
            ),
            on_done=lambda _a: None,
            on_error=lambda _e: None,
        )
        return True

    def _show_refused(self, exc: BaseException) -> None:
        text = explain(exc) or str(exc)
        self.card_label.setText(text)
        self.checks_label.setText("✘ " + text)
        self.write_button.setEnabled(False)

    def _on_error(self, exc: BaseException) -> None:
        self.busy = False
        self.log(explain(exc) or self.tr("Error: {error}").format(error=exc))
        if self._note_security_refusal(exc):
            self._show_refused(exc)
        if self.contents is not None and not self.written:
            self.write_button.setEnabled(False)

    def _close(self) -> None:
        if self.busy:
            self.log(self.tr("Wait: the card is being written."))
            return
        self.accept()

    def reject(self) -> None:
        if self.busy:
            return
        super().reject()
