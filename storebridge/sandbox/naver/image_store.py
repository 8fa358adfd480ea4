"""Images uploaded to the simulated Naver image host, and the format sniffing that admits them.

Naver accepts JPG, GIF, PNG and BMP only (reference §3) and product images must be URLs the upload
API returned. The simulator therefore remembers every URL it issued (exactly as issued) and serves
the bytes back from a ``shop-phinf``-like path on its own origin, so the client can fetch them.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, UnidentifiedImageError

from storebridge.sandbox.naver.wire import KST

#: Path prefix of the simulated image host (real: ``https://shop-phinf.pstatic.net/…``).
IMAGE_PATH_PREFIX = "/shop-phinf"


@dataclass(frozen=True)
class ImageFormat:
    """An accepted image format: its URL tag (``JPEG``), file extension and content type."""

    tag: str
    extension: str
    content_type: str


ACCEPTED_FORMATS: dict[str, ImageFormat] = {
    "JPEG": ImageFormat("JPEG", "jpg", "image/jpeg"),
    "PNG": ImageFormat("PNG", "png", "image/png"),
    "GIF": ImageFormat("GIF", "gif", "image/gif"),
    "BMP": ImageFormat("BMP", "bmp", "image/bmp"),
}


def sniff_format(data: bytes) -> str | None:
    """The format named by the file's magic bytes: JPEG/PNG/GIF/BMP/WEBP, or None.

    The declared filename and content type are ignored on purpose: a ``.jpg`` that is really WebP
    is exactly the mistake the client must not make.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data.startswith(b"BM") and len(data) >= 26:
        return "BMP"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from the header by Pillow, or None when it is not a decodable image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        return None
    return int(width), int(height)


@dataclass(frozen=True)
class StoredImage:
    """One uploaded file: its bytes, format and the URL the upload answered with."""

    data: bytes
    format: ImageFormat
    url: str


class SimNaverImageHost:
    """Uploaded images by path, plus the exact URLs issued (the only ones products may use)."""

    def __init__(self, *, rng: random.Random) -> None:
        self._rng = rng
        self._by_path: dict[str, StoredImage] = {}
        self._urls: set[str] = set()

    def add(self, data: bytes, format_tag: str, *, origin: str, now_s: float) -> StoredImage:
        """Store ``data`` under a fresh Naver-shaped path on ``origin`` and return the record."""
        fmt = ACCEPTED_FORMATS[format_tag]
        path = self._new_path(fmt, now_s)
        image = StoredImage(data, fmt, f"{origin}{path}")
        self._by_path[path] = image
        self._urls.add(image.url)
        return image

    def get(self, path: str) -> StoredImage | None:
        """The image stored at URL path ``path`` (starting with ``/shop-phinf/``)."""
        return self._by_path.get(path)

    def issued(self, url: str) -> bool:
        """True if the upload API answered with exactly this URL."""
        return url in self._urls

    def __len__(self) -> int:
        return len(self._by_path)

    def clear(self) -> None:
        """Forget every image (sandbox reset); products referring to them keep their URLs."""
        self._by_path.clear()
        self._urls.clear()

    def _new_path(self, fmt: ImageFormat, now_s: float) -> str:
        # Shape of real URLs (reference §3): /{yyyyMMdd}_{n}/{13-digit ms}{5 chars}_{TAG}/{d}_{d}.{ext}
        day = datetime.fromtimestamp(now_s, tz=KST).strftime("%Y%m%d")
        while True:
            bucket = self._rng.randint(1, 300)
            stamp = f"{int(now_s * 1000):013d}"
            tag = "".join(
                self._rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=5)
            )
            first = self._rng.randrange(10**15, 10**16)
            second = self._rng.randrange(10**8, 10**9)
            path = (
                f"{IMAGE_PATH_PREFIX}/{day}_{bucket}/{stamp}{tag}_{fmt.tag}/{first}_{second}.{fmt.extension}"
            )
            if path not in self._by_path:
                return path
