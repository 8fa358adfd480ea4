"""In-flight markers of a running message: taken at its start, renewed while it runs, always released.

``storebridge.intake.inflight`` describes the two phases of a marker. This middleware owns the
*running* phase of a ``SyncBatch`` message:

- **start** (``before_process_message``, after ``AgeLimit``): take every item's marker for this
  execution (``take_running``; holder = message id, redis message id, process). Items another
  live execution holds are left to it: they are removed from the message's arguments before the
  actor sees them (coalesced, logged); a message left with no item is skipped. A marker whose
  holder is dead (its process stopped beating, or it was an earlier delivery of this message) is
  taken over, so a message handed back after its worker was killed runs at once.
- **run**: one thread per process renews every held marker every third of ``INFLIGHT_TTL_S``.
  A worker that dies stops renewing: its markers vanish within one TTL.
- **end** (``after_process_message``; this middleware sits before ``Retries`` in the stack, so its
  after-hook runs after Retries decided): the actor settled the items it got results for
  (released, or re-queued with a queued marker); whatever this execution still holds is released.
  If an exception escaped: the message failed (retries exhausted, a bug, ``TimeLimitExceeded``)
  → release what this execution still holds (every item if it never took them), or was skipped
  (age limit) → release every item; it was handed back (``dramatiq.Retry``, a
  transient error) → hold the markers as queued for the longest the hand-back can wait plus one run.

``before_worker_shutdown`` logs what a stopping worker waits for (messages and items in flight).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware, SkipMessage
from pydantic import ValidationError
from redis.asyncio import Redis

from schemas.messages import SyncBatch
from storebridge.config import Settings
from storebridge.errors import InfrastructureUnavailable
from storebridge.intake import inflight
from storebridge.keys import Keys
from workers.resources import get_resources

log = logging.getLogger(__name__)

#: Extra life given to a re-queued item's marker beyond the wait and one run (seconds).
MARKER_MARGIN_S = 60.0
#: Markers are renewed this many times per ``INFLIGHT_TTL_S``.
RENEWALS_PER_TTL = 3
#: Holder part used when the broker has no process id (a stub broker in tests).
LOCAL_PROCESS = "local"


def marker_ttl_s(delay_s: float, settings: Settings) -> float:
    """How long a re-queued item's marker must live: the wait, one whole run, and a margin."""
    return max(delay_s, 0.0) + settings.worker_time_limit_s + MARKER_MARGIN_S


@dataclass(frozen=True)
class Held:
    """The markers one execution holds."""

    market: str
    item_nos: tuple[int, ...]
    holder: str
    message_id: str


def _batch(message: Any) -> SyncBatch | None:
    try:
        return SyncBatch.model_validate(message.args[0] if message.args else None)
    except ValidationError:
        return None  # not a sync batch (another actor's message): nothing of ours


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` on the worker's event-loop thread (raises ``RuntimeError`` outside a booted worker)."""
    loop_thread = get_event_loop_thread()
    if loop_thread is None:
        coro.close()
        raise RuntimeError("no event-loop thread: the AsyncIO middleware must come first")
    return loop_thread.run_coroutine(coro)


class InflightMarkers(Middleware):
    """Take, renew and release the in-flight markers of ``SyncBatch`` messages."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._held: dict[int, Held] = {}  # id(message proxy) → markers of that execution
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    # -- start ---------------------------------------------------------------------------------------
    def before_process_message(self, broker: Any, message: Any) -> None:
        """Take the markers; drop the items another live execution holds; skip if none is left."""
        batch = _batch(message)
        if batch is None:
            return
        resources = get_resources()
        holder = inflight.run_holder(
            message.message_id,
            str(message.options.get("redis_message_id", message.message_id)),
            str(getattr(broker, "broker_id", LOCAL_PROCESS)),
        )
        try:
            outcomes: dict[int, str] = _run(
                inflight.take_running(
                    resources.redis,
                    resources.keys,
                    batch.market,
                    batch.item_nos,
                    holder=holder,
                    ttl_s=self.settings.inflight_ttl_s,
                    heartbeat_timeout_s=self.settings.dramatiq_heartbeat_timeout_s,
                )
            )
        except Exception as exc:
            raise InfrastructureUnavailable("redis", f"cannot take in-flight markers: {exc}") from exc
        mine = tuple(no for no in batch.item_nos if outcomes[no] != inflight.BUSY)
        busy = [no for no in batch.item_nos if outcomes[no] == inflight.BUSY]
        taken_over = [no for no in batch.item_nos if outcomes[no] == inflight.TAKEN_OVER]
        extra = {"queue": batch.queue, "message_id": message.message_id}
        if taken_over:
            log.info("worker.inflight.taken_over", extra={**extra, "items": taken_over})
        for no in busy:
            log.info("worker.item.coalesced", extra={**extra, "item_no": no})
        if not mine:
            raise SkipMessage("every item is in flight in another live execution")
        if busy:
            # The actor reads its items from the message's arguments (a plain dict): it syncs only ours.
            message.args[0]["item_nos"] = list(mine)
        with self._lock:
            self._held[id(message)] = Held(batch.market, mine, holder, message.message_id)

    # -- run -----------------------------------------------------------------------------------------
    def after_worker_boot(self, broker: Any, worker: Any) -> None:
        """Start the renewal thread."""
        if self._renewer is None:
            self._stop.clear()
            self._renewer = threading.Thread(target=self._renew_loop, name="inflight-renewal", daemon=True)
            self._renewer.start()

    def _renew_loop(self) -> None:
        interval_s = self.settings.inflight_ttl_s / RENEWALS_PER_TTL
        while not self._stop.wait(interval_s):
            with self._lock:
                held = list(self._held.values())
            for h in held:
                try:
                    resources = get_resources()
                    lost = _run(
                        inflight.renew_running(
                            resources.redis,
                            resources.keys,
                            h.market,
                            h.item_nos,
                            holder=h.holder,
                            ttl_s=self.settings.inflight_ttl_s,
                        )
                    )
                except Exception as exc:  # Redis away: try again next round (the TTL leaves two more)
                    log.warning(
                        "worker.inflight.renew_failed",
                        extra={"message_id": h.message_id, "error": f"{type(exc).__name__}: {exc}"},
                    )
                    continue
                if lost:
                    log.warning("worker.inflight.lost", extra={"message_id": h.message_id, "items": lost})

    # -- end -----------------------------------------------------------------------------------------
    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        """After Retries: done or failed → release what is still ours; handed back → queued."""
        with self._lock:
            held = self._held.pop(id(message), None)
        if held is None:
            # It never started: a failed one frees its queued markers; else the next delivery takes them.
            if exception is not None and message.failed:
                self._release_all(message)
            return
        if exception is None or message.failed:
            # Only ours: a marker another execution took over, or an item re-queued as queued, stays.
            self._settle(
                message, lambda r, k: inflight.release_held(r, k, held.market, held.item_nos, held.holder)
            )
            return
        if isinstance(exception, dramatiq.Retry) and exception.delay is not None:
            delay_s = exception.delay / 1000
        else:  # Retries' exponential backoff: at most twice min_backoff × 2^retries
            retries = max(int(message.options.get("retries", 1)) - 1, 0)
            delay_s = 2 * self.settings.retry_backoff_base * 2 ** min(retries, 16)
        ttl_s = marker_ttl_s(delay_s, self.settings)
        self._settle(message, lambda r, k: inflight.refresh(r, k, held.market, held.item_nos, ttl_s=ttl_s))

    def after_skip_message(self, broker: Any, message: Any) -> None:
        """A failed skip (age limit) frees the items; a coalesced one held nothing."""
        with self._lock:
            self._held.pop(id(message), None)
        if message.failed:
            self._release_all(message)

    def _release_all(self, message: Any) -> None:
        batch = _batch(message)
        if batch is not None:
            self._settle(message, lambda r, k: inflight.release(r, k, batch.market, batch.item_nos))

    @staticmethod
    def _settle(message: Any, action: Callable[[Redis, Keys], Coroutine[Any, Any, Any]]) -> None:
        try:
            resources = get_resources()
            _run(action(resources.redis, resources.keys))
        except Exception as exc:  # markers expire on their own; a Redis hiccup must not hide the outcome
            extra = {"message_id": message.message_id, "error": f"{type(exc).__name__}: {exc}"}
            log.warning("worker.inflight.settle_failed", extra=extra)

    # -- shutdown ------------------------------------------------------------------------------------
    def before_worker_shutdown(self, broker: Any, worker: Any) -> None:
        """Say what the stop waits for: the messages still running (renewal continues meanwhile)."""
        with self._lock:
            held = list(self._held.values())
        log.info(
            "worker.shutdown.waiting",
            extra={
                "messages": len(held),
                "items": sum(len(h.item_nos) for h in held),
                "timeout_s": self.settings.shutdown_timeout_s,
            },
        )

    def after_worker_shutdown(self, broker: Any, worker: Any) -> None:
        """Stop the renewal thread (before the resources close: after-hooks run bottom to top)."""
        self._stop.set()
        renewer, self._renewer = self._renewer, None
        if renewer is not None:
            renewer.join(5.0)
