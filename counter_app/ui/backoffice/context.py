"""What the back office is given: services, owner threads, devices, settings.

A plain dataclass, like the counter window's ``CounterContext`` (and made from it, see
`BackOfficeContext.from_counter_context`): the back-office tabs
(work orders, card workbench, outbox, shifts, success board, audit, users) take it and the
signed-in user, and never build a service or open a device themselves. ``workers`` are the
counter's owner threads (``ui.workers.Workers``: meter bus, card reader, database): a retry
runs on the meter bus's thread, a card operation on the card reader's, a query on the
database's; ``events`` brings card insert/remove events to the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from counter_app.config import DeskConfig
from counter_app.services.cards import CardWorkbench
from counter_app.services.ports import SmsGateway
from counter_app.services.registry import Services
from counter_app.ui.context import CardMonitorFactory, CounterContext
from counter_app.ui.workers import DeviceEvents, Workers

if TYPE_CHECKING:
    from card_io.purchase_card import PurchaseCard
    from card_io.security import CardCrypto


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
    workers: Workers
    events: DeviceEvents | None = None
    purchase_card: PurchaseCard | None = None
    card_monitor_factory: CardMonitorFactory | None = None
    sms_gateway: SmsGateway | None = None
    card_crypto: CardCrypto | None = None
    data_dir: Path | None = None
    printer_name: str = ""
    training: bool = False  # the embedded demo: the window carries the training banner
    desk: DeskConfig | None = None  # the hall and supplier the deposit slip names
    card_workbench: CardWorkbench | None = None

    @property
    def gateway(self) -> SmsGateway | None:
        """The SMS gateway to send with (this context's, else the services')."""
        return self.sms_gateway or self.services.ctx.sms_gateway

    @classmethod
    def from_counter_context(
        cls,
        counter_context: CounterContext,
        workers: Workers,
        events: DeviceEvents | None = None,
    ) -> BackOfficeContext:
        """From the counter window's `CounterContext`: the same services, card reader,
        monitor, workbench, outbox gateway and data directory (the composition root built
        them, ``counter_app.bootstrap.counter_context``)."""
        return cls(
            services=counter_context.services,
            counter_id=str(counter_context.counter_id),
            workers=workers,
            events=events,
            purchase_card=counter_context.purchase_card,
            card_monitor_factory=counter_context.card_monitor_factory,
            card_workbench=counter_context.card_workbench,
            sms_gateway=counter_context.sms_gateway,
            card_crypto=counter_context.card_crypto,
            data_dir=counter_context.data_dir,
            printer_name=counter_context.printer_name,
            training=counter_context.training,
            desk=counter_context.desk,
        )
