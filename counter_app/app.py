"""``counter-app``: the counter window (PySide6).

Start-up, in order: the Chinese font and the style sheet; the language (Chinese by
default, English selectable at sign-in); the counter — the configured database, meter link
and reader, or, when nothing is configured, the embedded demo (``counter_app.embedded``);
the sign-in dialog with the self-check below it, saying plainly what is missing (the
collection system among it); then the main window showing who is signed in, at which
counter, in which shift. In the embedded demo the hand-over workers run in this process.

``counter-app --self-check`` runs the checks without a window (exit code 1 when a required
one fails): the packaged program's smoke test.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from counter_app.bootstrap import counter_context as context_from_counter

__all__ = ["build_context", "context_from_counter", "lands_in_back_office", "main"]

log = logging.getLogger("counter_app")


def lands_in_back_office(user: Any) -> bool:
    """Who may not take money (by the services' role matrix: technicians, admins) works behind
    the counter and lands in the back office after sign-in; the others get the counter window,
    from which F10 opens the back-office tabs their role may use."""
    from counter_app.services.auth import Action

    return not user.may(Action.TAKE_PAYMENT)


def _use_embedded(config: Any, forced: bool) -> bool:
    if forced:
        return True
    return (
        config.source == "(defaults)"
        and not config.meter_link.configured
        and not os.environ.get("COUNTER_DB_URL")
    )


def build_context(args: argparse.Namespace) -> Any:
    """Configured counter, or the embedded demo when nothing is configured."""
    from counter_app.config import load_config

    config = load_config(args.config)
    if _use_embedded(config, args.demo):
        from counter_app.embedded import start_embedded

        devices = start_embedded(with_card=not args.no_card, dispatch=config.dispatch or None)
        return context_from_counter(
            devices.counter,
            reader_name=devices.reader_name or devices.config.reader_name,
            card_crypto=devices.card_crypto,
            embedded=devices,
        )
    from counter_app.bootstrap import card_crypto_from_environment, open_counter
    from counter_app.demo import refuse_demo_users_in_production

    counter = open_counter(config)
    try:
        refuse_demo_users_in_production(config)  # published passwords never guard real money
    except Exception:
        counter.close()
        raise
    return context_from_counter(
        counter,
        reader_name=config.reader_name or None,
        card_crypto=card_crypto_from_environment(),  # None: cards are read, not written
        with_card=not args.no_card,
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="counter-app", description=__doc__.splitlines()[0])
    p.add_argument("--config", help="configuration file (default: see counter_app.config)")
    p.add_argument("--demo", action="store_true", help="use the embedded demo devices")
    p.add_argument("--no-card", action="store_true", help="start without the card reader")
    p.add_argument("--lang", choices=["zh_CN", "en"], default=None, help="start language")
    p.add_argument("--self-check", action="store_true", help="check and exit (no window)")
    return p


def self_check(args: argparse.Namespace) -> int:
    """Headless checks: database, meter link, PC/SC, translations, font."""
    from PySide6.QtCore import QCoreApplication

    from counter_app.ui.resources import Language
    from counter_app.ui.self_check import (
        check_database,
        check_meter_link,
        check_pcsc,
        check_station,
    )

    _app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    language = Language()
    language.install("zh_CN")
    from counter_app.demo import DemoUsersPresent

    try:
        context = build_context(args)
    except DemoUsersPresent as exc:
        print(f"FAIL  demo users: {exc}")
        return 1
    except Exception as exc:  # a wrong configuration, a database from a newer program, ...
        print(f"FAIL  start: {exc}")
        return 1
    try:
        if context.training:
            from counter_app.ui.training import TRAINING_MARK

            print(
                f"note  {TRAINING_MARK}: embedded demo (no configuration file) — demo users "
                "with published passwords, simulated meters; not for real money"
            )
        embedded = context.embedded
        url = embedded.meter_url if embedded is not None else None
        if url is None:
            from counter_app.config import load_config

            url = load_config(args.config).meter_link.url
        checks = [
            check_database(None),
            check_meter_link(url),
            check_station(context.dispatch),
            check_pcsc(None),
        ]
        from counter_app.services.receipts import FontNotFoundError, find_cjk_font

        try:
            font = find_cjk_font()[0]
            print(f"ok    receipt font: {font}")
        except FontNotFoundError as exc:
            print(f"FAIL  receipt font: {exc}")
            return 1
        print(("ok    " if not language.missing else "FAIL  ") + "translations")
        for c in checks:
            print(f"{'ok   ' if c.ok else 'FAIL '} {c.name}: {c.detail}")
        return 1 if any(c.required and not c.ok for c in checks) or language.missing else 0
    finally:
        context.close()


def run(args: argparse.Namespace) -> int:
    import shiboken6
    from PySide6.QtWidgets import QApplication, QDialog, QWidget

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

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("counter-app")
    app.setOrganizationName("fee-control-counter")
    register_cjk_font()
    app.setStyleSheet(style_sheet())
    language = Language()
    language_ok = language.install(args.lang or "zh_CN")

    workers = Workers()
    try:
        # Opening the database (and starting the demo devices) before any window exists.
        context = workers.db.run(lambda: build_context(args), timeout=60)
    except Exception as exc:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "counter-app", str(exc))
        workers.shutdown()
        return 1
    events = DeviceEvents()
    panel = CheckPanel()
    for check in local_checks(language_ok, language.missing):
        panel.add(check)
    embedded = context.embedded
    meter_url = embedded.meter_url if embedded is not None else None
    if meter_url is None:
        from counter_app.config import load_config

        meter_url = load_config(args.config).meter_link.url
    reader = embedded.reader_name if embedded is not None else None
    panel.run(
        workers,
        [
            (workers.db, lambda: check_database(None)),
            (workers.meter_bus, lambda: check_meter_link(meter_url)),
            (workers.network, lambda: check_station(context.dispatch)),
            (workers.card_reader, lambda: check_pcsc(reader)),
        ],
    )
    dialog = SignInDialog(workers, language, context.counter_id, context.sign_in, check_panel=panel)
    monitor = None
    window: QWidget | None = None
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return 0
        user = dialog.user
        assert user is not None  # accepted: signed in
        if lands_in_back_office(user):
            from counter_app.ui.backoffice.window import back_office_for

            window = back_office_for(context, user, workers, events)
        else:
            window = MainWindow(context, user, workers, events)
        if context.card_monitor_factory is not None:
            monitor = context.card_monitor_factory(events.on_card_event)
            monitor.start()
        window.show()
        return int(app.exec())
    finally:
        # In this order: no more card events; the windows closed and destroyed (their timers
        # stopped, the back office before the counter window) while the threads still run;
        # the calls in progress finished; only then the database and the links closed.
        if monitor is not None:
            monitor.stop()
        if window is not None:
            window.close()
            shiboken6.delete(window)
        workers.shutdown(wait_s=EXIT_WAIT_S)
        context.close()


EXIT_WAIT_S = 10.0
"""How long the counter waits at exit for a database query or meter exchange in progress."""


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("COUNTER_LOG", "WARNING"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    args = _parser().parse_args(argv)
    if args.self_check:
        return self_check(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
