"""One exception tree for everything that can go wrong with a purchase card.

Every error carries the fields a user interface needs to explain it (reader name, status
word, counts) and a one-line ``str()`` that the CLI prints as is. The UI maps the classes
to translated texts; callers never parse messages.

PC/SC return codes are those of pcsc-lite / WinSCard (``SCARD_*``); the status words are
ISO 7816-4 plus the meter-side meanings listed in the card notes (6B00 on the parameter file
= unissued card, 6988/6989 = MAC error).
"""

from __future__ import annotations


class CardError(Exception):
    """Base of every card_io error. ``code`` is a stable machine-readable name."""

    code = "card-error"


# -- the PC/SC stack --------------------------------------------------------------------------


class NoPcscService(CardError):
    """The PC/SC service (pcscd, Windows "Smart Card" service) is not running or went away."""

    code = "no-pcsc-service"

    def __init__(self, detail: str = "", rc: int | None = None) -> None:
        self.rc = rc
        msg = "the smart-card service (pcscd) is not running"
        super().__init__(f"{msg}: {detail}" if detail else msg)


class NoReader(CardError):
    """No reader, or none whose name contains the configured fragment."""

    code = "no-reader"

    def __init__(self, fragment: str | None, available: list[str] | None = None) -> None:
        self.fragment = fragment
        self.available = list(available or [])
        if fragment:
            msg = f"no card reader whose name contains {fragment!r}"
        else:
            msg = "no card reader attached"
        if self.available:
            msg += f" (readers: {', '.join(self.available)})"
        super().__init__(msg)


class NoCard(CardError):
    """The reader is there but holds no card (or none appeared before the timeout)."""

    code = "no-card"

    def __init__(self, reader: str | None = None) -> None:
        self.reader = reader
        super().__init__(f"no card in reader {reader!r}" if reader else "no card in any reader")


class CardRemoved(CardError):
    """The card was pulled (or reset by someone else) during an operation.

    R12: the caller must read the card again to learn whether a write happened; it must
    never simply write again.
    """

    code = "card-removed"

    def __init__(self, reader: str | None = None, rc: int | None = None) -> None:
        self.reader = reader
        self.rc = rc
        super().__init__("the card was removed during the operation; read it again")


class SharingViolation(CardError):
    """Another program holds the card exclusively (SCARD_E_SHARING_VIOLATION 0x8010000B)."""

    code = "sharing-violation"

    def __init__(self, reader: str | None = None) -> None:
        self.reader = reader
        super().__init__(f"another program is using the card in {reader!r}; close it and retry")


class PcscFailure(CardError):
    """Any other PC/SC return code (kept with its number for the support report)."""

    code = "pcsc-failure"

    def __init__(self, step: str, rc: int, text: str = "") -> None:
        self.step = step
        self.rc = rc
        super().__init__(f"PC/SC error in {step}: 0x{rc:08X} {text}".rstrip())


# -- what the card answers --------------------------------------------------------------------


class CardStatusError(CardError):
    """The card answered an APDU with an unexpected status word."""

    code = "card-status"

    def __init__(self, step: str, sw: int) -> None:
        self.step = step
        self.sw = sw
        super().__init__(f"the card refused {step} (status {sw:04X})")


class WrongKeyOrMac(CardStatusError):
    """Authentication or MAC refused (SW 6300/63Cx/6988/6989): wrong key system or a foreign
    card. A real meter counts such insertions as illegal (card notes §2.4). ``tries_left`` is
    the x of 63Cx: the card blocks that key when it reaches zero."""

    code = "wrong-key-or-mac"

    def __init__(self, step: str, sw: int) -> None:
        tries = sw & 0x0F if (sw & 0xFFF0) == 0x63C0 else None
        msg = f"the card refused the key or MAC in {step} (status {sw:04X}): wrong keys?"
        if tries is not None:
            msg += f" {tries} tries left before the card blocks the key"
        CardError.__init__(self, msg)
        self.step = step
        self.sw = sw
        self.tries_left = tries


class CardBlocked(CardStatusError):
    """SW 6983: a key of the card is blocked after too many wrong cryptograms or MACs. Only
    the issuer's procedure unblocks it: the technician's workbench unblocks the card with the
    master key or re-issues it (R14)."""

    code = "card-blocked"

    def __init__(self, step: str, serial: str | None = None) -> None:
        CardError.__init__(
            self,
            f"the card is blocked (status 6983 in {step}) after too many failed key checks; "
            "send the customer to the technician's workbench to unblock or re-issue it",
        )
        self.step = step
        self.sw = 0x6983
        self.serial = serial


class ForgedCard(WrongKeyOrMac):
    """A file read with MAC does not carry the MAC a card holding our keys computes: the card
    is forged or foreign (or this counter holds other keys), and what it says (a meter's
    write-back) is not believed."""

    code = "forged-card"

    def __init__(self, what: str, serial: str | None = None) -> None:
        CardError.__init__(
            self,
            f"the MAC on the {what} does not verify: a forged or foreign card; it is not "
            "accepted (keep it and call the technician)",
        )
        self.step = f"read {what} with MAC"
        self.sw = 0x6988
        self.tries_left = None
        self.what = what
        self.serial = serial


class UnissuedCard(CardError):
    """The parameter file cannot be read (SW 6B00): the card was never issued."""

    code = "unissued-card"

    def __init__(self, serial: str | None = None) -> None:
        self.serial = serial
        super().__init__("the card is blank (never issued)")


class CardFormatError(CardError):
    """A file does not have the ``68 CMD LEN DATA CS 16`` frame or a field is not BCD."""

    code = "card-format"


class ForeignCard(CardError):
    """R12: the card names another customer or meter, or its serial is not the one registered
    for the account (a lost card replaced by a re-issued one, R14)."""

    code = "foreign-card"

    def __init__(self, field: str, expected: str, found: str) -> None:
        self.field = field
        self.expected = expected
        self.found = found
        super().__init__(f"wrong card: {field} is {found}, expected {expected}")


# -- business refusals (R12, R12a, R14, R16) ---------------------------------------------------


class CardRefused(CardError):
    """Base of the refusals decided by our rules rather than by the card."""

    code = "refused"


class CountMismatch(CardRefused):
    """R12: the card's purchase count is not the system's last committed count."""

    code = "count-mismatch"

    def __init__(self, card_count: int, expected: int) -> None:
        self.card_count = card_count
        self.expected = expected
        super().__init__(
            f"purchase count on the card is {card_count}, the system expects {expected}"
        )


class AmountMismatch(CardRefused):
    """R16: the card carries purchase ``count`` as expected, but of another amount."""

    code = "amount-mismatch"

    def __init__(self, count: int, card_amount_fen: int, expected_fen: int) -> None:
        self.count = count
        self.card_amount_fen = card_amount_fen
        self.expected_fen = expected_fen
        super().__init__(
            f"purchase {count} on the card is of {card_amount_fen} fen, "
            f"the system expects {expected_fen} fen"
        )


class PurchaseAlreadyOnCard(CountMismatch):
    """R12: exactly this purchase (amount, count) is already on the card: a repeated write
    (for instance after an interrupted one that did reach the card) is refused."""

    code = "already-on-card"

    def __init__(self, card_count: int, expected: int, amount_fen: int) -> None:
        super().__init__(card_count, expected)
        self.amount_fen = amount_fen
        CardError.__init__(
            self, f"purchase {card_count} of {amount_fen} fen is already on the card"
        )


class PreviousPurchaseNotLoaded(CardRefused):
    """R12a: the card still carries a purchase the meter has not loaded; the customer must
    insert the card into the meter first."""

    code = "previous-not-loaded"

    def __init__(self, wallet_count: int, writeback_count: int | None) -> None:
        self.wallet_count = wallet_count
        self.writeback_count = writeback_count
        seen = "no write-back" if writeback_count is None else f"meter count {writeback_count}"
        super().__init__(
            f"purchase {wallet_count} on the card has not reached the meter ({seen}); "
            "insert the card into the meter first"
        )


class PurchaseAlreadyLoaded(CardRefused):
    """R16: the purchase to clear has already been loaded by the meter (write-back shows it)."""

    code = "already-loaded"

    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(f"purchase {count} was already loaded by the meter; it cannot be cleared")


class OverHoardingLimit(CardRefused):
    """The meter would refuse the purchase: its last known remaining money plus the amount
    exceeds the hoarding limit (囤积门限; the meter loads nothing, Err-36)."""

    code = "over-hoarding-limit"

    def __init__(self, remaining_fen: int, amount_fen: int, limit_fen: int) -> None:
        self.remaining_fen = remaining_fen
        self.amount_fen = amount_fen
        self.limit_fen = limit_fen
        super().__init__(
            f"meter remaining {remaining_fen} fen + {amount_fen} fen exceeds the hoarding "
            f"limit of {limit_fen} fen"
        )


class InvalidAmount(CardRefused):
    """Amounts are integer fen, above zero and at most 999 999.99 yuan (the meter's limit)."""

    code = "invalid-amount"


class CardNotBlank(CardRefused):
    """Issue / re-issue (R14) needs a blank card unless overwriting is asked for."""

    code = "card-not-blank"

    def __init__(self, serial: str) -> None:
        self.serial = serial
        super().__init__(f"card {serial} is already issued; use a blank card")


class NoCardKeys(CardError):
    """No master key configured for the software crypto (CARD_MASTER_KEY or a key file)."""

    code = "no-card-keys"
