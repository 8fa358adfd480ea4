"""The state machine in PostgreSQL: every allowed move works through the store, every forbidden one is
refused by the code *and* by the database (a raw UPDATE), and a refused write changes nothing.
"""

from __future__ import annotations

import itertools
import uuid
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from storebridge.store import (
    FAILURE_STATES,
    OPERATOR_ONLY,
    REGISTERED_STATES,
    TRANSITIONS,
    IllegalTransition,
    InvariantViolation,
    ProductRow,
    State,
    StateStore,
    is_operator_only,
)

S = State
_item_numbers = itertools.count(10_000_001)


def _shortest_paths() -> dict[State, list[State]]:
    """From PENDING to every state, by ordinary (non-operator) transitions."""
    paths: dict[State, list[State]] = {S.PENDING: []}
    queue = deque([S.PENDING])
    while queue:
        state = queue.popleft()
        for target in sorted(TRANSITIONS[state], key=lambda t: (t in FAILURE_STATES, t.value)):  # happy first
            if target not in paths and not is_operator_only(state, target):
                paths[target] = [*paths[state], target]
                queue.append(target)
    return paths


PATHS = _shortest_paths()


def fields_for(row: ProductRow, target: State) -> dict[str, Any]:
    """The fields a well-behaved caller sends with a move to ``target``."""
    if target is S.REGISTERING:
        return {"attempt_id": uuid.uuid4()}
    if target in REGISTERED_STATES and not row.registered:
        return {
            "origin_product_no": 5_000_000_000 + row.item_no,
            "channel_product_no": 6_000_000_000 + row.item_no,
        }
    return {}


async def product_in(store: StateStore, state: State) -> ProductRow:
    """A new product driven to ``state`` along the shortest ordinary path."""
    item_no = next(_item_numbers)
    row = await store.claim("dome", item_no, f"DG-dome-{item_no}")
    for target in PATHS[state]:
        row = await store.transition(row.id, row.state, target, **fields_for(row, target))
    assert row.state is state
    return row


@pytest.fixture
async def raw(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection, as a careless script or a hand-typed psql session would use."""
    conn = await asyncpg.connect(database_url)
    try:
        yield conn
    finally:
        await conn.close()


def test_every_state_is_reachable_from_pending() -> None:
    assert set(PATHS) == set(State)


async def test_the_database_transition_table_is_the_code_table(raw: asyncpg.Connection) -> None:
    states = {r["name"] for r in await raw.fetch("SELECT name FROM product_states")}
    rows = await raw.fetch("SELECT from_state, to_state, operator_only FROM state_transitions")
    assert states == {s.value for s in State}
    assert {(r["from_state"], r["to_state"]) for r in rows} == {
        (a.value, b.value) for a in State for b in TRANSITIONS[a]
    }
    assert {(r["from_state"], r["to_state"]) for r in rows if r["operator_only"]} == {
        (a.value, b.value) for a, b in OPERATOR_ONLY
    }


@pytest.mark.parametrize("from_state", list(State))
async def test_every_allowed_transition_moves_the_row_and_appends_one_event(
    store: StateStore, from_state: State
) -> None:
    for to_state in sorted(t for t in TRANSITIONS[from_state] if not is_operator_only(from_state, t)):
        row = await product_in(store, from_state)
        events_before = await store.events(row.id)

        moved = await store.transition(
            row.id,
            from_state,
            to_state,
            code="TEST",
            message="why",
            trace_id="t-1",
            **fields_for(row, to_state),
        )

        assert moved.state is to_state
        assert await store.get_by_id(row.id) == moved
        events = await store.events(row.id)
        assert events[: len(events_before)] == events_before
        assert [
            (e.from_state, e.to_state, e.code, e.message, e.trace_id) for e in events[len(events_before) :]
        ] == [(from_state, to_state, "TEST", "why", "t-1")]


@pytest.mark.parametrize("from_state", list(State))
async def test_forbidden_transition_is_refused_by_code_and_by_a_raw_update(
    store: StateStore, raw: asyncpg.Connection, from_state: State
) -> None:
    row = await product_in(store, from_state)
    forbidden = [t for t in State if t not in TRANSITIONS[from_state] or is_operator_only(from_state, t)]
    events_before = await store.events(row.id)

    for target in forbidden:
        with pytest.raises(IllegalTransition):
            await store.transition(row.id, from_state, target, **fields_for(row, target))
        if target is from_state:
            continue  # not a transition for the database: an UPDATE that keeps the state is fine
        with pytest.raises(asyncpg.PostgresError) as refused:
            await raw.execute("UPDATE products SET state = $2 WHERE id = $1", row.id, target.value)
        assert refused.value.sqlstate == "SB001", (from_state, target)

    assert await store.get_by_id(row.id) == row
    assert await store.events(row.id) == events_before


async def test_a_row_cannot_be_inserted_in_any_state_but_pending(raw: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.PostgresError) as refused:
        await raw.execute(
            "INSERT INTO products (market, item_no, seller_management_code, state, origin_product_no, "
            "completed_at) VALUES ('dome', 1, 'DG-dome-1', 'COMPLETED', 42, now())"
        )
    assert refused.value.sqlstate == "SB001"


async def test_completing_without_the_naver_number_changes_nothing(store: StateStore) -> None:
    row = await product_in(store, S.REGISTERING)
    events_before = await store.events(row.id)

    with pytest.raises(InvariantViolation) as refused:
        await store.transition(row.id, S.REGISTERING, S.COMPLETED, code="CREATED")

    assert refused.value.constraint == "registered_has_naver_no"
    assert await store.get_by_id(row.id) == row
    assert await store.events(row.id) == events_before


async def test_registering_without_an_attempt_id_changes_nothing(store: StateStore) -> None:
    row = await product_in(store, S.UPLOADING)

    with pytest.raises(IllegalTransition, match="attempt_id is required"):
        await store.transition(row.id, S.UPLOADING, S.REGISTERING)

    assert await store.get_by_id(row.id) == row


async def test_an_unknown_create_cannot_forget_its_attempt_id(store: StateStore) -> None:
    row = await product_in(store, S.UNKNOWN)

    with pytest.raises(InvariantViolation) as refused:
        await store.record_event(row.id, S.UNKNOWN, "RECONCILE_PENDING", attempt_id=None)

    assert refused.value.constraint == "create_attempt_has_id"
    assert await store.get_by_id(row.id) == row


async def test_a_new_create_attempt_needs_a_new_attempt_id(store: StateStore) -> None:
    row = await product_in(store, S.REGISTERING)
    unknown = await store.transition(row.id, S.REGISTERING, S.UNKNOWN, code="CREATE_TIMEOUT")

    with pytest.raises(IllegalTransition, match="refused by the database"):
        await store.transition(unknown.id, S.UNKNOWN, S.REGISTERING, attempt_id=unknown.attempt_id)
    again = await store.transition(unknown.id, S.UNKNOWN, S.REGISTERING, attempt_id=uuid.uuid4())

    assert again.attempt_id != row.attempt_id


async def test_a_naver_number_can_neither_appear_early_nor_be_overwritten(store: StateStore) -> None:
    pending = await product_in(store, S.PENDING)
    completed = await product_in(store, S.COMPLETED)

    with pytest.raises(InvariantViolation):
        await store.transition(pending.id, S.PENDING, S.VALIDATED, origin_product_no=99)
    with pytest.raises(InvariantViolation):
        await store.transition(completed.id, S.COMPLETED, S.UPDATING, origin_product_no=99)

    assert await store.get_by_id(completed.id) == completed


async def test_history_is_append_only(store: StateStore, raw: asyncpg.Connection) -> None:
    row = await product_in(store, S.VALIDATED)
    for statement in (
        "UPDATE product_events SET code = 'X'",
        "DELETE FROM product_events",
        "TRUNCATE product_events",
    ):
        with pytest.raises(asyncpg.PostgresError) as refused:
            await raw.execute(statement)
        assert refused.value.sqlstate == "SB002"
    assert [e.code for e in await store.events(row.id)] == ["CLAIMED", "VALIDATED"]


async def test_identity_columns_are_immutable(store: StateStore, raw: asyncpg.Connection) -> None:
    row = await product_in(store, S.PENDING)
    for column, value in (("item_no", 7), ("market", "supply"), ("seller_management_code", "other")):
        with pytest.raises(asyncpg.PostgresError) as refused:
            await raw.execute(f"UPDATE products SET {column} = $2 WHERE id = $1", row.id, value)
        assert refused.value.sqlstate == "SB002"


async def test_retrying_counts_attempts_and_completion_resets_them(store: StateStore) -> None:
    row = await product_in(store, S.UPLOADING)
    row = await store.transition(row.id, S.UPLOADING, S.RETRYING, code="IMAGE_UPLOAD_5XX", message="502")
    assert (row.retry_count, row.last_error_code, row.last_error_message) == (1, "IMAGE_UPLOAD_5XX", "502")
    row = await store.transition(row.id, S.RETRYING, S.REGISTERING, attempt_id=uuid.uuid4())
    row = await store.transition(row.id, S.REGISTERING, S.RETRYING, code="RATE_LIMITED")
    assert row.retry_count == 2
    row = await store.transition(row.id, S.RETRYING, S.REGISTERING, attempt_id=uuid.uuid4())

    done = await store.transition(
        row.id, S.REGISTERING, S.COMPLETED, origin_product_no=11, channel_product_no=12
    )

    assert done.retry_count == 0
    assert done.completed_at is not None
    assert (done.last_error_code, done.last_error_message, done.next_retry_at) == (None, None, None)
    assert (done.origin_product_no, done.channel_product_no) == (11, 12)


async def test_completed_at_keeps_the_first_registration_time(store: StateStore) -> None:
    row = await product_in(store, S.COMPLETED)
    row = await store.transition(row.id, S.COMPLETED, S.UPDATING)
    again = await store.transition(row.id, S.UPDATING, S.COMPLETED)
    assert again.completed_at == row.completed_at
    assert again.updated_at >= row.updated_at


async def test_an_operator_session_may_redrive_by_hand_but_an_ordinary_one_may_not(
    store: StateStore, raw: asyncpg.Connection
) -> None:
    row = await product_in(store, S.FAILED)
    with pytest.raises(asyncpg.PostgresError):
        await raw.execute("UPDATE products SET state = 'PENDING' WHERE id = $1", row.id)
    async with raw.transaction():
        await raw.execute("SELECT set_config('storebridge.operator', 'on', true)")
        await raw.execute("UPDATE products SET state = 'PENDING' WHERE id = $1", row.id)
    assert (await store.get_by_id(row.id)).state is S.PENDING
    # The privilege ended with the transaction.
    await raw.execute("UPDATE products SET state = 'FAILED' WHERE id = $1", row.id)
    with pytest.raises(asyncpg.PostgresError):
        await raw.execute("UPDATE products SET state = 'PENDING' WHERE id = $1", row.id)


async def test_a_product_that_got_a_naver_number_in_review_is_redriven_to_updating(store: StateStore) -> None:
    row = await product_in(store, S.REGISTERING)
    review = await store.transition(
        row.id, S.REGISTERING, S.MANUAL_REVIEW, code="CREATED_BUT_REJECTED", origin_product_no=77
    )
    assert review.completed_at is not None  # first known to exist on Naver

    [moved] = await store.redrive([row.id])

    assert (moved.state, moved.origin_product_no, moved.completed_at) == (S.UPDATING, 77, review.completed_at)
