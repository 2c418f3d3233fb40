"""The purchase state machine: every legal transition, and every other pair refused."""

from __future__ import annotations

import itertools

import pytest

from counter_app.core.purchase_state import (
    FINAL,
    IN_TRANSIT,
    TRANSITIONS,
    UNRESOLVED,
    IllegalTransition,
    PurchaseEvent,
    PurchaseState,
    legal_events,
    transition,
)

S = PurchaseState
E = PurchaseEvent

#: The table written out independently of the module, so a changed transition fails here.
EXPECTED = {
    (S.CREATED, E.START_DISPATCH): S.DISPATCHING,
    (S.CREATED, E.START_CARD_WRITE): S.CARD_WRITING,
    (S.CREATED, E.REVERSE): S.REVERSED,
    (S.DISPATCHING, E.DISPATCH_SUCCEEDED): S.LOADED,
    (S.DISPATCHING, E.DISPATCH_FAILED): S.FAILED,
    (S.DISPATCHING, E.METER_CONFIRMED): S.LOADED,
    (S.FAILED, E.START_DISPATCH): S.DISPATCHING,
    (S.FAILED, E.OPEN_WORK_ORDER): S.WORK_ORDER,
    (S.FAILED, E.START_CARD_WRITE): S.CARD_WRITING,
    (S.FAILED, E.METER_CONFIRMED): S.LOADED,
    (S.FAILED, E.REVERSE): S.REVERSED,
    (S.WORK_ORDER, E.START_DISPATCH): S.DISPATCHING,
    (S.WORK_ORDER, E.START_CARD_WRITE): S.CARD_WRITING,
    (S.WORK_ORDER, E.METER_CONFIRMED): S.LOADED,
    (S.WORK_ORDER, E.REVERSE): S.REVERSED,
    (S.CARD_WRITING, E.CARD_WRITE_CONFIRMED): S.CARD_WRITTEN,
    (S.CARD_WRITING, E.CARD_WRITE_ABANDONED): S.CREATED,
    (S.CARD_WRITTEN, E.METER_CONFIRMED): S.LOADED,
    (S.CARD_WRITTEN, E.DISPATCH_SUCCEEDED): S.LOADED,
    (S.CARD_WRITTEN, E.DISPATCH_FAILED): S.CARD_WRITTEN,
    (S.CARD_WRITTEN, E.CARD_CLEARED): S.CREATED,
}
ALL_PAIRS = list(itertools.product(PurchaseState, PurchaseEvent))
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in EXPECTED]


def test_the_table_is_the_documented_one() -> None:
    assert dict(TRANSITIONS) == EXPECTED


@pytest.mark.parametrize(("state", "event"), list(EXPECTED), ids=lambda x: str(x))
def test_legal_transition(state: PurchaseState, event: PurchaseEvent) -> None:
    assert transition(state, event) is EXPECTED[(state, event)]
    assert event in legal_events(state)


@pytest.mark.parametrize(("state", "event"), ILLEGAL, ids=lambda x: str(x))
def test_every_other_pair_raises_illegal_transition(
    state: PurchaseState, event: PurchaseEvent
) -> None:
    with pytest.raises(IllegalTransition) as caught:
        transition(state, event)
    assert caught.value.state is state
    assert caught.value.event is event
    assert state.value in str(caught.value) and event.value in str(caught.value)
    assert event not in legal_events(state)


def test_matrix_is_complete() -> None:
    assert len(ALL_PAIRS) == len(PurchaseState) * len(PurchaseEvent)
    assert len(EXPECTED) + len(ILLEGAL) == len(ALL_PAIRS)


def test_final_states_take_no_event() -> None:
    for state in FINAL:
        assert legal_events(state) == frozenset()


def test_r15_loaded_purchase_is_never_reversed_the_meter_keeps_its_credit() -> None:
    with pytest.raises(IllegalTransition):
        transition(S.LOADED, E.REVERSE)


def test_r16_unresolved_states_cannot_be_reversed() -> None:
    assert set(UNRESOLVED) == {S.DISPATCHING, S.CARD_WRITING}
    for state in UNRESOLVED:
        with pytest.raises(IllegalTransition):
            transition(state, E.REVERSE)


def test_r16_card_written_is_reversed_only_after_clearing_the_card() -> None:
    with pytest.raises(IllegalTransition):
        transition(S.CARD_WRITTEN, E.REVERSE)
    cleared = transition(S.CARD_WRITTEN, E.CARD_CLEARED)
    assert transition(cleared, E.REVERSE) is S.REVERSED


def test_i1_in_transit_is_every_state_but_loaded_and_reversed() -> None:
    in_transit = set(IN_TRANSIT)
    assert in_transit == set(PurchaseState) - {S.LOADED, S.REVERSED}
    assert UNRESOLVED <= IN_TRANSIT


def test_main_path_created_to_loaded_through_work_order_and_card() -> None:
    """The path DOMAIN.md names: created → dispatching → failed → work order → card → loaded."""
    state = S.CREATED
    for event in (
        E.START_DISPATCH,
        E.DISPATCH_FAILED,
        E.OPEN_WORK_ORDER,
        E.START_DISPATCH,
        E.DISPATCH_FAILED,
        E.OPEN_WORK_ORDER,
        E.START_CARD_WRITE,
        E.CARD_WRITE_CONFIRMED,
        E.METER_CONFIRMED,
    ):
        state = transition(state, event)
    assert state is S.LOADED


def test_r5_terminal_card_and_remote_twin_same_purchase() -> None:
    """R5: the card is written and the same n dispatched; whichever arrives first loads it."""
    written = transition(transition(S.CREATED, E.START_CARD_WRITE), E.CARD_WRITE_CONFIRMED)
    assert transition(written, E.DISPATCH_SUCCEEDED) is S.LOADED
    assert transition(written, E.DISPATCH_FAILED) is S.CARD_WRITTEN


def test_transition_accepts_string_values() -> None:
    assert transition("created", "start-dispatch") is S.DISPATCHING  # type: ignore[arg-type]
