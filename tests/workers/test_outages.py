"""Outages under the real actor path: a worker on a real broker keeps every item through them.

Given a batch message being worked on, when PostgreSQL (a private server, ``pg_ctl stop -m fast``)
or Redis (a private Valkey holding the broker, the limiter and the in-flight markers) goes away in
the middle of it and comes back, then every item still ends COMPLETED without an operator: the
actor re-queues the items the outage hit (a park the database could not record included) as
smaller delayed messages, waits for Redis to re-send them, and Naver holds each product once.

Both are ``slow`` (about 10 s each: a real worker, a real outage); ``tests/sync/test_outages.py``
is the short version in the normal suite.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from types import ModuleType

import aiohttp
import asyncpg
import pytest
import redis.asyncio as aioredis

from storebridge.config import load_settings
from storebridge.devstack import RestartablePostgres, RestartableRedis
from storebridge.keys import Keys
from storebridge.resources import Resources
from storebridge.sandbox.runner import Sandbox
from storebridge.store import State, StateStore, migrate
from tests.support import naver_stats, until
from tests.sync.harness import fast_sandbox_options, healthy, registrable
from tests.workers.harness import RunningWorker, mark_in_flight, markers, worker_env

#: Items of the batch (a few of them are still at work when the server goes away).
ITEMS = 6
#: Naver latency (ms): images upload slowly, so the outage strikes before any create is sent.
NAVER_LATENCY_MS = 400
#: How long the server stays down (s).
OUTAGE_S = 2.0
#: Bound on the recovery (s); a bound, not a speed assertion.
RECOVERY_BOUND_S = 60.0


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(fast_sandbox_options(60)) as running:
        yield running


@pytest.fixture
def postgres_server() -> Iterator[RestartablePostgres]:
    with RestartablePostgres() as server:
        yield server


@pytest.fixture
def valkey() -> Iterator[RestartableRedis]:
    with RestartableRedis() as server:
        yield server


async def fresh_database(server: RestartablePostgres) -> str:
    conn = await asyncpg.connect(server.url)
    try:
        await conn.execute("CREATE DATABASE storebridge")
    finally:
        await conn.close()
    url = server.database_url("storebridge")
    await migrate(url)
    return url


async def registrable_items(sandbox: Sandbox, env: dict[str, str]) -> list[int]:
    """``ITEMS`` healthy items the transform accepts (each must end COMPLETED)."""
    async with Resources(load_settings(**env)) as resources:
        return await registrable(resources.syncer, healthy(sandbox), ITEMS)


async def set_latency(sandbox: Sandbox, latency_ms: int) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sandbox.naver_origin}/_sandbox/faults", json={"latency_ms": latency_ms}) as resp,
    ):
        assert resp.status == 200


async def settled(
    store: StateStore, redis: aioredis.Redis, keys: Keys, item_nos: list[int]
) -> dict[int, State]:
    """Every item's state once all are out of the working states and their markers are released."""
    try:
        rows = {no: await store.get("dome", no) for no in item_nos}
        if await markers(redis, keys, item_nos):
            return {}
    except Exception:  # the server under test may still be coming back
        return {}
    final = {State.COMPLETED, State.MANUAL_REVIEW, State.FAILED}
    if all(row is not None and row.state in final for row in rows.values()):
        return {no: row.state for no, row in rows.items() if row is not None}
    return {}


async def assert_every_item_completed_once(
    sandbox: Sandbox, store: StateStore, redis: aioredis.Redis, keys: Keys, items: list[int]
) -> None:
    final = await until(lambda: settled(store, redis, keys, items), "every item to settle", RECOVERY_BOUND_S)
    parked = {no: state for no, state in final.items() if state is not State.COMPLETED}
    reasons = {no: (await store.get("dome", no)).last_error_code for no in parked}  # type: ignore[union-attr]
    # Healthy items the transform refuses (e.g. COD only) review for their own reason, never an outage.
    assert all(
        code not in (None, "INTERNAL_ERROR") and "UNAVAILABLE" not in code for code in reasons.values()
    ), reasons
    stats = await naver_stats(sandbox.naver_origin)
    assert stats["duplicates"] == 0
    assert stats["products"] == len(final) - len(parked)


@pytest.mark.slow
async def test_a_postgresql_outage_under_a_running_batch_loses_and_parks_nothing(
    actors: ModuleType,
    sandbox: Sandbox,
    postgres_server: RestartablePostgres,
    redis_client: aioredis.Redis,
    service_urls: dict[str, str],
) -> None:
    database_url = await fresh_database(postgres_server)
    env = worker_env(sandbox, {**service_urls, "DATABASE_URL": database_url})
    items = await registrable_items(sandbox, env)
    async with RunningWorker(actors, env) as running, StateStore(env["DATABASE_URL"]) as store:
        await mark_in_flight(redis_client, running.keys, items)
        await set_latency(sandbox, NAVER_LATENCY_MS)
        await running.send(items)
        await until(lambda: store.get("dome", items[0]), "the first row", RECOVERY_BOUND_S)
        await asyncio.to_thread(postgres_server.stop)
        await asyncio.sleep(OUTAGE_S)
        await asyncio.to_thread(postgres_server.start)
        await set_latency(sandbox, 0)
        await assert_every_item_completed_once(sandbox, store, redis_client, running.keys, items)


@pytest.mark.slow
async def test_a_redis_outage_under_a_running_batch_loses_and_parks_nothing(
    actors: ModuleType,
    sandbox: Sandbox,
    valkey: RestartableRedis,
    service_urls: dict[str, str],
) -> None:
    env = worker_env(sandbox, {**service_urls, "REDIS_URL": valkey.url, "REDIS_NAMESPACE": "sboutage"})
    items = await registrable_items(sandbox, env)
    redis = aioredis.Redis.from_url(valkey.url)
    try:
        async with RunningWorker(actors, env) as running, StateStore(env["DATABASE_URL"]) as store:
            await mark_in_flight(redis, running.keys, items)
            await set_latency(sandbox, NAVER_LATENCY_MS)
            await running.send(items)
            await until(lambda: store.get("dome", items[0]), "the first row", RECOVERY_BOUND_S)
            await asyncio.to_thread(valkey.stop)  # no persistence: queues and markers are gone too
            await asyncio.sleep(OUTAGE_S)
            await asyncio.to_thread(valkey.start)
            await set_latency(sandbox, 0)
            await assert_every_item_completed_once(sandbox, store, redis, running.keys, items)
    finally:
        await redis.aclose()
