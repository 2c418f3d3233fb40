"""What the back office is given: services, owner threads, devices, settings.

A plain dataclass, like the counter window's ``CounterContext``: the back-office tabs
(work orders, card workbench, outbox, shifts, success board, audit, users) take it and the
signed-in user, and never build a service or open a device themselves. ``workers`` are the
counter's owner threads (``ui.workers.Workers``: meter bus, card reader, database): a retry
runs on the meter bus's thread, a card operation on the card reader's, a query on the
database's; ``events`` brings card insert/remove events to the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_app.services.registry import Services


@dataclass
class BackOfficeContext:
    """Services and devices of the back office of one counter.

    ``purchase_card``: a ``card_io.purchase_card.PurchaseCard`` on the configured reader
    (None without PC/SC: the card workbench says so); ``card_monitor_factory(callback)``
    makes a ``card_io.reader.CardMonitor``; ``sms_gateway`` is the ``SmsGateway`` port the
    outbox's "send now" uses (None: the services context's gateway, else nothing to send
    with); ``data_dir`` holds the file gateway's messages and exports.
    """

    services: Services
    counter_id: str
    workers: Any
    events: Any = None
    purchase_card: Any = None
    card_monitor_factory: Callable[[Callable[[object], None]], Any] | None = None
    sms_gateway: Any = None
    card_crypto: Any = None
    data_dir: Path | None = None
    printer_name: str = ""
    training: bool = False  # the embedded demo: the window carries the training banner
    desk: Any = None  # config.DeskConfig: the hall and supplier the deposit slip names

    @property
    def gateway(self) -> Any:
        """The SMS gateway to send with (this context's, else the services')."""
        return self.sms_gateway or self.services.ctx.sms_gateway

    @classmethod
    def from_counter(
        cls,
        counter: Any,
        workers: Any,
        events: Any = None,
        *,
        purchase_card: Any = None,
        card_monitor_factory: Callable[[Callable[[object], None]], Any] | None = None,
        card_crypto: Any = None,
        sms_gateway: Any = None,
        data_dir: Path | None = None,
        training: bool = False,
    ) -> BackOfficeContext:
        """From a bootstrapped ``counter_app.bootstrap.Counter`` and the window's threads.

        Without ``sms_gateway``: the configured HTTP gateway (``[sms] gateway_url``), else the
        file gateway in ``data_dir`` (the embedded default, ``sms-sent.jsonl``).
        """
        from counter_app.config import data_dir as default_data_dir
        from counter_app.services.sms_gateways import gateway_for

        config = counter.config
        directory = data_dir or default_data_dir()
        if sms_gateway is None:
            sms_gateway = counter.services.ctx.sms_gateway or gateway_for(
                str(getattr(config, "sms_gateway_url", "") or ""), directory
            )
        return cls(
            services=counter.services,
            counter_id=str(counter.services.ctx.counter_id),
            workers=workers,
            events=events,
            purchase_card=purchase_card,
            card_monitor_factory=card_monitor_factory,
            sms_gateway=sms_gateway,
            card_crypto=card_crypto,
            data_dir=directory,
            printer_name=str(getattr(config, "printer_name", "") or ""),
            training=training,
            desk=getattr(config, "desk", None),
        )

    @classmethod
    def from_counter_context(
        cls, counter_context: Any, services: Services, workers: Any, events: Any = None, **kw: Any
    ) -> BackOfficeContext:
        """From the counter window's ``CounterContext`` (same card reader and monitor)."""
        return cls(
            services=services,
            counter_id=str(counter_context.counter_id),
            workers=workers,
            events=events,
            purchase_card=counter_context.purchase_card,
            card_monitor_factory=counter_context.card_monitor_factory,
            printer_name=str(getattr(counter_context, "printer_name", "") or ""),
            training=counter_context.training,
            **kw,
        )
