"""Vocabulary of the image pipeline: limits, problem codes, results, errors and the two Protocols.

No I/O here. ``storebridge.images.pipeline`` re-exports everything a caller needs, so import from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from storebridge.errors import PermanentError, TransientError
from storebridge.naver import ImageFile

# -- Problem codes (``ImageProblem.code`` and ``ImageRejected.code``) ----------------------------
#: The bytes are not JPEG/PNG/GIF/BMP/WebP (an HTML error page, a script, an empty body ...).
NOT_AN_IMAGE = "NOT_AN_IMAGE"
#: The magic bytes say image, but Pillow cannot read the header or decode the pixels.
CORRUPT = "CORRUPT"
#: Shorter side below ``ImageLimits.min_side_px``.
TOO_SMALL = "TOO_SMALL"
#: The body is longer than ``ImageLimits.max_bytes`` (declared or counted while streaming).
TOO_LARGE_BYTES = "TOO_LARGE_BYTES"
#: The header declares more than ``ImageLimits.max_pixels`` (decompression-bomb guard).
TOO_MANY_PIXELS = "TOO_MANY_PIXELS"
#: Connect, read or total timeout while downloading.
TIMEOUT = "TIMEOUT"
#: Refused, reset or dropped connection, truncated body (transient).
CONNECTION = "CONNECTION"
#: Not an absolute http(s) URL.
INVALID_URL = "INVALID_URL"
#: Redirect loop or too many redirects.
TOO_MANY_REDIRECTS = "TOO_MANY_REDIRECTS"
#: The host (or a redirect target) is, or resolves only to, an address that is not globally
#: routable (loopback, private, link-local/metadata, multicast, reserved ...): SSRF guard, permanent.
BLOCKED_ADDRESS = "BLOCKED_ADDRESS"
#: The host (or a redirect target) is not in ``IMAGE_ALLOWED_HOSTS`` (permanent).
HOST_NOT_ALLOWED = "HOST_NOT_ALLOWED"
#: The URL's port is not in ``IMAGE_ALLOWED_PORTS`` (permanent).
PORT_NOT_ALLOWED = "PORT_NOT_ALLOWED"
#: Prefix of ``HTTP_<status>`` codes (any non-200 answer).
HTTP_PREFIX = "HTTP_"

#: HTTP statuses worth retrying later; every other non-200 status is permanent (403 from hotlink
#: protection, 404, 410 ...). 5xx are always transient, whether listed or not.
TRANSIENT_HTTP_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

#: Naver accepts at most this many files per upload call (reference §3).
MAX_FILES_PER_UPLOAD = 10
#: A product has one representative image and at most this many optional ones (business rules §8).
MAX_OPTIONAL_IMAGES = 9


def http_problem_code(status: int) -> str:
    """``HTTP_404`` for 404: the code an image gets when its host answered ``status``."""
    return f"{HTTP_PREFIX}{status}"


def http_status_is_transient(status: int) -> bool:
    """True when a later retry may see a different answer (timeouts, throttling, 5xx)."""
    return status >= 500 or status in TRANSIENT_HTTP_STATUSES


@dataclass(frozen=True)
class ImageLimits:
    """What an image must satisfy, and how it is normalised.

    Defaults follow business rules §8: ≤ 20 MiB (Smart Store's limit; the earlier design's 12 MB is
    stricter than Naver needs), ≥ 500 px on the shorter side for the representative and optional
    images only (Smart Store recommends 600; detail images are tall strips or thin slices that a
    minimum would tear out of the page), width resized down to 1200 px with no height cap (an
    860 × 8,000 px detail strip stays 860 × 8,000, readable; Naver's upload doc states no pixel or
    byte limit, so strips are not sliced). ``max_pixels`` (40 MP) is checked from the header before
    any pixel is decoded, so a tiny file declaring 30000×30000 costs no memory.
    """

    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 40_000_000
    #: Shorter side of the representative and optional images (``images.normalise.too_small``).
    min_side_px: int = 500
    #: Wider images are scaled down to this width, keeping their proportions.
    max_width_px: int = 1200
    jpeg_quality: int = 90

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels", "min_side_px", "max_width_px"):
            if getattr(self, name) < 1:
                raise ValueError(f"ImageLimits.{name} must be at least 1, got {getattr(self, name)}")
        if not 1 <= self.jpeg_quality <= 95:
            raise ValueError(f"ImageLimits.jpeg_quality must be 1..95, got {self.jpeg_quality}")
        if self.min_side_px > self.max_width_px:
            raise ValueError("ImageLimits.min_side_px must not exceed max_width_px")


@dataclass(frozen=True)
class ImageProblem:
    """Why one image could not be used: its URL, a code from this module and a human detail.

    ``transient`` means a later attempt may succeed (timeout, 5xx, dropped connection);
    ``retry_after_s`` is the host's ``Retry-After`` when it sent one.
    """

    url: str
    code: str
    detail: str
    transient: bool = False
    retry_after_s: float | None = None

    def describe(self) -> str:
        """``<url>: <CODE> (<detail>)``, for messages and logs."""
        return f"{self.url}: {self.code} ({self.detail})"


@dataclass(frozen=True)
class ItemImages:
    """Naver URLs for one item's images, ready to put into a product payload.

    ``representative`` and ``optional`` (≤ 9, distinct, never the representative) are Naver upload
    URLs. ``detail_map`` maps each usable detail source URL to its Naver URL, for rewriting the
    detail HTML; a source URL missing from it was skipped and is listed in ``skipped``.
    """

    representative: str
    optional: list[str]
    detail_map: dict[str, str]
    skipped: list[ImageProblem]


class ImageRejected(PermanentError):
    """The representative image is unusable for good (corrupt, too small, 404 ...): fail the item.

    ``code`` is the problem code (``TOO_SMALL``, ``HTTP_404`` ...); the message names the item,
    the URL and the cause, so an operator can act without reading logs.
    """

    def __init__(self, item_no: int, problem: ImageProblem) -> None:
        super().__init__(f"item {item_no}: representative image {problem.describe()}", code=problem.code)
        self.item_no = item_no
        self.url = problem.url
        self.problem = problem


class ImageFetchFailed(TransientError):
    """The representative image could not be fetched this time (timeout, 5xx, reset): retry later."""

    def __init__(self, item_no: int, problem: ImageProblem) -> None:
        super().__init__(
            f"item {item_no}: representative image {problem.describe()}", retry_after_s=problem.retry_after_s
        )
        self.item_no = item_no
        self.url = problem.url
        self.code = problem.code
        self.problem = problem


class ImageStorageFailed(TransientError):
    """S3 did not answer or refused a request; nothing is wrong with the item, so retry later.

    Also used for a missing bucket or bad credentials: those are operator mistakes that a retry
    after the fix resolves, not reasons to fail the item for good.
    """


class ImageUploadMismatch(PermanentError):
    """The uploader returned a different number of URLs than files sent (a client or API bug)."""

    def __init__(self, sent: int, received: int) -> None:
        super().__init__(
            f"image upload returned {received} URLs for {sent} files", code="IMAGE_UPLOAD_MISMATCH"
        )


class NaverImageUploader(Protocol):
    """Uploads files to Naver's image host (``POST /v1/product-images/upload``).

    Matches ``storebridge.naver.client.NaverClient.upload_images``: ``images`` are ``ImageFile(filename,
    data, content_type)``, the answer is one Naver URL per file, in order. The pipeline never sends
    more than 10 per call; the uploader's errors (transient or permanent) pass through unchanged.
    """

    async def upload_images(self, images: Sequence[ImageFile]) -> list[str]:
        """Upload ``images`` and return their Naver URLs in the same order."""
        ...


class CachedImage(Protocol):
    """What the cache answers for a hash (``storebridge.store.types.ImageRow`` fits).

    ``naver_url`` is None when the row records an S3 copy that was never uploaded.
    """

    @property
    def naver_url(self) -> str | None:
        """The Naver upload URL, if the image was uploaded."""
        ...


class ImageCache(Protocol):
    """sha256 of the normalised bytes → Naver URL, shared by every worker (the ``images`` table).

    Matches ``storebridge.store.StateStore.get_image`` / ``put_image``. ``put_image`` keeps the first
    writer's URL and returns the row as stored, so two workers racing on the same image end up using
    the same URL.
    """

    async def get_image(self, sha256: str) -> CachedImage | None:
        """The cached row for ``sha256``, or None."""
        ...

    async def put_image(
        self, sha256: str, *, s3_key: str, width: int, height: int, size_bytes: int, naver_url: str
    ) -> CachedImage:
        """Record the upload of ``sha256`` (first writer wins); return the row now stored."""
        ...
