"""R4/R5 payment channels.

Every channel follows R1-R4 and the multi-meter rule (R6); what differs is only whether the
money is a customer's purchase of electricity (counter, terminal, bank, other) or a bookkeeping
movement (a transfer, prepayment offsetting arrears: R4), and whether the channel itself writes a
purchase card (a self-service terminal, R5).
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """Where a payment came from (R5; R4 for transfer and offset)."""

    COUNTER = "counter"  # 柜台
    TERMINAL = "terminal"  # self-service terminal, ATM/POS
    BANK = "bank"  # 银行代收
    TRANSFER = "transfer"  # R4: a transfer between accounts
    OFFSET = "offset"  # R4: prepayment offsetting arrears (no new money)
    OTHER = "other"


_PURCHASE_CHANNELS = frozenset({Channel.COUNTER, Channel.TERMINAL, Channel.BANK, Channel.OTHER})


def is_purchase_channel(channel: Channel) -> bool:
    """R4/R5: is this a customer's purchase (True) or a non-purchase movement (False)?

    Non-purchase channels (transfer, offset) still go through R1-R3 and may dispatch; like every
    channel they dispatch nothing while arrears remain (R4).
    """
    return Channel(channel) in _PURCHASE_CHANNELS


def is_new_money(channel: Channel) -> bool:
    """Does a payment on this channel bring money in (counts as "paid" for I1)?

    Only ``OFFSET`` does not: it spends prepayment the customer already has on arrears (R4).
    """
    return Channel(channel) is not Channel.OFFSET


def terminal_writes_card(channel: Channel) -> bool:
    """R5: a terminal that writes a purchase card also dispatches the same purchase remotely.

    Both carry the same count ``n``; whichever reaches the meter first loads it, and the other is
    recognised as already loaded (R8).
    """
    return Channel(channel) is Channel.TERMINAL
