"""What the counter window is given: services, devices and settings (no Qt here).

Built by ``counter_app.app`` from the composition root (``counter_app.bootstrap``) or from
the embedded defaults (``counter_app.embedded``); tests build it the same way, against the
simulators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from counter_app.config import DeskConfig, ThermalPrinterConfig
from counter_app.services.auth import SignedInUser
from counter_app.services.cards import CardService, CardWorkbench
from counter_app.services.dispatching import DispatchService
from counter_app.services.payments import PaymentService
from counter_app.services.ports import SmsGateway
from counter_app.services.receipts import PaperSize
from counter_app.services.registry import Services
from counter_app.services.reversals import ReversalService
from counter_app.services.shifts import ShiftService

if TYPE_CHECKING:
    from card_io.purchase_card import PurchaseCard
    from card_io.reader import CardMonitor
    from card_io.security import CardCrypto


@dataclass(frozen=True)
class Check:
    """One line of the start-up self-check: what, whether it works, and what to do if not."""

    name: str
    ok: bool
    detail: str = ""
    required: bool = False
    words: Callable[[], tuple[str, str]] | None = field(default=None, compare=False)
    """(name, detail) said again in the current language: the sign-in dialog switches
    language after the checks have answered, and their lines must follow."""


class EmbeddedDemo(Protocol):
    """The embedded demo's devices as the window sees them (``counter_app.embedded``)."""

    meter_url: str
    reader_name: str | None
    directory: Path

    def close(self) -> None: ...


CardMonitorFactory = Callable[[Callable[[object], None]], "CardMonitor"]


@dataclass
class CounterContext:
    """Services and devices of one counter, built by the composition root
    (``counter_app.bootstrap.counter_context``); nothing here builds anything.

    ``cards`` is the card-write bookkeeping service and ``purchase_card`` the purchase card
    on the configured reader (None without PC/SC); ``card_monitor_factory`` makes its
    insert/remove monitor for a callback; ``card_workbench`` is the technicians' workbench
    on that card; ``sms_gateway`` the back office's outbox gateway; ``counter`` the
    bootstrapped ``counter_app.bootstrap.Counter`` (configuration, upgrade report);
    ``services`` all services of the counter (offsets, recovery, …), built once.
    """

    counter_id: str
    payments: PaymentService
    dispatch: DispatchService
    reversals: ReversalService
    sign_in: Callable[[str, str, str], SignedInUser]
    services: Services
    cards: CardService | None = None
    shifts: ShiftService | None = None
    purchase_card: PurchaseCard | None = None
    card_monitor_factory: CardMonitorFactory | None = None
    printer_name: str = ""
    paper: PaperSize = PaperSize.ROLL_80MM
    checks: list[Check] = field(default_factory=list)
    embedded: EmbeddedDemo | None = None
    close: Callable[[], None] = lambda: None
    counter: object = None
    card_crypto: CardCrypto | None = None
    training: bool = False  # the embedded demo: banner on every window and receipt
    desk: DeskConfig = field(default_factory=DeskConfig)  # cash desk checks, receipt heading
    receipt_printer: ThermalPrinterConfig = field(default_factory=ThermalPrinterConfig)
    card_workbench: CardWorkbench | None = None
    sms_gateway: SmsGateway | None = None
    data_dir: Path | None = None


def shift_of(moment: dt.datetime) -> tuple[str, dt.date]:
    """The shift a sign-in belongs to: "day" 08:00–20:00, else "night" (of the day it began)."""
    if 8 <= moment.hour < 20:
        return "day", moment.date()
    day = moment.date() if moment.hour >= 20 else moment.date() - dt.timedelta(days=1)
    return "night", day
