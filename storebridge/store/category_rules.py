"""The listing-rule tables: the Domeggook → Naver category map and the banned words.

Operators edit both without a deploy; ``storebridge.listing_rules`` turns them into the
transform's ``TransformRules``. Loads are upserts in one transaction that report how many rows
actually changed, so re-loading the same file is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from storebridge.store.db import PoolHolder, translated_errors
from storebridge.store.types import BannedWord, BannedWordSpec, CategoryMapping, CategoryMappingSpec

#: Category-map sources ``load_category_map`` accepts.
CATEGORY_SOURCES = frozenset({"manual", "auto", "file"})

_SELECT_CATEGORIES = (
    "SELECT domeggook_code, naver_leaf_category_id, required_attributes, default_attributes, confidence, "
    "source, is_active, usage_count, success_count, version, updated_at FROM category_map"
)
_SELECT_BANNED = (
    "SELECT id, word, is_regex, kind, replacement, category, severity, source, is_active FROM banned_words"
)

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


class CategoryRules(PoolHolder):
    """The category-map and banned-word part of ``StateStore``."""

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
        return await self._upsert_all(_LOAD_CATEGORY_SQL, args)

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
        return await self._upsert_all(_LOAD_BANNED_SQL, args)

    async def _upsert_all(self, sql: str, args: Sequence[tuple[object, ...]]) -> int:
        """Run one upsert per row in one transaction; the count of rows it inserted or changed."""
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
