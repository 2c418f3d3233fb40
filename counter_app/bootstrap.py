"""Composition root: configuration in, adapters chosen, services out.

`open_counter(config)` binds the database, migrates it, picks the dispatcher (the DL/T 645
meter link when one is configured, none otherwise) and returns the `Services` of this counter.
`MeterLinkDispatcher` adapts `meter_link.dispatch.MeterDispatcher` to the services'
`Dispatcher` port (one `Dlt645Client` per link URL, opened on first use).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from counter_app.config import Config, MeterLinkConfig, load_config
from counter_app.services.context import ServiceContext
from counter_app.services.ports import (
    DispatchAttemptReport,
    Dispatcher,
    DispatchProgress,
    DispatchReport,
    MeterProbe,
)
from counter_app.services.registry import Services, build_services
from counter_app.store.database import bind_database
from counter_app.store.upgrade import Upgrade, upgrade_database


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


class HttpSmsGateway:
    """The `SmsGateway` port over HTTP: POSTs ``{"phone": ..., "body": ...}`` as JSON to the
    configured URL; any 2xx answer means sent, anything else raises (the outbox retries, R11)."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, phone: str, body: str) -> None:
        import json
        import urllib.request

        data = json.dumps({"phone": phone, "body": body}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            if not 200 <= response.status < 300:
                raise ConnectionError(f"SMS gateway answered HTTP {response.status}")


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


def make_dispatcher(config: Config) -> Dispatcher | None:
    """The configured meter link, or None (purchases then stay queued)."""
    if not config.meter_link.configured:
        return None
    return MeterLinkDispatcher(config.meter_link)


def open_counter(
    config: Config | None = None,
    *,
    dispatcher: Dispatcher | None = None,
    use_meter_link: bool = True,
    migrate_schema: bool = True,
) -> Counter:
    """Bind and migrate the database, build the services of this counter."""
    from counter_app.services import auth

    config = config or load_config()
    auth.set_lockout_policy(auth.LockoutPolicy(config.lockout_attempts, config.lockout_minutes))
    bind_database(config.database_url)
    # An upgraded program migrates the hall's database on its first start, after a backup
    # copy; a database from a newer program is refused untouched (store.upgrade).
    upgrade = upgrade_database() if migrate_schema else None
    if dispatcher is None and use_meter_link:
        dispatcher = make_dispatcher(config)
    gateway = HttpSmsGateway(config.sms_gateway_url) if config.sms_gateway_url else None
    ctx = ServiceContext(counter_id=config.counter_id, dispatcher=dispatcher, sms_gateway=gateway)
    return Counter(config, build_services(ctx), upgrade)
