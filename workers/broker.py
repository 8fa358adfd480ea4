"""The Dramatiq broker and its middleware stack: the configuration of the workers' entry point.

``build_broker(settings)`` is a plain function, so tests and tools build brokers of their own (their
own Redis namespace, their own settings). The module-level ``broker`` is built from
``load_settings()`` *at import*, which breaks style principle 6 on purpose: the standard command
``dramatiq workers.actors`` imports the actors module and then asks ``dramatiq.get_broker()``;
there is no entry function to pass settings to, so the import of this module is the entry point.
Importing it therefore needs a loadable environment: the worker processes and the daemon (which
imports ``workers.actors`` for ``send_batch``) have theirs; tests make it safe first and then use
brokers of their own, or run the command in a subprocess. Building the broker opens no connection.

Dramatiq keys live under ``{REDIS_NAMESPACE}-dramatiq`` (``dramatiq_namespace``), next to the
project's own keys, so a test's namespace isolates its queues too and the daemon's queue-depth
gauge finds them.

**Messages of a dead worker come back within about a minute** (``maintain``). Dramatiq's Redis
broker records every fetched message in the fetching process's ``__acks__`` set until it is acked,
and each command a process sends refreshes that process's score in ``__heartbeats__`` (an idle
consumer polls at least once a second, so a live process beats continuously). Its *maintenance*
moves the unacknowledged messages of processes silent for longer than ``heartbeat_timeout`` back
to their queue. Out of the box that pass runs on a random 0.1 % of commands (``maintenance_chance``
1000 per million) and only for the queue of that command: on a quiet system it practically never
runs for a given queue (the fault probe saw 13 of 80 items stranded for 5 minutes after the
workers were killed), on a busy one it runs many times a second, and each pass that finds a dead
process runs ``KEYS`` over the whole keyspace. So instead of raising the chance, every worker
process runs the pass itself, for each of its queues and their delay queues (``.DQ``, whose
prefetched delayed messages a dead process also held), every ``DRAMATIQ_MAINTENANCE_INTERVAL_S``
(``workers.middleware.maintenance``), and ``heartbeat_timeout`` is ``DRAMATIQ_HEARTBEAT_TIMEOUT_S``
(30 s instead of 60 s). A dead process's messages are queued again 30-40 s after its death, and
``KEYS`` runs a handful of times per dead process (once per queue until its acks are gone). The
random pass stays as it is (harmless), and ``dead_message_ttl`` (dead-lettered messages kept 7
days) and ``requeue`` on a graceful stop are Dramatiq's defaults.

The price of a shorter timeout: a live process that sends nothing for 30 s (Redis unreachable that
long) is taken for dead once Redis is back, so a message it is still running may be delivered a
second time. The in-flight markers (``workers.middleware.inflight``) make that copy leave the items
to the execution that is still alive, and every state change is guarded in PostgreSQL, so a
duplicate delivery never becomes a duplicate listing.
"""

from __future__ import annotations

from collections.abc import Callable

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis
from dramatiq.middleware import (
    AgeLimit,
    AsyncIO,
    Callbacks,
    Middleware,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from storebridge.config import Settings, load_settings
from storebridge.errors import TransientError, is_infrastructure_error
from storebridge.keys import Keys, reply_text
from workers.middleware.inflight import InflightMarkers
from workers.middleware.maintenance import BrokerMaintenance
from workers.middleware.process_logging import ProcessLogging
from workers.resources import WorkerResourcesMiddleware

#: Longest wait between two retries of a whole message (Dramatiq's default is 7 days), so that a
#: message retried through a long outage comes back soon after it ends.
MAX_BACKOFF_S = 3600.0


def dramatiq_namespace(redis_namespace: str) -> str:
    """Prefix of Dramatiq's Redis keys for a StoreBridge namespace (``Keys.dramatiq_namespace``)."""
    return Keys(redis_namespace).dramatiq_namespace


def retry_policy(max_retries: int) -> Callable[[int, BaseException], bool]:
    """``retry_when`` for ``Retries``: which exceptions escaping an actor hand the message back.

    ``dramatiq.Retry`` (a rate-limit or quota wait for the whole batch) always does and never counts
    as failing; so does an outage of Redis, PostgreSQL or S3 (``is_infrastructure_error``: not the
    items' fault, retried for as long as it lasts, with Dramatiq's backoff capped at
    ``MAX_BACKOFF_S``); another ``TransientError`` does up to ``max_retries`` times; anything else (a
    bug, a ``PermanentError``, ``TimeLimitExceeded``) does not: the message fails and its items'
    markers are released (``InflightMarkers``). Per-item retries never get here: the actor re-sends
    them.
    """

    def should_retry(retries: int, exc: BaseException) -> bool:
        if isinstance(exc, dramatiq.Retry) or is_infrastructure_error(exc):
            return True
        return isinstance(exc, TransientError) and retries < max_retries

    return should_retry


class ClosingRedisBroker(RedisBroker):
    """``RedisBroker`` whose ``close()`` also disconnects its pool (2.2.1's ``close`` does nothing),
    with an explicit maintenance pass (see the module docstring)."""

    def close(self) -> None:
        """Disconnect every pooled connection; the broker can reconnect if used again."""
        super().close()
        self.client.connection_pool.disconnect()

    def maintain(self) -> int:
        """Hand the unacknowledged messages of dead processes back to every declared queue.

        Runs Dramatiq's own maintenance (in its ``dispatch.lua``, atomically) for each queue and
        delay queue, through the read-only ``qsize`` command. Returns how many messages were
        handed back (counted from the dead processes' ack sets just before; concurrent passes of
        other processes may do part of it, so it is a log figure, not an exact count).
        """
        now = current_millis()
        dead = self.client.zrangebyscore(self._heartbeats_key, 0, now - self.heartbeat_timeout)
        queues = sorted(self.queues | self.delay_queues)
        held = 0
        if dead:
            with self.client.pipeline(transaction=False) as pipe:
                for worker in dead:
                    for queue in queues:
                        pipe.scard(f"{self.namespace}:__acks__.{reply_text(worker)}.{queue}")
                held = sum(int(n) for n in pipe.execute())
        dispatch = self.scripts["dispatch"]
        for queue in queues:
            args = [
                "qsize", now, queue, self.broker_id, self.heartbeat_timeout, self.dead_message_ttl,
                1, self._max_unpack_size(),  # type: ignore[no-untyped-call]
            ]  # fmt: skip
            dispatch(args=args, keys=[self.namespace])
        return held

    @property
    def _heartbeats_key(self) -> str:
        return f"{self.namespace}:__heartbeats__"


def middleware_stack(settings: Settings) -> list[Middleware]:
    """The middleware, in order. ``emit_before`` runs them top to bottom, ``emit_after`` bottom to top."""
    stack: list[Middleware] = [
        # 1. Process set-up. AsyncIO first: it starts the event-loop thread in before_worker_boot.
        #    The resources come directly after it, so they open on that loop once it runs and, as
        #    after-hooks run in reverse, close before AsyncIO stops the loop (style principle 3).
        #    Logging is configured when the dramatiq CLI boots a worker process (after_process_boot).
        AsyncIO(),
        WorkerResourcesMiddleware(settings),
        ProcessLogging(settings),
        # Hand dead workers' messages back every DRAMATIQ_MAINTENANCE_INTERVAL_S (module docstring).
        BrokerMaintenance(settings.dramatiq_maintenance_interval_s),
    ]
    if settings.prometheus_multiproc_dir:
        # 2. Dramatiq's own metrics, into the directory /metrics reads (imported only when configured:
        #    the import reads dramatiq_prom_db and creates that directory).
        from workers.middleware.dramatiq_metrics import DramatiqMetrics

        stack.append(DramatiqMetrics(settings.prometheus_multiproc_dir))
    stack += [
        # 3. Per message, before any work: drop messages past an optional max_age, then start the
        #    time limit. No default age: the in-flight marker's expiry bounds staleness already,
        #    and a retried message keeps its first timestamp (a quota wait lasts until midnight KST).
        AgeLimit(),
        TimeLimit(time_limit=int(settings.worker_time_limit_s * 1000)),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        # 4. In-flight markers: taken when the message starts (after AgeLimit dropped stale ones),
        #    renewed while it runs, released at its end. InflightMarkers sits *before* Retries so
        #    that its after_process_message runs *after* Retries has decided (message.failed known).
        InflightMarkers(settings),
        Retries(
            max_retries=settings.max_retries,
            min_backoff=max(1, int(settings.retry_backoff_base * 1000)),
            max_backoff=int(max(MAX_BACKOFF_S, settings.retry_backoff_base) * 1000),
            retry_when=retry_policy(settings.max_retries),
        ),
    ]
    return stack


def build_broker(settings: Settings) -> RedisBroker:
    """A Redis broker for ``settings``: ``REDIS_URL``, namespace ``{REDIS_NAMESPACE}-dramatiq``, our stack."""
    return ClosingRedisBroker(  # type: ignore[no-untyped-call]
        url=settings.redis_url.get_secret_value(),
        namespace=dramatiq_namespace(settings.redis_namespace),
        middleware=middleware_stack(settings),
        heartbeat_timeout=int(settings.dramatiq_heartbeat_timeout_s * 1000),
    )


#: The process's broker, installed as Dramatiq's global broker (see the module docstring for why
#: it is built at import).
broker: RedisBroker = build_broker(load_settings())
dramatiq.set_broker(broker)
