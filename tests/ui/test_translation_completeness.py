"""Every window and main dialog in both languages: nothing in the wrong script, no string
missing from the catalogues, no text cut by its widget (at the 1366×768 counter screen)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from counter_app.ui.resources import Language
from tests.ui.conftest import SUPERVISOR, CounterEnv
from tests.ui.helpers import WAIT_MS, find_customer, pay, start_payment
from tests.ui.screen_check import RecordingTranslator, catalogue, clipped, wrong_script

ZHAO_MIN = "100000000007"
CHEN_JING = "100000000005"


@pytest.fixture
def recorder(qapp: Any) -> Iterator[RecordingTranslator]:
    translator = RecordingTranslator()
    yield translator
    translator.remove()


def settle(qtbot: Any) -> None:
    qtbot.wait(50)
    QCoreApplication.processEvents()


def settle_jobs(qtbot: Any, env: CounterEnv) -> None:
    """Every background job answered and every finished job deleted while the counter's
    threads still exist (a job deleted after them would be deleted twice)."""
    qtbot.waitUntil(lambda: env.workers.busy == 0, timeout=WAIT_MS)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def windows_of(qtbot: Any, env: CounterEnv, signed_in_window: Any) -> Iterator[tuple[str, Any]]:
    """The main window in its states, its dialogs, and the back office, one after another."""
    from counter_app.ui.self_check import CheckPanel, check_meter_link, local_checks
    from counter_app.ui.signin import SignInDialog

    panel = CheckPanel()
    for check in [*local_checks(True, []), check_meter_link(None)]:
        panel.add(check)
    dialog = SignInDialog(
        env.workers, Language(), env.context.counter_id, env.context.sign_in, check_panel=panel
    )
    qtbot.addWidget(dialog)
    dialog.show()
    yield "sign-in", dialog
    dialog.close()

    window = signed_in_window(env, SUPERVISOR)
    yield "empty counter window", window
    find_customer(qtbot, window, ZHAO_MIN, ZHAO_MIN)
    confirm = start_payment(qtbot, window, "20")
    yield "confirmation", confirm
    confirm.reject()
    pay(qtbot, window, "20")
    yield "after a payment", window
    window.print_receipt()
    qtbot.waitUntil(
        lambda: window.preview is not None and window.preview.isVisible(), timeout=WAIT_MS
    )
    yield "receipt preview", window.preview
    window.preview.close()
    window.open_reversal()
    qtbot.waitUntil(
        lambda: window.reversal_dialog is not None and window.reversal_dialog.case is not None,
        timeout=WAIT_MS,
    )
    yield "reversal", window.reversal_dialog
    window.reversal_dialog.reject()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    find_customer(qtbot, window, "陈静", CHEN_JING)
    pay(qtbot, window, "50")
    yield "card path without a reader", window

    window.open_back_office()
    office = window.back_office
    qtbot.waitUntil(lambda: env.workers.busy == 0, timeout=WAIT_MS)
    for i in range(office.tabs.count()):
        office.tabs.setCurrentIndex(i)
        qtbot.waitUntil(lambda: env.workers.busy == 0, timeout=WAIT_MS)
        yield f"back office: {office.tabs.tabText(i)}", office

    # the technician's and the administrator's back offices (card workbench, users, import)
    from counter_app.services import auth
    from counter_app.ui.backoffice.window import back_office_for

    for name, password in (("tech1", "tech1-pass"), ("admin", "admin-pass")):
        user = auth.sign_in(name, password, counter_id=env.context.counter_id)
        other = back_office_for(env.context, user, env.workers, env.events)
        qtbot.addWidget(other)
        other.show()
        for i in range(other.tabs.count()):
            other.tabs.setCurrentIndex(i)
            qtbot.waitUntil(lambda: env.workers.busy == 0, timeout=WAIT_MS)
            yield f"{name}'s back office: {other.tabs.tabText(i)}", other
        other.close()  # stops its live timer
        qtbot.waitUntil(lambda: env.workers.busy == 0, timeout=WAIT_MS)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_window_in_both_languages(
    qtbot: Any,
    counter_env: CounterEnv,
    signed_in_window: Any,
    recorder: RecordingTranslator,
    language: str,
) -> None:
    lang = Language()
    assert lang.install(language)
    recorder.install()
    problems: list[str] = []
    try:
        for where, widget in windows_of(qtbot, counter_env, signed_in_window):
            settle(qtbot)
            problems += [f"{where}: {f}" for f in wrong_script(widget, language)]
            problems += [f"{where}: {f}" for f in clipped(widget)]
    finally:
        lang.install("en")
        settle_jobs(qtbot, counter_env)
    missing = recorder.missing(catalogue("zh_CN"))
    assert not missing, f"strings missing from the catalogues: {missing}"
    assert not problems, "\n".join(problems)


@pytest.mark.pcsc
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_card_write_dialog_in_both_languages(
    qtbot: Any,
    card_counter_env: CounterEnv,
    signed_in_window: Any,
    recorder: RecordingTranslator,
    language: str,
) -> None:
    from PySide6.QtCore import Qt

    lang = Language()
    assert lang.install(language)
    recorder.install()
    try:
        window = signed_in_window(card_counter_env)
        find_customer(qtbot, window, "陈静", CHEN_JING)
        pay(qtbot, window, "50")
        qtbot.keyClick(window, Qt.Key.Key_F6)
        qtbot.waitUntil(lambda: window.card_dialog is not None, timeout=WAIT_MS)
        settle(qtbot)
        problems = [str(f) for f in wrong_script(window.card_dialog, language)]
        problems += [str(f) for f in clipped(window.card_dialog)]
        window.card_dialog.reject()
    finally:
        lang.install("en")
    assert not recorder.missing(catalogue("zh_CN"))
    assert not problems, "\n".join(problems)
