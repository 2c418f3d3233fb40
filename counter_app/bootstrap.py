"""Composition root: configuration in, adapters chosen, services out.

`open_counter(config)` binds the database, migrates it, picks the dispatcher by the
configured dispatch mode and returns the `Services` of this counter:

* ``station`` — `CollectionSystemDispatcher` (``counter_app.server.station_client``) is both
  the `Dispatcher` and the `TaskHandover`: purchases go to the collection system as tasks
  through our outbox (``counter_app.services.handover``);
* ``direct`` — `MeterLinkDispatcher` adapts `meter_link.dispatch.MeterDispatcher` to the
  `Dispatcher` port (one `Dlt645Client` per link URL, opened on first use): this PC talks
  DL/T 645 to the meters (a one-PC hall, a technician);
* neither — no dispatcher: purchases stay queued.

`make_workers` builds the counter-server's background workers (outbox sender, result
poller, SMS outbox) for a counter in station mode.

This is the one place that builds the program's objects; the window, the back office,
counterctl and the embedded demo are handed what is built here, and build nothing themselves.
The SMS gateway is HTTP when ``[sms] gateway_url`` is configured, none otherwise.

`counter_context(counter, ...)` adds what the window needs: the purchase card in the
configured reader with its monitor and the technicians' workbench on it (only when the window
asks for the card: optional parts are explicit, never probed), the outbox's gateway for the
back office (the configured one, else the file of the embedded default in the data
directory) and the printer settings.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.config import (
    Config,
    ConfigError,
    DispatchMode,
    MeterLinkConfig,
    load_config,
    read_token,
)
from counter_app.server.workers import HandoverWorkers
from counter_app.services.context import ServiceContext
from counter_app.services.ports import (
    DispatchAttemptReport,
    Dispatcher,
    DispatchProgress,
    DispatchReport,
    MeterProbe,
    SmsGateway,
    TaskHandover,
)
from counter_app.services.registry import Services, build_services
from counter_app.services.sms_gateways import OUTBOX_FILE_NAME, FileSmsGateway, HttpSmsGateway
from counter_app.store.database import bind_database
from counter_app.store.upgrade import Upgrade, upgrade_database

if TYPE_CHECKING:
    from card_io.purchase_card import PurchaseCard
    from card_io.reader import CardMonitor
    from card_io.security import CardCrypto
    from counter_app.server.station_client import CollectionSystemDispatcher
    from counter_app.services.cards import CardWorkbench
    from counter_app.ui.context import CounterContext, EmbeddedDemo

CardMonitorFactory = Callable[[Callable[[object], None]], "CardMonitor"]
"""Makes a started-later `card_io.reader.CardMonitor` for a callback of card events."""


class MeterLinkDispatcher:
    """The `Dispatcher` port over DL/T 645-2007 (R7–R9 run by `meter_link.dispatch`)."""

    def __init__(
        self,
        link: MeterLinkConfig,
        *,
        security: Any = None,
        client_factory: Callable[[str], Any] | None = None,
    ) -> None:
        from meter_link.security import SoftwareSecurityModule

        self.link = link
        self.security = security or SoftwareSecurityModule.from_config(link.key_file)
        self._client_factory = client_factory
        self._dispatchers: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _dispatcher_for(self, address: str) -> Any:
        from meter_link.client import Dlt645Client
        from meter_link.dispatch import MeterDispatcher

        url = self.link.url_for(address)
        if url is None:
            raise LookupError(f"no meter link configured for meter {address}")
        with self._lock:
            if url not in self._dispatchers:
                client = (self._client_factory or Dlt645Client)(url)
                self._dispatchers[url] = MeterDispatcher(client, self.security)
            return self._dispatchers[url]

    def dispatch(
        self,
        meter_address: str,
        customer_no: str,
        amount_fen: int,
        count: int,
        progress: DispatchProgress | None = None,
        *,
        meter_no: str | None = None,
    ) -> DispatchReport:
        from meter_link.dispatch import DispatchRequest

        def relay(step: Any, attempt: int, total: int) -> None:
            if progress is not None:
                progress(str(getattr(step, "value", step)), attempt)

        request = DispatchRequest(meter_address, customer_no, amount_fen, count, meter_no=meter_no)
        result = self._dispatcher_for(meter_address).dispatch(request, relay)
        return DispatchReport(
            outcome=str(result.outcome.value),
            reason=str(result.reason),
            balance_fen=result.balance_fen,
            count=result.count,
            attempts=tuple(
                DispatchAttemptReport(
                    attempt_no=a.attempt,
                    outcome=str(a.outcome.value),
                    reason=str(a.reason),
                    balance_fen=a.balance_fen,
                    count=a.count,
                    step_timings={k: round(float(v), 4) for k, v in a.step_times.items()},
                    started_at=a.started_at.replace(tzinfo=None),
                    duration_ms=int(a.duration_s * 1000),
                )
                for a in result.attempts
            ),
        )

    def probe(self, meter_address: str) -> MeterProbe:
        reading = self._dispatcher_for(meter_address).probe(meter_address)
        return MeterProbe(
            reading.balance_fen, reading.count, reading.last_purchase_fen, reading.overdraft_fen
        )

    def open_account(
        self, meter_address: str, customer_no: str, *, meter_no: str | None = None
    ) -> MeterProbe:
        """R18: remote account opening (070101FF) through the meter link."""
        reading = self._dispatcher_for(meter_address).open_account(
            meter_address, customer_no, meter_no=meter_no
        )
        return MeterProbe(reading.balance_fen, reading.count, reading.last_purchase_fen)

    def close(self) -> None:
        with self._lock:
            for d in self._dispatchers.values():
                d.client.close()
            self._dispatchers.clear()


@dataclass
class Counter:
    """A ready counter: its configuration and services."""

    config: Config
    services: Services
    upgrade: Upgrade | None = None

    def close(self) -> None:
        dispatcher = self.services.ctx.dispatcher
        close = getattr(dispatcher, "close", None)
        if callable(close):
            close()


def make_collection_system(config: Config) -> CollectionSystemDispatcher:
    """The configured collection system (``[station]``), with its bearer token. Its HTTP
    client is imported here, by the configurations that dispatch through a station."""
    from counter_app.server.station_client import CollectionSystemDispatcher

    if not config.station.url:
        raise ConfigError(config.source, 'dispatch = "station" needs [station] url')
    token = read_token(config.station.token_file, "station token")
    return CollectionSystemDispatcher(
        config.station.url,
        token,
        callback_url=config.station.callback_url,
        origin=f"counter:{config.counter_id}",
    )


def card_crypto_from_environment() -> CardCrypto | None:
    """The card keys (``CARD_KEY_FILE`` or ``CARD_MASTER_KEY``), or None: cards are then read
    but not written (the card library says "no card keys configured" when asked to)."""
    from card_io.errors import CardError
    from card_io.security import SoftwareCardCrypto

    try:
        return SoftwareCardCrypto.from_environment()
    except CardError:
        return None


def open_purchase_card(
    reader_name: str | None, crypto: CardCrypto | None, *, wait_s: float = 0.5
) -> PurchaseCard:
    """The purchase card in the configured reader (PC/SC errors surface when it is used)."""
    from card_io.purchase_card import PurchaseCard
    from card_io.reader import PcscReader

    return PurchaseCard(PcscReader(reader_name or None), crypto, wait_s=wait_s)


def card_monitor_factory(reader_name: str | None) -> CardMonitorFactory:
    """Makes the insert/remove monitor of the configured reader for a callback."""
    from card_io.reader import CardMonitor

    def monitor(callback: Callable[[object], None]) -> CardMonitor:
        return CardMonitor(callback, name_fragment=reader_name or None)

    return monitor


def make_dispatcher(config: Config) -> Dispatcher | None:
    """The direct meter link when configured, or None (purchases then stay queued)."""
    if not config.meter_link.configured:
        if config.dispatch == DispatchMode.DIRECT:
            raise ConfigError(config.source, 'dispatch = "direct" needs [meter_link] url')
        return None
    return MeterLinkDispatcher(config.meter_link)


def open_counter(
    config: Config | None = None,
    *,
    dispatcher: Dispatcher | None = None,
    handover: TaskHandover | None = None,
    use_meter_link: bool = True,
    migrate_schema: bool = True,
) -> Counter:
    """Bind and migrate the database, build the services of this counter.

    `dispatcher` / `handover` given: used as they are (tests, the embedded demo). Otherwise
    the configured dispatch mode decides; ``use_meter_link=False`` builds a counter that
    dispatches nothing (bookkeeping commands).
    """
    from counter_app.services import auth

    config = config or load_config()
    auth.set_lockout_policy(auth.LockoutPolicy(config.lockout_attempts, config.lockout_minutes))
    bind_database(config.database_url)
    # An upgraded program migrates the hall's database on its first start, after a backup
    # copy; a database from a newer program is refused untouched (store.upgrade).
    upgrade = upgrade_database() if migrate_schema else None
    if dispatcher is None and handover is None and use_meter_link:
        if config.dispatch_mode == DispatchMode.STATION:
            station = make_collection_system(config)
            dispatcher, handover = station, station
        else:
            dispatcher = make_dispatcher(config)
    gateway = HttpSmsGateway(config.sms_gateway_url) if config.sms_gateway_url else None
    ctx = ServiceContext(
        counter_id=config.counter_id,
        dispatcher=dispatcher,
        sms_gateway=gateway,
        handover=handover,
        handover_wait_s=config.station.wait_seconds,
    )
    return Counter(config, build_services(ctx), upgrade)


def make_workers(counter: Counter, *, interval_s: float = 1.0) -> HandoverWorkers:
    """The hand-over workers of a counter in station mode (`ConfigError` otherwise)."""
    handover = counter.services.dispatch.handover
    if handover is None:
        raise ConfigError(
            counter.config.source, 'the workers need dispatch = "station" and a [station] url'
        )
    return HandoverWorkers(
        handover, interval_s=interval_s, sms_gateway=counter.services.ctx.sms_gateway
    )


def outbox_gateway(counter: Counter, data_dir: Path) -> SmsGateway:
    """The gateway the back office's "send now" uses: the configured HTTP gateway, else the
    file of the embedded default (``sms-sent.jsonl`` in `data_dir`)."""
    configured = counter.services.ctx.sms_gateway
    return configured or FileSmsGateway(data_dir / OUTBOX_FILE_NAME)


@dataclass
class CardDevices:
    """The purchase card in the configured reader, its insert/remove monitor, the card keys
    (None: cards are read, not written) and the technicians' workbench on that card."""

    purchase_card: PurchaseCard
    monitor_factory: CardMonitorFactory
    crypto: CardCrypto | None
    workbench: CardWorkbench


def open_card_devices(
    services: Services,
    reader_name: str | None,
    crypto: CardCrypto | None,
    *,
    wait_s: float = 0.5,
) -> CardDevices:
    """The card side of the counter (PC/SC errors surface when the card is used)."""
    from counter_app.services.cards import CardWorkbench

    card = open_purchase_card(reader_name, crypto, wait_s=wait_s)
    return CardDevices(
        purchase_card=card,
        monitor_factory=card_monitor_factory(reader_name),
        crypto=crypto,
        workbench=CardWorkbench(services.ctx, services.cards, card),
    )


def counter_context(
    counter: Counter,
    *,
    reader_name: str | None = None,
    card_crypto: CardCrypto | None = None,
    with_card: bool = True,
    embedded: EmbeddedDemo | None = None,
    data_dir: Path | None = None,
) -> CounterContext:
    """The window's `CounterContext` from a bootstrapped `Counter` (and the embedded demo's
    devices, closed with it)."""
    from counter_app.config import data_dir as default_data_dir
    from counter_app.services import auth
    from counter_app.services.receipts import PaperSize
    from counter_app.ui.context import CounterContext

    services = counter.services
    devices = open_card_devices(services, reader_name, card_crypto) if with_card else None
    paper = PaperSize(os.environ.get("COUNTER_PAPER", PaperSize.ROLL_80MM.value))
    directory = data_dir or getattr(embedded, "directory", None) or default_data_dir()

    def close() -> None:
        counter.close()
        if embedded is not None:
            embedded.close()

    return CounterContext(
        counter_id=str(services.ctx.counter_id),
        payments=services.payments,
        dispatch=services.dispatch,
        reversals=services.reversals,
        cards=services.cards,
        shifts=services.shifts,
        sign_in=lambda username, password, counter_id: auth.sign_in(
            username, password, counter_id=counter_id
        ),
        purchase_card=None if devices is None else devices.purchase_card,
        card_monitor_factory=None if devices is None else devices.monitor_factory,
        printer_name=str(counter.config.printer_name or ""),
        paper=paper,
        embedded=embedded,
        close=close,
        counter=counter,
        card_crypto=card_crypto,
        training=embedded is not None,
        desk=counter.config.desk,
        receipt_printer=counter.config.receipt_printer,
        services=services,
        card_workbench=None if devices is None else devices.workbench,
        sms_gateway=outbox_gateway(counter, Path(directory)),
        data_dir=Path(directory),
    )
