"""``RateLimiter.from_settings``: the one place the daemon, the workers and the commands build it.

Every process must give the same bucket the same budget (the schedule in Redis is shared), so the
budgets, the daily quota and the key namespace come from ``Settings`` here and nowhere else.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from storebridge.config import load_settings
from storebridge.keys import Keys
from storebridge.limiter import ALL_BUCKETS, DOMEGGOOK, RateLimiter, buckets_from_settings
from storebridge.limiter.buckets import DOMEGGOOK_PENALTY_PAUSE_S

NAVER_BUCKETS = tuple(api for api in ALL_BUCKETS if api != DOMEGGOOK)


def test_buckets_follow_the_configured_rates_one_per_naver_api_and_one_for_domeggook() -> None:
    settings = load_settings(DOMEGGOOK_MAX_TPS="4", NAVER_MAX_TPS="1.5")

    buckets = {bucket.api: bucket for bucket in buckets_from_settings(settings)}

    assert set(buckets) == set(ALL_BUCKETS)
    assert buckets[DOMEGGOOK].rate_per_s == 4.0
    assert buckets[DOMEGGOOK].penalty_pause_s == DOMEGGOOK_PENALTY_PAUSE_S
    assert {buckets[api].rate_per_s for api in NAVER_BUCKETS} == {1.5}


async def test_the_limiter_from_settings_has_the_budgets_the_domeggook_quota_and_the_namespace(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    settings = load_settings(
        DOMEGGOOK_MAX_TPS="4",
        NAVER_MAX_TPS="1.5",
        DOMEGGOOK_DAILY_LIMIT="9000",
        REDIS_NAMESPACE=redis_namespace,
    )

    async with RateLimiter.from_settings(settings, redis_client) as limiter:
        for bucket in buckets_from_settings(settings):
            assert limiter.config(bucket.api) == bucket
        quota = limiter.quota(DOMEGGOOK)
        assert quota is not None
        assert quota.config.limit == 9000
        assert all(limiter.quota(api) is None for api in NAVER_BUCKETS)
        await limiter.acquire(DOMEGGOOK)
        assert await quota.used_today() == 1

    assert await redis_client.exists(Keys(redis_namespace).bucket(DOMEGGOOK))
    assert await redis_client.ping()  # a given client is left open


async def test_without_a_client_the_limiter_from_settings_opens_and_closes_its_own(
    redis_url: str, redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    name = f"limiter-{redis_namespace.replace(':', '-')}"
    settings = load_settings(REDIS_URL=f"{redis_url}?client_name={name}", REDIS_NAMESPACE=redis_namespace)

    async def connections() -> int:
        return sum(1 for client in await redis_client.client_list() if client.get("name") == name)

    async with RateLimiter.from_settings(settings) as limiter:
        assert await limiter.remaining_budget("naver:products") == 1
        assert await connections() == 1
    assert await connections() == 0
