"""The purchase state machine: created → dispatching → loaded | failed → work order → card → loaded.

Only the transitions in :data:`TRANSITIONS` exist; anything else raises
:class:`IllegalTransition`, so a purchase can never be loaded twice, reversed while its recharge
may be on its way to the meter (R16), or left somewhere the services do not know how to resume
from after a restart (every state is persisted before the next device step).

Table (state + event → new state; the rule that wants it):

==============  ======================  ==============  =========================================
state           event                   new state       why
==============  ======================  ==============  =========================================
created         start-dispatch          dispatching     R3/R7 remote purchase
created         start-card-write        card-writing    R6/R12 card purchase; R5 terminal
created         reverse                 reversed        R15 not dispatched: purchase reversed
dispatching     dispatch-succeeded      loaded          R7 success, R8 already-loaded
dispatching     dispatch-failed         failed          R9 three attempts failed
dispatching     meter-confirmed         loaded          R8 probe after a restart says loaded
failed          start-dispatch          dispatching     R8/R9 retry, same n
failed          open-work-order         work-order      R10
failed          start-card-write        card-writing    R10/R12 customer brought the card
failed          meter-confirmed         loaded          R13 write-back shows it loaded
failed          reverse                 reversed        R15 dispatch failed
work-order      start-dispatch          dispatching     R10 inspection staff retry (R7-R9)
work-order      start-card-write        card-writing    R10 order closed failed, write card
work-order      meter-confirmed         loaded          R13 write-back shows it loaded
work-order      reverse                 reversed        R15 dispatch failed, not on a card
card-writing    card-write-confirmed    card-written    R12 read back matches
card-writing    card-write-abandoned    created         R12 card read again: nothing written
card-written    meter-confirmed         loaded          R13 write-back carries count n
card-written    dispatch-succeeded      loaded          R5 terminal's remote twin loaded it
card-written    dispatch-failed         card-written    R5 remote twin failed: the card has it
card-written    card-cleared            created         R16 card read and purchase cleared
==============  ======================  ==============  =========================================

``loaded`` and ``reversed`` are final. A reversal of a loaded purchase's payment (R15) leaves the
purchase ``loaded``: the meter keeps its credit.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class PurchaseState(StrEnum):
    """Where a purchase (amount + meter + count n) stands."""

    CREATED = "created"
    DISPATCHING = "dispatching"
    LOADED = "loaded"
    FAILED = "failed"
    WORK_ORDER = "work-order"
    CARD_WRITING = "card-writing"
    CARD_WRITTEN = "card-written"
    REVERSED = "reversed"


class PurchaseEvent(StrEnum):
    """What happened to a purchase."""

    START_DISPATCH = "start-dispatch"
    DISPATCH_SUCCEEDED = "dispatch-succeeded"
    DISPATCH_FAILED = "dispatch-failed"
    OPEN_WORK_ORDER = "open-work-order"
    START_CARD_WRITE = "start-card-write"
    CARD_WRITE_CONFIRMED = "card-write-confirmed"
    CARD_WRITE_ABANDONED = "card-write-abandoned"  # R12: card read back unchanged
    CARD_CLEARED = "card-cleared"  # R16: purchase removed from a card that did not load it
    METER_CONFIRMED = "meter-confirmed"  # R8 probe or R13 write-back says loaded
    REVERSE = "reverse"


class IllegalTransition(Exception):
    """``event`` is not allowed in ``state``; nothing was changed."""

    def __init__(self, state: PurchaseState, event: PurchaseEvent) -> None:
        super().__init__(f"purchase in state {state.value!r} cannot take event {event.value!r}")
        self.state = state
        self.event = event


_S = PurchaseState
_E = PurchaseEvent

#: Every legal transition; the module docstring explains each one.
TRANSITIONS: Final[Mapping[tuple[PurchaseState, PurchaseEvent], PurchaseState]] = MappingProxyType(
    {
        (_S.CREATED, _E.START_DISPATCH): _S.DISPATCHING,
        (_S.CREATED, _E.START_CARD_WRITE): _S.CARD_WRITING,
        (_S.CREATED, _E.REVERSE): _S.REVERSED,
        (_S.DISPATCHING, _E.DISPATCH_SUCCEEDED): _S.LOADED,
        (_S.DISPATCHING, _E.DISPATCH_FAILED): _S.FAILED,
        (_S.DISPATCHING, _E.METER_CONFIRMED): _S.LOADED,
        (_S.FAILED, _E.START_DISPATCH): _S.DISPATCHING,
        (_S.FAILED, _E.OPEN_WORK_ORDER): _S.WORK_ORDER,
        (_S.FAILED, _E.START_CARD_WRITE): _S.CARD_WRITING,
        (_S.FAILED, _E.METER_CONFIRMED): _S.LOADED,
        (_S.FAILED, _E.REVERSE): _S.REVERSED,
        (_S.WORK_ORDER, _E.START_DISPATCH): _S.DISPATCHING,
        (_S.WORK_ORDER, _E.START_CARD_WRITE): _S.CARD_WRITING,
        (_S.WORK_ORDER, _E.METER_CONFIRMED): _S.LOADED,
        (_S.WORK_ORDER, _E.REVERSE): _S.REVERSED,
        (_S.CARD_WRITING, _E.CARD_WRITE_CONFIRMED): _S.CARD_WRITTEN,
        (_S.CARD_WRITING, _E.CARD_WRITE_ABANDONED): _S.CREATED,
        (_S.CARD_WRITTEN, _E.METER_CONFIRMED): _S.LOADED,
        (_S.CARD_WRITTEN, _E.DISPATCH_SUCCEEDED): _S.LOADED,
        (_S.CARD_WRITTEN, _E.DISPATCH_FAILED): _S.CARD_WRITTEN,
        (_S.CARD_WRITTEN, _E.CARD_CLEARED): _S.CREATED,
    }
)

#: R16: a device step may have reached the meter or card; reversal is refused, R8 probes first.
UNRESOLVED: Final = frozenset({PurchaseState.DISPATCHING, PurchaseState.CARD_WRITING})

#: I1: the purchase's money is "in transit" (taken from prepayment, not yet loaded or reversed).
IN_TRANSIT: Final = frozenset(
    {
        PurchaseState.CREATED,
        PurchaseState.DISPATCHING,
        PurchaseState.FAILED,
        PurchaseState.WORK_ORDER,
        PurchaseState.CARD_WRITING,
        PurchaseState.CARD_WRITTEN,
    }
)

#: No event leaves these states.
FINAL: Final = frozenset({PurchaseState.LOADED, PurchaseState.REVERSED})


def transition(state: PurchaseState, event: PurchaseEvent) -> PurchaseState:
    """The state after ``event``; raises :class:`IllegalTransition` if the table has no entry."""
    state = PurchaseState(state)
    event = PurchaseEvent(event)
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(state, event) from None


def legal_events(state: PurchaseState) -> frozenset[PurchaseEvent]:
    """Events ``state`` accepts (for enabling buttons and for tests)."""
    return frozenset(e for (s, e) in TRANSITIONS if s is PurchaseState(state))
