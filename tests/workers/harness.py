"""A Dramatiq worker booted in this process on a broker of the test's own settings.

The worker tests send real batch messages through a real Redis broker to it and watch the outcome
in PostgreSQL, Redis (the in-flight markers, the queues) and the sandbox's counters.
"""

from __future__ import annotations

import asyncio
import time
from types import ModuleType
from typing import Any, cast

import dramatiq
import redis.asyncio as aioredis
from dramatiq import Message, Worker

from schemas.messages import QueueName, SyncBatch
from storebridge.config import load_settings
from storebridge.intake import inflight
from storebridge.keys import Keys
from storebridge.sandbox.runner import Sandbox
from storebridge.shutdown import reset_for_tests
from tests.sync.harness import FAST_SETTINGS

#: Expiry of the markers the tests set, as the intake would (seconds).
MARKER_TTL_S = 600.0


def worker_env(sandbox: Sandbox, service_urls: dict[str, str]) -> dict[str, str]:
    """Settings of a worker on ``sandbox`` and this test's services, fast and logging JSON."""
    return {**sandbox.environment(), **service_urls, **FAST_SETTINGS, "LOG_FORMAT": "json"}


class RunningWorker:
    """A booted in-process worker (two threads, both queues) on a broker built from ``env``.

    While it runs, its broker is the global one (``send_batch`` sends through it); leaving stops
    the worker, closes the broker and puts the previous global broker back.
    """

    def __init__(self, actors: ModuleType, env: dict[str, str]) -> None:
        from workers.broker import build_broker

        self.actors, self.env = actors, env
        self.keys = Keys(env["REDIS_NAMESPACE"])
        self.broker = build_broker(load_settings(**env))
        actors.declare_actors(self.broker)
        self.worker = Worker(self.broker, worker_threads=2, worker_timeout=100)
        self.stopped = False

    async def __aenter__(self) -> RunningWorker:
        self._previous = dramatiq.get_broker()
        dramatiq.set_broker(self.broker)
        await asyncio.to_thread(self.worker.start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
        self.broker.close()
        dramatiq.set_broker(self._previous)
        reset_for_tests()  # a stopping worker asks the whole process to stop waiting; undo it

    async def stop(self) -> None:
        """Stop the worker (idempotent): resources close, then the loop thread stops."""
        if not self.stopped:
            self.stopped = True
            await asyncio.to_thread(self.worker.stop)

    async def send(self, item_nos: list[int], queue: QueueName = "normal") -> None:
        """Send one batch the way the daemon does (``send_batch`` in a thread)."""
        batch = SyncBatch(queue=queue, item_nos=item_nos, enqueued_at_ms=int(time.time() * 1000))
        await asyncio.to_thread(self.actors.send_batch, batch)

    def queued(self, queue: str) -> list[Message[Any]]:
        """Messages stored on ``queue`` (``normal``, ``normal.DQ`` delayed, ``normal.XQ`` dead)."""
        stored = self.broker.client.hvals(f"{self.broker.namespace}:{queue}.msgs")
        return [Message.decode(cast(bytes, data)) for data in stored]


async def mark_in_flight(redis: aioredis.Redis, keys: Keys, item_nos: list[int]) -> None:
    """What the intake does before it sends a batch."""
    assert await inflight.acquire(redis, keys, "dome", item_nos, ttl_s=MARKER_TTL_S) == item_nos


async def markers(redis: aioredis.Redis, keys: Keys, item_nos: list[int]) -> list[int]:
    """The items among ``item_nos`` that are still marked in flight."""
    return [no for no in item_nos if await redis.exists(keys.inflight("dome", no))]
