"""Reading Naver's ``GNCP-GW-RateLimit-*`` response headers (reference naver-commerce-api.md §5.1).

Pure parsing, no I/O: the limiter decides what to do with the numbers. Names are matched
case-insensitively because over HTTP/2 they arrive lower-cased. A header that is missing or not a
positive finite number is ignored (``None``) rather than trusted: a garbled header must never raise
our rate or crash a request that otherwise succeeded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Header names, lower-cased for matching.
REPLENISH_RATE = "gncp-gw-ratelimit-replenish-rate"
BURST_CAPACITY = "gncp-gw-ratelimit-burst-capacity"
REMAINING = "gncp-gw-ratelimit-remaining"


@dataclass(frozen=True)
class RateHeaders:
    """What one response said about its bucket; each field is ``None`` when absent or unusable."""

    replenish_rate_per_s: float | None
    burst_capacity: int | None
    remaining: int | None

    @property
    def empty(self) -> bool:
        """True when the response carried none of the three headers (e.g. Domeggook, or errors)."""
        return self.replenish_rate_per_s is None and self.burst_capacity is None and self.remaining is None


def _number(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_rate_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> RateHeaders:
    """Extract the RateLimit headers from a mapping (aiohttp ``CIMultiDictProxy``, dict) or pairs.

    A replenish rate must be > 0 and a burst ≥ 1 to count; remaining must be ≥ 0.
    """
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    found: dict[str, str] = {}
    for name, value in pairs:
        lowered = name.lower()
        if lowered in (REPLENISH_RATE, BURST_CAPACITY, REMAINING):
            found[lowered] = value
    rate = _number(found.get(REPLENISH_RATE))
    burst = _number(found.get(BURST_CAPACITY))
    remaining = _number(found.get(REMAINING))
    return RateHeaders(
        replenish_rate_per_s=rate if rate is not None and rate > 0 else None,
        burst_capacity=math.floor(burst) if burst is not None and burst >= 1 else None,
        remaining=math.floor(remaining) if remaining is not None and remaining >= 0 else None,
    )
