"""Training mode: the embedded demo is never mistaken for a live counter, and a production
configuration never runs with the demo's published passwords.

The banner is on the counter window and the back office for as long as they are open, on
every receipt PDF (read back with ``pdftotext``) and in ``counter-app --self-check``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

from counter_app.services.receipts import TRAINING_MARK
from tests.ui.conftest import SUPERVISOR, TELLER, CounterEnv, sign_in
from tests.ui.helpers import find_customer, pay, print_receipt

pytestmark = pytest.mark.usefixtures("qapp")


def test_self_check_of_the_embedded_demo_says_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from counter_app.app import main
    from counter_app.store import database as store_db
    from counter_app.ui.resources import Language

    monkeypatch.setenv("COUNTER_DATA_DIR", str(tmp_path))
    try:
        rc = main(["--self-check", "--demo", "--no-card"])
    finally:
        store_db.close_database()
        Language().install("en")
    out = capsys.readouterr().out
    assert rc == 0, out
    assert TRAINING_MARK in out and "published passwords" in out


def test_counter_window_and_receipts_carry_the_banner(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any, receipts_to_files: Path
) -> None:
    counter_env.context.training = True
    window = signed_in_window(counter_env)
    assert window.training_banner is not None and window.training_banner.isVisible()
    assert TRAINING_MARK in window.training_banner.text()
    find_customer(qtbot, window, "100000000001", "100000000001")
    pay(qtbot, window, "10")
    text = print_receipt(qtbot, window, receipts_to_files)
    assert "培训模式" in text and "TRAINING" in text
    assert window.training_banner.isVisible()  # permanent: still there after the payment


def test_a_configured_counter_has_no_banner(
    qtbot: Any, counter_env: CounterEnv, signed_in_window: Any, receipts_to_files: Path
) -> None:
    window = signed_in_window(counter_env)
    assert window.training_banner is None
    find_customer(qtbot, window, "100000000001", "100000000001")
    pay(qtbot, window, "10")
    assert "培训模式" not in print_receipt(qtbot, window, receipts_to_files)


def test_back_office_carries_the_banner(qtbot: Any, counter_env: CounterEnv) -> None:
    from counter_app.ui.backoffice.window import back_office_for

    counter_env.context.training = True
    user = sign_in(qtbot, counter_env, *SUPERVISOR)
    office = back_office_for(counter_env.context, user, counter_env.workers, counter_env.events)
    qtbot.addWidget(office)
    office.show()
    assert office.training_banner is not None and office.training_banner.isVisible()
    counter_env.context.training = False
    plain = back_office_for(
        counter_env.context, sign_in(qtbot, counter_env, *TELLER), counter_env.workers
    )
    qtbot.addWidget(plain)
    assert plain.training_banner is None


def test_production_configuration_refuses_published_passwords(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fast_password_hashing: None,
) -> None:
    from counter_app.app import build_context, main
    from counter_app.bootstrap import open_counter
    from counter_app.config import load_config
    from counter_app.demo import DemoUsersPresent, load_demo
    from counter_app.services import auth, users
    from counter_app.store import database as store_db
    from counter_app.ui.resources import Language

    for key in ("COUNTER_DB_URL", "COUNTER_CONFIG", "COUNTER_METER_LINK"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("COUNTER_DATA_DIR", str(tmp_path / "data"))
    config_file = tmp_path / "counter.toml"
    config_file.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "hall.db"}"\n')
    config = load_config(config_file)
    assert config.production
    counter = open_counter(config)
    load_demo(counter.services)  # someone loaded the demo into the hall's database
    counter.close()
    args = argparse.Namespace(config=str(config_file), demo=False, no_card=True)
    with pytest.raises(DemoUsersPresent) as refused:
        build_context(args)
    assert "published passwords" in str(refused.value)
    assert "admin" in refused.value.usernames and "teller1" in refused.value.usernames
    try:
        assert main(["--self-check", "--config", str(config_file), "--no-card"]) == 1
    finally:
        Language().install("en")
    assert "FAIL  demo users" in capsys.readouterr().out
    # new passwords for every demo user: the counter starts
    admin = auth.get_user("admin")
    for name in ("teller1", "teller2", "super1", "tech1"):
        users.reset_password(admin, name, f"{name}-new-secret")
    users.reset_password(admin, "admin", "admin-new-secret")
    context = build_context(args)
    try:
        assert context.training is False
    finally:
        context.close()
        store_db.close_database()
