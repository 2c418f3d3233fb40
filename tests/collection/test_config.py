"""The dispatch mode in the configuration: station or direct, and what each needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.bootstrap import make_workers, open_counter
from counter_app.config import ConfigError, DispatchMode, load_config, read_token
from counter_app.store import database as store_db


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "counter.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_station_mode_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "t").write_text("secret\n")
    (tmp_path / "t").chmod(0o600)
    path = _write(
        tmp_path,
        f'dispatch = "station"\n[station]\nurl = "http://127.0.0.1:1"\n'
        f'token_file = "{tmp_path / "t"}"\nwait_seconds = 5\n',
    )
    config = load_config(path, env={})
    assert config.dispatch_mode == DispatchMode.STATION
    assert config.station.url == "http://127.0.0.1:1" and config.station.wait_seconds == 5
    assert read_token(config.station.token_file, "station token") == "secret"


def test_without_dispatch_a_meter_link_means_direct_and_nothing_means_queued(
    tmp_path: Path,
) -> None:
    assert load_config(_write(tmp_path, ""), env={}).dispatch_mode is None
    linked = _write(tmp_path, '[meter_link]\nurl = "socket://127.0.0.1:1"\n')
    assert load_config(linked, env={}).dispatch_mode == DispatchMode.DIRECT


def test_environment_overrides_the_dispatch_mode(tmp_path: Path) -> None:
    env = {"COUNTER_DISPATCH": "station", "COUNTER_STATION_URL": "http://127.0.0.1:2"}
    config = load_config(_write(tmp_path, ""), env=env)
    assert config.dispatch_mode == DispatchMode.STATION
    assert config.station.url == "http://127.0.0.1:2"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('dispatch = "pigeon"\n', "dispatch must be one of"),
        ('dispatch = "station"\n', "needs [station] url"),
        ('[station]\nwait_seconds = "soon"\n', "wait_seconds"),
    ],
)
def test_a_wrong_dispatch_setting_is_one_clear_error(
    tmp_path: Path, text: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        load_config(_write(tmp_path, text), env={})


def test_station_mode_needs_a_readable_token(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f'dispatch = "station"\n[station]\nurl = "http://127.0.0.1:1"\n'
        f'token_file = "{tmp_path / "missing"}"\n[database]\n'
        f'url = "sqlite:///{tmp_path / "c.db"}"\n',
    )
    try:
        with pytest.raises(ConfigError, match="station token"):
            open_counter(load_config(path, env={}))
    finally:
        store_db.close_database()


def test_workers_need_station_mode(tmp_path: Path) -> None:
    path = _write(tmp_path, f'[database]\nurl = "sqlite:///{tmp_path / "c.db"}"\n')
    counter = open_counter(load_config(path, env={}))
    try:
        with pytest.raises(ConfigError, match="station"):
            make_workers(counter)
    finally:
        store_db.close_database()
