"""Fixtures for the back-office tests: the real back-office window on the real adapters.

The counter is built exactly as the counter window's tests build it (``tests.ui.conftest``):
a migrated SQLite database with the demo data, the demo meters on a simulated DL/T 645 bus
on 127.0.0.1 reached through the real client, and (``bo_card_env``) the card reader on
pcscd + vpcd. Tests wait with ``qtbot.waitUntil`` on the views' own state, never sleep.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from counter_app.services import auth
from meter_link.client import Timeouts
from tests.ui.conftest import CounterEnv, close_env, counter_look, make_env

__all__ = ["counter_look"]  # the CJK font and style sheet, as the app sets them (autouse)

WAIT_MS = 20_000


@pytest.fixture
def bo_env(tmp_path: Path, fast_password_hashing: None) -> Iterator[CounterEnv]:
    env = make_env(tmp_path, timeouts=Timeouts.uniform(0.3))
    yield env
    close_env(env)


@pytest.fixture
def bo_card_env(
    tmp_path: Path, fast_password_hashing: None, pcsc_service: Any, card_crypto: Any
) -> Iterator[CounterEnv]:
    """A counter with the card reader on vpcd slot 0 (``@pytest.mark.pcsc``)."""
    env = make_env(
        tmp_path, timeouts=Timeouts.uniform(0.3), card_crypto=card_crypto, with_card=True
    )
    yield env
    close_env(env)


def back_office_context(env: CounterEnv) -> Any:
    from counter_app.ui.backoffice.context import BackOfficeContext

    return BackOfficeContext.from_counter_context(env.context, env.workers, env.events)


@pytest.fixture
def back_office(qtbot: Any) -> Iterator[Callable[..., Any]]:
    """``back_office(env, "tech1", "tech1-pass")`` -> the signed-in user's BackOfficeWindow.

    At the end the fixture waits until the window's background jobs are done, so that no
    result arrives at a widget that is already gone.
    """
    envs: list[CounterEnv] = []
    windows: list[Any] = []  # strong references: qtbot only keeps weak ones

    def make(env: CounterEnv, username: str = "tech1", password: str = "tech1-pass") -> Any:
        from counter_app.ui.backoffice.window import BackOfficeWindow

        user = auth.sign_in(username, password, counter_id=env.context.counter_id)
        window = BackOfficeWindow(back_office_context(env), user)
        qtbot.addWidget(window)
        window.show()
        envs.append(env)
        windows.append(window)
        return window

    yield make
    for env in envs:
        qtbot.waitUntil(lambda env=env: env.workers.busy == 0, timeout=WAIT_MS)
    for window in windows:
        window.close()


# the services' test world (a scripted dispatcher on the `db` fixture, SQLite + PostgreSQL)
from tests.services.conftest import people, world  # noqa: E402

__all__ += ["people", "world"]
