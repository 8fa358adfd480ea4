"""Content-addressed image objects in S3: ``images/sha256/<hex>.<ext>``, written at most once.

The key is the hash of the normalised bytes, so an object's content never changes. ``store`` sends
a HEAD first and skips the PUT when the object exists: a repeat costs one small request instead of
re-sending megabytes, and a racing second PUT would write identical bytes anyway (idempotent).
Every S3 failure becomes ``ImageStorageFailed`` (transient): the item is fine, the storage is not.
It is raised *from* the botocore error, so ``storebridge.errors.infrastructure_service`` tells an
outage (connection refused, 5xx, the bucket gone) from a refusal (access denied), and the sync
re-queues the former without counting it.

The bucket is ensured when a worker starts, but an S3 that restarted empty (or an operator who
deleted the bucket) takes it away under running workers: a PUT answered ``NoSuchBucket`` creates
the bucket again and repeats the PUT once, so the item does not even need a retry.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from storebridge.images.types import ImageStorageFailed

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

#: Error codes S3 (and MinIO, moto) use for "no such object/bucket" on HEAD requests.
_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NoSuchBucket", "NotFound"})
#: Codes answered by CreateBucket when someone else (or we) created it meanwhile.
_ALREADY_THERE_CODES = frozenset({"BucketAlreadyOwnedByYou", "BucketAlreadyExists"})
#: Images are immutable under a content key: let CDNs and browsers keep them for a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"

log = logging.getLogger(__name__)


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _failure(action: str, target: str, exc: Exception) -> ImageStorageFailed:
    detail = _error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
    return ImageStorageFailed(f"S3 {action} {target} failed: {detail}")


class S3ImageBucket:
    """One bucket of content-addressed images, over an S3 client owned by someone else."""

    def __init__(self, client: S3Client, bucket: str, *, region: str) -> None:
        self._client = client
        self.bucket = bucket
        self._region = region

    async def ensure_bucket(self) -> bool:
        """Create the bucket if it does not exist; True when this call created it.

        Safe to call from several processes at once (an "already exists" answer counts as done).
        """
        try:
            await self._client.head_bucket(Bucket=self.bucket)
            return False
        except ClientError as exc:
            if _error_code(exc) not in _NOT_FOUND_CODES:
                raise _failure("HEAD bucket", self.bucket, exc) from exc
        except BotoCoreError as exc:
            raise _failure("HEAD bucket", self.bucket, exc) from exc
        try:
            if self._region == "us-east-1":  # S3 rejects an explicit us-east-1 LocationConstraint.
                await self._client.create_bucket(Bucket=self.bucket)
            else:
                await self._client.create_bucket(
                    Bucket=self.bucket,
                    CreateBucketConfiguration={"LocationConstraint": self._region},  # type: ignore[typeddict-item]
                )
        except ClientError as exc:
            if _error_code(exc) in _ALREADY_THERE_CODES:
                return False
            raise _failure("CreateBucket", self.bucket, exc) from exc
        except BotoCoreError as exc:
            raise _failure("CreateBucket", self.bucket, exc) from exc
        log.info("images.s3.bucket_created", extra={"bucket": self.bucket})
        return True

    async def exists(self, key: str) -> bool:
        """True when an object is stored under ``key``."""
        try:
            await self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _error_code(exc) in _NOT_FOUND_CODES:
                return False
            raise _failure("HEAD", key, exc) from exc
        except BotoCoreError as exc:
            raise _failure("HEAD", key, exc) from exc
        return True

    async def store(self, key: str, data: bytes, content_type: str) -> bool:
        """Put ``data`` under ``key`` unless an object is already there; True when it was written.

        A missing bucket is created again (``ensure_bucket``) and the PUT repeated once.
        """
        if await self.exists(key):
            return False
        try:
            await self._put(key, data, content_type)
        except ClientError as exc:
            if _error_code(exc) != "NoSuchBucket":
                raise _failure("PUT", key, exc) from exc
            log.warning("images.s3.bucket_missing", extra={"bucket": self.bucket})
            await self.ensure_bucket()
            try:
                await self._put(key, data, content_type)
            except (ClientError, BotoCoreError) as again:
                raise _failure("PUT", key, again) from again
        except BotoCoreError as exc:
            raise _failure("PUT", key, exc) from exc
        return True

    async def _put(self, key: str, data: bytes, content_type: str) -> None:
        await self._client.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, CacheControl=CACHE_CONTROL
        )
