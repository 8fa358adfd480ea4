"""Shared fixtures: real Redis, PostgreSQL and S3 (started here when not given), per-test isolation.

``REDIS_URL`` / ``DATABASE_URL`` / ``S3_ENDPOINT`` in the environment are used as they are;
anything missing is started once per session by ``storebridge.devstack.services``. Each test then gets its
own Redis key namespace, its own database (created from a migrated template) and its own bucket.
A service that cannot be started skips the tests that need it locally and fails them under CI.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest
import redis.asyncio as aioredis

from storebridge.config import explicit_service_urls, running_in_ci
from storebridge.devstack import DevStack, ServiceUnavailable
from storebridge.keys import Keys
from storebridge.store import StateStore, migrate

_db_counter = itertools.count()
TEMPLATE_DB = "storebridge_template"


def _unavailable(what: str, exc: Exception) -> None:
    if running_in_ci():
        pytest.fail(f"{what} unavailable under CI: {exc}")
    pytest.skip(f"{what} unavailable: {exc}")


@pytest.fixture(scope="session")
def devstack() -> Iterator[DevStack]:
    """Every service URL (given or embedded), started lazily on first use, stopped at session end."""
    stack = DevStack(explicit_service_urls())
    try:
        stack.start()
    except ServiceUnavailable as exc:
        _unavailable("test services", exc)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def redis_url(devstack: DevStack) -> str:
    """URL of the session's Redis-compatible server."""
    return devstack.urls["REDIS_URL"]


@pytest.fixture
def redis_namespace() -> str:
    """A key prefix no other test uses, so tests never see each other's keys."""
    return f"sbtest:{uuid.uuid4().hex[:12]}"


@pytest.fixture
def keys(redis_namespace: str) -> Keys:
    """The Redis keys of this test's namespace."""
    return Keys(redis_namespace)


@pytest.fixture
async def redis_client(redis_url: str, redis_namespace: str) -> AsyncIterator[aioredis.Redis]:
    """An async client; the test's namespace is deleted afterwards."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        keys = [key async for key in client.scan_iter(match=f"{redis_namespace}*", count=1000)]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture(scope="session")
def postgres_admin_url(devstack: DevStack) -> str:
    """URL of the maintenance database (``postgres``) of the session's server."""
    return devstack.urls["DATABASE_URL"]


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _migrate_template(admin_url: str) -> None:
    """(Re)create the template database with the project's migrations applied, once per session."""
    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", TEMPLATE_DB)
        if exists:
            return
        await conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    finally:
        await conn.close()
    await migrate(_with_database(admin_url, TEMPLATE_DB))


@contextlib.asynccontextmanager
async def _scratch_database(admin_url: str, name: str, template: str | None) -> AsyncIterator[str]:
    """URL of a database created as ``name`` (from ``template`` if given), dropped on exit."""
    conn = await asyncpg.connect(admin_url)
    try:
        if template is None:
            await conn.execute(f'CREATE DATABASE "{name}"')
        else:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    finally:
        await conn.close()
    try:
        yield _with_database(admin_url, name)
    finally:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture
async def database_url(postgres_admin_url: str) -> AsyncIterator[str]:
    """A fresh, migrated database for this test only (dropped afterwards)."""
    await _migrate_template(postgres_admin_url)
    name = f"sbtest_{os.getpid()}_{next(_db_counter)}"
    async with _scratch_database(postgres_admin_url, name, TEMPLATE_DB) as url:
        yield url


@pytest.fixture
async def empty_database_url(postgres_admin_url: str) -> AsyncIterator[str]:
    """A brand-new database with no schema at all, for the migration tests (dropped afterwards)."""
    name = f"sbmig_{os.getpid()}_{next(_db_counter)}"
    async with _scratch_database(postgres_admin_url, name, None) as url:
        yield url


#: Pool size of the ``store`` fixture: the store tests race 20 callers on one store (plus two spare).
STORE_POOL_SIZE = 22


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[StateStore]:
    """An open ``StateStore`` on this test's own database."""
    async with StateStore(database_url, max_size=STORE_POOL_SIZE) as opened:
        yield opened


@pytest.fixture(scope="session")
def s3_endpoint(devstack: DevStack) -> str:
    """Endpoint URL of the session's S3-compatible server."""
    return devstack.urls["S3_ENDPOINT"]


@pytest.fixture
def s3_bucket() -> str:
    """A bucket name no other test uses (created by whoever needs it, e.g. the image store)."""
    return f"sbtest-{uuid.uuid4().hex[:16]}"


@pytest.fixture
def service_urls(
    redis_url: str, redis_namespace: str, database_url: str, s3_endpoint: str, s3_bucket: str
) -> dict[str, str]:
    """This test's own Redis namespace, database and bucket, as the settings a process reads."""
    return {
        "REDIS_URL": redis_url,
        "REDIS_NAMESPACE": redis_namespace,
        "DATABASE_URL": database_url,
        "S3_ENDPOINT": s3_endpoint,
        "S3_BUCKET": s3_bucket,
    }


@pytest.fixture
async def sandbox() -> AsyncIterator[Any]:
    """Both API simulators on free loopback ports, a 60-item catalog (seed 1), fresh per test.

    Limits are the real ones (Naver 2 rps per API, Domeggook 180/min); tests that need more speed
    build their own ``SandboxOptions``.
    """
    from storebridge.sandbox.runner import Sandbox, SandboxOptions

    async with Sandbox(SandboxOptions(items=60, seed=1)) as running:
        yield running
