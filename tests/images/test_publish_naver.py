"""The image pipeline against the simulators: Domeggook's image host in, the real ``NaverClient`` and
``StateStore`` (PostgreSQL image cache) and the real S3 (moto) behind it, Naver's upload API out.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import aiohttp
import pytest

from storebridge.config import load_settings
from storebridge.images import (
    ImageCache,
    ImageFetchFailed,
    ImagePipeline,
    ImageRejected,
    NaverImageUploader,
)
from storebridge.images.guard import AddressPolicy
from storebridge.naver import NaverClient
from storebridge.sandbox.catalog.model import Item, Scenario
from storebridge.sandbox.images import detail_image_urls, thumb_urls
from storebridge.sandbox.runner import Sandbox
from storebridge.store import StateStore
from tests.support import naver_stats


def sandbox_policy(sandbox: Sandbox) -> AddressPolicy:
    """The SSRF guard as the sandbox's settings open it (its image host on loopback, nothing else)."""
    return AddressPolicy.from_settings(load_settings(**sandbox.environment()))


@pytest.fixture
async def images(s3_endpoint: str, s3_bucket: str, sandbox: Sandbox) -> AsyncIterator[ImagePipeline]:
    async with ImagePipeline(
        s3_endpoint=s3_endpoint,
        s3_access_key="test",
        s3_secret_key="test",
        s3_bucket=s3_bucket,
        policy=sandbox_policy(sandbox),
    ) as pipeline:
        await pipeline.ensure_bucket()
        yield pipeline


@pytest.fixture
async def naver(sandbox: Sandbox) -> AsyncIterator[NaverClient]:
    env = sandbox.environment()
    async with NaverClient(
        api_url=env["NAVER_API_URL"],
        client_id=env["NAVER_CLIENT_ID"],
        client_secret=env["NAVER_CLIENT_SECRET"],
    ) as client:
        yield client


def plain_item(sandbox: Sandbox) -> Item:
    return next(item for item in sandbox.catalog.items if not item.scenarios and item.detail_images >= 2)


async def test_item_images_are_uploaded_to_the_simulator_once_and_cached_in_postgres(
    sandbox: Sandbox, images: ImagePipeline, naver: NaverClient, store: StateStore
) -> None:
    uploader: NaverImageUploader = naver  # the real client satisfies the Protocols as they are
    cache: ImageCache = store
    item = plain_item(sandbox)
    representative = thumb_urls(sandbox.domeggook_origin, item)["original"]
    details = detail_image_urls(sandbox.domeggook_origin, item)

    first = await images.process_item(item.no, representative, details, uploader=uploader, cache=cache)
    assert first.skipped == []
    assert set(first.detail_map) == set(details)
    assert (await naver_stats(sandbox.naver_origin))["images"] == 1 + len(details)

    async with aiohttp.ClientSession() as http, http.get(first.representative) as response:
        assert response.status == 200
        uploaded = await response.read()
    row = await store.get_image(hashlib.sha256(uploaded).hexdigest())
    assert row is not None
    assert row.naver_url == first.representative
    assert row.s3_key.startswith("images/sha256/")
    assert row.width == row.height == 800

    again = await images.process_item(item.no, representative, details, uploader=uploader, cache=cache)
    assert again == first
    assert (await naver_stats(sandbox.naver_origin))["images"] == 1 + len(details)  # nothing uploaded twice


@pytest.mark.parametrize(
    ("scenario", "code"),
    [
        (Scenario.CORRUPT_IMAGE, "CORRUPT"),
        (Scenario.NOT_AN_IMAGE, "NOT_AN_IMAGE"),
        (Scenario.TINY_IMAGE, "TOO_SMALL"),
        (Scenario.HUGE_DIMENSIONS, "TOO_MANY_PIXELS"),
    ],
)
async def test_hostile_representative_images_of_the_catalog_are_rejected(
    sandbox: Sandbox,
    images: ImagePipeline,
    naver: NaverClient,
    store: StateStore,
    scenario: Scenario,
    code: str,
) -> None:
    (item, *_) = sandbox.catalog.with_scenario(scenario)
    representative = thumb_urls(sandbox.domeggook_origin, item)["original"]
    with pytest.raises(ImageRejected) as caught:
        await images.process_item(item.no, representative, [], uploader=naver, cache=store)
    assert caught.value.code == code
    assert str(item.no) in str(caught.value)
    assert (await naver_stats(sandbox.naver_origin))["images"] == 0


async def test_catalog_webp_is_uploaded_as_jpeg(
    sandbox: Sandbox, images: ImagePipeline, naver: NaverClient, store: StateStore
) -> None:
    (item, *_) = sandbox.catalog.with_scenario(Scenario.WEBP_IMAGE)
    representative = thumb_urls(sandbox.domeggook_origin, item)["original"]
    result = await images.process_item(item.no, representative, [], uploader=naver, cache=store)
    assert "_JPEG/" in result.representative
    assert result.representative.endswith(".jpg")


async def test_catalog_slow_representative_image_is_a_transient_failure(
    sandbox: Sandbox, s3_endpoint: str, s3_bucket: str, naver: NaverClient, store: StateStore
) -> None:
    (item, *_) = sandbox.catalog.with_scenario(Scenario.SLOW_IMAGE)
    representative = thumb_urls(sandbox.domeggook_origin, item)["original"]
    async with ImagePipeline(
        s3_endpoint=s3_endpoint,
        s3_access_key="test",
        s3_secret_key="test",
        s3_bucket=s3_bucket,
        total_timeout_s=1.0,  # the simulator answers after 5 s
        policy=sandbox_policy(sandbox),
    ) as pipeline:
        with pytest.raises(ImageFetchFailed) as caught:
            await pipeline.process_item(item.no, representative, [], uploader=naver, cache=store)
    assert caught.value.code == "TIMEOUT"
