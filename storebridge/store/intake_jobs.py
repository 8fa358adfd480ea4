"""Intake jobs: the record of each stream → queue hand-off, so an intake entry is enqueued once.

A job is read while its stream entry can still be delivered again (minutes after its hand-off:
``INTAKE_CLAIM_IDLE_S``, or a daemon's restart) and by the sweeper's search for items that never
got a product row (``SWEEPER_LOOKBACK_S``, a day). The sweeper deletes older ones
(``prune_intake_jobs``); an entry delivered again after its job was deleted (a daemon down for
longer than that) is handed off a second time, which the in-flight markers and the idempotent
sync absorb.
"""

from __future__ import annotations

from storebridge.store.db import PoolHolder

#: How long a recorded but unconfirmed intake job belongs to whoever recorded it, in seconds
#: (longer than a hand-off takes; shorter than the stream's redelivery idle time).
INTAKE_RECLAIM_AFTER_S = 60.0
#: Most intake jobs one ``prune_intake_jobs`` call deletes: short statements, even on the first
#: pass over a table that was never pruned (every sweeper pass deletes another batch).
PRUNE_BATCH_ROWS = 10_000

# A new key is inserted; a known key is taken over only when it was never confirmed and its
# holder's lease ($6 seconds) has run out. RETURNING yields a row exactly when the caller won.
_RECORD_SQL = """
INSERT INTO intake_jobs AS j (job_key, queue, reason, market, item_no)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (job_key) DO UPDATE SET handoffs = j.handoffs + 1, claimed_at = now(), queue = EXCLUDED.queue
WHERE j.enqueued_at IS NULL AND j.claimed_at <= now() - make_interval(secs => $6)
RETURNING 1
"""

# Confirmed ($1 seconds ago or earlier), or never confirmed and last handed off that long ago.
# Both branches read intake_jobs_enqueued_at_idx (migration 0004).
_PRUNE_SQL = """
DELETE FROM intake_jobs
WHERE job_key IN (
    SELECT job_key FROM intake_jobs
    WHERE enqueued_at < now() - make_interval(secs => $1)
       OR (enqueued_at IS NULL AND claimed_at < now() - make_interval(secs => $1))
    LIMIT $2
)
"""


class IntakeJobs(PoolHolder):
    """The intake-jobs part of ``StateStore``: exactly-once hand-off of stream entries to Dramatiq."""

    async def record_intake_job(
        self,
        job_key: str,
        *,
        queue: str,
        reason: str | None = None,
        market: str | None = None,
        item_no: int | None = None,
        reclaim_after_s: float = INTAKE_RECLAIM_AFTER_S,
    ) -> bool:
        """Record a stream → queue hand-off; True if the caller must enqueue the job now.

        True for a new job key (exactly one of any number of concurrent callers). Also True for a
        known key that was never confirmed with ``mark_intake_job_enqueued`` and was last handed
        off more than ``reclaim_after_s`` ago: its holder crashed between recording and
        enqueueing, and handing it off again risks a duplicate message (idempotent actors absorb
        it) where refusing would lose the item. False otherwise.
        """
        record = await self._require_pool().fetchrow(
            _RECORD_SQL, job_key, queue, reason, market, item_no, reclaim_after_s
        )
        return record is not None

    async def mark_intake_job_enqueued(self, job_key: str) -> None:
        """Confirm the queue accepted the job's message; later redeliveries of it are skipped."""
        await self._require_pool().execute(
            "UPDATE intake_jobs SET enqueued_at = coalesce(enqueued_at, now()) WHERE job_key = $1", job_key
        )

    async def prune_intake_jobs(self, *, older_than_s: float, limit: int = PRUNE_BATCH_ROWS) -> int:
        """Delete at most ``limit`` jobs confirmed more than ``older_than_s`` seconds ago (or never
        confirmed and last handed off that long ago); returns how many were deleted."""
        status = await self._require_pool().execute(_PRUNE_SQL, float(older_than_s), limit)
        return int(status.rsplit(" ", 1)[-1])  # "DELETE <n>"
