"""Intake jobs are pruned by the sweeper, and its queries read them through the ``enqueued_at`` index.

Given intake jobs confirmed (or recorded and never confirmed) at chosen ages, when a sweeper pass
prunes, then exactly the jobs older than ``SWEEPER_LOOKBACK_S`` are gone, at most one batch per
call. On a table of a few thousand jobs, PostgreSQL plans the sweeper's row-less search and the
pruning through ``intake_jobs_enqueued_at_idx`` (migration 0004).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import redis.asyncio as aioredis

from storebridge.config import load_settings
from storebridge.keys import Keys
from storebridge.store import StateStore
from storebridge.store.intake_jobs import _PRUNE_SQL
from storebridge.store.products import _ROWLESS_JOBS_SQL
from workers.sweeper import Sweeper

DAY_S = 86400.0
HOUR_S = 3600.0
INDEX = "intake_jobs_enqueued_at_idx"
#: Jobs of the planner test: a month of history, one job every two minutes or so.
HISTORY_JOBS = 20_000
HISTORY_DAYS = 30


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection to the test's database, to age jobs and read plans."""
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()


async def job(
    conn: asyncpg.Connection, key: str, *, claimed_ago_s: float, confirmed_ago_s: float | None
) -> None:
    """An intake job last handed off ``claimed_ago_s`` ago, confirmed ``confirmed_ago_s`` ago (or never)."""
    await conn.execute(
        "INSERT INTO intake_jobs (job_key, queue, market, item_no, claimed_at, enqueued_at) "
        "VALUES ($1, 'normal', 'dome', $2, now() - make_interval(secs => $3::float8), "
        "now() - make_interval(secs => $4::float8))",
        key,
        len(key),
        claimed_ago_s,
        confirmed_ago_s,
    )


async def job_keys(conn: asyncpg.Connection) -> set[str]:
    return {r["job_key"] for r in await conn.fetch("SELECT job_key FROM intake_jobs")}


async def test_a_sweeper_pass_deletes_the_jobs_older_than_its_lookback_and_keeps_the_rest(
    store: StateStore,
    conn: asyncpg.Connection,
    redis_client: aioredis.Redis,
    redis_namespace: str,
    redis_url: str,
    database_url: str,
) -> None:
    # Given jobs on both sides of the lookback, confirmed or never confirmed
    await job(conn, "old-confirmed", claimed_ago_s=2 * DAY_S, confirmed_ago_s=2 * DAY_S)
    await job(conn, "old-unconfirmed", claimed_ago_s=2 * DAY_S, confirmed_ago_s=None)
    await job(conn, "confirmed-an-hour-ago", claimed_ago_s=2 * DAY_S, confirmed_ago_s=HOUR_S)
    await job(conn, "recent-confirmed", claimed_ago_s=HOUR_S, confirmed_ago_s=HOUR_S)
    await job(conn, "recent-unconfirmed", claimed_ago_s=60.0, confirmed_ago_s=None)
    settings = load_settings(
        REDIS_URL=redis_url,
        REDIS_NAMESPACE=redis_namespace,
        DATABASE_URL=database_url,
        SWEEPER_LOOKBACK_S=str(DAY_S),
    )
    sweeper = Sweeper(redis_client, Keys(redis_namespace), store, settings)

    # When the sweeper prunes, twice
    first, second = await sweeper.prune(), await sweeper.prune()

    # Then the two jobs past the bound are gone, once; the others stay
    assert (first, second, sweeper.pruned) == (2, 0, 2)
    assert await job_keys(conn) == {"confirmed-an-hour-ago", "recent-confirmed", "recent-unconfirmed"}
    # A stream entry delivered again after its job was pruned is handed off again (the documented cost).
    assert await store.record_intake_job("old-confirmed", queue="normal", market="dome", item_no=1)


async def test_pruning_deletes_at_most_one_batch_per_call(
    store: StateStore, conn: asyncpg.Connection
) -> None:
    for n in range(25):
        await job(conn, f"old-{n}", claimed_ago_s=2 * DAY_S, confirmed_ago_s=2 * DAY_S)

    deleted = [await store.prune_intake_jobs(older_than_s=DAY_S, limit=10) for _ in range(4)]

    assert deleted == [10, 10, 5, 0]
    assert await job_keys(conn) == set()


def index_names(plan: Any) -> set[str]:
    """Every index a JSON plan (``EXPLAIN (FORMAT JSON)``) reads."""
    found: set[str] = set()
    if isinstance(plan, dict):
        if "Index Name" in plan:
            found.add(plan["Index Name"])
        for value in plan.values():
            found |= index_names(value)
    elif isinstance(plan, list):
        for value in plan:
            found |= index_names(value)
    return found


async def explain(conn: asyncpg.Connection, sql: str, *args: object) -> set[str]:
    """The indexes PostgreSQL's plan for ``sql`` reads (planned only, nothing runs)."""
    text = await conn.fetchval("EXPLAIN (FORMAT JSON) " + sql, *args)
    return index_names(json.loads(text))


async def test_the_sweepers_search_and_pruning_read_intake_jobs_through_the_enqueued_at_index(
    conn: asyncpg.Connection,
) -> None:
    # Given a month of jobs, confirmed evenly over it, a few never confirmed
    await conn.execute(
        "INSERT INTO intake_jobs (job_key, queue, market, item_no, claimed_at, enqueued_at) "
        "SELECT 'job-' || n, 'normal', 'dome', n, t, CASE WHEN n % 100 = 0 THEN NULL ELSE t END "
        "FROM generate_series(1, $1::int) AS n, "
        "LATERAL (SELECT now() - make_interval(secs => n * $2::float8 / $1::int)) AS at(t)",
        HISTORY_JOBS,
        HISTORY_DAYS * DAY_S,
    )
    await conn.execute("ANALYZE intake_jobs")

    # The row-less search of one pass (default bounds: 60 s to a day, 500 items) reads a thirtieth
    assert INDEX in await explain(conn, _ROWLESS_JOBS_SQL, 60.0, DAY_S, 500)
    # The pruning of a pass once the table is pruned: a sliver past the bound
    assert INDEX in await explain(conn, _PRUNE_SQL, (HISTORY_DAYS - 0.5) * DAY_S, 10_000)
