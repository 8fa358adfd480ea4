"""In-flight markers of a whole message that did not finish normally (``storebridge.intake.inflight``).

The actor settles markers item by item when it gets results. When an exception escapes instead,
this middleware looks at what ``Retries`` decided (it sits before ``Retries`` in the stack, so its
after-hook runs after Retries'):

- the message failed (retries exhausted, a bug, ``TimeLimitExceeded``) or was skipped (age
  limit): release every item's marker, so the next intake entry for the item is not refused;
- the message was handed back (``dramatiq.Retry`` for a rate-limit or quota wait, a transient
  error): refresh the markers for the longest the hand-back can wait, plus one run.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware
from pydantic import ValidationError

from schemas.messages import SyncBatch
from storebridge.config import Settings
from storebridge.intake import inflight
from workers.resources import get_resources

log = logging.getLogger(__name__)

#: Extra life given to a marker beyond the wait and one run (seconds).
MARKER_MARGIN_S = 60.0


def marker_ttl_s(delay_s: float, settings: Settings) -> float:
    """How long a re-queued item's marker must live: the wait, one whole run, and a margin."""
    return max(delay_s, 0.0) + settings.worker_time_limit_s + MARKER_MARGIN_S


class InflightRelease(Middleware):
    """Release or refresh the markers of a ``SyncBatch`` message that ended with an exception."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        """After Retries: failed → release; handed back → refresh."""
        if exception is None:
            return
        if message.failed:
            self._settle(message, release=True, delay_s=0.0)
            return
        if isinstance(exception, dramatiq.Retry) and exception.delay is not None:
            delay_s = exception.delay / 1000
        else:  # Retries' exponential backoff: at most twice min_backoff × 2^retries
            retries = max(int(message.options.get("retries", 1)) - 1, 0)
            delay_s = 2 * self.settings.retry_backoff_base * 2 ** min(retries, 16)
        self._settle(message, release=False, delay_s=delay_s)

    def after_skip_message(self, broker: Any, message: Any) -> None:
        """A skipped message (age limit) is failed: its items are free again."""
        if message.failed:
            self._settle(message, release=True, delay_s=0.0)

    def _settle(self, message: Any, *, release: bool, delay_s: float) -> None:
        try:
            batch = SyncBatch.model_validate(message.args[0] if message.args else None)
        except ValidationError:
            return  # not a sync batch (another actor's message): nothing of ours to settle
        loop_thread = get_event_loop_thread()
        if loop_thread is None:
            return
        resources = get_resources()
        if release:
            coro = inflight.release(resources.redis, resources.keys, batch.market, batch.item_nos)
        else:
            ttl_s = marker_ttl_s(delay_s, self.settings)
            coro = inflight.refresh(
                resources.redis, resources.keys, batch.market, batch.item_nos, ttl_s=ttl_s
            )
        try:
            loop_thread.run_coroutine(coro)
        except Exception:  # markers expire on their own; a Redis hiccup must not hide the real outcome
            log.warning("worker.inflight.settle_failed", extra={"items": len(batch.item_nos)}, exc_info=True)
            return
        event = "worker.inflight.released" if release else "worker.inflight.refreshed"
        log.info(
            event,
            extra={"queue": batch.queue, "items": len(batch.item_nos), "message_id": message.message_id},
        )
