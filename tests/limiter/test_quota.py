"""The per-KST-day quota against a real Redis: soft stop, headroom, midnight rollover, acquire."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from storebridge.config import load_settings
from storebridge.keys import Keys
from storebridge.limiter import (
    BucketConfig,
    DailyQuota,
    QuotaConfig,
    QuotaExhausted,
    RateLimiter,
    RateLimitWait,
)

US = 1_000_000
#: 2026-03-01 00:00 KST is 2026-02-28 15:00 UTC.
KST_MIDNIGHT_US = int(datetime(2026, 2, 28, 15, 0, tzinfo=UTC).timestamp()) * US


async def test_ordinary_work_stops_at_the_soft_limit_and_must_run_work_may_use_the_headroom(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    quota = DailyQuota(
        redis_client, QuotaConfig("domeggook", limit=5, reserve_headroom=2), keys=Keys(redis_namespace)
    )
    counted = [await quota.take() for _ in range(3)]
    with pytest.raises(QuotaExhausted) as refused:
        await quota.take()
    with_headroom = [await quota.take(use_headroom=True) for _ in range(2)]
    with pytest.raises(QuotaExhausted):
        await quota.take(use_headroom=True)

    assert counted == [1, 2, 3]
    assert refused.value.used == 3
    assert refused.value.allowed == 3
    assert with_headroom == [4, 5]
    assert await quota.used_today() == 5


async def test_the_day_rolls_over_at_kst_midnight_not_utc_midnight(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    keys = Keys(redis_namespace)
    quota = DailyQuota(redis_client, QuotaConfig("domeggook", limit=3, reserve_headroom=0), keys=keys)
    last_moment = KST_MIDNIGHT_US - 500_000  # 23:59:59.5 KST on 2026-02-28
    for _ in range(3):
        await quota.take(now_us=last_moment)
    with pytest.raises(QuotaExhausted) as refused:
        await quota.take(now_us=last_moment)

    first_of_march = await quota.take(now_us=KST_MIDNIGHT_US)
    utc_midnight = KST_MIDNIGHT_US + 9 * 3600 * US  # 09:00 KST, same KST day
    later_that_day = await quota.take(now_us=utc_midnight)

    assert refused.value.retry_after_s == 0.5
    assert first_of_march == 1
    assert later_that_day == 2
    assert await quota.used_today(now_us=last_moment) == 3
    assert await quota.used_today(now_us=utc_midnight) == 2
    assert await redis_client.get(keys.daily_quota("domeggook", "20260228")) == b"3"
    assert await redis_client.get(keys.daily_quota("domeggook", "20260301")) == b"2"


async def test_exhaustion_defers_until_the_next_kst_midnight(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    quota = DailyQuota(
        redis_client, QuotaConfig("domeggook", limit=1, reserve_headroom=0), keys=Keys(redis_namespace)
    )
    noon_kst = KST_MIDNIGHT_US + 12 * 3600 * US
    await quota.take(now_us=noon_kst)
    with pytest.raises(QuotaExhausted) as refused:
        await quota.take(now_us=noon_kst)
    assert refused.value.retry_after_s == 12 * 3600


async def test_acquire_counts_the_quota_once_and_deferrals_do_not_use_it(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig("domeggook", rate_per_s=1.0, max_wait_s=0.0)
    quota = QuotaConfig("domeggook", limit=3, reserve_headroom=1)
    async with RateLimiter(redis_client, [bucket], quotas=[quota], keys=Keys(redis_namespace)) as limiter:
        await limiter.acquire("domeggook")
        with pytest.raises(RateLimitWait):
            await limiter.acquire("domeggook")
        counter = limiter.quota("domeggook")
        assert counter is not None
        assert await counter.used_today() == 1
        await counter.take()  # someone else's call
        await redis_client.delete(Keys(redis_namespace).bucket("domeggook"))  # the schedule is free again
        with pytest.raises(QuotaExhausted):
            await limiter.acquire("domeggook")
        assert limiter.quota("naver:products") is None


def test_quota_config_rejects_headroom_that_leaves_nothing() -> None:
    with pytest.raises(ValueError, match="reserve_headroom"):
        QuotaConfig("domeggook", limit=10, reserve_headroom=10)
    assert QuotaConfig("domeggook").soft_limit == 14_000


@pytest.mark.parametrize(
    ("limit", "headroom"), [(15_000, 1_000), (100_000, 1_000), (500, 33), (14, 0), (1, 0)]
)
def test_a_smaller_daily_allowance_keeps_proportionally_less_headroom(limit: int, headroom: int) -> None:
    quota = QuotaConfig.scaled("domeggook", limit)

    assert (quota.limit, quota.reserve_headroom) == (limit, headroom)
    assert quota.soft_limit >= 1


async def test_the_limiter_builds_from_a_small_daily_limit_setting(redis_client: aioredis.Redis) -> None:
    settings = load_settings(DOMEGGOOK_DAILY_LIMIT="500")

    async with RateLimiter.from_settings(settings, redis_client) as limiter:
        quota = limiter.quota("domeggook")
        assert quota is not None
        assert quota.config.soft_limit == 467
