"""Products in the state store: claiming, racing, events, queries, re-drive and the store's lifecycle."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

import asyncpg
import pytest

from storebridge.config import load_settings
from storebridge.errors import PermanentError, TransientError
from storebridge.store import (
    MAX_MESSAGE_CHARS,
    IllegalTransition,
    InvariantViolation,
    ProductNotFound,
    ProductRow,
    StaleState,
    State,
    StateStore,
)

S = State
CONCURRENT_CALLERS = 20


async def claim(store: StateStore, item_no: int) -> ProductRow:
    return await store.claim("dome", item_no, f"DG-dome-{item_no}")


async def registered(store: StateStore, item_no: int) -> ProductRow:
    """A product that made it to COMPLETED along the happy path."""
    row = await claim(store, item_no)
    for target in (S.VALIDATED, S.UPLOADING):
        row = await store.transition(row.id, row.state, target)
    row = await store.transition(row.id, S.UPLOADING, S.REGISTERING, attempt_id=uuid.uuid4())
    return await store.transition(row.id, S.REGISTERING, S.COMPLETED, origin_product_no=item_no * 10)


async def test_a_new_item_is_claimed_pending_with_a_claimed_event(store: StateStore) -> None:
    row = await store.claim("dome", 46072413, "DG-dome-46072413")

    assert (row.market, row.item_no, row.state, row.seller_management_code) == (
        "dome",
        46072413,
        S.PENDING,
        "DG-dome-46072413",
    )
    assert (row.origin_product_no, row.retry_count, row.registered) == (None, 0, False)
    events = await store.events(row.id)
    assert [(e.from_state, e.to_state, e.code) for e in events] == [(None, S.PENDING, "CLAIMED")]
    assert await store.get("dome", 46072413) == row
    assert await store.get_by_seller_code("DG-dome-46072413") == row


async def test_twenty_concurrent_claims_of_one_item_make_exactly_one_row(
    store: StateStore, database_url: str
) -> None:
    rows = await asyncio.gather(*(claim(store, 777) for _ in range(CONCURRENT_CALLERS)))

    assert len({r.id for r in rows}) == 1
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM products") == 1
        assert await conn.fetchval("SELECT count(*) FROM product_events") == 1
    finally:
        await conn.close()


async def test_reclaiming_a_known_item_returns_it_unchanged_whatever_its_state(store: StateStore) -> None:
    done = await registered(store, 5)

    again = await store.claim("dome", 5, "DG-some-other-code")

    assert again == done
    assert [e.code for e in await store.events(done.id)].count("CLAIMED") == 1


async def test_a_seller_code_used_by_another_item_is_refused(store: StateStore) -> None:
    await store.claim("dome", 1, "DG-dup")
    with pytest.raises(InvariantViolation):
        await store.claim("dome", 2, "DG-dup")
    assert await store.get("dome", 2) is None


async def test_unknown_products_are_reported_as_missing(store: StateStore) -> None:
    assert await store.get("dome", 404) is None
    assert await store.get_by_seller_code("nope") is None
    with pytest.raises(ProductNotFound):
        await store.get_by_id(404)
    with pytest.raises(ProductNotFound):
        await store.transition(404, S.PENDING, S.VALIDATED)
    with pytest.raises(ProductNotFound):
        await store.record_event(404, S.PENDING, "UNCHANGED")


async def test_the_loser_of_a_transition_race_gets_stale_state_and_changes_nothing(store: StateStore) -> None:
    row = await claim(store, 9)
    targets = [S.VALIDATED, S.MANUAL_REVIEW, S.FAILED, S.RETRYING] * 5

    outcomes = await asyncio.gather(
        *(store.transition(row.id, S.PENDING, t, code=f"RACE_{i}") for i, t in enumerate(targets)),
        return_exceptions=True,
    )

    winners = [o for o in outcomes if isinstance(o, ProductRow)]
    losers = [o for o in outcomes if isinstance(o, StaleState)]
    assert len(winners) == 1
    assert len(losers) == len(targets) - 1
    assert all(o.expected is S.PENDING and o.actual is winners[0].state for o in losers)
    events = await store.events(row.id)
    assert [e.to_state for e in events] == [S.PENDING, winners[0].state]


async def test_stale_state_is_transient_and_illegal_transition_is_permanent() -> None:
    assert issubclass(StaleState, TransientError)
    assert issubclass(IllegalTransition, PermanentError)
    assert issubclass(InvariantViolation, PermanentError)


async def test_a_transition_from_the_wrong_state_changes_nothing(store: StateStore) -> None:
    row = await claim(store, 10)
    row = await store.transition(row.id, S.PENDING, S.VALIDATED)

    with pytest.raises(StaleState) as stale:
        await store.transition(row.id, S.PENDING, S.MANUAL_REVIEW, code="X")

    assert (stale.value.expected, stale.value.actual) == (S.PENDING, S.VALIDATED)
    assert await store.get_by_id(row.id) == row
    assert len(await store.events(row.id)) == 2


async def test_an_unchanged_resync_is_an_event_without_a_state_change(store: StateStore) -> None:
    done = await registered(store, 11)

    after = await store.record_event(done.id, S.COMPLETED, "UNCHANGED", details={"source_hash": "abc"})

    assert after == done  # not even updated_at moves
    last = (await store.events(done.id))[-1]
    assert (last.from_state, last.to_state, last.code, last.details) == (
        S.COMPLETED,
        None,
        "UNCHANGED",
        {"source_hash": "abc"},
    )
    with pytest.raises(StaleState):
        await store.record_event(done.id, S.UPDATING, "UNCHANGED")


async def test_an_event_can_update_fields_under_the_state_guard(store: StateStore) -> None:
    row = await claim(store, 12)
    row = await store.transition(row.id, S.PENDING, S.VALIDATED)
    row = await store.transition(row.id, S.VALIDATED, S.UPLOADING)
    row = await store.transition(row.id, S.UPLOADING, S.REGISTERING, attempt_id=uuid.uuid4())
    row = await store.transition(row.id, S.REGISTERING, S.UNKNOWN, code="CREATE_TIMEOUT", trace_id="gw-1")
    assert (row.last_error_code, row.state) == ("CREATE_TIMEOUT", S.UNKNOWN)

    later = await store.record_event(
        row.id, S.UNKNOWN, "RECONCILE_NOT_FOUND", next_retry_at=row.updated_at + timedelta(minutes=5)
    )

    assert later.state is S.UNKNOWN
    assert later.next_retry_at == row.updated_at + timedelta(minutes=5)
    assert (await store.events(row.id))[-2].trace_id == "gw-1"


async def test_fields_outside_the_whitelist_are_refused(store: StateStore) -> None:
    row = await claim(store, 13)
    with pytest.raises(TypeError, match="not writable product fields: \\['market'\\]"):
        await store.record_event(row.id, S.PENDING, "X", market="supply")  # type: ignore[call-arg]


async def test_snapshots_and_hashes_round_trip_and_long_messages_are_clipped(store: StateStore) -> None:
    row = await claim(store, 14)
    snapshot = {"price": 12900, "stock": {"00_01": 3, "00_02": 0}, "name": "양말 세트"}

    moved = await store.transition(
        row.id,
        S.PENDING,
        S.MANUAL_REVIEW,
        code="BANNED_WORD",
        message="x" * (MAX_MESSAGE_CHARS * 2),
        snapshot=snapshot,
        source_hash="s" * 64,
        structure_hash="t" * 64,
    )

    assert (moved.snapshot, moved.source_hash, moved.structure_hash) == (snapshot, "s" * 64, "t" * 64)
    assert moved.last_error_message is not None
    assert len(moved.last_error_message) == MAX_MESSAGE_CHARS
    message = (await store.events(row.id))[-1].message
    assert message is not None
    assert len(message) == MAX_MESSAGE_CHARS


async def test_counts_by_state_lists_every_state(store: StateStore) -> None:
    await registered(store, 20)
    for item_no in (21, 22):
        row = await claim(store, item_no)
        await store.transition(row.id, S.PENDING, S.FAILED, code="ITEM_DELETED")
    await claim(store, 23)

    counts = await store.counts_by_state()

    assert set(counts) == set(State)
    assert (counts[S.COMPLETED], counts[S.FAILED], counts[S.PENDING], counts[S.UNKNOWN]) == (1, 2, 1, 0)


async def test_recent_failures_are_failure_states_newest_first(store: StateStore) -> None:
    await registered(store, 30)
    first = await claim(store, 31)
    await store.transition(first.id, S.PENDING, S.FAILED, code="ITEM_DELETED")
    second = await claim(store, 32)
    await store.transition(second.id, S.PENDING, S.MANUAL_REVIEW, code="CATEGORY_NOT_MAPPED")

    failures = await store.recent_failures(limit=10)

    assert [(f.item_no, f.last_error_code) for f in failures] == [
        (32, "CATEGORY_NOT_MAPPED"),
        (31, "ITEM_DELETED"),
    ]
    assert len(await store.recent_failures(limit=1)) == 1


async def test_list_for_retry_returns_only_due_rows_of_the_given_states(store: StateStore) -> None:
    due = await claim(store, 40)
    due = await store.transition(due.id, S.PENDING, S.RETRYING, code="DOMEGGOOK_5XX")
    future = await claim(store, 41)
    future = await store.transition(future.id, S.PENDING, S.RETRYING, code="DOMEGGOOK_5XX")
    await store.record_event(
        future.id, S.RETRYING, "SCHEDULED", next_retry_at=future.updated_at + timedelta(hours=1)
    )
    past = await claim(store, 42)
    past = await store.transition(past.id, S.PENDING, S.RETRYING, code="DOMEGGOOK_5XX")
    await store.record_event(
        past.id, S.RETRYING, "SCHEDULED", next_retry_at=past.updated_at - timedelta(hours=1)
    )

    rows = await store.list_for_retry([S.RETRYING, S.UNKNOWN])

    assert [r.item_no for r in rows] == [40, 42]
    assert await store.list_for_retry([S.UNKNOWN]) == []
    assert len(await store.list_for_retry([S.RETRYING], limit=1)) == 1


async def test_redrive_sends_failed_items_back_to_pending_and_registered_ones_to_updating(
    store: StateStore,
) -> None:
    never = await claim(store, 50)
    never = await store.transition(never.id, S.PENDING, S.RETRYING, code="RATE_LIMITED")
    never = await store.transition(never.id, S.RETRYING, S.FAILED, code="RATE_LIMITED")
    live = await registered(store, 51)
    live = await store.transition(live.id, S.COMPLETED, S.UPDATING)
    live = await store.transition(live.id, S.UPDATING, S.MANUAL_REVIEW, code="NAVER_400")
    untouched = await registered(store, 52)

    moved = await store.redrive([never.id, live.id, untouched.id], message="fixed the mapping")

    assert [(r.item_no, r.state, r.retry_count) for r in moved] == [(50, S.PENDING, 0), (51, S.UPDATING, 0)]
    assert await store.get_by_id(untouched.id) == untouched
    last = (await store.events(never.id))[-1]
    assert (last.from_state, last.to_state, last.code, last.message) == (
        S.FAILED,
        S.PENDING,
        "REDRIVE",
        "fixed the mapping",
    )


async def test_redrive_by_state_and_error_code(store: StateStore) -> None:
    rows = []
    for item_no, code in ((60, "CATEGORY_NOT_MAPPED"), (61, "BANNED_WORD"), (62, "CATEGORY_NOT_MAPPED")):
        row = await claim(store, item_no)
        rows.append(await store.transition(row.id, S.PENDING, S.MANUAL_REVIEW, code=code))

    moved = await store.redrive(states=[S.MANUAL_REVIEW], error_code="CATEGORY_NOT_MAPPED")

    assert [r.item_no for r in moved] == [60, 62]
    assert (await store.get_by_id(rows[1].id)).state is S.MANUAL_REVIEW
    assert await store.redrive(states=[S.FAILED]) == []


async def test_redrive_refuses_to_guess_or_to_move_working_states(store: StateStore) -> None:
    with pytest.raises(ValueError, match="redrive needs product_ids, states or error_code"):
        await store.redrive()
    with pytest.raises(IllegalTransition):
        await store.redrive(states=[S.RETRYING])


async def test_the_store_is_a_context_manager_with_an_idempotent_close(database_url: str) -> None:
    store = StateStore(database_url)
    assert store.closed
    assert not await store.ping()
    async with store:
        assert not store.closed
        assert await store.ping()
    assert store.closed
    await store.close()
    with pytest.raises(RuntimeError, match="not open"):
        await store.get("dome", 1)
    with pytest.raises(RuntimeError, match="closed"):
        await store.start()

    opened = await StateStore.open(database_url, min_size=1, max_size=2)
    try:
        assert await opened.counts_by_state() == dict.fromkeys(State, 0)
    finally:
        await opened.close()


async def test_each_transition_logs_one_line_naming_the_item(
    store: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    row = await claim(store, 70)
    caplog.set_level(logging.INFO, logger="storebridge.store.products")

    await store.transition(row.id, S.PENDING, S.MANUAL_REVIEW, code="CATEGORY_NOT_MAPPED", trace_id="gw-9")
    await store.record_event(row.id, S.MANUAL_REVIEW, "NOTE")

    [record] = caplog.records
    assert record.getMessage() == "product.transition"
    assert {
        k: getattr(record, k) for k in ("product_id", "item_no", "from_state", "to_state", "code", "trace_id")
    } == {
        "product_id": row.id,
        "item_no": 70,
        "from_state": "PENDING",
        "to_state": "MANUAL_REVIEW",
        "code": "CATEGORY_NOT_MAPPED",
        "trace_id": "gw-9",
    }


async def test_a_store_built_from_settings_uses_the_configured_database(database_url: str) -> None:
    settings = load_settings(DATABASE_URL=database_url, DATABASE_POOL_SIZE=2, DATABASE_MAX_OVERFLOW=1)
    async with StateStore.from_settings(settings) as store:
        assert await store.ping()
        assert (await claim(store, 71)).state is S.PENDING
