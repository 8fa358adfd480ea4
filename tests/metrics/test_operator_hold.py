"""Naver holds are metrics an alert can fire on, not only a log line (issue 9).

Against the sandbox: a refused egress IP or refused credentials set
``storebridge_naver_operator_hold{reason}`` to 1 in the process that got the refusal, and the next
call that goes through sets it back to 0 (the transport tells ``show_naver_operator_hold``, wired
as the workers wire it; the gauge is read from the process-wide registry: a value before and after,
never a value left by another test).
A used-up gateway quota pauses every Naver bucket in the shared limiter, which the daemon's
collector shows as ``storebridge_rate_limit_paused_seconds``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from prometheus_client import REGISTRY, CollectorRegistry

from storebridge.http import ClientSettings, Limiter
from storebridge.keys import Keys
from storebridge.limiter import LimiterHook, RateLimiter, default_buckets
from storebridge.limiter.routes import NAVER_CATEGORIES, NAVER_PRODUCTS
from storebridge.metrics import GaugeCollector, Metrics, show_naver_operator_hold
from storebridge.metrics.definitions import NAVER_HOLD_REASONS
from storebridge.naver import NaverClient, NaverRateLimited
from storebridge.naver.errors import NaverDeploymentFault, NaverIpNotAllowed, NaverUnauthorized
from storebridge.sandbox.naver.config import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from storebridge.store import StateStore

HOLD = "storebridge_naver_operator_hold"
IP, CREDENTIALS = "naver.ip_not_allowed", "naver.credentials_refused"
#: Fast retries, so refused credentials (a 401 on every attempt) are proven in milliseconds.
FAST_RETRY = ClientSettings(timeout_s=5.0, retry_base_s=0.01, retry_max_s=0.05)
#: A secret of the right shape that is not the application's.
WRONG_SECRET = "$2a$04$abcdefghijklmnopqrstuu"
#: A used-up quota with ``Quota-Period: HOURS`` pauses every Naver bucket this long.
HOUR_S = 3600.0


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """A sandbox whose Naver side allows 50 requests/s, so no test waits on its bucket."""
    options = SandboxOptions(items=5, seed=1, naver=NaverSimConfig(rate_per_s=50, search_lag_s=0.0))
    async with Sandbox(options) as running:
        yield running


def client(sb: Sandbox, *, secret: str | None = None, limiter: Limiter | None = None) -> NaverClient:
    """A Naver client on the sandbox; calls are held for 0 s, so a probe is sent on every call."""
    env = sb.environment()
    return NaverClient(
        api_url=env["NAVER_API_URL"],
        client_id=env["NAVER_CLIENT_ID"],
        client_secret=secret or env["NAVER_CLIENT_SECRET"],
        client_settings=FAST_RETRY,
        limiter=limiter,
        operator_hold_s=0.0,
        on_hold=show_naver_operator_hold,
    )


async def faults(sb: Sandbox, **settings: Any) -> None:
    """Change the Naver simulator's faults (``POST /_sandbox/faults``)."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(sb.naver_origin + "/_sandbox/faults", json=settings) as response,
    ):
        assert response.status == 200, await response.text()


def hold(reason: str) -> float | None:
    """The process's ``storebridge_naver_operator_hold`` for ``reason`` (None: never written)."""
    return REGISTRY.get_sample_value(HOLD, {"reason": reason})


def paused(registry: CollectorRegistry, bucket: str) -> float | None:
    """``storebridge_rate_limit_paused_seconds`` of one limiter bucket in ``registry``."""
    return registry.get_sample_value("storebridge_rate_limit_paused_seconds", {"api": bucket})


def test_every_deployment_fault_has_a_reason_that_a_call_going_through_clears() -> None:
    events = {fault.event for fault in NaverDeploymentFault.__subclasses__()}
    assert events == set(NAVER_HOLD_REASONS)


async def test_a_refused_egress_ip_holds_until_a_call_goes_through(sb: Sandbox) -> None:
    async with client(sb) as naver:
        await naver.get_origin_areas()
        assert (hold(IP), hold(CREDENTIALS)) == (0, 0)

        await faults(sb, ip_not_allowed_rate=1.0)
        with pytest.raises(NaverIpNotAllowed):
            await naver.get_origin_areas()
        assert (hold(IP), hold(CREDENTIALS)) == (1, 0)

        await faults(sb, ip_not_allowed_rate=0.0)  # the operator registered the IP
        assert await naver.get_origin_areas()
        assert (hold(IP), hold(CREDENTIALS)) == (0, 0)


async def test_refused_credentials_hold_until_any_call_of_the_process_goes_through(sb: Sandbox) -> None:
    async with client(sb, secret=WRONG_SECRET) as wrong:
        with pytest.raises(NaverUnauthorized):
            await wrong.get_origin_areas()
    assert hold(CREDENTIALS) == 1

    # The pod's processes share the credentials: another one getting through ends the hold.
    async with client(sb) as fixed:
        assert await fixed.get_origin_areas()
    assert (hold(IP), hold(CREDENTIALS)) == (0, 0)


async def test_a_used_up_gateway_quota_shows_as_every_naver_bucket_paused_for_its_period(
    sb: Sandbox, redis_client: aioredis.Redis, redis_namespace: str, store: StateStore
) -> None:
    keys = Keys(redis_namespace)
    registry = CollectorRegistry()
    async with RateLimiter(redis_client, default_buckets(naver_rate_per_s=50), keys=keys) as limiter:
        collector = GaugeCollector(
            redis_client, keys, store, limiter, dramatiq_namespace="unused", metrics=Metrics(registry)
        )
        await collector.refresh()
        assert paused(registry, NAVER_PRODUCTS) == 0

        async with client(sb, limiter=LimiterHook(limiter)) as naver:
            await faults(sb, quota_limit_rate=1.0, quota_period="HOURS")
            with pytest.raises(NaverRateLimited):
                await naver.get_category("50001120")
        await collector.refresh()

    for bucket in (NAVER_PRODUCTS, NAVER_CATEGORIES):
        assert HOUR_S - 60 < (paused(registry, bucket) or 0) <= HOUR_S, bucket
    assert paused(registry, "domeggook") == 0
