"""Naver's API gateway ``GNCP-GW-RateLimit-*`` response headers (reference naver-commerce-api.md §5.1).

The one parser of these headers: the Naver client reports them with every result and error, and
the limiter (``RateLimiter.observe_headers``) adapts the shared rate to them. Names are matched
case-insensitively because over HTTP/2 they arrive lower-cased. A header that is missing or not a
usable number is read as ``None`` rather than trusted or raised: a garbled header must never raise
our rate or fail a request that otherwise succeeded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Header names, lower-cased for matching.
REPLENISH_RATE = "gncp-gw-ratelimit-replenish-rate"
BURST_CAPACITY = "gncp-gw-ratelimit-burst-capacity"
REMAINING = "gncp-gw-ratelimit-remaining"
_NAMES = frozenset({REPLENISH_RATE, BURST_CAPACITY, REMAINING})


def _number(raw: object) -> float | None:
    if not isinstance(raw, str):
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class RateLimitHeaders(BaseModel):
    """What one answer said about its gateway bucket; each field is ``None`` when absent or unusable.

    A replenish rate must be > 0 and a burst ≥ 1 to count; remaining must be ≥ 0 (counts are
    floored to whole requests).
    """

    model_config = ConfigDict(extra="ignore", frozen=True, validate_by_name=True, validate_by_alias=True)

    replenish_rate_per_s: float | None = Field(default=None, alias=REPLENISH_RATE)
    burst_capacity: int | None = Field(default=None, alias=BURST_CAPACITY)
    remaining: int | None = Field(default=None, alias=REMAINING)

    @field_validator("replenish_rate_per_s", mode="before")
    @classmethod
    def _positive_rate(cls, raw: object) -> float | None:
        value = _number(raw)
        return value if value is not None and value > 0 else None

    @field_validator("burst_capacity", mode="before")
    @classmethod
    def _whole_burst(cls, raw: object) -> int | None:
        value = _number(raw)
        return math.floor(value) if value is not None and value >= 1 else None

    @field_validator("remaining", mode="before")
    @classmethod
    def _whole_remaining(cls, raw: object) -> int | None:
        value = _number(raw)
        return math.floor(value) if value is not None and value >= 0 else None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> RateLimitHeaders:
        """Read the headers from a mapping (aiohttp ``CIMultiDictProxy``, dict) or ``(name, value)`` pairs."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return cls.model_validate({name.lower(): value for name, value in pairs if name.lower() in _NAMES})

    @property
    def empty(self) -> bool:
        """True when the answer carried none of the three headers usably (Domeggook, some errors)."""
        return self.replenish_rate_per_s is None and self.burst_capacity is None and self.remaining is None
