"""Producing intake entries: pipelined XADDs, in order, progress reported, nothing lost."""

from __future__ import annotations

from typing import cast

import pytest
import redis.asyncio as aioredis

from schemas.messages import IntakeEntry
from storebridge.intake import STREAM_SAFETY_MAXLEN, enqueue_entries, redis_time_ms
from storebridge.keys import Keys

LARGE_IMPORT_ITEMS = 100_000
Entries = list[tuple[bytes, dict[bytes, bytes]]]


async def test_a_hundred_thousand_ids_are_all_enqueued_in_order(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    keys = Keys(redis_namespace)
    now_ms = await redis_time_ms(redis_client)
    reported: list[int] = []
    entries = (
        IntakeEntry(item_no=no, queue="batch", reason="import", enqueued_at_ms=now_ms)
        for no in range(1, LARGE_IMPORT_ITEMS + 1)
    )
    count = await enqueue_entries(redis_client, keys, entries, progress=reported.append)
    assert count == LARGE_IMPORT_ITEMS
    assert await redis_client.xlen(keys.intake_stream) == LARGE_IMPORT_ITEMS
    assert reported[-1] == LARGE_IMPORT_ITEMS
    assert reported == sorted(reported)
    first = cast(Entries, await redis_client.xrange(keys.intake_stream, count=1))
    last = cast(Entries, await redis_client.xrevrange(keys.intake_stream, count=1))
    assert IntakeEntry.from_fields(first[0][1]).item_no == 1
    assert IntakeEntry.from_fields(last[0][1]) == IntakeEntry(
        item_no=LARGE_IMPORT_ITEMS, queue="batch", reason="import", enqueued_at_ms=now_ms
    )
    assert STREAM_SAFETY_MAXLEN >= 100 * LARGE_IMPORT_ITEMS  # a bound far above any real backlog


async def test_chunks_smaller_than_the_input_report_progress_per_chunk(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    keys = Keys(redis_namespace)
    reported: list[int] = []
    entries = [IntakeEntry(item_no=no, enqueued_at_ms=0) for no in range(1, 8)]
    assert await enqueue_entries(redis_client, keys, entries, chunk_size=3, progress=reported.append) == 7
    assert reported == [3, 6, 7]
    assert await enqueue_entries(redis_client, keys, []) == 0
    with pytest.raises(ValueError, match="chunk_size"):
        await enqueue_entries(redis_client, keys, entries, chunk_size=0)


async def test_redis_time_is_milliseconds_since_the_epoch(redis_client: aioredis.Redis) -> None:
    assert await redis_time_ms(redis_client) > 1_600_000_000_000
