"""Per-API token buckets, the way Naver's gateway limits each API (reference §5.1).

A bucket holds up to ``rate x burst_multiplier`` tokens and refills continuously at ``rate`` per
second; each call takes one token or is refused with 429 ``GW.RATE_LIMIT``. Time comes from the
injected clock, so tests move time instead of sleeping, and a clock that steps back never mints
tokens.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

#: Header names as Naver spells them over HTTP/1.1 (clients must match case-insensitively).
REPLENISH_RATE_HEADER = "GNCP-GW-RateLimit-Replenish-Rate"
BURST_CAPACITY_HEADER = "GNCP-GW-RateLimit-Burst-Capacity"
REMAINING_HEADER = "GNCP-GW-RateLimit-Remaining"


def _number(value: float) -> str:
    """``2.0`` → ``"2"``, ``0.5`` → ``"0.5"``: headers carry plain numbers."""
    return f"{value:g}"


@dataclass
class TokenBucket:
    """One API's bucket. ``take`` is the only mutator; it both refills and spends."""

    rate_per_s: float
    capacity: float
    tokens: float
    updated_s: float

    def take(self, now_s: float) -> bool:
        """Refill for the time elapsed since the last call, then spend one token if there is one."""
        elapsed_s = max(0.0, now_s - self.updated_s)
        self.tokens = min(self.capacity, self.tokens + elapsed_s * self.rate_per_s)
        self.updated_s = max(self.updated_s, now_s)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def headers(self, *, exhausted: bool = False) -> dict[str, str]:
        """The three RateLimit headers; ``Remaining`` is the whole tokens left (0 when refused)."""
        remaining = 0 if exhausted else math.floor(self.tokens)
        return {
            REPLENISH_RATE_HEADER: _number(self.rate_per_s),
            BURST_CAPACITY_HEADER: _number(self.capacity),
            REMAINING_HEADER: str(remaining),
        }


class BucketSet:
    """All buckets of one simulated application, created full on first use of each API."""

    def __init__(self, *, rate_per_s: float, capacity: float, clock: Callable[[], float]) -> None:
        self._rate_per_s = rate_per_s
        self._capacity = capacity
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, api: str) -> TokenBucket:
        """The bucket of ``api`` (e.g. ``POST /v2/products``), full when first seen."""
        found = self._buckets.get(api)
        if found is None:
            found = TokenBucket(self._rate_per_s, self._capacity, self._capacity, self._clock())
            self._buckets[api] = found
        return found

    def take(self, api: str) -> tuple[bool, dict[str, str]]:
        """Spend one token of ``api``'s bucket; returns (allowed, headers for the answer)."""
        bucket = self.bucket(api)
        allowed = bucket.take(self._clock())
        return allowed, bucket.headers(exhausted=not allowed)

    def clear(self) -> None:
        """Forget every bucket (sandbox reset): the next call of each API finds a full bucket."""
        self._buckets.clear()
