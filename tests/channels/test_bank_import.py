"""Bank collection files booked through R1–R6 (channel bank), idempotent on the bank serial.

The big scenario: a 10,000-line file with repeated lines, serial conflicts, malformed lines,
unknown customers and a wrong trailer. Every line not booked is reported with its number and
reason, nothing of it is booked, the rest is; the same file again books nothing; I1/I2 hold
after each step and after the queued purchases are dispatched. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random

import peewee
import pytest

from counter_app.core.bank_file import LineCode
from counter_app.core.purchase_state import PurchaseState
from counter_app.services.bank import BankCollectionService, BankFileRefused
from counter_app.services.errors import NotAuthorized
from counter_app.store.models import (
    AuditLog,
    BankImportLine,
    Bill,
    ChannelPayment,
    Meter,
    Payment,
    Purchase,
)
from tests.channels.conftest import YESTERDAY, assert_invariants, bank_file, bank_line
from tests.fixtures.database import TestDatabase
from tests.services.conftest import World

CUSTOMERS = 250


def _customers(world: World) -> list[str]:
    """Remote-mode meters, a few card-mode and multi-meter households, some with arrears."""
    numbers = []
    for i in range(CUSTOMERS):
        no = f"BK{i:05d}"
        if i % 25 == 0:
            world.customer(no, meters=2)  # R6: never dispatched directly
        elif i % 10 == 0:
            world.customer(no, remote=False)  # card mode: the money waits for a card
        else:
            world.customer(no)
        numbers.append(no)
    for i in range(0, CUSTOMERS, 7):  # arrears: two bills, the older one settled first (R1)
        world.services.payments.issue_bill(numbers[i], 3000, issued_on=dt.date(2026, 9, 1))
        world.services.payments.issue_bill(numbers[i], 2000, issued_on=dt.date(2026, 10, 1))
    return numbers


def _big_file(numbers: list[str]) -> tuple[bytes, dict[int, LineCode], int, int]:
    """10,000 D lines; returns the file, the injected line problems by line number, the number
    of lines that must be booked and the in-file duplicates."""
    rnd = random.Random(12)
    lines: list[str] = []
    bad: dict[int, LineCode] = {}
    first_lines: dict[str, str] = {}
    good = dups = 0
    while len(lines) < 10_000:
        line_no = len(lines) + 2  # line 1 is the header
        roll = rnd.random()
        if roll < 0.01 and first_lines:
            serial = rnd.choice(sorted(first_lines))
            lines.append(first_lines[serial])  # the same payment again (duplicate)
            dups += 1
            continue
        if roll < 0.015 and first_lines:
            serial = rnd.choice(sorted(first_lines))
            lines.append(bank_line(serial, rnd.choice(numbers), 77))
            bad[line_no] = LineCode.SERIAL_CONFLICT
            continue
        serial = f"ICB{len(lines):07d}"
        if roll < 0.02:
            lines.append(f"D,{serial},{rnd.choice(numbers)},12.50,{YESTERDAY:%Y%m%d}093000,A,O")
            bad[line_no] = LineCode.BAD_AMOUNT
        elif roll < 0.025:
            lines.append(f"D,{serial},{rnd.choice(numbers)},100")
            bad[line_no] = LineCode.MALFORMED
        elif roll < 0.03:
            lines.append(f"D,{serial},{rnd.choice(numbers)},100,2026-11-30,A,O")
            bad[line_no] = LineCode.BAD_TIME
        elif roll < 0.035:
            lines.append(bank_line(serial, f"NOSUCH{len(lines)}", 100))
            bad[line_no] = LineCode.UNKNOWN_CUSTOMER
        else:
            line = bank_line(serial, rnd.choice(numbers), rnd.randint(100, 50_000))
            lines.append(line)
            first_lines[serial] = line
            good += 1
    amounts = sum(int(x.split(",")[3]) for x in lines if x.split(",")[3].isdigit())
    data = bank_file("ICBC01", YESTERDAY, lines, trailer=(len(lines) + 1, amounts))
    bad[len(lines) + 2] = LineCode.TRAILER_MISMATCH
    return data, bad, good, dups


@pytest.mark.slow
def test_ten_thousand_lines_twice(world: World, db: TestDatabase) -> None:
    numbers = _customers(world)
    data, bad, good, dups = _big_file(numbers)
    service = BankCollectionService(world.services.ctx, world.services.reversals)

    report = service.import_bytes(data, file_name="icbc-1130.csv", operator="super1")

    assert report.detail_lines == 10_000
    assert report.booked_count == good
    assert {p.line_no: p.code for p in report.rejected} == bad
    assert report.duplicate_count == dups
    assert all(p.detail for p in report.rejected)
    assert Payment.select().where(Payment.channel == "bank").count() == good
    assert ChannelPayment.select().count() == good
    booked_fen = Payment.select(peewee.fn.SUM(Payment.amount_fen)).scalar()
    assert report.booked_fen == booked_fen
    stored = {
        (x.line_no, x.code)
        for x in BankImportLine.select().where(BankImportLine.status == "rejected")
    }
    assert stored == {(n, c.value) for n, c in bad.items()}
    # nothing of a rejected line was booked: their serials are unknown to the books
    rejected_serials = {p.serial for p in report.rejected if p.code is not LineCode.SERIAL_CONFLICT}
    assert (
        not ChannelPayment.select()
        .where(ChannelPayment.serial.in_(rejected_serials - {""}))
        .exists()
    )
    # R1: oldest bill first; R2: one purchase per remote single-meter customer, queued
    first_bills = Bill.select().where(Bill.issued_on == dt.date(2026, 9, 1))
    assert all(b.outstanding_fen == 0 for b in first_bills)
    assert not Purchase.select().where(Purchase.state != PurchaseState.CREATED).exists()
    assert report.purchases_queued == Purchase.select().count() > 0
    multi = Meter.select().join_from(Meter, Purchase).where(Meter.meter_no.endswith("-1"))
    assert not multi.exists()  # R6: no multi-meter household was dispatched
    assert AuditLog.select().where(AuditLog.action == "take-payment").count() == good
    assert_invariants()

    again = service.import_bytes(data, file_name="icbc-1130.csv", operator="super1")
    assert again.booked_count == 0
    assert again.duplicate_count == good + dups
    assert {p.line_no for p in again.rejected} == set(bad)
    assert Payment.select().count() == good
    assert_invariants()

    dispatch = world.services.dispatch
    for purchase_id in dispatch.queued_purchases():
        dispatch.dispatch_purchase(purchase_id, "worker")
    assert not Purchase.select().where(Purchase.state != PurchaseState.LOADED).exists()
    assert_invariants()


def test_a_file_without_trailer_books_nothing(world: World, db: TestDatabase) -> None:
    world.customer("BK1")
    data = f"H,ICBC01,{YESTERDAY:%Y%m%d}\n{bank_line('S1', 'BK1', 100)}\n".encode()
    service = BankCollectionService(world.services.ctx)
    with pytest.raises(BankFileRefused) as info:
        service.import_bytes(data, file_name="cut.csv", operator="super1")
    assert info.value.field == "trailer"
    assert Payment.select().count() == 0


def test_only_a_supervisor_imports(world: World, db: TestDatabase) -> None:
    world.customer("BK1")
    data = bank_file("ICBC01", YESTERDAY, [bank_line("S1", "BK1", 100)])
    with pytest.raises(NotAuthorized):
        BankCollectionService(world.services.ctx).import_bytes(
            data, file_name="f.csv", operator="teller1"
        )
    assert Payment.select().count() == 0


def test_the_same_serial_from_another_bank_is_another_payment(
    world: World, db: TestDatabase
) -> None:
    world.customer("BK1", remote=False)
    service = BankCollectionService(world.services.ctx)
    for bank in ("ICBC01", "ABC02"):
        data = bank_file(bank, YESTERDAY, [bank_line("S1", "BK1", 100)])
        assert service.import_bytes(data, file_name="f.csv", operator="super1").booked_count == 1
    assert sorted(p.receipt_no for p in Payment.select()) == ["bank-ABC02-S1", "bank-ICBC01-S1"]
    assert_invariants()


def test_two_imports_of_one_file_at_once_book_it_once(world: World, db: TestDatabase) -> None:
    """Two supervisors import the same file at the same moment (two connections): every line
    is booked by exactly one of them, the other finds it booked."""
    import threading

    numbers = [f"TW{i:03d}" for i in range(60)]
    for no in numbers:
        world.customer(no)
    lines = [bank_line(f"S{i:04d}", numbers[(i * 7) % 60], 100 + i) for i in range(600)]
    data = bank_file("ICBC01", YESTERDAY, lines)
    service = BankCollectionService(world.services.ctx, batch_lines=100)
    reports: list[object] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            reports.append(service.import_bytes(data, file_name="same.csv", operator="super1"))
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            from counter_app.store.database import close_database

            close_database()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    booked = sum(r.booked_count for r in reports)  # type: ignore[attr-defined]
    assert booked == 600
    assert sum(r.duplicate_count for r in reports) == 600  # type: ignore[attr-defined]
    assert Payment.select().count() == 600
    assert_invariants()
