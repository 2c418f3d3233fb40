"""What the counter window is given: services, devices and settings (no Qt here).

Built by ``counter_app.app`` from the composition root (``counter_app.bootstrap``) or from
the embedded defaults (``counter_app.embedded``); tests build it the same way, against the
simulators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from counter_app.config import DeskConfig, ThermalPrinterConfig
from counter_app.services.receipts import PaperSize


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


@dataclass
class CounterContext:
    """Services and devices of one counter.

    ``payments``, ``dispatch`` and ``reversals`` are the service objects of
    ``counter_app.services``; ``cards`` is the card-write bookkeeping service (None when not
    available) and ``purchase_card`` the ``card_io.purchase_card.PurchaseCard`` on the
    configured reader (None without PC/SC). ``card_monitor_factory`` makes a
    ``card_io.reader.CardMonitor`` for a callback (None without PC/SC).
    """

    counter_id: str
    payments: Any
    dispatch: Any
    reversals: Any
    sign_in: Callable[[str, str, str], Any]
    cards: Any = None
    shifts: Any = None
    purchase_card: Any = None
    card_monitor_factory: Callable[[Callable[[object], None]], Any] | None = None
    printer_name: str = ""
    paper: PaperSize = PaperSize.ROLL_80MM
    checks: list[Check] = field(default_factory=list)
    embedded: Any = None
    close: Callable[[], None] = lambda: None
    counter: Any = None  # the bootstrapped counter_app.bootstrap.Counter (for the back office)
    card_crypto: Any = None
    training: bool = False  # the embedded demo: banner on every window and receipt
    desk: DeskConfig = field(default_factory=DeskConfig)  # cash desk checks, receipt heading
    receipt_printer: ThermalPrinterConfig = field(default_factory=ThermalPrinterConfig)


def shift_of(moment: dt.datetime) -> tuple[str, dt.date]:
    """The shift a sign-in belongs to: "day" 08:00–20:00, else "night" (of the day it began)."""
    if 8 <= moment.hour < 20:
        return "day", moment.date()
    day = moment.date() if moment.hour >= 20 else moment.date() - dt.timedelta(days=1)
    return "night", day
