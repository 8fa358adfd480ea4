"""Outages of Redis, PostgreSQL and S3 under the real pipeline: retried, never parked, never duplicated.

Each test runs its own server of the service it breaks (``storebridge.devstack``'s restartable
servers) and the shared ones for the rest, syncs registrable sandbox items, takes the server away in
the middle of the batch (after the Domeggook fetch, while items are being uploaded and created),
brings it back, and keeps syncing what came back RETRY/DEFERRED, as the actor would re-queue it
(waits shortened). Then every item is COMPLETED, no result or event blamed the item (no
MANUAL_REVIEW, FAILED or INTERNAL_ERROR), the outage was actually hit (an ``<SERVICE>_UNAVAILABLE``
result), and Naver holds each product once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from aiobotocore.session import get_session

from storebridge.devstack import RestartablePostgres, RestartableRedis, RestartableS3
from storebridge.store import State, migrate
from storebridge.sync import RETRY_OUTCOMES, Outcome, Syncer, SyncResult
from tests.sync.harness import Harness, registrable, running

#: Items synced per test (enough for several to be mid-flight when the server goes away).
ITEMS = 6
#: How long an outage lasts (s): long enough for every item in flight to hit it.
OUTAGE_S = 1.5
#: Bound on the whole recovery (s); a bound, not a speed assertion.
RECOVERY_BOUND_S = 60.0
#: Longest pause between two re-syncs of waiting items (s): the actor would wait the real backoff.
MAX_PAUSE_S = 0.5
#: Naver latency (ms) so that the batch is still at work when the server goes away.
NAVER_LATENCY_MS = 150


async def drive(syncer: Syncer, item_nos: list[int]) -> tuple[dict[int, SyncResult], list[SyncResult]]:
    """Sync until every item has a final outcome; returns the finals and every result seen."""
    pending, final, seen = list(item_nos), {}, []
    deadline = time.monotonic() + RECOVERY_BOUND_S
    while pending:
        assert time.monotonic() < deadline, (
            f"items still waiting: {[r.line() for r in seen[-len(pending) :]]}"
        )
        results = await syncer.sync_items(pending)
        seen += results
        final.update({r.item_no: r for r in results if r.outcome not in RETRY_OUTCOMES})
        waiting = [r for r in results if r.outcome in RETRY_OUTCOMES]
        pending = [r.item_no for r in waiting]
        if waiting:
            await asyncio.sleep(min(MAX_PAUSE_S, max(r.retry_after_s or 0.0 for r in waiting)))
    return final, seen


async def outage_mid_batch(h: Harness, item_nos: list[int], stop: object, start: object) -> list[SyncResult]:
    """Start a sync of ``item_nos``, stop the server once their rows exist, start it again later."""
    await h.naver_faults(latency_ms=NAVER_LATENCY_MS)
    task = asyncio.ensure_future(h.syncer.sync_items(item_nos))
    while not task.done() and await h.store.get("dome", item_nos[0]) is None:  # noqa: ASYNC110 - polls the DB
        await asyncio.sleep(0.01)
    await asyncio.to_thread(stop)  # type: ignore[arg-type]
    results = await task
    await asyncio.sleep(OUTAGE_S)
    await asyncio.to_thread(start)  # type: ignore[arg-type]
    await h.naver_faults(latency_ms=0)
    return results


async def assert_recovered(h: Harness, item_nos: list[int], seen: list[SyncResult], code: str) -> None:
    """Every item COMPLETED once on Naver; the outage was hit and never blamed on an item."""
    assert any(r.code == code for r in seen), f"the outage was not hit: {[r.line() for r in seen]}"
    blamed = [r.line() for r in seen if r.outcome in (Outcome.MANUAL_REVIEW, Outcome.FAILED, Outcome.SKIPPED)]
    assert not blamed, blamed
    for no in item_nos:
        row = await h.row(no)
        assert row.state is State.COMPLETED, (no, row.state, row.last_error_code, row.last_error_message)
        codes = {event.code for event in await h.events(no)}
        assert "INTERNAL_ERROR" not in codes, codes
        assert len(await h.listed(no)) == 1
    assert (await h.counts()).duplicates == 0


@pytest.fixture
def valkey() -> Iterator[RestartableRedis]:
    with RestartableRedis() as server:
        yield server


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[RestartablePostgres]:
    with RestartablePostgres() as server:
        yield server


@pytest.fixture
async def postgres(postgres_server: RestartablePostgres) -> AsyncIterator[RestartablePostgres]:
    """The module's private server with a fresh, migrated ``storebridge`` database."""
    postgres_server.start()
    conn = await asyncpg.connect(postgres_server.url)
    try:
        await conn.execute("DROP DATABASE IF EXISTS storebridge WITH (FORCE)")
        await conn.execute("CREATE DATABASE storebridge")
    finally:
        await conn.close()
    await migrate(postgres_server.database_url("storebridge"))
    return postgres_server


@pytest.fixture
def s3_server() -> Iterator[RestartableS3]:
    with RestartableS3() as server:
        yield server


async def test_a_redis_outage_mid_batch_is_retried_never_parked(
    valkey: RestartableRedis, service_urls: dict[str, str]
) -> None:
    async with running(60, {**service_urls, "REDIS_URL": valkey.url}) as h:
        items = await registrable(h.syncer, h.healthy(), ITEMS)
        first = await outage_mid_batch(h, items, valkey.stop, valkey.start)
        final, seen = await drive(h.syncer_with(registering_stale_s=0.5), items)
        await assert_recovered(h, items, first + seen, "REDIS_UNAVAILABLE")
        assert set(final) == set(items)


async def test_a_postgresql_outage_mid_batch_is_retried_and_a_failed_park_requeues(
    postgres: RestartablePostgres, service_urls: dict[str, str]
) -> None:
    urls = {**service_urls, "DATABASE_URL": postgres.database_url("storebridge")}
    async with running(60, urls) as h:
        items = await registrable(h.syncer, h.healthy(), ITEMS)
        first = await outage_mid_batch(h, items, postgres.stop, postgres.start)
        assert all(r.outcome in RETRY_OUTCOMES for r in first if r.state is None), [r.line() for r in first]
        # A create whose COMPLETED write failed leaves REGISTERING: settled by search (stale at once).
        final, seen = await drive(h.syncer_with(registering_stale_s=0.5), items)
        await assert_recovered(h, items, first + seen, "POSTGRESQL_UNAVAILABLE")
        assert set(final) == set(items)


async def test_s3_down_then_restarted_empty_is_retried_and_the_bucket_recreated(
    s3_server: RestartableS3, service_urls: dict[str, str]
) -> None:
    async with running(60, {**service_urls, "S3_ENDPOINT": s3_server.url}) as h:
        items = await registrable(h.syncer, h.healthy(), ITEMS)
        s3_server.stop()
        during = await h.syncer.sync_items(items)
        assert {r.outcome for r in during} == {Outcome.RETRY}, [r.line() for r in during]
        s3_server.start()  # a new, empty S3: the bucket the workers ensured at start is gone
        final, seen = await drive(h.syncer, items)
        await assert_recovered(h, items, during + seen, "S3_UNAVAILABLE")
        assert set(final) == set(items)
        async with get_session().create_client(
            "s3",
            endpoint_url=s3_server.url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        ) as s3:
            listed = await s3.list_objects_v2(Bucket=service_urls["S3_BUCKET"])
        assert listed.get("KeyCount", 0) > 0, "the images were stored in the re-created bucket"
