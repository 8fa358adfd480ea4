"""The daemon process: Redis-stream intake → Dramatiq, plus ``/health`` and ``/metrics``.

Every ``SWEEPER_INTERVAL_S`` the sweeper (``workers.sweeper``) puts work that stalled in a working
state back on the intake stream.

Shutdown is a designed path (style principle 7): the first SIGTERM/SIGINT stops intake; the batch
being handed off finishes (its entries are acknowledged only once the message is in the broker, so
anything unfinished stays pending and another daemon reclaims it); the gauge collector and the
HTTP server stop; one summary line is logged; the process exits within ``SHUTDOWN_TIMEOUT_S``.
A second signal exits at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

from schemas.messages import SyncBatch
from storebridge.config import Settings
from storebridge.health import create_health_app, default_checks
from storebridge.intake import IntakeConsumer
from storebridge.keys import Keys
from storebridge.limiter import RateLimiter
from storebridge.metrics import GaugeCollector
from storebridge.serve import ServedApp
from storebridge.store import StateStore
from workers.sweeper import Sweeper

logger = logging.getLogger(__name__)

Sender = Callable[[SyncBatch], Awaitable[None]]


def dramatiq_sender() -> Sender:
    """Send batches with the Dramatiq actors (the broker client is synchronous: run it in a thread)."""
    from workers.actors import send_batch

    async def send(batch: SyncBatch) -> None:
        await asyncio.to_thread(send_batch, batch)

    return send


def consumer_name() -> str:
    """Unique per process and stable for its life: ``host-pid`` (a restarted pod gets a new one)."""
    return f"{socket.gethostname()}-{os.getpid()}"


async def run_daemon(
    settings: Settings, *, sender: Sender | None = None, ready: Callable[[int], None] | None = None
) -> int:
    """Run until a signal; returns the exit status. ``ready(port)`` is called once serving."""
    keys = Keys(settings.redis_namespace)
    redis = aioredis.Redis.from_url(
        settings.redis_url.get_secret_value(), max_connections=settings.redis_max_connections
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if stop.is_set():
            logger.warning("daemon.exit.forced")
            os._exit(1)
        logger.info("daemon.stopping")
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal)
    try:
        async with contextlib.AsyncExitStack() as stack:
            store = await stack.enter_async_context(StateStore.from_settings(settings))
            stack.push_async_callback(redis.aclose)
            limiter = await stack.enter_async_context(RateLimiter.from_settings(settings, redis))
            intake = IntakeConsumer(
                redis,
                keys,
                store,
                sender or dramatiq_sender(),
                consumer=consumer_name(),
                batch_size=settings.intake_batch_size,
                claim_idle_ms=int(settings.intake_claim_idle_s * 1000),
                inflight_ttl_s=settings.inflight_queued_ttl_s,
            )
            sweeper = Sweeper(redis, keys, store, settings)
            await intake.ensure_group()
            app = create_health_app(
                default_checks(redis, store), multiproc_dir=settings.prometheus_multiproc_dir or None
            )
            served = await stack.enter_async_context(
                ServedApp(app, host=settings.daemon_host, port=settings.daemon_port)
            )
            collector = GaugeCollector(
                redis, keys, store, limiter, dramatiq_namespace=keys.dramatiq_namespace
            )
            logger.info("daemon.started", extra={"port": served.port, "consumer": intake.consumer})
            if ready is not None:
                ready(served.port)
            intake_task = asyncio.create_task(intake.run(stop), name="intake")
            collector_task = asyncio.create_task(collector.run(stop), name="collector")
            sweeper_task = asyncio.create_task(sweeper.run(stop), name="sweeper")
            await stop.wait()
            done, pending = await asyncio.wait(
                {intake_task, collector_task, sweeper_task}, timeout=settings.shutdown_timeout_s
            )
            for task in pending:
                task.cancel()
            for task in done:
                if task.exception() is not None:
                    logger.error(
                        "daemon.task.failed", extra={"task": task.get_name(), "error": str(task.exception())}
                    )
            logger.info(
                "daemon.stopped",
                extra={
                    "handed_off": intake.handed_off,
                    "coalesced": intake.coalesced,
                    "dead_lettered": intake.dead_lettered,
                    "swept": sweeper.redriven,
                    "unfinished_tasks": len(pending),
                },
            )
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    return 0
