"""Failures a caller of the meter link must tell apart, under one base class.

No answer (the meter or the line is silent), garbled (bytes came but no valid reply),
exception reply (the meter refused a plain command: ERR byte), security refusal (the meter
refused a 03H command: SERR word). The dispatch procedure (R7/R8) maps each to an outcome.
"""

from __future__ import annotations

from .dlt645.codes import SerrFlag, describe_err, describe_serr


class MeterLinkError(Exception):
    """Base of every meter-link failure."""


class LinkUnavailable(MeterLinkError):
    """The serial port, serial server or socket could not be opened or broke."""


class NoAnswer(MeterLinkError):
    """Nothing usable came back before the command's timeout."""

    def __init__(self, message: str, *, received: int = 0) -> None:
        super().__init__(message)
        self.received = received


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
