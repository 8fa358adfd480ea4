"""The global rate limiter: one budget per upstream API, shared by every coroutine, process and pod.

Each bucket is a GCRA schedule in Redis (``lua/reserve.lua``): a call *reserves* the next free
slot atomically, with Redis's clock (``TIME``), and then sleeps until that slot. With burst 1,
calls are spaced exactly ``1 / rate`` apart across all processes, and the rate is the provider's
rate times ``safety_factor`` (0.95), so we stay under the limit without having to hit it first.

Waiting is not failing (style principle 5), at two levels:

- Here, ``acquire`` sleeps for a slot at most ``BucketConfig.max_wait_s`` away (2 s by default).
  A slot further away books nothing and raises ``RateLimitWait`` (a ``TransientError`` with
  ``retry_after_s`` = the wait minus half the cap). This module never imports Dramatiq.
- The clients' hook (``hook.LimiterHook``) sleeps out such a ``RateLimitWait`` in-process and
  asks again, as long as those sleeps add up to at most ``hook.IN_PROCESS_WAIT_MAX_S`` (30 s);
  only a longer wait (Domeggook's 180 s pause after a 429, a schedule booked far ahead) reaches
  the actor, which hands the item back with ``raise dramatiq.Retry(delay=...)`` instead of
  holding its worker thread. A used-up daily quota (``QuotaExhausted``) is never waited for
  in-process.

A stopping process does not sit out its waits: each sleep here races the process's shutdown signal
(``storebridge.shutdown``), and a wait cut short raises ``StoppedWaiting`` (a ``RateLimitWait``,
so the sync hands the item back without counting an attempt). The slot booked for it is given up
(an unused slot is simply lost) and so is its unit of the daily quota, if one was counted.

Feedback from the provider, shared through Redis so every process adopts it at once:

- ``observe_headers``: Naver's ``GNCP-GW-RateLimit-*`` headers lower the rate to
  ``min(rate_per_s, replenish_rate) × safety_factor``; ``Remaining: 0`` pauses the bucket for one
  replenish interval.
- ``observe_headers`` also reads Naver's ``GNCP-GW-Quota-*`` headers: a used-up quota
  (``Remaining: 0``, sent with 429 ``GW.QUOTA_LIMIT``) pauses *every* bucket of the provider for
  one quota period (``QuotaHeaders.reset_after_s``) with ``pause``: the quota counts the seller's
  resources across APIs and the HOURS penalty throttles every API, so no bucket may spend it.
- ``penalize`` (after a 429): pauses the bucket for everyone, multiplies its rate by
  ``decrease_factor`` once per overload event, and ramps it back linearly over ``recovery_s`` from
  the end of the pause (``lua/penalize.lua``). Reservations made during a pause get slots after it;
  callers already asleep re-check the pause when they wake and re-queue behind it.

This module enforces the shared budget only. In front of it, ``hook.LimiterHook`` keeps one
in-process ``aiolimiter.AsyncLimiter`` per bucket at the same pacing rate: it enforces nothing
across processes, it smooths this process's own bursts so its coroutines reserve their shared
slot just in time instead of all booking slots seconds ahead.

``RateLimiter.from_settings`` is the one place the pipeline's limiter is built from ``Settings``.
Configuration and result types live in ``buckets``; daily quotas (``QuotaConfig``/``DailyQuota``)
in ``quota``; bucket ids and ``naver_bucket_for`` in ``routes``; the Lua loader and its shared
prelude in ``scripts``. Naver's headers are parsed by ``schemas.naver_gateway``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Self

from redis.asyncio import Redis

from schemas.naver_gateway import QuotaHeaders, RateLimitHeaders
from storebridge.config import Settings
from storebridge.keys import Keys
from storebridge.limiter.buckets import (
    BucketConfig,
    BucketStatus,
    RateLimitWait,
    Reservation,
    buckets_from_settings,
    default_buckets,
)
from storebridge.limiter.quota import DailyQuota, QuotaConfig, QuotaExhausted
from storebridge.limiter.routes import DOMEGGOOK, naver_bucket_for
from storebridge.limiter.scripts import now_arg, register, reply_float, reply_int, reply_list
from storebridge.shutdown import sleep_or_stop

__all__ = [
    "BucketConfig",
    "BucketStatus",
    "DailyQuota",
    "QuotaConfig",
    "QuotaExhausted",
    "RateLimitHeaders",
    "RateLimitWait",
    "RateLimiter",
    "Reservation",
    "StoppedWaiting",
    "default_buckets",
    "naver_bucket_for",
]

logger = logging.getLogger(__name__)

#: How long a rate learnt from headers is kept without being confirmed by a response (seconds).
LEARNT_RATE_TTL_S = 3600
#: ``acquire`` re-reserves at most this many times when a pause lands on a slot it waited for.
MAX_RESERVE_ROUNDS = 3
_US_PER_S = 1_000_000


class StoppedWaiting(RateLimitWait):
    """The process is stopping and cut the wait for a slot short; nothing was sent.

    A ``RateLimitWait``, so every caller already treats it as "come back later": the sync defers
    the item (no state change, no attempt counted) and the actor re-sends it as a delayed message,
    which another worker (or this one, restarted) picks up after ``retry_after_s``.
    """

    def __init__(self, api: str, wait_s: float) -> None:
        super().__init__(api, wait_s, max(wait_s, 0.0))
        self.args = (f"rate limit of {api}: the process is stopping, its {wait_s:.3f} s wait was cut short",)


class RateLimiter:
    """Shared rate limits for a set of buckets (and optional daily quotas) through one Redis.

    Use ``async with limiter.slot("naver:products"): ...`` or ``await limiter.acquire(api)`` right
    before each call; report the response with ``observe_headers`` and 429s with ``penalize``.
    ``redis`` is a URL (the limiter owns and closes the client) or an existing client (left open).
    An async context manager; ``close()`` is idempotent.
    """

    def __init__(
        self,
        redis: Redis | str,
        buckets: Iterable[BucketConfig],
        *,
        quotas: Iterable[QuotaConfig] = (),
        keys: Keys | None = None,
    ) -> None:
        self._owns_redis = isinstance(redis, str)
        self._redis: Redis = Redis.from_url(redis) if isinstance(redis, str) else redis
        self._keys = keys or Keys()
        self._buckets = {config.api: config for config in buckets}
        self._quotas = {q.api: DailyQuota(self._redis, q, keys=self._keys) for q in quotas}
        self._reserve = register(self._redis, "reserve")
        self._penalize = register(self._redis, "penalize")
        self._observe = register(self._redis, "observe")
        self._closed = False

    @classmethod
    def from_settings(cls, settings: Settings, redis: Redis | None = None) -> Self:
        """The pipeline's limiter, as every process must build it: the one place settings become budgets.

        Buckets are keyed the way the providers count (Naver per API per application, Domeggook per
        key), at ``DOMEGGOOK_MAX_TPS`` / ``NAVER_MAX_TPS``; Domeggook's per-key daily quota is
        ``DOMEGGOOK_DAILY_LIMIT``; keys live under ``REDIS_NAMESPACE``. Pass the process's shared
        ``redis`` client (left open); without one the limiter opens and owns its own from ``REDIS_URL``.
        """
        return cls(
            settings.redis_url.get_secret_value() if redis is None else redis,
            buckets_from_settings(settings),
            quotas=[QuotaConfig.scaled(DOMEGGOOK, settings.domeggook_daily_limit)],
            keys=Keys(settings.redis_namespace),
        )

    def config(self, api: str) -> BucketConfig:
        """The configuration of bucket ``api``; ``LookupError`` for an unknown bucket (a bug)."""
        try:
            return self._buckets[api]
        except KeyError:
            raise LookupError(f"no rate-limit bucket configured for {api!r}") from None

    def quota(self, api: str) -> DailyQuota | None:
        """The daily quota of ``api``, if one is configured (for ``used_today()`` gauges)."""
        return self._quotas.get(api)

    async def _run_reserve(
        self, config: BucketConfig, cost: int, mode: str, now_us: int | None
    ) -> list[object]:
        keys = [
            self._keys.bucket(config.api),
            self._keys.bucket_pause(config.api),
            self._keys.bucket_rate(config.api),
        ]
        args: list[str | int] = [
            repr(config.pacing_rate_per_s),
            repr(config.safety_factor),
            config.burst,
            cost,
            math.floor(config.max_wait_s * _US_PER_S),
            math.floor(config.recovery_s * _US_PER_S),
            mode,
            now_arg(now_us),
        ]
        return reply_list(await self._reserve(keys=keys, args=args))

    async def reserve_slot(self, api: str, cost: int = 1, *, now_us: int | None = None) -> Reservation:
        """Book the next free slot of ``api`` for ``cost`` calls; ``RateLimitWait`` past the cap.

        The slot is the caller's whether or not it uses it (an unused slot is simply lost).
        ``now_us`` replaces Redis's clock and exists for tests only.
        """
        if cost < 1:
            raise ValueError(f"cost must be >= 1, got {cost}")
        config = self.config(api)
        status, slot_us, at_us, wait_us, rate, _, _ = await self._run_reserve(config, cost, "reserve", now_us)
        wait_s = reply_int(wait_us) / _US_PER_S
        if reply_int(status) == 0:
            retry_after_s = max(wait_s - config.max_wait_s / 2, 0.0)
            logger.debug("limiter.deferred", extra={"api": api, "wait_s": wait_s})
            raise RateLimitWait(api, wait_s, retry_after_s)
        return Reservation(api, reply_int(slot_us), reply_int(at_us), max(wait_s, 0.0), reply_float(rate))

    async def reserve(self, api: str, cost: int = 1) -> float:
        """Book a slot and return how long to wait before calling (``await asyncio.sleep(wait_s)``)."""
        return (await self.reserve_slot(api, cost)).wait_s

    async def _pause_until_us(self, api: str) -> int:
        raw = await self._redis.get(self._keys.bucket_pause(api))
        return 0 if raw is None else reply_int(raw) * 1000

    async def acquire(self, api: str, cost: int = 1, *, use_headroom: bool = False) -> float:
        """Wait for a slot of ``api`` (and count the daily quota, if any); returns seconds waited.

        Raises ``RateLimitWait`` when the slot is beyond ``max_wait_s`` and ``QuotaExhausted`` when
        today's quota is used up (``use_headroom`` lets must-run work use the reserved part). The
        quota is counted once, after the first slot is booked, so deferrals never use it up. If a
        429 paused the bucket while we slept, the slot is given up and a new one taken after the pause.
        """
        waited_s = 0.0
        quota = self._quotas.get(api)
        for round_no in range(MAX_RESERVE_ROUNDS):
            reservation = await self.reserve_slot(api, cost)
            if round_no == 0 and quota is not None:
                await quota.take(cost, use_headroom=use_headroom)
            if reservation.wait_s <= 0:
                return waited_s
            if not await sleep_or_stop(reservation.wait_s):
                raise StoppedWaiting(api, reservation.wait_s)
            waited_s += reservation.wait_s
            if await self._pause_until_us(api) <= reservation.slot_us:
                return waited_s
        # Paused again and again while we slept: stop holding the worker and come back later.
        now = await self.status(api)
        raise RateLimitWait(api, now.next_wait_s, max(now.next_wait_s, now.paused_for_s))

    @asynccontextmanager
    async def slot(self, api: str, cost: int = 1, *, use_headroom: bool = False) -> AsyncIterator[None]:
        """``async with limiter.slot(api):`` — ``acquire`` on entry; nothing to release on exit."""
        await self.acquire(api, cost, use_headroom=use_headroom)
        yield

    async def observe_headers(
        self, api: str, headers: Mapping[str, str], *, now_us: int | None = None
    ) -> RateLimitHeaders:
        """Adopt the rate a response announced, for every process; returns what was read.

        The learnt rate only ever lowers ours (``min(rate_per_s, replenish) × safety_factor``) and
        expires after ``LEARNT_RATE_TTL_S`` unless confirmed. ``Remaining: 0`` pauses the bucket for
        one replenish interval so the next call does not arrive to an empty bucket.
        """
        config = self.config(api)
        quota = QuotaHeaders.from_headers(headers)
        if quota.exhausted:
            await self.pause_provider(api, quota.reset_after_s, now_us=now_us)
        seen = RateLimitHeaders.from_headers(headers)
        if seen.empty:
            return seen
        pause_ms = 0
        if seen.remaining == 0:
            refill_rate = seen.replenish_rate_per_s or config.pacing_rate_per_s
            pause_ms = math.ceil(1000 / refill_rate)
        args: list[str | int] = [
            "" if seen.replenish_rate_per_s is None else repr(seen.replenish_rate_per_s),
            "" if seen.burst_capacity is None else seen.burst_capacity,
            pause_ms,
            LEARNT_RATE_TTL_S * 1000,
            now_arg(now_us),
        ]
        keys = [self._keys.bucket_rate(api), self._keys.bucket_pause(api)]
        await self._observe(keys=keys, args=args)
        return seen

    async def pause(self, api: str, pause_s: float, *, now_us: int | None = None) -> None:
        """Pause bucket ``api`` for everyone for ``pause_s`` from now; never shortens a running pause.

        Unlike ``penalize`` the rate is left alone: the wait is the provider's (a quota's reset),
        not a sign that we sent too fast.
        """
        self.config(api)
        keys = [self._keys.bucket_rate(api), self._keys.bucket_pause(api)]
        args: list[str | int] = ["", "", math.ceil(max(pause_s, 0.0) * 1000), LEARNT_RATE_TTL_S * 1000]
        await self._observe(keys=keys, args=[*args, now_arg(now_us)])

    async def pause_provider(self, api: str, pause_s: float, *, now_us: int | None = None) -> list[str]:
        """``pause`` every configured bucket of ``api``'s provider (``naver:…``); returns the bucket ids."""
        provider = api.partition(":")[0]
        paused = [other for other in self._buckets if other.partition(":")[0] == provider]
        for other in paused:
            await self.pause(other, pause_s, now_us=now_us)
        logger.warning("limiter.quota_paused", extra={"api": api, "buckets": paused, "pause_s": pause_s})
        return paused

    async def penalize(self, api: str, pause_s: float | None = None, *, now_us: int | None = None) -> float:
        """A 429 from ``api``: pause it for everyone and cut its rate; returns the pause left (s).

        The pause is ``max(pause_s, penalty_pause_s)`` from now on Redis's clock (never shortens
        a running pause). Only the first 429 of an overload event cuts the rate (see penalize.lua).
        """
        config = self.config(api)
        pause_ms = math.ceil(max(pause_s or 0.0, config.penalty_pause_s) * 1000)
        keys = [self._keys.bucket(api), self._keys.bucket_pause(api)]
        args: list[str | int] = [
            pause_ms,
            repr(config.decrease_factor),
            repr(config.min_factor),
            math.floor(config.recovery_s * _US_PER_S),
            now_arg(now_us),
        ]
        resume_us, at_us, factor, decreased = reply_list(await self._penalize(keys=keys, args=args))
        left_s = (reply_int(resume_us) - reply_int(at_us)) / _US_PER_S
        logger.info(
            "limiter.penalized",
            extra={
                "api": api,
                "pause_s": left_s,
                "factor": reply_float(factor),
                "decreased": bool(decreased),
            },
        )
        return left_s

    async def status(self, api: str, *, now_us: int | None = None) -> BucketStatus:
        """Read the bucket's effective rate, free slots, pending wait and pause (writes nothing)."""
        config = self.config(api)
        _, _, at_us, wait_us, rate, free, pause_until_us = await self._run_reserve(config, 1, "peek", now_us)
        paused_for_s = max(reply_int(pause_until_us) - reply_int(at_us), 0) / _US_PER_S
        return BucketStatus(
            api, reply_float(rate), reply_int(free), max(reply_int(wait_us), 0) / _US_PER_S, paused_for_s
        )

    async def remaining_budget(self, api: str) -> int:
        """Calls ``api`` could make right now without waiting (the rate-limit-remaining gauge)."""
        return (await self.status(api)).free_slots

    async def close(self) -> None:
        """Close the Redis client if this limiter created it; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        if self._owns_redis:
            await self._redis.aclose()

    async def __aenter__(self) -> RateLimiter:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
