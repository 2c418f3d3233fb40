"""Customer archive import (档案导入) in the back office: pick the marketing export, import it
with a progress bar, see what was refused and where the report went.

The import runs on the database's owner thread (``ui.workers``): the window stays usable
while a county's archive loads. Progress comes back after every batch as a job report and
moves the bar; the result lists the refused lines (line, reason, detail) and the report file.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from counter_app.core.archive import Rejection
from counter_app.services import auth
from counter_app.services.archive import ImportProgress, ImportResult, import_archive
from counter_app.services.auth import SignedInUser
from counter_app.ui.backoffice.context import BackOfficeContext
from counter_app.ui.backoffice.office_jobs import describe
from counter_app.ui.backoffice.widgets import make_button, make_label, make_table, set_row
from counter_app.ui.workers import Report

SHOWN_REJECTIONS = 500


# The rejection details' sentences (``Rejection.template``), for the catalogue: the window
# shows them translated and filled with the file's values; the report file keeps English.
DETAIL_SENTENCES = frozenset(
    {
        QT_TRANSLATE_NOOP("ArchiveImportTab", "{column} must be 1 or 0, got {text!r}"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "meter_address is empty but the meter is named"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "meter address {address!r} is not 12 digits"),
        QT_TRANSLATE_NOOP(
            "ArchiveImportTab", "customer number in the meter {number!r} is not 12 digits"
        ),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "unknown meter kind {kind!r}"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "purchase mode must be remote or card: {mode!r}"),
        QT_TRANSLATE_NOOP(
            "ArchiveImportTab", "remote mode needs a collection-capable card meter (R2)"
        ),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "purchase count {count!r} is not a whole number"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "a bill period or date without an amount"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "bill amount {amount!r} is not an amount in yuan"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "an open bill must be above zero"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "an open bill needs its period (e.g. 2026-10)"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "bill period longer than 32 characters"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "bill date {date!r} is not YYYY-MM-DD"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "{fields} fields, the header has {header}"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "customer_no and name are required"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "customer number {number!r} is not 12 digits"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "name, address or phone too long"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "customer {customer} is {name!r} on line {line}"),
        QT_TRANSLATE_NOOP(
            "ArchiveImportTab", "meter {meter} is on customer {customer} on line {line}"
        ),
        QT_TRANSLATE_NOOP(
            "ArchiveImportTab", "meter number {number} is meter {meter} on line {line}"
        ),
        QT_TRANSLATE_NOOP(
            "ArchiveImportTab",
            "meter {meter} is on customer {customer} in the archive (a move is a business change)",
        ),
        QT_TRANSLATE_NOOP(
            "ArchiveImportTab", "meter number {number} is meter {meter} in the archive"
        ),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "line is not valid {encoding}"),
        QT_TRANSLATE_NOOP("ArchiveImportTab", "the line cannot be read as CSV"),
    }
)


class ArchiveImportTab(QWidget):
    """See the module docstring."""

    def __init__(
        self, ctx: BackOfficeContext, user: SignedInUser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("archiveImportTab")
        self.ctx = ctx
        self.user = user
        self.busy = 0
        self.result: ImportResult | None = None
        self.last_error: BaseException | None = None
        self.progress_seen: list[ImportProgress] = []

        self.title = make_label(self, "sectionTitle")
        self.hint = make_label(self, "archiveHint", wrap=True)
        self.path = QLineEdit(self)
        self.path.setObjectName("archivePath")
        self.browse_button = make_button(self, "archiveBrowse", self.browse)
        self.import_button = make_button(self, "primaryButton", self.start_import)
        self.path.returnPressed.connect(self.import_button.click)  # Enter imports
        self.bar = QProgressBar(self)
        self.bar.setObjectName("archiveProgress")
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.figures = make_label(self, "archiveFigures", wrap=True)
        self.table = make_table(self, "archiveRejections", 3)
        self.status = make_label(self, "archiveStatus", wrap=True)

        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(self.bar)
        layout.addWidget(self.figures)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Customer archive import"))
        self.hint.setText(
            self.tr(
                "The marketing system's export: CSV in UTF-8 or GB18030, one meter per line "
                "(columns in docs/archive-import.md). Importing the same file again updates "
                "what it imported before."
            )
        )
        self.path.setPlaceholderText(self.tr("Export file (.csv)"))
        self.browse_button.setText(self.tr("Choose file…"))
        self.import_button.setText(self.tr("Import"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Line"), self.tr("Reason"), self.tr("Detail")]
        )
        if self.result is not None:
            self._show_result(self.result)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reason_text(self, code: str) -> str:
        """The refusal reason in words (the report file keeps the code)."""
        return {
            "bad-encoding": self.tr("not UTF-8 / GB18030 text"),
            "bad-line": self.tr("wrong number of fields"),
            "missing-field": self.tr("a required field is empty"),
            "bad-customer-no": self.tr("customer number is not 12 digits"),
            "bad-meter-address": self.tr("meter address is not 12 digits"),
            "bad-meter-customer-no": self.tr("customer number in the meter is not 12 digits"),
            "unknown-meter-kind": self.tr("unknown meter kind"),
            "bad-flag": self.tr("a yes/no field is neither 1 nor 0"),
            "bad-mode": self.tr("purchase mode not possible for this meter"),
            "bad-count": self.tr("purchase count is not a whole number"),
            "bad-bill": self.tr("open bill incomplete or wrong"),
            "meter-on-two-customers": self.tr("the same meter on two customers"),
            "meter-no-taken": self.tr("meter number belongs to another meter"),
            "customer-conflict": self.tr("one customer number with two names"),
        }.get(code, code)

    def detail_text(self, rejection: Rejection) -> str:
        """A refused line's detail in words, with the file's values in it (the report file
        keeps the English sentence)."""
        if rejection.template not in DETAIL_SENTENCES:
            return rejection.detail
        sentence = QCoreApplication.translate("ArchiveImportTab", rejection.template)
        try:
            return sentence.format(**dict(rejection.values))
        except (KeyError, IndexError, ValueError):
            return rejection.detail

    def show_error(self, text: str) -> None:
        self.status.setText(text)

    def browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Customer archive export"),
            "",
            self.tr("CSV files (*.csv);;All files (*)"),
        )
        if name:
            self.path.setText(name)

    # -- the import ----------------------------------------------------------------------------
    def start_import(self) -> None:
        text = self.path.text().strip()
        if not text:
            self.show_error(self.tr("Choose the export file first."))
            return
        try:
            auth.require(self.user, auth.Action.IMPORT_ARCHIVE)
        except Exception as exc:
            self.last_error = exc
            self.show_error(describe(exc))
            return
        self.busy += 1
        self.last_error = None
        self.result = None
        self.progress_seen.clear()
        self.bar.setValue(0)
        self.import_button.setEnabled(False)
        self.status.setText(self.tr("Importing…"))
        path = Path(text)
        actor = str(self.user.username)
        counter_id = self.ctx.counter_id

        def work(report: Report) -> ImportResult:
            return import_archive(path, actor=actor, counter_id=counter_id, progress=report)

        workers = self.ctx.workers
        workers.submit(
            workers.db,
            "archive-import",
            work,
            on_done=self._done,
            on_error=self._failed,
            on_progress=self._progress,
        )

    def _progress(self, p: object) -> None:
        if not shiboken6.isValid(self) or not isinstance(p, ImportProgress):
            return
        self.progress_seen.append(p)
        self.bar.setValue(int(p.fraction * 1000))
        self.figures.setText(
            self.tr("{rows} lines read, {imported} imported, {rejected} refused").format(
                rows=f"{p.rows:,}", imported=f"{p.imported:,}", rejected=f"{p.rejected:,}"
            )
        )

    def _done(self, result: ImportResult) -> None:
        if not shiboken6.isValid(self):
            return
        self.busy -= 1
        self.import_button.setEnabled(True)
        self.result = result
        self.bar.setValue(1000)
        self._show_result(result)

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.busy -= 1
        self.import_button.setEnabled(True)
        self.last_error = exc
        self.show_error(describe(exc))

    def _show_result(self, result: ImportResult) -> None:
        self.figures.setText(
            self.tr(
                "{rows} lines ({encoding}): {imported} imported, {rejected} refused in "
                "{seconds} s. Customers {cnew} new, {cupd} updated; meters {mnew} new, "
                "{mupd} updated; bills {bnew} new, {bupd} updated."
            ).format(
                rows=f"{result.rows:,}",
                encoding=result.encoding,
                imported=f"{result.imported:,}",
                rejected=f"{result.rejected:,}",
                seconds=f"{result.seconds:.1f}",
                cnew=result.customers_created,
                cupd=result.customers_updated,
                mnew=result.meters_created,
                mupd=result.meters_updated,
                bnew=result.bills_created,
                bupd=result.bills_updated,
            )
        )
        shown = result.rejections[:SHOWN_REJECTIONS]
        self.table.setRowCount(len(shown))
        for i, r in enumerate(shown):
            detail = self.detail_text(r)
            set_row(
                self.table, i, [str(r.row), self.reason_text(r.code.value), detail], tooltips=True
            )
        if result.report_path:
            self.status.setText(
                self.tr("Refused lines are listed in {path}.").format(path=result.report_path)
            )
        else:
            self.status.setText(self.tr("Every line was imported."))
