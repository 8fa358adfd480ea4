"""A Domeggook block answered with HTTP 200 and an ``errors`` body (fidelity-evidence #20).

The status and codes of a real block answer are undocumented and Domeggook sends its other errors
with HTTP 200, so the simulator can answer a block that way (``block_http_status``); the client must
still back off the documented 3 minutes and tell the shared limiter, so every process pauses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import pytest
from redis.asyncio import Redis

from storebridge.domeggook import DomeggookApiError, DomeggookRateLimited
from storebridge.domeggook.errors import RATE_LIMIT_BLOCK_S
from storebridge.http import RequestKey
from storebridge.keys import Keys
from storebridge.limiter import DOMEGGOOK, LimiterHook, RateLimiter, RateLimitWait, default_buckets
from storebridge.sandbox.catalog.model import ItemStatus
from storebridge.sandbox.domeggook.config import DomeggookSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from tests.domeggook.support import calls_by_mode, make_client, numbers, sandbox_call


class StatusRecorder:
    """A ``Limiter`` that records the statuses it is told about (never waits)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []

    async def before_request(self, key: RequestKey) -> None:
        """Never waits."""

    async def after_response(self, key: RequestKey, status: int, headers: Mapping[str, str]) -> None:
        """Record the status."""
        self.statuses.append(status)


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """A sandbox whose key is blocked after 2 calls a minute, blocks answered with HTTP 200."""
    options = SandboxOptions(items=20, seed=1, domeggook=DomeggookSimConfig(per_minute_limit=2))
    async with Sandbox(options) as running:
        await sandbox_call(running, "POST", "/_sandbox/faults", {"block_http_status": 200})
        yield running


async def test_a_block_answered_with_200_backs_off_three_minutes(sb: Sandbox) -> None:
    recorder = StatusRecorder()
    no = numbers(sb, ItemStatus.ON_SALE)[0]
    async with make_client(sb, limiter=recorder) as client:
        await client.get_item(no)
        await client.get_item(no)
        with pytest.raises(DomeggookRateLimited) as caught:
            await client.get_item(no)
    assert caught.value.status == 200
    assert caught.value.retry_after_s == RATE_LIMIT_BLOCK_S
    assert not isinstance(caught.value, DomeggookApiError)
    assert recorder.statuses == [200, 200, 200, 429], "the 200 block is reported to the limiter as a 429"
    assert (await calls_by_mode(sb))["getItemView"] == 3, "a block is never retried in-client"


async def test_a_block_answered_with_200_pauses_the_shared_bucket(
    sb: Sandbox, redis_client: Redis, redis_namespace: str
) -> None:
    no = numbers(sb, ItemStatus.ON_SALE)[0]
    async with RateLimiter(
        redis_client, default_buckets(domeggook_rate_per_s=50), keys=Keys(redis_namespace)
    ) as rl:
        first, second = make_client(sb, limiter=LimiterHook(rl)), make_client(sb, limiter=LimiterHook(rl))
        async with first, second:
            await first.get_item(no)
            await first.get_item(no)
            with pytest.raises(DomeggookRateLimited):
                await first.get_item(no)
            with pytest.raises(RateLimitWait):
                await second.get_item(no)
        assert (await rl.status(DOMEGGOOK)).paused_for_s > RATE_LIMIT_BLOCK_S / 2
    assert (await calls_by_mode(sb))["getItemView"] == 3, "the second client waited without calling"
