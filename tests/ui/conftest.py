"""Fixtures for the counter window tests: the real window on the real adapters.

``counter_env`` is a counter as the embedded demo builds it, in the test's temporary
directory: a migrated SQLite database with the demo data (``counter_app.demo``), the same
demo meters on a simulated DL/T 645 bus on 127.0.0.1 (``meter_link.simulator``), reached by
the real ``Dlt645Client`` through ``counter_app.bootstrap.MeterLinkDispatcher``. With
``pcsc`` the virtual card goes through pcscd + vpcd (``tests.fixtures.pcsc``).

Qt runs offscreen; tests wait with ``qtbot.waitUntil`` on the window's own state, never
with sleeps.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from counter_app.app import context_from_counter
from counter_app.bootstrap import MeterLinkDispatcher, open_counter
from counter_app.config import Config, MeterLinkConfig
from counter_app.demo import load_demo
from counter_app.embedded import start_meter_simulator
from counter_app.store import database as store_db
from meter_link.client import Dlt645Client, Timeouts
from meter_link.security import SoftwareSecurityModule, generate_master_key

VIRTUAL_READER = "Virtual PCD 00 00"
TELLER = ("teller1", "teller1-pass")
SUPERVISOR = ("super1", "super1-pass")


@pytest.fixture(scope="session", autouse=True)
def counter_look(qapp: Any) -> None:
    """The application font (CJK) and style sheet, as ``counter-app`` sets them."""
    from counter_app.ui.resources import register_cjk_font, style_sheet

    register_cjk_font()
    qapp.setStyleSheet(style_sheet())


@pytest.fixture(autouse=True)
def no_language_left_behind(qapp: Any) -> Iterator[None]:
    """Translators a test installed (signing in picks Chinese) are removed after it, so that
    tests elsewhere see the source language whatever order they run in."""
    yield
    from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

    for translator in qapp.findChildren(QTranslator):
        QCoreApplication.removeTranslator(translator)
        translator.setParent(None)
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.China))


@pytest.fixture(autouse=True)
def receipts_to_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ "Print" writes the receipt PDFs here (no printer in CI)."""
    target = tmp_path / "printed"
    monkeypatch.setenv("COUNTER_PRINT_TO_FILE", str(target))
    return target


@dataclass
class CounterEnv:
    """One counter on the simulators: context, threads, the simulated bus."""

    context: Any
    workers: Any
    events: Any
    simulator: Any
    counter: Any
    tmp: Path
    monitors: list[Any] = field(default_factory=list)

    def meter(self, address: str) -> Any:
        return self.simulator.meter(address)

    def start_card_monitor(self) -> None:
        monitor = self.context.card_monitor_factory(self.events.on_card_event)
        monitor.start()
        self.monitors.append(monitor)


def make_env(
    tmp_path: Path, *, timeouts: Timeouts, card_crypto: Any = None, with_card: bool = False
) -> CounterEnv:
    from counter_app.ui.workers import DeviceEvents, Workers

    key = generate_master_key()
    simulator, url = start_meter_simulator(tmp_path, key)
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'counter.db'}",
        counter_id="test-01",
        meter_link=MeterLinkConfig(url=url),
        reader_name=VIRTUAL_READER,
    )
    dispatcher = MeterLinkDispatcher(
        config.meter_link,
        security=SoftwareSecurityModule(key),
        client_factory=lambda link: Dlt645Client(link, timeouts=timeouts),
    )
    counter = open_counter(config, dispatcher=dispatcher)
    load_demo(counter.services)
    context = context_from_counter(
        counter,
        reader_name=VIRTUAL_READER if with_card else None,
        card_crypto=card_crypto,
        with_card=with_card,
        data_dir=tmp_path,
    )
    return CounterEnv(context, Workers(), DeviceEvents(), simulator, counter, tmp_path)


def close_env(env: CounterEnv) -> None:
    for monitor in env.monitors:
        monitor.stop()
    env.workers.shutdown()
    env.counter.close()
    env.simulator.stop()
    store_db.close_database()


@pytest.fixture
def counter_env(tmp_path: Path, fast_password_hashing: None) -> Iterator[CounterEnv]:
    env = make_env(tmp_path, timeouts=Timeouts.uniform(0.4))
    yield env
    close_env(env)


@pytest.fixture
def slow_counter_env(tmp_path: Path, fast_password_hashing: None) -> Iterator[CounterEnv]:
    """Client timeouts long enough for a meter that takes 5 s to answer."""
    env = make_env(tmp_path, timeouts=Timeouts.uniform(8.0))
    yield env
    close_env(env)


@pytest.fixture
def card_counter_env(
    tmp_path: Path, fast_password_hashing: None, pcsc_service: Any, card_crypto: Any
) -> Iterator[CounterEnv]:
    """A counter with the card reader on vpcd slot 0 (pcscd + vpcd, ``@pytest.mark.pcsc``)."""
    env = make_env(
        tmp_path, timeouts=Timeouts.uniform(0.4), card_crypto=card_crypto, with_card=True
    )
    yield env
    close_env(env)


@pytest.fixture
def signed_in_window(qtbot: Any) -> Callable[[CounterEnv], Any]:
    """Sign in through the real dialog and return the main window."""

    def make(env: CounterEnv, credentials: tuple[str, str] = TELLER) -> Any:
        from counter_app.ui.main_window import MainWindow

        user = sign_in(qtbot, env, *credentials)
        window = MainWindow(env.context, user, env.workers, env.events)
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()  # shortcuts (F2, F5, F9, Esc...) go to the active window
        qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
        return window

    return make


def sign_in(qtbot: Any, env: CounterEnv, username: str, password: str) -> Any:
    from PySide6.QtCore import Qt

    from counter_app.ui.resources import Language
    from counter_app.ui.signin import SignInDialog

    dialog = SignInDialog(env.workers, Language(), env.context.counter_id, env.context.sign_in)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: dialog.user is not None or "Wrong" in dialog.message.text(), timeout=10_000
    )
    return dialog.user
