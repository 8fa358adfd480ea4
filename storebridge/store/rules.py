"""The non-product tables of the state store: image cache, category map, banned words, intake jobs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import asyncpg

from storebridge.store.db import PoolHolder, translated_errors
from storebridge.store.types import BannedWord, BannedWordSpec, CategoryMapping, CategoryMappingSpec, ImageRow

_IMAGE_COLUMNS = "sha256, s3_key, naver_url, width, height, size_bytes, created_at"
_SELECT_IMAGE = "SELECT sha256, s3_key, naver_url, width, height, size_bytes, created_at FROM images"
_SELECT_CATEGORIES = (
    "SELECT domeggook_code, naver_leaf_category_id, required_attributes, default_attributes, confidence, "
    "source, is_active, usage_count, success_count, version, updated_at FROM category_map"
)
_SELECT_BANNED = (
    "SELECT id, word, is_regex, kind, replacement, category, severity, source, is_active FROM banned_words"
)

# First writer wins: a conflicting insert changes nothing, except that a NULL Naver URL is filled
# in by the first writer that has one (uploading is a later step than storing in S3).
_PUT_IMAGE_SQL = f"""
INSERT INTO images AS i (sha256, s3_key, naver_url, width, height, size_bytes)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (sha256) DO UPDATE SET naver_url = coalesce(i.naver_url, EXCLUDED.naver_url)
RETURNING {_IMAGE_COLUMNS}
"""  # noqa: S608 - a constant column list, values are $n parameters

# A manual mapping is never overwritten by an automatic or file load; an unchanged row is not
# touched (its version stays).
_LOAD_CATEGORY_SQL = """
INSERT INTO category_map AS c
    (domeggook_code, naver_leaf_category_id, required_attributes, default_attributes, confidence, source,
     is_active)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (domeggook_code) DO UPDATE SET
    naver_leaf_category_id = EXCLUDED.naver_leaf_category_id,
    required_attributes = EXCLUDED.required_attributes,
    default_attributes = EXCLUDED.default_attributes,
    confidence = EXCLUDED.confidence,
    source = EXCLUDED.source,
    is_active = EXCLUDED.is_active,
    version = c.version + 1,
    updated_at = now()
WHERE (c.source <> 'manual' OR EXCLUDED.source = 'manual')
  AND (c.naver_leaf_category_id, c.required_attributes, c.default_attributes, c.confidence, c.source,
       c.is_active)
      IS DISTINCT FROM
      (EXCLUDED.naver_leaf_category_id, EXCLUDED.required_attributes, EXCLUDED.default_attributes,
       EXCLUDED.confidence, EXCLUDED.source, EXCLUDED.is_active)
"""

_LOAD_BANNED_SQL = """
INSERT INTO banned_words AS b (word, is_regex, kind, replacement, category, severity, source, is_active)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (word, is_regex) DO UPDATE SET
    kind = EXCLUDED.kind, replacement = EXCLUDED.replacement, category = EXCLUDED.category,
    severity = EXCLUDED.severity, source = EXCLUDED.source, is_active = EXCLUDED.is_active,
    updated_at = now()
"""

#: How long a recorded but unconfirmed intake job belongs to whoever recorded it, in seconds
#: (longer than a hand-off takes; shorter than the stream's redelivery idle time).
INTAKE_RECLAIM_AFTER_S = 60.0
#: Category-map sources ``load_category_map`` accepts.
CATEGORY_SOURCES = frozenset({"manual", "auto", "file"})


def _image(record: asyncpg.Record) -> ImageRow:
    return ImageRow(**dict(record.items()))


class RuleStore(PoolHolder):
    """The rules-and-caches half of ``StateStore``."""

    # -- images --------------------------------------------------------------------------------------
    async def get_image(self, sha256: str) -> ImageRow | None:
        """The cached image with this content hash, or None (then download, store and upload it)."""
        record = await self._require_pool().fetchrow(_SELECT_IMAGE + " WHERE sha256 = $1", sha256)
        return _image(record) if record is not None else None

    async def put_image(
        self,
        sha256: str,
        *,
        s3_key: str,
        width: int,
        height: int,
        size_bytes: int,
        naver_url: str | None = None,
    ) -> ImageRow:
        """Record an image; returns the row as stored, which is the *first* writer's when two race.

        Callers must use the returned ``naver_url`` (not their own), so every product points at one
        Naver upload per content hash. A stored NULL ``naver_url`` is filled by the first writer
        that has one. ``sha256`` is 64 lowercase hex digits (else ``InvariantViolation``).
        """
        with translated_errors():
            record = await self._require_pool().fetchrow(
                _PUT_IMAGE_SQL, sha256, s3_key, naver_url, width, height, size_bytes
            )
        assert record is not None  # ON CONFLICT DO UPDATE always returns the row
        return _image(record)

    # -- category map --------------------------------------------------------------------------------
    async def category_map(self, *, include_inactive: bool = False) -> dict[str, CategoryMapping]:
        """Domeggook category code → mapping (active ones unless asked). Unmapped = not in the dict."""
        records = await self._require_pool().fetch(
            _SELECT_CATEGORIES + " WHERE is_active OR $1 ORDER BY domeggook_code",
            include_inactive,
        )
        return {r["domeggook_code"]: CategoryMapping(**dict(r.items())) for r in records} if records else {}

    async def load_category_map(self, rows: Iterable[CategoryMappingSpec], source: str) -> int:
        """Upsert mappings in one transaction; returns how many rows were inserted or changed.

        ``source`` is ``manual``, ``auto`` or ``file``. A manual mapping is only replaced by another
        manual one (a reviewer's decision beats the auto-mapper). Changed rows get ``version + 1``.
        """
        if source not in CATEGORY_SOURCES:
            raise ValueError(f"source must be one of {sorted(CATEGORY_SOURCES)}, not {source!r}")
        args = [
            (
                r.domeggook_code,
                r.naver_leaf_category_id,
                r.required_attributes,
                r.default_attributes,
                r.confidence,
                source,
                r.is_active,
            )
            for r in rows
        ]
        return await self._load(_LOAD_CATEGORY_SQL, args)

    async def count_category_use(self, domeggook_code: str, *, success: bool) -> None:
        """Count one use of a mapping (and whether the product it mapped was accepted by Naver)."""
        await self._require_pool().execute(
            "UPDATE category_map SET usage_count = usage_count + 1, "
            "success_count = success_count + CASE WHEN $2 THEN 1 ELSE 0 END WHERE domeggook_code = $1",
            domeggook_code,
            success,
        )

    # -- banned words --------------------------------------------------------------------------------
    async def banned_words(self, *, include_inactive: bool = False) -> list[BannedWord]:
        """The banned-word rules (active ones unless asked), in insertion order."""
        records = await self._require_pool().fetch(
            _SELECT_BANNED + " WHERE is_active OR $1 ORDER BY id",
            include_inactive,
        )
        return [BannedWord(**dict(r.items())) for r in records]

    async def load_banned_words(self, rows: Iterable[BannedWordSpec]) -> int:
        """Upsert rules keyed by (word, is_regex) in one transaction; returns how many were written."""
        args = [
            (r.word, r.is_regex, r.kind, r.replacement, r.category, r.severity, r.source, r.is_active)
            for r in rows
        ]
        return await self._load(_LOAD_BANNED_SQL, args)

    async def _load(self, sql: str, args: Sequence[tuple[object, ...]]) -> int:
        if not args:
            return 0
        changed = 0
        async with self._require_pool().acquire() as conn, conn.transaction():
            statement = await conn.prepare(sql)
            with translated_errors():
                for row in args:
                    await statement.fetch(*row)
                    changed += 1 if (statement.get_statusmsg() or "").endswith(" 1") else 0
        return changed

    # -- intake jobs ---------------------------------------------------------------------------------
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
            "INSERT INTO intake_jobs AS j (job_key, queue, reason, market, item_no) "
            "VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (job_key) DO UPDATE SET handoffs = j.handoffs + 1, claimed_at = now(), "
            "queue = EXCLUDED.queue "
            "WHERE j.enqueued_at IS NULL AND j.claimed_at <= now() - make_interval(secs => $6) "
            "RETURNING 1",
            job_key,
            queue,
            reason,
            market,
            item_no,
            reclaim_after_s,
        )
        return record is not None

    async def mark_intake_job_enqueued(self, job_key: str) -> None:
        """Confirm the queue accepted the job's message; later redeliveries of it are skipped."""
        await self._require_pool().execute(
            "UPDATE intake_jobs SET enqueued_at = coalesce(enqueued_at, now()) WHERE job_key = $1", job_key
        )
