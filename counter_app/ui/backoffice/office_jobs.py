"""Shared bits of the shifts, success board, audit and users tabs.

`run_db` sends one service call to the database owner thread (``ctx.workers.db``) and brings
its result or error back to the GUI thread (``ui.workers`` is the only bridge); `describe`
turns the errors of these tabs' services into translated text, then falls back to the
back office's and the counter window's tables. Money is shown with `format_fen` (integer fen
in, yuan text out) and parsed with the counter's own rules (`services.payments.parse_amount`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication

from counter_app.services.payments import parse_amount
from counter_app.services.receipts import format_fen
from counter_app.ui.backoffice.window import describe_error
from counter_app.ui.errors import explain_by_table

if TYPE_CHECKING:
    from counter_app.ui.backoffice.context import BackOfficeContext

__all__ = ["describe", "format_fen", "local_time", "parse_amount", "run_db"]


def local_time(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A stored naive-UTC time shown in the hall's local time."""
    if moment is None:
        return "—"
    return moment.replace(tzinfo=dt.UTC).astimezone().strftime(fmt)


def describe(exc: BaseException) -> str:
    own = {
        "shift-conflict": lambda: QCoreApplication.translate(
            "OfficeErrors",
            "Shift {shift_id} of {operator} at counter {counter_id} is still open: close it first.",
        ),
        "shift-refused": lambda: QCoreApplication.translate(
            "OfficeErrors", "Shift {shift_id} is {state}: cannot {step}."
        ),
        "unknown-shift": lambda: QCoreApplication.translate(
            "OfficeErrors", "There is no shift {shift}."
        ),
    }
    text = explain_by_table(exc, own)
    if text is not None:
        return text
    return describe_error(exc)


Result = TypeVar("Result")


class OfficeTab(Protocol):
    """What `run_db` needs of a back-office tab (a QWidget): its context, the count of its
    running jobs, the last error and where to show one."""

    ctx: BackOfficeContext
    busy: int
    last_error: BaseException | None

    def show_error(self, text: str) -> None: ...


def run_db(
    tab: OfficeTab,
    name: str,
    fn: Callable[[], Result],
    on_done: Callable[[Result], None],
) -> None:
    """Run `fn` on the database thread; `on_done(result)` or the error shown on `tab`.

    The tab provides ``busy`` (counted here), ``last_error`` and ``show_error(text)``.
    """
    tab.busy += 1
    tab.last_error = None

    # A query may finish after its tab was closed (the window went away): nothing to show then.
    def done(result: Result) -> None:
        if not shiboken6.isValid(tab):
            return
        tab.busy -= 1
        on_done(result)

    def failed(exc: BaseException) -> None:
        if not shiboken6.isValid(tab):
            return
        tab.busy -= 1
        tab.last_error = exc
        tab.show_error(describe(exc))

    workers = tab.ctx.workers
    workers.submit(workers.db, name, lambda _report: fn(), on_done=done, on_error=failed)
