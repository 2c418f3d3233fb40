#!/usr/bin/env python3
"""Render the technician guide's screenshots of the back office, offscreen, into docs/images/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/backoffice_screenshots.py [--out docs/images]

Runs on the embedded demo devices (a fresh demo database, the simulated meter bus, the
virtual card in pcscd when available) in a temporary directory, signs in as the demo
technician, makes a few dispatches fail on the simulated bus (the meter does not answer;
another meter's count is off), and walks through the back office: the work-order queue with
a live retry and its history, the card workbench reading a card that came back from its
meter (R13), and the SMS outbox. Chinese is drawn with the application's CJK font.
Images: ``backoffice-work-orders.png``, ``backoffice-card-workbench.png``,
``backoffice-outbox.png``, ``backoffice-work-orders-en.png``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def settle(seconds: float = 0.3) -> None:
    deadline = time.monotonic() + seconds
    wait_until(lambda: time.monotonic() > deadline, seconds + 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"))
    parser.add_argument(
        "--no-card", action="store_true", help="without the virtual card (its images skipped)"
    )
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from card_io.meter_card import insert_card
    from counter_app.app import context_from_counter
    from counter_app.embedded import start_embedded
    from counter_app.services import auth, notifications
    from counter_app.services.sms_gateways import HttpSmsGateway
    from counter_app.ui.backoffice.window import back_office_for
    from counter_app.ui.resources import Language, register_cjk_font, style_sheet
    from counter_app.ui.workers import DeviceEvents, Workers
    from scripts.field_meters import prepare_meters, restart_meter_bus, set_meter

    app = QApplication(sys.argv[:1])
    register_cjk_font()
    app.setStyleSheet(style_sheet())
    language = Language()
    language.install("zh_CN")
    tmp = Path(tempfile.mkdtemp(prefix="backoffice-shots-"))
    # three failed dispatches (R7-R9): two silent meters (a power cut), and one whose
    # purchase count is off — set so in the field before the counter starts
    silent = ("000000000001", "000000000008")
    miscounted = "000000000002"
    counts: dict[str, int] = {}

    def count_off(simulator: object) -> None:
        with simulator.meter(miscounted) as meter:  # type: ignore[attr-defined]
            counts[miscounted], meter.purchase_count = meter.purchase_count, 7

    prepare_meters(tmp / "demo", count_off)
    devices = start_embedded(
        tmp / "demo",
        with_card=not args.no_card,
        meter_faults=[f"{address}=no-reply*all" for address in silent],
    )
    context = context_from_counter(
        devices.counter,
        reader_name=devices.reader_name,
        card_crypto=devices.card_crypto,
        with_card=devices.card is not None,
        embedded=devices,
    )
    workers = Workers()
    events = DeviceEvents()
    saved: list[str] = []

    def grab(widget: object, name: str) -> None:
        widget.grab().save(str(out / name))  # type: ignore[attr-defined]
        saved.append(name)

    try:
        services = devices.counter.services
        sim = devices.simulator
        services.payments.take_payment("100000000001", 6_000, operator="teller1")
        services.payments.take_payment("100000000007", 12_000, operator="teller1")
        services.payments.take_payment("100000000002", 25_000, operator="teller2")
        # the power is back at the first meter and the count of the third is put right on
        # site; the second meter stays silent
        restart_meter_bus(
            devices,
            faults=[f"{silent[1]}=no-reply*all"],
            edit=set_meter(miscounted, purchase_count=counts[miscounted]),
        )

        user = auth.sign_in("tech1", "tech1-pass", counter_id=context.counter_id)
        window = back_office_for(context, user, workers, events)
        window.resize(1366, 768)
        window.show()

        # 1. the queue; the first order retried live (the meter answers again): loaded
        orders = window.tab("work-orders")
        wait_until(lambda: not orders.loading and len(orders.orders) == 3)
        orders.table.selectRow(0)
        wait_until(lambda: orders.history is not None)
        orders.retry_selected()
        wait_until(lambda: orders.last_summary is not None and not orders.busy)
        wait_until(lambda: not orders.loading and len(orders.orders) == 2)
        orders.table.selectRow(0)
        wait_until(lambda: orders.history is not None and orders.history.order.id != 1)
        orders.note.setText("电表停电，现场无法恢复")
        settle(0.5)
        grab(window, "backoffice-work-orders.png")
        orders.close_selected_failed()
        wait_until(lambda: orders.last_closed is not None and not orders.busy)

        # 2. the card workbench: the demo card went through its meter (write-back, R13)
        bench = window.tab("card-workbench")
        window.show_tab("card-workbench")
        if devices.card is not None:
            with sim.meter("000000000005") as meter:
                insert_card(
                    devices.card,
                    meter,
                    dt.datetime.now().replace(microsecond=0),
                    devices.card_crypto,
                )
            bench.read_card()
            wait_until(lambda: bench.inspection is not None and not bench.busy)
        settle(0.5)
        grab(window, "backoffice-card-workbench.png")

        # 3. the outbox: success and "bring your card" messages; one round sent
        outbox = window.tab("outbox")
        window.show_tab("outbox")
        outbox.send_now()
        wait_until(lambda: outbox.last_drain is not None and not outbox.busy)
        # a new message, and one tried while the SMS platform was down (retried, R11)
        services.payments.take_payment("100000000001", 3_000, operator="teller1")
        services.payments.take_payment("100000000002", 5_000, operator="teller2")
        notifications.drain_outbox(HttpSmsGateway("http://127.0.0.1:9/sms", timeout=2), limit=1)
        outbox.refresh()
        wait_until(lambda: not outbox.loading and outbox.refreshes >= 2)
        settle(0.5)
        grab(window, "backoffice-outbox.png")

        # 4. the same queue in English
        language.install("en")
        window.close()
        window = back_office_for(context, user, workers, events)
        window.resize(1366, 768)
        window.show()
        orders = window.tab("work-orders")
        orders.show_closed.setChecked(True)
        wait_until(lambda: not orders.loading and len(orders.orders) == 3)
        orders.select_order(1)
        wait_until(lambda: orders.history is not None and orders.history.order.id == 1)
        settle(0.5)
        grab(window, "backoffice-work-orders-en.png")
        window.close()
    finally:
        workers.shutdown()
        context.close()
        shutil.rmtree(tmp, ignore_errors=True)
    for name in saved:
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
