"""Intake jobs: the record of each stream → queue hand-off, so an intake entry is enqueued once."""

from __future__ import annotations

from storebridge.store.db import PoolHolder

#: How long a recorded but unconfirmed intake job belongs to whoever recorded it, in seconds
#: (longer than a hand-off takes; shorter than the stream's redelivery idle time).
INTAKE_RECLAIM_AFTER_S = 60.0

# A new key is inserted; a known key is taken over only when it was never confirmed and its
# holder's lease ($6 seconds) has run out. RETURNING yields a row exactly when the caller won.
_RECORD_SQL = """
INSERT INTO intake_jobs AS j (job_key, queue, reason, market, item_no)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (job_key) DO UPDATE SET handoffs = j.handoffs + 1, claimed_at = now(), queue = EXCLUDED.queue
WHERE j.enqueued_at IS NULL AND j.claimed_at <= now() - make_interval(secs => $6)
RETURNING 1
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
