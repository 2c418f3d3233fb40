"""Receipt preview and printing through Qt's print support.

The receipt is the PDF made by ``services.receipts`` (embedded font, so it prints the same
everywhere). The preview shows the PDF's own pages (QtPdf), so what the teller sees is what
the printer gets; printing paints those pages onto a ``QPrinter`` at the printer's
resolution. A reprint is rendered with the "副本 / COPY" mark and the same receipt number.

``COUNTER_PRINT_TO_FILE`` (a directory) makes "print" write PDF files there instead of
using a printer: for counters without a printer, and for tests.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSize, Qt
from PySide6.QtGui import (
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from counter_app.config import ThermalPrinterConfig
from counter_app.services.receipts import PaperSize, ReceiptData, render_receipt

PRINT_TO_FILE_ENV = "COUNTER_PRINT_TO_FILE"


def pdf_pages(pdf: bytes, width_px: int) -> list[QImage]:
    """Render every page of ``pdf`` ``width_px`` wide (QtPdf; no temporary files)."""
    document = QPdfDocument()
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    pages = []
    for page in range(document.pageCount()):
        size = document.pagePointSize(page)
        height = int(width_px * size.height() / size.width())
        pages.append(document.render(page, QSize(width_px, height)))
    document.close()
    return pages


def print_pdf(pdf: bytes, printer: QPrinter) -> None:
    """Paint the PDF's pages onto ``printer`` at their true size (an 80 mm receipt stays
    80 mm wide), at the printer's resolution, one sheet per page."""
    document = QPdfDocument()
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    try:
        if document.pageCount() < 1:
            raise OSError("the receipt has no page")
        first = document.pagePointSize(0)
        # exactly the receipt's size: a fuzzy match would snap a roll to a near standard sheet
        printer.setPageSize(
            QPageSize(first, QPageSize.Unit.Point, "receipt", QPageSize.SizeMatchPolicy.ExactMatch)
        )
        printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("the printer could not be opened")
        try:
            dpi = printer.resolution()
            for page in range(document.pageCount()):
                if page:
                    printer.newPage()
                size = document.pagePointSize(page)
                pixels = QSize(round(size.width() / 72 * dpi), round(size.height() / 72 * dpi))
                painter.drawImage(0, 0, document.render(page, pixels))
        finally:
            painter.end()
    finally:
        document.close()


def print_receipt(pdf: bytes, receipt_no: str, copy: bool, printer_name: str = "") -> str:
    """Print (or, with ``COUNTER_PRINT_TO_FILE``, save) a receipt; returns where it went."""
    target = os.environ.get(PRINT_TO_FILE_ENV)
    if target:
        directory = Path(target)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{receipt_no}{'-copy' if copy else ''}.pdf"
        n = 1
        while path.exists():
            n += 1
            path = directory / f"{receipt_no}{'-copy' if copy else ''}-{n}.pdf"
        path.write_bytes(pdf)
        return str(path)
    info = QPrinterInfo.printerInfo(printer_name) if printer_name else None
    if info is None or info.isNull():
        info = QPrinterInfo.defaultPrinter()
    if info.isNull():
        raise OSError("no printer is installed")
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setDocName(receipt_no)
    print_pdf(pdf, printer)
    return info.printerName()


class ReceiptPreviewDialog(QDialog):
    """Shows a receipt; F9 prints it, the paper size can be switched (80 mm roll / A5)."""

    def __init__(
        self,
        data: ReceiptData,
        *,
        copy: bool = False,
        paper: PaperSize = PaperSize.ROLL_80MM,
        printer_name: str = "",
        training: bool = False,
        thermal: ThermalPrinterConfig | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.thermal = thermal if thermal is not None and thermal.configured else None
        self.setObjectName("receiptPreview")
        self.data = data
        self.copy = copy
        self.training = training
        self.paper = paper
        self.printer_name = printer_name
        self.pdf = b""
        self.printed_to: str | None = None

        self.page_label = QLabel(self)
        self.page_label.setObjectName("receiptPage")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea(self)
        scroll.setWidget(self.page_label)
        scroll.setWidgetResizable(True)
        self.paper_box = QComboBox(self)
        self.paper_box.addItem("", PaperSize.ROLL_80MM)
        self.paper_box.addItem("", PaperSize.A5)
        self.paper_box.setCurrentIndex(0 if paper is PaperSize.ROLL_80MM else 1)
        self.paper_box.currentIndexChanged.connect(self._on_paper_changed)
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("primaryButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_now)
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(self._save_as)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.accept)
        self.status = QLabel(self)
        self.status.setObjectName("printStatus")
        QShortcut(QKeySequence(Qt.Key.Key_F9), self, self.print_now)

        buttons = QHBoxLayout()
        buttons.addWidget(self.paper_box)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.setWindowTitle(
            self.tr("Receipt {receipt_no}").format(receipt_no=data.receipt_no)
            + (self.tr(" (COPY)") if copy else "")
        )
        self.paper_box.setItemText(0, self.tr("80 mm roll"))
        self.paper_box.setItemText(1, self.tr("A5 sheet"))
        self.print_button.setText(self.tr("Print (F9)"))
        self.save_button.setText(self.tr("Save as PDF…"))
        self.close_button.setText(self.tr("Close (Esc)"))
        self.resize(460, 720)
        self._render()

    def _render(self) -> None:
        self.pdf = render_receipt(self.data, self.paper, copy=self.copy, training=self.training)
        pages = pdf_pages(self.pdf, 380 if self.paper is PaperSize.ROLL_80MM else 520)
        if pages:
            self.page_label.setPixmap(QPixmap.fromImage(pages[0]))

    def _on_paper_changed(self, _index: int) -> None:
        self.paper = PaperSize(self.paper_box.currentData())
        self._render()

    def print_now(self) -> None:
        """F9: the 80 mm roll goes to the ESC/POS receipt printer when one is configured
        (cut, and the cash drawer opened for cash just taken); A5 and printers without
        ESC/POS take the PDF."""
        try:
            if self.thermal is not None and self.paper is PaperSize.ROLL_80MM:
                where = self._print_thermal(self.thermal)
            else:
                where = print_receipt(self.pdf, self.data.receipt_no, self.copy, self.printer_name)
        except OSError as exc:
            self.status.setText(self.tr("Not printed: {error}").format(error=exc))
            return
        self.printed_to = where
        self.status.setText(self.tr("Printed to {where}.").format(where=where))

    def _print_thermal(self, config: ThermalPrinterConfig) -> str:
        from counter_app.services import thermal

        printer = thermal.open_printer(config)
        try:
            thermal.print_receipt(
                printer,
                self.data,
                copy=self.copy,
                training=self.training,
                kick_drawer=thermal.opens_drawer(self.data),
                drawer_pin=config.drawer_pin,
            )
        finally:
            printer.close()
        return self.tr("the receipt printer ({kind})").format(kind=config.kind)

    def _save_as(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save receipt"), f"{self.data.receipt_no}.pdf", "PDF (*.pdf)"
        )
        if name:
            Path(name).write_bytes(self.pdf)
            self.status.setText(self.tr("Saved to {where}.").format(where=name))
