"""One place that turns exceptions into words a teller can repeat (Anki's ``show_exception``).

Exceptions below the UI carry fields, never translated text (a ``code`` plus parameters: a
status word, a count, a step). Here each known kind gets a translated sentence with named
placeholders; anything unknown is a bug: it gets a report dialog with the traceback to copy
into a support ticket, and the window keeps running.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)


def _params(exc: BaseException) -> dict[str, object]:
    params: dict[str, object] = {}
    for attr in ("params", "fields"):
        raw = getattr(exc, attr, None)
        if isinstance(raw, dict):
            params.update(raw)
    for name, value in vars(exc).items():
        if not name.startswith("_") and isinstance(value, str | int | float):
            params.setdefault(name, value)
    return params


def _safe_format(text: str, params: dict[str, object]) -> str:
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def explain_by_table(exc: BaseException, table: Mapping[str, Callable[[], str]]) -> str | None:
    """``exc``'s code looked up in a caller's own table of lazily translated sentences.

    Each area keeps its sentences in its own translation context; this fills them with the
    exception's ``fields`` (the bare sentence when a placeholder cannot be filled). None when
    the code is not in ``table``.
    """
    code = getattr(exc, "code", None)
    if not isinstance(code, str) or code not in table:
        return None
    fields = dict(getattr(exc, "fields", {}) or {})
    return _safe_format(table[code](), fields)


def _by_code(code: str) -> str | None:
    """Translated sentence for an error ``code`` (placeholders filled by the caller)."""
    table: dict[str, Callable[[], str]] = {
        # money (core.money) -- amount entry
        "empty": lambda: QCoreApplication.translate("Errors", "Enter an amount."),
        "not-a-number": lambda: QCoreApplication.translate(
            "Errors", "“{text}” is not an amount in yuan."
        ),
        "negative": lambda: QCoreApplication.translate("Errors", "The amount cannot be negative."),
        "too-many-decimals": lambda: QCoreApplication.translate(
            "Errors", "At most two decimals (fen)."
        ),
        "too-large": lambda: QCoreApplication.translate(
            "Errors", "The amount is above the limit of {max} yuan."
        ),
        "zero": lambda: QCoreApplication.translate("Errors", "The amount must be above zero."),
        "exponent": lambda: QCoreApplication.translate(
            "Errors", "“{text}” is not accepted: type the amount in full, e.g. 1000."
        ),
        "not-finite": lambda: QCoreApplication.translate(
            "Errors", "“{text}” is not an amount in yuan."
        ),
        # payment planning (core.payment_plan)
        "bad-amount": lambda: QCoreApplication.translate("Errors", "The amount is not valid."),
        "amount-exceeds-prepayment": lambda: QCoreApplication.translate(
            "Errors", "The card amount is more than the prepayment balance."
        ),
        "nothing-to-load": lambda: QCoreApplication.translate(
            "Errors", "There is no prepayment to load onto the card."
        ),
        "not-card-meter": lambda: QCoreApplication.translate(
            "Errors", "This meter is not a card meter."
        ),
        "meter-inactive": lambda: QCoreApplication.translate("Errors", "This meter is not in use."),
        "purchase-pending": lambda: QCoreApplication.translate(
            "Errors", "An earlier purchase for this meter has not reached the meter yet."
        ),
        # cards (card_io.errors)
        "no-pcsc-service": lambda: QCoreApplication.translate(
            "Errors",
            "The smart-card service is not running. Start it (Windows: Smart Card service; "
            "Linux: pcscd) and try again.",
        ),
        "no-reader": lambda: QCoreApplication.translate("Errors", "No card reader is attached."),
        "no-card": lambda: QCoreApplication.translate(
            "Errors", "There is no card in the reader. Insert the customer's card."
        ),
        "card-removed": lambda: QCoreApplication.translate(
            "Errors",
            "The card was removed during the operation. Put it back: the card is read again "
            "to see whether the write happened (it is never written twice).",
        ),
        "sharing-violation": lambda: QCoreApplication.translate(
            "Errors", "Another program is using the card. Close it and retry."
        ),
        "pcsc-failure": lambda: QCoreApplication.translate(
            "Errors", "The card reader reported an error in {step}."
        ),
        "card-status": lambda: QCoreApplication.translate("Errors", "The card refused {step}."),
        "wrong-key-or-mac": lambda: QCoreApplication.translate(
            "Errors",
            "The card refused the security check: it is not one of ours or the keys are wrong.",
        ),
        "card-blocked": lambda: QCoreApplication.translate(
            "Errors",
            "This card is blocked: too many failed key checks. It cannot be used at the "
            "counter. Send the customer to the technician's workbench to unblock or re-issue "
            "the card.",
        ),
        "forged-card": lambda: QCoreApplication.translate(
            "Errors",
            "The card failed the security check of its {what}: it is forged or not one of "
            "ours. Nothing is written or recorded from it; keep the card and call the "
            "technician.",
        ),
        "amount-mismatch": lambda: QCoreApplication.translate(
            "Errors",
            "The card carries purchase no. {count} of {card_amount_fen} fen, not "
            "{expected_fen} fen; it is not cleared.",
        ),
        "unissued-card": lambda: QCoreApplication.translate(
            "Errors", "This card is blank (never issued)."
        ),
        "card-format": lambda: QCoreApplication.translate(
            "Errors", "The card's files are damaged or not in the expected format."
        ),
        "foreign-card": lambda: QCoreApplication.translate(
            "Errors", "Wrong card: its {field} is {found}, this account expects {expected}."
        ),
        "count-mismatch": lambda: QCoreApplication.translate(
            "Errors",
            "The card's purchase count is {card_count}; the system expects {expected} (R12). "
            "The card is not written.",
        ),
        "already-on-card": lambda: QCoreApplication.translate(
            "Errors", "This purchase is already on the card; it is not written again."
        ),
        "previous-not-loaded": lambda: QCoreApplication.translate(
            "Errors",
            "The previous purchase on this card has not reached the meter (R12a). Ask the "
            "customer to insert the card into the meter first.",
        ),
        "already-loaded": lambda: QCoreApplication.translate(
            "Errors", "The meter has already loaded this purchase."
        ),
        "invalid-amount": lambda: QCoreApplication.translate(
            "Errors", "The amount cannot be written to a card."
        ),
        "card-not-blank": lambda: QCoreApplication.translate(
            "Errors", "This card is already issued; use a blank card."
        ),
        "no-card-keys": lambda: QCoreApplication.translate(
            "Errors", "No card keys are configured on this counter."
        ),
        # reversals (core.reversal)
        "already-reversed": lambda: QCoreApplication.translate(
            "Errors", "This payment is already reversed."
        ),
        "unresolved-dispatch": lambda: QCoreApplication.translate(
            "Errors",
            "A dispatch of this purchase may have reached the meter. The meter is probed "
            "first (R8); try again after the probe.",
        ),
        "unresolved-card-write": lambda: QCoreApplication.translate(
            "Errors",
            "A card write of this purchase is unresolved. Read the card again first (R16).",
        ),
        "card-not-cleared": lambda: QCoreApplication.translate(
            "Errors", "The purchase is on the customer's card. Read and clear the card first (R16)."
        ),
        "not-a-supervisor": lambda: QCoreApplication.translate(
            "Errors", "A reversal needs a supervisor's sign-in (R15)."
        ),
        "self-authorization": lambda: QCoreApplication.translate(
            "Errors", "A teller cannot authorize their own reversal."
        ),
        "no-reason": lambda: QCoreApplication.translate("Errors", "A reversal needs a reason."),
        # services (counter_app.services.errors)
        "authentication-failed": lambda: QCoreApplication.translate(
            "Errors", "Wrong user name or password."
        ),
        "not-authorized": lambda: QCoreApplication.translate(
            "Errors", "{username} ({role}) is not allowed to {action}."
        ),
        "account-locked": lambda: QCoreApplication.translate(
            "Errors",
            "The account {username} is locked after too many wrong passwords, until {until} "
            "UTC. An administrator can reset the password.",
        ),
        "unknown-customer": lambda: QCoreApplication.translate(
            "Errors", "No customer “{customer}”."
        ),
        "unknown-meter": lambda: QCoreApplication.translate("Errors", "No meter “{meter}”."),
        "unknown-payment": lambda: QCoreApplication.translate("Errors", "No such payment."),
        "unknown-user": lambda: QCoreApplication.translate("Errors", "No user “{username}”."),
        "invalid-input": lambda: QCoreApplication.translate("Errors", "{field}: {problem}"),
        "purchase-state": lambda: QCoreApplication.translate(
            "Errors", "The purchase is {state}; this step is not possible now."
        ),
        "card-check-failed": lambda: QCoreApplication.translate(
            "Errors", "The card was refused: {detail}"
        ),
        "reversal-refused": lambda: QCoreApplication.translate(
            "Errors", "The reversal was refused: {detail}"
        ),
    }
    make = table.get(code)
    return make() if make else None


def _by_class(exc: BaseException) -> str | None:
    """Exceptions without a ``code``: the meter link's tree, timeouts, the database."""
    names = [cls.__name__ for cls in type(exc).__mro__]
    if "LinkUnavailable" in names:
        return QCoreApplication.translate(
            "Errors", "The meter link cannot be opened. Check the collection channel connection."
        )
    if "NoAnswer" in names:
        return QCoreApplication.translate("Errors", "The meter did not answer.")
    if "Garbled" in names:
        return QCoreApplication.translate("Errors", "The meter's answer was garbled (line noise).")
    if "SecurityRefusal" in names or "ExceptionReply" in names:
        return QCoreApplication.translate("Errors", "The meter refused the command: {reasons}.")
    if "MeterLinkError" in names:
        return QCoreApplication.translate("Errors", "The meter link failed.")
    if "FontNotFoundError" in names:
        return QCoreApplication.translate(
            "Errors",
            "No Chinese font for receipts was found. Install fonts-wqy-microhei or set "
            "COUNTER_RECEIPT_FONT to a .ttf/.ttc file.",
        )
    if isinstance(exc, TimeoutError):
        return QCoreApplication.translate("Errors", "The device did not answer in time.")
    if "OperationalError" in names:
        return QCoreApplication.translate("Errors", "The database cannot be reached.")
    return None


def explain(exc: BaseException) -> str | None:
    """The translated sentence for ``exc``, or None when it is not a known kind."""
    text = None
    for attr in ("refusal", "check", "money_code"):  # the specific reason beats the code
        detail = getattr(exc, attr, None)
        if detail is not None and text is None:
            text = _by_code(str(detail))
    code = getattr(exc, "code", None)
    if text is None and isinstance(code, str):
        text = _by_code(code)
    if text is None:
        text = _by_class(exc)
    if text is None:
        return None
    params = _params(exc)
    reasons = getattr(exc, "reasons", None)
    if isinstance(reasons, list | tuple):
        params["reasons"] = "; ".join(str(r) for r in reasons)
    if getattr(exc, "code", None) == "not-authorized":
        from counter_app.ui import texts

        params["action"] = action_words(str(params.get("action", "")))
        params["role"] = texts.role(str(params.get("role", "")))
    return _safe_format(text, params)


def action_words(code: str) -> str:
    """What a refused person wanted to do (``services.auth`` actions), in the UI's language."""
    words = {
        "view": lambda: QCoreApplication.translate("Errors", "use the counter"),
        "take-payment": lambda: QCoreApplication.translate("Errors", "take payments"),
        "write-card": lambda: QCoreApplication.translate("Errors", "write purchase cards"),
        "authorize-reversal": lambda: QCoreApplication.translate("Errors", "authorize reversals"),
        "view-work-orders": lambda: QCoreApplication.translate("Errors", "see work orders"),
        "take-work-order": lambda: QCoreApplication.translate("Errors", "take work orders"),
        "retry-dispatch": lambda: QCoreApplication.translate("Errors", "retry dispatches"),
        "close-work-order": lambda: QCoreApplication.translate("Errors", "close work orders"),
        "inspect-card": lambda: QCoreApplication.translate("Errors", "inspect cards"),
        "apply-writeback": lambda: QCoreApplication.translate("Errors", "apply card write-backs"),
        "issue-card": lambda: QCoreApplication.translate("Errors", "issue cards"),
        "reissue-card": lambda: QCoreApplication.translate("Errors", "re-issue cards"),
        "clear-card": lambda: QCoreApplication.translate("Errors", "clear cards"),
        "unblock-card": lambda: QCoreApplication.translate("Errors", "unblock cards"),
        "view-outbox": lambda: QCoreApplication.translate("Errors", "see the SMS outbox"),
        "send-outbox": lambda: QCoreApplication.translate("Errors", "send SMS"),
        "manage-users": lambda: QCoreApplication.translate("Errors", "manage users"),
        "view-audit": lambda: QCoreApplication.translate("Errors", "read the audit log"),
        "open-shift": lambda: QCoreApplication.translate("Errors", "open a shift"),
        "close-shift": lambda: QCoreApplication.translate("Errors", "close a shift"),
        "view-open-shifts": lambda: QCoreApplication.translate("Errors", "see every open shift"),
        "view-success-board": lambda: QCoreApplication.translate("Errors", "see the success board"),
        "issue-bill": lambda: QCoreApplication.translate("Errors", "issue bills"),
        "view-daily-settlement": lambda: QCoreApplication.translate(
            "Errors", "settle the hall's day"
        ),
        "change their own role": lambda: QCoreApplication.translate(
            "Errors", "change their own role"
        ),
        "deactivate their own account": lambda: QCoreApplication.translate(
            "Errors", "deactivate their own account"
        ),
        "work another person's shift": lambda: QCoreApplication.translate(
            "Errors", "work another person's shift"
        ),
    }
    make = words.get(code)
    return make() if make else code


class ReportDialog(QDialog):
    """An unexpected error: what to say to support, with the details to copy."""

    def __init__(self, exc: BaseException, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorReport")
        self.setWindowTitle(self.tr("Unexpected error"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                self.tr(
                    "Something went wrong that the program does not know how to explain. "
                    "No payment was recorded twice. Copy the details below into a support "
                    "ticket."
                )
            )
        )
        details = QPlainTextEdit(self)
        details.setReadOnly(True)
        details.setPlainText("".join(traceback.format_exception(exc)))
        layout.addWidget(details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton(self.tr("Copy details"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QApplication.clipboard().setText(details.toPlainText()))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 400)


def show_exception(parent: QWidget | None, exc: BaseException) -> None:
    """Show ``exc`` to the teller: a translated warning, or the report dialog if unknown."""
    text = explain(exc)
    if text is None:
        log.error("unexpected error", exc_info=exc)
        ReportDialog(exc, parent).open()
        return
    log.info("shown to the teller: %s (%r)", text, exc)
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        QCoreApplication.translate("Errors", "Cannot continue"),
        text,
        parent=parent,
    )
    box.setObjectName("errorMessage")
    box.open()


def text_for_code(code: str) -> str | None:
    """The translated sentence for a bare code (a refusal, a reason), placeholders unfilled."""
    return _by_code(code)
