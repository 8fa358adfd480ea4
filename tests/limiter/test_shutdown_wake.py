"""A stopping process does not sit out its waits: limiter sleeps and retry backoffs end at shutdown.

Given a coroutine asleep for a rate-limit slot (real Redis schedule), in the hook's in-process wait
or in a client's retry backoff, when ``request_shutdown`` is called (as a Dramatiq worker's
``before_worker_shutdown`` does, from another thread), then it wakes at once and raises an error
the sync hands back (``RateLimitWait`` / the transient failure being retried), having sent nothing.
Bounds on elapsed time are generous (a few seconds against waits of 30+ s): they tell "woken" from
"slept it out", they do not measure speed.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest
import redis.asyncio as aioredis

from storebridge.errors import TransientError
from storebridge.http import ClientSettings, RequestKey, retrying
from storebridge.keys import Keys
from storebridge.limiter import BucketConfig, LimiterHook, RateLimiter, RateLimitWait
from storebridge.limiter.gcra import StoppedWaiting
from storebridge.shutdown import request_shutdown, reset_for_tests, shutdown_requested, sleep_or_stop

#: Far longer than any woken wait may take; a wait that was slept out would take longer.
WOKEN_WITHIN_S = 5.0
#: The bucket: one slot per 20 s, so the second caller's wait is ~20 s long.
SLOW = BucketConfig("domeggook", rate_per_s=0.05, max_wait_s=60.0, safety_factor=1.0)


@pytest.fixture(autouse=True)
def fresh_signal() -> Iterator[None]:
    reset_for_tests()
    yield
    reset_for_tests()


def shutdown_soon(delay_s: float = 0.3) -> threading.Timer:
    """Request shutdown from another thread, as Dramatiq's main thread does."""
    timer = threading.Timer(delay_s, request_shutdown, kwargs={"reason": "test"})
    timer.start()
    return timer


async def test_a_coroutine_waiting_for_its_slot_is_woken_and_told_to_come_back(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    async with RateLimiter(redis_client, [SLOW], keys=Keys(redis_namespace)) as limiter:
        assert await limiter.acquire("domeggook") == 0.0  # the first slot is now
        shutdown_soon()
        started = time.monotonic()
        with pytest.raises(RateLimitWait) as raised:
            await limiter.acquire("domeggook")  # ~20 s away
        elapsed_s = time.monotonic() - started

    assert isinstance(raised.value, StoppedWaiting)
    assert isinstance(raised.value, TransientError)
    assert raised.value.retry_after_s
    assert "stopping" in str(raised.value)
    assert elapsed_s < WOKEN_WITHIN_S


async def test_the_hooks_in_process_wait_and_its_queue_are_woken_too(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    capped = BucketConfig("domeggook", rate_per_s=0.1, max_wait_s=0.5, safety_factor=1.0)
    key = RequestKey("domeggook", "GET", "")
    async with RateLimiter(redis_client, [capped], keys=Keys(redis_namespace)) as limiter:
        hook = LimiterHook(limiter)
        await hook.before_request(key)  # takes the slot; the next is 10 s away (> the 0.5 s cap)
        shutdown_soon()
        started = time.monotonic()
        outcomes = await asyncio.gather(
            hook.before_request(key),  # sleeps out RateLimitWaits in-process
            hook.before_request(key),  # queued in this process's smoother behind it
            return_exceptions=True,
        )
        elapsed_s = time.monotonic() - started

    assert all(isinstance(outcome, StoppedWaiting) for outcome in outcomes), outcomes
    assert elapsed_s < WOKEN_WITHIN_S


async def test_a_retry_backoff_is_cut_short_and_the_failure_is_raised_as_it_is() -> None:
    attempts: list[float] = []

    class Unavailable(TransientError):
        pass

    async def attempt() -> None:
        attempts.append(time.monotonic())
        raise Unavailable("upstream 503")

    settings = ClientSettings(max_retries=5, retry_base_s=30.0, retry_max_s=60.0)
    retry = retrying(settings, should_retry=lambda exc: isinstance(exc, Unavailable), event="test.retry")
    shutdown_soon()
    started = time.monotonic()
    with pytest.raises(Unavailable, match="upstream 503"):
        await retry(attempt)

    assert len(attempts) == 1  # no further attempt once stopping
    assert time.monotonic() - started < WOKEN_WITHIN_S


async def test_after_shutdown_a_sleep_returns_at_once_and_without_it_sleeps_in_full() -> None:
    assert await sleep_or_stop(0.01) is True
    request_shutdown("test")
    assert shutdown_requested()
    started = time.monotonic()
    assert await sleep_or_stop(60.0) is False
    assert time.monotonic() - started < WOKEN_WITHIN_S


async def test_stopping_one_loop_wakes_its_sleepers_and_leaves_other_loops_running() -> None:
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        sleeper = asyncio.run_coroutine_threadsafe(sleep_or_stop(60.0), other)
        await asyncio.sleep(0.1)
        request_shutdown("one worker", loop=other)  # what a stopping Dramatiq worker does
        assert await asyncio.wrap_future(sleeper) is False
        assert await sleep_or_stop(0.01) is True  # this loop is not stopping
        assert not shutdown_requested()
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join(5)
        other.close()
