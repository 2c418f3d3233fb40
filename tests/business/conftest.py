"""Fixtures of the business-change tests: a hall on the `db` database (SQLite and PostgreSQL)
whose meters are simulated DL/T 645 meters on loopback (`meter_bus`), reached through the
real meter link (`bootstrap.MeterLinkDispatcher`), with the people who file and review.

Customer ``100000000001`` owns meter ``000000000001`` (50.00 yuan in it, count 0, remote
mode); ``100000000002`` owns ``000000000002``. New meters for installations and
replacements are put on the bus by the tests themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from counter_app.services import auth
from counter_app.services.auth import SignedInUser
from counter_app.services.checks import check_database
from counter_app.services.context import ServiceContext
from counter_app.services.registry import Services, build_services
from counter_app.store.models import Customer, Meter
from tests.fixtures.database import TestDatabase
from tests.fixtures.meters import MeterBus

PEOPLE = (
    ("teller1", "teller1-pass", "teller"),
    ("super1", "super1-pass", "supervisor"),
    ("super2", "super2-pass", "supervisor"),
    ("tech1", "tech1-pass", "technician"),
    ("admin", "admin-pass", "admin"),
)


@dataclass
class Hall:
    services: Services
    bus: MeterBus
    users: dict[str, SignedInUser]
    dispatcher: Any

    def sim(self, address: str) -> Any:
        """The simulated meter itself (use as a context manager)."""
        return self.bus.simulator.meter(address)

    def new_meter_on_bus(self, address: str, *, count: int = 0, opened: bool = True) -> None:
        self.bus.add_meter(
            address,
            "000000000000" if not opened else "100000000001",
            purchase_count=count,
            opened=opened,
        )

    def assert_invariants(self) -> None:
        """I1 and I2 over the whole database."""
        assert [str(b) for b in check_database()] == []


def make_hall(bus: MeterBus, counter_id: str = "B1") -> tuple[Services, Any]:
    from counter_app.bootstrap import MeterLinkDispatcher
    from counter_app.config import MeterLinkConfig
    from meter_link.client import Dlt645Client
    from tests.fixtures.meters import FAST_TIMEOUTS

    dispatcher = MeterLinkDispatcher(
        MeterLinkConfig(url=bus.url),
        security=bus.security,
        client_factory=lambda url: Dlt645Client(url, timeouts=FAST_TIMEOUTS),
    )
    return build_services(ServiceContext(counter_id=counter_id, dispatcher=dispatcher)), dispatcher


def seed_customers(bus: MeterBus, how_many: int = 2) -> list[Customer]:
    customers = []
    for address in bus.addresses[:how_many]:
        with bus.simulator.meter(address) as m:
            in_meter = m.customer_no
        c = Customer.create(
            customer_no=in_meter,
            name=f"客户 {in_meter[-2:]}",
            phone="13800000000",
            sms_subscribed=True,
        )
        Meter.create(
            customer=c,
            address=address,
            meter_no=address,
            customer_no=in_meter,
            collection_capable=True,
            purchase_mode="remote",
        )
        customers.append(c)
    return customers


def _hall(bus: MeterBus) -> Iterator[Hall]:
    users = {name: auth.create_user(name, pw, role) for name, pw, role in PEOPLE}
    services, dispatcher = make_hall(bus)
    seed_customers(bus)
    yield Hall(services, bus, users, dispatcher)
    dispatcher.close()


@pytest.fixture
def hall(db: TestDatabase, meter_bus: MeterBus) -> Iterator[Hall]:
    """The hall on both engines."""
    yield from _hall(meter_bus)


@pytest.fixture
def sqlite_hall(sqlite_db: TestDatabase, meter_bus: MeterBus) -> Iterator[Hall]:
    """The hall on SQLite only (the window's tests: the engine is not what they test)."""
    yield from _hall(meter_bus)
