"""Plugs the global ``RateLimiter`` into the API clients (their ``storebridge.http.Limiter`` hook).

The clients name every request by its ``RequestKey``; this adapter maps it onto the limiter's
budget (``routes.bucket_for``), waits for a slot before the request, adapts the rate from Naver's
``GNCP-GW-RateLimit-*`` headers and pauses the whole bucket for everyone on a 429.

In front of the shared Redis reservation sits an in-process ``aiolimiter`` per bucket at the same
pacing rate. It does not enforce anything across processes (Redis does that); it smooths this
process's own bursts, so that twenty coroutines wanting the same bucket queue up locally and
reserve their Redis slot just in time, instead of all booking slots seconds ahead and handing
their messages back with ``RateLimitWait``.

Every wait here (the smoother's queue, the in-process sleeps over a ``RateLimitWait``) ends at once
when the process is told to stop (``storebridge.shutdown``), with a ``RateLimitWait`` whose item the
sync hands back: a rolling pod never sits out a 30-second wait before it can exit.

``LocalLimiterHook`` is the *baseline* the benchmark compares against: aiolimiter alone, per
process (what Dramatiq's or aiolimiter's own limiting would give), which overshoots the provider
by the number of processes.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiolimiter import AsyncLimiter

from storebridge.http import RequestKey
from storebridge.limiter.buckets import BucketConfig
from storebridge.limiter.gcra import RateLimiter, RateLimitWait, StoppedWaiting
from storebridge.limiter.routes import bucket_for
from storebridge.shutdown import ShuttingDown, sleep_or_stop, unless_stopped

#: Longest a request waits in-process for its shared slot before the item is handed back (s).
IN_PROCESS_WAIT_MAX_S = 30.0


def _smoother(config: BucketConfig) -> AsyncLimiter:
    # max_rate=1 per 1/rate seconds: strict spacing, no burst (aiolimiter's leaky bucket).
    return AsyncLimiter(1, 1.0 / config.pacing_rate_per_s)


class LimiterHook:
    """``before_request`` = smooth locally, then wait for a shared slot; ``after_response`` = learn."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self._local: dict[str, AsyncLimiter] = {}

    async def before_request(self, key: RequestKey) -> None:
        """Sleep until this process may send one request named ``key`` (in its bucket).

        A shared slot further away than the limiter's cap (``RateLimitWait``) is waited for here,
        holding this process's smoother, as long as the total stays under ``IN_PROCESS_WAIT_MAX_S``:
        handing the item back to Dramatiq for a two-second wait costs a message round trip, a
        second Domeggook fetch and leaves the bucket idle at the end of a burst (measured by
        ``make bench``). Longer waits (a 429 pause, a drained daily quota) still propagate.
        """
        api = bucket_for(key)
        local = self._local.get(api)
        if local is None:
            local = self._local[api] = _smoother(self.limiter.config(api))
        waited_s = 0.0
        try:
            await unless_stopped(local.acquire(), f"the wait in this process's queue for {api}")
        except ShuttingDown:
            raise StoppedWaiting(api, 0.0) from None
        while True:
            try:
                await self.limiter.acquire(api)
                return
            except StoppedWaiting:
                raise
            except RateLimitWait as exc:
                pause_s = exc.retry_after_s or 0.0
                if waited_s + pause_s > IN_PROCESS_WAIT_MAX_S:
                    raise
                if not await sleep_or_stop(pause_s):
                    raise StoppedWaiting(api, pause_s) from None
                waited_s += pause_s

    async def after_response(self, key: RequestKey, status: int, headers: Mapping[str, str]) -> None:
        """Adapt to Naver's rate headers; a 429 pauses the bucket for every process."""
        api = bucket_for(key)
        if key.api == "naver":
            await self.limiter.observe_headers(api, headers)
        if status == 429:
            await self.limiter.penalize(api)


class LocalLimiterHook:
    """Baseline only: per-process aiolimiter at the configured rate, nothing shared, no 429 pause."""

    def __init__(self, buckets: Mapping[str, BucketConfig]) -> None:
        self._local = {api: AsyncLimiter(1, 1.0 / c.pacing_rate_per_s) for api, c in buckets.items()}

    async def before_request(self, key: RequestKey) -> None:
        """Wait for this process's own slot."""
        async with self._local[bucket_for(key)]:
            return

    async def after_response(self, key: RequestKey, status: int, headers: Mapping[str, str]) -> None:
        """Learns nothing (that is the point of the baseline)."""
