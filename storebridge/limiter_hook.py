"""Plugs the global ``RateLimiter`` into the API clients (their ``storebridge.http.Limiter`` hook).

The clients name a bucket per request (``domeggook``; ``naver:<METHOD> <path template>``); this
adapter maps them onto the limiter's budgets (``naver_bucket_for``), waits for a slot before the
request, adapts the rate from Naver's ``GNCP-GW-RateLimit-*`` headers and pauses the whole bucket
for everyone on a 429.
"""

from __future__ import annotations

from collections.abc import Mapping

from storebridge.limiter import RateLimiter
from storebridge.limiter_routes import naver_bucket_for

#: Prefix the Naver client puts before ``<METHOD> <path template>``.
NAVER_PREFIX = "naver:"


def limiter_bucket(client_bucket: str) -> str:
    """The limiter budget that serves one client bucket name."""
    if client_bucket.startswith(NAVER_PREFIX):
        method, _, path = client_bucket.removeprefix(NAVER_PREFIX).partition(" ")
        return naver_bucket_for(method, path)
    return client_bucket


class LimiterHook:
    """``before_request`` = wait for a shared slot; ``after_response`` = learn from the answer."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def before_request(self, bucket: str) -> None:
        """Sleep until this process may send one request in ``bucket`` (may raise ``RateLimitWait``)."""
        await self.limiter.acquire(limiter_bucket(bucket))

    async def after_response(self, bucket: str, status: int, headers: Mapping[str, str]) -> None:
        """Adapt to the provider's headers; a 429 pauses the bucket for every process."""
        api = limiter_bucket(bucket)
        if api.startswith(NAVER_PREFIX):
            await self.limiter.observe_headers(api, headers)
        if status == 429:
            await self.limiter.penalize(api)
