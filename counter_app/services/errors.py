"""Typed errors of the services: each carries a stable `code` and its fields.

The UI translates by `code` (and the fields); counterctl prints ``str(error)``, one English
line. A service that raises one of these has changed nothing in the database (the business
step's transaction is rolled back).
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of every error a service reports to a person."""

    code = "service-error"

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def __str__(self) -> str:
        return self.message


class InvalidAmount(ServiceError):
    code = "invalid-amount"

    def __init__(self, text: str, reason: str, money_code: str | None = None) -> None:
        super().__init__(f"invalid amount: {reason}", text=text, reason=reason)
        self.text = text
        self.reason = reason
        self.money_code = money_code
        """The typed amount's refusal (``core.money`` code), so a window can say it in its
        own language instead of showing ``reason`` (English, for the CLI and the log)."""


class UnknownCustomer(ServiceError):
    code = "unknown-customer"

    def __init__(self, customer: str) -> None:
        super().__init__(f"unknown customer {customer!r}", customer=customer)
        self.customer = customer


class UnknownMeter(ServiceError):
    code = "unknown-meter"

    def __init__(self, meter: str) -> None:
        super().__init__(f"unknown meter {meter!r}", meter=meter)
        self.meter = meter


class UnknownPayment(ServiceError):
    code = "unknown-payment"

    def __init__(self, payment: str) -> None:
        super().__init__(f"unknown payment {payment!r}", payment=payment)
        self.payment = payment


class UnknownPurchase(ServiceError):
    code = "unknown-purchase"

    def __init__(self, purchase: int) -> None:
        super().__init__(f"unknown purchase {purchase}", purchase=purchase)
        self.purchase = purchase


class UnknownWorkOrder(ServiceError):
    code = "unknown-work-order"

    def __init__(self, work_order: int) -> None:
        super().__init__(f"unknown work order {work_order}", work_order=work_order)
        self.work_order = work_order


class UnknownUser(ServiceError):
    code = "unknown-user"

    def __init__(self, username: str) -> None:
        super().__init__(f"unknown user {username!r}", username=username)
        self.username = username


class AuthenticationFailed(ServiceError):
    """Wrong username or password (the message does not say which, on purpose)."""

    code = "authentication-failed"

    def __init__(self, username: str) -> None:
        super().__init__(f"wrong username or password for {username!r}", username=username)
        self.username = username


class AccountLocked(ServiceError):
    """Too many wrong passwords in a row: sign-in and authorisation are refused until `until`
    (naive UTC), whatever password is given."""

    code = "account-locked"

    def __init__(self, username: str, until: str) -> None:
        super().__init__(
            f"account {username!r} is locked after too many wrong passwords until {until} UTC",
            username=username,
            until=until,
        )
        self.username = username
        self.until = until


class NotAuthorized(ServiceError):
    code = "not-authorized"

    def __init__(self, username: str, role: str, action: str) -> None:
        super().__init__(
            f"user {username!r} ({role}) may not {action}",
            username=username,
            role=role,
            action=action,
        )
        self.username = username
        self.role = role
        self.action = action


class InvalidInput(ServiceError):
    code = "invalid-input"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}", field=field, problem=problem)
        self.field = field
        self.problem = problem


class ReversalRefused(ServiceError):
    """R15/R16: the reversal is not allowed (already reversed, unresolved dispatch, ...)."""

    code = "reversal-refused"

    def __init__(self, payment_id: int, refusal: str, detail: str) -> None:
        super().__init__(
            f"reversal of payment {payment_id} refused ({refusal}): {detail}",
            payment_id=payment_id,
            refusal=refusal,
            detail=detail,
        )
        self.payment_id = payment_id
        self.refusal = refusal
        self.detail = detail


class PurchaseStateError(ServiceError):
    """The purchase is not in a state that allows this step (core.purchase_state)."""

    code = "purchase-state"

    def __init__(self, purchase_id: int, state: str, step: str) -> None:
        super().__init__(
            f"purchase {purchase_id} is {state}: cannot {step}",
            purchase_id=purchase_id,
            state=state,
            step=step,
        )
        self.purchase_id = purchase_id
        self.state = state
        self.step = step


class CardCheckFailed(ServiceError):
    """R12/R12a: the card does not fit the account or the previous purchase is pending."""

    code = "card-check-failed"

    def __init__(self, check: str, detail: str) -> None:
        super().__init__(f"card refused ({check}): {detail}", check=check, detail=detail)
        self.check = check
        self.detail = detail


class WorkOrderStateError(ServiceError):
    code = "work-order-state"

    def __init__(self, work_order_id: int, state: str, step: str) -> None:
        super().__init__(
            f"work order {work_order_id} is {state}: cannot {step}",
            work_order_id=work_order_id,
            state=state,
            step=step,
        )
        self.work_order_id = work_order_id
        self.state = state
        self.step = step
