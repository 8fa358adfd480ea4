"""The shared rate limiter against a real Redis: schedule, cap, pauses, header and 429 adaptation.

Assertions are on the schedule the Lua script returns (slot times on Redis's clock), never on how
long the test took. Where a test needs a precise instant it passes ``now_us`` (the scripts' clock
override) starting from Redis's own ``TIME``.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest
import redis.asyncio as aioredis

from storebridge.keys import Keys
from storebridge.limiter import BucketConfig, RateLimiter, RateLimitWait, default_buckets

US = 1_000_000


async def redis_now_us(client: aioredis.Redis) -> int:
    seconds, micros = await client.time()
    return int(seconds) * US + int(micros)


def spacing_ok(slots: list[int], rate_per_s: float) -> bool:
    ordered = sorted(slots)
    return all(b - a >= US / rate_per_s for a, b in itertools.pairwise(ordered))


async def test_concurrent_reservations_are_spaced_one_interval_apart(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig("naver:products", rate_per_s=20.0, max_wait_s=60.0)
    async with RateLimiter(redis_client, [bucket], keys=Keys(redis_namespace)) as limiter:
        reservations = await asyncio.gather(*(limiter.reserve_slot("naver:products") for _ in range(60)))

    slots = [r.slot_us for r in reservations]
    assert len(set(slots)) == 60
    assert spacing_ok(slots, bucket.pacing_rate_per_s)
    # Strict spacing, no slack: the last slot is 59 intervals after the first (µs rounding aside).
    assert max(slots) - min(slots) == pytest.approx(59 * US / 19.0, abs=60)
    assert min(r.wait_s for r in reservations) == 0.0


async def test_two_limiters_on_separate_connections_share_one_schedule(
    redis_url: str, redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig("domeggook", rate_per_s=10.0, max_wait_s=60.0)
    keys = Keys(redis_namespace)
    async with (
        RateLimiter(redis_url, [bucket], keys=keys) as first,
        RateLimiter(redis_url, [bucket], keys=keys) as second,
    ):
        both = await asyncio.gather(
            *(limiter.reserve_slot("domeggook") for _ in range(15) for limiter in (first, second))
        )
    assert spacing_ok([r.slot_us for r in both], bucket.pacing_rate_per_s)


async def test_a_wait_beyond_the_cap_books_nothing_and_raises_rate_limit_wait(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig("naver:search", rate_per_s=1.0, safety_factor=1.0, max_wait_s=2.0)
    async with RateLimiter(redis_client, [bucket], keys=Keys(redis_namespace)) as limiter:
        t0 = await redis_now_us(redis_client)
        waits = [(await limiter.reserve_slot("naver:search", now_us=t0)).wait_s for _ in range(3)]
        with pytest.raises(RateLimitWait) as refused:
            await limiter.reserve_slot("naver:search", now_us=t0)
        status = await limiter.status("naver:search", now_us=t0)

    assert waits == [0.0, 1.0, 2.0]
    assert refused.value.wait_s == 3.0
    assert refused.value.retry_after_s == 2.0  # the wait minus half the cap
    assert status.next_wait_s == 3.0  # the refused call booked nothing


async def test_a_cost_above_one_takes_that_many_intervals(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig("naver:images", rate_per_s=2.0, safety_factor=1.0, max_wait_s=10.0)
    async with RateLimiter(redis_client, [bucket], keys=Keys(redis_namespace)) as limiter:
        t0 = await redis_now_us(redis_client)
        first = await limiter.reserve_slot("naver:images", cost=3, now_us=t0)
        second = await limiter.reserve_slot("naver:images", now_us=t0)
    assert first.wait_s == 1.0  # three slots, burst 1: the batch starts after the two before it
    assert second.wait_s == 1.5


async def test_burst_lets_calls_start_back_to_back_after_an_idle_spell(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig("naver:categories", rate_per_s=4.0, safety_factor=1.0, burst=3)
    async with RateLimiter(redis_client, [bucket], keys=Keys(redis_namespace)) as limiter:
        t0 = await redis_now_us(redis_client)
        before = (await limiter.status("naver:categories", now_us=t0)).free_slots
        waits = [(await limiter.reserve_slot("naver:categories", now_us=t0)).wait_s for _ in range(5)]
        after = (await limiter.status("naver:categories", now_us=t0)).free_slots
    assert before == 3
    assert waits == [0.0, 0.0, 0.0, 0.25, 0.5]
    assert after == 0


async def test_acquire_waits_for_its_slot_and_slot_is_the_context_manager_form(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig("naver:products", rate_per_s=10.0)
    async with RateLimiter(redis_client, [bucket], keys=Keys(redis_namespace)) as limiter:
        first = await limiter.acquire("naver:products")
        second = await limiter.acquire("naver:products")
        async with limiter.slot("naver:products"):
            remaining = await limiter.remaining_budget("naver:products")
    assert first == 0.0
    assert second > 0.0
    assert remaining == 0


async def test_penalize_pauses_the_api_for_every_process(redis_url: str, redis_namespace: str) -> None:
    bucket = BucketConfig("naver:products", rate_per_s=5.0, penalty_pause_s=0.2)
    keys = Keys(redis_namespace)
    async with (
        RateLimiter(redis_url, [bucket], keys=keys) as hit,
        RateLimiter(redis_url, [bucket], keys=keys) as other,
    ):
        t0 = await redis_now_us(hit._redis)
        left_s = await hit.penalize("naver:products", 0.5, now_us=t0)
        during = await other.reserve_slot("naver:products", now_us=t0 + 100_000)
        next_one = await other.reserve_slot("naver:products", now_us=t0 + 100_000)
        status = await other.status("naver:products", now_us=t0 + 100_000)

    assert 0.5 <= left_s < 0.502
    assert during.slot_us >= t0 + 500_000
    assert next_one.slot_us - during.slot_us >= US / during.rate_per_s
    assert status.free_slots == 0
    assert status.paused_for_s == pytest.approx(0.4, abs=0.002)


async def test_domeggook_pauses_at_least_three_minutes_after_a_429(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    async with RateLimiter(redis_client, default_buckets(), keys=Keys(redis_namespace)) as limiter:
        left_s = await limiter.penalize("domeggook", 5.0)
        with pytest.raises(RateLimitWait) as deferred:
            await limiter.reserve_slot("domeggook")
    assert left_s >= 180.0
    assert deferred.value.retry_after_s is not None
    assert deferred.value.retry_after_s > 170.0


async def test_a_caller_asleep_when_a_pause_starts_queues_again_behind_it(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig(
        "naver:images", rate_per_s=5.0, safety_factor=1.0, penalty_pause_s=1.0, max_wait_s=5.0
    )
    async with RateLimiter(redis_client, [bucket], keys=Keys(redis_namespace)) as limiter:
        await limiter.reserve_slot("naver:images")
        sleeper = asyncio.create_task(limiter.acquire("naver:images"))  # booked 0.2 s ahead
        await asyncio.sleep(0.05)
        await limiter.penalize("naver:images")
        waited_s = await sleeper
    # The first booking (≤ 0.2 s) fell inside the pause, so it booked again after the pause.
    assert waited_s > 0.9


async def test_headers_lower_the_rate_for_every_process(redis_url: str, redis_namespace: str) -> None:
    bucket = BucketConfig("naver:products", rate_per_s=2.0, burst=4, max_wait_s=10.0)
    keys = Keys(redis_namespace)
    async with (
        RateLimiter(redis_url, [bucket], keys=keys) as seer,
        RateLimiter(redis_url, [bucket], keys=keys) as other,
    ):
        seen = await seer.observe_headers(
            "naver:products",
            {
                "GNCP-GW-RateLimit-Replenish-Rate": "1",
                "gncp-gw-ratelimit-burst-capacity": "1",
                "Gncp-Gw-RateLimit-Remaining": "3",
            },
        )
        status = await other.status("naver:products")
        reservations = [await other.reserve_slot("naver:products") for _ in range(3)]

    assert seen.replenish_rate_per_s == 1.0
    assert status.rate_per_s == pytest.approx(0.95)
    assert status.free_slots == 1  # the provider's burst 1 overrides our burst 4
    assert spacing_ok([r.slot_us for r in reservations], 0.95)


async def test_a_higher_announced_rate_never_raises_ours(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig("naver:search", rate_per_s=2.0)
    async with RateLimiter(redis_client, [bucket], keys=Keys(redis_namespace)) as limiter:
        await limiter.observe_headers("naver:search", {"gncp-gw-ratelimit-replenish-rate": "50"})
        status = await limiter.status("naver:search")
        ignored = await limiter.observe_headers("naver:search", {"Content-Type": "application/json"})
    assert status.rate_per_s == pytest.approx(1.9)
    assert ignored.empty


async def test_remaining_zero_pauses_the_bucket_for_one_replenish_interval(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig("naver:products", rate_per_s=2.0)
    async with RateLimiter(redis_client, [bucket], keys=Keys(redis_namespace)) as limiter:
        t0 = await redis_now_us(redis_client)
        await limiter.observe_headers(
            "naver:products",
            {"GNCP-GW-RateLimit-Replenish-Rate": "2", "GNCP-GW-RateLimit-Remaining": "0"},
            now_us=t0,
        )
        status = await limiter.status("naver:products", now_us=t0)
        slot = await limiter.reserve_slot("naver:products", now_us=t0)
    assert status.paused_for_s == pytest.approx(0.5, abs=0.001)
    assert slot.slot_us >= t0 + 500_000


async def test_a_429_cuts_the_rate_once_per_event_and_it_ramps_back_after_the_pause(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig(
        "naver:products",
        rate_per_s=10.0,
        safety_factor=1.0,
        penalty_pause_s=1.0,
        recovery_s=10.0,
        min_factor=0.2,
    )
    api = "naver:products"

    async with RateLimiter(redis_client, [bucket], keys=Keys(redis_namespace)) as limiter:

        async def rate_at(offset_s: float) -> float:
            return (await limiter.status(api, now_us=t0 + int(offset_s * US))).rate_per_s

        t0 = await redis_now_us(redis_client)
        await limiter.penalize(api, now_us=t0)  # pause until 1.0
        await limiter.penalize(api, now_us=t0 + 300_000)  # an in-flight request's 429: pause until 1.3
        halved, after_pause, halfway, recovered = [await rate_at(s) for s in (0.5, 1.3, 6.3, 11.31)]
        await limiter.penalize(api, now_us=t0 + int(6.3 * US))  # a new event at factor 0.75
        cut_again = await rate_at(6.5)
        for n in range(3):  # more events in a row stop at min_factor
            await limiter.penalize(api, now_us=t0 + (8 + 2 * n) * US)
        floor = await rate_at(12.5)

    assert halved == pytest.approx(5.0)
    assert after_pause == pytest.approx(5.0, abs=0.01)
    assert halfway == pytest.approx(7.5, abs=0.01)
    assert recovered == pytest.approx(10.0)
    assert cut_again == pytest.approx(3.75, abs=0.01)
    assert floor == pytest.approx(2.0)


async def test_scripts_are_reloaded_after_script_flush(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = BucketConfig("naver:auth", rate_per_s=50.0, max_wait_s=10.0)
    async with RateLimiter(redis_client, [bucket], keys=Keys(redis_namespace)) as limiter:
        before = await limiter.reserve_slot("naver:auth")
        await redis_client.script_flush()
        after = await limiter.reserve_slot("naver:auth")
        await redis_client.script_flush()
        left_s = await limiter.penalize("naver:auth", 0.1)
        await redis_client.script_flush()
        seen = await limiter.observe_headers("naver:auth", {"gncp-gw-ratelimit-replenish-rate": "5"})
    assert after.slot_us - before.slot_us >= US / before.rate_per_s
    assert left_s > 0
    assert seen.replenish_rate_per_s == 5.0


async def test_close_is_idempotent_and_leaves_a_given_client_open(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    limiter = RateLimiter(redis_client, default_buckets(), keys=Keys(redis_namespace))
    await limiter.close()
    await limiter.close()
    assert await redis_client.ping()


async def test_a_limiter_built_from_a_url_closes_its_own_client(
    redis_url: str, redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    name = f"limiter-{redis_namespace.replace(':', '-')}"

    async def connections() -> int:
        return sum(1 for client in await redis_client.client_list() if client.get("name") == name)

    limiter = RateLimiter(f"{redis_url}?client_name={name}", default_buckets(), keys=Keys(redis_namespace))
    assert await limiter.remaining_budget("naver:products") == 1
    assert await connections() == 1
    await limiter.close()
    await limiter.close()
    assert await connections() == 0


async def test_an_unconfigured_bucket_is_a_lookup_error(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    async with RateLimiter(redis_client, default_buckets(), keys=Keys(redis_namespace)) as limiter:
        with pytest.raises(LookupError):
            await limiter.acquire("naver:orders")
        with pytest.raises(ValueError, match="cost"):
            await limiter.reserve_slot("naver:products", cost=0)
