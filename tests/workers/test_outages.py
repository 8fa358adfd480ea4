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
import importlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import ModuleType
from typing import Any

import aiohttp
import asyncpg
import dramatiq
import pytest
import redis.asyncio as aioredis
from dramatiq import Worker

from schemas.messages import SyncBatch
from storebridge.config import load_settings
from storebridge.intake import inflight
from storebridge.keys import Keys
from storebridge.resources import Resources
from storebridge.sandbox.catalog.model import ItemStatus
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from storebridge.sandbox.naver.app import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from storebridge.shutdown import reset_for_tests
from storebridge.store import State, StateStore, migrate
from tests.faults import RestartablePostgres, RestartableRedis
from tests.sync.test_outages import registrable

#: Items of the batch (a few of them are still at work when the server goes away).
ITEMS = 6
#: Naver latency (ms): images upload slowly, so the outage strikes before any create is sent.
NAVER_LATENCY_MS = 400
#: How long the server stays down (s).
OUTAGE_S = 2.0
#: Bound on the recovery (s); a bound, not a speed assertion.
RECOVERY_BOUND_S = 60.0
MARKER_TTL_S = 600.0


async def until(check: Callable[[], Awaitable[Any]], what: str, timeout_s: float = RECOVERY_BOUND_S) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    options = SandboxOptions(
        items=60,
        seed=1,
        naver=NaverSimConfig(rate_per_s=50),
        domeggook=DomeggookSimConfig(per_minute_limit=100_000),
    )
    async with Sandbox(options) as running:
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


def environment(sandbox: Sandbox, **urls: str) -> dict[str, str]:
    return {
        **sandbox.environment(),
        **urls,
        "NAVER_MAX_TPS": "40",
        "DOMEGGOOK_MAX_TPS": "40",
        "NAVER_SEARCH_GRACE_S": "0",
        "RETRY_BACKOFF_BASE": "1",
        "LOG_FORMAT": "json",
    }


class Running:
    """A booted in-process worker on a broker of this test's settings (installed globally)."""

    def __init__(self, actors: ModuleType, env: dict[str, str]) -> None:
        from workers.broker import build_broker

        self.actors, self.env = actors, env
        self.keys = Keys(env["REDIS_NAMESPACE"])
        self.broker = build_broker(load_settings(**env))
        actors.declare_actors(self.broker)
        self.worker = Worker(self.broker, worker_threads=2, worker_timeout=100)

    async def __aenter__(self) -> Running:
        self.previous = dramatiq.get_broker()
        dramatiq.set_broker(self.broker)
        await asyncio.to_thread(self.worker.start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.worker.stop)
        self.broker.close()
        dramatiq.set_broker(self.previous)
        reset_for_tests()  # a stopping worker asks the whole process to stop waiting; undo it

    async def send(self, item_nos: list[int]) -> None:
        batch = SyncBatch(queue="normal", item_nos=item_nos, enqueued_at_ms=int(time.time() * 1000))
        await asyncio.to_thread(self.actors.send_batch, batch)


@pytest.fixture
def actors(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """``workers.actors`` (its import builds an entry broker nobody here uses)."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    return importlib.import_module("workers.actors")


async def registrable_items(sandbox: Sandbox, env: dict[str, str]) -> list[int]:
    """``ITEMS`` healthy items the transform accepts (each must end COMPLETED)."""
    healthy = [i.no for i in sandbox.catalog if not i.scenarios and i.status is ItemStatus.ON_SALE]
    async with Resources(load_settings(**env)) as resources:
        return await registrable(resources.syncer, healthy, ITEMS)


async def set_latency(sandbox: Sandbox, latency_ms: int) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sandbox.naver_origin}/_sandbox/faults", json={"latency_ms": latency_ms}) as resp,
    ):
        assert resp.status == 200


async def naver_stats(sandbox: Sandbox) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(f"{sandbox.naver_origin}/_sandbox/stats") as resp:
        return dict(await resp.json())


async def settled(
    store: StateStore, redis: aioredis.Redis, keys: Keys, item_nos: list[int]
) -> dict[int, State]:
    """Every item's state once all are out of the working states and their markers are released."""
    try:
        rows = {no: await store.get("dome", no) for no in item_nos}
        if [no for no in item_nos if await redis.exists(keys.inflight("dome", no))]:
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
    final = await until(lambda: settled(store, redis, keys, items), "every item to settle")
    parked = {no: state for no, state in final.items() if state is not State.COMPLETED}
    reasons = {no: (await store.get("dome", no)).last_error_code for no in parked}  # type: ignore[union-attr]
    # Healthy items the transform refuses (e.g. COD only) review for their own reason, never an outage.
    assert all(
        code not in (None, "INTERNAL_ERROR") and "UNAVAILABLE" not in code for code in reasons.values()
    ), reasons
    stats = await naver_stats(sandbox)
    assert stats["duplicates"] == 0
    assert stats["products"] == len(final) - len(parked)


@pytest.mark.slow
async def test_a_postgresql_outage_under_a_running_batch_loses_and_parks_nothing(
    actors: ModuleType,
    sandbox: Sandbox,
    postgres_server: RestartablePostgres,
    redis_url: str,
    redis_namespace: str,
    redis_client: aioredis.Redis,
    s3_endpoint: str,
    s3_bucket: str,
) -> None:
    database_url = await fresh_database(postgres_server)
    env = environment(
        sandbox,
        REDIS_URL=redis_url,
        REDIS_NAMESPACE=redis_namespace,
        DATABASE_URL=database_url,
        S3_ENDPOINT=s3_endpoint,
        S3_BUCKET=s3_bucket,
    )
    items = await registrable_items(sandbox, env)
    async with Running(actors, env) as running, StateStore(database_url) as store:
        await inflight.acquire(redis_client, running.keys, "dome", items, ttl_s=MARKER_TTL_S)
        await set_latency(sandbox, NAVER_LATENCY_MS)
        await running.send(items)
        await until(lambda: store.get("dome", items[0]), "the first row")
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
    database_url: str,
    s3_endpoint: str,
    s3_bucket: str,
) -> None:
    env = environment(
        sandbox,
        REDIS_URL=valkey.url,
        REDIS_NAMESPACE="sboutage",
        DATABASE_URL=database_url,
        S3_ENDPOINT=s3_endpoint,
        S3_BUCKET=s3_bucket,
    )
    items = await registrable_items(sandbox, env)
    redis = aioredis.Redis.from_url(valkey.url)
    try:
        async with Running(actors, env) as running, StateStore(database_url) as store:
            await inflight.acquire(redis, running.keys, "dome", items, ttl_s=MARKER_TTL_S)
            await set_latency(sandbox, NAVER_LATENCY_MS)
            await running.send(items)
            await until(lambda: store.get("dome", items[0]), "the first row")
            await asyncio.to_thread(valkey.stop)  # no persistence: queues and markers are gone too
            await asyncio.sleep(OUTAGE_S)
            await asyncio.to_thread(valkey.start)
            await set_latency(sandbox, 0)
            await assert_every_item_completed_once(sandbox, store, redis, running.keys, items)
    finally:
        await redis.aclose()
