"""One item's images → Naver upload URLs: download, verify, normalise, store in S3, upload once.

``ImagePipeline.process_item`` is the whole job for an item:

1. download the representative and the detail images (≤ ``downloads_per_item`` at a time, with the
   Domeggook Referer, a byte cap and timeouts, ``images_fetch``), through the SSRF guard: the
   session's ``GuardedConnector`` and the ``AddressPolicy`` refuse non-public addresses on every
   hop; the representative image needs an allow-listed host (``IMAGE_ALLOWED_HOSTS``), detail
   images any public host when ``IMAGE_DETAIL_ANY_PUBLIC_HOST``, and only allow-listed detail
   images become optional (gallery) images;
2. verify and normalise them in a worker thread (``images_normalise``);
3. for each distinct result (by sha256 of the normalised bytes) not yet in the ``ImageCache``:
   store it in S3 under its content key (``images_s3``), upload it to Naver in calls of ≤ 10 files,
   and write the URL back to the cache right after each call, so a crash loses at most one call.
   Cache hits skip S3 and Naver entirely (whoever cached them stored them in S3 first).

A bad representative image decides the item: ``ImageRejected`` (permanent) or ``ImageFetchFailed``
(transient: timeout, 5xx, dropped connection). A bad detail image is only skipped and reported.
S3 failures raise ``ImageStorageFailed`` (transient); the uploader's own errors pass through.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from types import TracebackType
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from pydantic import SecretStr

from storebridge.config import ConfigError
from storebridge.images.connector import GuardedConnector
from storebridge.images.fetch import DOMEGGOOK_REFERER, Downloaded, download_image
from storebridge.images.guard import AddressPolicy
from storebridge.images.normalise import NormalisedImage, normalise_image, too_small
from storebridge.images.publish import publish
from storebridge.images.s3 import S3ImageBucket
from storebridge.images.types import (
    MAX_OPTIONAL_IMAGES,
    CachedImage,
    ImageCache,
    ImageFetchFailed,
    ImageLimits,
    ImageProblem,
    ImageRejected,
    ImageStorageFailed,
    ImageUploadMismatch,
    ItemImages,
    NaverImageUploader,
)

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

    from storebridge.config import Settings

#: Downloads in flight per item (each holds up to ``max_bytes`` in memory).
DOWNLOADS_PER_ITEM = 4
#: Download timeouts: connecting, waiting between two reads, and the whole request.
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 20.0
TOTAL_TIMEOUT_S = 60.0
#: Identifies us to supplier hosts (some block empty user agents).
USER_AGENT = "StoreBridge/0.1 (+image fetch)"
#: S3 client retries inside botocore before ``ImageStorageFailed`` is raised, and its timeouts.
S3_MAX_ATTEMPTS = 3
S3_CONNECT_TIMEOUT_S = 5.0
S3_READ_TIMEOUT_S = 30.0

log = logging.getLogger(__name__)
_T = TypeVar("_T")
_P = ParamSpec("_P")

#: What callers import from here; problem codes (``TOO_SMALL`` ...) live in ``images_model``.
__all__ = [
    "CachedImage",
    "ImageCache",
    "ImageFetchFailed",
    "ImageLimits",
    "ImagePipeline",
    "ImageProblem",
    "ImageRejected",
    "ImageStorageFailed",
    "ImageUploadMismatch",
    "ItemImages",
    "NaverImageUploader",
    "NormalisedImage",
]

Prepared = NormalisedImage | ImageProblem
#: A prepared image and whether its source (every hop) was allow-listed (may be an optional image).
_Fetched = tuple[Prepared, bool]


def s3_credentials(access_key: SecretStr, secret_key: SecretStr) -> tuple[str | None, str | None]:
    """The explicit key pair for the S3 client, or ``(None, None)``: the default AWS credential chain.

    Both keys empty means "no static keys": botocore then finds credentials itself (on EKS the
    IRSA web-identity token of the pod's service account; elsewhere the instance role, the
    ``AWS_*`` variables or ``~/.aws``). Only one of the two given is a configuration mistake that
    would otherwise surface as a confusing signature error on the first upload.
    """
    access, secret = access_key.get_secret_value(), secret_key.get_secret_value()
    if not access and not secret:
        return None, None
    if not access or not secret:
        raise ConfigError("S3_ACCESS_KEY and S3_SECRET_KEY: set both, or neither for the default AWS chain")
    return access, secret


class ImagePipeline:
    """Owns an aiohttp session (image downloads) and an aiobotocore S3 client; one per worker.

    Use as ``async with ImagePipeline(...) as images:``; ``close()`` is idempotent and an instance
    garbage-collected while open emits ``ResourceWarning``. Pass ``executor`` to bound the threads
    doing Pillow work (default: the event loop's default executor via ``asyncio.to_thread``).
    ``policy`` is the SSRF guard; without one, the production default (Domeggook's CDNs, public
    addresses, ports 80/443) applies, so nothing built by hand fetches from inside by accident.
    """

    def __init__(
        self,
        *,
        s3_endpoint: str | None,
        s3_access_key: str | SecretStr,
        s3_secret_key: str | SecretStr,
        s3_bucket: str,
        s3_region: str = "us-east-1",
        limits: ImageLimits | None = None,
        downloads_per_item: int = DOWNLOADS_PER_ITEM,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        read_timeout_s: float = READ_TIMEOUT_S,
        total_timeout_s: float = TOTAL_TIMEOUT_S,
        referer: str = DOMEGGOOK_REFERER,
        max_optional_images: int = MAX_OPTIONAL_IMAGES,
        executor: Executor | None = None,
        policy: AddressPolicy | None = None,
    ) -> None:
        if downloads_per_item < 1:
            raise ValueError(f"downloads_per_item must be at least 1, got {downloads_per_item}")
        if not 0 <= max_optional_images <= MAX_OPTIONAL_IMAGES:
            raise ValueError(
                f"max_optional_images must be 0..{MAX_OPTIONAL_IMAGES}, got {max_optional_images}"
            )
        self.limits = limits or ImageLimits()
        self.policy = policy or AddressPolicy()
        self.bucket = s3_bucket
        self._s3_endpoint = s3_endpoint
        self._s3_access_key = SecretStr(s3_access_key) if isinstance(s3_access_key, str) else s3_access_key
        self._s3_secret_key = SecretStr(s3_secret_key) if isinstance(s3_secret_key, str) else s3_secret_key
        self._region = s3_region
        self._timeout = aiohttp.ClientTimeout(
            total=total_timeout_s, connect=connect_timeout_s, sock_read=read_timeout_s
        )
        self._headers = {"Referer": referer, "User-Agent": USER_AGENT}
        self._downloads_per_item = downloads_per_item
        self._max_optional = max_optional_images
        self._executor = executor
        self._session: aiohttp.ClientSession | None = None
        self._exit_stack: contextlib.AsyncExitStack | None = None
        self._s3: S3ImageBucket | None = None
        self._closed = False

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> ImagePipeline:
        """A pipeline for the configured S3 (``S3_*``) and SSRF guard (``IMAGE_*``), plus ``overrides``."""
        overrides.setdefault("policy", AddressPolicy.from_settings(settings))
        return cls(
            s3_endpoint=settings.s3_endpoint,
            s3_access_key=settings.s3_access_key,
            s3_secret_key=settings.s3_secret_key,
            s3_bucket=settings.s3_bucket,
            s3_region=settings.s3_region,
            **overrides,  # type: ignore[arg-type]
        )

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        """True once ``close()`` ran."""
        return self._closed

    async def start(self) -> ImagePipeline:
        """Open the HTTP session and the S3 client (on the running loop); idempotent."""
        if self._closed:
            raise RuntimeError("ImagePipeline is closed")
        if self._session is not None:
            return self
        stack = contextlib.AsyncExitStack()
        try:
            config = AioConfig(
                s3={"addressing_style": "path"},  # works for MinIO/moto on loopback and for AWS
                retries={"max_attempts": S3_MAX_ATTEMPTS, "mode": "standard"},
                connect_timeout=S3_CONNECT_TIMEOUT_S,
                read_timeout=S3_READ_TIMEOUT_S,
            )
            access_key, secret_key = s3_credentials(self._s3_access_key, self._s3_secret_key)
            creator = get_session().create_client(
                "s3",
                endpoint_url=self._s3_endpoint,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                region_name=self._region,
                config=config,
            )
            client: S3Client = await stack.enter_async_context(creator)
        except BaseException:
            await stack.aclose()
            raise
        self._exit_stack = stack
        self._s3 = S3ImageBucket(client, self.bucket, region=self._region)
        self._session = aiohttp.ClientSession(
            connector=GuardedConnector(self.policy),
            timeout=self._timeout,
            headers=self._headers,
            trust_env=False,  # never a proxy from the environment: the guard checks the real peer
        )
        return self

    async def close(self) -> None:
        """Close the session and the S3 client; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        session, stack = self._session, self._exit_stack
        self._session, self._exit_stack, self._s3 = None, None, None
        try:
            if session is not None:
                await session.close()
        finally:
            if stack is not None:
                await stack.aclose()

    async def __aenter__(self) -> ImagePipeline:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __del__(self) -> None:
        if getattr(self, "_session", None) is not None and not getattr(self, "_closed", True):
            warnings.warn(f"unclosed {type(self).__name__}", ResourceWarning, stacklevel=2)

    def _open(self) -> tuple[aiohttp.ClientSession, S3ImageBucket]:
        if self._session is None or self._s3 is None:
            raise RuntimeError(
                "ImagePipeline is not started (use 'async with')" if not self._closed else "closed"
            )
        return self._session, self._s3

    # -- public operations -----------------------------------------------------------------------
    async def ensure_bucket(self) -> bool:
        """Create the S3 bucket if missing (True when created); call once at deploy or worker start."""
        return await self._open()[1].ensure_bucket()

    async def prepare(
        self, url: str, *, gate: asyncio.Semaphore | None = None, detail: bool = False
    ) -> Prepared:
        """Download, verify and normalise one image; a problem is returned, never raised.

        ``gate`` bounds concurrent downloads (held while downloading, released before the CPU work).
        ``detail`` applies the detail-image rule (any public host when the policy allows it).
        """
        return (await self._fetch(url, gate=gate, detail=detail))[0]

    async def _fetch(self, url: str, *, gate: asyncio.Semaphore | None, detail: bool) -> _Fetched:
        session, _ = self._open()
        async with gate if gate is not None else contextlib.nullcontext():
            downloaded: Downloaded | ImageProblem = await download_image(
                session,
                url,
                max_bytes=self.limits.max_bytes,
                policy=self.policy,
                any_public_host=detail and self.policy.detail_any_public_host,
            )
        if isinstance(downloaded, ImageProblem):
            return downloaded, False
        normalised = await self._in_thread(
            normalise_image, downloaded.data, downloaded.format, url, self.limits
        )
        return normalised, downloaded.allow_listed

    async def process_item(
        self,
        item_no: int,
        representative_url: str,
        detail_urls: Sequence[str],
        *,
        uploader: NaverImageUploader,
        cache: ImageCache,
    ) -> ItemImages:
        """Naver URLs for one item's images, uploading only what the cache does not know.

        ``optional`` takes the first ≤ ``max_optional_images`` distinct detail images that are
        still at least ``min_side_px`` on both sides after resizing (long detail strips stay in the
        HTML only) and differ from the representative. Raises ``ImageRejected`` /
        ``ImageFetchFailed`` for a bad representative image, ``ImageStorageFailed`` for S3.
        """
        _, bucket = self._open()
        fetched = await self._prepare_all(item_no, representative_url, detail_urls)
        prepared = {url: result for url, (result, _) in fetched.items()}
        representative = prepared[representative_url]
        assert isinstance(representative, NormalisedImage)  # _prepare_all raised otherwise
        usable = {url: result for url, result in prepared.items() if isinstance(result, NormalisedImage)}
        naver_urls = await publish(
            bucket, list(usable.values()), uploader, cache, concurrency=self._downloads_per_item
        )

        detail_map: dict[str, str] = {}
        skipped: list[ImageProblem] = []
        optional: list[str] = []
        chosen = {naver_urls[representative.sha256]}
        for url in dict.fromkeys(detail_urls):
            result = prepared[url]
            if isinstance(result, ImageProblem):
                skipped.append(result)
                continue
            naver_url = naver_urls[result.sha256]
            detail_map[url] = naver_url
            if (
                len(optional) < self._max_optional
                and fetched[url][1]  # only allow-listed sources go into the gallery
                and naver_url not in chosen
                and too_small(result, url, self.limits) is None
            ):
                optional.append(naver_url)
                chosen.add(naver_url)
        for problem in skipped:
            log.warning(
                "images.detail.skipped",
                extra={
                    "item_no": item_no,
                    "url": problem.url,
                    "code": problem.code,
                    "detail": problem.detail,
                },
            )
        return ItemImages(naver_urls[representative.sha256], optional, detail_map, skipped)

    # -- steps -----------------------------------------------------------------------------------
    async def _in_thread(self, func: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        if self._executor is None:
            return await asyncio.to_thread(func, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(
            self._executor, functools.partial(func, *args, **kwargs)
        )

    async def _prepare_all(
        self, item_no: int, representative_url: str, detail_urls: Sequence[str]
    ) -> dict[str, _Fetched]:
        """Every distinct URL → its result; raises for a bad representative (cancelling the rest)."""
        gate = asyncio.Semaphore(self._downloads_per_item)
        urls = list(dict.fromkeys([representative_url, *detail_urls]))
        tasks = {
            url: asyncio.create_task(self._fetch(url, gate=gate, detail=url != representative_url))
            for url in urls
        }
        try:
            first, _ = await tasks[representative_url]
            if isinstance(first, ImageProblem):
                raise (ImageFetchFailed if first.transient else ImageRejected)(item_no, first)
            # The minimum size applies to the representative (and optional) images only.
            if (small := too_small(first, representative_url, self.limits)) is not None:
                raise ImageRejected(item_no, small)
            await asyncio.gather(*tasks.values())
        except BaseException:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)
            raise
        return {url: task.result() for url, task in tasks.items()}
