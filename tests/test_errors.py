"""``infrastructure_service`` over exceptions the real libraries raise, never hand-built ones.

Given a closed port, a server stopped under an open connection, a silent socket, a bucket that is
not there, when redis-py, asyncpg, aiobotocore or aiohttp fail, then the classification names the
service; and errors that are decisions about the data (a division by zero, a missing key, a bug, a
``PermanentError``, asyncpg misuse) are not outages.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Iterator

import aiohttp
import asyncpg
import pytest
import redis.asyncio as aioredis
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from types_aiobotocore_s3 import S3Client

from storebridge.devstack import RestartablePostgres, free_port
from storebridge.errors import (
    NETWORK,
    POSTGRESQL,
    REDIS,
    S3,
    InfrastructureUnavailable,
    PermanentError,
    TransientError,
    infrastructure_service,
    is_infrastructure_error,
)
from storebridge.images.s3 import S3ImageBucket
from storebridge.images.types import ImageStorageFailed


async def raised(coro: object) -> BaseException:
    """The exception ``coro`` raises (the test fails if it returns)."""
    try:
        await coro  # type: ignore[misc]
    except Exception as exc:
        return exc
    pytest.fail("expected an exception")


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung server)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield int(server.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[RestartablePostgres]:
    with RestartablePostgres() as server:
        yield server


@pytest.fixture
async def s3(s3_endpoint: str) -> AsyncIterator[S3Client]:
    config = AioConfig(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=2)
    async with get_session().create_client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
        config=config,
    ) as client:
        yield client


async def test_redis_refused_and_silent_servers_are_redis_outages(silent_port: int) -> None:
    refused = aioredis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    silent = aioredis.Redis.from_url(f"redis://127.0.0.1:{silent_port}/0", socket_timeout=0.2)
    try:
        for client in (refused, silent):
            exc = await raised(client.ping())
            assert infrastructure_service(exc) == REDIS, repr(exc)
    finally:
        await refused.aclose()
        await silent.aclose()


async def test_asyncpg_refused_connect_is_a_network_outage() -> None:
    exc = await raised(asyncpg.connect(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres", timeout=2))
    assert infrastructure_service(exc) == NETWORK, repr(exc)


async def test_postgresql_stopping_under_an_open_connection_and_pool_is_an_outage(
    postgres: RestartablePostgres,
) -> None:
    conn = await asyncpg.connect(postgres.url)
    pool = await asyncpg.create_pool(postgres.url, min_size=1, max_size=2)
    try:
        assert await pool.fetchval("SELECT 1") == 1
        postgres.stop()
        for exc in (await raised(conn.fetchval("SELECT 1")), await raised(pool.fetchval("SELECT 1"))):
            assert is_infrastructure_error(exc), repr(exc)
            assert infrastructure_service(exc) in (POSTGRESQL, NETWORK), repr(exc)
    finally:
        postgres.start()
        await conn.close()
        await pool.close()
    closed = await raised(conn.fetchval("SELECT 1"))
    assert infrastructure_service(closed) == POSTGRESQL, repr(closed)
    closing = await raised(pool.fetchval("SELECT 1"))
    assert infrastructure_service(closing) == POSTGRESQL, repr(closing)


async def test_postgresql_refusals_and_misuse_are_not_outages(postgres: RestartablePostgres) -> None:
    conn = await asyncpg.connect(postgres.url)
    try:
        division = await raised(conn.fetchval("SELECT 1 / 0"))
        assert isinstance(division, asyncpg.PostgresError)
        assert not is_infrastructure_error(division)
        busy = conn.fetchval("SELECT pg_sleep(0.3)")
        task = asyncio.ensure_future(busy)
        await asyncio.sleep(0.05)
        misuse = await raised(conn.fetchval("SELECT 1"))
        assert isinstance(misuse, asyncpg.InterfaceError)
        assert not is_infrastructure_error(misuse)
        await task
    finally:
        await conn.close()


async def test_s3_unreachable_and_missing_bucket_are_s3_outages_but_a_missing_key_is_not(
    s3: S3Client,
) -> None:
    async with get_session().create_client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
        config=AioConfig(retries={"max_attempts": 1}, connect_timeout=1),
    ) as unreachable:
        exc = await raised(unreachable.head_bucket(Bucket="anything"))
        assert infrastructure_service(exc) == S3, repr(exc)
        wrapped = await raised(
            S3ImageBucket(unreachable, "anything", region="us-east-1").store("k", b"x", "image/jpeg")
        )
        assert isinstance(wrapped, ImageStorageFailed)
        assert infrastructure_service(wrapped) == S3, "the wrapper's cause names the outage"
    bucket = f"sbtest-{uuid.uuid4().hex[:16]}"
    missing_bucket = await raised(s3.put_object(Bucket=bucket, Key="k", Body=b"x"))
    assert infrastructure_service(missing_bucket) == S3, repr(missing_bucket)
    await s3.create_bucket(Bucket=bucket)
    missing_key = await raised(s3.get_object(Bucket=bucket, Key="nothing"))
    assert not is_infrastructure_error(missing_key), repr(missing_key)


async def test_aiohttp_refused_and_dropped_connections_are_network_outages() -> None:
    async with aiohttp.ClientSession() as http:
        refused = await raised(http.get(f"http://127.0.0.1:{free_port()}/"))
        assert infrastructure_service(refused) == NETWORK, repr(refused)

        async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(100)
            writer.close()

        server = await asyncio.start_server(drop, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            dropped = await raised(http.get(f"http://127.0.0.1:{port}/"))
        assert infrastructure_service(dropped) == NETWORK, repr(dropped)


def test_decisions_and_bugs_are_not_outages() -> None:
    assert infrastructure_service(InfrastructureUnavailable(REDIS, "down")) == REDIS
    for exc in (
        ValueError("bad"),
        KeyError("x"),
        PermanentError("item 1: banned word"),
        TransientError("item 1: Naver 503"),
        ImageStorageFailed("S3 PUT k failed: AccessDenied"),
    ):
        assert not is_infrastructure_error(exc), repr(exc)
