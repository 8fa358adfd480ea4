"""The sweeper on a real PostgreSQL and Redis: stalled work goes back on the intake stream, held work not.

Given products stalled in working states, one held by an in-flight marker, a finished one, one
waiting for a retry that is not due, and an intake job whose item never got a row, when the
sweeper runs, then exactly the stalled, unheld items (and the row-less job's item) get a fresh
intake entry (reason ``sweep``) and one log line each.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from schemas.messages import IntakeEntry
from storebridge.config import load_settings
from storebridge.intake import inflight
from storebridge.keys import Keys
from storebridge.store import State, StateStore
from storebridge.transform import seller_management_code
from workers.sweeper import NO_ROW, REDRIVE_REASON, Sweeper

#: Stale bound of this test (seconds): rows older than this are stalled.
STALE_S = 0.5


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[StateStore]:
    async with StateStore(database_url) as opened:
        yield opened


async def row_in(store: StateStore, item_no: int, path: list[State], **last: object) -> None:
    row = await store.claim("dome", item_no, seller_management_code("dome", item_no))
    for i, target in enumerate(path):
        extra = last if i == len(path) - 1 else {}
        if target is State.REGISTERING:
            extra = {**extra, "attempt_id": uuid.uuid4()}
        row = await store.transition(row.id, row.state, target, **extra)  # type: ignore[arg-type]


async def stream_items(redis: aioredis.Redis, keys: Keys) -> dict[int, IntakeEntry]:
    entries = [IntakeEntry.from_fields(f) for _, f in await redis.xrange(keys.intake_stream)]
    return {e.item_no: e for e in entries}


async def test_the_sweeper_redrives_stalled_unheld_items_only(
    store: StateStore,
    redis_client: aioredis.Redis,
    redis_namespace: str,
    redis_url: str,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    keys = Keys(redis_namespace)
    settings = load_settings(
        REDIS_URL=redis_url,
        REDIS_NAMESPACE=redis_namespace,
        DATABASE_URL=database_url,
        SWEEPER_STALE_AFTER_S=str(STALE_S),
    )
    pending, uploading, registering, held, waiting, done, rowless = 101, 102, 103, 104, 105, 106, 107
    await row_in(store, pending, [])
    await row_in(store, uploading, [State.VALIDATED, State.UPLOADING])
    await row_in(store, registering, [State.VALIDATED, State.UPLOADING, State.REGISTERING])
    await row_in(store, held, [State.VALIDATED])
    later = datetime.now(UTC) + timedelta(hours=1)
    await row_in(store, waiting, [State.VALIDATED, State.RETRYING], next_retry_at=later)
    await row_in(
        store,
        done,
        [State.VALIDATED, State.UPLOADING, State.REGISTERING, State.COMPLETED],
        origin_product_no=1,
        channel_product_no=1,
    )
    assert await store.record_intake_job("1-0", queue="normal", market="dome", item_no=rowless)
    await store.mark_intake_job_enqueued("1-0")
    await inflight.acquire(redis_client, keys, "dome", [held], ttl_s=60)

    sweeper = Sweeper(redis_client, keys, store, settings)
    assert await sweeper.sweep() == 0, "nothing is stalled before the bound"
    await asyncio.sleep(STALE_S + 0.5)
    with caplog.at_level(logging.WARNING, logger="workers.sweeper"):
        assert await sweeper.sweep() == 4

    redriven = await stream_items(redis_client, keys)
    assert set(redriven) == {pending, uploading, registering, rowless}
    assert {e.reason for e in redriven.values()} == {REDRIVE_REASON}
    logged = {r.item_no: r.state for r in caplog.records if r.getMessage() == "daemon.sweeper.redriven"}  # type: ignore[attr-defined]
    assert logged == {pending: "PENDING", uploading: "UPLOADING", registering: "REGISTERING", rowless: NO_ROW}

    # Once the intake has put them in flight again, the next sweep leaves them alone.
    await inflight.acquire(redis_client, keys, "dome", list(redriven), ttl_s=60)
    assert await sweeper.sweep() == 0
