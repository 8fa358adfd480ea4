"""The intake daemon's loop: intake stream (Redis) → in-flight check → ``SyncBatch`` → queue (Dramatiq).

At-least-once, and never losing an entry, in this order per entry:

1. parse (``IntakeEntry.from_fields``, which bounds every field); a malformed entry is copied to the
   dead-letter stream, then acked;
2. record the job (``StateStore.record_intake_job``, keyed by the entry id); False = it was handed
   off and confirmed before (a redelivery after a crash between send and ack): ack, nothing else.
   An entry the database refuses as data (``is_poison``: a value out of range, a failed check) is
   dead-lettered alone and its neighbours go on; an outage (``storebridge.errors``) fails the step;
3. mark the item in flight (``storebridge.intake.inflight``); already in flight → ack and count it as
   coalesced (the running sync fetches the latest source anyway);
4. group by (market, queue, reason) into batches of ≤ ``batch_size``, ``await sender(batch)``;
5. only after the sender returned: confirm the jobs, then ``XACK``. A sender error releases the
   markers of what was not sent and acks none of it: the entries stay pending, and the next steps
   retry them from memory (reading nothing new meanwhile) until the sender works again.

Entries also come back through ``XAUTOCLAIM`` once idle for ``claim_idle_ms`` (a dead consumer's)
or, after a restart under the same consumer name, through the replay of our own pending list (id
``0``). Either way the previous holder is gone, so the job lease in PostgreSQL is not waited for
(``reclaim_after_s=0``): the stream's idle time *is* the lease, and ``record_intake_job`` returning
False then strictly means "already confirmed". An entry delivered more than ``max_deliveries``
times is dead-lettered and acked.

Poison is isolated: one bad entry never fails, repeats or delays the read it arrived in. A
dead letter keeps a bounded copy of what was sent (``intake.dead_letter``).

The stream is trimmed only below what the group has acknowledged (``trim_acknowledged``), never by
length, because length trimming deletes entries nobody has processed yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from schemas.messages import IntakeEntry, StreamFields, SyncBatch
from storebridge.intake.dead_letter import MAX_ERROR_CHARS, dead_letter, is_poison
from storebridge.intake.inflight import acquire_owned, release, release_owned
from storebridge.intake.producer import redis_time_ms
from storebridge.intake.trim import trim_acknowledged
from storebridge.keys import Keys, reply_text
from storebridge.store import StateStore

log = logging.getLogger(__name__)

Sender = Callable[[SyncBatch], Awaitable[None]]
Fields = StreamFields
Pair = tuple[str, IntakeEntry]  # (stream entry id, parsed entry)

#: ``trim_acknowledged`` runs every this many steps.
TRIM_EVERY_STEPS = 100
#: Entries read per step, as a multiple of ``batch_size`` (several batches per round trip).
READ_BATCHES_PER_STEP = 4
#: After a failed step the loop waits this long, doubling up to the maximum (seconds).
BACKOFF_MIN_S, BACKOFF_MAX_S = 0.1, 5.0
#: Longest gap between two ``XAUTOCLAIM`` sweeps, in seconds (otherwise half of ``claim_idle_ms``).
CLAIM_SWEEP_MAX_INTERVAL_S = 30.0


class HandoffFailed(Exception):
    """The sender raised: the batch's entries were not acknowledged and will be delivered again."""


async def _all(calls: Iterable[Coroutine[Any, Any, Any]]) -> list[Any]:
    """Run store calls concurrently (the pool bounds them); all finish, then the first error is raised."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


class IntakeConsumer:
    """One consumer of the intake group; several daemons (distinct ``consumer`` names) share the work."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        store: StateStore,
        sender: Sender,
        *,
        consumer: str,
        batch_size: int = 50,
        block_ms: int = 1000,
        claim_idle_ms: int = 60000,
        max_deliveries: int = 5,
        inflight_ttl_s: float = 3600,
        linger_ms: int = 200,
    ) -> None:
        if not 1 <= batch_size <= 100:
            raise ValueError(f"batch_size must be 1..100, got {batch_size}")
        if max_deliveries < 1 or claim_idle_ms < 1 or block_ms < 0 or inflight_ttl_s <= 0:
            raise ValueError("max_deliveries, claim_idle_ms and inflight_ttl_s must be positive")
        self.redis, self.keys, self.store, self.sender = redis, keys, store, sender
        self.consumer = consumer
        self.batch_size, self.block_ms, self.claim_idle_ms = batch_size, block_ms, claim_idle_ms
        self.max_deliveries, self.inflight_ttl_s = max_deliveries, inflight_ttl_s
        #: After a read that returned a partial batch, wait this long (ms) for the rest of a burst.
        self.linger_ms = linger_ms
        #: Metrics: items sent in batches, entries dropped as duplicates of in-flight items,
        #: entries dead-lettered, batches sent, sender failures, entries taken over by XAUTOCLAIM.
        self.handed_off = self.coalesced = self.dead_lettered = 0
        self.batches_sent = self.send_failures = self.reclaimed = 0
        #: Age of the oldest entry handed off in the last step (Redis clock), 0 when it handed off none.
        self.last_lag_s = 0.0
        self._replay_cursor: str | None = "0"  # own pending entries first, then new ones
        self._claim_cursor = "0-0"
        self._next_sweep_at = 0.0  # monotonic
        self._steps = 0
        self._oldest_ms: int | None = None
        self._unsent: dict[str, IntakeEntry] = {}  # entries of batches the sender refused, to retry

    # -- loop ----------------------------------------------------------------------------------------
    async def ensure_group(self) -> None:
        """Create the stream and the group (from the stream's start: entries enqueued before the
        first daemon ever ran are delivered too); an existing group is left as it is."""
        stream, group = self.keys.intake_stream, self.keys.intake_group
        try:
            await self.redis.xgroup_create(stream, group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run(self, stop: asyncio.Event) -> None:
        """Step until ``stop`` is set; the hand-off in progress always finishes first.

        Never dies on a bad entry (dead-lettered) or on a Redis, PostgreSQL or sender error: logs it
        and backs off (``BACKOFF_MIN_S`` doubling to ``BACKOFF_MAX_S``); a vanished group is re-created.
        """
        backoff_s = BACKOFF_MIN_S
        group_ready = False
        while not stop.is_set():
            try:
                if not group_ready:
                    await self.ensure_group()
                    group_ready = True
                await self.step()
                backoff_s = BACKOFF_MIN_S
            except Exception as exc:
                group_ready = group_ready and "NOGROUP" not in str(exc)
                error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
                extra = {"consumer": self.consumer, "error": error, "retry_in_s": backoff_s}
                log.warning("intake.step.failed", extra=extra)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), backoff_s)
                backoff_s = min(backoff_s * 2, BACKOFF_MAX_S)

    async def step(self) -> int:
        """One cycle; returns how many entries it handled (handed off, coalesced, skipped or dead-lettered).

        Retries what the sender refused last time, and nothing else, until it is accepted. Otherwise
        first the replay of this consumer's own pending entries, page by page; then, when due, one
        ``XAUTOCLAIM`` sweep page; then new entries (blocking up to ``block_ms`` only if nothing else
        came). Raises ``HandoffFailed`` if the sender failed (after releasing the unsent markers).
        """
        self._oldest_ms = None
        handled = await self._cycle()
        self.last_lag_s = 0.0
        if self._oldest_ms is not None:
            self.last_lag_s = max(0.0, (await redis_time_ms(self.redis) - self._oldest_ms) / 1000)
        self._steps += 1
        if self._steps % TRIM_EVERY_STEPS == 0:
            await self.trim_acknowledged()
        return handled

    async def _cycle(self) -> int:
        if self._unsent:  # the sender failed last time: retry that, and read nothing new meanwhile
            pairs, self._unsent = list(self._unsent.items()), {}
            try:
                await self._dispatch(pairs)
            except HandoffFailed:
                raise  # the unsent part is kept again
            except Exception:
                self._unsent.update(pairs)  # a store or Redis error: all of it again (replays are harmless)
                raise
            return len(pairs)
        count = self.batch_size * READ_BATCHES_PER_STEP
        if self._replay_cursor is not None:
            entries = await self._read(self._replay_cursor, count, None)
            if entries:
                self._replay_cursor = entries[-1][0]
                return await self._handle(entries, fresh=False)
            self._replay_cursor = None
        handled = 0
        if time.monotonic() >= self._next_sweep_at:
            handled += await self._sweep(count)
        block_ms = self.block_ms if self.block_ms > 0 and not handled else None  # BLOCK 0 = forever
        entries = await self._read(">", count, block_ms)
        if 0 < len(entries) < self.batch_size and self.linger_ms > 0:
            # A blocking read returns on the first XADD of a burst; lingering a moment lets the rest
            # of the burst in, so the first message is a full batch (one getItemView for 50 items,
            # not one for the first item and another for the other 49).
            await asyncio.sleep(self.linger_ms / 1000)
            entries += await self._read(">", count - len(entries), None)
        return handled + await self._handle(entries, fresh=True)

    async def _read(self, cursor: str, count: int, block_ms: int | None) -> list[tuple[str, Fields]]:
        stream, group = self.keys.intake_stream, self.keys.intake_group
        reply = await self.redis.xreadgroup(
            group, self.consumer, {stream: cursor}, count=count, block=block_ms
        )
        streams: Iterable[Any] = reply.values() if isinstance(reply, dict) else (s[1] for s in reply or ())
        return [(reply_text(entry_id), fields or {}) for stream in streams for entry_id, fields in stream]

    async def _sweep(self, count: int) -> int:
        """One ``XAUTOCLAIM`` page of entries idle longer than ``claim_idle_ms`` (anyone's, ours too)."""
        stream, group, start = self.keys.intake_stream, self.keys.intake_group, self._claim_cursor
        reply = await self.redis.xautoclaim(
            stream, group, self.consumer, self.claim_idle_ms, start, count=count
        )
        self._claim_cursor = reply_text(reply[0])
        if self._claim_cursor == "0-0":  # the whole pending list was scanned: rest until the next sweep
            interval_s = min(self.claim_idle_ms / 2000, CLAIM_SWEEP_MAX_INTERVAL_S)
            self._next_sweep_at = time.monotonic() + interval_s
        for deleted in reply[2] if len(reply) > 2 else ():
            log.warning(
                "intake.entry.vanished", extra={"entry_id": reply_text(deleted), "consumer": self.consumer}
            )
        claimed = [(reply_text(entry_id), fields or {}) for entry_id, fields in reply[1]]
        if claimed:
            self.reclaimed += len(claimed)
            log.info("intake.entries.reclaimed", extra={"count": len(claimed), "consumer": self.consumer})
        return await self._handle(claimed, fresh=False)

    # -- hand-off ------------------------------------------------------------------------------------
    async def _handle(self, entries: Sequence[tuple[str, Fields]], *, fresh: bool) -> int:
        """Step 1 (parse, dead-letter) for delivered entries, then ``_dispatch``; returns how many."""
        if not entries:
            return 0
        deliveries = dict.fromkeys((e for e, _ in entries), 1) if fresh else await self._deliveries(entries)
        parsed: list[Pair] = []
        for entry_id, fields in entries:
            if not fields:  # trimmed or deleted while pending: nothing left to do
                log.warning("intake.entry.vanished", extra={"entry_id": entry_id, "consumer": self.consumer})
                await self.redis.xack(self.keys.intake_stream, self.keys.intake_group, entry_id)
                continue
            try:
                entry = IntakeEntry.from_fields(fields)
            except ValueError as exc:
                await self._dead_letter(entry_id, fields, str(exc), deliveries[entry_id])
                continue
            if deliveries[entry_id] > self.max_deliveries:
                await self._dead_letter(entry_id, fields, "delivered too often", deliveries[entry_id])
                await release_owned(self.redis, self.keys, entry.market, [entry.item_no], entry_id)
                continue
            parsed.append((entry_id, entry))
        await self._dispatch(parsed, deliveries)
        return len(entries)

    async def _dispatch(self, parsed: Sequence[Pair], deliveries: Mapping[str, int] | None = None) -> None:
        """Steps 2-5: record the jobs, mark the items in flight, send the batches, confirm and ack."""
        parsed, recorded = await self._record_all(parsed, deliveries or {})
        if done := [entry_id for (entry_id, _), new in zip(parsed, recorded, strict=True) if not new]:
            extra = {"count": len(done), "consumer": self.consumer}
            log.info("intake.entries.already_handed_off", extra=extra)
            await self.redis.xack(self.keys.intake_stream, self.keys.intake_group, *done)
        todo = [pair for pair, new in zip(parsed, recorded, strict=True) if new]
        claims = [(e.market, e.item_no, entry_id) for entry_id, e in todo]
        held = await acquire_owned(self.redis, self.keys, claims, ttl_s=self.inflight_ttl_s)
        busy = [pair for pair, ok in zip(todo, held, strict=True) if not ok]
        if busy:
            for entry_id, e in busy:
                extra = {"entry_id": entry_id, "item_no": e.item_no, "market": e.market, "queue": e.queue}
                log.info("intake.entry.coalesced", extra=extra)
            await self._confirm([entry_id for entry_id, _ in busy])
            self.coalesced += len(busy)
        await self._send_all(self._batches([pair for pair, ok in zip(todo, held, strict=True) if ok]))

    async def _record_all(
        self, parsed: Sequence[Pair], deliveries: Mapping[str, int]
    ) -> tuple[list[Pair], list[bool]]:
        """Record every job; dead-letter each poison entry alone; returns the rest with their results.

        An outage (any error that is not ``is_poison``) is raised before anything is dead-lettered,
        so the whole step is retried and no entry is blamed for a service being down.
        """
        results = await asyncio.gather(*(self._record(i, e) for i, e in parsed), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not is_poison(result):
                raise result
        kept: list[Pair] = []
        recorded: list[bool] = []
        for (entry_id, e), result in zip(parsed, results, strict=True):
            if isinstance(result, BaseException):
                error = f"refused by the store: {type(result).__name__}: {result}"
                await self._dead_letter(entry_id, e.to_fields(), error, deliveries.get(entry_id, 1))
                continue
            kept.append((entry_id, e))
            recorded.append(bool(result))
        return kept, recorded

    async def _record(self, entry_id: str, e: IntakeEntry) -> bool:
        # reclaim_after_s=0: see the module docstring (the stream's idle time is the lease).
        return await self.store.record_intake_job(
            entry_id, queue=e.queue, reason=e.reason, market=e.market, item_no=e.item_no, reclaim_after_s=0.0
        )

    def _batches(self, pairs: Sequence[Pair]) -> list[tuple[SyncBatch, list[Pair]]]:
        groups: dict[tuple[str, str, str], list[Pair]] = {}
        for entry_id, e in pairs:
            groups.setdefault((e.market, e.queue, e.reason), []).append((entry_id, e))
        batches: list[tuple[SyncBatch, list[Pair]]] = []
        for members in groups.values():
            for start in range(0, len(members), self.batch_size):
                chunk = members[start : start + self.batch_size]
                first = chunk[0][1]
                batch = SyncBatch(
                    market=first.market,
                    queue=first.queue,
                    reason=first.reason,
                    item_nos=[e.item_no for _, e in chunk],
                    entry_ids=[entry_id for entry_id, _ in chunk],
                    enqueued_at_ms=min(e.enqueued_at_ms for _, e in chunk),
                )
                batches.append((batch, chunk))
        return batches

    async def _send_all(self, batches: Sequence[tuple[SyncBatch, list[Pair]]]) -> None:
        """Send in order; on the first failure release the markers of what is left and keep it to retry.

        The kept entries stay pending (not acked) and are re-sent by the next step from memory, so a
        broker hiccup neither burns delivery counts nor pulls more entries into the pending list; if
        this process dies instead, the replay or another daemon's XAUTOCLAIM takes them.
        """
        for index, (batch, _pairs) in enumerate(batches):
            try:
                await self.sender(batch)
            except Exception as exc:
                self.send_failures += 1
                unsent = batches[index:]
                for b, b_pairs in unsent:
                    await release(self.redis, self.keys, b.market, b.item_nos)
                    self._unsent.update(b_pairs)
                error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
                extra = {"consumer": self.consumer, "batches": len(unsent), "queue": batch.queue}
                log.warning("intake.send.failed", extra={**extra, "error": error})
                raise HandoffFailed(f"sender failed: {type(exc).__name__}: {exc}") from exc
            await self._confirm(batch.entry_ids)
            self.handed_off += len(batch.item_nos)
            self.batches_sent += 1
            oldest = batch.enqueued_at_ms
            self._oldest_ms = oldest if self._oldest_ms is None else min(self._oldest_ms, oldest)
            extra = {"queue": batch.queue, "reason": batch.reason, "market": batch.market}
            log.info("intake.batch.sent", extra={**extra, "items": len(batch.item_nos)})

    async def _confirm(self, entry_ids: Sequence[str]) -> None:
        """The job is in the queue (or merged into one that is): never hand it off again; then ack."""
        await _all(self.store.mark_intake_job_enqueued(entry_id) for entry_id in entry_ids)
        await self.redis.xack(self.keys.intake_stream, self.keys.intake_group, *entry_ids)

    async def _deliveries(self, entries: Sequence[tuple[str, Fields]]) -> dict[str, int]:
        """Delivery counts from the pending list (XREADGROUP and XAUTOCLAIM do not return them)."""
        stream, group = self.keys.intake_stream, self.keys.intake_group
        async with self.redis.pipeline(transaction=False) as pipe:
            for entry_id, _ in entries:
                pipe.xpending_range(stream, group, min=entry_id, max=entry_id, count=1)
            replies = await pipe.execute()
        return {
            entry_id: int(reply[0]["times_delivered"]) if reply else 1
            for (entry_id, _), reply in zip(entries, replies, strict=True)
        }

    async def _dead_letter(self, entry_id: str, fields: Fields, error: str, deliveries: int) -> None:
        where = (self.redis, self.keys, entry_id, fields)
        await dead_letter(*where, error=error, deliveries=deliveries, consumer=self.consumer)
        self.dead_lettered += 1

    # -- housekeeping --------------------------------------------------------------------------------
    async def trim_acknowledged(self) -> int:
        """Delete the entries every group has acknowledged (``intake.trim``); returns how many."""
        return await trim_acknowledged(self.redis, self.keys)
