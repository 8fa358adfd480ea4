"""The intake consumer against real Redis and PostgreSQL: hand-off order, reclaim, replay, dead letters.

The sender is a test double for the Dramatiq side: an async function that records the batches (or
fails on purpose). Everything else is the real thing.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
import redis.asyncio as aioredis

from schemas.messages import IntakeEntry, SyncBatch
from storebridge.intake import HandoffFailed, IntakeConsumer, enqueue_entries, inflight, redis_time_ms
from storebridge.keys import Keys
from storebridge.store import StateStore
from tests.intake.support import Entries, Recorder, entry

#: A claim idle time short enough for tests to wait it out.
SHORT_IDLE_MS = 50


async def consumer_for(
    redis: aioredis.Redis, keys: Keys, store: StateStore, sender: Recorder, name: str = "c1", **options: int
) -> IntakeConsumer:
    consumer = IntakeConsumer(redis, keys, store, sender, consumer=name, block_ms=10, **options)
    await consumer.ensure_group()
    return consumer


async def drain(consumer: IntakeConsumer, steps: int = 5) -> int:
    return sum([await consumer.step() for _ in range(steps)])


async def pending_ids(redis: aioredis.Redis, keys: Keys) -> list[str]:
    rows: list[dict[str, Any]] = await redis.xpending_range(
        keys.intake_stream, keys.intake_group, "-", "+", 1000
    )
    return [row["message_id"].decode() for row in rows]


async def xrange(redis: aioredis.Redis, stream: str) -> Entries:
    return cast(Entries, await redis.xrange(stream))


async def read_as(redis: aioredis.Redis, keys: Keys, consumer: str, count: int) -> list[str]:
    """Read new entries as another (live or soon dead) consumer, without handling them."""
    reply = cast(
        list[tuple[bytes, Entries]],
        await redis.xreadgroup(keys.intake_group, consumer, {keys.intake_stream: ">"}, count=count),
    )
    return [entry_id.decode() for entry_id, _ in reply[0][1]]


# --------------------------------------------------------------------------- messages


def test_an_entry_round_trips_through_stream_fields_as_bytes_or_text() -> None:
    original = entry(46072413, market="supply", queue="batch", reason="resync")
    fields = original.to_fields()
    assert all(isinstance(v, str) for v in fields.values())
    as_bytes = {k.encode(): v.encode() for k, v in fields.items()}
    assert IntakeEntry.from_fields(as_bytes) == original
    assert IntakeEntry.from_fields({**fields, "future_field": "x"}) == original
    assert set(fields) == {"item_no", "market", "queue", "reason", "enqueued_at_ms"}


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"enqueued_at_ms": "1"}, "item_no"),
        ({"item_no": "abc", "enqueued_at_ms": "1"}, "item_no"),
        ({"item_no": "0", "enqueued_at_ms": "1"}, "item_no"),
        ({"item_no": "12.0", "enqueued_at_ms": "1"}, "item_no"),
        ({"item_no": "5"}, "enqueued_at_ms"),
        ({"item_no": "5", "enqueued_at_ms": "1", "market": "mars"}, "market"),
        ({"item_no": "5", "enqueued_at_ms": "1", "queue": "urgent"}, "queue"),
        ({"item_no": "5", "enqueued_at_ms": "1", "reason": "Free Text!"}, "reason"),
        ({b"item_no": b"\xff", "enqueued_at_ms": "1"}, "item_no"),
    ],
)
def test_a_malformed_entry_is_refused_naming_the_field(
    fields: dict[bytes | str, bytes | str], named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        IntakeEntry.from_fields(fields)


def test_a_batch_refuses_more_than_100_items_or_a_repeated_item() -> None:
    with pytest.raises(ValueError, match="item_nos"):
        SyncBatch(item_nos=list(range(1, 102)), enqueued_at_ms=0)
    with pytest.raises(ValueError, match="repeat"):
        SyncBatch(item_nos=[7, 7], enqueued_at_ms=0)


# --------------------------------------------------------------------------- in-flight markers


async def test_an_item_is_acquired_once_until_released(redis_client: aioredis.Redis, keys: Keys) -> None:
    assert await inflight.acquire(redis_client, keys, "dome", [1, 2, 2], ttl_s=60) == [1, 2]
    assert await inflight.acquire(redis_client, keys, "dome", [2, 3], ttl_s=60) == [3]
    assert await inflight.acquire(redis_client, keys, "supply", [2], ttl_s=60) == [2]
    await inflight.refresh(redis_client, keys, "dome", [2, 9], ttl_s=120)
    assert 60 < await redis_client.ttl(keys.inflight("dome", 2)) <= 120
    assert await inflight.acquire(redis_client, keys, "dome", [9], ttl_s=60) == []
    await inflight.release(redis_client, keys, "dome", [2, 9])
    assert await inflight.acquire(redis_client, keys, "dome", [2, 9], ttl_s=60) == [2, 9]


async def test_the_same_owner_takes_its_marker_over_and_nobody_else_does(
    redis_client: aioredis.Redis, keys: Keys
) -> None:
    claims = [("dome", 5, "1-0"), ("dome", 6, "1-1")]
    assert await inflight.acquire_owned(redis_client, keys, claims, ttl_s=60) == [True, True]
    again = [("dome", 5, "1-0"), ("dome", 6, "2-0"), ("dome", 7, "2-1"), ("dome", 7, "2-2")]
    assert await inflight.acquire_owned(redis_client, keys, again, ttl_s=60) == [True, False, True, False]
    assert await inflight.acquire(redis_client, keys, "dome", [5], ttl_s=60) == []
    await inflight.release_owned(redis_client, keys, "dome", [5, 6], "1-0")
    assert await inflight.acquire(redis_client, keys, "dome", [5, 6], ttl_s=60) == [5]


# --------------------------------------------------------------------------- hand-off


async def test_entries_are_batched_by_queue_and_reason_within_the_batch_size(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    entries = [entry(n) for n in range(1, 8)] + [entry(n, queue="batch") for n in range(100, 103)]
    entries.append(entry(200, reason="retry"))
    await enqueue_entries(redis_client, keys, entries)
    sender = Recorder()
    consumer = await consumer_for(redis_client, keys, store, sender, batch_size=3)
    assert await drain(consumer) == 11
    shapes = sorted((b.queue, b.reason, tuple(b.item_nos)) for b in sender.batches)
    assert shapes == [
        ("batch", "sync", (100, 101, 102)),
        ("normal", "retry", (200,)),
        ("normal", "sync", (1, 2, 3)),
        ("normal", "sync", (4, 5, 6)),
        ("normal", "sync", (7,)),
    ]
    assert all(len(b.entry_ids) == len(b.item_nos) for b in sender.batches)
    assert await pending_ids(redis_client, keys) == []
    assert consumer.handed_off == 11
    assert consumer.batches_sent == 5
    assert consumer.last_lag_s == 0.0  # the last step handed nothing off


async def test_entries_are_acknowledged_only_after_the_sender_returned(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    await enqueue_entries(redis_client, keys, [entry(1), entry(2)])
    seen_pending: list[list[str]] = []
    sender = Recorder()

    async def check(batch: SyncBatch) -> None:
        seen_pending.append(await pending_ids(redis_client, keys))

    sender.before = check
    consumer = await consumer_for(redis_client, keys, store, sender)
    await consumer.step()
    assert seen_pending
    assert sorted(seen_pending[0]) == sorted(sender.batches[0].entry_ids)
    assert await pending_ids(redis_client, keys) == []


async def test_the_lag_is_the_age_of_the_oldest_entry_handed_off(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    now_ms = await redis_time_ms(redis_client)
    await enqueue_entries(
        redis_client, keys, [entry(1, enqueued_at_ms=now_ms - 90_000), entry(2, enqueued_at_ms=now_ms)]
    )
    consumer = await consumer_for(redis_client, keys, store, Recorder())
    await consumer.step()
    assert consumer.last_lag_s >= 90


async def test_a_malformed_entry_goes_to_the_dead_letter_stream_and_is_acknowledged(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    bad_id = cast(
        bytes, await redis_client.xadd(keys.intake_stream, {"item_no": "12x", "enqueued_at_ms": "1"})
    )
    await enqueue_entries(redis_client, keys, [entry(5)])
    sender = Recorder()
    consumer = await consumer_for(redis_client, keys, store, sender)
    await drain(consumer, 2)
    assert sender.items == [5]
    dead = await xrange(redis_client, keys.intake_dead_letter)
    assert len(dead) == 1
    fields = {k.decode(): v.decode() for k, v in dead[0][1].items()}
    assert fields["item_no"] == "12x"
    assert fields["dead.entry_id"] == bad_id.decode()
    assert "item_no" in fields["dead.error"]
    assert await pending_ids(redis_client, keys) == []
    assert consumer.dead_lettered == 1


async def test_the_same_item_enqueued_twice_while_in_flight_is_coalesced(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    await enqueue_entries(redis_client, keys, [entry(42), entry(42), entry(43)])
    sender = Recorder()
    consumer = await consumer_for(redis_client, keys, store, sender)
    await drain(consumer, 2)
    assert sorted(sender.items) == [42, 43]
    assert len(sender.batches) == 1
    # Still in flight (the worker has not finished): a later request is coalesced too.
    await enqueue_entries(redis_client, keys, [entry(42)])
    await drain(consumer, 2)
    assert sorted(sender.items) == [42, 43]
    assert consumer.coalesced == 2
    assert await pending_ids(redis_client, keys) == []
    # Once the worker released the item, it is handed off again.
    await inflight.release(redis_client, keys, "dome", [42])
    await enqueue_entries(redis_client, keys, [entry(42)])
    await drain(consumer, 2)
    assert sorted(sender.items) == [42, 42, 43]


async def test_a_failing_sender_leaves_entries_pending_and_another_consumer_reclaims_them(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    await enqueue_entries(redis_client, keys, [entry(1), entry(2), entry(3, queue="batch")])
    broken = Recorder()
    broken.fail = True
    first = await consumer_for(redis_client, keys, store, broken, "c1", claim_idle_ms=SHORT_IDLE_MS)
    with pytest.raises(HandoffFailed):
        await first.step()
    assert len(await pending_ids(redis_client, keys)) == 3
    assert first.send_failures == 1
    assert first.handed_off == 0
    # The failed batch's markers were released, so the items are not blocked.
    assert await redis_client.exists(keys.inflight("dome", 1)) == 0

    await asyncio.sleep(SHORT_IDLE_MS * 3 / 1000)
    working = Recorder()
    second = await consumer_for(redis_client, keys, store, working, "c2", claim_idle_ms=SHORT_IDLE_MS)
    assert await drain(second, 3) == 3
    assert sorted(working.items) == [1, 2, 3]
    assert second.reclaimed == 3
    assert await pending_ids(redis_client, keys) == []
    # The first consumer's broker comes back: its retry finds the jobs confirmed and sends nothing.
    broken.fail = False
    await first.step()
    assert broken.batches == []
    assert first.handed_off == 0


async def test_a_refused_batch_is_retried_from_memory_without_reading_more_or_counting_deliveries(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    await enqueue_entries(redis_client, keys, [entry(1), entry(2)])
    sender = Recorder()
    sender.fail = True
    consumer = await consumer_for(redis_client, keys, store, sender)
    with pytest.raises(HandoffFailed):
        await consumer.step()
    await enqueue_entries(redis_client, keys, [entry(3)])
    for _ in range(3):  # the broker is still down
        with pytest.raises(HandoffFailed):
            await consumer.step()
    rows: list[dict[str, Any]] = await redis_client.xpending_range(
        keys.intake_stream, keys.intake_group, "-", "+", 10
    )
    assert [row["times_delivered"] for row in rows] == [1, 1]  # entry 3 not even read
    sender.fail = False
    await drain(consumer, 3)
    assert [b.item_nos for b in sender.batches] == [[1, 2], [3]]
    assert await pending_ids(redis_client, keys) == []
    assert consumer.send_failures == 4
    assert consumer.handed_off == 3


async def test_an_entry_delivered_too_often_is_dead_lettered(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    await enqueue_entries(redis_client, keys, [entry(8)])
    for name in ("c1", "c2"):  # two daemons whose sender fails: deliveries 1 and 2
        broken = Recorder()
        broken.fail = True
        daemon = await consumer_for(redis_client, keys, store, broken, name, claim_idle_ms=SHORT_IDLE_MS)
        await asyncio.sleep(SHORT_IDLE_MS * 2 / 1000)
        with pytest.raises(HandoffFailed):
            await daemon.step()
    await asyncio.sleep(SHORT_IDLE_MS * 2 / 1000)
    sender = Recorder()
    third = await consumer_for(
        redis_client, keys, store, sender, "c3", claim_idle_ms=SHORT_IDLE_MS, max_deliveries=2
    )
    await third.step()  # third delivery: over the limit
    assert third.dead_lettered == 1
    assert sender.batches == []
    assert await pending_ids(redis_client, keys) == []
    dead = await xrange(redis_client, keys.intake_dead_letter)
    assert dead[0][1][b"dead.deliveries"] == b"3"
    assert dead[0][1][b"dead.error"] == b"delivered too often"
    assert await redis_client.exists(keys.inflight("dome", 8)) == 0


async def test_a_restarted_consumer_replays_its_own_pending_entries(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    await enqueue_entries(redis_client, keys, [entry(1), entry(2), entry(3)])
    dead = await consumer_for(redis_client, keys, store, Recorder(), "c1")
    # The previous process read the entries and died at different points of the hand-off:
    ids = await read_as(redis_client, keys, "c1", 10)
    # entry 1: read only; entry 2: job recorded, then crashed before sending (markers left behind);
    # entry 3: sent and confirmed, crashed before XACK.
    assert await store.record_intake_job(ids[1], queue="normal", market="dome", item_no=2)
    await inflight.acquire_owned(redis_client, keys, [("dome", 2, ids[1])], ttl_s=60)
    assert await store.record_intake_job(ids[2], queue="normal", market="dome", item_no=3)
    await store.mark_intake_job_enqueued(ids[2])
    del dead

    sender = Recorder()
    restarted = await consumer_for(redis_client, keys, store, sender, "c1")
    assert await restarted.step() == 3  # the replay page
    assert sorted(sender.items) == [1, 2]
    assert await pending_ids(redis_client, keys) == []


async def test_trimming_never_removes_a_pending_or_undelivered_entry(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    await enqueue_entries(redis_client, keys, [entry(n) for n in range(1, 6)])
    sender = Recorder()
    consumer = await consumer_for(redis_client, keys, store, sender, batch_size=1)
    assert await consumer.trim_acknowledged() == 0  # nothing delivered yet
    held = await read_as(redis_client, keys, "other", 2)  # pending in a live consumer
    await drain(consumer, 3)
    assert sorted(sender.items) == [3, 4, 5]
    assert await consumer.trim_acknowledged() == 0  # the oldest entry is still pending
    await enqueue_entries(redis_client, keys, [entry(6)])  # never delivered
    await redis_client.xack(keys.intake_stream, keys.intake_group, held[0])
    assert await consumer.trim_acknowledged() == 1
    remaining = [entry_id.decode() for entry_id, _ in await xrange(redis_client, keys.intake_stream)]
    assert held[1] in remaining
    assert len(remaining) == 5
    await redis_client.xack(keys.intake_stream, keys.intake_group, held[1])
    await consumer.trim_acknowledged()
    fields = [f for _, f in await xrange(redis_client, keys.intake_stream)]
    assert b"6" in [f[b"item_no"] for f in fields]
    await drain(consumer, 2)
    assert 6 in sender.items


async def test_run_survives_bad_entries_and_a_failing_sender_and_stops_when_asked(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    sender = Recorder()
    sender.fail = True
    consumer = IntakeConsumer(
        redis_client, keys, store, sender, consumer="c1", block_ms=10, claim_idle_ms=SHORT_IDLE_MS
    )
    await redis_client.xadd(keys.intake_stream, {"garbage": "1"})
    await enqueue_entries(redis_client, keys, [entry(1), entry(2)])
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    for _ in range(200):
        await asyncio.sleep(0.02)
        if consumer.send_failures and consumer.dead_lettered:
            break
    sender.fail = False
    for _ in range(500):
        await asyncio.sleep(0.02)
        if sorted(sender.items) == [1, 2]:
            break
    stop.set()
    await asyncio.wait_for(task, 10)
    assert sorted(sender.items) == [1, 2]
    assert consumer.dead_lettered == 1
    assert await pending_ids(redis_client, keys) == []
