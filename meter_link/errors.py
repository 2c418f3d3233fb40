"""Failures a caller of the meter link must tell apart, under one base class.

No answer (the meter or the line is silent), garbled (bytes came but no valid reply),
exception reply (the meter refused a plain command: ERR byte), security refusal (the meter
refused a 03H command: SERR word). The dispatch procedure (R7/R8) maps each to an outcome.
"""

from __future__ import annotations

from .dlt645.codes import SerrFlag, describe_err, describe_serr


class LinkCause:
    """Where a link failure happened, as the dispatch result and the success board name it.

    The concentrator path has three places to fail: the terminal is not online at the
    station (GPRS down, heartbeats overdue), the terminal cannot reach the meter (carrier
    route lost), or the meter itself does not answer.
    """

    TERMINAL_OFFLINE = "terminal-offline"
    ROUTE_LOST = "route-lost"
    METER_SILENT = "meter-silent"
    ALL = (TERMINAL_OFFLINE, ROUTE_LOST, METER_SILENT)


class MeterLinkError(Exception):
    """Base of every meter-link failure; ``cause`` is a :class:`LinkCause` value or ``None``."""

    cause: str | None = None


class LinkUnavailable(MeterLinkError):
    """The serial port, serial server or socket could not be opened or broke."""


class NoAnswer(MeterLinkError):
    """Nothing usable came back before the command's timeout."""

    cause: str | None = LinkCause.METER_SILENT

    def __init__(self, message: str, *, received: int = 0) -> None:
        super().__init__(message)
        self.received = received


class TerminalOffline(LinkUnavailable):
    """The terminal the meter sits behind is not online at the station (or stopped answering)."""

    cause = LinkCause.TERMINAL_OFFLINE


class RouteLost(LinkUnavailable):
    """The terminal is online but cannot reach the meter (carrier route or RS-485 lost).

    The terminal refused to forward (AFN 00H deny to an AFN 10H F1): the frame never reached
    the meter, so even a recharge is known not to have been applied.
    """

    cause = LinkCause.ROUTE_LOST


class MeterSilent(NoAnswer):
    """The terminal forwarded the frame and heard nothing back from the meter (k = 0)."""


class Garbled(MeterLinkError):
    """Bytes came back, but no valid reply from the addressed meter among them."""

    def __init__(self, message: str, *, received: int = 0) -> None:
        super().__init__(message)
        self.received = received


class ExceptionReply(MeterLinkError):
    """The meter answered a plain command with an exception frame carrying ERR."""

    def __init__(self, err: int, *, function: int) -> None:
        self.err = err
        self.function = function
        self.reasons = describe_err(err)
        super().__init__(
            f"meter refused function {function:02X}H: ERR 0x{err:02X} ({'; '.join(self.reasons)})"
        )


class SecurityRefusal(MeterLinkError):
    """The meter answered a 03H security command with C3H carrying SERR."""

    def __init__(self, serr: int, *, di: int) -> None:
        self.serr = serr
        self.di = di
        self.reasons = describe_serr(serr)
        super().__init__(f"meter refused {di:08X}: SERR 0x{serr:04X} ({'; '.join(self.reasons)})")

    @property
    def flags(self) -> SerrFlag:
        """SERR as flags."""
        return SerrFlag(self.serr)
