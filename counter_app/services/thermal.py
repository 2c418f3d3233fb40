"""Receipts straight to an 80 mm ESC/POS receipt printer (python-escpos), beside the PDF path.

Why: most halls print on thermal roll printers. Going through the operating system's driver
means a rasterised PDF per receipt, a slow print and no cash drawer; speaking ESC/POS to the
printer directly prints the same rows (``receipts.receipt_lines``) as text in GB18030 (the
printer's Chinese mode, ``FS &``), the record's QR code with the printer's own QR command, cuts
the paper and — for cash taken at the counter — kicks the cash drawer wired to the printer.
Laser printers and A5 keep the PDF path (``ui.receipt_preview``).

Printers are configured in the TOML file (``[receipt_printer]``): USB (vendor and product
id), serial (port, baud rate) or network (host, port 9100). Tests print to python-escpos's
``Dummy`` printer and to a network printer on 127.0.0.1 and read the bytes back.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Protocol

from counter_app.config import ThermalPrinterConfig
from counter_app.services.receipts import (
    TRAINING_MARK,
    ReceiptData,
    ReceiptKind,
    qr_payload,
    receipt_lines,
    receipt_title,
)

__all__ = [
    "CHINESE_MODE",
    "LINE_WIDTH",
    "EscposPrinter",
    "ThermalPrinterError",
    "open_printer",
    "print_receipt",
    "receipt_text_lines",
]

LINE_WIDTH = 48
"""Characters of Font A on 80 mm paper (576 dots / 12); a Chinese character takes two."""

CHINESE_MODE = b"\x1c\x26"
"""FS &: the printer reads two-byte characters (GB2312/GB18030) from here on."""


class ThermalPrinterError(OSError):
    """The receipt printer cannot be opened or refused the job (it is said, not hidden)."""


class EscposPrinter(Protocol):
    """The part of python-escpos's printer classes used here."""

    def _raw(self, msg: bytes) -> None: ...

    def set(self, **kwargs: Any) -> None: ...

    def qr(self, content: str, **kwargs: Any) -> None: ...

    def cut(self, mode: str = ..., feed: bool = ...) -> None: ...

    def cashdraw(self, pin: int) -> None: ...

    def close(self) -> None: ...


def open_printer(config: ThermalPrinterConfig) -> EscposPrinter:
    """Open the configured printer (python-escpos' Usb, Serial or Network)."""
    from escpos import printer as escpos_printer

    try:
        if config.kind == "usb":
            found: EscposPrinter = escpos_printer.Usb(
                config.usb_vendor, config.usb_product, timeout=int(config.timeout_s * 1000)
            )
        elif config.kind == "serial":
            found = escpos_printer.Serial(
                devfile=config.serial_port, baudrate=config.baudrate, timeout=config.timeout_s
            )
        elif config.kind == "network":
            found = escpos_printer.Network(config.host, config.port, timeout=config.timeout_s)
        else:
            raise ThermalPrinterError(f"no receipt printer of kind {config.kind!r}")
        opener = getattr(found, "open", None)
        if callable(opener) and getattr(found, "device", None) is None:
            opener()
    except ThermalPrinterError:
        raise
    except Exception as exc:  # the library's own errors (USB not found, refused connection)
        raise ThermalPrinterError(f"the receipt printer cannot be opened: {exc}") from exc
    return found


def _width(text: str) -> int:
    """Columns on the printer: wide (Chinese, full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _wrap(text: str, columns: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for ch in text:
        if _width(current + ch) > columns and current:
            lines.append(current)
            current = ch
        else:
            current += ch
    lines.append(current)
    return lines


def receipt_text_lines(
    data: ReceiptData, *, copy: bool = False, training: bool = False, width: int = LINE_WIDTH
) -> list[str]:
    """The receipt as printer lines: title, COPY mark, "label  value" rows wrapped to
    ``width`` columns under their value column, and the foot."""
    label_columns = 10
    out: list[str] = []
    if training:
        out.append(f"【{TRAINING_MARK}】")
    out.append(receipt_title(data.kind))
    if copy:
        out.append("【副本 / COPY】")
    out.append("-" * width)
    for label, value in receipt_lines(data):
        pad = " " * max(label_columns - _width(label), 1)
        first, *rest = _wrap(value, width - label_columns)
        out.append(label + pad + first)
        out += [" " * label_columns + line for line in rest]
    out.append("-" * width)
    return out


def print_receipt(
    printer: EscposPrinter,
    data: ReceiptData,
    *,
    copy: bool = False,
    training: bool = False,
    kick_drawer: bool = False,
    drawer_pin: int = 2,
) -> None:
    """Print one receipt: GB18030 text in the printer's Chinese mode, the QR code, the foot,
    a cut, and — for cash just taken — the cash drawer's kick (never for a COPY)."""
    try:
        printer._raw(b"\x1b\x40")  # ESC @: a known state
        printer._raw(CHINESE_MODE)
        lines = receipt_text_lines(data, copy=copy, training=training)
        for line in lines:
            printer._raw(line.encode("gb18030") + b"\n")
        printer.qr(qr_payload(data), native=True, size=6)
        printer._raw("请妥善保管本凭证 · 扫码查询\n".encode("gb18030"))
        if copy:
            printer._raw("副本 COPY：重打凭证，非新缴费\n".encode("gb18030"))
        if training:
            printer._raw(f"{TRAINING_MARK}：演示数据，非正式凭证\n".encode("gb18030"))
        printer.cut()
        if kick_drawer and not copy:
            printer.cashdraw(drawer_pin)
    except Exception as exc:
        raise ThermalPrinterError(f"the receipt printer refused the receipt: {exc}") from exc


def opens_drawer(data: ReceiptData) -> bool:
    """Cash changed hands at the counter: a payment in cash, or a cash refund."""
    if data.kind is ReceiptKind.PAYMENT:
        return data.channel == "counter"
    return data.kind in (ReceiptKind.REVERSAL, ReceiptKind.PREPAYMENT_REFUND)
