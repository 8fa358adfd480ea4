"""The state machine as a specification: every allowed move, every forbidden one (pure, no fixtures)."""

from __future__ import annotations

import itertools

import pytest

from storebridge.errors import PermanentError
from storebridge.store import (
    CREATE_ATTEMPT_STATES,
    FAILURE_STATES,
    INITIAL_STATE,
    OPERATOR_ONLY,
    REDRIVABLE_STATES,
    REGISTERED_STATES,
    TRANSITIONS,
    UNREGISTERED_STATES,
    IllegalTransition,
    State,
    allowed_targets,
    check_transition,
    is_operator_only,
    redrive_target,
)

S = State

#: The table written out by hand from business-rules §2 plus our documented extensions, so that a
#: change to states.TRANSITIONS must be made twice (here and there) to pass.
EXPECTED: dict[State, set[State]] = {
    S.PENDING: {S.VALIDATED, S.RETRYING, S.MANUAL_REVIEW, S.FAILED},
    S.VALIDATED: {S.UPLOADING, S.RETRYING, S.MANUAL_REVIEW, S.FAILED},
    S.UPLOADING: {S.REGISTERING, S.RETRYING, S.MANUAL_REVIEW, S.FAILED},
    S.REGISTERING: {S.COMPLETED, S.UNKNOWN, S.RETRYING, S.MANUAL_REVIEW},
    S.UNKNOWN: {S.COMPLETED, S.REGISTERING, S.MANUAL_REVIEW},
    S.RETRYING: {S.UPLOADING, S.REGISTERING, S.MANUAL_REVIEW, S.FAILED},
    S.COMPLETED: {S.UPDATING, S.SUSPENDED},
    S.UPDATING: {S.COMPLETED, S.SUSPENDED, S.MANUAL_REVIEW},
    S.SUSPENDED: {S.UPDATING, S.COMPLETED},
    S.MANUAL_REVIEW: {S.PENDING, S.UPDATING, S.FAILED},
    S.FAILED: {S.PENDING, S.UPDATING},
}
EXPECTED_OPERATOR_ONLY = {
    (S.MANUAL_REVIEW, S.PENDING),
    (S.MANUAL_REVIEW, S.UPDATING),
    (S.FAILED, S.PENDING),
    (S.FAILED, S.UPDATING),
}
ALL_PAIRS = list(itertools.product(State, State))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in EXPECTED[a] and (a, b) not in EXPECTED_OPERATOR_ONLY]
FORBIDDEN = [(a, b) for a, b in ALL_PAIRS if b not in EXPECTED[a]]


def test_the_transition_table_is_exactly_the_documented_one() -> None:
    assert {s: set(t) for s, t in TRANSITIONS.items()} == EXPECTED
    assert set(OPERATOR_ONLY) == EXPECTED_OPERATOR_ONLY


def test_every_state_has_an_entry_and_only_failed_is_reachable_only_by_an_operator() -> None:
    assert set(TRANSITIONS) == set(State)
    reachable_without_operator = {
        b for a, bs in TRANSITIONS.items() for b in bs if (a, b) not in OPERATOR_ONLY
    }
    assert set(State) - reachable_without_operator == {S.PENDING}  # only as INITIAL_STATE or re-drive
    assert INITIAL_STATE is S.PENDING


@pytest.mark.parametrize(("from_state", "to_state"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_allowed_transition_passes(from_state: State, to_state: State) -> None:
    check_transition(from_state, to_state)
    assert to_state in allowed_targets(from_state)
    assert not is_operator_only(from_state, to_state)


@pytest.mark.parametrize(("from_state", "to_state"), FORBIDDEN, ids=[f"{a}->{b}" for a, b in FORBIDDEN])
def test_forbidden_transition_raises_even_for_an_operator(from_state: State, to_state: State) -> None:
    with pytest.raises(IllegalTransition) as caught:
        check_transition(from_state, to_state, operator=True)
    assert caught.value.from_state == from_state
    assert caught.value.to_state == to_state
    assert caught.value.code == "ILLEGAL_TRANSITION"


@pytest.mark.parametrize(("from_state", "to_state"), sorted(EXPECTED_OPERATOR_ONLY))
def test_redrive_transitions_need_the_operator_flag(from_state: State, to_state: State) -> None:
    with pytest.raises(IllegalTransition, match="operator"):
        check_transition(from_state, to_state)
    check_transition(from_state, to_state, operator=True)
    assert is_operator_only(from_state, to_state)


def test_staying_in_the_same_state_is_not_a_transition() -> None:
    for state in State:
        with pytest.raises(IllegalTransition, match="record an event"):
            check_transition(state, state, operator=True)


def test_illegal_transition_is_a_permanent_error_naming_both_states() -> None:
    error = IllegalTransition(S.COMPLETED, S.REGISTERING)
    assert isinstance(error, PermanentError)
    assert "COMPLETED -> REGISTERING" in str(error)


def test_plain_strings_are_accepted_and_unknown_names_are_rejected() -> None:
    check_transition("PENDING", "VALIDATED")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'FETCHED' is not a valid State"):
        check_transition("PENDING", "FETCHED")  # type: ignore[arg-type]


def test_a_registered_product_can_never_reach_a_create_again_without_a_person() -> None:
    # From any registered state, following non-operator moves never reaches REGISTERING.
    seen: set[State] = set()
    frontier = set(REGISTERED_STATES)
    while frontier:
        state = frontier.pop()
        seen.add(state)
        frontier |= {t for t in TRANSITIONS[state] if not is_operator_only(state, t)} - seen
    assert S.REGISTERING not in seen
    assert S.RETRYING not in seen
    assert seen == REGISTERED_STATES | {S.MANUAL_REVIEW, S.FAILED}


def test_an_unknown_create_is_only_resolved_by_adoption_a_new_attempt_or_a_person() -> None:
    assert allowed_targets(S.UNKNOWN) == {S.COMPLETED, S.REGISTERING, S.MANUAL_REVIEW}
    assert S.UNKNOWN in allowed_targets(S.REGISTERING)
    assert all(S.UNKNOWN not in allowed_targets(s) for s in State if s is not S.REGISTERING)


def test_redrive_sends_registered_products_to_updating_and_others_to_pending() -> None:
    assert redrive_target(registered=True) is S.UPDATING
    assert redrive_target(registered=False) is S.PENDING
    for source in REDRIVABLE_STATES:
        for registered in (True, False):
            check_transition(source, redrive_target(registered=registered), operator=True)


def test_state_groups_partition_the_registration_question() -> None:
    assert REGISTERED_STATES.isdisjoint(UNREGISTERED_STATES)
    assert set(State) - REGISTERED_STATES - UNREGISTERED_STATES == {S.MANUAL_REVIEW, S.FAILED}
    assert CREATE_ATTEMPT_STATES <= UNREGISTERED_STATES
    assert REDRIVABLE_STATES <= FAILURE_STATES
    assert all(str(s) == s.value == s.name for s in State)
