"""Poison at the intake: refused at every door, dead-lettered alone, never delaying its neighbours.

Given a burst on the real stream that mixes valid entries with poison (an item number past
``MAX_ITEM_NO``, a 10 MB field), when the real consumer (real Redis, real PostgreSQL) takes one
step, then the valid entries are handed off in that same step, each poison entry is in the
dead-letter stream with a bounded copy of what was sent, and nothing stays pending.
"""

from __future__ import annotations

from typing import cast

import asyncpg
import pytest
import redis.asyncio as aioredis
from pydantic import ValidationError

from schemas.messages import MAX_ITEM_NO, IntakeEntry, SyncBatch
from storebridge.intake import IntakeConsumer, enqueue_entries
from storebridge.intake.dead_letter import DEAD_LETTER_VALUE_BYTES, bounded_copy, is_poison
from storebridge.keys import Keys
from storebridge.store import StateStore
from tests.intake.support import Entries, Recorder, entry

TEN_MB = 10 * 1024 * 1024


async def dead_letters(redis: aioredis.Redis, keys: Keys) -> list[dict[str, str]]:
    rows = cast(Entries, await redis.xrange(keys.intake_dead_letter))
    return [{k.decode(): v.decode(errors="replace") for k, v in fields.items()} for _, fields in rows]


def test_every_door_refuses_an_item_number_past_the_bound() -> None:
    huge = "99999999999999999999999"
    with pytest.raises(ValueError, match="item_no"):
        IntakeEntry.from_fields({"item_no": huge, "enqueued_at_ms": "1"})
    with pytest.raises(ValueError, match="item_no"):
        IntakeEntry.from_fields({"item_no": str(MAX_ITEM_NO + 1), "enqueued_at_ms": "1"})
    with pytest.raises(ValidationError):
        SyncBatch.model_validate({"item_nos": [5, int(huge)], "enqueued_at_ms": 0})
    with pytest.raises(ValidationError):
        SyncBatch.model_validate({"item_nos": [5], "entry_ids": ["x" * 1000], "enqueued_at_ms": 0})
    assert (
        IntakeEntry.from_fields({"item_no": str(MAX_ITEM_NO), "enqueued_at_ms": "1"}).item_no == MAX_ITEM_NO
    )


async def test_poison_in_a_burst_is_dead_lettered_alone_and_its_neighbours_go_in_the_same_step(
    redis_client: aioredis.Redis, keys: Keys, store: StateStore
) -> None:
    await enqueue_entries(redis_client, keys, [entry(11)])
    huge_id = await redis_client.xadd(
        keys.intake_stream, {"item_no": "99999999999999999999999", "enqueued_at_ms": "1"}
    )
    blob_id = await redis_client.xadd(
        keys.intake_stream, {"item_no": "7", "enqueued_at_ms": "1", "note": "x" * TEN_MB}
    )  # a valid entry with a huge extra field: handed off, and its size costs nothing
    long_id = await redis_client.xadd(keys.intake_stream, {"item_no": "9" * TEN_MB, "enqueued_at_ms": "1"})
    await enqueue_entries(redis_client, keys, [entry(12)])
    sender = Recorder()
    consumer = IntakeConsumer(redis_client, keys, store, sender, consumer="c1", block_ms=10, linger_ms=0)
    await consumer.ensure_group()

    await consumer.step()

    assert sorted(sender.items) == [7, 11, 12]
    dead = await dead_letters(redis_client, keys)
    assert [d["dead.entry_id"] for d in dead] == [huge_id.decode(), long_id.decode()]
    assert "item_no" in dead[0]["dead.error"]
    assert dead[0]["item_no"] == "99999999999999999999999"
    assert len(dead[1]["item_no"]) == DEAD_LETTER_VALUE_BYTES
    assert dead[1]["dead.truncated.item_no"] == str(TEN_MB)
    assert len(dead[1]["dead.error"]) <= 500
    pending = await redis_client.xpending(keys.intake_stream, keys.intake_group)
    assert pending["pending"] == 0
    assert consumer.dead_lettered == 2
    assert blob_id


def test_a_dead_letter_copy_is_bounded_in_fields_and_bytes() -> None:
    fields: dict[bytes | str, bytes | str] = {f"f{i}": "v" * 300 for i in range(40)}
    copy = bounded_copy(fields)
    assert copy[b"dead.fields_dropped"] == b"24"
    assert copy[b"f0"] == b"v" * DEAD_LETTER_VALUE_BYTES
    assert copy[b"dead.truncated.f0"] == b"300"
    assert b"f16" not in copy
    assert sum(len(k) + len(v) for k, v in copy.items()) < 16 * 1024


async def test_the_database_refusing_a_value_is_poison_and_an_outage_is_not(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        with pytest.raises((asyncpg.DataError, OverflowError)) as out_of_range:
            await connection.fetchval("SELECT $1::bigint", 10**23)
        with pytest.raises(asyncpg.CheckViolationError) as check_failed:
            await connection.execute(
                "CREATE TEMP TABLE t (n bigint CHECK (n > 0)); INSERT INTO t VALUES (-1)"
            )
    finally:
        await connection.close()
    with pytest.raises(OSError, match=r"(?i)connect|refused") as refused:
        await asyncpg.connect("postgresql://nobody@127.0.0.1:1/none", timeout=2)

    assert is_poison(out_of_range.value)
    assert is_poison(check_failed.value)
    assert not is_poison(refused.value)
    assert not is_poison(asyncpg.UndefinedTableError("relation does not exist"))
