"""The terminal API over real HTTP (uvicorn on 127.0.0.1, httpx): authentication per
terminal, payments idempotent on the terminal's serial, receipt and last-transaction query,
the card purchase with its remote twin (R5), the terminal's reversal (R17 by R15/R16), and a
terminal paying while the counter pays the same customer. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from counter_app.core.purchase_state import PurchaseState
from counter_app.store.models import Customer, Meter, Payment, Purchase
from tests.channels.conftest import TerminalApi, assert_invariants
from tests.fixtures.database import TestDatabase

PAY = "/terminal/v1/payments"


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def settled() -> bool:
    """No purchase is on its way any more (background dispatches done)."""
    busy = [PurchaseState.CREATED.value, PurchaseState.DISPATCHING.value]
    return (
        not Purchase.select()
        .where(Purchase.state.in_(busy) & (Purchase.route == "remote"))
        .exists()
    )


def test_terminal_authentication(terminal_api: TerminalApi, db: TestDatabase) -> None:
    terminal_api.world.customer("TM1")
    with terminal_api.client(token="wrong") as c:
        r = c.get("/terminal/v1/customers/TM1")
        assert r.status_code == 401 and r.json()["code"] == 701
    with terminal_api.client(terminal_id="ATM99") as c:
        assert c.get("/terminal/v1/customers/TM1").status_code == 401
    with terminal_api.client() as c:
        r = c.get("/terminal/v1/customers/TM1")
        assert r.status_code == 200 and r.json()["name"] == "Customer TM1"
        assert c.get("/terminal/v1/customers/NOBODY").status_code == 404


def test_a_repeated_serial_returns_the_first_answer(
    terminal_api: TerminalApi, db: TestDatabase
) -> None:
    terminal_api.world.customer("TM1")
    with terminal_api.client() as c:
        first = c.post(PAY, json={"serial": "A0001", "customer_no": "TM1", "amount_fen": 5000})
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["duplicate"] is False and body["purchase"]["count"] == 1
        again = c.post(PAY, json={"serial": "A0001", "customer_no": "TM1", "amount_fen": 5000})
        assert again.status_code == 200
        assert {**again.json(), "duplicate": False} == body and again.json()["duplicate"] is True
        conflict = c.post(PAY, json={"serial": "A0001", "customer_no": "TM1", "amount_fen": 6000})
        assert conflict.status_code == 409 and conflict.json()["error"] == "serial-conflict"
        bad = c.post(PAY, json={"serial": "A0002", "customer_no": "TM1", "amount_fen": 0})
        assert bad.status_code == 422
        assert Payment.select().count() == 1
        wait_until(settled)
        receipt = c.get(f"{PAY}/A0001/receipt").json()
        labels = dict((k, v) for k, v in receipt["lines"])
        assert labels["缴费方式"] == "自助终端" and labels["下发结果"] == "远程下发成功"
        last = c.get("/terminal/v1/last-transaction").json()
        assert last["serial"] == "A0001" and last["purchase_state"] == "loaded"
    assert_invariants()


def test_terminal_reversal_follows_r15(terminal_api: TerminalApi, db: TestDatabase) -> None:
    terminal_api.world.customer("TM1")
    terminal_api.world.customer("TM2", remote=False)
    with terminal_api.client() as c:
        c.post(PAY, json={"serial": "B1", "customer_no": "TM1", "amount_fen": 3000})
        c.post(PAY, json={"serial": "B2", "customer_no": "TM2", "amount_fen": 2000})
        wait_until(settled)
        r = c.post(
            "/terminal/v1/reversals",
            json={"serial": "B1", "reversal_serial": "RB1", "reason": "no receipt printed"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["case"] == "payment-only" and r.json()["debit_fen"] == 3000
        r = c.post(
            "/terminal/v1/reversals",
            json={"serial": "B2", "reversal_serial": "RB2", "reason": "cancel"},
        )
        assert r.json()["case"] == "payment-no-purchase"
        r = c.post(
            "/terminal/v1/reversals",
            json={"serial": "B2", "reversal_serial": "RB2", "reason": "cancel"},
        )
        assert r.json()["repeated"] is True
        r = c.post(
            "/terminal/v1/reversals", json={"serial": "B9", "reversal_serial": "RB9", "reason": "x"}
        )
        assert r.status_code == 404 and r.json()["code"] == 704
    assert Customer.get(Customer.customer_no == "TM2").prepayment_fen == 0
    assert_invariants()


def test_card_purchase_at_the_terminal_and_its_remote_twin(
    terminal_api: TerminalApi, db: TestDatabase
) -> None:
    customer = terminal_api.world.customer("TM1")
    Meter.update(card_serial="C0000042").where(Meter.customer == customer.id).execute()
    card = {"card_serial": "000000000C0000042", "wallet_count": 0}
    with terminal_api.client() as c:
        refused = c.post(
            PAY,
            json={
                "serial": "K0",
                "customer_no": "TM1",
                "amount_fen": 100,
                "card": {**card, "wallet_count": 3},
            },
        )
        assert refused.status_code == 409 and refused.json()["error"] == "card-count"
        assert Payment.select().count() == 0  # nothing booked for a card that does not fit
        r = c.post(
            PAY, json={"serial": "K1", "customer_no": "TM1", "amount_fen": 8000, "card": card}
        )
        assert r.status_code == 200, r.text
        ticket = r.json()["card_write"]
        assert ticket["count"] == 1 and ticket["amount_fen"] == 8000 and ticket["remote_twin"]
        purchase = Purchase.get_by_id(ticket["purchase_id"])
        assert purchase.state == PurchaseState.CARD_WRITING  # R16: no reversal now
        r = c.post(f"{PAY}/K1/card", json={"written": True, "card_serial": card["card_serial"]})
        assert r.status_code == 200 and r.json()["state"] == "card-written"
        # R5: the same purchase, same n, dispatched remotely too; the meter loads it once
        wait_until(lambda: Purchase.get_by_id(ticket["purchase_id"]).state == PurchaseState.LOADED)
    meter = Meter.get(Meter.customer == customer.id)
    assert meter.committed_count == 1
    assert terminal_api.world.dispatcher.calls == [(meter.address, 8000, 1)]
    assert_invariants()


@pytest.mark.slow
def test_terminal_and_counter_pay_the_same_customer(
    terminal_api: TerminalApi, db: TestDatabase
) -> None:
    customer = terminal_api.world.customer("TM1")
    meter = Meter.get(Meter.customer == customer.id)
    rounds = 15
    errors: list[BaseException] = []

    def terminal() -> None:
        try:
            with terminal_api.client() as c:
                for i in range(rounds):
                    r = c.post(
                        PAY, json={"serial": f"T{i}", "customer_no": "TM1", "amount_fen": 100 + i}
                    )
                    assert r.status_code == 200, r.text
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=terminal)
    thread.start()
    payments = terminal_api.world.services.payments
    for i in range(rounds):
        payments.take_payment("TM1", 1000 + i, operator="teller1")
    thread.join(timeout=60)
    assert not errors, errors
    wait_until(settled)
    # sweep what waited in prepayment while a purchase was pending
    payments.take_payment("TM1", 1, operator="teller1")
    wait_until(settled)

    assert Payment.select().count() == 2 * rounds + 1
    paid = sum(100 + i for i in range(rounds)) + sum(1000 + i for i in range(rounds)) + 1
    counts = [
        p.count for p in Purchase.select().where(Purchase.meter == meter.id).order_by(Purchase.id)
    ]
    assert counts == sorted(set(counts)) == list(range(1, len(counts) + 1))  # strictly increasing
    loaded = Purchase.select().where(Purchase.state == PurchaseState.LOADED)
    assert (
        sum(p.amount_fen for p in loaded) + Customer.get_by_id(customer.id).prepayment_fen == paid
    )
    assert Meter.get_by_id(meter.id).committed_count == len(counts)
    assert_invariants()


def test_card_mode_meter_gets_its_purchase_by_card_only(
    terminal_api: TerminalApi, db: TestDatabase
) -> None:
    customer = terminal_api.world.customer("TM1", remote=False)
    Meter.update(card_serial="C0000077").where(Meter.customer == customer.id).execute()
    card = {"card_serial": "C0000077", "wallet_count": 0}
    with terminal_api.client() as c:
        r = c.post(
            PAY, json={"serial": "M1", "customer_no": "TM1", "amount_fen": 4200, "card": card}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["purchase"] is None and body["route"] == "card"  # R2: no remote dispatch
        ticket = body["card_write"]
        assert ticket["amount_fen"] == 4200 and ticket["count"] == 1 and not ticket["remote_twin"]
        r = c.post(f"{PAY}/M1/card", json={"written": True, "card_serial": "C0000077"})
        assert r.json()["state"] == "card-written" and r.json()["remote_twin"] is False
        pending = c.post(
            PAY,
            json={
                "serial": "M2",
                "customer_no": "TM1",
                "amount_fen": 100,
                "card": {**card, "wallet_count": 0, "writeback_pending": True},
            },
        )
        assert (
            pending.status_code == 409 and pending.json()["error"] == "previous-not-loaded"
        )  # R12a
    assert terminal_api.world.dispatcher.calls == []
    assert Customer.get_by_id(customer.id).prepayment_fen == 0
    assert_invariants()
