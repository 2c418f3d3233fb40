"""The technicians' card workbench (R12–R14, R16): read any card, issue, re-issue, clear.

* **Read** (F3): every field of the card with what it means, and the write-back (the
  meter's figures the card brought back, R13) set against what the system expected —
  differences marked. **Apply write-back** records it (last known meter state, purchases the
  meter loaded become ``loaded``, differences flagged for reconciliation).
* **Issue** an open-account card (开户卡, R14) for a new meter: count 0 without money, or
  count 1 carrying the first purchase; its serial is registered for the meter.
* **Re-issue** a lost card (补卡, R14): a new card carrying the last purchase again; the new
  serial is registered, and the meter refuses the old card once it has seen the new one.
* **Clear** an unloaded purchase from a card (R16) so that its reversal can go ahead.
* **Unblock** a card whose keys were blocked by wrong cryptograms or MACs (status 6983; the
  counter sends such customers here): the issuer's procedure with the master key resets the
  card's retry counters. Re-issuing with "overwrite" unblocks the same card on the way.

The card operations go through ``services.cards.CardWorkbench`` (role checks, records)
and the card library (its checks and typed errors, explained by ``ui.errors``), on the
card reader's owner thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar, cast

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.auth import Action, SignedInUser
from counter_app.services.cards import (
    CardInspection,
    CardOperationResult,
    CardWorkbench,
    WritebackResult,
)
from counter_app.ui import texts
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.backoffice.widgets import make_button, make_label, make_table, set_row
from counter_app.ui.backoffice.window import describe_error

Result = TypeVar("Result")


class CardWorkbenchTab(QWidget):
    """See the module docstring."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cardWorkbenchTab")
        self.ctx = ctx
        self.user = user
        self.workers = ctx.workers
        self.bench: CardWorkbench | None = ctx.card_workbench
        self.inspection: CardInspection | None = None
        self.last_writeback: WritebackResult | None = None
        self.last_result: CardOperationResult | None = None
        self.last_error: BaseException | None = None
        self.busy = False
        self.operations = 0

        self.title = make_label(self, "sectionTitle")
        self.read_button = make_button(self, "primaryButton", self.read_card)
        self.apply_button = QPushButton(self)
        self.apply_button.clicked.connect(self.apply_writeback)
        QShortcut(QKeySequence("F3"), self, self.read_card)

        self.fields = make_table(self, "cardFields", 3)
        self.compare = make_table(self, "writebackComparison", 4)
        self.compare_caption = QLabel(self)

        # operations
        self.ops_box = QGroupBox(self)
        self.meter_edit = QLineEdit(self)
        self.meter_edit.setObjectName("workbenchMeter")
        self.purchase_spin = QSpinBox(self)
        self.purchase_spin.setObjectName("workbenchPurchase")
        self.purchase_spin.setRange(0, 2_000_000_000)
        self.purchase_spin.setSpecialValueText("—")
        self.overwrite = QCheckBox(self)
        self.issue_button = make_button(self, "issueButton", self.issue_card)
        self.reissue_button = make_button(self, "reissueButton", self.reissue_card)
        self.clear_button = make_button(self, "clearButton", self.clear_purchase)
        self.unblock_button = make_button(self, "unblockButton", self.unblock_card)
        self.meter_caption = QLabel(self)
        self.purchase_caption = QLabel(self)
        form = QFormLayout()
        form.addRow(self.meter_caption, self.meter_edit)
        form.addRow(self.purchase_caption, self.purchase_spin)
        form.addRow("", self.overwrite)
        op_buttons = QVBoxLayout()
        op_buttons.addWidget(self.issue_button)
        op_buttons.addWidget(self.reissue_button)
        op_buttons.addWidget(self.clear_button)
        op_buttons.addWidget(self.unblock_button)
        ops = QHBoxLayout(self.ops_box)
        ops.addLayout(form, 1)
        ops.addLayout(op_buttons)
        self.ops_help = QLabel(self)
        self.ops_help.setWordWrap(True)

        self.log_list = QListWidget(self)
        self.log_list.setObjectName("workbenchLog")
        self.status = make_label(self, "workbenchStatus", wrap=True)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.read_button)
        top.addWidget(self.apply_button)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.fields, 3)
        left_layout.addWidget(self.compare_caption)
        left_layout.addWidget(self.compare, 2)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.ops_box)
        right_layout.addWidget(self.ops_help)
        right_layout.addWidget(self.log_list, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        events = ctx.events
        if events is not None:
            events.sig_card_inserted.connect(self._on_inserted)
            events.sig_card_removed.connect(self._on_removed)
        self.retranslate()
        self._update_buttons()

    # -- texts ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Card workbench"))
        self.read_button.setText(self.tr("Read card (F3)"))
        self.apply_button.setText(self.tr("Apply write-back (R13)"))
        self.fields.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("Value"), self.tr("Meaning")]
        )
        self.compare_caption.setText(
            self.tr("The card against what the system expected (R12, R13)")
        )
        self.compare.setHorizontalHeaderLabels(
            [
                self.tr("Figure"),
                self.tr("On the card"),
                self.tr("System expected"),
                self.tr("Agrees"),
            ]
        )
        self.ops_box.setTitle(self.tr("Card operations (technicians)"))
        self.meter_caption.setText(self.tr("Meter no. or address"))
        self.purchase_caption.setText(self.tr("Purchase id"))
        self.overwrite.setText(self.tr("Overwrite a card that is not blank"))
        self.issue_button.setText(self.tr("Issue open-account card (R14)"))
        self.reissue_button.setText(self.tr("Re-issue lost card (R14)"))
        self.clear_button.setText(self.tr("Clear unloaded purchase (R16)"))
        self.unblock_button.setText(self.tr("Unblock card (issuer key)"))
        self.ops_help.setText(
            self.tr(
                "Issue: a blank card for a new meter, count 0; with a purchase id, count 1 "
                "carrying that first purchase. Re-issue: a new card carrying the meter's last "
                "purchase again; the old card is refused afterwards. Clear: takes the purchase "
                "(purchase id) off the card before its reversal. Unblock: a card blocked by "
                "wrong keys (the counter sends the customer here) is unblocked with the "
                "issuer's key."
            )
        )
        if self.bench is None:
            self.status.setText(
                self.tr("No card reader is configured: the workbench cannot read cards.")
            )
        if self.inspection is not None:
            self._show(self.inspection)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def kind_text(self, kind: object) -> str:
        """Words for a card kind (``card_io`` ``CardKind``, by its name)."""
        name = str(getattr(kind, "name", kind))
        return {
            "OPEN_ACCOUNT": self.tr("open-account card (开户卡)"),
            "PURCHASE": self.tr("purchase card (购电卡)"),
            "REISSUE": self.tr("re-issued card (补卡)"),
        }.get(name, name)

    def check_name(self, name: str) -> str:
        return {
            "meter": self.tr("meter number"),
            "customer": self.tr("customer number"),
            "serial": self.tr("card serial registered for the meter"),
            "count": self.tr("meter's purchase count"),
            "remaining": self.tr("remaining balance"),
            "overdraft": self.tr("overdraft"),
            "illegal-insertions": self.tr("illegal card insertions"),
        }.get(name, name)

    # -- helpers -------------------------------------------------------------------------------
    def log(self, text: str) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.log_list.addItem(f"{stamp}  {text}")
        self.log_list.scrollToBottom()

    def log_texts(self) -> list[str]:
        return [self.log_list.item(i).text() for i in range(self.log_list.count())]

    def _update_buttons(self) -> None:
        ready = self.bench is not None and not self.busy
        may = self.user.may
        self.read_button.setEnabled(ready and may(Action.INSPECT_CARD))
        wb = None if self.inspection is None else self.inspection.contents.write_back
        self.apply_button.setEnabled(ready and wb is not None and may(Action.APPLY_WRITEBACK))
        self.issue_button.setEnabled(ready and may(Action.ISSUE_CARD))
        self.reissue_button.setEnabled(ready and may(Action.REISSUE_CARD))
        self.clear_button.setEnabled(ready and may(Action.CLEAR_CARD))
        self.unblock_button.setEnabled(ready and may(Action.UNBLOCK_CARD))

    def _run(self, name: str, fn: Callable[[], Result], on_done: Callable[[Result], None]) -> None:
        if self.bench is None or self.busy:
            return
        self.busy = True
        self.last_error = None
        self._update_buttons()
        self.workers.submit(
            self.workers.card_reader,
            name,
            lambda _r: fn(),
            on_done=on_done,
            on_error=self._on_error,
        )

    def _finish(self) -> None:
        self.busy = False
        self.operations += 1
        self._update_buttons()

    def _on_error(self, exc: BaseException) -> None:
        self.last_error = exc
        text = describe_error(exc)
        self.log(text)
        self.status.setText(text)
        self._finish()

    def _on_inserted(self, reader: str) -> None:
        self.log(self.tr("Card inserted ({reader}).").format(reader=reader))
        if not self.busy and self.isVisible():
            self.read_card()

    def _on_removed(self, reader: str) -> None:
        self.log(self.tr("Card removed ({reader}).").format(reader=reader))

    # -- read ----------------------------------------------------------------------------------
    def read_card(self) -> None:
        bench = self.bench
        if bench is None:
            return
        self.log(self.tr("Reading the card…"))
        user = self.user
        self._run("card-inspect", lambda: bench.inspect(user), self._on_inspected)

    def _on_inspected(self, inspection: CardInspection) -> None:
        self.inspection = inspection
        self._show(inspection)
        c = inspection.contents
        self.log(
            self.tr(
                "Card {serial}: {kind}, meter {meter}, purchase no. {count} of {amount}."
            ).format(
                serial=c.serial,
                kind=self.kind_text(c.kind),
                meter=c.meter_no,
                count=c.count,
                amount=texts.yuan(c.amount_fen),
            )
        )
        if inspection.meter is None:
            self.status.setText(
                self.tr("The system knows no meter {meter}.").format(meter=c.meter_no)
            )
        elif inspection.differences:
            self.status.setText(
                self.tr("{n} difference(s) against the records: see the marked lines.").format(
                    n=len(inspection.differences)
                )
            )
        else:
            self.status.setText(self.tr("The card agrees with the records."))
        if inspection.meter is not None and not self.meter_edit.text().strip():
            self.meter_edit.setText(inspection.meter.meter_no)
        self._finish()

    def _show(self, inspection: CardInspection) -> None:
        c = inspection.contents
        p = c.parameters
        wb = c.write_back
        y = texts.yuan
        rows: list[tuple[str, str, str]] = [
            (
                self.tr("Card serial"),
                c.serial,
                self.tr("unique number of this card (ATR); the meter and the system register it"),
            ),
            (self.tr("ATR"), c.atr, self.tr("the card's answer to reset")),
            (self.tr("Reader"), c.reader, self.tr("the PC/SC reader the card is in")),
            (
                self.tr("Card kind"),
                self.kind_text(p.kind),
                self.tr("open-account, purchase or re-issued card (R14)"),
            ),
            (self.tr("Meter number"), p.meter_no, self.tr("the meter this card belongs to (R12)")),
            (
                self.tr("Customer number"),
                p.customer_no,
                self.tr("the customer number held in the meter (R12)"),
            ),
            (self.tr("User kind"), str(p.user_kind), self.tr("tariff kind: 1 = single rate")),
            (
                self.tr("Update flags"),
                f"{p.update_flags:02X}",
                self.tr("which meter parameters this card sets"),
            ),
            (
                self.tr("Alarm amount 1"),
                y(p.alarm1_fen),
                self.tr("the meter warns at or below this balance (R21)"),
            ),
            (self.tr("Alarm amount 2"), y(p.alarm2_fen), self.tr("second warning level (R21)")),
            (self.tr("CT ratio"), str(p.ct_ratio), self.tr("current transformer ratio")),
            (self.tr("PT ratio"), str(p.pt_ratio), self.tr("voltage transformer ratio")),
            (
                self.tr("Purchase amount"),
                y(c.amount_fen),
                self.tr("the purchase on the card (wallet)"),
            ),
            (
                self.tr("Purchase count C"),
                str(c.count),
                self.tr("the meter loads it only when its own count is C − 1 (R12)"),
            ),
            (
                self.tr("Previous purchase pending"),
                texts.yes_no(c.previous_purchase_pending),
                self.tr("yes: the purchase on the card has not reached the meter (R12a)"),
            ),
            (
                self.tr("Write-back cleared at count"),
                "—" if c.cleared_at_count is None else str(c.cleared_at_count),
                self.tr("meter count noted when the counter cleared the write-back"),
            ),
        ]
        if wb is None:
            rows.append(
                (
                    self.tr("Write-back"),
                    self.tr("empty"),
                    self.tr("the card has not been in the meter since it was written"),
                )
            )
        else:
            rows += [
                (
                    self.tr("Write-back: meter"),
                    wb.meter_no,
                    self.tr("the meter that wrote back (R13)"),
                ),
                (
                    self.tr("Write-back: customer"),
                    wb.customer_no,
                    self.tr("customer number in that meter"),
                ),
                (
                    self.tr("Write-back: remaining"),
                    y(wb.remaining_fen),
                    self.tr("the meter's remaining balance"),
                ),
                (
                    self.tr("Write-back: count"),
                    str(wb.count),
                    self.tr("the meter's purchase count M"),
                ),
                (
                    self.tr("Write-back: overdraft"),
                    y(wb.overdraft_fen),
                    self.tr("money used beyond zero balance (R21)"),
                ),
                (
                    self.tr("Write-back: illegal insertions"),
                    str(wb.illegal_insertions),
                    self.tr("cards the meter refused"),
                ),
                (
                    self.tr("Write-back: time"),
                    "—" if wb.written_at is None else wb.written_at.strftime("%Y-%m-%d %H:%M"),
                    self.tr("when the meter wrote back"),
                ),
            ]
        self.fields.setRowCount(len(rows))
        for r, values in enumerate(rows):
            set_row(self.fields, r, values)
        self.compare.setRowCount(len(inspection.checks))
        for r, check in enumerate(inspection.checks):
            money = check.name in ("remaining", "overdraft")

            def shown(value: object, money: bool = money) -> str:
                if value is None:
                    return "—"
                return y(int(cast(int, value))) if money else str(value)

            cells = [
                self.check_name(check.name),
                shown(check.card_value),
                shown(check.system_value),
                "✔" if check.ok else self.tr("✘ differs"),
            ]
            set_row(self.compare, r, cells, colour=None if check.ok else "#b00020")

    # -- R13 -------------------------------------------------------------------------------------
    def apply_writeback(self) -> None:
        bench = self.bench
        if bench is None or self.inspection is None or self.inspection.contents.write_back is None:
            return
        contents = self.inspection.contents
        user = self.user
        self.log(self.tr("Applying the write-back to the records (R13)…"))
        self._run(
            "card-apply-writeback", lambda: bench.apply_writeback(user, contents), self._on_applied
        )

    def _on_applied(self, result: WritebackResult) -> None:
        self.last_writeback = result
        text = self.tr(
            "Write-back applied: {n} purchase(s) now loaded; committed count {count}."
        ).format(n=len(result.loaded_purchase_ids), count=result.committed_count)
        self.log(text)
        for flag in result.flags:
            self.log(self.tr("To reconcile: {flag}").format(flag=flag))
        self.status.setText(text)
        self._finish()

    # -- R14 / R16 -------------------------------------------------------------------------------
    def _meter(self) -> str | None:
        meter = self.meter_edit.text().strip()
        if not meter:
            self.status.setText(self.tr("Enter the meter number first."))
            self.meter_edit.setFocus()
            return None
        return meter

    def issue_card(self) -> None:
        bench = self.bench
        meter = self._meter()
        if bench is None or meter is None:
            return
        purchase_id = self.purchase_spin.value() or None
        overwrite = self.overwrite.isChecked()
        user = self.user
        self.log(self.tr("Issuing an open-account card for meter {meter}…").format(meter=meter))
        self._run(
            "card-issue",
            lambda: bench.issue(user, meter, purchase_id=purchase_id, overwrite=overwrite),
            self._on_operation,
        )

    def reissue_card(self) -> None:
        bench = self.bench
        meter = self._meter()
        if bench is None or meter is None:
            return
        overwrite = self.overwrite.isChecked()
        user = self.user
        self.log(self.tr("Re-issuing the card of meter {meter}…").format(meter=meter))
        self._run(
            "card-reissue",
            lambda: bench.reissue(user, meter, overwrite=overwrite),
            self._on_operation,
        )

    def clear_purchase(self) -> None:
        bench = self.bench
        purchase_id = self.purchase_spin.value()
        if bench is None:
            return
        if not purchase_id:
            self.status.setText(self.tr("Enter the id of the purchase to clear."))
            self.purchase_spin.setFocus()
            return
        user = self.user
        self.log(self.tr("Clearing purchase {id} from the card (R16)…").format(id=purchase_id))
        self._run("card-clear", lambda: bench.clear(user, purchase_id), self._on_operation)

    def unblock_card(self) -> None:
        bench = self.bench
        if bench is None:
            return
        user = self.user
        self.log(self.tr("Unblocking the card with the issuer's key…"))
        self._run("card-unblock", lambda: bench.unblock(user), self._on_operation)

    def _on_operation(self, result: CardOperationResult) -> None:
        self.last_result = result
        amount = texts.yuan(result.amount_fen)
        if result.operation == "issue":
            text = self.tr(
                "Open-account card {serial} issued: count {count}, {amount}; serial registered "
                "for the meter."
            ).format(serial=result.serial, count=result.count, amount=amount)
        elif result.operation == "reissue":
            text = self.tr(
                "Card {serial} re-issued carrying purchase no. {count} of {amount} again; it "
                "replaces card {old}, which the meter refuses once it has seen the new card."
            ).format(
                serial=result.serial,
                count=result.count,
                amount=amount,
                old=result.previous_serial or "—",
            )
        elif result.operation == "unblock":
            text = self.tr(
                "Card {serial} unblocked: its keys accept the counter again (purchase no. "
                "{count} of {amount} on the card)."
            ).format(serial=result.serial, count=result.count, amount=amount)
        else:
            text = self.tr(
                "Purchase {id} (no. {count}, {amount}) cleared from the card: it can be "
                "reversed now (R16)."
            ).format(id=result.purchase_id, count=result.count, amount=amount)
        self.log(text)
        self.status.setText(text)
        self._finish()
