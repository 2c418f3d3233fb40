"""Bank collection (银行代收) and reconciliation (对账, R17) in the back office.

`BankCollectionTab`: import a bank's collection file (the service books it through R1–R6,
idempotent on the bank serial) and see every import with the lines that were not booked, each
with its line number and reason.

`ReconciliationTab`: choose a past day and the bank's statement; the service compares it with
our books and proposes, per single-sided account, to book, refuse, reverse or hold. Nothing
changes until a supervisor signs the report off with their own user name and password (a
dialog); the report can be exported as PDF (for signing on paper) and CSV at any time.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.auth import SignedInUser
from counter_app.services.bank import ImportLineRow, ImportReport, ImportRow
from counter_app.services.reconciliation import (
    ReconciliationReport,
    write_report_csv,
    write_report_pdf,
)
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.backoffice.office_jobs import format_fen, local_time, run_db
from counter_app.ui.backoffice.widgets import (
    make_button,
    make_date_edit,
    make_label,
    make_table,
    set_row,
)
from counter_app.ui.errors import explain_by_table


def describe_channel_error(exc: BaseException) -> str:
    """Translated words for the refusals of the bank and reconciliation services."""
    own = {
        "bank-file-refused": lambda: QCoreApplication.translate(
            "BankErrors", "The bank file cannot be used ({field}, line {line_no}): {detail}"
        ),
        "reconciliation-refused": lambda: QCoreApplication.translate(
            "BankErrors", "Reconciliation refused ({refusal}): {detail}"
        ),
        "channel-reversal-refused": lambda: QCoreApplication.translate(
            "BankErrors", "Reversal of {serial} refused ({refusal}): {detail}"
        ),
    }
    text = explain_by_table(exc, own)
    if text is not None:
        return text
    from counter_app.ui.backoffice.office_jobs import describe

    return describe(exc)


class BankCollectionTab(QWidget):
    """See the module docstring."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bankCollectionTab")
        self.ctx = ctx
        self.user = user
        self.service = ctx.services.bank
        self.busy = 0
        self.last_error: BaseException | None = None
        self.last_report: ImportReport | None = None
        self.imports: list[ImportRow] = []

        self.import_button = make_button(self, "importBankFileButton", lambda: self.import_file())
        self.refresh_button = make_button(self, "refreshImportsButton", self.refresh)
        self.summary = make_label(self, "importSummary", wrap=True)
        self.imports_table = make_table(self, "importsTable", 8, select_rows=True)
        self.imports_table.itemSelectionChanged.connect(self._on_import_chosen)
        self.lines_table = make_table(self, "notBookedTable", 5)
        self.status = make_label(self, "bankStatus", wrap=True)

        top = QHBoxLayout()
        top.addWidget(self.import_button)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.imports_table, 2)
        layout.addWidget(self.lines_table, 3)
        layout.addWidget(self.status)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.import_button.setText(self.tr("Import bank file…"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.imports_table.setHorizontalHeaderLabels(
            [
                self.tr("Import"),
                self.tr("Bank"),
                self.tr("Date"),
                self.tr("File"),
                self.tr("Booked"),
                self.tr("Already booked"),
                self.tr("Rejected"),
                self.tr("Imported at"),
            ]
        )
        self.lines_table.setHorizontalHeaderLabels(
            [
                self.tr("Line"),
                self.tr("Status"),
                self.tr("Reason"),
                self.tr("Serial"),
                self.tr("Detail"),
            ]
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_error(self, text: str) -> None:
        """`run_db` hands the generic words; this area's refusals have their own."""
        if self.last_error is not None:
            text = describe_channel_error(self.last_error)
        self.status.setText(text)

    def status_text(self, code: str) -> str:
        return {"rejected": self.tr("rejected"), "duplicate": self.tr("already booked")}.get(
            code, code
        )

    def reason_text(self, code: str) -> str:
        return {
            "malformed": self.tr("not a valid record"),
            "bad-serial": self.tr("bad bank serial"),
            "bad-customer-no": self.tr("bad customer number"),
            "bad-amount": self.tr("bad amount"),
            "bad-time": self.tr("bad payment time"),
            "bad-text": self.tr("agency or operator too long"),
            "serial-conflict": self.tr("serial used for another customer or amount"),
            "duplicate": self.tr("already booked"),
            "unknown-customer": self.tr("unknown customer"),
            "trailer-mismatch": self.tr("trailer does not add up"),
            "after-trailer": self.tr("record after the trailer"),
            "reversed": self.tr("reversed here"),
        }.get(code, code)

    # -- actions ---------------------------------------------------------------------------
    def import_file(self, path: Path | None = None) -> None:
        """Import a bank file (asks for it when `path` is None)."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self, self.tr("Bank collection file"), "", "CSV (*.csv *.txt);;* (*)"
            )
            if not chosen:
                return
            path = Path(chosen)
        operator = str(self.user.username)
        self.status.setText(self.tr("Importing {file}…").format(file=path.name))
        run_db(
            self,
            "bank-import",
            lambda: self.service.import_file(path, operator=operator),
            self._on_imported,
        )

    def _on_imported(self, report: ImportReport) -> None:
        self.last_report = report
        self.status.setText(
            self.tr(
                "Bank {bank}, {date}: {lines} lines; booked {booked} ({amount}), "
                "already booked {dups}, rejected {rejected}."
            ).format(
                bank=report.bank_id,
                date=report.business_date.isoformat(),
                lines=report.detail_lines,
                booked=report.booked_count,
                amount=format_fen(report.booked_fen),
                dups=report.duplicate_count,
                rejected=report.rejected_count,
            )
        )
        self.refresh(select=report.import_id)

    def refresh(self, select: int | None = None) -> None:
        run_db(
            self,
            "bank-imports",
            lambda: self.service.imports(),
            lambda rows: self._show(rows, select),
        )

    def _show(self, rows: list[ImportRow], select: int | None) -> None:
        self.imports = rows
        self.imports_table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            set_row(
                self.imports_table,
                i,
                [
                    str(r.id),
                    str(r.bank_id),
                    r.business_date.isoformat(),
                    str(r.file_name),
                    f"{r.booked_count} / {format_fen(int(r.booked_fen))}",
                    str(r.duplicate_count),
                    str(r.rejected_count),
                    local_time(r.started_at),
                ],
                colour="#b00020" if r.rejected_count else None,
            )
        self.summary.setText(self.tr("{count} imports").format(count=len(rows)))
        if rows:
            index = next((i for i, r in enumerate(rows) if r.id == select), 0)
            self.imports_table.selectRow(index)

    def _on_import_chosen(self) -> None:
        rows = self.imports_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.imports):
            return
        import_id = int(self.imports[rows[0].row()].id)
        run_db(
            self,
            "bank-import-lines",
            lambda: self.service.import_lines(import_id),
            self._show_lines,
        )

    def _show_lines(self, lines: list[ImportLineRow]) -> None:
        self.lines_table.setRowCount(len(lines))
        for i, line in enumerate(lines):
            set_row(
                self.lines_table,
                i,
                [
                    str(line.line_no),
                    self.status_text(str(line.status)),
                    self.reason_text(str(line.code)),
                    str(line.serial),
                    str(line.detail),
                ],
                tooltips=True,
                colour="#b00020" if line.status == "rejected" else None,
            )


class SignOffDialog(QDialog):
    """The supervisor's own user name and password for a reconciliation's sign-off (R17)."""

    def __init__(self, report: ReconciliationReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signOffDialog")
        self.setWindowTitle(self.tr("Sign off reconciliation {id}").format(id=report.id))
        text = QLabel(
            self.tr(
                "Bank {bank}, {date}: book {book}, reverse {reverse}, refuse {refuse}, hold "
                "{hold}. Nothing is done before you sign."
            ).format(
                bank=report.bank_id,
                date=report.business_date.isoformat(),
                book=report.count("book"),
                reverse=report.count("reverse"),
                refuse=report.count("refuse"),
                hold=report.count("hold"),
            ),
            self,
        )
        text.setWordWrap(True)
        self.supervisor = QLineEdit(self)
        self.supervisor.setObjectName("supervisorEdit")
        self.password = QLineEdit(self)
        self.password.setObjectName("supervisorPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("Supervisor"), self.supervisor)
        form.addRow(self.tr("Supervisor's password"), self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(buttons)


class ReconciliationTab(QWidget):
    """See the module docstring."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reconciliationTab")
        self.ctx = ctx
        self.user = user
        self.service = ctx.services.reconciliation
        self.busy = 0
        self.last_error: BaseException | None = None
        self.report: ReconciliationReport | None = None
        self.dialog: SignOffDialog | None = None

        self.day = make_date_edit(self, -1)
        self.day.setObjectName("reconciliationDate")
        self.prepare_button = make_button(
            self, "prepareReconciliationButton", lambda: self.prepare()
        )
        self.pdf_button = make_button(self, "exportReconciliationPdf", lambda: self.export_pdf())
        self.csv_button = make_button(self, "exportReconciliationCsv", lambda: self.export_csv())
        self.sign_button = make_button(self, "signOffButton", self.open_sign_off)
        self.figures = make_label(self, "reconciliationFigures", wrap=True)
        self.items_table = make_table(self, "reconciliationItems", 7)
        self.status = make_label(self, "reconciliationStatus", wrap=True)

        top = QHBoxLayout()
        top.addWidget(self.day)
        top.addWidget(self.prepare_button)
        top.addStretch(1)
        top.addWidget(self.pdf_button)
        top.addWidget(self.csv_button)
        top.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.figures)
        layout.addWidget(self.items_table, 1)
        layout.addWidget(self.status)
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        self.prepare_button.setText(self.tr("Compare bank statement…"))
        self.pdf_button.setText(self.tr("Export PDF"))
        self.csv_button.setText(self.tr("Export CSV"))
        self.sign_button.setText(self.tr("Sign off…"))
        self.items_table.setHorizontalHeaderLabels(
            [
                self.tr("Kind"),
                self.tr("Action"),
                self.tr("Serial"),
                self.tr("Customer"),
                self.tr("Amount"),
                self.tr("Reason"),
                self.tr("Outcome"),
            ]
        )
        if self.report is not None:
            self._show(self.report)
        else:
            self.figures.setText(self.tr("Choose the day and the bank's statement."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_error(self, text: str) -> None:
        """`run_db` hands the generic words; this area's refusals have their own."""
        if self.last_error is not None:
            text = describe_channel_error(self.last_error)
        self.status.setText(text)

    def kind_text(self, kind: str) -> str:
        return {
            "bank-only": self.tr("bank only"),
            "ours-only": self.tr("ours only"),
            "differs": self.tr("differs"),
        }.get(kind, kind)

    def action_text(self, action: str) -> str:
        return {
            "book": self.tr("book"),
            "refuse": self.tr("refuse"),
            "reverse": self.tr("reverse"),
            "hold": self.tr("hold"),
        }.get(action, action)

    def _update_buttons(self) -> None:
        has = self.report is not None
        self.pdf_button.setEnabled(has)
        self.csv_button.setEnabled(has)
        self.sign_button.setEnabled(
            has and self.report is not None and self.report.state == "prepared"
        )

    # -- actions ---------------------------------------------------------------------------
    def prepare(self, path: Path | None = None, day: dt.date | None = None) -> None:
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self, self.tr("Bank statement"), "", "CSV (*.csv *.txt);;* (*)"
            )
            if not chosen:
                return
            path = Path(chosen)
        business_date = day or self.day.date().toPython()
        operator = str(self.user.username)
        self.status.setText(self.tr("Comparing…"))
        run_db(
            self,
            "reconcile",
            lambda: self.service.prepare_file(path, business_date, operator=operator),  # type: ignore[arg-type]
            self._on_report,
        )

    def _on_report(self, report: ReconciliationReport) -> None:
        self.report = report
        self._show(report)
        self.status.setText(
            self.tr("Report {id} is {state}.").format(id=report.id, state=report.state)
        )
        self._update_buttons()

    def _show(self, report: ReconciliationReport) -> None:
        self.figures.setText(
            self.tr(
                "Bank {bank}, {date}: statement {bank_count} lines ({bank_total}), our books "
                "{ours_count} ({ours_total}), matched {matched}. Nothing is booked or reversed "
                "before the sign-off."
            ).format(
                bank=report.bank_id,
                date=report.business_date.isoformat(),
                bank_count=report.bank_count,
                bank_total=format_fen(report.bank_total_fen),
                ours_count=report.ours_count,
                ours_total=format_fen(report.ours_total_fen),
                matched=report.matched_count,
            )
        )
        self.items_table.setRowCount(len(report.items))
        for i, item in enumerate(report.items):
            set_row(
                self.items_table,
                i,
                [
                    self.kind_text(str(item["kind"])),
                    self.action_text(str(item["action"])),
                    str(item["serial"]),
                    str(item["customer_no"]),
                    format_fen(int(item["amount_fen"])),
                    str(item["reason"]),
                    str(item.get("outcome") or ""),
                ],
                tooltips=True,
            )

    def open_sign_off(self) -> None:
        if self.report is None:
            return
        self.dialog = SignOffDialog(self.report, self)
        self.dialog.accepted.connect(self._on_sign_off_accepted)
        self.dialog.open()

    def _on_sign_off_accepted(self) -> None:
        assert self.dialog is not None
        self.sign_off(self.dialog.supervisor.text().strip(), self.dialog.password.text())

    def sign_off(self, supervisor: str, password: str) -> None:
        if self.report is None:
            return
        report_id = self.report.id
        operator = str(self.user.username)
        self.status.setText(self.tr("Signing off…"))
        run_db(
            self,
            "reconciliation-sign-off",
            lambda: self.service.sign_off(
                report_id, operator=operator, supervisor=supervisor, supervisor_password=password
            ),
            self._on_report,
        )

    def _export_path(self, suffix: str, path: Path | None) -> Path | None:
        if path is not None or self.report is None:
            return path
        name = f"reconciliation-{self.report.bank_id}-{self.report.business_date}.{suffix}"
        chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Export"), name, f"*.{suffix}")
        return Path(chosen) if chosen else None

    def export_pdf(self, path: Path | None = None) -> Path | None:
        target = self._export_path("pdf", path)
        if target is None or self.report is None:
            return None
        written = write_report_pdf(self.report, target)
        self.status.setText(self.tr("Exported to {path}").format(path=written))
        return written

    def export_csv(self, path: Path | None = None) -> Path | None:
        target = self._export_path("csv", path)
        if target is None or self.report is None:
            return None
        written = write_report_csv(self.report, target)
        self.status.setText(self.tr("Exported to {path}").format(path=written))
        return written
