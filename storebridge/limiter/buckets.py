"""Configuration and result types of the global rate limiter (see ``storebridge.limiter.gcra``).

Kept apart from the limiter itself so that settings code and gauges can import them without Redis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from storebridge.config import Settings
from storebridge.errors import TransientError
from storebridge.limiter.routes import (
    DOMEGGOOK,
    NAVER_AUTH,
    NAVER_CATEGORIES,
    NAVER_IMAGES,
    NAVER_PRODUCTS,
    NAVER_SEARCH,
)

#: Domeggook blocks a key for 3 minutes after 180 calls/minute; never pause less after a 429.
DOMEGGOOK_PENALTY_PAUSE_S = 180.0
#: Naver sends no Retry-After; one second refills at least two tokens at the documented 2 rps.
NAVER_PENALTY_PAUSE_S = 1.0
#: Domeggook's ramp back to full rate after a penalty (seconds).
DOMEGGOOK_RECOVERY_S = 300.0


@dataclass(frozen=True)
class BucketConfig:
    """One upstream API's budget. Every process must use the same values for the same ``api``.

    ``rate_per_s`` is the provider's rate; we pace at ``rate_per_s × safety_factor``. ``burst`` is
    how many calls may start back to back after an idle spell (1 = strict spacing). After a 429 the
    bucket pauses at least ``penalty_pause_s`` and its rate drops to ``× decrease_factor`` (never
    below ``× min_factor``), climbing back linearly to the full rate over ``recovery_s``.
    """

    api: str
    rate_per_s: float
    burst: int = 1
    max_wait_s: float = 2.0
    safety_factor: float = 0.95
    penalty_pause_s: float = NAVER_PENALTY_PAUSE_S
    decrease_factor: float = 0.5
    min_factor: float = 0.1
    recovery_s: float = 60.0

    def __post_init__(self) -> None:
        checks = (
            (self.rate_per_s > 0 and math.isfinite(self.rate_per_s), "rate_per_s must be > 0"),
            (self.burst >= 1, "burst must be >= 1"),
            (self.max_wait_s >= 0, "max_wait_s must be >= 0"),
            (0 < self.safety_factor <= 1, "safety_factor must be in (0, 1]"),
            (self.penalty_pause_s >= 0, "penalty_pause_s must be >= 0"),
            (0 < self.decrease_factor <= 1, "decrease_factor must be in (0, 1]"),
            (0 < self.min_factor <= 1, "min_factor must be in (0, 1]"),
            (self.recovery_s >= 0, "recovery_s must be >= 0"),
        )
        for ok, message in checks:
            if not ok:
                raise ValueError(f"bucket {self.api}: {message}")

    @property
    def pacing_rate_per_s(self) -> float:
        """The rate we actually send at before any header or 429 adaptation."""
        return self.rate_per_s * self.safety_factor


def default_buckets(
    *, domeggook_rate_per_s: float = 3.0, naver_rate_per_s: float = 2.0
) -> tuple[BucketConfig, ...]:
    """The pipeline's buckets (rates from ``Settings.domeggook_max_tps`` / ``naver_max_tps``).

    Domeggook pauses 3 minutes after a 429 because that is how long it blocks the key; every Naver
    API gets its own bucket at the same configured rate, lowered by its headers if Naver says less.
    """
    domeggook = BucketConfig(
        DOMEGGOOK,
        domeggook_rate_per_s,
        penalty_pause_s=DOMEGGOOK_PENALTY_PAUSE_S,
        recovery_s=DOMEGGOOK_RECOVERY_S,
    )
    naver = tuple(
        BucketConfig(api, naver_rate_per_s)
        for api in (NAVER_AUTH, NAVER_IMAGES, NAVER_PRODUCTS, NAVER_SEARCH, NAVER_CATEGORIES)
    )
    return (domeggook, *naver)


def buckets_from_settings(settings: Settings) -> tuple[BucketConfig, ...]:
    """The pipeline's buckets at the deployment's rates (``DOMEGGOOK_MAX_TPS``, ``NAVER_MAX_TPS``).

    The one place that turns settings into buckets, so the daemon, the workers and the commands
    cannot drift apart: every process must use the same budget for the same bucket id, since the
    schedule in Redis is shared by all of them.
    """
    return default_buckets(
        domeggook_rate_per_s=settings.domeggook_max_tps, naver_rate_per_s=settings.naver_max_tps
    )


@dataclass(frozen=True)
class Reservation:
    """A booked slot: start the call at ``slot_us`` (Unix µs, Redis clock), i.e. after ``wait_s``."""

    api: str
    slot_us: int
    now_us: int
    wait_s: float
    rate_per_s: float


@dataclass(frozen=True)
class BucketStatus:
    """A read-only look at a bucket, for gauges (``storebridge_rate_limit_remaining{api}``)."""

    api: str
    #: Effective rate now (after safety factor, headers and 429 penalty), requests/s.
    rate_per_s: float
    #: Calls that could start right now without waiting (0 while paused or booked ahead).
    free_slots: int
    #: How long a call reserved now would wait (seconds).
    next_wait_s: float
    #: Time left in a pause (seconds, 0 when not paused).
    paused_for_s: float


class RateLimitWait(TransientError):
    """The next slot is further away than ``max_wait_s``: nothing was booked; come back later.

    ``retry_after_s`` is the wait minus half the cap: the caller comes back while the schedule is
    still busy (no idle gap) and will likely find a slot within the cap. Callers add their own jitter.
    """

    def __init__(self, api: str, wait_s: float, retry_after_s: float) -> None:
        super().__init__(f"rate limit of {api}: next slot in {wait_s:.3f} s", retry_after_s=retry_after_s)
        self.api = api
        self.wait_s = wait_s
