"""Fixtures of the back-office tests (shifts, success board, audit, users).

`office` is a counter's services on the `db` fixture (SQLite and PostgreSQL) with the demo
people, and customers whose meters are card-mode (payments stay in prepayment, no dispatch):
the shift ledger is about money at the counter, not meters. Views are tested against real
meters elsewhere in this package (``meter_bus``).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from counter_app.services import auth
from counter_app.services.auth import SignedInUser
from counter_app.services.context import ServiceContext
from counter_app.services.registry import Services, build_services
from counter_app.store.models import Customer, Meter
from tests.fixtures.database import TestDatabase
from tests.ui.conftest import counter_look

__all__ = ["counter_look"]  # the CJK font and style sheet, as the app sets them (autouse)

PEOPLE = (
    ("teller1", "teller1-pass", "teller"),
    ("teller2", "teller2-pass", "teller"),
    ("super1", "super1-pass", "supervisor"),
    ("tech1", "tech1-pass", "technician"),
    ("admin", "admin-pass", "admin"),
)


@dataclass
class Office:
    services: Services
    users: dict[str, SignedInUser]

    def services_at(self, counter_id: str) -> Services:
        """The services of another counter on the same database."""
        return build_services(ServiceContext(counter_id=counter_id))

    def customer(self, customer_no: str) -> Customer:
        c = Customer.create(customer_no=customer_no, name=f"Customer {customer_no}")
        Meter.create(
            customer=c,
            address=f"{int(c.id):012d}",
            meter_no=f"M{customer_no}",
            customer_no=f"{int(c.id):012d}",
            purchase_mode="card",
        )
        return c


@pytest.fixture
def office(db: TestDatabase) -> Iterator[Office]:
    users = {name: auth.create_user(name, pw, role) for name, pw, role in PEOPLE}
    yield Office(build_services(ServiceContext(counter_id="C1")), users)


# -- views against the real services on a simulated meter bus --------------------------------

WAIT_MS = 20_000


@dataclass
class ViewEnv:
    """A counter's back office on the `sqlite_db` database and the `meter_bus` simulators.

    Each meter of the bus belongs to one remote-mode customer (``V1``, ``V2``, ``V3``, with
    the meter's own customer number), so payments are dispatched by the real DL/T 645 path.
    """

    ctx: Any
    services: Services
    bus: Any
    users: dict[str, SignedInUser]
    customers: list[str]
    tmp: Path


@pytest.fixture
def view_env(
    sqlite_db: TestDatabase, meter_bus: Any, tmp_path: Path, qapp: Any
) -> Iterator[ViewEnv]:
    from counter_app.bootstrap import MeterLinkDispatcher
    from counter_app.config import MeterLinkConfig
    from counter_app.ui.backoffice.context import BackOfficeContext
    from counter_app.ui.workers import Workers
    from meter_link.client import Dlt645Client
    from tests.fixtures.meters import FAST_TIMEOUTS

    dispatcher = MeterLinkDispatcher(
        MeterLinkConfig(url=meter_bus.url),
        security=meter_bus.security,
        client_factory=lambda url: Dlt645Client(url, timeouts=FAST_TIMEOUTS),
    )
    services = build_services(ServiceContext(counter_id="T1", dispatcher=dispatcher))
    users = {name: auth.create_user(name, pw, role) for name, pw, role in PEOPLE}
    customers = []
    for i, address in enumerate(meter_bus.addresses, start=1):
        with meter_bus.simulator.meter(address) as m:
            meter_customer_no = m.customer_no
        c = Customer.create(customer_no=f"V{i}", name=f"客户{i} Customer {i}")
        Meter.create(
            customer=c,
            address=address,
            meter_no=address,
            customer_no=meter_customer_no,
            collection_capable=True,
            purchase_mode="remote",
        )
        customers.append(str(c.customer_no))
    workers = Workers()
    ctx = BackOfficeContext(services=services, counter_id="T1", workers=workers, data_dir=tmp_path)
    yield ViewEnv(ctx, services, meter_bus, users, customers, tmp_path)
    workers.shutdown()
    dispatcher.close()
