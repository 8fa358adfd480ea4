"""Per-process answers with an expiry, and one fetch per key at a time (single flight).

``Memo`` sits in front of the PostgreSQL cache of Naver's reference data: a burst of items that
miss the same leaf at once awaits one fetch instead of each spending a call on the rate-limited
``naver`` buckets. ``BatchedMemo`` does the same for keys fetched many at a time (restricted
tags): keys asked for while a fetch is running wait and go out together in the next one, so
concurrent items share calls instead of each paying one.

A failed fetch is not remembered: every waiter of that fetch gets its exception and the next caller
fetches again. A waiter that is cancelled stops waiting, but the shared fetch goes on for the
others (it is awaited through ``asyncio.shield``).

``async-lru`` (``alru_cache(ttl=…)``) does single flight and TTL for one key but cannot batch keys,
and one home for the concept is better than a library for some keys and a copy for the rest.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """Answers per key for ``ttl_s`` (monotonic clock), each fetched by one caller at a time."""

    def __init__(self, ttl_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        self.ttl_s, self._clock = ttl_s, clock
        self._answers: dict[K, tuple[float, V]] = {}
        self._pending: dict[K, asyncio.Future[V]] = {}

    async def get(self, key: K, fetch: Callable[[], Awaitable[V]]) -> V:
        """The answer for ``key``: remembered, the running fetch's, or ``fetch()``'s."""
        found = self._fresh(key)
        if found is not None:
            return found[1]
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(fetch())
            self._track(key, pending)
        return await asyncio.shield(pending)

    def _fresh(self, key: K) -> tuple[float, V] | None:
        found = self._answers.get(key)
        if found is not None and found[0] <= self._clock():
            del self._answers[key]
            return None
        return found

    def _track(self, key: K, pending: asyncio.Future[V]) -> None:
        self._pending[key] = pending
        pending.add_done_callback(lambda done: self._settle(key, done))

    def _settle(self, key: K, done: asyncio.Future[V]) -> None:
        if self._pending.get(key) is done:
            del self._pending[key]
        # ``exception()`` also marks a failure as seen: every waiter may have been cancelled.
        if not done.cancelled() and done.exception() is None:
            self._answers[key] = (self._clock() + self.ttl_s, done.result())


class BatchedMemo(Memo[K, V]):
    """A ``Memo`` whose misses are fetched many keys per call, one call at a time.

    ``fetch_many(keys)`` must answer every key it is given; a key it leaves out fails with
    ``LookupError`` for its waiters (and is fetched again next time).
    """

    def __init__(
        self,
        ttl_s: float,
        fetch_many: Callable[[list[K]], Awaitable[Mapping[K, V]]],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(ttl_s, clock=clock)
        self._fetch_many = fetch_many
        self._queued: list[K] = []
        self._drainer: asyncio.Task[None] | None = None

    async def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """The answer for each of ``keys``; the unknown ones are fetched together with other callers'."""
        answers: dict[K, V] = {}
        waiting: dict[K, asyncio.Future[V]] = {}
        for key in dict.fromkeys(keys):
            found = self._fresh(key)
            if found is not None:
                answers[key] = found[1]
            elif key in self._pending:
                waiting[key] = self._pending[key]
            else:
                future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
                self._track(key, future)
                self._queued.append(key)
                waiting[key] = future
        if self._queued and (self._drainer is None or self._drainer.done()):
            self._drainer = asyncio.create_task(self._drain())
        for key, future in waiting.items():
            answers[key] = await asyncio.shield(future)
        return answers

    async def _drain(self) -> None:
        """Fetch what is queued, then what was queued meanwhile, until nothing is."""
        while self._queued:
            batch, self._queued = self._queued, []
            futures = [(key, self._pending[key]) for key in batch if key in self._pending]
            try:
                fetched = await self._fetch_many([key for key, _ in futures])
            except asyncio.CancelledError:
                for _, future in futures:
                    future.cancel()
                for key in self._queued:
                    self._pending[key].cancel()
                self._queued = []
                raise
            except Exception as exc:  # every waiter of this batch gets it; the next batch goes on
                for _, future in futures:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for key, future in futures:
                if future.done():
                    continue
                if key in fetched:
                    future.set_result(fetched[key])
                else:
                    future.set_exception(LookupError(f"no answer for {key!r}"))


__all__ = ["BatchedMemo", "Memo"]
