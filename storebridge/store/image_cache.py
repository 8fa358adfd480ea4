"""The image cache: one row per image content hash, so each image is stored and uploaded once."""

from __future__ import annotations

import asyncpg

from storebridge.store.db import PoolHolder, translated_errors
from storebridge.store.types import ImageRow

_IMAGE_COLUMNS = "sha256, s3_key, naver_url, width, height, size_bytes, created_at"
_SELECT_IMAGE = f"SELECT {_IMAGE_COLUMNS} FROM images"  # noqa: S608 - a constant column list

# First writer wins: a conflicting insert changes nothing, except that a NULL Naver URL is filled
# in by the first writer that has one (uploading is a later step than storing in S3).
_PUT_IMAGE_SQL = f"""
INSERT INTO images AS i (sha256, s3_key, naver_url, width, height, size_bytes)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (sha256) DO UPDATE SET naver_url = coalesce(i.naver_url, EXCLUDED.naver_url)
RETURNING {_IMAGE_COLUMNS}
"""  # noqa: S608 - a constant column list, values are $n parameters


def _image(record: asyncpg.Record) -> ImageRow:
    return ImageRow(**dict(record.items()))


class ImageCache(PoolHolder):
    """The image-cache part of ``StateStore``: content hash → S3 key and Naver URL."""

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
