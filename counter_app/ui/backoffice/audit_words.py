"""The audit log in words: action codes and the before/after data as a reader says them.

The log keeps stable machine names and integer fen (I3: it is evidence, never rewritten);
a supervisor reads "收款 · 金额 ¥200.00; 票据号 …", not ``take-payment`` and
``{"amount_fen": 20000}``. Unknown codes and fields are shown as they are, so nothing the
log holds is ever hidden.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from counter_app.ui import texts

_ACTIONS: dict[str, Callable[[], str]] = {
    "account-locked": lambda: QCoreApplication.translate("AuditWords", "account locked"),
    "activate-user": lambda: QCoreApplication.translate("AuditWords", "user activated"),
    "authorization-granted": lambda: QCoreApplication.translate(
        "AuditWords", "supervisor authorization granted"
    ),
    "authorization-refused": lambda: QCoreApplication.translate(
        "AuditWords", "supervisor authorization refused"
    ),
    "card-purchase-cancelled": lambda: QCoreApplication.translate(
        "AuditWords", "card purchase cancelled"
    ),
    "card-unblocked": lambda: QCoreApplication.translate("AuditWords", "card unblocked"),
    "card-write-start": lambda: QCoreApplication.translate("AuditWords", "card write started"),
    "card-written": lambda: QCoreApplication.translate("AuditWords", "card written"),
    "card-writeback": lambda: QCoreApplication.translate("AuditWords", "card write-back applied"),
    "card-refused": lambda: QCoreApplication.translate("AuditWords", "card refused"),
    "card-issued": lambda: QCoreApplication.translate("AuditWords", "card issued"),
    "card-reissued": lambda: QCoreApplication.translate("AuditWords", "card re-issued"),
    "card-cleared": lambda: QCoreApplication.translate("AuditWords", "card cleared"),
    "change-password": lambda: QCoreApplication.translate("AuditWords", "password changed"),
    "change-role": lambda: QCoreApplication.translate("AuditWords", "role changed"),
    "create-user": lambda: QCoreApplication.translate("AuditWords", "user created"),
    "deactivate-user": lambda: QCoreApplication.translate("AuditWords", "user deactivated"),
    "dispatch-interrupted": lambda: QCoreApplication.translate(
        "AuditWords", "dispatch interrupted"
    ),
    "dispatch-probe": lambda: QCoreApplication.translate("AuditWords", "meter probed"),
    "dispatch-start": lambda: QCoreApplication.translate("AuditWords", "dispatch started"),
    "dispatch-result": lambda: QCoreApplication.translate("AuditWords", "dispatch result"),
    "issue-bill": lambda: QCoreApplication.translate("AuditWords", "bill issued"),
    "reset-password": lambda: QCoreApplication.translate("AuditWords", "password reset"),
    "reversal-refused": lambda: QCoreApplication.translate("AuditWords", "reversal refused"),
    "reverse-payment": lambda: QCoreApplication.translate("AuditWords", "payment reversed"),
    "session-closed": lambda: QCoreApplication.translate("AuditWords", "signed out"),
    "session-opened": lambda: QCoreApplication.translate("AuditWords", "session opened"),
    "shift-close": lambda: QCoreApplication.translate("AuditWords", "shift closed (Z)"),
    "shift-count": lambda: QCoreApplication.translate("AuditWords", "blind count recorded"),
    "shift-open": lambda: QCoreApplication.translate("AuditWords", "shift opened"),
    "shift-x-read": lambda: QCoreApplication.translate("AuditWords", "X read"),
    "shift-cash": lambda: QCoreApplication.translate("AuditWords", "cash in/out"),
    "sign-in": lambda: QCoreApplication.translate("AuditWords", "signed in"),
    "sign-in-failed": lambda: QCoreApplication.translate("AuditWords", "sign-in failed"),
    "sms-queued": lambda: QCoreApplication.translate("AuditWords", "SMS queued"),
    "sms-requeued": lambda: QCoreApplication.translate("AuditWords", "SMS queued again"),
    "sms-sent": lambda: QCoreApplication.translate("AuditWords", "SMS sent"),
    "take-payment": lambda: QCoreApplication.translate("AuditWords", "payment taken"),
    "work-order-closed": lambda: QCoreApplication.translate("AuditWords", "work order closed"),
    "work-order-released": lambda: QCoreApplication.translate("AuditWords", "work order released"),
    "work-order-taken": lambda: QCoreApplication.translate("AuditWords", "work order taken"),
    "daily-settlement": lambda: QCoreApplication.translate("AuditWords", "hall day settled"),
    "dispatch-loaded": lambda: QCoreApplication.translate("AuditWords", "loaded into the meter"),
    "dispatch-success": lambda: QCoreApplication.translate("AuditWords", "loaded into the meter"),
    "dispatch-failed": lambda: QCoreApplication.translate("AuditWords", "dispatch failed"),
    "cash-in": lambda: QCoreApplication.translate("AuditWords", "cash in"),
    "cash-out": lambda: QCoreApplication.translate("AuditWords", "cash out"),
    "card-blocked-refused": lambda: QCoreApplication.translate(
        "AuditWords", "blocked card refused"
    ),
    "card-forged-refused": lambda: QCoreApplication.translate("AuditWords", "forged card refused"),
    "card-key-refused": lambda: QCoreApplication.translate(
        "AuditWords", "card refused: wrong keys"
    ),
    "card-check-failed": lambda: QCoreApplication.translate("AuditWords", "card check failed"),
    "card-write-abandoned": lambda: QCoreApplication.translate(
        "AuditWords", "card write abandoned"
    ),
    "card-write-confirmed": lambda: QCoreApplication.translate(
        "AuditWords", "card write confirmed"
    ),
    "account-close": lambda: QCoreApplication.translate("AuditWords", "account closed"),
    "account-opened-remote": lambda: QCoreApplication.translate(
        "AuditWords", "account opened remotely"
    ),
    "account-opening-failed": lambda: QCoreApplication.translate(
        "AuditWords", "remote account opening failed"
    ),
    "archive-import": lambda: QCoreApplication.translate("AuditWords", "archive imported"),
    "archive-import-batch": lambda: QCoreApplication.translate(
        "AuditWords", "archive import batch"
    ),
    "authorization-given": lambda: QCoreApplication.translate(
        "AuditWords", "supervisor authorization given"
    ),
    "bank-import-done": lambda: QCoreApplication.translate("AuditWords", "bank file imported"),
    "bank-import-start": lambda: QCoreApplication.translate(
        "AuditWords", "bank file import started"
    ),
    "bootstrap-admin": lambda: QCoreApplication.translate(
        "AuditWords", "first administrator created"
    ),
    "card-write-unsettled": lambda: QCoreApplication.translate(
        "AuditWords", "card write not settled"
    ),
    "dispatch-handed-over": lambda: QCoreApplication.translate(
        "AuditWords", "handed over to the collection system"
    ),
    "dispatch-result-applied": lambda: QCoreApplication.translate(
        "AuditWords", "collection system's result applied"
    ),
    "meter-move": lambda: QCoreApplication.translate("AuditWords", "meter moved"),
    "meter-replacement": lambda: QCoreApplication.translate("AuditWords", "meter replaced"),
    "mode-change": lambda: QCoreApplication.translate("AuditWords", "purchase mode changed"),
    "new-installation": lambda: QCoreApplication.translate("AuditWords", "new installation"),
    "offset-authorized": lambda: QCoreApplication.translate("AuditWords", "offset authorized"),
    "prepayment-approved": lambda: QCoreApplication.translate("AuditWords", "prepayment approved"),
    "prepayment-refund": lambda: QCoreApplication.translate(
        "AuditWords", "prepayment refunded in cash"
    ),
    "prepayment-refused": lambda: QCoreApplication.translate("AuditWords", "prepayment refused"),
    "reconciliation-applied": lambda: QCoreApplication.translate(
        "AuditWords", "reconciliation applied"
    ),
    "reconciliation-prepared": lambda: QCoreApplication.translate(
        "AuditWords", "reconciliation prepared"
    ),
    "reconciliation-sign-off": lambda: QCoreApplication.translate(
        "AuditWords", "reconciliation signed off"
    ),
    "reconciliation-superseded": lambda: QCoreApplication.translate(
        "AuditWords", "reconciliation superseded"
    ),
    "terminal-deactivated": lambda: QCoreApplication.translate(
        "AuditWords", "terminal deactivated"
    ),
    "transfer-prepayment": lambda: QCoreApplication.translate(
        "AuditWords", "prepayment transferred"
    ),
    "work-order-opened": lambda: QCoreApplication.translate("AuditWords", "work order opened"),
}

_FIELDS: dict[str, Callable[[], str]] = {
    "action": lambda: QCoreApplication.translate("AuditWords", "action"),
    "active": lambda: QCoreApplication.translate("AuditWords", "active"),
    "amount_fen": lambda: QCoreApplication.translate("AuditWords", "amount"),
    "arrears_fen": lambda: QCoreApplication.translate("AuditWords", "arrears"),
    "balance_fen": lambda: QCoreApplication.translate("AuditWords", "meter balance"),
    "card": lambda: QCoreApplication.translate("AuditWords", "card"),
    "card_serial": lambda: QCoreApplication.translate("AuditWords", "card serial"),
    "case": lambda: QCoreApplication.translate("AuditWords", "case"),
    "channel": lambda: QCoreApplication.translate("AuditWords", "channel"),
    "code": lambda: QCoreApplication.translate("AuditWords", "code"),
    "committed_count": lambda: QCoreApplication.translate("AuditWords", "purchase count"),
    "count": lambda: QCoreApplication.translate("AuditWords", "count"),
    "counted_fen": lambda: QCoreApplication.translate("AuditWords", "counted cash"),
    "customer_no": lambda: QCoreApplication.translate("AuditWords", "customer no."),
    "debit_bill_id": lambda: QCoreApplication.translate("AuditWords", "debit bill"),
    "debit_fen": lambda: QCoreApplication.translate("AuditWords", "debit"),
    "detail": lambda: QCoreApplication.translate("AuditWords", "detail"),
    "during": lambda: QCoreApplication.translate("AuditWords", "during"),
    "expected_cash_fen": lambda: QCoreApplication.translate("AuditWords", "expected cash"),
    "expected_fen": lambda: QCoreApplication.translate("AuditWords", "expected"),
    "expires_at": lambda: QCoreApplication.translate("AuditWords", "expires at"),
    "failures": lambda: QCoreApplication.translate("AuditWords", "failures"),
    "flags": lambda: QCoreApplication.translate("AuditWords", "to reconcile"),
    "float_fen": lambda: QCoreApplication.translate("AuditWords", "float"),
    "from_prepayment_fen": lambda: QCoreApplication.translate("AuditWords", "from prepayment"),
    "full_name": lambda: QCoreApplication.translate("AuditWords", "name"),
    "illegal_insertions": lambda: QCoreApplication.translate("AuditWords", "illegal insertions"),
    "issued_on": lambda: QCoreApplication.translate("AuditWords", "issued on"),
    "loaded_purchases": lambda: QCoreApplication.translate("AuditWords", "purchases loaded"),
    "meter_count": lambda: QCoreApplication.translate("AuditWords", "meter count"),
    "minutes": lambda: QCoreApplication.translate("AuditWords", "minutes"),
    "movement_id": lambda: QCoreApplication.translate("AuditWords", "cash movement"),
    "note": lambda: QCoreApplication.translate("AuditWords", "note"),
    "outcome": lambda: QCoreApplication.translate("AuditWords", "outcome"),
    "overdraft_fen": lambda: QCoreApplication.translate("AuditWords", "overdraft"),
    "paid_fen": lambda: QCoreApplication.translate("AuditWords", "paid"),
    "payments_fen": lambda: QCoreApplication.translate("AuditWords", "payments"),
    "prepayment_fen": lambda: QCoreApplication.translate("AuditWords", "prepayment"),
    "purchase_count": lambda: QCoreApplication.translate("AuditWords", "purchase count"),
    "purchase_id": lambda: QCoreApplication.translate("AuditWords", "purchase"),
    "purchase_reversed": lambda: QCoreApplication.translate("AuditWords", "purchase cancelled"),
    "purchase_state": lambda: QCoreApplication.translate("AuditWords", "purchase state"),
    "reason": lambda: QCoreApplication.translate("AuditWords", "reason"),
    "receipt_no": lambda: QCoreApplication.translate("AuditWords", "receipt no."),
    "refund_fen": lambda: QCoreApplication.translate("AuditWords", "refund"),
    "refunds_fen": lambda: QCoreApplication.translate("AuditWords", "refunds"),
    "refusal": lambda: QCoreApplication.translate("AuditWords", "refusal"),
    "remaining_fen": lambda: QCoreApplication.translate("AuditWords", "remaining"),
    "reopened_fen": lambda: QCoreApplication.translate("AuditWords", "reopened"),
    "role": lambda: QCoreApplication.translate("AuditWords", "role"),
    "route": lambda: QCoreApplication.translate("AuditWords", "route"),
    "settlements": lambda: QCoreApplication.translate("AuditWords", "bills settled"),
    "state": lambda: QCoreApplication.translate("AuditWords", "state"),
    "status": lambda: QCoreApplication.translate("AuditWords", "status"),
    "supervisor": lambda: QCoreApplication.translate("AuditWords", "supervisor"),
    "taken_by": lambda: QCoreApplication.translate("AuditWords", "taken by"),
    "tries": lambda: QCoreApplication.translate("AuditWords", "tries"),
    "until": lambda: QCoreApplication.translate("AuditWords", "until"),
    "username": lambda: QCoreApplication.translate("AuditWords", "user"),
    "variance_fen": lambda: QCoreApplication.translate("AuditWords", "variance"),
    "work_order_id": lambda: QCoreApplication.translate("AuditWords", "work order"),
    "tendered_fen": lambda: QCoreApplication.translate("AuditWords", "tendered"),
    "change_fen": lambda: QCoreApplication.translate("AuditWords", "change"),
    "payment_reversed": lambda: QCoreApplication.translate("AuditWords", "payment reversed"),
}


_CASES: dict[str, Callable[[], str]] = {
    "payment-only": lambda: QCoreApplication.translate(
        "AuditWords", "refund only, the meter keeps the credit"
    ),
    "payment-and-purchase": lambda: QCoreApplication.translate(
        "AuditWords", "payment and its purchase reversed"
    ),
    "payment-no-purchase": lambda: QCoreApplication.translate(
        "AuditWords", "payment without a purchase"
    ),
}
"""A reversal's case (R15) as the supervisor says it."""


def action_text(code: str) -> str:
    """An audit action in the UI's language (the code itself when it is not known)."""
    make = _ACTIONS.get(code)
    return make() if make else code


def field_text(key: str) -> str:
    make = _FIELDS.get(key)
    return make() if make else key


def _value(key: str, value: object) -> str:
    if isinstance(value, bool):
        return texts.yes_no(value)
    if key.endswith("_fen") and isinstance(value, int):
        return texts.yuan(value)
    if key == "role" and isinstance(value, str):
        return texts.role(value)
    if key == "channel" and isinstance(value, str):
        return texts.channel(value)
    if key == "route" and isinstance(value, str):
        return texts.route(value)
    if key in ("state", "purchase_state") and isinstance(value, str):
        return texts.state(value)
    if key == "outcome" and isinstance(value, str):
        return texts.outcome(value)
    if key == "reason" and isinstance(value, str):
        return texts.reason(value) or value
    if key == "action" and isinstance(value, str):
        return action_text(value)
    if key == "case" and isinstance(value, str) and value in _CASES:
        return _CASES[value]()
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def data_text(data: object, separator: str = "; ") -> str:
    """Before/after data as "label: value" pairs, amounts in yuan."""
    if data is None or data == {}:
        return ""
    if not isinstance(data, dict):
        return _value("", data)
    return separator.join(
        f"{field_text(key)}: {_value(key, value)}" for key, value in sorted(data.items())
    )
