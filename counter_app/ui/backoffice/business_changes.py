"""Business changes (业务变更) in the back office: technicians file, supervisors review.

Filing: new installation (R18: a collection-capable card meter is archived in remote mode and
its account opened remotely, else by the open-account card), meter replacement (R19: the old
meter is read, or marked dead and its figures typed from the form), account close, moving a
meter to another customer, purchase mode remote ↔ card with the reason.

Review (R20): the prepayments those changes created wait in a queue; a supervisor other than
the filer approves (the money joins the prepayment, R1–R3 run and the purchase is dispatched),
refuses with a reason (the money stays held) or refunds it in cash.

Steps that talk to meters (installation, replacement, approval) run on the meter bus's owner
thread, the others on the database's (``ui.workers``); the window never waits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.auth import Action, SignedInUser
from counter_app.services.business import (
    ChangeView,
    InstallOutcome,
    ReplacementOutcome,
    ReviewOutcome,
    ReviewView,
)
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.backoffice.office_jobs import describe, format_fen, local_time, parse_amount
from counter_app.ui.backoffice.widgets import make_button, make_label, make_table, set_row
from counter_app.ui.workers import OwnerThread

Result = TypeVar("Result")


class Decision(Protocol):
    """A review decision of `BusinessService` (approve, refuse, refund in cash)."""

    def __call__(
        self, reviewer: SignedInUser, review_id: int, /, *, reason: str
    ) -> ReviewOutcome: ...


KINDS = ("new-installation", "meter-replacement", "account-close", "meter-move", "mode-change")

# which form rows each kind uses
FIELDS: dict[str, tuple[str, ...]] = {
    "new-installation": ("customer", "name", "meter", "capable", "reason"),
    "meter-replacement": ("meter", "new_meter", "capable", "dead", "balance", "count", "reason"),
    "account-close": ("customer", "reason"),
    "meter-move": ("meter", "to_customer", "reason"),
    "mode-change": ("meter", "mode", "capable", "reason"),
}


class BusinessChangesTab(QWidget):
    """See the module docstring."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("businessChangesTab")
        self.ctx = ctx
        self.user = user
        self.business = ctx.services.business
        self.busy = 0
        self.last_error: BaseException | None = None
        self.last_result: object = None  # the outcome of the last change filed or reviewed
        self.reviews: list[ReviewView] = []
        self.changes: list[ChangeView] = []
        self.may_file = bool(user.may(Action.FILE_BUSINESS_CHANGE))
        self.may_review = bool(user.may(Action.REVIEW_BUSINESS_CHANGE))

        self.title = make_label(self, "sectionTitle")
        # -- filing ------------------------------------------------------------------------------
        self.file_box = QGroupBox(self)
        self.kind = QComboBox(self.file_box)
        self.kind.setObjectName("changeKind")
        self.kind.currentIndexChanged.connect(lambda _i: self._show_fields())
        self.customer = QLineEdit(self.file_box)
        self.name = QLineEdit(self.file_box)
        self.meter = QLineEdit(self.file_box)
        self.new_meter = QLineEdit(self.file_box)
        self.to_customer = QLineEdit(self.file_box)
        self.capable = QCheckBox(self.file_box)
        self.capable.setChecked(True)
        self.dead = QCheckBox(self.file_box)
        self.dead.toggled.connect(lambda _on: self._show_fields())
        self.balance = QLineEdit(self.file_box)
        self.count = QSpinBox(self.file_box)
        self.count.setRange(0, 999_999)
        self.mode = QComboBox(self.file_box)
        self.reason = QLineEdit(self.file_box)
        self.file_button = make_button(self.file_box, "primaryButton", self.file_change)
        for edit in (
            self.customer,
            self.name,
            self.meter,
            self.new_meter,
            self.to_customer,
            self.balance,
            self.reason,
        ):
            edit.returnPressed.connect(self.file_button.click)  # Enter files, as the button
        self.form = QFormLayout()
        self.rows: dict[str, QWidget] = {
            "customer": self.customer,
            "name": self.name,
            "meter": self.meter,
            "new_meter": self.new_meter,
            "to_customer": self.to_customer,
            "capable": self.capable,
            "dead": self.dead,
            "balance": self.balance,
            "count": self.count,
            "mode": self.mode,
            "reason": self.reason,
        }
        self.labels: dict[str, QLabel] = {}
        self.form.addRow(make_label(self.file_box, "kindLabel"), self.kind)
        self.kind_label = self.form.labelForField(self.kind)
        for key, widget in self.rows.items():
            label = make_label(self.file_box, f"{key}Label")
            self.labels[key] = label
            self.form.addRow(label, widget)
        box_layout = QVBoxLayout(self.file_box)
        box_layout.addLayout(self.form)
        box_layout.addWidget(self.file_button)
        self.file_box.setVisible(self.may_file)
        # -- review ------------------------------------------------------------------------------
        self.review_box = QGroupBox(self)
        self.review_table = make_table(self.review_box, "reviewTable", 8, select_rows=True)
        self.review_table.itemSelectionChanged.connect(self._update_buttons)
        self.review_reason = QLineEdit(self.review_box)
        self.review_reason.setObjectName("reviewReason")
        self.approve_button = make_button(self.review_box, "primaryButton", self.approve)
        self.refuse_button = make_button(self.review_box, "refuseButton", self.refuse)
        self.refund_button = make_button(self.review_box, "refundButton", self.refund)
        buttons = QHBoxLayout()
        buttons.addWidget(self.review_reason, 1)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.refuse_button)
        buttons.addWidget(self.refund_button)
        review_layout = QVBoxLayout(self.review_box)
        review_layout.addWidget(self.review_table, 1)
        review_layout.addLayout(buttons)
        # -- list --------------------------------------------------------------------------------
        self.refresh_button = make_button(self, "refreshButton", self.refresh)
        self.changes_table = make_table(self, "changesTable", 7)
        self.status = make_label(self, "changeStatus", wrap=True)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        left = QVBoxLayout()
        left.addWidget(self.file_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.review_box, 1)
        right.addWidget(self.changes_table, 1)
        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)
        self.retranslate()
        self._show_fields()
        self._update_buttons()
        self.refresh()

    # -- texts ---------------------------------------------------------------------------------
    def kind_text(self, code: str) -> str:
        return {
            "new-installation": self.tr("New installation"),
            "meter-replacement": self.tr("Meter replacement"),
            "account-close": self.tr("Close account"),
            "meter-move": self.tr("Move meter to another customer"),
            "mode-change": self.tr("Change purchase mode"),
        }.get(code, code)

    def state_text(self, code: str) -> str:
        return {
            "pending": self.tr("waiting"),
            "refused": self.tr("refused"),
            "approved": self.tr("approved"),
            "refunded": self.tr("refunded"),
        }.get(code, code)

    def source_text(self, code: str) -> str:
        return {
            "meter-balance": self.tr("old meter's balance"),
            "account-close": self.tr("closed account"),
        }.get(code, code)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Business changes"))
        self.file_box.setTitle(self.tr("File a change"))
        self.review_box.setTitle(self.tr("Prepayments waiting for review (R20)"))
        current = self.kind.currentData()
        self.kind.blockSignals(True)
        self.kind.clear()
        for code in KINDS:
            self.kind.addItem(self.kind_text(code), code)
        self.kind.setCurrentIndex(max(0, self.kind.findData(current)))
        self.kind.blockSignals(False)
        mode = self.mode.currentData()
        self.mode.clear()
        self.mode.addItem(self.tr("remote"), "remote")
        self.mode.addItem(self.tr("card"), "card")
        self.mode.setCurrentIndex(max(0, self.mode.findData(mode)))
        self.kind_label.setText(self.tr("Change"))  # type: ignore[attr-defined]
        texts = {
            "customer": self.tr("Customer number"),
            "name": self.tr("Name (new customer)"),
            "meter": self.tr("Meter address"),
            "new_meter": self.tr("New meter address"),
            "to_customer": self.tr("To customer"),
            "capable": self.tr("Collection-capable"),
            "dead": self.tr("Old meter cannot be read (figures from the form)"),
            "balance": self.tr("Final balance (yuan)"),
            "count": self.tr("Final purchase count"),
            "mode": self.tr("Purchase mode"),
            "reason": self.tr("Reason"),
        }
        for key, label in self.labels.items():
            label.setText(texts[key])
        self.file_button.setText(self.tr("File the change"))
        self.review_reason.setPlaceholderText(self.tr("Reason (needed to refuse or refund)"))
        self.approve_button.setText(self.tr("Approve and dispatch"))
        self.refuse_button.setText(self.tr("Refuse"))
        self.refund_button.setText(self.tr("Refund in cash"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.review_table.setHorizontalHeaderLabels(
            [
                self.tr("No."),
                self.tr("State"),
                self.tr("Customer"),
                self.tr("Amount"),
                self.tr("From"),
                self.tr("To meter"),
                self.tr("Filed by"),
                self.tr("Reading / reason"),
            ]
        )
        self.changes_table.setHorizontalHeaderLabels(
            [
                self.tr("No."),
                self.tr("Filed at"),
                self.tr("Change"),
                self.tr("Customer"),
                self.tr("Meter"),
                self.tr("New meter"),
                self.tr("Filed by"),
            ]
        )
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_error(self, text: str) -> None:
        self.status.setText(text)

    def _show_fields(self) -> None:
        used = FIELDS.get(str(self.kind.currentData()), ())
        for key, widget in self.rows.items():
            visible = key in used
            if key in ("balance", "count"):
                visible = visible and self.dead.isChecked()
            widget.setVisible(visible)
            self.labels[key].setVisible(visible)

    def _update_buttons(self) -> None:
        selected = self.selected_review()
        self.review_box.setVisible(self.may_review)
        enabled = selected is not None and self.busy == 0
        self.approve_button.setEnabled(
            selected is not None and enabled and selected.source == "meter-balance"
        )
        self.refuse_button.setEnabled(
            selected is not None and enabled and selected.state == "pending"
        )
        self.refund_button.setEnabled(enabled)

    def selected_review(self) -> ReviewView | None:
        rows = self.review_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.reviews):
            return None
        return self.reviews[rows[0].row()]

    # -- jobs ----------------------------------------------------------------------------------
    def _run(
        self,
        owner: OwnerThread,
        name: str,
        fn: Callable[[], Result],
        on_done: Callable[[Result], None],
    ) -> None:
        self.busy += 1
        self.last_error = None
        self._update_buttons()

        def done(result: Result) -> None:
            if not shiboken6.isValid(self):
                return
            self.busy -= 1
            on_done(result)
            self._update_buttons()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self.busy -= 1
            self.last_error = exc
            self.show_error(describe(exc))
            self._update_buttons()

        self.ctx.workers.submit(owner, name, lambda _report: fn(), on_done=done, on_error=failed)

    def refresh(self) -> None:
        business = self.business

        def load() -> tuple[list[ReviewView], list[ChangeView]]:
            return business.reviews(), business.changes(limit=100)

        def show(result: tuple[list[ReviewView], list[ChangeView]]) -> None:
            self.reviews, self.changes = result
            self._fill()

        self._run(self.ctx.workers.db, "business-changes", load, show)

    def _fill(self) -> None:
        self.review_table.setRowCount(len(self.reviews))
        for i, r in enumerate(self.reviews):
            d = r.details
            if r.source == "meter-balance":
                reading = self.tr("{source}: count {count}").format(
                    source=self.tr("from the form") if d.get("dead") else self.tr("read"),
                    count=d.get("final_count", "?"),
                )
            else:
                reading = ""
            note = r.review_reason if r.state == "refused" else reading
            set_row(
                self.review_table,
                i,
                [
                    str(r.id),
                    self.state_text(r.state),
                    f"{r.customer_no} {r.customer_name}",
                    format_fen(r.amount_fen),
                    self.source_text(r.source),
                    r.meter_address or "—",
                    r.filed_by,
                    note,
                ],
                tooltips=True,
                colour="#b00020" if r.state == "refused" else None,
            )
        self.changes_table.setRowCount(len(self.changes))
        for i, c in enumerate(self.changes):
            set_row(
                self.changes_table,
                i,
                [
                    str(c.id),
                    local_time(c.created_at, "%Y-%m-%d %H:%M"),
                    self.kind_text(c.kind),
                    c.customer_no,
                    c.meter_address or "—",
                    c.new_meter_address or "—",
                    c.filed_by,
                ],
                tooltips=True,
            )

    # -- filing --------------------------------------------------------------------------------
    def file_change(self) -> None:
        kind = str(self.kind.currentData())
        user = self.user
        business = self.business
        customer = self.customer.text().strip()
        meter = self.meter.text().strip()
        reason = self.reason.text().strip()
        fn: Callable[[], object]
        owner = self.ctx.workers.db
        if kind == "new-installation":
            name = self.name.text().strip()
            capable = self.capable.isChecked()
            owner = self.ctx.workers.meter_bus

            def fn() -> object:
                return business.install_meter(
                    user,
                    customer_no=customer,
                    meter_address=meter,
                    name=name,
                    collection_capable=capable,
                )

        elif kind == "meter-replacement":
            new_meter = self.new_meter.text().strip()
            capable = self.capable.isChecked()
            dead = self.dead.isChecked()
            balance = None
            if dead:
                try:
                    balance = parse_amount(self.balance.text()) if self.balance.text() != "0" else 0
                except Exception as exc:
                    self.last_error = exc
                    self.show_error(describe(exc))
                    return
            count = self.count.value() if dead else None
            owner = self.ctx.workers.meter_bus

            def fn() -> object:
                return business.replace_meter(
                    user,
                    meter,
                    new_meter_address=new_meter,
                    new_collection_capable=capable,
                    dead=dead,
                    final_balance_fen=balance,
                    final_count=count,
                    reason=reason,
                )

        elif kind == "account-close":

            def fn() -> object:
                return business.close_account(user, customer, reason=reason)

        elif kind == "meter-move":
            to_customer = self.to_customer.text().strip()

            def fn() -> object:
                return business.move_meter(user, meter, to_customer, reason=reason)

        else:
            mode = str(self.mode.currentData())
            capable = self.capable.isChecked()

            def fn() -> object:
                return business.change_mode(
                    user, meter, mode, reason=reason, collection_capable=capable
                )

        self.status.setText(self.tr("Filing…"))
        self._run(owner, f"file-{kind}", fn, self._filed)

    def summary(self, result: object) -> str:
        """Translated words for what a filed change or a review did."""
        if isinstance(result, InstallOutcome):
            return self.tr(
                "Meter {meter} installed in {mode} mode; account opening: {way}."
            ).format(
                meter=result.meter_address,
                mode=self.tr("remote") if result.purchase_mode == "remote" else self.tr("card"),
                way=self.opening_text(result.opening.way),
            )
        if isinstance(result, ReplacementOutcome):
            text = self.tr("Meter {old} replaced by {new}; counts go on from {base}.").format(
                old=result.old_meter, new=result.new_meter, base=result.new_base_count + 1
            )
            if result.held_id is not None:
                text += " " + self.tr("{amount} yuan held for review as No. {id}.").format(
                    amount=format_fen(result.reading.balance_fen), id=result.held_id
                )
            return text
        if isinstance(result, ReviewOutcome):
            text = self.tr("Prepayment No. {id} ({amount} yuan): {state}.").format(
                id=result.review_id,
                amount=format_fen(result.amount_fen),
                state=self.state_text(result.state),
            )
            if result.dispatch is not None:
                text += " " + (
                    self.tr("Dispatched to the meter.")
                    if result.dispatch.loaded
                    else self.tr("Dispatch failed: a work order was opened.")
                )
            if result.refund_receipt_no:
                text += " " + self.tr("Refund receipt {receipt}.").format(
                    receipt=result.refund_receipt_no
                )
            return text
        return self.tr("Change filed.")

    def opening_text(self, way: str) -> str:
        return {
            "remote": self.tr("opened remotely"),
            "card": self.tr("issue the open-account card"),
            "card-needed": self.tr("remote opening not possible, issue the open-account card"),
        }.get(way, way)

    def _filed(self, result: object) -> None:
        self.last_result = result
        self.status.setText(self.summary(result))
        self.refresh()

    # -- review --------------------------------------------------------------------------------
    def approve(self) -> None:
        self._review("approve", self.ctx.workers.meter_bus, self.business.approve)

    def refuse(self) -> None:
        self._review("refuse", self.ctx.workers.db, self.business.refuse)

    def refund(self) -> None:
        self._review("refund", self.ctx.workers.db, self.business.refund_cash)

    def _review(self, step: str, owner: OwnerThread, decide: Decision) -> None:
        """One supervisor's decision on the selected held prepayment (R20); approving
        dispatches, so it runs on the meter bus's thread."""
        selected = self.selected_review()
        if selected is None:
            return
        user, reason = self.user, self.review_reason.text().strip()
        if step == "approve":
            self.status.setText(self.tr("Approving and dispatching…"))
        self._run(
            owner,
            f"review-{step}",
            lambda: decide(user, selected.id, reason=reason),
            self._reviewed,
        )

    def _reviewed(self, outcome: ReviewOutcome) -> None:
        self.last_result = outcome
        self.review_reason.clear()
        self.status.setText(self.summary(outcome))
        self.refresh()
