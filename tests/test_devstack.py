"""The test infrastructure itself: every real service answers and tests are isolated."""

from __future__ import annotations

import asyncpg
import redis.asyncio as aioredis
from aiobotocore.session import get_session


async def test_redis_supports_streams_and_lua(redis_client: aioredis.Redis, redis_namespace: str) -> None:
    stream = f"{redis_namespace}:stream"
    await redis_client.xgroup_create(stream, "g", id="0", mkstream=True)
    await redis_client.xadd(stream, {"item": "1"})
    got = await redis_client.xreadgroup("g", "c", {stream: ">"}, count=1)
    assert got[0][1][0][1] == {b"item": b"1"}
    assert await redis_client.eval("return redis.call('TIME')[1] ~= nil and 1 or 0", 0) == 1


async def test_each_test_gets_its_own_empty_database(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("CREATE TABLE isolation_probe (x int)")
        assert await conn.fetchval("SELECT count(*) FROM isolation_probe") == 0
    finally:
        await conn.close()


async def test_database_of_another_test_has_no_leftovers(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        probe = await conn.fetchval("SELECT to_regclass('isolation_probe')")
        assert probe is None
    finally:
        await conn.close()


async def test_s3_round_trip(s3_endpoint: str, s3_bucket: str) -> None:
    session = get_session()
    async with session.create_client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ) as s3:
        await s3.create_bucket(Bucket=s3_bucket)
        await s3.put_object(Bucket=s3_bucket, Key="k", Body=b"v")
        obj = await s3.get_object(Bucket=s3_bucket, Key="k")
        async with obj["Body"] as body:
            assert await body.read() == b"v"
