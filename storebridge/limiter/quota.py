"""Daily call quotas counted per KST date in Redis (Domeggook: 15,000 calls/day per key).

Domeggook blocks a key "until midnight" after 15,000 calls in a day (reference domeggook-api.md §4);
the day is Korean (``Asia/Seoul`` = UTC+9, no DST). The counter is shared by import and sync,
every process and every pod, and is checked and incremented atomically by ``lua/quota.lua``.

The day comes from Redis's clock, not the caller's: the caller guesses the day from its own clock
only to name the key (Lua must declare every key in ``KEYS``), and the script refuses the guess if
Redis says otherwise, so a process with a skewed clock cannot count calls against the wrong day.

Exhaustion is not a failure: ``QuotaExhausted`` is a ``TransientError`` whose ``retry_after_s`` is
the time until the next KST midnight, for the caller to defer the work (``dramatiq.Retry``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

from redis.asyncio import Redis

from storebridge.errors import TransientError
from storebridge.keys import Keys
from storebridge.limiter.scripts import now_arg, register, reply_int, reply_list

#: Korea Standard Time offset from UTC (Asia/Seoul has had no DST since 1988).
KST_OFFSET_S = 9 * 3600
#: Seconds in a day.
DAY_S = 86400
#: Domeggook's published daily limit per key (calls).
DOMEGGOOK_DAILY_LIMIT = 15_000
#: Calls kept back from ordinary work (stop new work at 14,000), usable with ``use_headroom``.
DEFAULT_RESERVE_HEADROOM = 1_000
#: A guessed day is corrected by the script at most this many times (once suffices; twice covers
#: a call that straddles midnight).
_MAX_DAY_GUESSES = 3
_EPOCH = date(1970, 1, 1)


class QuotaExhausted(TransientError):
    """The daily quota is used up: defer the work until ``retry_after_s`` (next KST midnight)."""

    def __init__(self, api: str, used: int, allowed: int, retry_after_s: float) -> None:
        super().__init__(
            f"daily quota of {api} exhausted ({used}/{allowed} calls today, KST)",
            retry_after_s=retry_after_s,
        )
        self.api = api
        self.used = used
        self.allowed = allowed


@dataclass(frozen=True)
class QuotaConfig:
    """One API's daily quota.

    ``limit`` is the provider's hard limit. Ordinary calls stop at ``limit - reserve_headroom``;
    callers that pass ``use_headroom=True`` (work that must not wait for tomorrow, e.g. taking a
    sold-out item off sale) may use the rest. Keeping headroom also absorbs calls the counter
    cannot see (a retried request whose first attempt reached the provider).
    """

    api: str
    limit: int = DOMEGGOOK_DAILY_LIMIT
    reserve_headroom: int = DEFAULT_RESERVE_HEADROOM

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"quota limit of {self.api} must be >= 1, got {self.limit}")
        if not 0 <= self.reserve_headroom < self.limit:
            raise ValueError(
                f"reserve_headroom of {self.api} must be in [0, limit), got {self.reserve_headroom}"
            )

    @classmethod
    def scaled(cls, api: str, limit: int) -> QuotaConfig:
        """A quota of ``limit`` keeping back the default share of it (1,000 of 15,000, at most 1,000).

        A key with a smaller daily allowance (``DOMEGGOOK_DAILY_LIMIT=500``) keeps proportionally
        less headroom instead of being refused for a headroom larger than the limit.
        """
        share = limit * DEFAULT_RESERVE_HEADROOM // DOMEGGOOK_DAILY_LIMIT
        return cls(api, limit, min(DEFAULT_RESERVE_HEADROOM, share))

    @property
    def soft_limit(self) -> int:
        """Calls per day available to ordinary work."""
        return self.limit - self.reserve_headroom


def kst_day(epoch_s: float) -> int:
    """Days since 1970-01-01 in KST for an instant given as Unix seconds."""
    return int((int(epoch_s) + KST_OFFSET_S) // DAY_S)


def kst_day_label(day: int) -> str:
    """``YYYYMMDD`` of a KST day number, as used in the Redis key."""
    return (_EPOCH + timedelta(days=day)).strftime("%Y%m%d")


class DailyQuota:
    """Shared per-KST-day counter of one API's calls, with an atomic check-and-increment.

    Does not own ``redis``: whoever created the client closes it (``RateLimiter`` does).
    """

    def __init__(self, redis: Redis, config: QuotaConfig, *, keys: Keys | None = None) -> None:
        self.config = config
        self._redis = redis
        self._keys = keys or Keys()
        self._script = register(redis, "quota")

    async def _run(self, cost: int, allowed: int, now_us: int | None) -> tuple[int, int, float]:
        """(status, used, seconds until next KST midnight); status 1 counted/read, 0 refused."""
        # The local clock only names the key; the script checks the day against Redis's clock.
        day = kst_day(time.time())
        for _ in range(_MAX_DAY_GUESSES):
            key = self._keys.daily_quota(self.config.api, kst_day_label(day))
            reply = reply_list(await self._script(keys=[key], args=[day, cost, allowed, now_arg(now_us)]))
            status, used, until_us, actual_day = (reply_int(v) for v in reply)
            if status != -1:
                return status, used, until_us / 1_000_000
            day = actual_day
        raise RuntimeError(f"quota day of {self.config.api} kept changing under the call")  # pragma: no cover

    async def take(self, cost: int = 1, *, use_headroom: bool = False, now_us: int | None = None) -> int:
        """Count ``cost`` calls for today (KST) and return today's total, or raise ``QuotaExhausted``.

        Nothing is counted when refused. Count *before* calling the provider: a counted call
        that then fails only makes us stop slightly early, never late.
        ``now_us`` replaces Redis's clock (Unix µs) and exists for tests of the midnight boundary.
        """
        if cost < 1:
            raise ValueError(f"cost must be >= 1, got {cost}")
        allowed = self.config.limit if use_headroom else self.config.soft_limit
        status, used, until_midnight_s = await self._run(cost, allowed, now_us)
        if status == 0:
            raise QuotaExhausted(self.config.api, used, allowed, until_midnight_s)
        return used

    async def used_today(self, *, now_us: int | None = None) -> int:
        """Calls counted today (KST, by Redis's clock): the ``storebridge_domeggook_daily_used`` gauge."""
        _, used, _ = await self._run(0, self.config.limit, now_us)
        return used
