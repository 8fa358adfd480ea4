"""Naver's gateway ``GNCP-GW-RateLimit-*`` and ``GNCP-GW-Quota-*`` response headers (reference §5.1, §5.3).

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


# -- GNCP-GW-Quota-* (reference naver-commerce-api.md §5.3) ------------------------------------------
#: Header names, lower-cased for matching.
QUOTA_PERIOD = "gncp-gw-quota-period"
QUOTA_LIMIT = "gncp-gw-quota-limit"
QUOTA_REMAINING = "gncp-gw-quota-remaining"
_QUOTA_NAMES = frozenset({QUOTA_PERIOD, QUOTA_LIMIT, QUOTA_REMAINING})
#: Seconds until a used-up quota is available again, by ``GNCP-GW-Quota-Period``. SECONDS and ROUND
#: are documented [DOC restriction]; HOURS is observed during the token-spec penalty (1 call/hour,
#: D-3751, D-3753); MINUTES is our guess at a sibling value. No reset-time header exists, so the
#: wait is one whole period: past the reset of a fixed window, exactly the reset of a sliding one.
QUOTA_RESET_S = {"SECONDS": 1.0, "MINUTES": 60.0, "HOURS": 3600.0}
#: Wait when the period is unknown or ``ROUND`` (a data-solution subscription round, length not
#: announced) [INF]: be patient rather than spend a scarce quota finding out.
DEFAULT_QUOTA_RESET_S = 3600.0


class QuotaHeaders(BaseModel):
    """What one answer said about the quota layer (``GW.QUOTA_LIMIT``); fields ``None`` when absent.

    A plain own-store application normally has no quota, so these headers are usually missing.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, validate_by_name=True, validate_by_alias=True)

    period: str | None = Field(default=None, alias=QUOTA_PERIOD)
    limit: int | None = Field(default=None, alias=QUOTA_LIMIT)
    remaining: int | None = Field(default=None, alias=QUOTA_REMAINING)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, raw: object) -> str | None:
        return raw.strip().upper() or None if isinstance(raw, str) else None

    @field_validator("limit", "remaining", mode="before")
    @classmethod
    def _count(cls, raw: object) -> int | None:
        value = _number(raw)
        return math.floor(value) if value is not None and value >= 0 else None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> QuotaHeaders:
        """Read the quota headers from a mapping or ``(name, value)`` pairs, case-insensitively."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return cls.model_validate({n.lower(): v for n, v in pairs if n.lower() in _QUOTA_NAMES})

    @property
    def exhausted(self) -> bool:
        """True when the quota is used up: ``Remaining: 0`` (every caller must wait for the reset)."""
        return self.remaining == 0

    @property
    def reset_after_s(self) -> float:
        """Seconds to wait for the quota to come back (one period; see ``QUOTA_RESET_S``)."""
        return QUOTA_RESET_S.get(self.period or "", DEFAULT_QUOTA_RESET_S)
