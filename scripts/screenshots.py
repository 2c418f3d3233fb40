#!/usr/bin/env python3
"""Render the teller guide's screenshots of the real window, offscreen, into docs/images/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out docs/images]

Runs the counter on the embedded demo devices (a fresh demo database, the simulated meters
and the collection system on loopback, the virtual card in pcscd when available) in a
temporary directory, signs in as the demo teller, and walks through the common path — find,
pay, dispatch, receipt, card write, reversal, a dispatch whose result is not yet known
(下发中) — grabbing each window as it appears. One demo meter (赵敏's) is made slow so
that its result comes after the window stops following the task live. Chinese text is drawn
with the same CJK font the application registers, so the images are legible on a machine
without Chinese fonts configured for Qt.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
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

    from counter_app.app import context_from_counter
    from counter_app.embedded import start_embedded
    from counter_app.services import auth
    from counter_app.services.receipts import PaperSize, render_receipt
    from counter_app.ui.main_window import MainWindow
    from counter_app.ui.resources import Language, register_cjk_font, style_sheet
    from counter_app.ui.self_check import (
        CheckPanel,
        check_database,
        check_meter_link,
        check_pcsc,
        check_station,
        local_checks,
    )
    from counter_app.ui.signin import SignInDialog
    from counter_app.ui.workers import DeviceEvents, Workers

    app = QApplication(sys.argv[:1])
    register_cjk_font()
    app.setStyleSheet(style_sheet())
    language = Language()
    language.install("zh_CN")
    tmp = Path(tempfile.mkdtemp(prefix="counter-shots-"))
    slow_meter = "000000000008"  # 赵敏: a slow channel, the result comes back later
    devices = start_embedded(
        tmp / "demo",
        with_card=not args.no_card,
        meter_faults=[f"{slow_meter}=slow-reply:0.8*all"],
        wait_seconds=1.0,
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
    monitor = None
    saved: list[str] = []

    def grab(widget: object, name: str) -> None:
        path = out / name
        widget.grab().save(str(path))  # type: ignore[attr-defined]
        saved.append(name)

    try:
        # 1. sign-in with the self-check
        panel = CheckPanel()
        for check in local_checks(True, []):
            panel.add(check)
        panel.run(
            workers,
            [
                (workers.db, lambda: check_database(None)),
                (workers.meter_bus, lambda: check_meter_link(devices.meter_url)),
                (workers.network, lambda: check_station(context.dispatch)),
                (workers.card_reader, lambda: check_pcsc(devices.reader_name)),
            ],
        )
        dialog = SignInDialog(
            workers, language, context.counter_id, context.sign_in, check_panel=panel
        )
        dialog.show()
        dialog.username.setText("teller1")
        dialog.password.setText("teller1-pass")
        wait_until(lambda: panel.pending == 0)
        dialog.resize(560, dialog.sizeHint().height())
        settle()
        grab(dialog, "signin.png")
        os.environ["COUNTER_PRINT_TO_FILE"] = str(tmp / "printed")  # never a real printer
        dialog.ok_button.click()
        wait_until(lambda: dialog.user is not None)
        user = auth.get_user("teller1")

        # the receipt heading and tariff a hall configures ([receipt] in the TOML file)
        context.desk = dataclasses.replace(
            context.desk, supplier="国网示范供电公司", hall="城东营业厅", tariff=5_283
        )
        window = MainWindow(context, user, workers, events)
        if context.card_monitor_factory is not None:
            monitor = context.card_monitor_factory(events.on_card_event)
            monitor.start()
        window.resize(1366, 768)
        window.show()

        # 2. find as you type, then the account with arrears
        window.search.edit.setText("王")
        wait_until(lambda: window.search.last_result is not None)
        window.search.edit.setText("1000000000")
        wait_until(
            lambda: (
                window.search.last_result is not None
                and window.search.last_result.query == "1000000000"
            )
        )
        window.open_customer("100000000002")
        wait_until(lambda: window.account is not None)
        window.payment.amount.setText("200")
        window.payment.tendered.setText("250")  # cash handed over: the change shows big
        settle()
        grab(window, "find-and-account.png")

        # 3. the confirmation states the plan (R1 arrears, R3 adjusted fee, dispatch)
        window.request_payment(20_000, "counter")
        wait_until(lambda: window.confirm_dialog is not None and window.confirm_dialog.isVisible())
        settle()
        grab(window.confirm_dialog, "confirm-payment.png")
        window.confirm_dialog.confirm_button.click()
        wait_until(lambda: window.last_outcome is not None and not window.money_busy, 30)
        wait_until(lambda: bool(window.account and window.account.payments))
        settle(0.5)
        grab(window, "counter-window.png")

        # 4. the receipt: preview dialog, and the PDF page as printed
        window.print_receipt()
        wait_until(lambda: window.preview is not None and window.preview.isVisible())
        settle()
        grab(window.preview, "receipt-preview.png")
        pdf = tmp / "receipt.pdf"
        pdf.write_bytes(
            render_receipt(
                window.preview.data, PaperSize.ROLL_80MM, training=window.preview.training
            )
        )
        if shutil.which("pdftoppm"):
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "110",
                    "-png",
                    "-singlefile",
                    str(pdf),
                    str(out / "receipt-80mm"),
                ],
                check=True,
            )
            saved.append("receipt-80mm.png")
        window.preview.close()

        # 5. reversal: the supervisor signs at the teller's counter (R15)
        window.open_reversal()
        wait_until(
            lambda: window.reversal_dialog is not None and window.reversal_dialog.case is not None
        )
        window.reversal_dialog.reason.setText("金额录入错误")
        window.reversal_dialog.supervisor.setText("super1")
        settle()
        grab(window.reversal_dialog, "reversal.png")
        window.reversal_dialog.reject()

        # 6. a multi-meter household goes the card path (R6)
        window.next_customer()
        window.open_customer("100000000005")
        wait_until(
            lambda: window.account is not None and window.account.customer_no == "100000000005"
        )
        window.request_payment(10_000, "counter")
        wait_until(
            lambda: (
                window.confirm_dialog.isVisible()
                and window.confirm_dialog.plan.amount_fen == 10_000
            )
        )
        window.confirm_dialog.confirm_button.click()
        wait_until(
            lambda: (
                window.last_outcome is not None
                and not window.money_busy
                and window.last_outcome.customer_no == "100000000005"
            ),
            30,
        )
        wait_until(lambda: window.account.prepayment_fen >= 10_000)
        settle()
        grab(window, "multi-meter-card-path.png")
        if context.purchase_card is not None:
            window.open_card_write()
            wait_until(lambda: window.card_dialog is not None)
            card_dialog = window.card_dialog
            card_dialog.read_card()
            wait_until(
                lambda: (
                    card_dialog.write_button.isEnabled() or "✘" in card_dialog.checks_label.text()
                ),
                20,
            )
            settle()
            grab(card_dialog, "card-write.png")
            card_dialog.reject()

        # 7. result not yet known (下发中): the collection system has the task, the window
        #    shows it as a state of its own and the result when it comes back
        window.next_customer()
        window.open_customer("100000000007")
        wait_until(
            lambda: window.account is not None and window.account.customer_no == "100000000007"
        )
        window.request_payment(5_000, "counter")
        wait_until(
            lambda: (
                window.confirm_dialog.isVisible() and window.confirm_dialog.plan.amount_fen == 5_000
            )
        )
        window.confirm_dialog.confirm_button.click()
        wait_until(
            lambda: (
                window.last_dispatch is not None
                and not window.money_busy
                and window.last_outcome.customer_no == "100000000007"
            ),
            30,
        )
        wait_until(lambda: bool(window.account and window.account.payments))
        settle(0.5)
        grab(window, "dispatch-pending.png")
        window.print_receipt()
        wait_until(lambda: window.preview is not None and window.preview.isVisible())
        settle()
        grab(window.preview, "receipt-pending.png")
        window.preview.close()
        wait_until(lambda: window.watching is None, 60)
        settle(0.5)
        grab(window, "dispatch-result-arrived.png")

        # 8. the same window in English (selectable at sign-in)
        language.install("en")
        window.open_customer("100000000002")
        wait_until(
            lambda: window.account is not None and window.account.customer_no == "100000000002"
        )
        settle()
        grab(window, "counter-window-en.png")
    finally:
        if monitor is not None:
            monitor.stop()
        workers.shutdown()
        context.close()
        shutil.rmtree(tmp, ignore_errors=True)
    for name in saved:
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
