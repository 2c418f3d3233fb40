"""Card fallback: write a purchase onto the customer's purchase card (R6, R10, R12, R12a, R13).

Used for a multi-meter household (R6: the teller chooses the meter, the card is written
from the prepayment) and after a failed dispatch (R10: the same purchase, same count ``n``).

The workflow is the services' (`services.cards.CardWriteProcedure`: read, apply the
write-back, check, record ``card-writing``, write, read back, confirm — or read the card
again and confirm or abandon; never write twice). It runs on the card reader's thread; this
dialog is its `CardPrompts`: each moment a person must act (insert the card, press F3, check
and press Enter, put a pulled card back) is signalled to the GUI thread, shown in words with
the card's insert/remove events live, and the procedure waits for the answer.

A card refused for security — blocked after too many failed key checks (6983), forged (its
write-back MAC does not verify) or answering with other keys — is explained in words, the
customer is sent to the technician's workbench, the event is audited
(``CardService.record_card_refusal``) and nothing is written to that card.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, cast

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

from counter_app.services.auth import SignedInUser
from counter_app.services.cards import (
    CardTarget,
    CardWriteProcedure,
    CardWriteResult,
    CardWriteState,
    CardWriteTicket,
    same_serial,
    serial_as_recorded,
)
from counter_app.services.counter_views import Account, MeterRow, card_meters
from counter_app.services.ports import CardAnswer, CardCheck, CardNote, CardStep, CardWait
from counter_app.services.receipts import ReceiptData, ReceiptKind, ReceiptMeter
from counter_app.ui import texts
from counter_app.ui.context import CounterContext
from counter_app.ui.errors import explain
from counter_app.ui.workers import DeviceEvents, GuiCall, Report, Workers

if TYPE_CHECKING:
    from card_io.card_files import WriteBack
    from card_io.purchase_card import CardContents
    from counter_app.services.cards import WritebackResult

__all__ = ["CardWriteDialog", "DialogPrompts", "same_serial", "serial_as_recorded"]

_CANCEL = object()
"""Put on the answer queue when the dialog closes: every pending question is cancelled."""


class DialogPrompts:
    """`CardPrompts` of the dialog, called on the card reader's thread: each call is
    reported to the GUI thread (the job's progress signal) and, for a question, waits on the
    dialog's answer queue until the person acts or the dialog closes."""

    def __init__(
        self,
        report: Report,
        answers: queue.Queue[object],
        gone: Callable[[], bool] = lambda: False,
    ) -> None:
        self.report = report
        self.answers = answers
        self.gone = gone  # the dialog was destroyed or the program is shutting down
        self.closed = False

    def _ask(self, question: tuple[object, ...]) -> object:
        if self.closed or self.gone():
            return _CANCEL
        self.report(question)
        while True:
            try:
                answer = self.answers.get(timeout=0.5)
                break
            except queue.Empty:
                if self.gone():  # nobody will answer: do not hold the card reader's thread
                    answer = _CANCEL
                    break
        if answer is _CANCEL:
            self.closed = True
        return answer

    def note(self, note: CardNote) -> None:
        self.report(("note", note))

    def insert_card(self, why: CardWait, values: Mapping[str, object]) -> bool:
        return self._ask(("card", why, values)) is not _CANCEL

    def confirm_write(self, checks: Sequence[CardCheck]) -> CardAnswer:
        answer = self._ask(("confirm", tuple(checks)))
        return answer if isinstance(answer, CardAnswer) else CardAnswer.CANCEL

    def remove_card(self) -> None:
        """The customer takes the card when they like: the removal is only logged."""


class CardWriteDialog(QDialog):
    """The card write for one account; ``sig_written(ReceiptData)`` when done."""

    sig_written = Signal(object)
    sig_step_logged = Signal(str)

    def __init__(
        self,
        context: CounterContext,
        workers: Workers,
        events: DeviceEvents,
        account: Account,
        user: SignedInUser,
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
        self.contents: CardContents | None = None  # the card as last read
        self.ticket: CardWriteTicket | None = None
        self.result_contents: CardContents | None = None  # as read back after the write
        self.busy = False
        self.written = False
        self.refused_card: BaseException | None = None  # blocked / forged / other keys
        self.purchase_id = self._reusable_purchase(failed_purchase_id)
        self._answers: queue.Queue[object] = queue.Queue()
        self._waiting: str | None = None  # "card" or "confirm": the procedure waits for us
        self._running = False
        self._gui = GuiCall(self)
        gone = threading.Event()
        self._gone = gone
        self.destroyed.connect(lambda *_: gone.set())

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

    def target(self) -> CardTarget:
        """What the teller chose: this meter, this purchase (or the prepayment)."""
        meter = self.meter()
        assert meter is not None
        return CardTarget(
            meter_id=meter.id,
            meter_no=meter.meter_no,
            registered_serial=meter.card_serial,
            committed_count=meter.committed_count,
            amount_fen=self.amount_fen(),
            purchase_id=self.purchase_id,
        )

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

    # -- the person's actions: answers to the procedure ----------------------------------------
    def _answer(self, answer: object) -> None:
        self._waiting = None
        self.busy = True
        self.write_button.setEnabled(False)
        self._answers.put(answer)

    def read_card(self) -> None:
        """F3, or a card inserted: read it (start the procedure, or answer its question)."""
        if self.busy or self.written:
            return
        if self.meter() is None:
            self.card_label.setText(self.tr("This customer has no card meter."))
            return
        if self._waiting == "card":
            self._answer(True)
        elif self._waiting == "confirm":
            self._answer(CardAnswer.READ_AGAIN)
        elif not self._running:
            self._start()

    def write_card(self) -> None:
        """Enter: the checks passed and the teller writes the card."""
        if self.busy or self.written or self.contents is None or self._waiting != "confirm":
            return
        self._answer(CardAnswer.WRITE)

    def _start(self) -> None:
        cards, card = self.context.cards, self.context.purchase_card
        assert cards is not None and card is not None
        self._running = True
        self.busy = True
        self.write_button.setEnabled(False)
        self._answers = queue.Queue()
        answers = self._answers
        db = self.workers.db
        reader = self.workers.card_reader
        gone = self._gone

        def run(report: Report) -> CardWriteResult:
            procedure = CardWriteProcedure(
                cards,
                card,
                DialogPrompts(report, answers, lambda: gone.is_set() or reader.closed),
                operator=str(self.user.username),
                records=lambda step: db.run(step, timeout=60),
            )
            return procedure.run(lambda: self._gui.call(self.target), card_present=True)

        self.workers.submit(
            self.workers.card_reader,
            "card-write",
            run,
            on_progress=self._on_progress,
            on_done=self._on_finished,
            on_error=self._on_error,
        )

    # -- what the procedure reports (GUI thread) -----------------------------------------------
    def _on_progress(self, message: tuple[object, ...]) -> None:
        """What `DialogPrompts` reported: ("note", CardNote), ("card", CardWait, values) or
        ("confirm", checks)."""
        kind = message[0]
        if kind == "note":
            self._on_note(cast(CardNote, message[1]))
        elif kind == "card":
            self._on_wait_card(cast(CardWait, message[1]), cast(Mapping[str, object], message[2]))
        elif kind == "confirm":
            self._on_checks(cast(Sequence[CardCheck], message[1]))

    def _on_note(self, note: CardNote) -> None:
        v = note.values
        step = note.step
        if step is CardStep.READING:
            self.log(self.tr("Reading the card…"))
        elif step is CardStep.CARD_READ:
            self._show_card(cast("CardContents", v["contents"]))
        elif step is CardStep.WRITEBACK_FOUND:
            wb = cast("WriteBack", v["write_back"])
            self.log(
                self.tr(
                    "Write-back from the meter: balance {balance}, count {count} (R13); applying."
                ).format(balance=texts.yuan(wb.remaining_fen), count=wb.count)
            )
        elif step is CardStep.WRITEBACK_APPLIED:
            self._on_writeback_applied(cast("WritebackResult", v["result"]))
        elif step is CardStep.RECORDING:
            self.log(self.tr("Recording the card write before writing (R12)…"))
        elif step is CardStep.WRITING:
            ticket = cast(CardWriteTicket, v["ticket"])
            self.ticket = ticket
            self.log(
                self.tr("Writing purchase no. {count} of {amount} to the card…").format(
                    count=ticket.count, amount=texts.yuan(ticket.amount_fen)
                )
            )
        elif step is CardStep.READ_BACK:
            contents = cast("CardContents", v["contents"])
            self.result_contents = contents
            self.log(
                self.tr("Read back: the card holds purchase no. {count} of {amount}.").format(
                    count=contents.count, amount=texts.yuan(contents.amount_fen)
                )
            )
        elif step is CardStep.WRITE_INTERRUPTED:
            exc = cast(BaseException, v["error"])
            self.log(
                self.tr("The write did not finish: {error} Reading the card again…").format(
                    error=explain(exc) or str(exc)
                )
            )
        elif step is CardStep.REREADING:
            ticket = cast(CardWriteTicket, v["ticket"])
            self.log(
                self.tr("Reading the card again: is purchase no. {count} on it? (R12)").format(
                    count=ticket.count
                )
            )
        elif step is CardStep.FOUND_WRITTEN:
            self.log(self.tr("The card does carry the purchase: confirming."))
        elif step is CardStep.FOUND_UNCHANGED:
            self.log(self.tr("The card is unchanged: the write is abandoned; try again."))
            self._after_abandon(cast(CardWriteTicket, v["ticket"]))
        elif step is CardStep.FOUND_OTHER:
            self.log(
                self.tr(
                    "The card shows another purchase: nothing more is written. Call the "
                    "supervisor (reconciliation)."
                )
            )
        elif step is CardStep.REFUSED:
            self.refused_card = cast(BaseException, v["error"])
        elif step in (CardStep.READ_FAILED, CardStep.RECORD_FAILED):
            self._log_error(cast(BaseException, v["error"]))

    def _show_card(self, contents: CardContents) -> None:
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

    def _on_writeback_applied(self, result: WritebackResult) -> None:
        if result.loaded_purchase_ids:
            self.log(
                self.tr(
                    "The meter has loaded {n} purchase(s); committed count now {count}."
                ).format(n=len(result.loaded_purchase_ids), count=result.committed_count)
            )
        for flag in result.flags:
            self.log(self.tr("To reconcile: {flag}").format(flag=flag))

    def _after_abandon(self, ticket: CardWriteTicket) -> None:
        if self.purchase_id is None:
            self.purchase_id = ticket.purchase_id  # the retry writes the same purchase
            self._retry_amount = int(ticket.amount_fen)
            self.meter_box.setEnabled(False)  # the retry is for the same meter
        self.ticket = None
        refused = self.refused_card
        self._reset_card()
        self.refused_card = refused  # not this card: the technician first

    def _on_wait_card(self, why: CardWait, values: Mapping[str, object]) -> None:
        """The procedure waits for the card (F3 or inserting it answers)."""
        self._waiting = "card"
        self.busy = False
        if why is CardWait.PUT_BACK:
            error = cast(BaseException, values.get("error"))
            self.log(
                self.tr(
                    "The card could not be read ({error}). Put the card back and press F3: the "
                    "purchase stays “writing card” until the card is read."
                ).format(error=explain(error) or str(error))
            )
        elif why is CardWait.AGAIN:
            self._reset_card()

    def _on_checks(self, checks: Sequence[CardCheck]) -> None:
        """Explain the R12/R12a checks for this card and this meter; Enter writes."""
        self._waiting = "confirm"
        self.busy = False
        lines = [("✔ " if c.ok else "✘ ") + self._check_text(c) for c in checks]
        self.checks_label.setText("\n".join(lines))
        all_ok = all(c.ok for c in checks)
        self.write_button.setEnabled(all_ok)
        if all_ok:
            self.log(self.tr("Checks passed. Press Enter to write the card."))
            self.write_button.setFocus()
        else:
            self.log(self.tr("The card cannot be written; see the checks above."))

    def _check_text(self, check: CardCheck) -> str:
        v = check.values
        if check.name == "meter":
            return self.tr("Card is for meter {card_meter}; chosen meter {meter} (R12).").format(
                card_meter=v["card_meter"], meter=v["meter"]
            )
        if check.name == "serial":
            return self.tr(
                "Card serial {serial} is the card registered for this meter (R12)."
            ).format(serial=v["serial"])
        if check.name == "count":
            return self.tr(
                "Card count C = {card}; system's last committed count = {committed}: they "
                "must be equal, the new purchase gets n = {n} (R12)."
            ).format(card=v["card"], committed=v["committed"], n=v["n"])
        if check.name == "previous-loaded":
            return self.tr(
                "The previous purchase on the card has reached the meter (R12a); otherwise "
                "the customer must insert the card into the meter first."
            )
        amount = cast(int, v["amount_fen"])
        return self.tr("There is {amount} to write.").format(amount=texts.yuan(amount))

    def _on_finished(self, result: CardWriteResult) -> None:
        self._running = False
        self._waiting = None
        self.busy = False
        if result.state is CardWriteState.WRITTEN:
            self.ticket = result.ticket
            if result.read_back is None:
                self.result_contents = None
            self._on_written()
        elif result.state is CardWriteState.REFUSED and result.error is not None:
            self.refused_card = result.error
            if result.ticket is None:
                self.log(explain(result.error) or str(result.error))
            self._show_refused(result.error)

    def _on_written(self) -> None:
        self.written = True
        ticket = self.ticket
        assert ticket is not None
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
        assert ticket is not None
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

    def _show_refused(self, exc: BaseException) -> None:
        text = explain(exc) or str(exc)
        self.card_label.setText(text)
        self.checks_label.setText("✘ " + text)
        self.write_button.setEnabled(False)

    def _log_error(self, exc: BaseException) -> None:
        self.log(explain(exc) or self.tr("Error: {error}").format(error=exc))
        if self.contents is not None and not self.written:
            self.write_button.setEnabled(False)

    def _on_error(self, exc: BaseException) -> None:
        """Something the procedure could not handle (the database, say): said in words; F3
        starts again (a purchase left ``card-writing`` is settled by reading the card)."""
        self._running = False
        self._waiting = None
        self.busy = False
        self._log_error(exc)

    def _close(self) -> None:
        if self.busy:
            self.log(self.tr("Wait: the card is being written."))
            return
        self.accept()

    def reject(self) -> None:
        if self.busy:
            return
        super().reject()

    def done(self, result: int) -> None:
        """Closing answers every question the procedure still waits for: cancelled."""
        if self._running:
            self._waiting = None
            self._answers.put(_CANCEL)
        super().done(result)
