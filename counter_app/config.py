"""Configuration: one TOML file, environment overrides, sane embedded defaults.

Where the file is: ``$COUNTER_CONFIG``, else ``<config dir>/config.toml`` if it exists
(``$XDG_CONFIG_HOME/fee-control-counter`` or ``~/.config/fee-control-counter``; on Windows
``%APPDATA%\\fee-control-counter``). Without a file every value has a default, so the program
runs out of the box with a SQLite database under the data directory (``$COUNTER_DATA_DIR``,
else ``$XDG_DATA_HOME/fee-control-counter`` or ``~/.local/share/fee-control-counter``; on
Windows ``%LOCALAPPDATA%\\fee-control-counter``).

Example (every key optional)::

    dispatch = "station"                     # "station": hand tasks to the collection system
                                             # "direct": this PC talks DL/T 645 to the meters

    [database]
    url = "postgresql://counter:secret@db.hall.local/counter"

    [counter]
    id = "hall1-c03"

    [meter_link]
    url = "socket://127.0.0.1:8645"        # pyserial URL: COM3, /dev/ttyUSB0, rfc2217://...
    key_file = "/etc/fee-control/meter.key"
    [meter_link.routes]                      # optional: per meter address
    "000000000042" = "socket://10.1.2.3:8645"

    [card]
    reader = "Virtual"                       # a fragment of the PC/SC reader name

    [printer]
    name = ""                                # empty: the system default printer

    [sms]
    gateway_url = ""                         # empty: messages stay queued in the outbox

    [desk]
    large_amount_yuan = "5000"               # confirm twice at or above (0: never)
    hoarding_limit_yuan = "5000"             # warn before a purchase the meter would refuse

    [receipt]
    supplier = "国网某某供电公司"
    hall = "城东营业厅"
    tariff_yuan_per_kwh = "0.5283"           # for the receipt's kWh estimate

    [receipt_printer]                        # an 80 mm ESC/POS printer (else: PDF)
    kind = "network"                         # usb | serial | network
    host = "10.1.2.50"                       # network: port 9100
    # usb_vendor = "0x0416"; usb_product = "0x5011"   (usb)
    # serial_port = "/dev/ttyUSB0"; baudrate = 19200  (serial)
    drawer_pin = 2                           # the cash drawer's kick pin
    [station]                                # the collection system (meter-station)
    url = "http://10.1.2.5:8700"
    token_file = "/etc/fee-control/station.token"      # bearer token for the station
    callback_url = "http://10.1.2.6:8710/station/results"  # where it posts results (optional)
    callback_token_file = "/etc/fee-control/callback.token"
    wait_seconds = 20                        # how long a payment follows its task live
    listen = "127.0.0.1:8710"                # counter-server's own address

    [security]
    lockout_attempts = 5                     # wrong passwords in a row before a lockout
    lockout_minutes = 15                     # how long a locked account stays locked
    session_minutes = 15                     # lifetime of a counterctl sign-in

A *production* configuration is a file that names a database (``[database] url``): the
counter then refuses to start while demo users with their published passwords are present.
Without one, the embedded demo runs in training mode (`Config.training`).

Environment overrides: ``COUNTER_DB_URL``, ``COUNTER_ID``, ``COUNTER_METER_LINK``,
``COUNTER_METER_KEY_FILE``, ``COUNTER_READER``, ``COUNTER_PRINTER``, ``COUNTER_SMS_GATEWAY``,
``COUNTER_DISPATCH``, ``COUNTER_STATION_URL``, ``COUNTER_STATION_TOKEN_FILE``,
``COUNTER_CALLBACK_URL``, ``COUNTER_CALLBACK_TOKEN_FILE``.

Without ``dispatch`` the counter dispatches directly when a meter link is configured; with
``dispatch = "station"`` it needs ``[station] url`` and ``token_file``.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

APP_DIR_NAME = "fee-control-counter"


class ConfigError(ValueError):
    """The configuration file cannot be read or has a wrong value."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"configuration {path}: {problem}")
        self.path = path
        self.problem = problem


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where the default database lives (see module docstring)."""
    env = os.environ if env is None else env
    if env.get("COUNTER_DATA_DIR"):
        return Path(env["COUNTER_DATA_DIR"])
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / APP_DIR_NAME
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_DIR_NAME


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if sys.platform == "win32" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / APP_DIR_NAME
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP_DIR_NAME


def default_database_url(env: Mapping[str, str] | None = None) -> str:
    return f"sqlite:///{data_dir(env) / 'counter.db'}"


@dataclass(frozen=True)
class MeterLinkConfig:
    """The DL/T 645 link(s): a default URL and optional per-address routes."""

    url: str | None = None
    key_file: str | None = None
    routes: Mapping[str, str] = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        return bool(self.url) or bool(self.routes)

    def url_for(self, meter_address: str) -> str | None:
        return self.routes.get(meter_address, self.url)


class DispatchMode:
    """How purchases reach the meters (ARCHITECTURE.md, deployment topology)."""

    STATION = "station"  # hand a task to the collection system, apply its result (outbox)
    DIRECT = "direct"  # this PC's own DL/T 645 link (one-PC hall, technicians)
    ALL = (STATION, DIRECT)


@dataclass(frozen=True)
class StationConfig:
    """The collection system (``meter-station``) this counter hands its dispatch tasks to."""

    url: str | None = None
    token_file: str | None = None
    callback_url: str | None = None
    callback_token_file: str | None = None
    wait_seconds: float = 20.0
    listen: str = "127.0.0.1:8710"

    @property
    def configured(self) -> bool:
        return bool(self.url)


def read_token(path: str | None, what: str) -> str:
    """A bearer token kept in its own secret file (`read_secret_file`: first line, the file
    readable by its owner only); `ConfigError` naming `what` when it cannot be had."""
    if not path:
        raise ConfigError("(configuration)", f"{what}: no token file configured")
    try:
        return read_secret_file(path)
    except ConfigError as exc:
        raise type(exc)(exc.path, f"{what}: {exc.problem}") from None


@dataclass(frozen=True)
class ThermalPrinterConfig:
    """``[receipt_printer]`` in the TOML file: an 80 mm ESC/POS printer spoken to directly
    (``services.thermal``); ``kind`` "" means none — receipts go the PDF way."""

    kind: str = ""  # "usb", "serial", "network" or ""
    usb_vendor: int = 0
    usb_product: int = 0
    serial_port: str = ""
    baudrate: int = 19_200
    host: str = ""
    port: int = 9_100
    drawer_pin: int = 2  # the cash drawer's kick pin (2 or 5)
    timeout_s: float = 5.0

    @property
    def configured(self) -> bool:
        return self.kind in ("usb", "serial", "network")


@dataclass(frozen=True)
class DeskConfig:
    """The cash desk and its receipts (``[desk]`` and ``[receipt]`` in the TOML file).

    ``large_amount_fen``: a payment at or above it needs a second, explicit confirmation
    (0: never). ``hoarding_limit_fen``: the meters' hoarding limit (囤积限额, R21) — the
    counter warns before taking money a meter would refuse (0: not configured, no warning).
    ``tariff``: yuan per kWh in 1/10000 yuan (``core.desk.parse_tariff``) for the receipt's
    kWh estimate (0: no estimate). ``supplier`` and ``hall`` head the receipt.
    """

    large_amount_fen: int = 500_000
    hoarding_limit_fen: int = 0
    tariff: int = 0
    supplier: str = ""
    hall: str = ""


@dataclass(frozen=True)
class Config:
    database_url: str
    counter_id: str = "counter-1"
    meter_link: MeterLinkConfig = field(default_factory=MeterLinkConfig)
    reader_name: str = ""
    printer_name: str = ""
    sms_gateway_url: str = ""
    dispatch: str = ""  # DispatchMode; "" = direct when a meter link is configured
    station: StationConfig = field(default_factory=StationConfig)
    source: str = "(defaults)"
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    session_minutes: int = 15
    database_from_file: bool = False
    desk: DeskConfig = field(default_factory=DeskConfig)
    receipt_printer: ThermalPrinterConfig = field(default_factory=ThermalPrinterConfig)

    @property
    def production(self) -> bool:
        """A configuration file names the database: real customers, real passwords."""
        return self.source != "(defaults)" and self.database_from_file

    @property
    def dispatch_mode(self) -> str | None:
        """The dispatch mode in force: station, direct, or None (purchases stay queued)."""
        if self.dispatch:
            return self.dispatch
        return DispatchMode.DIRECT if self.meter_link.configured else None


def _get(table: Mapping[str, Any], key: str, path: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(path, f"{key} must be a string")
    return value


def _int(table: Mapping[str, Any], key: str, path: str, default: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(path, f"{key} must be a whole number of at least 1")
    return value


def _yuan(table: Mapping[str, Any], key: str, path: str, default_fen: int) -> int:
    """An amount in yuan ("5000", 5000 or "4999.50") as fen; 0 switches the check off."""
    from counter_app.core.money import MoneyError, parse_yuan

    value = table.get(key)
    if value is None:
        return default_fen
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(path, f'{key} must be an amount in yuan, e.g. "5000"')
    try:
        return parse_yuan(str(value), allow_zero=True)
    except MoneyError as exc:
        raise ConfigError(path, f"{key}: {exc}") from None


def _desk(doc: Mapping[str, Any], path: str) -> DeskConfig:
    from counter_app.core.desk import DeskError, parse_tariff

    desk = _table(doc, "desk", path)
    receipt = _table(doc, "receipt", path)
    tariff_text = receipt.get("tariff_yuan_per_kwh", "")
    if not isinstance(tariff_text, str | int | float) or isinstance(tariff_text, bool):
        raise ConfigError(path, 'tariff_yuan_per_kwh must be a string such as "0.5283"')
    try:
        tariff = parse_tariff(str(tariff_text)) if str(tariff_text).strip() else 0
    except DeskError as exc:
        raise ConfigError(path, f"tariff_yuan_per_kwh: {exc}") from None
    return DeskConfig(
        large_amount_fen=_yuan(desk, "large_amount_yuan", path, DeskConfig.large_amount_fen),
        hoarding_limit_fen=_yuan(desk, "hoarding_limit_yuan", path, 0),
        tariff=tariff,
        supplier=_get(receipt, "supplier", path, ""),
        hall=_get(receipt, "hall", path, ""),
    )


def _receipt_printer(doc: Mapping[str, Any], path: str) -> ThermalPrinterConfig:
    table = _table(doc, "receipt_printer", path)
    kind = _get(table, "kind", path, "")
    if kind not in ("", "usb", "serial", "network"):
        raise ConfigError(path, "[receipt_printer] kind must be usb, serial or network")

    def number(key: str, default: int) -> int:
        value = table.get(key, default)
        if isinstance(value, str):  # USB ids are written in hex: "0x0416"
            try:
                return int(value, 0)
            except ValueError:
                raise ConfigError(path, f"{key} must be a number") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(path, f"{key} must be a number")
        return value

    return ThermalPrinterConfig(
        kind=kind,
        usb_vendor=number("usb_vendor", 0),
        usb_product=number("usb_product", 0),
        serial_port=_get(table, "serial_port", path, ""),
        baudrate=number("baudrate", 19_200),
        host=_get(table, "host", path, ""),
        port=number("port", 9_100),
        drawer_pin=number("drawer_pin", 2),
    )


def _table(doc: Mapping[str, Any], name: str, path: str) -> Mapping[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(path, f"[{name}] must be a table")
    return value


def load_config(
    path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Config:
    """Read the configuration (file if any, then environment overrides)."""
    env = os.environ if env is None else env
    chosen = path or env.get("COUNTER_CONFIG") or None
    if chosen is None:
        candidate = config_dir(env) / "config.toml"
        chosen = str(candidate) if candidate.exists() else None
    doc: Mapping[str, Any] = {}
    source = "(defaults)"
    if chosen is not None:
        source = str(chosen)
        try:
            with open(chosen, "rb") as fh:
                doc = tomllib.load(fh)
        except OSError as exc:
            raise ConfigError(source, exc.strerror or str(exc)) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(source, str(exc)) from None
    db = _table(doc, "database", source)
    counter = _table(doc, "counter", source)
    link = _table(doc, "meter_link", source)
    routes = _table(link, "routes", source)
    card = _table(doc, "card", source)
    printer = _table(doc, "printer", source)
    sms = _table(doc, "sms", source)
    station = _table(doc, "station", source)
    wait = station.get("wait_seconds", 20.0)
    if isinstance(wait, bool) or not isinstance(wait, int | float) or wait < 0:
        raise ConfigError(source, "wait_seconds must be a number of seconds >= 0")
    security = _table(doc, "security", source)
    config = Config(
        database_url=_get(db, "url", source, "") or default_database_url(env),
        counter_id=_get(counter, "id", source, "counter-1"),
        meter_link=MeterLinkConfig(
            url=_get(link, "url", source, "") or None,
            key_file=_get(link, "key_file", source, "") or None,
            routes={str(k): str(v) for k, v in routes.items()},
        ),
        reader_name=_get(card, "reader", source, ""),
        printer_name=_get(printer, "name", source, ""),
        sms_gateway_url=_get(sms, "gateway_url", source, ""),
        dispatch=_get(doc, "dispatch", source, ""),
        station=StationConfig(
            url=_get(station, "url", source, "") or None,
            token_file=_get(station, "token_file", source, "") or None,
            callback_url=_get(station, "callback_url", source, "") or None,
            callback_token_file=_get(station, "callback_token_file", source, "") or None,
            wait_seconds=float(wait),
            listen=_get(station, "listen", source, "127.0.0.1:8710"),
        ),
        source=source,
        lockout_attempts=_int(security, "lockout_attempts", source, 5),
        lockout_minutes=_int(security, "lockout_minutes", source, 15),
        session_minutes=_int(security, "session_minutes", source, 15),
        database_from_file=bool(_get(db, "url", source, "")),
        desk=_desk(doc, source),
        receipt_printer=_receipt_printer(doc, source),
    )
    config = apply_env(config, env)
    check_dispatch(config)
    return config


def check_dispatch(config: Config) -> None:
    """The dispatch mode names something this program has, and station mode has a station."""
    if config.dispatch and config.dispatch not in DispatchMode.ALL:
        raise ConfigError(config.source, f"dispatch must be one of {', '.join(DispatchMode.ALL)}")
    if config.dispatch == DispatchMode.STATION and not config.station.configured:
        raise ConfigError(config.source, 'dispatch = "station" needs [station] url')


def apply_env(config: Config, env: Mapping[str, str]) -> Config:
    """Environment variables win over the file (deployment scripts, tests)."""
    link = config.meter_link
    if env.get("COUNTER_METER_LINK") is not None:
        link = replace(link, url=env["COUNTER_METER_LINK"] or None)
    if env.get("COUNTER_METER_KEY_FILE"):
        link = replace(link, key_file=env["COUNTER_METER_KEY_FILE"])
    return replace(
        config,
        database_url=env.get("COUNTER_DB_URL") or config.database_url,
        counter_id=env.get("COUNTER_ID") or config.counter_id,
        meter_link=link,
        reader_name=env.get("COUNTER_READER", config.reader_name),
        printer_name=env.get("COUNTER_PRINTER", config.printer_name),
        sms_gateway_url=env.get("COUNTER_SMS_GATEWAY", config.sms_gateway_url),
        dispatch=env.get("COUNTER_DISPATCH", config.dispatch),
        station=replace(
            config.station,
            url=env.get("COUNTER_STATION_URL") or config.station.url,
            token_file=env.get("COUNTER_STATION_TOKEN_FILE") or config.station.token_file,
            callback_url=env.get("COUNTER_CALLBACK_URL") or config.station.callback_url,
            callback_token_file=env.get("COUNTER_CALLBACK_TOKEN_FILE")
            or config.station.callback_token_file,
        ),
    )


class SecretFileError(ConfigError):
    """A secret (station token, SMS key) is in a file that others may read or change."""


def read_secret_file(path: str | os.PathLike[str]) -> str:
    """The secret in `path` (first line, stripped), refusing a file open to everyone.

    Secrets live in their own files, not in the TOML file, so that the configuration can be
    shown and backed up without them. The file must be readable only by its owner and the
    service account's group (mode 0600 or 0640): a token any user of the PC can read lets
    that user submit dispatch tasks in the hall's name. Windows has no such mode bits; there
    the installer's ACLs do the same job.
    """
    shown = os.fspath(path)
    try:
        if sys.platform != "win32":
            mode = os.stat(shown).st_mode
            if mode & 0o007:
                raise SecretFileError(
                    shown,
                    f"other users may read or change it (mode {mode & 0o777:o}); "
                    f"run: chmod 600 {shown}",
                )
        with open(shown, encoding="utf-8") as fh:
            secret = fh.readline().strip()
    except OSError as exc:
        raise ConfigError(shown, exc.strerror or str(exc)) from None
    if not secret:
        raise ConfigError(shown, "the secret file is empty")
    return secret
