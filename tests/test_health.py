"""``/health`` and the routing of the daemon's HTTP app, against real Redis and PostgreSQL over loopback."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis

from storebridge.health import combined_check, create_health_app, default_checks
from storebridge.serve import ServedApp
from storebridge.store import StateStore

#: Guard so a regression shows up as a failed test rather than a hung suite (not a speed assertion).
GUARD_S = 20.0


async def get(app_url: str, path: str, method: str = "GET") -> tuple[int, Any]:
    """Status and body (JSON when it is JSON) of one request to the served app."""
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, app_url + path) as response,
    ):
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, read, released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_health_is_ok_when_redis_and_postgres_answer(
    redis_client: aioredis.Redis, store: StateStore
) -> None:
    async with ServedApp(create_health_app(default_checks(redis_client, store))) as served:
        status, body = await get(served.base_url, "/health")

    assert status == 200
    assert body == {"status": "ok", "components": {"redis": True, "postgres": True}}


async def test_health_is_503_and_names_redis_when_redis_is_down(store: StateStore) -> None:
    dead_redis = aioredis.Redis(host="127.0.0.1", port=closed_port())
    try:
        async with ServedApp(create_health_app(default_checks(dead_redis, store))) as served:
            status, body = await get(served.base_url, "/health")
    finally:
        await dead_redis.aclose()

    assert status == 503
    assert body["status"] == "fail"
    assert body["components"] == {"redis": False, "postgres": True}
    assert body["failing"] == ["redis"]


async def test_health_is_503_and_names_postgres_when_the_store_has_no_connection(
    redis_client: aioredis.Redis, database_url: str
) -> None:
    store = StateStore(database_url)
    await store.start()
    await store.close()  # no pool left: ping answers False, as it does for an unreachable server

    async with ServedApp(create_health_app(default_checks(redis_client, store))) as served:
        status, body = await get(served.base_url, "/health")

    assert status == 503
    assert body["components"] == {"redis": True, "postgres": False}
    assert body["failing"] == ["postgres"]


async def test_health_answers_503_instead_of_hanging_when_redis_accepts_but_never_replies(
    store: StateStore,
) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # never answers; returns when the client gives up
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    hung_redis = aioredis.Redis(host="127.0.0.1", port=port)
    try:
        check = default_checks(hung_redis, store, timeout_s=0.3)
        async with ServedApp(create_health_app(check)) as served:
            status, body = await asyncio.wait_for(get(served.base_url, "/health"), GUARD_S)
    finally:
        await hung_redis.aclose()
        server.close()
        await server.wait_closed()

    assert status == 503
    assert body["components"] == {"redis": False, "postgres": True}


async def test_health_answers_503_when_the_whole_check_hangs() -> None:
    async def never() -> dict[str, bool]:
        await asyncio.Event().wait()
        return {}

    async with ServedApp(create_health_app(never, check_timeout_s=0.2)) as served:
        status, body = await asyncio.wait_for(get(served.base_url, "/health"), GUARD_S)

    assert status == 503
    assert body == {"status": "fail", "components": {}, "failing": ["check_timeout"]}


async def test_a_probe_that_raises_counts_as_down_and_the_others_still_report() -> None:
    async def broken() -> bool:
        raise OSError("socket exploded")

    async def fine() -> bool:
        return True

    check = combined_check({"broken": broken, "fine": fine})

    assert await check() == {"broken": False, "fine": True}


async def test_only_health_and_metrics_are_served() -> None:
    async def ok() -> dict[str, bool]:
        return {"redis": True}

    async with ServedApp(create_health_app(ok)) as served:
        assert (await get(served.base_url, "/"))[0] == 404
        assert (await get(served.base_url, "/healthz"))[0] == 404
        assert (await get(served.base_url, "/metrics/extra"))[0] == 404
        assert (await get(served.base_url, "/health", method="POST"))[0] == 405
        status, text = await get(served.base_url, "/metrics")

    assert status == 200
    assert "storebridge_api_requests_total" in text


def test_a_multiprocess_directory_that_does_not_exist_is_refused_at_start(tmp_path: Path) -> None:
    async def ok() -> dict[str, bool]:
        return {}

    with pytest.raises(ValueError, match="PROMETHEUS_MULTIPROC_DIR"):
        create_health_app(ok, multiproc_dir=str(tmp_path / "missing"))
