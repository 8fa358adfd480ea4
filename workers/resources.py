"""A worker process's resources: opened once on the event-loop thread, closed at shutdown (principle 3).

``WorkerResourcesMiddleware`` sits directly after ``AsyncIO`` in the broker's stack. In
``before_worker_boot`` (the loop thread is running by then) it opens one ``WorkerResources`` on
that loop; in ``after_worker_shutdown``, which Dramatiq emits in reverse order and so before
``AsyncIO`` stops the loop, it closes them. Actors reach them with ``get_resources()``.

``_resources`` is the project's only process global: Dramatiq calls actors with the message
arguments only, so a per-process handle cannot be passed down as an argument.
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

from dramatiq.asyncio import EventLoopThread, get_event_loop_thread, set_event_loop_thread
from dramatiq.middleware import Middleware, MiddlewareError
from redis.asyncio import Redis

from storebridge.config import Settings
from storebridge.keys import Keys
from storebridge.resources import Resources
from storebridge.sync import Syncer

logger = logging.getLogger(__name__)

_resources: WorkerResources | None = None


class ResourcesUnavailable(MiddlewareError):
    """The worker cannot open its resources: the process must not start consuming."""


class WorkerResources:
    """The pipeline's ``Resources``, exposed to the actors (syncer, Redis for in-flight markers)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pipeline = Resources(settings)
        self.keys = Keys(settings.redis_namespace)
        self._closed = False

    @property
    def syncer(self) -> Syncer:
        """The pipeline (raises if not open)."""
        return self.pipeline.syncer

    @property
    def redis(self) -> Redis:
        """The pipeline's Redis client, for ``storebridge.intake.inflight`` (raises if not open)."""
        if self.pipeline.redis is None:
            raise RuntimeError("WorkerResources are not open")
        return self.pipeline.redis

    @property
    def closed(self) -> bool:
        """True once ``close()`` ran."""
        return self._closed

    async def open(self) -> WorkerResources:
        """Open the pipeline and check Redis answers; on failure close what was opened and re-raise."""
        try:
            await self.pipeline.open()
            await self.redis.ping()
        except BaseException:
            await self.close()
            raise
        return self

    async def close(self) -> None:
        """Close everything (idempotent); the pipeline closes its Redis client last."""
        self._closed = True
        await self.pipeline.close()

    async def __aenter__(self) -> WorkerResources:
        return await self.open()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def get_resources() -> WorkerResources:
    """This worker process's open resources; raises ``RuntimeError`` outside a booted worker."""
    if _resources is None:
        raise RuntimeError(
            "worker resources are not open: WorkerResourcesMiddleware must follow AsyncIO in the "
            "broker's middleware, and this must run inside a booted Dramatiq worker"
        )
    return _resources


class WorkerResourcesMiddleware(Middleware):
    """Open ``WorkerResources`` when a worker boots, close them when it shuts down."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def before_worker_boot(self, broker: Any, worker: Any) -> None:
        """Open the resources on the loop thread; a failure stops the process before it consumes."""
        global _resources
        loop_thread = _loop_thread()
        resources = WorkerResources(self.settings)
        try:
            loop_thread.run_coroutine(resources.open())
        except Exception as exc:
            logger.critical("worker.resources.failed", extra={"error": f"{type(exc).__name__}: {exc}"})
            # AsyncIO's loop thread is not a daemon thread: left running, the process would never exit.
            loop_thread.stop()  # type: ignore[no-untyped-call]
            set_event_loop_thread(None)
            raise ResourcesUnavailable(f"cannot open worker resources: {type(exc).__name__}: {exc}") from exc
        _resources = resources

    def after_worker_boot(self, broker: Any, worker: Any) -> None:
        """One line per booted worker: which queues it consumes and how many threads."""
        queues = sorted(worker.consumer_whitelist or broker.get_declared_queues())
        logger.info("worker.ready", extra={"queues": queues, "threads": worker.worker_threads})

    def before_worker_shutdown(self, broker: Any, worker: Any) -> None:
        """Wake every limiter wait and retry backoff so in-flight items are handed back at once.

        Emitted by ``Worker.stop()`` before it joins the worker threads (storebridge.shutdown).
        """
        from storebridge.shutdown import request_shutdown

        loop_thread = get_event_loop_thread()
        if loop_thread is not None:  # this worker's loop only (tests run several in one process)
            request_shutdown("worker stopping", loop=loop_thread.loop)

    def after_worker_shutdown(self, broker: Any, worker: Any) -> None:
        """Close the resources while the loop still runs (idempotent)."""
        global _resources
        resources, _resources = _resources, None
        if resources is None:
            return
        loop_thread = get_event_loop_thread()
        if loop_thread is not None:
            loop_thread.run_coroutine(resources.close())
        logger.info("worker.resources.closed")


def _loop_thread() -> EventLoopThread:
    loop_thread = get_event_loop_thread()
    if loop_thread is None:
        raise ResourcesUnavailable("no event-loop thread: the AsyncIO middleware must come first")
    return loop_thread
