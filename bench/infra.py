"""Fresh, isolated state per scenario: a new PostgreSQL database, Redis namespace and S3 bucket.

Scenarios must not share anything a previous one left behind (image cache rows, Naver token,
limiter schedules, in-flight markers, Dramatiq queues), so each gets a database created and
migrated here (as ``tests/conftest.py`` does), a key namespace of its own and a bucket of its own.
Everything is removed again at the end, so a run against real services (``REDIS_URL`` /
``DATABASE_URL`` given) leaves nothing behind but the S3 bucket's objects.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg
import redis.asyncio as aioredis

from storebridge.store import migrate


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@dataclass(frozen=True)
class Isolation:
    """What one scenario owns: its database URL, key namespace and bucket."""

    database_url: str
    namespace: str
    bucket: str

    def env(self) -> dict[str, str]:
        """The settings that point StoreBridge at this scenario's state."""
        return {
            "DATABASE_URL": self.database_url,
            "REDIS_NAMESPACE": self.namespace,
            "S3_BUCKET": self.bucket,
        }


@contextlib.asynccontextmanager
async def isolated(urls: dict[str, str], label: str) -> AsyncIterator[Isolation]:
    """A migrated database, a namespace and a bucket name for one scenario; dropped afterwards."""
    token = uuid.uuid4().hex[:10]
    admin_url = urls["DATABASE_URL"]
    name = f"sbbench_{label}_{token}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    isolation = Isolation(
        _with_database(admin_url, name), f"sbbench:{label}:{token}", f"sbbench-{label}-{token}"
    )
    try:
        await migrate(isolation.database_url)
        yield isolation
    finally:
        with contextlib.suppress(Exception):
            await _drop_namespace(urls["REDIS_URL"], isolation.namespace)
        with contextlib.suppress(Exception):
            conn = await asyncpg.connect(admin_url)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()


async def _drop_namespace(redis_url: str, namespace: str) -> None:
    """Delete every key of the namespace (ours and Dramatiq's ``{namespace}-dramatiq`` ones)."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{namespace}*", count=1000)]
        for start in range(0, len(keys), 1000):
            await client.delete(*keys[start : start + 1000])
    finally:
        await client.aclose()


@contextlib.contextmanager
def work_dir(logs_dir: str, label: str) -> Iterator[Path]:
    """Where a scenario's children write their logs: ``logs_dir/label`` (kept) or a temporary directory."""
    if logs_dir:
        path = Path(logs_dir) / label
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix=f"sbbench-{label}-") as tmp:
        yield Path(tmp)


def child_env(*parts: dict[str, str], work: Path) -> dict[str, str]:
    """Environment for ``storebridge daemon`` / ``worker`` children: ours plus the given settings.

    Setting environment for child processes is the one place outside ``storebridge.config`` that
    touches ``os.environ`` (the children read it through ``load_settings``).
    """
    prom = work / "prom"
    prom.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(prom)}
    for part in parts:
        env.update(part)
    return env


async def transition_times(database_url: str, to_state: str) -> list[float]:
    """When each transition into ``to_state`` happened (Unix seconds, oldest first).

    Into ``REGISTERING`` is written just before each create call, so these are the create calls'
    times: the products bucket's actual use over time.
    """
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT at FROM product_events WHERE to_state = $1 ORDER BY at", to_state)
    finally:
        await conn.close()
    return [row["at"].timestamp() for row in rows]


async def last_event_time(database_url: str) -> datetime | None:
    """When the newest event of any kind was written (the moment the last item settled)."""
    conn = await asyncpg.connect(database_url)
    try:
        value = await conn.fetchval("SELECT max(at) FROM product_events")
    finally:
        await conn.close()
    return value if isinstance(value, datetime) else None


async def settled_count(database_url: str, code: str, to_state: str, since: datetime) -> int:
    """Events with ``code`` that entered ``to_state`` at or after ``since`` (one per finished update)."""
    conn = await asyncpg.connect(database_url)
    try:
        value = await conn.fetchval(
            "SELECT count(*) FROM product_events WHERE code = $1 AND to_state = $2 AND at >= $3",
            code,
            to_state,
            since,
        )
    finally:
        await conn.close()
    return int(value or 0)
