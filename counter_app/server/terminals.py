"""The terminal API of the counter-server: self-service terminals (ATM/POS) pay here (R5, R17).

A router (`router`) the counter-server mounts, plus `create_terminal_app` for a server that
hosts only this API (``counterctl terminal serve``, the tests). The use cases are
`services.terminals.TerminalService`, found on ``app.state.terminal_service``.

Authentication, per terminal: ``X-Terminal-Id: <id>`` and ``Authorization: Bearer <token>``
(the token given at registration; only its hash is stored). Every request is answered with
JSON; refusals carry ``{"error": <code>, "detail": <words>}`` and, where the bank systems of
INTEGRATION.md have one, ``"code": <number>`` (701 terminal not registered, 704 no record).

=========================================  ================================================
``GET  /terminal/v1/customers/{no}``       look up a customer (name, arrears, prepayment)
``POST /terminal/v1/payments``             take a payment; the terminal's serial is the key:
                                           the same serial again returns the first answer
``POST /terminal/v1/payments/{serial}/card``  the card was written (or not): R5 twin dispatch
``GET  /terminal/v1/payments/{serial}``    a payment as it stands now
``GET  /terminal/v1/payments/{serial}/receipt``  the receipt rows to print
``GET  /terminal/v1/last-transaction``     末笔交易查询 after a lost reply
``POST /terminal/v1/reversals``            the terminal's reversal (R17 by R15/R16 rules)
=========================================  ================================================

Dispatch of a purchase (R7–R11) runs after the answer is sent (a background task), never
while the terminal waits and never inside the booking's transaction.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from counter_app.core.channel_codes import channel_code
from counter_app.services.bank import ChannelReversalRefused
from counter_app.services.errors import (
    CardCheckFailed,
    InvalidAmount,
    InvalidInput,
    PurchaseStateError,
    ServiceError,
    UnknownCustomer,
)
from counter_app.services.terminals import CardOnTerminal, TerminalRefused, TerminalService

PREFIX = "/terminal/v1"

router = APIRouter(prefix=PREFIX, tags=["terminals"])


class CardIn(BaseModel):
    card_serial: str = Field(min_length=1, max_length=32)
    wallet_count: int = Field(ge=0)
    writeback_pending: bool = False


class PaymentIn(BaseModel):
    serial: str = Field(min_length=1, max_length=32)
    customer_no: str = Field(min_length=1, max_length=32)
    amount_fen: int = Field(gt=0)
    card: CardIn | None = None


class CardResultIn(BaseModel):
    written: bool
    card_serial: str = Field(min_length=1, max_length=32)


class ReversalIn(BaseModel):
    serial: str = Field(min_length=1, max_length=32, description="the payment's serial")
    reversal_serial: str = Field(min_length=1, max_length=32)
    reason: str = Field(min_length=1, max_length=200)


class ApiError(Exception):
    """A refusal as HTTP: status, stable code, words, and the bank systems' number if any."""

    def __init__(self, status: int, error: str, detail: str, code: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.code = code


def _service(request: Request) -> TerminalService:
    service: TerminalService = request.app.state.terminal_service
    return service


def _http(exc: ServiceError) -> ApiError:
    if isinstance(exc, TerminalRefused):
        status = 401 if exc.refusal == "not-authorized" else 409
        status = 404 if exc.refusal == "no-record" else status
        return ApiError(status, exc.refusal, exc.detail, exc.bank_code)
    if isinstance(exc, UnknownCustomer):
        return ApiError(404, exc.code, str(exc))
    if isinstance(exc, ChannelReversalRefused):
        number = channel_code(exc.refusal)
        status = 404 if exc.refusal == "no-record" else 409
        return ApiError(status, exc.refusal, exc.detail, number)
    if isinstance(exc, InvalidAmount | InvalidInput):
        return ApiError(422, exc.code, str(exc))
    if isinstance(exc, CardCheckFailed | PurchaseStateError):
        return ApiError(409, exc.code, str(exc))
    return ApiError(409, exc.code, str(exc))


def terminal_id(
    request: Request,
    x_terminal_id: Annotated[str, Header()] = "",
    authorization: Annotated[str, Header()] = "",
) -> str:
    """The authenticated terminal (401 otherwise)."""
    scheme, _, token = authorization.partition(" ")
    if not x_terminal_id or scheme.lower() != "bearer" or not token:
        raise ApiError(401, "not-authorized", "X-Terminal-Id and a bearer token are required")
    try:
        return _service(request).authenticate(x_terminal_id, token.strip())
    except ServiceError as exc:
        raise _http(exc) from None


TerminalId = Annotated[str, Depends(terminal_id)]


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except ServiceError as exc:
        raise _http(exc) from None


@router.get("/customers/{customer_no}")
def lookup_customer(customer_no: str, request: Request, terminal: TerminalId) -> dict[str, Any]:
    result: dict[str, Any] = _call(_service(request).lookup_customer, customer_no)
    return result


@router.post("/payments")
def take_payment(
    body: PaymentIn, request: Request, terminal: TerminalId, background: BackgroundTasks
) -> dict[str, Any]:
    service = _service(request)
    card = (
        CardOnTerminal(body.card.card_serial, body.card.wallet_count, body.card.writeback_pending)
        if body.card is not None
        else None
    )
    answer: dict[str, Any] = _call(
        service.pay, terminal, body.serial, body.customer_no, body.amount_fen, card=card
    )
    purchase = answer.get("purchase")
    if purchase and not answer.get("card_write") and not answer.get("duplicate"):
        background.add_task(service.dispatch_purchase, int(purchase["id"]), terminal)
    return answer


@router.post("/payments/{serial}/card")
def card_result(
    serial: str,
    body: CardResultIn,
    request: Request,
    terminal: TerminalId,
    background: BackgroundTasks,
) -> dict[str, Any]:
    service = _service(request)
    result: dict[str, Any] = _call(
        service.card_result, terminal, serial, written=body.written, card_serial=body.card_serial
    )
    if result["remote_twin"]:  # R5: the same purchase, same n, also goes remotely
        background.add_task(service.dispatch_purchase, int(result["purchase_id"]), terminal)
    return result


@router.get("/payments/{serial}")
def payment_status(serial: str, request: Request, terminal: TerminalId) -> dict[str, Any]:
    result: dict[str, Any] = _call(_service(request).status, terminal, serial)
    return result


@router.get("/payments/{serial}/receipt")
def receipt(serial: str, request: Request, terminal: TerminalId) -> dict[str, Any]:
    result: dict[str, Any] = _call(_service(request).receipt, terminal, serial)
    return result


@router.get("/last-transaction")
def last_transaction(request: Request, terminal: TerminalId) -> dict[str, Any]:
    result: dict[str, Any] = _call(_service(request).last_transaction, terminal)
    return result


@router.post("/reversals")
def reverse(body: ReversalIn, request: Request, terminal: TerminalId) -> dict[str, Any]:
    done = _call(
        _service(request).reverse,
        terminal,
        body.serial,
        body.reversal_serial,
        reason=body.reason,
    )
    outcome = done.outcome
    return {
        "serial": done.serial,
        "reversal_serial": done.reversal_serial,
        "repeated": done.repeated,
        "case": outcome.case if outcome else None,
        "refund_fen": outcome.refund_fen if outcome else None,
        "purchase_reversed": outcome.purchase_reversed if outcome else None,
        "debit_fen": outcome.debit_fen if outcome else None,
    }


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    body: dict[str, Any] = {"error": exc.error, "detail": exc.detail}
    if exc.code is not None:
        body["code"] = exc.code
    return JSONResponse(body, status_code=exc.status)


def install(app: FastAPI, service: TerminalService) -> None:
    """Mount the terminal API on `app` with the counter's `TerminalService` (built by the
    composition root, ``counter_app.bootstrap``: the server builds no service itself)."""
    app.state.terminal_service = service
    app.add_exception_handler(ApiError, _api_error)
    app.include_router(router)


def create_terminal_app(service: TerminalService) -> FastAPI:
    """An ASGI app serving only the terminal API (the database must be bound already)."""
    app = FastAPI(title="Fee-control counter: terminal API", version="1")
    install(app, service)
    return app
