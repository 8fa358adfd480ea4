"""``storebridge_sweeper_redriven_total``: every item the sweeper re-drives is counted by its state.

A real PostgreSQL and Redis: one product stalled in PENDING and one intake job whose item never got
a row; one sweep must add exactly one to each state's series (read from the default registry, as
``/metrics`` would serve it outside multiprocess mode).
"""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
from prometheus_client import REGISTRY

from storebridge.config import load_settings
from storebridge.keys import Keys
from storebridge.store import StateStore
from storebridge.transform import seller_management_code
from workers.sweeper import NO_ROW, Sweeper

STALE_S = 0.5


def redriven(state: str) -> float:
    return REGISTRY.get_sample_value("storebridge_sweeper_redriven_total", {"state": state}) or 0.0


async def test_each_redriven_item_is_counted_by_the_state_it_stalled_in(
    store: StateStore, redis_client: aioredis.Redis, redis_namespace: str, redis_url: str, database_url: str
) -> None:
    settings = load_settings(
        REDIS_URL=redis_url,
        REDIS_NAMESPACE=redis_namespace,
        DATABASE_URL=database_url,
        SWEEPER_STALE_AFTER_S=str(STALE_S),
    )
    await store.claim("dome", 301, seller_management_code("dome", 301))
    assert await store.record_intake_job("1-0", queue="normal", market="dome", item_no=302)
    await store.mark_intake_job_enqueued("1-0")
    before = {state: redriven(state) for state in ("PENDING", NO_ROW, "UPLOADING")}

    await asyncio.sleep(STALE_S + 0.5)
    assert await Sweeper(redis_client, Keys(redis_namespace), store, settings).sweep() == 2

    after = {state: redriven(state) for state in before}
    assert {state: after[state] - before[state] for state in before} == {
        "PENDING": 1,
        NO_ROW: 1,
        "UPLOADING": 0,
    }
