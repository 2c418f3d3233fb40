"""The audit log in words: action codes and the before/after data as a reader says them.

The log keeps stable machine names and integer fen (I3: it is evidence, never rewritten);
a supervisor reads "收款 · 金额 ¥200.00; 票据号 …", not ``take-payment`` and
``{"amount_fen": 20000}``. Unknown codes and fields are shown as they are, so nothing the
log holds is ever hidden.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication

from counter_app.ui import texts


def _t(text: str) -> Callable[[], str]:
    return lambda: QCoreApplication.translate("AuditWords", text)


_ACTIONS: dict[str, Callable[[], str]] = {
    "account-locked": _t("account locked"),
    "activate-user": _t("user activated"),
    "authorization-granted": _t("supervisor authorization granted"),
    "authorization-refused": _t("supervisor authorization refused"),
    "card-purchase-cancelled": _t("card purchase cancelled"),
    "card-unblocked": _t("card unblocked"),
    "card-write-start": _t("card write started"),
    "card-written": _t("card written"),
    "card-writeback": _t("card write-back applied"),
    "card-refused": _t("card refused"),
    "card-issued": _t("card issued"),
    "card-reissued": _t("card re-issued"),
    "card-cleared": _t("card cleared"),
    "change-password": _t("password changed"),
    "change-role": _t("role changed"),
    "create-user": _t("user created"),
    "deactivate-user": _t("user deactivated"),
    "dispatch-interrupted": _t("dispatch interrupted"),
    "dispatch-probe": _t("meter probed"),
    "dispatch-start": _t("dispatch started"),
    "dispatch-result": _t("dispatch result"),
    "issue-bill": _t("bill issued"),
    "reset-password": _t("password reset"),
    "reversal-refused": _t("reversal refused"),
    "reverse-payment": _t("payment reversed"),
    "session-closed": _t("signed out"),
    "session-opened": _t("session opened"),
    "shift-close": _t("shift closed (Z)"),
    "shift-count": _t("blind count recorded"),
    "shift-open": _t("shift opened"),
    "shift-x-read": _t("X read"),
    "shift-cash": _t("cash in/out"),
    "sign-in": _t("signed in"),
    "sign-in-failed": _t("sign-in failed"),
    "sms-queued": _t("SMS queued"),
    "sms-requeued": _t("SMS queued again"),
    "sms-sent": _t("SMS sent"),
    "take-payment": _t("payment taken"),
    "work-order-closed": _t("work order closed"),
    "work-order-released": _t("work order released"),
    "work-order-taken": _t("work order taken"),
    "daily-settlement": _t("hall day settled"),
}

_FIELDS: dict[str, Callable[[], str]] = {
    "action": _t("action"),
    "active": _t("active"),
    "amount_fen": _t("amount"),
    "arrears_fen": _t("arrears"),
    "balance_fen": _t("meter balance"),
    "card": _t("card"),
    "card_serial": _t("card serial"),
    "case": _t("case"),
    "channel": _t("channel"),
    "code": _t("code"),
    "committed_count": _t("purchase count"),
    "count": _t("count"),
    "counted_fen": _t("counted cash"),
    "customer_no": _t("customer no."),
    "debit_bill_id": _t("debit bill"),
    "debit_fen": _t("debit"),
    "detail": _t("detail"),
    "during": _t("during"),
    "expected_cash_fen": _t("expected cash"),
    "expected_fen": _t("expected"),
    "expires_at": _t("expires at"),
    "failures": _t("failures"),
    "flags": _t("to reconcile"),
    "float_fen": _t("float"),
    "from_prepayment_fen": _t("from prepayment"),
    "full_name": _t("name"),
    "illegal_insertions": _t("illegal insertions"),
    "issued_on": _t("issued on"),
    "loaded_purchases": _t("purchases loaded"),
    "meter_count": _t("meter count"),
    "minutes": _t("minutes"),
    "movement_id": _t("cash movement"),
    "note": _t("note"),
    "outcome": _t("outcome"),
    "overdraft_fen": _t("overdraft"),
    "paid_fen": _t("paid"),
    "payments_fen": _t("payments"),
    "prepayment_fen": _t("prepayment"),
    "purchase_count": _t("purchase count"),
    "purchase_id": _t("purchase"),
    "purchase_reversed": _t("purchase cancelled"),
    "purchase_state": _t("purchase state"),
    "reason": _t("reason"),
    "receipt_no": _t("receipt no."),
    "refund_fen": _t("refund"),
    "refunds_fen": _t("refunds"),
    "refusal": _t("refusal"),
    "remaining_fen": _t("remaining"),
    "reopened_fen": _t("reopened"),
    "role": _t("role"),
    "route": _t("route"),
    "settlements": _t("bills settled"),
    "state": _t("state"),
    "status": _t("status"),
    "supervisor": _t("supervisor"),
    "taken_by": _t("taken by"),
    "tries": _t("tries"),
    "until": _t("until"),
    "username": _t("user"),
    "variance_fen": _t("variance"),
    "work_order_id": _t("work order"),
    "tendered_fen": _t("tendered"),
    "change_fen": _t("change"),
}


def action_text(code: str) -> str:
    """An audit action in the UI's language (the code itself when it is not known)."""
    make = _ACTIONS.get(code)
    return make() if make else code


def field_text(key: str) -> str:
    make = _FIELDS.get(key)
    return make() if make else key


def _value(key: str, value: Any) -> str:
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
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def data_text(data: Any, separator: str = "; ") -> str:
    """Before/after data as "label: value" pairs, amounts in yuan."""
    if data is None or data == {}:
        return ""
    if not isinstance(data, dict):
        return _value("", data)
    return separator.join(
        f"{field_text(key)}: {_value(key, value)}" for key, value in sorted(data.items())
    )
