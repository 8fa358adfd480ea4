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
"""

from __future__ import annotations

from collections.abc import Callable

import dramatiq
from dramatiq.brokers.redis import RedisBroker
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
from storebridge.errors import TransientError
from storebridge.keys import Keys
from workers.middleware.inflight import InflightRelease
from workers.middleware.process_logging import ProcessLogging
from workers.resources import WorkerResourcesMiddleware


def dramatiq_namespace(redis_namespace: str) -> str:
    """Prefix of Dramatiq's Redis keys for a StoreBridge namespace (``Keys.dramatiq_namespace``)."""
    return Keys(redis_namespace).dramatiq_namespace


def retry_policy(max_retries: int) -> Callable[[int, BaseException], bool]:
    """``retry_when`` for ``Retries``: which exceptions escaping an actor hand the message back.

    ``dramatiq.Retry`` (a rate-limit or quota wait for the whole batch) always does and never counts
    as failing; a ``TransientError`` does up to ``max_retries`` times; anything else (a bug, a
    ``PermanentError``, ``TimeLimitExceeded``) does not: the message fails and its items' markers
    are released (``InflightRelease``). Per-item retries never get here: the actor re-sends them.
    """

    def should_retry(retries: int, exc: BaseException) -> bool:
        if isinstance(exc, dramatiq.Retry):
            return True
        return isinstance(exc, TransientError) and retries < max_retries

    return should_retry


class ClosingRedisBroker(RedisBroker):
    """``RedisBroker`` whose ``close()`` also disconnects its pool (2.2.1's ``close`` does nothing)."""

    def close(self) -> None:
        """Disconnect every pooled connection; the broker can reconnect if used again."""
        super().close()
        self.client.connection_pool.disconnect()


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
        # 4. Outcome of a failed message. InflightRelease sits *before* Retries so that its
        #    after_process_message runs *after* Retries has decided (message.failed is then known).
        InflightRelease(settings),
        Retries(
            max_retries=settings.max_retries,
            min_backoff=max(1, int(settings.retry_backoff_base * 1000)),
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
    )


#: The process's broker, installed as Dramatiq's global broker (see the module docstring for why
#: it is built at import).
broker: RedisBroker = build_broker(load_settings())
dramatiq.set_broker(broker)
