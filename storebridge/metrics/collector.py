"""The daemon's gauge collector: reads Redis, PostgreSQL and the limiter every ``interval_s`` and sets gauges.

Gauges cannot be computed at scrape time in multiprocess mode (no custom collectors, no
``set_function``), so one loop in the daemon sets them and ``/metrics`` reads the latest values
(``multiprocess_mode="mostrecent"``, see ``storebridge.metrics.definitions``). Every source is read
on its own, bounded by ``SOURCE_TIMEOUT_S``; one that fails is logged and skipped, so a down database still
leaves the queue gauges current, and ``refresh()`` never raises.

What is read, and from where:

- ``storebridge_items{state}``: ``StateStore.counts_by_state()``.
- ``storebridge_registration_success_rate``: ``product_events`` of the last hour (so every worker
  pod's results count, across restarts): successes are the events a successful sync ends with
  (a transition to COMPLETED coded CREATED/UPDATED/PRICE_STOCK/RESUMED, an ``UNCHANGED`` event, a
  transition into SUSPENDED), failures are transitions into MANUAL_REVIEW or FAILED (an
  operator closing a review item, MANUAL_REVIEW → FAILED, is not counted again). An adoption is
  counted by the update or ``UNCHANGED`` event that completes it, as ``Syncer`` reports it.
- ``storebridge_queue_depth{queue}`` for Dramatiq queues, from the Redis broker's keys
  (``dramatiq/brokers/redis/dispatch.lua``): ``HLEN {ns}:{queue}.msgs`` (every message not yet
  acknowledged: waiting in the ``{ns}:{queue}`` list, prefetched or in progress) plus
  ``HLEN {ns}:{queue}.DQ.msgs`` (delayed: retries and deferrals waiting for their eta, including
  those a worker holds in memory). Dead letters (``{ns}:{queue}.XQ``) are not backlog.
- ``storebridge_queue_depth{queue="intake"}``: ``XINFO GROUPS`` of the intake stream, ``lag``
  (entries never delivered to the group) + ``pending`` (delivered, not acknowledged).
- ``storebridge_intake_lag_seconds``: age, on Redis's clock, of the oldest entry that is pending or
  not yet delivered (stream ids carry their creation time in ms).
- ``storebridge_rate_limit_remaining{api}`` / ``storebridge_rate_limit_rate_per_second{api}`` /
  ``storebridge_rate_limit_paused_seconds{api}``: ``RateLimiter.status(api)`` for every configured
  bucket (a read-only peek).
- ``storebridge_domeggook_daily_used``: ``RateLimiter.quota("domeggook").used_today()``.
- ``storebridge_domeggook_daily_limit``: that quota's ``config.limit`` (``DOMEGGOOK_DAILY_LIMIT``),
  set in the same step, so dashboards and alerts can divide by it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from storebridge.keys import Keys, reply_text
from storebridge.limiter import ALL_BUCKETS, DOMEGGOOK, RateLimiter
from storebridge.metrics.definitions import (
    METRICS,
    Metrics,
    set_domeggook_daily_limit,
    set_domeggook_daily_used,
    set_intake_lag,
    set_items,
    set_queue_depth,
    set_rate_limit,
    set_rate_limit_paused,
    set_success_rate,
)
from storebridge.store import State, StateStore
from storebridge.sync import COMPLETED_SUCCESS_CODES

#: Default seconds between two refreshes (a typical scrape interval).
DEFAULT_INTERVAL_S = 15.0
#: Longest one source may take before it is skipped for this round (seconds).
SOURCE_TIMEOUT_S = 10.0
#: Window of ``storebridge_registration_success_rate`` (seconds).
SUCCESS_WINDOW_S = 3600
#: The Dramatiq queues StoreBridge's actors use.
DEFAULT_QUEUES = ("normal", "batch")
#: ``queue`` label of the intake stream's backlog.
INTAKE_QUEUE_LABEL = "intake"
#: When Redis cannot tell a group's lag (after XDEL/trimming), undelivered entries are counted by
#: reading at most this many ids (above the 5,000 backlog alert).
MAX_LAG_SCAN = 10_000


log = logging.getLogger(__name__)


async def finished_outcomes(store: StateStore, window_s: float = SUCCESS_WINDOW_S) -> tuple[int, int]:
    """``(succeeded, failed)``: syncs that finished in the last ``window_s`` seconds (``product_events``)."""
    return await store.finished_outcomes_since(window_s, success_codes=COMPLETED_SUCCESS_CODES)


def _id_ms(entry_id: Any) -> int:
    """Creation time (Unix ms) of a stream entry id ``<ms>-<seq>``."""
    return int(reply_text(entry_id).partition("-")[0])


class GaugeCollector:
    """Sets every gauge of ``storebridge.metrics.definitions`` from its source, once per ``refresh()``.

    ``dramatiq_namespace`` is the Redis broker's ``namespace`` (its key prefix); ``limiter`` may be
    None (no limiter gauges). Does not own any client it is given.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        keys: Keys,
        store: StateStore,
        limiter: RateLimiter | None,
        *,
        queues: Iterable[str] = DEFAULT_QUEUES,
        dramatiq_namespace: str,
        metrics: Metrics = METRICS,
        source_timeout_s: float = SOURCE_TIMEOUT_S,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.store = store
        self.limiter = limiter
        self.queues = tuple(queues)
        self.dramatiq_namespace = dramatiq_namespace
        self.metrics = metrics
        self.source_timeout_s = source_timeout_s
        #: Sources skipped in the last refresh (for tests and the daemon's summary).
        self.failed_sources: list[str] = []

    async def refresh(self) -> None:
        """Update every gauge once; a failing source is logged and skipped (never raises)."""
        sources: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("items", self._items),
            ("success_rate", self._success_rate),
            ("dramatiq_queues", self._dramatiq_queues),
            ("intake", self._intake),
            ("rate_limits", self._rate_limits),
            ("domeggook_quota", self._domeggook_quota),
        ]
        failed = []
        for name, source in sources:
            try:
                await asyncio.wait_for(source(), self.source_timeout_s)
            except Exception as exc:
                failed.append(name)
                log.warning(
                    "metrics.collector.source_failed",
                    extra={"source": name, "error": type(exc).__name__, "detail": str(exc)[:200]},
                )
        self.failed_sources = failed

    async def run(self, stop: asyncio.Event, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        """Refresh now and every ``interval_s`` until ``stop`` is set."""
        log.info("metrics.collector.started", extra={"interval_s": interval_s, "queues": list(self.queues)})
        while not stop.is_set():
            await self.refresh()
            try:
                await asyncio.wait_for(stop.wait(), interval_s)
            except TimeoutError:
                continue
        log.info("metrics.collector.stopped")

    # -- sources ---------------------------------------------------------------------------------
    async def _items(self) -> None:
        counts: dict[State, int] = await self.store.counts_by_state()
        set_items(counts, metrics=self.metrics)

    async def _success_rate(self) -> None:
        succeeded, failed = await finished_outcomes(self.store)
        set_success_rate(succeeded, failed, metrics=self.metrics)

    def dramatiq_keys(self, queue: str) -> tuple[str, str]:
        """The broker's hashes of one queue: all unacknowledged messages, and the delayed ones."""
        prefix = f"{self.dramatiq_namespace}:{queue}"
        return f"{prefix}.msgs", f"{prefix}.DQ.msgs"

    async def _dramatiq_queues(self) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for queue in self.queues:
                for key in self.dramatiq_keys(queue):
                    pipe.hlen(key)
            lengths = [int(n) for n in await pipe.execute()]
        for index, queue in enumerate(self.queues):
            set_queue_depth(queue, lengths[2 * index] + lengths[2 * index + 1], metrics=self.metrics)

    async def _intake(self) -> None:
        stream, group = self.keys.intake_stream, self.keys.intake_group
        try:
            groups = await self.redis.xinfo_groups(stream)
        except ResponseError as exc:
            if "no such key" not in str(exc).lower():
                raise
            groups = []
        info = next((g for g in groups if reply_text(g["name"]) == group), None)
        if info is None:  # no group yet: every entry is undelivered (none when there is no stream)
            backlog = int(await self.redis.xlen(stream))
            first = await self.redis.xrange(stream, "-", "+", count=1)
            oldest_ms = [_id_ms(first[0][0])] if first else []
        else:
            last_delivered = reply_text(info["last-delivered-id"])
            lag = info.get("lag")
            undelivered = int(lag) if lag is not None else await self._count_after(stream, last_delivered)
            backlog = undelivered + int(info["pending"])
            oldest_ms = []
            if int(info["pending"]) > 0:
                summary = await self.redis.xpending(stream, group)
                if summary.get("min") is not None:
                    oldest_ms.append(_id_ms(summary["min"]))
            if undelivered > 0:
                nxt = await self.redis.xrange(stream, f"({last_delivered}", "+", count=1)
                if nxt:
                    oldest_ms.append(_id_ms(nxt[0][0]))
        set_queue_depth(INTAKE_QUEUE_LABEL, backlog, metrics=self.metrics)
        if oldest_ms:
            seconds, micros = await self.redis.time()
            now_ms = int(seconds) * 1000 + int(micros) // 1000
            set_intake_lag((now_ms - min(oldest_ms)) / 1000, metrics=self.metrics)
        else:
            set_intake_lag(0.0, metrics=self.metrics)

    async def _count_after(self, stream: str, last_id: str) -> int:
        entries = await self.redis.xrange(stream, f"({last_id}", "+", count=MAX_LAG_SCAN)
        return len(entries or [])

    async def _rate_limits(self) -> None:
        if self.limiter is None:
            return
        for api in ALL_BUCKETS:
            try:
                self.limiter.config(api)
            except LookupError:
                continue
            status = await self.limiter.status(api)
            set_rate_limit(api, status.free_slots, status.rate_per_s, metrics=self.metrics)
            set_rate_limit_paused(api, status.paused_for_s, metrics=self.metrics)

    async def _domeggook_quota(self) -> None:
        quota = self.limiter.quota(DOMEGGOOK) if self.limiter is not None else None
        if quota is not None:
            set_domeggook_daily_limit(quota.config.limit, metrics=self.metrics)
            set_domeggook_daily_used(await quota.used_today(), metrics=self.metrics)
