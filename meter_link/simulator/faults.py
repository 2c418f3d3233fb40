"""Faults the simulated bus can inject, per meter or for the whole bus.

They reproduce what a counter meets in the field: a meter that does not answer (power cut,
broken RS-485 pair), a reply lost *after* the meter applied a recharge (the case R8 exists
for), a slow meter or concentrator, bytes corrupted by line noise, a bus down for a while.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FaultKind(enum.Enum):
    """What goes wrong."""

    NO_REPLY = "no-reply"
    REPLY_LOST_AFTER_APPLY = "reply-lost-after-apply"
    SLOW_REPLY = "slow-reply"
    CORRUPT = "corrupt"


@dataclass(slots=True)
class Fault:
    """One fault: its kind, how many matching requests it hits (``None`` = all), filters.

    ``di`` / ``function`` restrict the fault to requests carrying that data identifier or
    function code (e.g. ``di=0x070102FF`` loses only recharge replies).
    """

    kind: FaultKind
    times: int | None = 1
    di: int | None = None
    function: int | None = None
    seconds: float = 0.0

    def matches(self, di: int | None, function: int) -> bool:
        """Whether this fault applies to a request with ``di`` and ``function``."""
        if self.times is not None and self.times <= 0:
            return False
        if self.di is not None and self.di != di:
            return False
        return self.function is None or self.function == function

    def consume(self) -> None:
        """Count one hit."""
        if self.times is not None:
            self.times -= 1

    @classmethod
    def parse(cls, text: str) -> Fault:
        """From the CLI form ``kind[:seconds][@DI][*times]``.

        Example: ``reply-lost-after-apply@070102FF``, ``slow-reply:2.5*all``.
        """
        times: int | None = 1
        di: int | None = None
        seconds = 0.0
        if "*" in text:
            text, count = text.split("*", 1)
            times = None if count in ("", "all") else int(count)
        if "@" in text:
            text, di_text = text.split("@", 1)
            di = int(di_text, 16)
        if ":" in text:
            text, sec = text.split(":", 1)
            seconds = float(sec)
        return cls(FaultKind(text), times, di, None, seconds)
