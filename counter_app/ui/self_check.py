"""Start-up self-check: say plainly what works and what is missing.

Each check is a small blocking function run on the owner thread of what it checks (the
database on the database thread, the meter link on the meter bus, PC/SC on the reader
thread), so the sign-in dialog stays responsive while a dead link times out. The panel
lists every check as it answers: a teller reads "card reader: the smart-card service is not
running — card writing is unavailable", not a stack trace.

``run_headless`` runs the same checks for ``counter-app --self-check`` (exit code 1 when a
required one fails).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from counter_app.ui.context import Check

if TYPE_CHECKING:
    from counter_app.services.dispatching import DispatchService
from counter_app.ui.workers import OwnerThread, Workers


def _said(ok: bool, words: Callable[[], tuple[str, str]], required: bool = False) -> Check:
    """A check whose line can be said again in another language (``Check.words``)."""
    name, detail = words()
    return Check(name, ok, detail, required=required, words=words)


def check_database(counter: object = None) -> Check:
    """Can the database bound by the composition root be read, and has it any users?
    (`counter` is not read: the check asks the bound database itself.)"""
    from counter_app.services.auth import user_count

    try:
        users = user_count()
    except Exception as exc:
        error = exc
        return _said(
            False,
            lambda: (
                QCoreApplication.translate("SelfCheck", "Database"),
                QCoreApplication.translate("SelfCheck", "cannot be opened: {error}").format(
                    error=error
                ),
            ),
            required=True,
        )
    return _said(
        users > 0,
        lambda: (
            QCoreApplication.translate("SelfCheck", "Database"),
            QCoreApplication.translate("SelfCheck", "open, {users} user(s)").format(users=users)
            if users
            else QCoreApplication.translate("SelfCheck", "open, but no users: run counterctl demo"),
        ),
        required=True,
    )


def check_meter_link(url: str | None) -> Check:
    """Can the collection channel be opened? (TCP connect, or opening the serial port.)"""

    def name() -> str:
        return QCoreApplication.translate("SelfCheck", "Meter link")

    if not url:
        return _said(
            False,
            lambda: (
                name(),
                QCoreApplication.translate(
                    "SelfCheck", "not configured: payments stay queued, no remote dispatch"
                ),
            ),
        )
    parsed = urlparse(url)
    try:
        if parsed.scheme in ("socket", "rfc2217"):
            with socket.create_connection((parsed.hostname, parsed.port or 23), timeout=2.0):
                pass
        else:
            import serial

            port = serial.serial_for_url(url, do_not_open=True)
            port.open()
            port.close()
    except Exception as exc:
        error = exc
        return _said(
            False,
            lambda: (
                name(),
                QCoreApplication.translate(
                    "SelfCheck", "{url} unreachable ({error}): remote dispatch will fail"
                ).format(url=url, error=error),
            ),
        )
    return _said(
        True,
        lambda: (
            name(),
            QCoreApplication.translate("SelfCheck", "{url} reachable").format(url=url),
        ),
    )


def check_station(dispatch: DispatchService | None) -> Check:
    """Is the collection system up? (``GET /health`` of the station, station mode only.)

    Not required: a payment made while it is down waits in our outbox and is sent when it is
    back; the teller sees 下发中 meanwhile."""
    from counter_app.services.ports import StationUnavailable

    name = QCoreApplication.translate("SelfCheck", "Collection system")
    handover = None if dispatch is None else dispatch.handover
    if dispatch is None or handover is None:
        return Check(
            name,
            True,
            QCoreApplication.translate(
                "SelfCheck", "not used: this counter dispatches over its own meter link"
            ),
        )
    try:
        health = dispatch.station_health() or {}  # None only without a collection system
        waiting = handover.waiting_count()
    except StationUnavailable as exc:
        return Check(
            name,
            False,
            QCoreApplication.translate(
                "SelfCheck",
                "unreachable ({error}): payments wait in the outbox and are sent when it is back",
            ).format(error=exc),
        )
    ok = health.get("status") == "ok"
    return Check(
        name,
        ok,
        QCoreApplication.translate(
            "SelfCheck",
            "{status}: {links} meter link(s), {queued} task(s) queued, {running} running; "
            "{waiting} of ours await a result",
        ).format(
            status=health.get("status", "?"),
            links=health.get("links", "?"),
            queued=health.get("queued", "?"),
            running=health.get("running", "?"),
            waiting=waiting,
        ),
    )


def check_pcsc(reader_fragment: str | None) -> Check:
    from card_io.errors import NoPcscService
    from card_io.reader import list_readers

    def name() -> str:
        return QCoreApplication.translate("SelfCheck", "Card reader")

    try:
        readers = list_readers()
    except NoPcscService:
        return _said(
            False,
            lambda: (
                name(),
                QCoreApplication.translate(
                    "SelfCheck",
                    "no PC/SC service (pcscd / Windows Smart Card service is not running): "
                    "card writing is unavailable",
                ),
            ),
        )
    except Exception as exc:
        error = str(exc)
        return _said(False, lambda: (name(), error))
    matching = [r for r in readers if (reader_fragment or "").lower() in r.lower()]
    if not matching:
        return _said(
            False,
            lambda: (
                name(),
                QCoreApplication.translate(
                    "SelfCheck", "no card reader attached: card writing is unavailable"
                ),
            ),
        )
    reader = matching[0]
    return _said(True, lambda: (name(), reader))


def local_checks(language_ok: bool, missing_translations: list[str]) -> list[Check]:
    """Checks that need no device: translations, receipt font, printer."""
    from PySide6.QtPrintSupport import QPrinterInfo

    from counter_app.services.receipts import FontNotFoundError, find_cjk_font
    from counter_app.ui.receipt_preview import PRINT_TO_FILE_ENV

    checks = []
    files = ", ".join(missing_translations)
    checks.append(
        _said(
            language_ok,
            lambda: (
                QCoreApplication.translate("SelfCheck", "Translations"),
                QCoreApplication.translate("SelfCheck", "loaded")
                if language_ok
                else QCoreApplication.translate(
                    "SelfCheck", "missing {files}: run scripts/build-translations.sh"
                ).format(files=files),
            ),
        )
    )

    def font_name() -> str:
        return QCoreApplication.translate("SelfCheck", "Receipt font")

    try:
        path, _index = find_cjk_font()
        checks.append(_said(True, lambda: (font_name(), path)))
    except FontNotFoundError as exc:
        error = str(exc)
        checks.append(_said(False, lambda: (font_name(), error)))
    import os

    def printer_name() -> str:
        return QCoreApplication.translate("SelfCheck", "Printer")

    target = os.environ.get(PRINT_TO_FILE_ENV)
    if target:
        checks.append(
            _said(
                True,
                lambda: (
                    printer_name(),
                    QCoreApplication.translate(
                        "SelfCheck", "receipts saved as PDF in {dir}"
                    ).format(dir=target),
                ),
            )
        )
    else:
        default = QPrinterInfo.defaultPrinterName()
        checks.append(
            _said(
                bool(default),
                lambda: (
                    printer_name(),
                    default
                    or QCoreApplication.translate(
                        "SelfCheck", "no printer installed: receipts can be saved as PDF"
                    ),
                ),
            )
        )
    return checks


class CheckPanel(QGroupBox):
    """The self-check as a list of lines (✔ / ✘), filled in as checks answer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkPanel")
        self.setTitle(self.tr("System check"))
        self.layout_ = QVBoxLayout(self)
        self.checks: list[Check] = []
        self.labels: list[QLabel] = []
        self.pending = 0

    @staticmethod
    def _line(check: Check) -> str:
        name, detail = check.words() if check.words is not None else (check.name, check.detail)
        return ("✔ " if check.ok else "✘ ") + f"{name}: {detail}"

    def add(self, check: Check) -> None:
        self.checks.append(check)
        label = QLabel(self._line(check), self)
        label.setWordWrap(True)
        label.setProperty("ok", check.ok)
        self.layout_.addWidget(label)
        self.labels.append(label)

    def changeEvent(self, event: QEvent) -> None:
        """The language changed at sign-in: every line is said again in it."""
        if event.type() == QEvent.Type.LanguageChange:
            self.setTitle(self.tr("System check"))
            for check, label in zip(self.checks, self.labels, strict=True):
                label.setText(self._line(check))
        super().changeEvent(event)

    def run(self, workers: Workers, jobs: list[tuple[OwnerThread, Callable[[], Check]]]) -> None:
        for owner, fn in jobs:
            self.pending += 1
            workers.submit(
                owner,
                "self-check",
                partial(_call, fn),
                on_done=self._on_done,
                on_error=lambda exc: self._on_done(Check("?", False, str(exc))),  # a bug
            )

    def _on_done(self, check: Check) -> None:
        self.pending -= 1
        self.add(check)

    @property
    def missing(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def run_headless(counter: object, meter_url: str | None, reader: str | None) -> list[Check]:
    return [check_database(counter), check_meter_link(meter_url), check_pcsc(reader)]


def _call(fn: Callable[[], Check], _report: object) -> Check:
    """One check on its owner thread (the job's progress report is not used)."""
    return fn()
