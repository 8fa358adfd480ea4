"""The sync actors (queues ``normal`` and ``batch``) and ``send_batch``; start workers with this module.

``dramatiq workers.actors --queues normal`` works as it is: importing this module builds the broker
from the environment (``workers.broker``) and declares both actors on it.

Both actors run the same thin body: parse the ``SyncBatch``, call ``Syncer.sync_items`` once (one
batched Domeggook call), then settle each item. Finished items release their in-flight marker;
items whose outcome is RETRY or DEFERRED go back as a *new, smaller* delayed message (one per
distinct wait), never as a retry of the whole batch, whose other items are done. A rate-limit or
quota wait escaping for the whole batch becomes ``dramatiq.Retry(delay=…)``: waiting is not failing.

An outage never drops items: the sync answers RETRY for items hit by one (``Syncer`` re-queues
Redis, PostgreSQL and S3 failures, including a park the database could not record), and the
settling here outlasts a Redis outage of its own: releasing markers and re-sending items are
retried with a capped backoff for up to ``REQUEUE_PATIENCE_S``; past it the message raises
``InfrastructureUnavailable`` (transient), so Dramatiq hands the whole batch back instead of
acknowledging items nobody re-queued.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import dramatiq
from dramatiq import Actor, Broker

from schemas.messages import QueueName, SyncBatch
from storebridge.config import Settings
from storebridge.errors import InfrastructureUnavailable, infrastructure_service
from storebridge.intake import inflight
from storebridge.limiter import QuotaExhausted, RateLimitWait
from storebridge.metrics import record_sync_results
from storebridge.sync import RETRY_OUTCOMES, SyncResult
from workers.broker import broker
from workers.middleware.inflight import marker_ttl_s
from workers.resources import WorkerResources, get_resources

log = logging.getLogger(__name__)

#: Actor per queue. The queues separate capacity (worker groups), not behaviour.
ACTOR_NAMES: dict[QueueName, str] = {"normal": "sync_normal", "batch": "sync_batch"}
#: Longest wait before an item is tried again (s): a daily-quota wait lasts until midnight KST.
MAX_RETRY_DELAY_S = 24 * 3600.0
#: Shortest wait (s), so that a zero ``retry_after_s`` cannot spin.
MIN_RETRY_DELAY_S = 1.0
#: Up to this share is added to a wait, so that items deferred together do not return together.
RETRY_JITTER_FRACTION = 0.1
#: ``reason`` of the smaller messages that carry items back for another try.
RETRY_REASON = "retry"
#: How long settling waits for Redis to come back before handing the whole message back (s).
REQUEUE_PATIENCE_S = 60.0
#: First and longest pause between two tries of a settling step while Redis is down (s).
REQUEUE_BACKOFF_BASE_S = 0.5
REQUEUE_BACKOFF_MAX_S = 5.0

SyncActor = Actor[[dict[str, Any]], None]


async def sync_batch_message(message: dict[str, Any]) -> None:
    """Body of both actors: sync the batch once, then settle every item."""
    batch = SyncBatch.model_validate(message)
    resources = get_resources()
    try:
        results = await resources.syncer.sync_items(batch.item_nos)
    except (RateLimitWait, QuotaExhausted) as exc:  # waiting is not failing (style principle 5)
        delay_s = retry_delay_s(exc.retry_after_s, resources.settings)
        raise dramatiq.Retry(str(exc), delay=jittered_ms(delay_s)) from None
    record_sync_results(results)
    await settle(resources, batch, results)


def declare_actors(target: Broker) -> tuple[SyncActor, SyncActor]:
    """Declare ``sync_normal`` and ``sync_batch`` on ``target`` (this module does it for the global broker).

    Tests declare them on a broker of their own (and install it with ``dramatiq.set_broker`` so that
    ``send_batch`` and the re-sends find it).
    """
    normal, batch = (
        dramatiq.actor(broker=target, actor_name=ACTOR_NAMES[queue], queue_name=queue)(sync_batch_message)
        for queue in ("normal", "batch")
    )
    return normal, batch


def send_batch(batch: SyncBatch, *, delay_ms: int | None = None) -> None:
    """Send ``batch`` to its queue's actor on the global broker (blocking: async callers use a thread)."""
    actor = dramatiq.get_broker().get_actor(ACTOR_NAMES[batch.queue])
    actor.send_with_options(args=(batch.model_dump(mode="json"),), delay=delay_ms)


def retry_delay_s(retry_after_s: float | None, settings: Settings) -> float:
    """The wait before trying again: ``retry_after_s`` (else ``RETRY_BACKOFF_BASE``), within the bounds."""
    delay_s = settings.retry_backoff_base if retry_after_s is None else retry_after_s
    return min(max(delay_s, MIN_RETRY_DELAY_S), MAX_RETRY_DELAY_S)


def jittered_ms(delay_s: float) -> int:
    """``delay_s`` plus up to ``RETRY_JITTER_FRACTION`` of it, in milliseconds, capped."""
    return int(min(delay_s * (1 + random.uniform(0, RETRY_JITTER_FRACTION)), MAX_RETRY_DELAY_S) * 1000)


async def patiently(step: Callable[[], Awaitable[object]], what: str, *, patience_s: float) -> None:
    """Run ``step``, trying again with a capped backoff while it fails for an outage.

    Raises ``InfrastructureUnavailable`` once ``patience_s`` is spent; any other error at once.
    """
    loop = asyncio.get_running_loop()
    deadline, pause_s = loop.time() + patience_s, REQUEUE_BACKOFF_BASE_S
    while True:
        try:
            await step()
            return
        except Exception as exc:
            service = infrastructure_service(exc)
            if service is None:
                raise
            if loop.time() + pause_s > deadline:
                raise InfrastructureUnavailable(service, f"{what}: {service} still unavailable") from exc
            log.warning("worker.settle.waiting", extra={"step": what, "service": service, "sleep_s": pause_s})
            await asyncio.sleep(pause_s)
            pause_s = min(pause_s * 2, REQUEUE_BACKOFF_MAX_S)


async def settle(resources: WorkerResources, batch: SyncBatch, results: list[SyncResult]) -> None:
    """Release the markers of finished items; re-send the others, grouped by their wait (whole seconds).

    Re-sending must happen (raises ``InfrastructureUnavailable`` when Redis stays down); a marker
    that cannot be released or refreshed is only logged: it expires on its own.
    """
    settings, redis, keys = resources.settings, resources.redis, resources.keys
    later: dict[int, list[int]] = defaultdict(list)
    done: list[int] = []
    for result in results:
        log.info(
            "worker.item.synced",
            extra={
                "item_no": result.item_no,
                "outcome": result.outcome.value,
                "state": result.state,
                "code": result.code,
                "queue": batch.queue,
                "attempt": result.attempt,
                "trace_id": result.trace_id,
            },
        )
        if result.outcome in RETRY_OUTCOMES:
            later[math.ceil(retry_delay_s(result.retry_after_s, settings))].append(result.item_no)
        else:
            done.append(result.item_no)
    await _markers(partial(inflight.release, redis, keys, batch.market, done), "release markers")
    for delay_s, item_nos in sorted(later.items()):
        delay_ms = jittered_ms(delay_s)
        ttl_s = marker_ttl_s(delay_ms / 1000, settings)
        await _markers(partial(inflight.refresh, redis, keys, batch.market, item_nos, ttl_s=ttl_s), "refresh")
        retry = batch.model_copy(update={"item_nos": item_nos, "reason": RETRY_REASON})
        resend = partial(asyncio.to_thread, send_batch, retry, delay_ms=delay_ms)
        await patiently(resend, "re-send", patience_s=REQUEUE_PATIENCE_S)
        log.info(
            "worker.batch.requeued",
            extra={"queue": batch.queue, "items": len(item_nos), "delay_ms": delay_ms},
        )


async def _markers(step: Callable[[], Awaitable[object]], what: str) -> None:
    """``step`` on in-flight markers, patiently; giving up is logged, not raised (markers expire)."""
    try:
        await patiently(step, what, patience_s=REQUEUE_PATIENCE_S)
    except InfrastructureUnavailable:
        log.warning("worker.settle.markers_left", extra={"step": what})


#: The actors on the process's broker (the one ``dramatiq workers.actors`` runs).
sync_normal, sync_batch = declare_actors(broker)
