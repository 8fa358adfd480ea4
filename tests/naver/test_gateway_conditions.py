"""The Naver client against the gateway conditions a real deployment meets, produced by the simulator.

429 ``GW.QUOTA_LIMIT`` (with ``GNCP-GW-Quota-*``), 403 ``GW.IP_NOT_ALLOWED`` and 503 ``GW.BLOCK.02``
(fidelity-evidence #14): each must end in one clear error with no retry storm, and a used-up quota
must pause every process (the shared limiter in Redis), so a second client waits without sending.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from storebridge.errors import PermanentError, TransientError
from storebridge.keys import Keys
from storebridge.limiter import LimiterHook, RateLimiter, RateLimitWait, default_buckets
from storebridge.limiter.routes import NAVER_CATEGORIES, NAVER_PRODUCTS
from storebridge.naver import ImageFile, NaverClient, NaverRateLimited
from storebridge.naver.errors import (
    IP_NOT_ALLOWED_RETRY_S,
    MAINTENANCE_RETRY_S,
    NaverIpNotAllowed,
    NaverMaintenance,
)
from storebridge.sandbox.runner import Sandbox
from tests.naver.test_client import make_client, naver_stats, png, product_payload, sandbox_post

#: ``GNCP-GW-Quota-Period: HOURS`` (the token-spec penalty) means one hour until the quota is back.
HOUR_S = 3600.0


async def faults(sb: Sandbox, **settings: Any) -> None:
    """Change the Naver simulator's faults (strings allowed: ``quota_period``)."""
    await sandbox_post(sb.naver_origin, "/_sandbox/faults", settings)


async def requests_made(sb: Sandbox) -> int:
    """Every ``/external`` request the simulator has seen so far."""
    stats = await naver_stats(sb)
    return sum(int(n) for n in stats["requests"].values())


@pytest.fixture
async def limiter(redis_client: Redis, redis_namespace: str) -> AsyncIterator[RateLimiter]:
    """The shared limiter on the session's Redis, under this test's namespace."""
    async with RateLimiter(
        redis_client, default_buckets(naver_rate_per_s=50), keys=Keys(redis_namespace)
    ) as rl:
        yield rl


async def test_quota_limit_is_rate_limited_for_the_quota_period_and_not_retried(
    sb: Sandbox, client: NaverClient
) -> None:
    await client.get_origin_areas()  # token fetched before the fault
    await faults(sb, quota_limit_rate=1.0, quota_period="HOURS")
    before = await requests_made(sb)
    with pytest.raises(NaverRateLimited) as caught:
        await client.get_category("50001120")
    assert caught.value.api_code == "GW.QUOTA_LIMIT"
    assert caught.value.quota_period == "HOURS"
    assert caught.value.retry_after_s == HOUR_S
    assert await requests_made(sb) == before + 1, "a quota 429 must not be retried in-client"


async def test_used_up_quota_pauses_every_naver_bucket_for_a_second_client(
    sb: Sandbox, limiter: RateLimiter
) -> None:
    first = make_client(sb, limiter=LimiterHook(limiter))
    second = make_client(sb, limiter=LimiterHook(limiter))  # another process: only Redis is shared
    async with first, second:
        await second.get_origin_areas()  # its token, before the fault
        await faults(sb, quota_limit_rate=1.0, quota_period="HOURS")
        with pytest.raises(NaverRateLimited):
            await first.get_origin_areas()
        await faults(sb, quota_limit_rate=0.0)
        sent = await requests_made(sb)
        with pytest.raises(RateLimitWait) as waited:
            await second.get_product(1)  # another bucket (products) of the same provider
        assert await requests_made(sb) == sent, "the second client must wait without sending"
        assert (waited.value.retry_after_s or 0) > HOUR_S / 2
    for bucket in (NAVER_CATEGORIES, NAVER_PRODUCTS):
        assert (await limiter.status(bucket)).paused_for_s > HOUR_S / 2


async def test_ip_not_allowed_is_a_deployment_fault_reported_once_and_not_hammered(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    await faults(sb, ip_not_allowed_rate=1.0)
    caplog.set_level(logging.ERROR, logger="storebridge.naver.transport")
    async with make_client(sb) as client:
        before = await requests_made(sb)
        for _ in range(3):
            with pytest.raises(NaverIpNotAllowed) as caught:
                await client.get_origin_areas()
            error = caught.value
            assert isinstance(error, TransientError)
            assert not isinstance(error, PermanentError), "an item must never be parked for it"
            assert "egress IP" in str(error)
            assert "Commerce API center" in str(error)
            assert (error.retry_after_s or 0) > 0
        assert await requests_made(sb) == before + 1, "held calls must not be sent"
    alerts = [r for r in caplog.records if r.getMessage() == "naver.ip_not_allowed"]
    assert len(alerts) == 1
    assert "egress IP" in str(getattr(alerts[0], "action", ""))


async def test_ip_not_allowed_clears_once_the_ip_is_registered(sb: Sandbox) -> None:
    client = make_client(sb, operator_hold_s=0.0)
    async with client:
        await faults(sb, ip_not_allowed_rate=1.0)
        with pytest.raises(NaverIpNotAllowed) as caught:
            await client.get_origin_areas()
        assert caught.value.retry_after_s == IP_NOT_ALLOWED_RETRY_S
        await faults(sb, ip_not_allowed_rate=0.0)
        assert await client.get_origin_areas()


async def test_maintenance_is_transient_with_a_backoff_and_a_create_was_not_applied(
    sb: Sandbox, client: NaverClient
) -> None:
    [url] = await client.upload_images([ImageFile("main.png", png(1))])
    await faults(sb, maintenance_rate=1.0)
    before = await requests_made(sb)
    with pytest.raises(NaverMaintenance) as read:
        await client.get_origin_areas()
    assert read.value.api_code == "GW.BLOCK.02"
    assert read.value.retry_after_s == MAINTENANCE_RETRY_S
    with pytest.raises(NaverMaintenance):
        await client.create_product(product_payload(url, "DG-dome-990001"))
    assert await requests_made(sb) == before + 2, "maintenance waits are left to the scheduler"
    assert (await naver_stats(sb))["products"] == 0
