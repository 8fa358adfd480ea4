"""The Domeggook simulator's fake image host: real pictures, hotlink protection, broken cases."""

from __future__ import annotations

import html
import io
import re
import struct
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from PIL import Image, UnidentifiedImageError

from storebridge.sandbox.catalog.generator import Catalog, Item, ItemStatus, Scenario, generate_catalog
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from storebridge.sandbox.images import TALL_STRIP_PX, THIN_SLICE_PX, detail_size
from tests.sandbox.support import KEY, ServeDomeggook

DOMEGGOOK_REFERER = "https://domeggook.com/"


@dataclass
class Fetched:
    status: int
    content_type: str
    body: bytes


@dataclass
class Host:
    session: aiohttp.ClientSession
    base_url: str
    catalog: Catalog

    async def view(self, item: Item) -> Any:
        query = {"aid": KEY, "om": "json", "ver": "4.5", "mode": "getItemView", "no": str(item.no)}
        async with self.session.get(self.base_url + "/ssl/api/", params=query) as response:
            return (await response.json())["domeggook"]

    async def fetch(self, url: str, *, referer: str | None = None, timeout_s: float | None = None) -> Fetched:
        headers = {"Referer": referer} if referer else {}
        timeout = aiohttp.ClientTimeout(total=timeout_s) if timeout_s else None
        async with self.session.get(url, headers=headers, timeout=timeout) as response:
            return Fetched(response.status, response.content_type, await response.read())

    async def original(self, item: Item) -> Fetched:
        return await self.fetch((await self.view(item))["thumb"]["original"])

    async def detail_urls(self, item: Item) -> list[str]:
        contents = (await self.view(item))["desc"]["contents"]["item"]
        return [html.unescape(src) for src in re.findall(r'<img src="([^"]+)"', contents)]


@pytest.fixture
async def host(serve_domeggook: ServeDomeggook) -> Host:
    api = await serve_domeggook(generate_catalog(300, 21), DomeggookSimConfig(slow_image_delay_s=30.0))
    return Host(api.session, api.base_url, api.catalog)


def _healthy(catalog: Catalog) -> Item:
    return next(i for i in catalog if i.status is ItemStatus.ON_SALE and not i.scenarios)


def _tagged(catalog: Catalog, scenario: Scenario) -> Item:
    return catalog.with_scenario(scenario)[0]


async def test_representative_image_is_an_800px_jpeg_served_without_a_referer(host: Host) -> None:
    fetched = await host.original(_healthy(host.catalog))
    assert fetched.status == 200
    assert fetched.content_type == "image/jpeg"
    image = Image.open(io.BytesIO(fetched.body))
    image.load()
    assert image.format == "JPEG"
    assert image.size == (800, 800)


async def test_the_same_image_url_always_returns_the_same_bytes_and_items_differ(host: Host) -> None:
    first, second = host.catalog.find(lambda i: i.status is ItemStatus.ON_SALE and not i.scenarios)[:2]
    assert (await host.original(first)).body == (await host.original(first)).body
    assert (await host.original(first)).body != (await host.original(second)).body


async def test_small_thumbnails_are_png_and_large_ones_are_330px(host: Host) -> None:
    thumb = (await host.view(_healthy(host.catalog)))["thumb"]
    small = await host.fetch(thumb["smallPng"])
    assert small.content_type == "image/png"
    assert Image.open(io.BytesIO(small.body)).size == (150, 150)
    large = await host.fetch(thumb["large"])
    assert Image.open(io.BytesIO(large.body)).size == (330, 330)


async def test_detail_images_need_the_domeggook_referer(host: Host) -> None:
    item = _healthy(host.catalog)
    urls = await host.detail_urls(item)
    assert urls
    assert (await host.fetch(urls[0])).status == 403
    assert (await host.fetch(urls[0], referer="https://smartstore.naver.com/")).status == 403
    allowed = await host.fetch(urls[0], referer=DOMEGGOOK_REFERER)
    assert allowed.status == 200
    assert allowed.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(allowed.body)).size == detail_size(item.no, 1)
    www = await host.fetch(urls[-1], referer="https://www.domeggook.com/main/item/itemView.php")
    assert www.status == 200


async def test_supplier_notice_banner_is_hotlink_protected_too(host: Host) -> None:
    notice = (await host.view(_healthy(host.catalog)))["desc"]["notice"]
    url = html.unescape(re.findall(r'<img src="([^"]+)"', notice)[0])
    assert (await host.fetch(url)).status == 403
    assert (await host.fetch(url, referer=DOMEGGOOK_REFERER)).status == 200


async def test_corrupt_image_has_a_jpeg_header_but_fails_to_decode(host: Host) -> None:
    fetched = await host.original(_tagged(host.catalog, Scenario.CORRUPT_IMAGE))
    assert fetched.status == 200
    assert fetched.content_type == "image/jpeg"
    assert fetched.body[:2] == b"\xff\xd8"
    with pytest.raises(OSError, match="broken data stream"):
        Image.open(io.BytesIO(fetched.body)).load()


async def test_not_an_image_is_an_html_page_labelled_as_jpeg(host: Host) -> None:
    fetched = await host.original(_tagged(host.catalog, Scenario.NOT_AN_IMAGE))
    assert fetched.status == 200
    assert fetched.content_type == "image/jpeg"
    assert fetched.body.lstrip().lower().startswith(b"<!doctype html")
    with pytest.raises(UnidentifiedImageError):
        Image.open(io.BytesIO(fetched.body))


async def test_tiny_image_is_fifty_pixels_square(host: Host) -> None:
    fetched = await host.original(_tagged(host.catalog, Scenario.TINY_IMAGE))
    assert Image.open(io.BytesIO(fetched.body)).size == (50, 50)


async def test_huge_dimensions_image_declares_thirty_thousand_pixels_but_is_tiny_on_the_wire(
    host: Host,
) -> None:
    fetched = await host.original(_tagged(host.catalog, Scenario.HUGE_DIMENSIONS))
    assert fetched.status == 200
    assert fetched.content_type == "image/png"
    assert len(fetched.body) < 1024
    assert fetched.body[12:16] == b"IHDR"
    assert struct.unpack(">II", fetched.body[16:24]) == (30_000, 30_000)
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(fetched.body))


async def test_webp_image_is_served_as_webp(host: Host) -> None:
    fetched = await host.original(_tagged(host.catalog, Scenario.WEBP_IMAGE))
    assert fetched.content_type == "image/webp"
    assert Image.open(io.BytesIO(fetched.body)).format == "WEBP"


async def test_slow_image_does_not_answer_within_a_short_client_timeout(host: Host) -> None:
    url = (await host.view(_tagged(host.catalog, Scenario.SLOW_IMAGE)))["thumb"]["original"]
    with pytest.raises(TimeoutError):
        await host.fetch(url, timeout_s=0.3)


async def test_slow_image_arrives_intact_when_the_delay_is_zero(serve_domeggook: ServeDomeggook) -> None:
    catalog = generate_catalog(300, 21)
    api = await serve_domeggook(catalog, DomeggookSimConfig(slow_image_delay_s=0.0))
    host = Host(api.session, api.base_url, catalog)
    fetched = await host.original(_tagged(catalog, Scenario.SLOW_IMAGE))
    assert Image.open(io.BytesIO(fetched.body)).size == (800, 800)


async def test_missing_detail_image_answers_404_for_the_last_detail_image(host: Host) -> None:
    urls = await host.detail_urls(_tagged(host.catalog, Scenario.MISSING_DETAIL_IMAGE))
    statuses = [(await host.fetch(url, referer=DOMEGGOOK_REFERER)).status for url in urls]
    assert statuses == [200] * (len(urls) - 1) + [404]


async def test_unknown_image_paths_are_404(host: Host) -> None:
    assert (await host.fetch(host.base_url + "/_img/upload/item/2024/01/01/1/abc_img_760")).status == 404
    assert (await host.fetch(host.base_url + "/_img/nothing-here.jpg")).status == 404


async def test_image_requests_do_not_count_against_the_api_quota(host: Host) -> None:
    item = _healthy(host.catalog)
    await host.original(item)
    async with host.session.get(host.base_url + "/_sandbox/stats") as response:
        stats = await response.json()
    assert stats["daily_used"] == 1  # the getItemView call only
    assert stats["images"]["served"] == 1


async def test_the_catalog_has_tall_detail_strips_and_thin_slices(host: Host) -> None:
    # Korean detail pages (fidelity-evidence #9): a client that shrinks the longest side or drops
    # small images tears these apart, so the sandbox must serve them.
    strip_item = next(i for i in host.catalog if detail_size(i.no, 1) == TALL_STRIP_PX and i.detail_images)
    slice_item = next(i for i in host.catalog if detail_size(i.no, 1) == THIN_SLICE_PX and i.detail_images)

    strip = await host.fetch((await host.detail_urls(strip_item))[0], referer=DOMEGGOOK_REFERER)
    slices = await host.fetch((await host.detail_urls(slice_item))[0], referer=DOMEGGOOK_REFERER)

    assert Image.open(io.BytesIO(strip.body)).size == (860, 8000)
    assert Image.open(io.BytesIO(slices.body)).size == (860, 300)
