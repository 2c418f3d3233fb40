"""The real path: PaymentService -> MeterLinkDispatcher -> DL/T 645 over TCP -> simulated meter.

No test double here: the meter simulator (tests.fixtures.meters) speaks DL/T 645-2007 on
127.0.0.1 and enforces the purchase-count rule and the security session (R7, R8, R21).
"""

from __future__ import annotations

from counter_app.bootstrap import MeterLinkDispatcher
from counter_app.config import MeterLinkConfig
from counter_app.services.checks import check_database
from counter_app.services.context import ServiceContext
from counter_app.services.registry import build_services
from counter_app.store.models import Customer, DispatchAttempt, Meter
from meter_link.security import SoftwareSecurityModule, generate_master_key
from tests.fixtures.database import TestDatabase
from tests.fixtures.meters import MeterBus


def _customer(address: str, customer_no: str) -> Customer:
    c = Customer.create(customer_no=customer_no, name="Sim")
    Meter.create(
        customer=c,
        address=address,
        meter_no=address,
        customer_no=customer_no,
        collection_capable=True,
        purchase_mode="remote",
    )
    return c


def test_r7_payment_loads_the_simulated_meter(
    sqlite_db: TestDatabase,
    meter_bus: MeterBus,
) -> None:
    from counter_app.services import auth

    auth.create_user("teller1", "teller1-pass", "teller")
    address = meter_bus.addresses[0]
    customer_no = f"{100000000000 + int(address):012d}"
    c = _customer(address, customer_no)
    dispatcher = MeterLinkDispatcher(
        MeterLinkConfig(url=meter_bus.url), security=meter_bus.security
    )
    services = build_services(ServiceContext(counter_id="SIM", dispatcher=dispatcher))
    steps: list[str] = []
    try:
        out = services.payments.take_payment(
            c.customer_no,
            12_345,
            operator="teller1",
            progress=lambda step, attempt: steps.append(step),
        )
        assert out.dispatch is not None and out.dispatch.state == "loaded", out.explain()
        assert out.dispatch.outcome == "success" and out.dispatch.meter_count == 1
        with meter_bus.simulator.meter(address) as m:
            assert m.purchase_count == 1 and m.balance_fen == 5_000 + 12_345
        assert "recharge" in steps
        probe = dispatcher.probe(address)
        assert (probe.count, probe.last_purchase_fen) == (1, 12_345)
        # a counter with the wrong keys: the meter refuses, a work order opens (R7c, R10)
        wrong = MeterLinkDispatcher(
            MeterLinkConfig(url=meter_bus.url),
            security=SoftwareSecurityModule(generate_master_key()),
        )
        bad = build_services(ServiceContext(counter_id="SIM", dispatcher=wrong))
        out2 = bad.payments.take_payment(c.customer_no, 100, operator="teller1")
        assert out2.dispatch is not None and out2.dispatch.state == "work-order"
        assert out2.dispatch.outcome == "security-refusal"
        assert (
            DispatchAttempt.select().where(DispatchAttempt.purchase == out2.purchase_id).count()
            >= 1
        )
        with meter_bus.simulator.meter(address) as m:
            assert m.purchase_count == 1  # nothing loaded, nothing committed
        wrong.close()
        assert Meter.get(Meter.address == address).committed_count == 1
        assert check_database() == []
    finally:
        dispatcher.close()
