"""The image pipeline end to end: images served over real HTTP, stored in the real (moto) S3.

The Naver upload and the image cache are test doubles of the two Protocols (an uploader that
records its calls, an in-memory first-writer-wins cache); the real ``NaverClient`` and simulator are
exercised in ``test_images_naver.py``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import random
import socket
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from ipaddress import ip_network
from typing import Any

import aiohttp
import pytest
from aiobotocore.session import get_session
from aiohttp import web
from PIL import Image
from yarl import URL

from storebridge.config import load_settings
from storebridge.errors import PermanentError, TransientError
from storebridge.images import (
    ImageFetchFailed,
    ImageLimits,
    ImagePipeline,
    ImageRejected,
    ImageUploadMismatch,
    NormalisedImage,
    normalise_image,
    sniff_format,
)
from storebridge.images.guard import AddressPolicy
from storebridge.naver import ImageFile
from storebridge.serve import ServedApp
from tests.images.support import encode, png_declaring

ITEM_NO = 4242
SLOW_TOTAL_S = 6.0  # the slow endpoint dribbles for this long; the pipeline's total timeout is 1.5 s


class RecordingUploader:
    """Stands in for ``NaverClient.upload_images``: records every call, answers Naver-shaped URLs."""

    def __init__(self) -> None:
        self.calls: list[list[tuple[str, bytes, str]]] = []
        self._next = 0

    async def upload_images(self, images: Sequence[ImageFile]) -> list[str]:
        self.calls.append([(image.filename, image.data, image.content_type) for image in images])
        urls = []
        for image in images:
            name = image.filename
            self._next += 1
            urls.append(f"https://shop-phinf.pstatic.net/20250101_1/test_{self._next}/{name}")
        return urls

    @property
    def uploaded(self) -> list[tuple[str, bytes, str]]:
        return [file for call in self.calls for file in call]


class ShortUploader(RecordingUploader):
    """Answers one URL fewer than it was sent files (a broken client)."""

    async def upload_images(self, images: Sequence[ImageFile]) -> list[str]:
        return (await super().upload_images(images))[:-1]


@dataclass(frozen=True)
class Row:
    """One cache row (the fields ``StateStore``'s ``ImageRow`` has, minus the timestamp)."""

    naver_url: str | None
    s3_key: str = ""
    width: int = 0
    height: int = 0
    size_bytes: int = 0


class MemoryCache:
    """Stands in for ``StateStore``'s image cache: first writer wins."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}

    async def get_image(self, sha256: str) -> Row | None:
        return self.rows.get(sha256)

    async def put_image(
        self, sha256: str, *, s3_key: str, width: int, height: int, size_bytes: int, naver_url: str
    ) -> Row:
        return self.rows.setdefault(sha256, Row(naver_url, s3_key, width, height, size_bytes))


def picture(seed: int, size: tuple[int, int]) -> Image.Image:
    """A deterministic RGB picture: coloured rectangles drawn from ``seed``."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(12):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        box = (x0, y0, min(size[0], x0 + rng.randrange(1, 200)), min(size[1], y0 + rng.randrange(1, 200)))
        image.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)), box)
    return image


def jpeg(seed: int, size: tuple[int, int] = (800, 800)) -> bytes:
    return encode(picture(seed, size), "JPEG", quality=85)


def noise_jpeg(seed: int, size: tuple[int, int]) -> bytes:
    pixels = random.Random(seed).randbytes(size[0] * size[1] * 3)
    return encode(Image.frombytes("RGB", size, pixels), "JPEG", quality=95)


@functools.cache
def static_images() -> dict[str, bytes]:
    """Fixed bodies by path (built once per session: encoding them is the slow part)."""
    return {
        "/same-a.jpg": jpeg(500),
        "/same-b.jpg": jpeg(500),  # identical bytes under another URL
        "/photo.webp": encode(picture(501, (900, 700)), "WEBP"),
        "/large.jpg": jpeg(502, (2400, 1800)),
        "/small.png": encode(picture(503, (50, 50)), "PNG"),
        "/bomb.png": png_declaring(30000, 30000),
        "/corrupt.jpg": jpeg(504)[:3000],
        "/page.jpg": b"<!DOCTYPE html><html><body><h1>403 Forbidden</h1></body></html>",
        "/big.jpg": noise_jpeg(505, (700, 700)),  # incompressible: several hundred KB
    }


def image_host_app() -> web.Application:
    """Generated pictures at ``/img/<seed>.jpg`` plus every broken case the pipeline must survive."""
    static = static_images()

    async def generated(request: web.Request) -> web.Response:
        return web.Response(body=jpeg(int(request.match_info["seed"])), content_type="image/jpeg")

    async def fixed(request: web.Request) -> web.Response:
        return web.Response(body=static[request.path], content_type="image/jpeg")  # type lies on purpose

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # no Content-Length: only counting can stop it
        response.content_type = "image/jpeg"
        await response.prepare(request)
        await response.write(jpeg(506)[:1000])
        for _ in range(200):
            await response.write(b"\x00" * 64 * 1024)
        return response

    async def slow(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_type = "image/jpeg"
        await response.prepare(request)
        data = jpeg(507)
        steps = int(SLOW_TOTAL_S / 0.25)
        for index in range(steps):
            await response.write(data[index * 10 : index * 10 + 10])
            await asyncio.sleep(0.25)
        return response

    async def hotlinked(request: web.Request) -> web.Response:
        if not request.headers.get("Referer", "").startswith("https://domeggook.com/"):
            return web.Response(status=403, text="hotlinking not allowed")
        return web.Response(body=jpeg(508), content_type="image/jpeg")

    async def busy(request: web.Request) -> web.Response:
        return web.Response(status=503, headers={"Retry-After": "7"}, text="busy")

    app = web.Application()
    app.router.add_get(r"/img/{seed:\d+}.jpg", generated)
    for path in static:
        app.router.add_get(path, fixed)
    app.router.add_get("/endless.jpg", endless)
    app.router.add_get("/slow.jpg", slow)
    app.router.add_get("/hotlinked.jpg", hotlinked)
    app.router.add_get("/busy.jpg", busy)
    return app  # anything else: aiohttp's 404


@pytest.fixture
async def host() -> AsyncIterator[str]:
    async with ServedApp(image_host_app()) as served:
        yield served.base_url


def loopback_policy(*origins: str) -> AddressPolicy:
    """The SSRF guard opened for this module's servers on loopback, as the sandbox's is."""
    ports = frozenset(int(URL(origin).port or 0) for origin in origins)
    return AddressPolicy(
        allowed_hosts=("127.0.0.1",), allowed_networks=(ip_network("127.0.0.1/32"),), allowed_ports=ports
    )


def pipeline_for(s3_endpoint: str, s3_bucket: str, **overrides: Any) -> ImagePipeline:
    knobs: dict[str, Any] = {"connect_timeout_s": 1.0, "read_timeout_s": 1.0, "total_timeout_s": 1.5}
    knobs.update(overrides)
    return ImagePipeline(
        s3_endpoint=s3_endpoint, s3_access_key="test", s3_secret_key="test", s3_bucket=s3_bucket, **knobs
    )


@pytest.fixture
async def images(s3_endpoint: str, s3_bucket: str, host: str) -> AsyncIterator[ImagePipeline]:
    async with pipeline_for(
        s3_endpoint, s3_bucket, limits=ImageLimits(max_bytes=2 * 1024 * 1024), policy=loopback_policy(host)
    ) as pipeline:
        await pipeline.ensure_bucket()
        yield pipeline


@pytest.fixture
async def s3(s3_endpoint: str) -> AsyncIterator[Any]:
    session = get_session()
    async with session.create_client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ) as client:
        yield client


async def test_images_are_stored_in_s3_under_the_hash_of_the_uploaded_bytes(
    images: ImagePipeline, host: str, s3: Any, s3_bucket: str
) -> None:
    uploader, cache = RecordingUploader(), MemoryCache()
    result = await images.process_item(
        ITEM_NO, f"{host}/img/1.jpg", [f"{host}/img/2.jpg"], uploader=uploader, cache=cache
    )
    assert len(uploader.uploaded) == 2
    for name, data, content_type in uploader.uploaded:
        digest = hashlib.sha256(data).hexdigest()
        stored = await s3.get_object(Bucket=s3_bucket, Key=f"images/sha256/{digest}.jpg")
        assert await stored["Body"].read() == data
        assert stored["ContentType"] == content_type == "image/jpeg"
        assert name.endswith(".jpg")
        assert cache.rows[digest].s3_key == f"images/sha256/{digest}.jpg"
    assert result.representative == uploader_urls(cache)[0]
    assert result.detail_map == {f"{host}/img/2.jpg": uploader_urls(cache)[1]}
    assert result.optional == [result.detail_map[f"{host}/img/2.jpg"]]
    assert result.skipped == []


def uploader_urls(cache: MemoryCache) -> list[str]:
    return [str(row.naver_url) for row in cache.rows.values()]


async def test_the_same_image_is_uploaded_once_and_then_served_from_the_cache(
    images: ImagePipeline, host: str
) -> None:
    uploader, cache = RecordingUploader(), MemoryCache()
    rep, same_a, same_b = f"{host}/img/10.jpg", f"{host}/same-a.jpg", f"{host}/same-b.jpg"
    first = await images.process_item(
        ITEM_NO, rep, [same_a, same_b, rep, same_a], uploader=uploader, cache=cache
    )
    assert [len(call) for call in uploader.calls] == [2]
    assert first.detail_map[same_a] == first.detail_map[same_b]
    assert first.detail_map[rep] == first.representative
    assert first.optional == [first.detail_map[same_a]]
    assert len(cache.rows) == 2

    second = await images.process_item(ITEM_NO + 1, same_b, [rep], uploader=uploader, cache=cache)
    assert len(uploader.calls) == 1  # nothing new was uploaded
    assert second.representative == first.detail_map[same_a]
    assert second.detail_map == {rep: first.representative}


async def test_a_url_already_in_the_cache_is_used_without_uploading(images: ImagePipeline, host: str) -> None:
    uploader, cache = RecordingUploader(), MemoryCache()
    expected = normalise_image(jpeg(20), "JPEG", "x", images.limits)
    assert isinstance(expected, NormalisedImage)
    cache.rows[expected.sha256] = Row("https://shop-phinf.pstatic.net/old/1.jpg")
    result = await images.process_item(ITEM_NO, f"{host}/img/20.jpg", [], uploader=uploader, cache=cache)
    assert result.representative == "https://shop-phinf.pstatic.net/old/1.jpg"
    assert uploader.calls == []


async def test_a_cached_row_without_naver_url_is_uploaded(images: ImagePipeline, host: str) -> None:
    uploader, cache = RecordingUploader(), MemoryCache()
    expected = normalise_image(jpeg(21), "JPEG", "x", images.limits)
    assert isinstance(expected, NormalisedImage)
    cache.rows[expected.sha256] = Row(None, expected.s3_key)  # stored in S3 once, never uploaded
    result = await images.process_item(ITEM_NO, f"{host}/img/21.jpg", [], uploader=uploader, cache=cache)
    assert len(uploader.calls) == 1
    assert result.representative.startswith("https://shop-phinf.pstatic.net/")


async def test_twelve_distinct_images_are_uploaded_ten_per_call(images: ImagePipeline, host: str) -> None:
    uploader, cache = RecordingUploader(), MemoryCache()
    details = [f"{host}/img/{seed}.jpg" for seed in range(101, 112)]
    result = await images.process_item(
        ITEM_NO, f"{host}/img/100.jpg", details, uploader=uploader, cache=cache
    )
    assert [len(call) for call in uploader.calls] == [10, 2]
    assert len(set(uploader_urls(cache))) == 12
    assert len(result.detail_map) == 11
    assert result.optional == [result.detail_map[url] for url in details[:9]]
    assert result.representative not in result.optional


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/corrupt.jpg", "CORRUPT"),
        ("/page.jpg", "NOT_AN_IMAGE"),
        ("/small.png", "TOO_SMALL"),
        ("/bomb.png", "TOO_MANY_PIXELS"),
        ("/missing.jpg", "HTTP_404"),
        ("/big.jpg", "TOO_LARGE_BYTES"),
        ("/endless.jpg", "TOO_LARGE_BYTES"),
    ],
)
async def test_a_broken_representative_image_fails_the_item_for_good(
    s3_endpoint: str, s3_bucket: str, host: str, path: str, code: str
) -> None:
    uploader = RecordingUploader()
    limits = ImageLimits(max_bytes=100_000)  # /big.jpg declares more; /endless.jpg never ends
    async with pipeline_for(s3_endpoint, s3_bucket, limits=limits, policy=loopback_policy(host)) as pipeline:
        with pytest.raises(ImageRejected) as caught:
            await pipeline.process_item(
                ITEM_NO, f"{host}{path}", [f"{host}/img/1.jpg"], uploader=uploader, cache=MemoryCache()
            )
    assert isinstance(caught.value, PermanentError)
    assert caught.value.code == code
    assert caught.value.item_no == ITEM_NO
    message = str(caught.value)
    assert f"item {ITEM_NO}" in message
    assert f"{host}{path}" in message
    assert code in message
    assert uploader.calls == []


@pytest.mark.parametrize(("path", "code"), [("/slow.jpg", "TIMEOUT"), ("/busy.jpg", "HTTP_503")])
async def test_a_representative_image_that_may_work_later_is_a_transient_failure(
    images: ImagePipeline, host: str, path: str, code: str
) -> None:
    with pytest.raises(ImageFetchFailed) as caught:
        await images.process_item(
            ITEM_NO, f"{host}{path}", [], uploader=RecordingUploader(), cache=MemoryCache()
        )
    assert isinstance(caught.value, TransientError)
    assert caught.value.code == code
    assert f"item {ITEM_NO}" in str(caught.value)
    assert f"{host}{path}" in str(caught.value)
    if code == "HTTP_503":
        assert caught.value.retry_after_s == 7


async def test_a_refused_connection_is_a_transient_failure(s3_endpoint: str, s3_bucket: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    origin = f"http://127.0.0.1:{port}"
    async with pipeline_for(s3_endpoint, s3_bucket, policy=loopback_policy(origin)) as images:
        with pytest.raises(ImageFetchFailed) as caught:
            await images.process_item(
                ITEM_NO, f"{origin}/a.jpg", [], uploader=RecordingUploader(), cache=MemoryCache()
            )
    assert caught.value.code == "CONNECTION"


async def test_broken_detail_images_are_skipped_and_reported(images: ImagePipeline, host: str) -> None:
    broken = {
        "/corrupt.jpg": "CORRUPT",
        "/page.jpg": "NOT_AN_IMAGE",
        "/bomb.png": "TOO_MANY_PIXELS",
        "/missing.jpg": "HTTP_404",
        "/slow.jpg": "TIMEOUT",
        "/busy.jpg": "HTTP_503",
        "/endless.jpg": "TOO_LARGE_BYTES",
        "not a url": "INVALID_URL",
    }
    good = f"{host}/img/31.jpg"
    details = [good, *(f"{host}{path}" if path.startswith("/") else path for path in broken)]
    uploader = RecordingUploader()
    result = await images.process_item(
        ITEM_NO, f"{host}/img/30.jpg", details, uploader=uploader, cache=MemoryCache()
    )
    assert list(result.detail_map) == [good]
    assert {problem.url: problem.code for problem in result.skipped} == dict(
        zip(details[1:], broken.values(), strict=True)
    )
    assert [len(call) for call in uploader.calls] == [2]


async def test_webp_is_uploaded_as_jpeg_and_large_images_are_resized(
    images: ImagePipeline, host: str
) -> None:
    uploader = RecordingUploader()
    await images.process_item(
        ITEM_NO, f"{host}/photo.webp", [f"{host}/large.jpg"], uploader=uploader, cache=MemoryCache()
    )
    (webp_name, webp_data, webp_type), (_, large_data, _) = uploader.uploaded
    assert sniff_format(webp_data) == "JPEG"
    assert webp_type == "image/jpeg"
    assert webp_name.endswith(".jpg")
    with Image.open(io.BytesIO(large_data)) as large:
        assert large.size == (1200, 900)


async def test_hotlink_protected_images_are_fetched_with_the_domeggook_referer(
    images: ImagePipeline, host: str
) -> None:
    async with aiohttp.ClientSession() as plain, plain.get(f"{host}/hotlinked.jpg") as response:
        assert response.status == 403  # the endpoint really enforces it
    result = await images.process_item(
        ITEM_NO, f"{host}/hotlinked.jpg", [], uploader=RecordingUploader(), cache=MemoryCache()
    )
    assert result.representative.startswith("https://shop-phinf.pstatic.net/")


async def test_uploader_answering_too_few_urls_fails_loudly(images: ImagePipeline, host: str) -> None:
    with pytest.raises(ImageUploadMismatch):
        await images.process_item(
            ITEM_NO,
            f"{host}/img/40.jpg",
            [f"{host}/img/41.jpg"],
            uploader=ShortUploader(),
            cache=MemoryCache(),
        )


async def test_a_missing_bucket_is_created_again_and_the_image_stored(
    s3_endpoint: str, s3_bucket: str, host: str, s3: Any
) -> None:
    # ensure_bucket() is never called: as after an S3 restarted empty under a running worker
    async with pipeline_for(s3_endpoint, s3_bucket, policy=loopback_policy(host)) as pipeline:
        await pipeline.process_item(
            ITEM_NO, f"{host}/img/50.jpg", [], uploader=RecordingUploader(), cache=MemoryCache()
        )
    listed = await s3.list_objects_v2(Bucket=s3_bucket)
    assert listed["KeyCount"] == 1


async def test_ensure_bucket_creates_it_once(s3_endpoint: str, s3_bucket: str, s3: Any) -> None:
    async with pipeline_for(s3_endpoint, s3_bucket) as pipeline:
        assert await pipeline.ensure_bucket() is True
        assert await pipeline.ensure_bucket() is False
    names = [bucket["Name"] for bucket in (await s3.list_buckets())["Buckets"]]
    assert s3_bucket in names


async def test_storing_an_existing_object_skips_the_put(images: ImagePipeline, host: str, s3: Any) -> None:
    # Two caches that know nothing: the second item re-stores the same content key, which S3 keeps.
    uploader = RecordingUploader()
    await images.process_item(ITEM_NO, f"{host}/img/60.jpg", [], uploader=uploader, cache=MemoryCache())
    key = f"images/sha256/{hashlib.sha256(uploader.uploaded[0][1]).hexdigest()}.jpg"
    before = await s3.head_object(Bucket=images.bucket, Key=key)
    await images.process_item(ITEM_NO, f"{host}/img/60.jpg", [], uploader=uploader, cache=MemoryCache())
    after = await s3.head_object(Bucket=images.bucket, Key=key)
    assert before["ETag"] == after["ETag"]
    assert before["LastModified"] == after["LastModified"]
    assert len(uploader.calls) == 2  # each cache missed, so each uploaded


async def test_pipeline_from_settings_with_its_own_executor(
    s3_endpoint: str, s3_bucket: str, host: str
) -> None:
    settings = load_settings(
        S3_ENDPOINT=s3_endpoint,
        S3_BUCKET=s3_bucket,
        S3_ACCESS_KEY="k",
        S3_SECRET_KEY="s",
        IMAGE_ALLOWED_HOSTS="127.0.0.1",
        IMAGE_ALLOWED_NETWORKS="127.0.0.1/32",
        IMAGE_ALLOWED_PORTS=str(URL(host).port),
    )
    with ThreadPoolExecutor(max_workers=1) as executor:
        async with ImagePipeline.from_settings(settings, executor=executor, downloads_per_item=1) as pipeline:
            assert await pipeline.ensure_bucket() is True
            result = await pipeline.process_item(
                ITEM_NO,
                f"{host}/img/70.jpg",
                [f"{host}/img/71.jpg", f"{host}/img/72.jpg"],
                uploader=RecordingUploader(),
                cache=MemoryCache(),
            )
    assert len(result.detail_map) == 2


async def test_close_is_idempotent_and_a_closed_pipeline_refuses_work(
    s3_endpoint: str, s3_bucket: str, host: str
) -> None:
    pipeline = pipeline_for(s3_endpoint, s3_bucket)
    with pytest.raises(RuntimeError, match="not started"):
        await pipeline.ensure_bucket()
    await pipeline.start()
    assert not pipeline.closed
    await pipeline.close()
    await pipeline.close()
    assert pipeline.closed
    with pytest.raises(RuntimeError, match="closed"):
        await pipeline.process_item(
            ITEM_NO, f"{host}/img/1.jpg", [], uploader=RecordingUploader(), cache=MemoryCache()
        )
