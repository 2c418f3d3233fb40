"""Every non-final purchase state has a way out, from the shell and from the window's services.

The test walks `counter_app.core.purchase_state`: each state that is not final must be listed in
`counter_app.services.recovery.WAYS_OUT`, each listed way must cause events the state machine
allows and name a service method that exists; then a real purchase is driven into each state
(against the DL/T 645 meter simulator on loopback) and the way out is taken with ``counterctl``
in a subprocess — the purchase must leave that state for a loaded, retry-path (work order) or
card state. No state is a dead end (R8, R10, R12, R13).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from counter_app.core.purchase_state import FINAL, PurchaseState, legal_events
from counter_app.services import auth
from counter_app.services.cards import CardService
from counter_app.services.context import ServiceContext
from counter_app.services.dispatching import DispatchService
from counter_app.services.payments import PaymentService
from counter_app.services.recovery import WAYS_OUT, RecoveryService
from counter_app.services.registry import build_services
from counter_app.services.reversals import ReversalService
from counter_app.services.work_orders import WorkOrderService
from counter_app.store.models import Customer, Meter, Purchase
from meter_link.client import Dlt645Client
from meter_link.security import write_key_file
from meter_link.simulator.faults import Fault, FaultKind
from tests.fixtures.database import TestDatabase
from tests.fixtures.meters import FAST_TIMEOUTS, MeterBus
from tests.fixtures.pcsc import (
    SLOT_READERS,
    TEST_CUSTOMER_NO,
    TEST_METER_NO,
    CardFactory,
    insert,
    remove,
)

COUNTERCTL = Path(sys.prefix) / "bin" / "counterctl"
SERVICES = {
    "RecoveryService": RecoveryService,
    "CardService": CardService,
    "DispatchService": DispatchService,
    "ReversalService": ReversalService,
    "WorkOrderService": WorkOrderService,
    "PaymentService": PaymentService,
}


def test_every_non_final_state_is_listed_with_legal_events_and_real_services() -> None:
    for state in PurchaseState:
        if state in FINAL:
            assert state not in WAYS_OUT
            continue
        ways = WAYS_OUT[state]
        assert ways, f"{state} has no way out"
        for way in ways:
            assert way.events <= legal_events(state), (state, way.events)
            for name in way.service.split(" | "):
                cls, _, method = name.partition(".")
                assert callable(getattr(SERVICES[cls], method)), name
            assert way.shell.startswith(("counterctl ", "card-tool ")) and way.window


def _customer(address: str, *, mode: str = "remote") -> Customer:
    customer_no = f"{100000000000 + int(address):012d}"
    c = Customer.create(customer_no=customer_no, name=f"Sim {address}")
    Meter.create(
        customer=c,
        address=address,
        meter_no=address,
        customer_no=customer_no,
        collection_capable=True,
        purchase_mode=mode,
    )
    return c


@pytest.fixture
def shell(tmp_path: Path, db: TestDatabase, meter_bus: MeterBus):  # type: ignore[no-untyped-def]
    key_file = tmp_path / "meter.key"
    write_key_file(key_file, meter_bus.master_key)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_")}
    env.update(
        {
            "COUNTER_DATA_DIR": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "COUNTER_METER_LINK": meter_bus.url,
            "COUNTER_METER_KEY_FILE": str(key_file),
        }
    )

    def run(*args: str) -> dict:  # type: ignore[type-arg]
        operator = args[args.index("--operator") + 1] if "--operator" in args else ""
        done = subprocess.run(
            [str(COUNTERCTL), "--db", db.url, "--json", *args],
            input=f"{operator}-pass\n" if operator else "",
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    return run


def test_each_state_left_from_the_shell(shell, db: TestDatabase, meter_bus: MeterBus) -> None:  # type: ignore[no-untyped-def]
    from counter_app.bootstrap import MeterLinkDispatcher
    from counter_app.config import MeterLinkConfig

    auth.create_user("teller1", "teller1-pass", "teller")
    auth.create_user("tech1", "tech1-pass", "technician")
    meter_bus.simulator.populate(2, first=4)
    a, b, c, d, e = meter_bus.addresses[:5]
    for address in (a, b, c):
        _customer(address)
    card_customers = [_customer(address, mode="card") for address in (d, e)]
    dispatcher = MeterLinkDispatcher(
        MeterLinkConfig(url=meter_bus.url),
        security=meter_bus.security,
        client_factory=lambda url: Dlt645Client(url, timeouts=FAST_TIMEOUTS),
    )
    services = build_services(ServiceContext(counter_id="W1", dispatcher=dispatcher))

    def pay(address: str) -> int:
        out = services.payments.take_payment(
            f"{100000000000 + int(address):012d}", 1_000, operator="teller1", dispatch=False
        )
        return int(out.purchase_id or 0)

    def state(pid: int) -> str:
        return str(Purchase.get_by_id(pid).state)

    seen: dict[str, str] = {}
    try:
        created = pay(a)
        dispatching = pay(b)
        services.dispatch._start(dispatching, "teller1")  # the counter dies right after this
        failed = pay(c)
        meter_bus.simulator.inject(c, Fault(FaultKind.NO_REPLY, times=None))
        services.dispatch.dispatch_purchase(failed, "teller1", open_work_order=False)
        meter_bus.simulator.clear_faults()
        tickets = []
        for customer in card_customers:
            services.payments.take_payment(customer.customer_no, 1_000, operator="teller1")
            tickets.append(
                services.cards.begin_card_write(
                    customer.meters[0].address, operator="teller1", card_serial="S1", card_count=0
                )
            )
        written = tickets[1].purchase_id
        services.cards.confirm_card_write(written, operator="teller1", card_serial="S1")
        assert [state(p) for p in (created, dispatching, failed)] == [
            "created",
            "dispatching",
            "failed",
        ]
        assert state(tickets[0].purchase_id) == "card-writing" and state(written) == "card-written"

        # created, dispatching and failed: `counterctl resume`
        shell("resume", "--operator", "teller1")
        seen["created"] = state(created)
        seen["dispatching"] = state(dispatching)
        seen["failed"] = state(failed)
        # work-order: `counterctl work-order retry`
        orders = shell("work-order", "list")
        order = next(o for o in orders if o["purchase_id"] == dispatching)
        shell("work-order", "retry", str(order["id"]), "--operator", "tech1")
        seen["work-order"] = state(dispatching)
        # card-written: `counterctl purchase dispatch` (R5: the remote twin of the card)
        shell("purchase", "dispatch", str(written), "--operator", "teller1")
        seen["card-written"] = state(written)
        # card-writing: reading the card needs the reader (the PC/SC test below); the
        # command is there, and the service it calls settles the write (R12)
        listing = shell("purchase", "list")
        assert [p["state"] for p in listing] == ["work-order", "card-writing"]
        assert "retry" in listing[0]["next_step"] and listing[0]["work_order_id"]
        assert "read the card again" in listing[1]["next_step"]
        seen["card-writing"] = services.cards.settle_card_write(
            tickets[0].purchase_id, "unchanged", operator="teller1"
        )
    finally:
        dispatcher.close()
    assert seen == {
        "created": "loaded",
        "dispatching": "work-order",  # the meter was at n-1: back to the retry path (R10)
        "failed": "work-order",
        "work-order": "loaded",
        "card-written": "loaded",
        "card-writing": "created",
    }
    assert {s.value for s in PurchaseState if s not in FINAL} == set(seen)
    help_text = subprocess.run(
        [str(COUNTERCTL), "card", "settle", "--help"], capture_output=True, text=True, timeout=60
    )
    assert help_text.returncode == 0 and "R12" in help_text.stdout
    from counter_app.services.checks import check_database

    assert check_database() == []


@pytest.mark.pcsc
def test_card_writing_left_from_the_shell_by_reading_the_card(
    sqlite_db: TestDatabase, virtual_card_factory: CardFactory, tmp_path: Path
) -> None:
    """R12 from the shell: ``counterctl card settle`` reads the card in the reader again; a
    card carrying the purchase makes it card-written, an unchanged card sends it back to
    created — nothing is written to the card."""
    auth.create_user("teller1", "teller1-pass", "teller")
    services = build_services(ServiceContext(counter_id="W2"))
    c = Customer.create(customer_no=TEST_CUSTOMER_NO, name="Card")
    Meter.create(
        customer=c,
        address=TEST_METER_NO,
        meter_no=TEST_METER_NO,
        customer_no=TEST_CUSTOMER_NO,
        collection_capable=False,
        purchase_mode="card",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_")}
    env.update({"COUNTER_DATA_DIR": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path)})

    def settle(pid: int) -> dict:  # type: ignore[type-arg]
        done = subprocess.run(
            [
                *(str(COUNTERCTL), "--db", sqlite_db.url, "--json", "card", "settle", str(pid)),
                *("--operator", "teller1", "--reader", SLOT_READERS[0]),
            ],
            input="teller1-pass\n",
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    services.payments.take_payment(TEST_CUSTOMER_NO, 1_000, operator="teller1")
    ticket = services.cards.begin_card_write(
        TEST_METER_NO, operator="teller1", card_serial="S1", card_count=0
    )
    unchanged = virtual_card_factory(amount_fen=0, count=0)
    insert(unchanged)
    assert settle(ticket.purchase_id) == {
        "card": "unchanged",
        "purchase_id": ticket.purchase_id,
        "state": "created",
    }
    remove(unchanged)
    ticket = services.cards.begin_card_write(
        TEST_METER_NO,
        operator="teller1",
        card_serial="S1",
        card_count=0,
        purchase_id=ticket.purchase_id,
    )
    written = virtual_card_factory(amount_fen=1_000, count=1)
    insert(written)
    assert settle(ticket.purchase_id)["state"] == "card-written"
    assert Purchase.get_by_id(ticket.purchase_id).state == "card-written"
