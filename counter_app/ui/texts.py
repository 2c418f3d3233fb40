"""Translated words for the codes the core, the services and the devices use.

Codes (``remote``, ``arrears-remain``, ``channel-failure``...) are stable machine names;
what a teller reads is chosen here, once, so every view says the same thing.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication

from counter_app.core.money import format_yuan


def yuan(fen: int | None) -> str:
    """Fen as "¥1,234.56" (no floats anywhere)."""
    if fen is None:
        return "—"
    return "¥" + format_yuan(fen, grouping=True)


def when(value: dt.datetime | None) -> str:
    if value is None:
        return QCoreApplication.translate("Texts", "never")
    return value.strftime("%Y-%m-%d %H:%M")


def mode(code: str) -> str:
    return {
        "remote": QCoreApplication.translate("Texts", "remote purchase"),
        "card": QCoreApplication.translate("Texts", "card purchase"),
    }.get(code, code)


def channel(code: str) -> str:
    return {
        "counter": QCoreApplication.translate("Texts", "counter"),
        "terminal": QCoreApplication.translate("Texts", "self-service terminal"),
        "bank": QCoreApplication.translate("Texts", "bank collection"),
        "transfer": QCoreApplication.translate("Texts", "transfer"),
        "offset": QCoreApplication.translate("Texts", "prepayment offset"),
        "other": QCoreApplication.translate("Texts", "other"),
    }.get(code, code)


def route(code: str) -> str:
    return {
        "remote": QCoreApplication.translate("Texts", "remote dispatch"),
        "card": QCoreApplication.translate("Texts", "waits for a card write"),
        "none": QCoreApplication.translate("Texts", "kept in prepayment"),
    }.get(code, code)


def reason(code: str | None) -> str:
    """Why money stays in prepayment (R2, R4, R6), as the teller says it to the customer."""
    if not code:
        return ""
    return {
        "arrears-remain": QCoreApplication.translate(
            "Texts", "arrears remain after this payment, so nothing is sent to the meter (R2)"
        ),
        "no-active-meter": QCoreApplication.translate("Texts", "the customer has no meter in use"),
        "multi-meter": QCoreApplication.translate(
            "Texts",
            "the household has several card meters: the money is written to the card of the "
            "meter the customer chooses (R6)",
        ),
        "not-card-meter": QCoreApplication.translate("Texts", "the meter is not a card meter"),
        "not-collection-capable": QCoreApplication.translate(
            "Texts", "the collection system cannot reach this meter: buy with the card"
        ),
        "card-mode": QCoreApplication.translate(
            "Texts", "the meter is in card mode: the purchase is written to the card"
        ),
        "purchase-pending": QCoreApplication.translate(
            "Texts", "an earlier purchase has not reached the meter yet"
        ),
        "nothing-to-load": QCoreApplication.translate("Texts", "there is nothing to load"),
    }.get(code, code)


def outcome(code: str | None) -> str:
    """Dispatch outcomes (R7–R9)."""
    if not code:
        return ""
    return {
        "success": QCoreApplication.translate("Texts", "loaded into the meter"),
        "already-loaded": QCoreApplication.translate(
            "Texts", "the meter already had this purchase (R8): counted as loaded"
        ),
        "channel-failure": QCoreApplication.translate("Texts", "the meter could not be reached"),
        "count-mismatch": QCoreApplication.translate(
            "Texts", "the meter's purchase count does not match"
        ),
        "security-refusal": QCoreApplication.translate(
            "Texts", "the meter refused the security check"
        ),
        "hoarding-limit": QCoreApplication.translate(
            "Texts", "the meter refused: the balance would pass its hoarding limit"
        ),
        "timeout": QCoreApplication.translate("Texts", "the meter did not answer in time"),
        "unresolved": QCoreApplication.translate(
            "Texts", "the link broke during the dispatch: the meter is probed first (R8)"
        ),
        "not-loaded": QCoreApplication.translate(
            "Texts", "the probe shows the purchase did not reach the meter (R8)"
        ),
        "pending": QCoreApplication.translate(
            "Texts", "result not yet known: the collection system has the task"
        ),
        "outbox": QCoreApplication.translate(
            "Texts",
            "result not yet known: waiting to be sent, the collection system cannot be reached",
        ),
        "station-refused": QCoreApplication.translate(
            "Texts", "the collection system refused the task"
        ),
    }.get(code, code)


def state(code: str) -> str:
    """Purchase states (core.purchase_state)."""
    return {
        "created": QCoreApplication.translate("Texts", "created"),
        "dispatching": QCoreApplication.translate("Texts", "dispatching"),
        "loaded": QCoreApplication.translate("Texts", "loaded"),
        "failed": QCoreApplication.translate("Texts", "dispatch failed"),
        "work-order": QCoreApplication.translate("Texts", "work order open"),
        "card-writing": QCoreApplication.translate("Texts", "writing card"),
        "card-written": QCoreApplication.translate("Texts", "on the card"),
        "reversed": QCoreApplication.translate("Texts", "reversed"),
    }.get(code, code)


def step(code: str) -> str:
    """Dispatch steps (R7) as meter_link reports them."""
    return {
        "channel-test": QCoreApplication.translate("Texts", "channel test"),
        "count-check": QCoreApplication.translate("Texts", "count check"),
        "authentication": QCoreApplication.translate("Texts", "authentication"),
        "recharge": QCoreApplication.translate("Texts", "recharge"),
        "read-back": QCoreApplication.translate("Texts", "read back"),
        "probe": QCoreApplication.translate("Texts", "probe"),
        "waiting": QCoreApplication.translate("Texts", "waiting before the next attempt"),
    }.get(code, code)


def relay(code: str | None) -> str:
    return {
        "closed": QCoreApplication.translate("Texts", "on (closed)"),
        "open": QCoreApplication.translate("Texts", "OFF (tripped)"),
    }.get(code or "", "—")


def yes_no(value: bool) -> str:
    return (
        QCoreApplication.translate("Texts", "yes")
        if value
        else QCoreApplication.translate("Texts", "no")
    )


def reversal_case(code: str | None) -> str:
    return {
        "payment-only": QCoreApplication.translate(
            "Texts",
            "payment only: the meter keeps the credit; the amount becomes arrears collected "
            "at the next payment (R15)",
        ),
        "payment-and-purchase": QCoreApplication.translate(
            "Texts",
            "payment and purchase: the purchase never reached the meter and is cancelled; its "
            "purchase count is free again (R15)",
        ),
        "payment-no-purchase": QCoreApplication.translate(
            "Texts", "payment only: it made no purchase (R15)"
        ),
    }.get(code or "", code or "")


def role(code: str) -> str:
    return {
        "teller": QCoreApplication.translate("Texts", "teller"),
        "supervisor": QCoreApplication.translate("Texts", "supervisor"),
        "technician": QCoreApplication.translate("Texts", "technician"),
        "admin": QCoreApplication.translate("Texts", "administrator"),
    }.get(code, code)


def payment_result(
    route_code: str,
    reason_code: str | None,
    purchase_state: str | None,
    dispatch_outcome: str | None,
    reversed_: bool,
) -> str:
    """What really happened to a payment's money (the 处理结果 column), not only its route.

    The route is what the payment planned (R3 remote, R6 card, R2/R4 prepayment); the state
    of the purchase it made says where the money went since: loaded into the meter (R7),
    failed with a re-dispatch work order (R10), waiting for a probe (R8), on the card (R12),
    or reversed (R15).
    """
    if reversed_:
        return QCoreApplication.translate("Texts", "reversed: the payment was refunded (R15)")
    state_text = {
        "loaded": QCoreApplication.translate("Texts", "loaded into the meter remotely"),
        "failed": QCoreApplication.translate(
            "Texts", "dispatch failed ({outcome}): a work order is open (R10)"
        ),
        "work-order": QCoreApplication.translate(
            "Texts", "dispatch failed ({outcome}): a work order is open (R10)"
        ),
        "dispatching": QCoreApplication.translate(
            "Texts", "result not yet known: the meter is probed first (R8)"
        ),
        "created": QCoreApplication.translate("Texts", "waiting to be sent to the meter"),
        "card-writing": QCoreApplication.translate(
            "Texts", "card write not confirmed: read the card (R16)"
        ),
        "card-written": QCoreApplication.translate("Texts", "written to the purchase card"),
        "reversed": QCoreApplication.translate("Texts", "purchase cancelled by a reversal (R15)"),
    }
    if purchase_state is not None and purchase_state in state_text:
        return state_text[purchase_state].format(outcome=outcome(dispatch_outcome) or "—")
    why = reason(reason_code)
    if route_code == "card":
        return QCoreApplication.translate(
            "Texts", "waiting in prepayment for a card write: {reason}"
        ).format(reason=why or "—")
    if why:
        return QCoreApplication.translate("Texts", "waiting in prepayment: {reason}").format(
            reason=why
        )
    return route(route_code)


def attempt_reason(code: str) -> str:
    """Why one dispatch attempt failed, as the collection system names it (its reason codes);
    other text (a direct link's technical detail) is shown as it is."""
    return {
        "terminal-offline": QCoreApplication.translate(
            "Texts", "the collection terminal is offline"
        ),
        "route-lost": QCoreApplication.translate("Texts", "the carrier route to the meter is lost"),
        "meter-silent": QCoreApplication.translate("Texts", "the meter does not answer"),
        "link-refused": QCoreApplication.translate("Texts", "the meter link could not be opened"),
        "count-mismatch": QCoreApplication.translate(
            "Texts", "the meter's purchase count does not match"
        ),
        "security-refused": QCoreApplication.translate(
            "Texts", "the meter refused the security check"
        ),
        "hoarding-limit": QCoreApplication.translate(
            "Texts", "the meter refused: the balance would pass its hoarding limit"
        ),
        "customer-mismatch": QCoreApplication.translate(
            "Texts", "the meter holds another customer number"
        ),
        "meter-refused": QCoreApplication.translate("Texts", "the meter refused the recharge"),
        "station-error": QCoreApplication.translate(
            "Texts", "the collection system failed on this task"
        ),
    }.get(code, code)
