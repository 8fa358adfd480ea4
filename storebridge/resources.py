"""Everything the pipeline needs, opened once per process and closed together.

Used by ``storebridge sync``, ``make run`` and (once per worker process, on the event-loop thread)
by the Dramatiq workers. Opening order is the dependency order; closing is the reverse, and
``close()`` is idempotent, so a half-opened ``Resources`` (one service down) still cleans up.
"""

from __future__ import annotations

import contextlib
from types import TracebackType

from redis.asyncio import Redis

from storebridge.config import Settings
from storebridge.domeggook import DomeggookClient
from storebridge.http import Limiter
from storebridge.images import ImagePipeline
from storebridge.limiter import LimiterHook, LocalLimiterHook, RateLimiter, buckets_from_settings
from storebridge.listing_rules import load_listing_rules_from_store
from storebridge.metrics import MetricsHook, show_naver_operator_hold
from storebridge.naver import NaverClient
from storebridge.store import StateStore
from storebridge.sync import Syncer, SyncSettings


class Resources:
    """Store, limiter, clients, image pipeline and the ``Syncer`` over them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stack = contextlib.AsyncExitStack()
        self._syncer: Syncer | None = None
        self.store: StateStore | None = None
        self.limiter: RateLimiter | None = None
        #: One Redis client per process, shared by the limiter and (in workers) the in-flight markers.
        self.redis: Redis | None = None

    @property
    def syncer(self) -> Syncer:
        """The pipeline; raises if ``open()`` has not run."""
        if self._syncer is None:
            raise RuntimeError("Resources are not open")
        return self._syncer

    async def open(self) -> Resources:
        """Open everything; on failure close what was opened and re-raise."""
        settings = self.settings
        settings.require_credentials()
        try:
            self.redis = Redis.from_url(
                settings.redis_url.get_secret_value(), max_connections=settings.redis_max_connections
            )
            self._stack.push_async_callback(self.redis.aclose)  # registered first: closed last
            self.store = await self._stack.enter_async_context(StateStore.from_settings(settings))
            hook: Limiter | None = None
            if settings.rate_limit_mode == "global":
                self.limiter = await self._stack.enter_async_context(
                    RateLimiter.from_settings(settings, self.redis)
                )
                hook = LimiterHook(self.limiter)
            elif settings.rate_limit_mode == "local":
                hook = LocalLimiterHook({b.api: b for b in buckets_from_settings(settings)})
            # One hook for both clients: metrics around the shared limiter (or around nothing).
            metered = MetricsHook(hook)
            enter = self._stack.enter_async_context
            domeggook = await enter(DomeggookClient.from_settings(settings, limiter=metered))
            naver = await enter(
                NaverClient.from_settings(settings, limiter=metered, on_hold=show_naver_operator_hold)
            )
            images = await self._stack.enter_async_context(ImagePipeline.from_settings(settings))
            await images.ensure_bucket()
            rules = await load_listing_rules_from_store(settings, self.store)
            self._syncer = Syncer(
                domeggook=domeggook,
                naver=naver,
                images=images,
                store=self.store,
                rules=rules,
                settings=SyncSettings(
                    market=settings.domeggook_market,
                    search_grace_s=settings.naver_search_grace_s,
                    max_retries=settings.max_retries,
                    retry_backoff_base_s=settings.retry_backoff_base,
                    reference_ttl_s=settings.naver_reference_ttl_s,
                ),
            )
        except BaseException:
            await self.close()
            raise
        return self

    async def close(self) -> None:
        """Close everything that was opened, newest first (idempotent)."""
        self._syncer = None
        await self._stack.aclose()
        self.redis = None

    async def __aenter__(self) -> Resources:
        return await self.open()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
