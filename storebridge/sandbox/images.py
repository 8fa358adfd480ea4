"""Fake image host of the Domeggook simulator: deterministic pictures plus the broken cases.

Served under the Domeggook app at ``/_img/...``:

* representative images (``thumb.*``), Domeggook-CDN-like paths
  ``/_img/upload/item/YYYY/MM/DD/<no>/<hash>_img_760?hash=<hash>`` (``_img_760`` 800x800 JPEG,
  ``_img_330`` 330 JPEG, ``_stt_150.png`` / ``_stt_330.png`` PNG); no Referer needed;
* detail images on "supplier hosts", ``/_img/supplier/<seller>/detail/<no>_<k>.jpg?w=800&h=1200``
  (800x1200 JPEG; one item in five starts with a tall 860x8000 strip, one in five is made of thin
  860x300 slices, as Korean detail pages are) and a notice banner
  ``/_img/supplier/<seller>/notice/<no>.jpg``; these are hotlink-protected like the real ones:
  without ``Referer: https://domeggook.com/…`` they answer 403 (``domeggook-api.md`` §5 item 12,
  [ONE]).

Pictures are rendered lazily with Pillow on first request (in a worker thread) and kept in a small
byte-bounded LRU cache. Colours and text derive from the item number, so the same URL always
returns the same bytes. Hostile items (see ``Scenario``) get their representative image replaced by
the broken variant in every size; ``missing_detail_image`` makes the last detail image 404.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import random
import re
import struct
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable

from aiohttp import web
from PIL import Image, ImageDraw, ImageFont

from storebridge.sandbox.catalog.model import Catalog, Item, Scenario

IMAGE_PREFIX = "/_img"
REPRESENTATIVE_PX = 800
DETAIL_SIZE_PX = (800, 1200)
#: Korean detail pages are often one tall ~860 px strip or a stack of thin slices; a minimum size
#: or a longest-side resize would tear them apart (fidelity-evidence #9).
TALL_STRIP_PX = (860, 8000)
THIN_SLICE_PX = (860, 300)
#: Of every ``DETAIL_SHAPE_CYCLE`` items (by number), one gets a tall strip first, one thin slices.
DETAIL_SHAPE_CYCLE = 5
NOTICE_SIZE_PX = (800, 200)
TINY_PX = 50
BOMB_PX = 30_000
JPEG_QUALITY = 80
IMAGE_CACHE_MAX_BYTES = 16 * 1024 * 1024
KST_OFFSET_S = 9 * 3600
#: Referers the hotlink protection accepts; the reference gives ``https://domeggook.com/``, and
#: ``www.`` is accepted too because working clients use both hosts.
ALLOWED_REFERER_PREFIXES = ("https://domeggook.com/", "https://www.domeggook.com/")
#: Thumb URL suffix → (edge px, Pillow format). ``original`` is 800 px here (S9 says 760 in reality;
#: 800 keeps it above the ≥ 600 px marketplace minimum either way).
THUMB_VARIANTS: dict[str, tuple[int, str]] = {
    "img_760": (REPRESENTATIVE_PX, "JPEG"),
    "img_330": (330, "JPEG"),
    "stt_150.png": (150, "PNG"),
    "stt_330.png": (330, "PNG"),
}
_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_THUMB_RE = re.compile(
    r"upload/item/\d{4}/\d{2}/\d{2}/(?P<no>\d+)/[0-9a-f]+_(?P<variant>img_\d+|stt_\d+\.png)"
)
_DETAIL_RE = re.compile(r"supplier/[^/]+/detail/(?P<no>\d+)_(?P<k>\d+)\.jpg")
_NOTICE_RE = re.compile(r"supplier/[^/]+/notice/(?P<no>\d+)\.jpg")
_NOT_AN_IMAGE_HTML = (
    "<!DOCTYPE html><html><head><title>403 Forbidden</title></head>"
    "<body><h1>접근이 거부되었습니다</h1><p>외부 링크가 차단된 이미지입니다.</p></body></html>"
).encode()
_HOTLINK_HTML = b"<html><body><h1>403 Forbidden</h1><p>hotlinking not allowed</p></body></html>"


def thumb_hash(item: Item) -> str:
    """The 32-hex ``thumb.hash`` of an item; also part of its thumb file names."""
    return hashlib.md5(f"thumb:{item.no}".encode(), usedforsecurity=False).hexdigest()


def thumb_urls(origin: str, item: Item) -> dict[str, str]:
    """Absolute ``thumb.{small,large,original,smallPng,largePng}`` URLs served by this host."""
    day = time.strftime("%Y/%m/%d", time.gmtime(item.registered_ts + KST_OFFSET_S))
    digest = thumb_hash(item)
    base = f"{origin}{IMAGE_PREFIX}/upload/item/{day}/{item.no}/{digest}"
    return {
        "small": f"{base}_stt_150.png?hash={digest}",
        "large": f"{base}_img_330?hash={digest}",
        "original": f"{base}_img_760?hash={digest}",
        "smallPng": f"{base}_stt_150.png?hash={digest}",
        "largePng": f"{base}_stt_330.png?hash={digest}",
    }


def detail_size(item_no: int, index: int) -> tuple[int, int]:
    """Pixel size of detail image ``index`` (1-based): a tall strip, a thin slice or a plain page."""
    shape = item_no % DETAIL_SHAPE_CYCLE
    if shape == 1 and index == 1:
        return TALL_STRIP_PX
    if shape == 2:
        return THIN_SLICE_PX
    return DETAIL_SIZE_PX


def detail_image_urls(origin: str, item: Item) -> list[str]:
    """Absolute detail image URLs (raw; the HTML escapes the ``&`` as ``&amp;`` like the real one)."""
    urls = []
    for k in range(1, item.detail_images + 1):
        width, height = detail_size(item.no, k)
        urls.append(
            f"{origin}{IMAGE_PREFIX}/supplier/{item.seller.id}/detail/{item.no}_{k}.jpg?w={width}&h={height}"
        )
    return urls


def notice_banner_url(origin: str, item: Item) -> str:
    """Absolute URL of the supplier-notice banner (not product content; clients must not copy it)."""
    return f"{origin}{IMAGE_PREFIX}/supplier/{item.seller.id}/notice/{item.no}.jpg"


@functools.lru_cache(maxsize=16)
def _font(size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size_px)


def _colour(no: int, salt: str) -> tuple[int, int, int]:
    digest = zlib.crc32(f"{no}:{salt}".encode())
    return (digest & 0xFF, (digest >> 8) & 0xFF, (digest >> 16) & 0xFF)


def render_picture(no: int, label: str, width: int, height: int, fmt: str) -> bytes:
    """A deterministic picture for item ``no``: colour from the number, the label written on it."""
    background = _colour(no, label)
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    inverse = tuple(255 - c for c in background)
    margin = max(2, min(width, height) // 10)
    draw.rectangle(
        (margin, margin, width - margin, height - margin), outline=inverse, width=max(1, margin // 4)
    )
    draw.ellipse((width // 3, height // 3, 2 * width // 3, 2 * height // 3), fill=_colour(no, label + "!"))
    font = _font(max(8, min(width, height) // 14))
    draw.text((margin * 1.5, margin * 1.5), f"SANDBOX\n{no}\n{label}", fill=inverse, font=font)
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        image.save(out, fmt)
    return out.getvalue()


def decompression_bomb_png(width: int = BOMB_PX, height: int = BOMB_PX) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` RGB but whose data is a few bytes.

    Pillow refuses it on ``Image.open`` (``DecompressionBombError``); a decoder that trusts the
    header would try to allocate ~2.7 GB. It is ~100 bytes on the wire.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 65_536, 9))
        + chunk(b"IEND", b"")
    )


def corrupt_jpeg(no: int) -> bytes:
    """A JPEG cut at 40 % and followed by junk: the header parses, decoding fails."""
    good = render_picture(no, "corrupt", REPRESENTATIVE_PX, REPRESENTATIVE_PX, "JPEG")
    return good[: len(good) * 2 // 5] + random.Random(no).randbytes(2048)


class ImageHost:
    """Serves ``/_img/...`` for one catalog; keeps rendered bytes in a byte-bounded LRU.

    ``slow_delay_s`` is read through a callable so the simulator's config stays the single source.
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        slow_delay_s: Callable[[], float],
        cache_max_bytes: int = IMAGE_CACHE_MAX_BYTES,
    ) -> None:
        self.catalog = catalog
        self._slow_delay_s = slow_delay_s
        self._cache: OrderedDict[tuple[object, ...], tuple[bytes, str]] = OrderedDict()
        self._cache_bytes = 0
        self._cache_max_bytes = cache_max_bytes
        self.stats: dict[str, int] = {"served": 0, "forbidden": 0, "not_found": 0}

    def add_routes(self, app: web.Application) -> None:
        """Register the image route on ``app`` (GET, and HEAD through aiohttp's default)."""
        app.router.add_get(IMAGE_PREFIX + "/{tail:.+}", self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one image request: the picture, a broken variant, 403 (hotlink) or 404."""
        tail = request.match_info["tail"]
        if match := _THUMB_RE.fullmatch(tail):
            item = self.catalog.get(int(match["no"]))
            if item is None or match["variant"] not in THUMB_VARIANTS:
                return self._not_found()
            return await self._representative(item, match["variant"])
        detail = _DETAIL_RE.fullmatch(tail)
        notice = _NOTICE_RE.fullmatch(tail)
        if detail is None and notice is None:
            return self._not_found()
        if not request.headers.get("Referer", "").startswith(ALLOWED_REFERER_PREFIXES):
            self.stats["forbidden"] += 1
            return web.Response(status=403, body=_HOTLINK_HTML, content_type="text/html")
        if detail is not None:
            item, index = self.catalog.get(int(detail["no"])), int(detail["k"])
            if item is None or not 1 <= index <= item.detail_images:
                return self._not_found()
            if Scenario.MISSING_DETAIL_IMAGE in item.scenarios and index == item.detail_images:
                return self._not_found()
            width, height = detail_size(item.no, index)
            return await self._picture(
                ("detail", item.no, index), item.no, f"detail {index}", width, height, "JPEG"
            )
        assert notice is not None
        item = self.catalog.get(int(notice["no"]))
        if item is None:
            return self._not_found()
        width, height = NOTICE_SIZE_PX
        return await self._picture(("notice", item.no), item.no, "notice", width, height, "JPEG")

    async def _representative(self, item: Item, variant: str) -> web.StreamResponse:
        scenarios = item.scenarios
        if Scenario.SLOW_IMAGE in scenarios:
            await asyncio.sleep(self._slow_delay_s())
        if Scenario.NOT_AN_IMAGE in scenarios:
            return self._bytes(_NOT_AN_IMAGE_HTML, "image/jpeg")
        if Scenario.HUGE_DIMENSIONS in scenarios:
            return self._bytes(decompression_bomb_png(), "image/png")
        if Scenario.CORRUPT_IMAGE in scenarios:
            return await self._cached(("corrupt", item.no), lambda: (corrupt_jpeg(item.no), "image/jpeg"))
        edge, fmt = THUMB_VARIANTS[variant]
        if Scenario.TINY_IMAGE in scenarios:
            edge, fmt = TINY_PX, "JPEG"
        elif Scenario.WEBP_IMAGE in scenarios:
            fmt = "WEBP"
        return await self._picture(("thumb", item.no, edge, fmt), item.no, "main", edge, edge, fmt)

    async def _picture(
        self, key: tuple[object, ...], no: int, label: str, width: int, height: int, fmt: str
    ) -> web.StreamResponse:
        return await self._cached(
            key, lambda: (render_picture(no, label, width, height, fmt), _CONTENT_TYPES[fmt])
        )

    async def _cached(
        self, key: tuple[object, ...], make: Callable[[], tuple[bytes, str]]
    ) -> web.StreamResponse:
        hit = self._cache.get(key)
        if hit is None:
            # Pillow encoding takes milliseconds; keep it off the event loop.
            hit = await asyncio.to_thread(make)
            self._remember(key, hit)
        else:
            self._cache.move_to_end(key)
        return self._bytes(*hit)

    def _remember(self, key: tuple[object, ...], value: tuple[bytes, str]) -> None:
        if key in self._cache:
            return
        self._cache[key] = value
        self._cache_bytes += len(value[0])
        while self._cache_bytes > self._cache_max_bytes and len(self._cache) > 1:
            _, (old, _) = self._cache.popitem(last=False)
            self._cache_bytes -= len(old)

    def _bytes(self, body: bytes, content_type: str) -> web.Response:
        self.stats["served"] += 1
        return web.Response(body=body, content_type=content_type, headers={"Cache-Control": "max-age=86400"})

    def _not_found(self) -> web.Response:
        self.stats["not_found"] += 1
        return web.Response(status=404, text="404 Not Found")
