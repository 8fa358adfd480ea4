"""The sweeper: work that stalled in a working state is handed to the intake again, without an operator.

Every ``SWEEPER_INTERVAL_S`` the daemon looks for

- products in a working state (PENDING, VALIDATED, UPLOADING, REGISTERING, UNKNOWN, RETRYING,
  UPDATING) unchanged for ``SWEEPER_STALE_AFTER_S``, or past their retry time by that much;
- intake jobs confirmed that long ago (within ``SWEEPER_LOOKBACK_S``) whose item never got a
  product row (the message was lost before the sync's first write);

and skips every item that has an in-flight marker: a marker means a message holds the item
(queued, delayed for a retry, or running and renewing it; ``storebridge.intake.inflight``), and
a running marker outlives its worker by at most ``INFLIGHT_TTL_S``. Each remaining item gets a
fresh intake entry (reason ``sweep``), one log line ``daemon.sweeper.redriven`` naming it, and
goes through the intake like any other: the consumer takes the marker (or coalesces the entry if
one appeared meanwhile), and the sync resumes the item from its state (the state machine and the
reconciliation make a re-run safe: an item in REGISTERING/UNKNOWN is searched for on Naver
before anything is created again).

Re-driven items go to the ``batch`` queue: a recovery must not take the interactive capacity.

Why the bound can be short (60 s by default, so lost work is back within about a minute): it is
not what keeps live work from being re-driven, the markers are. A queued message's marker lives
``INFLIGHT_QUEUED_TTL_S``, a delayed retry's the wait plus one run, a running one is renewed every
third of ``INFLIGHT_TTL_S``. The one window without a marker is right after Redis lost its data: a
live sync gets its marker back at its next renewal, and a re-drive may start a second sync of the
item meanwhile. That costs work, never a second product: every transition is compare-and-set, so
only one sync enters REGISTERING, and a REGISTERING row is left alone for ``REGISTERING_STALE_S``,
then searched for by seller code before anything is created again
(``tests/workers/test_sweeper_races.py``).

Each pass also deletes intake jobs older than ``SWEEPER_LOOKBACK_S`` (``prune``, at most
``PRUNE_BATCH_ROWS`` a pass): the search above no longer reads them and their stream entries were
acknowledged long ago (``storebridge.store.intake_jobs``); nothing else prunes the table. Both
queries read ``intake_jobs`` through its ``enqueued_at`` index (migration 0004).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from redis.asyncio import Redis

from schemas.messages import IntakeEntry, Market
from storebridge.config import Settings
from storebridge.intake import enqueue_entries, redis_time_ms
from storebridge.keys import Keys
from storebridge.metrics.definitions import METRICS
from storebridge.store import State, StateStore

log = logging.getLogger(__name__)

#: States in which a product is being worked on (a message should be holding it).
WORKING_STATES = (
    State.PENDING,
    State.VALIDATED,
    State.UPLOADING,
    State.REGISTERING,
    State.UNKNOWN,
    State.RETRYING,
    State.UPDATING,
)
#: Queue and reason of a re-drive entry.
REDRIVE_QUEUE, REDRIVE_REASON = "batch", "sweep"


@dataclass(frozen=True)
class Stalled:
    """One item to re-drive and why (its state, or ``NO_ROW``)."""

    market: Market
    item_no: int
    state: str


#: ``Stalled.state`` of an intake job whose item never got a product row.
NO_ROW = "NO_ROW"


class Sweeper:
    """Find stalled items and put them back on the intake stream (see the module docstring)."""

    def __init__(self, redis: Redis, keys: Keys, store: StateStore, settings: Settings) -> None:
        self.redis, self.keys, self.store, self.settings = redis, keys, store, settings
        #: Items re-driven and intake jobs pruned since the start, and passes that failed (logged,
        #: retried next interval).
        self.redriven = self.pruned = self.failures = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep every ``SWEEPER_INTERVAL_S`` until ``stop``; never dies on an error (logs it)."""
        interval_s = self.settings.sweeper_interval_s
        if interval_s <= 0:
            return
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)
            if stop.is_set():
                return
            try:
                await self.sweep()
                await self.prune()
            except Exception as exc:  # PostgreSQL or Redis away: the next interval tries again
                self.failures += 1
                log.warning("daemon.sweeper.failed", extra={"error": f"{type(exc).__name__}: {exc}"[:500]})

    async def find(self) -> list[Stalled]:
        """Stalled items without an in-flight marker, at most ``SWEEPER_BATCH_LIMIT``."""
        settings, limit = self.settings, self.settings.sweeper_batch_limit
        rows = await self.store.list_stalled(
            WORKING_STATES, stale_after_s=settings.sweeper_stale_after_s, limit=limit
        )
        found = [Stalled(_market(r.market), r.item_no, r.state.value) for r in rows]
        rowless = await self.store.list_rowless_jobs(
            stale_after_s=settings.sweeper_stale_after_s, lookback_s=settings.sweeper_lookback_s, limit=limit
        )
        found += [Stalled(_market(market), no, NO_ROW) for market, no, _queue in rowless]
        found = list({(s.market, s.item_no): s for s in found}.values())[:limit]
        if not found:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for s in found:
                pipe.exists(self.keys.inflight(s.market, s.item_no))
            held = await pipe.execute()
        return [s for s, h in zip(found, held, strict=True) if not h]

    async def sweep(self) -> int:
        """One pass: re-drive what ``find`` returns; returns how many items."""
        stalled = await self.find()
        if not stalled:
            return 0
        now_ms = await redis_time_ms(self.redis)
        entries = [
            IntakeEntry(
                item_no=s.item_no,
                market=s.market,
                queue=REDRIVE_QUEUE,
                reason=REDRIVE_REASON,
                enqueued_at_ms=now_ms,
            )
            for s in stalled
        ]
        await enqueue_entries(self.redis, self.keys, entries)
        self.redriven += len(entries)
        for s in stalled:
            METRICS.sweeper_redriven.labels(state=s.state).inc()
            log.warning(
                "daemon.sweeper.redriven",
                extra={"item_no": s.item_no, "market": s.market, "state": s.state, "queue": REDRIVE_QUEUE},
            )
        return len(entries)

    async def prune(self) -> int:
        """Delete one batch of intake jobs older than ``SWEEPER_LOOKBACK_S``; returns how many."""
        pruned = await self.store.prune_intake_jobs(older_than_s=self.settings.sweeper_lookback_s)
        self.pruned += pruned
        return pruned


def _market(value: str) -> Market:
    if value not in ("dome", "supply"):
        raise ValueError(f"unknown market {value!r}")
    return "dome" if value == "dome" else "supply"
