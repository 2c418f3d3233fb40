"""Keyboard-driven steps shared by the window tests (what a teller does, key by key)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

WAIT_MS = 15_000


def type_text(qtbot: Any, edit: Any, text: str) -> None:
    """Type ``text``; Chinese arrives as an input-method commit (QTest types ASCII only)."""
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.setFocus()
        edit.insert(text)


def find_customer(qtbot: Any, window: Any, query: str, customer_no: str) -> None:
    """F2, type, Enter: the account of ``customer_no`` is shown."""
    qtbot.keyClick(window, Qt.Key.Key_F2)
    type_text(qtbot, window.search.edit, query)
    qtbot.waitUntil(
        lambda: (
            window.search.last_result is not None
            and any(h.customer_no == customer_no for h in window.search.last_result.hits)
        ),
        timeout=WAIT_MS,
    )
    rows = [h.customer_no for h in window.search.last_result.hits]
    window.search.table.selectRow(rows.index(customer_no))
    window.search.table.setFocus()
    qtbot.keyClick(window.search.table, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.account is not None and window.account.customer_no == customer_no,
        timeout=WAIT_MS,
    )


def start_payment(qtbot: Any, window: Any, amount: str) -> Any:
    """F5, type the amount, Enter: returns the confirmation dialog (not yet confirmed)."""
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.keyClicks(window.payment.amount, amount)
    qtbot.keyClick(window.payment.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.confirm_dialog is not None and window.confirm_dialog.isVisible(),
        timeout=WAIT_MS,
    )
    return window.confirm_dialog


def pay(qtbot: Any, window: Any, amount: str, timeout: int = WAIT_MS) -> Any:
    """Pay and confirm with Enter; wait until the payment (and its dispatch) finished."""
    taken = window.payments_taken
    dialog = start_payment(qtbot, window, amount)
    qtbot.keyClick(dialog.confirm_button, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.payments_taken == taken + 1 and not window.money_busy, timeout=timeout
    )
    receipt_no = window.last_outcome.receipt_no
    qtbot.waitUntil(  # the account view shows the new payment
        lambda: any(p.receipt_no == receipt_no for p in window.account.payments),
        timeout=WAIT_MS,
    )
    return window.last_outcome


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def print_receipt(qtbot: Any, window: Any, printed_dir: Path) -> str:
    """F9 opens the preview; F9 again prints; returns the printed PDF's text."""
    before = set(printed_dir.glob("*.pdf")) if printed_dir.exists() else set()
    window.preview = None
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(
        lambda: window.preview is not None and window.preview.isVisible(), timeout=WAIT_MS
    )
    qtbot.keyClick(window.preview, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.preview.printed_to is not None, timeout=WAIT_MS)
    new = set(printed_dir.glob("*.pdf")) - before
    assert len(new) == 1
    text = pdf_text(new.pop())
    window.preview.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    return text
