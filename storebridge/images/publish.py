"""Get a Naver URL for each normalised image, uploading each distinct picture at most once.

The cache (sha256 of the normalised bytes → Naver URL, shared by all workers) is asked first; only
the misses are stored in S3 and uploaded, ≤ 10 files per upload call, and each call's URLs are
written back to the cache before the next call, so a crash costs at most one call's worth of
re-uploads. Two workers racing on the same new picture may both upload it; the cache keeps the first
URL and both use that one (the second upload is an orphan on Naver's image host, which is harmless).
"""

from __future__ import annotations

import asyncio

from storebridge.images.normalise import NormalisedImage
from storebridge.images.s3 import S3ImageBucket
from storebridge.images.types import MAX_FILES_PER_UPLOAD, ImageCache, ImageUploadMismatch, NaverImageUploader
from storebridge.naver import ImageFile


async def publish(
    bucket: S3ImageBucket,
    images: list[NormalisedImage],
    uploader: NaverImageUploader,
    cache: ImageCache,
    *,
    concurrency: int,
) -> dict[str, str]:
    """sha256 → Naver URL for every image in ``images`` (duplicates by hash are handled once).

    Cache hits skip S3 and Naver: whoever cached them stored them in S3 before uploading. S3 writes
    run ≤ ``concurrency`` at a time; uploads run one call at a time (the Naver limiter paces them).
    Raises ``ImageStorageFailed`` (S3), ``ImageUploadMismatch`` or whatever the uploader raises.
    """
    distinct = {image.sha256: image for image in images}
    urls: dict[str, str] = {}
    misses: list[NormalisedImage] = []
    for sha256, image in distinct.items():  # sequential: the cache may hold a single connection
        cached = await cache.get_image(sha256)
        if cached is None or cached.naver_url is None:  # a row without URL: stored, never uploaded
            misses.append(image)
        else:
            urls[sha256] = cached.naver_url
    if not misses:
        return urls
    gate = asyncio.Semaphore(concurrency)

    async def store(image: NormalisedImage) -> None:
        async with gate:
            await bucket.store(image.s3_key, image.data, image.content_type)

    outcomes = await asyncio.gather(*(store(image) for image in misses), return_exceptions=True)
    failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    if failures:  # every write finished or failed: nothing is left running unobserved
        raise failures[0]
    for start in range(0, len(misses), MAX_FILES_PER_UPLOAD):
        batch = misses[start : start + MAX_FILES_PER_UPLOAD]
        files = [ImageFile(image.filename, image.data, image.content_type) for image in batch]
        uploaded = await uploader.upload_images(files)
        if len(uploaded) != len(batch):
            raise ImageUploadMismatch(len(batch), len(uploaded))
        for image, naver_url in zip(batch, uploaded, strict=True):
            row = await cache.put_image(
                image.sha256,
                s3_key=image.s3_key,
                width=image.width,
                height=image.height,
                size_bytes=len(image.data),
                naver_url=naver_url,
            )
            urls[image.sha256] = row.naver_url or naver_url  # the first writer's URL when two raced
    return urls
