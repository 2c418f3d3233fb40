"""R11 outbox draining through the SMS gateway port, and the configuration file/env rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.config import ConfigError, load_config
from counter_app.services.notifications import drain_outbox, pending_count
from counter_app.store.models import Notification
from tests.services.conftest import World


class Gateway:
    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, body: str) -> None:
        if self.down:
            raise ConnectionError("gateway unreachable")
        self.sent.append((phone, body))


def test_r11_outbox_keeps_messages_while_gateway_is_down(world: World) -> None:
    for n in ("S1", "S2"):
        c = world.customer(n, phone=f"1390000000{n[-1]}")
        world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    assert pending_count() == 2
    down = Gateway(down=True)
    result = drain_outbox(down, max_tries=2)
    assert (result.sent, result.retried) == (0, 1)
    assert pending_count() == 2  # nothing lost
    up = Gateway()
    result = drain_outbox(up)
    assert result.sent == 2 and pending_count() == 0
    assert [p for p, _ in up.sent] == ["13900000001", "13900000002"]
    assert all(n.sent_at is not None for n in Notification.select())


def test_r11_unsubscribed_customer_gets_no_sms(world: World) -> None:
    c = world.customer("S3", phone="")
    world.services.payments.take_payment(c.customer_no, 1_000, operator="teller1")
    assert pending_count() == 0


def test_config_defaults_file_and_env(tmp_path: Path) -> None:
    env = {"COUNTER_DATA_DIR": str(tmp_path / "d"), "XDG_CONFIG_HOME": str(tmp_path / "c")}
    config = load_config(env=env)
    assert config.database_url == f"sqlite:///{tmp_path / 'd' / 'counter.db'}"
    assert not config.meter_link.configured
    path = tmp_path / "counter.toml"
    path.write_text(
        '[database]\nurl = "postgresql://u@h/db"\n[counter]\nid = "hall-3"\n'
        '[meter_link]\nurl = "socket://127.0.0.1:9"\n[meter_link.routes]\n'
        '"000000000042" = "socket://10.0.0.2:8645"\n[card]\nreader = "Virtual"\n',
        encoding="utf-8",
    )
    config = load_config(path, env=env)
    assert (config.database_url, config.counter_id, config.reader_name) == (
        "postgresql://u@h/db",
        "hall-3",
        "Virtual",
    )
    assert config.meter_link.url_for("000000000042") == "socket://10.0.0.2:8645"
    assert config.meter_link.url_for("000000000001") == "socket://127.0.0.1:9"
    config = load_config(path, env={**env, "COUNTER_DB_URL": "sqlite:///x.db", "COUNTER_ID": "7"})
    assert (config.database_url, config.counter_id) == ("sqlite:///x.db", "7")
    path.write_text("[database\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(path, env=env)
