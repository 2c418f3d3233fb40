"""Helpers for the service tests: a scripted test-double Dispatcher (allowed for the
services' unit tests; the real DL/T 645 path is tested against the meter simulator elsewhere),
people and customers on the `db` fixture's database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from counter_app.services import auth
from counter_app.services.context import ServiceContext
from counter_app.services.ports import (
    DispatchAttemptReport,
    DispatchOutcome,
    DispatchProgress,
    DispatchReport,
    MeterProbe,
)
from counter_app.services.registry import Services, build_services
from counter_app.store.models import Customer, Meter
from tests.fixtures.database import TestDatabase


class ProcessKilled(BaseException):
    """The counter process died (``kill -9``): no ``except Exception`` of the services runs."""


@dataclass
class FakeMeter:
    count: int = 0
    balance_fen: int = 0
    last_purchase_fen: int | None = None


@dataclass
class ScriptedDispatcher:
    """Behaves like a meter that follows the purchase-count rule (R7/R8) unless told to fail.

    `script` holds outcomes to return for the next dispatches (popped first); "success" and
    "already-loaded" update the fake meter; "lost-reply" loads the meter but raises (the link
    broke after sending, R8); "raise" raises without loading; "killed" and "killed-after-send"
    stop the counter process right after the purchase went ``dispatching`` (before / after the
    meter loaded it), as ``kill -9`` would: nothing after the dispatcher call runs.
    `probe_fails` makes every R8 probe raise (the meter cannot be read).
    """

    meters: dict[str, FakeMeter] = field(default_factory=dict)
    script: list[str] = field(default_factory=list)
    calls: list[tuple[str, int, int]] = field(default_factory=list)
    probe_fails: bool = False

    def meter(self, address: str) -> FakeMeter:
        return self.meters.setdefault(address, FakeMeter())

    def dispatch(
        self,
        meter_address: str,
        customer_no: str,
        amount_fen: int,
        count: int,
        progress: DispatchProgress | None = None,
        *,
        meter_no: str | None = None,
    ) -> DispatchReport:
        self.calls.append((meter_address, amount_fen, count))
        m = self.meter(meter_address)
        if progress is not None:
            progress("channel-test", 1)
        planned = self.script.pop(0) if self.script else "natural"
        if planned == "raise":
            raise ConnectionError("link dropped")
        if planned == "killed":
            raise ProcessKilled()
        if planned == "killed-after-send":
            m.count, m.balance_fen, m.last_purchase_fen = (
                count,
                m.balance_fen + amount_fen,
                amount_fen,
            )
            raise ProcessKilled()
        if planned == "lost-reply":
            m.count, m.balance_fen, m.last_purchase_fen = (
                count,
                m.balance_fen + amount_fen,
                amount_fen,
            )
            raise TimeoutError("no reply after the recharge was sent")
        if planned == "natural":
            if m.count == count - 1:
                planned = DispatchOutcome.SUCCESS
            elif m.count == count and m.last_purchase_fen == amount_fen:
                planned = DispatchOutcome.ALREADY_LOADED
            else:
                planned = DispatchOutcome.COUNT_MISMATCH
        if planned == DispatchOutcome.SUCCESS:
            m.count, m.balance_fen, m.last_purchase_fen = (
                count,
                m.balance_fen + amount_fen,
                amount_fen,
            )
        attempts = tuple(
            DispatchAttemptReport(
                i,
                planned,
                "" if planned in DispatchOutcome.LOADED else "test",
                m.balance_fen,
                m.count,
                {"channel-test": 0.01},
                dt.datetime(2026, 1, 1),
                10,
            )
            for i in range(1, (1 if planned in DispatchOutcome.LOADED else 3) + 1)
        )
        return DispatchReport(
            planned,
            "" if planned in DispatchOutcome.LOADED else "test",
            m.balance_fen,
            m.count,
            attempts,
        )

    def probe(self, meter_address: str) -> MeterProbe:
        if self.probe_fails:
            raise ConnectionRefusedError("meter link refused")
        m = self.meter(meter_address)
        return MeterProbe(m.balance_fen, m.count, m.last_purchase_fen)


@dataclass
class World:
    services: Services
    dispatcher: ScriptedDispatcher

    def customer(
        self,
        customer_no: str = "C001",
        *,
        meters: int = 1,
        remote: bool = True,
        capable: bool = True,
        card_meter: bool = True,
        phone: str = "13800000000",
    ) -> Customer:
        c = Customer.create(
            customer_no=customer_no,
            name=f"Customer {customer_no}",
            phone=phone,
            sms_subscribed=bool(phone),
        )
        for i in range(meters):
            address = f"{abs(hash(customer_no)) % 10**9:09d}{i:03d}"
            Meter.create(
                customer=c,
                address=address,
                meter_no=f"M{customer_no}-{i}",
                customer_no=f"{int(c.id):012d}",
                is_card_meter=card_meter,
                collection_capable=capable,
                purchase_mode="remote" if remote else "card",
            )
        return c


@pytest.fixture
def people(db: TestDatabase) -> None:
    auth.create_user("teller1", "teller1-pass", "teller")
    auth.create_user("teller2", "teller2-pass", "teller")
    auth.create_user("super1", "super1-pass", "supervisor")
    auth.create_user("tech1", "tech1-pass", "technician")


@pytest.fixture
def world(db: TestDatabase, people: None) -> Iterator[World]:
    dispatcher = ScriptedDispatcher()
    ctx = ServiceContext(counter_id="T1", dispatcher=dispatcher)
    yield World(build_services(ctx), dispatcher)
