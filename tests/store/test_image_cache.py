"""The state store's image cache: one row per content hash, the first writer's row wins."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from storebridge.store import InvariantViolation, StateStore

#: Writers raced on one image (the shared ``store`` fixture's pool has room for them).
CONCURRENT_CALLERS = 20


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def test_an_unknown_image_is_not_cached(store: StateStore) -> None:
    assert await store.get_image(sha(b"nothing")) is None


async def test_the_first_writer_of_an_image_wins(store: StateStore) -> None:
    key = sha(b"jpeg bytes")
    first = await store.put_image(
        key,
        s3_key=f"images/{key}.jpg",
        naver_url="https://shop-phinf.pstatic.net/a.jpg",
        width=800,
        height=600,
        size_bytes=12_345,
    )

    second = await store.put_image(
        key,
        s3_key="images/other.jpg",
        naver_url="https://shop-phinf.pstatic.net/b.jpg",
        width=1,
        height=1,
        size_bytes=1,
    )

    assert second == first
    assert await store.get_image(key) == first
    assert (first.naver_url, first.width, first.height, first.size_bytes) == (
        "https://shop-phinf.pstatic.net/a.jpg",
        800,
        600,
        12_345,
    )


async def test_a_missing_naver_url_is_filled_by_the_first_uploader(store: StateStore) -> None:
    key = sha(b"png bytes")
    stored = await store.put_image(key, s3_key=f"images/{key}.png", width=600, height=600, size_bytes=99)
    assert stored.naver_url is None

    uploaded = await store.put_image(
        key,
        s3_key="ignored",
        naver_url="https://shop-phinf.pstatic.net/1.png",
        width=600,
        height=600,
        size_bytes=99,
    )
    late = await store.put_image(
        key,
        s3_key="ignored",
        naver_url="https://shop-phinf.pstatic.net/2.png",
        width=600,
        height=600,
        size_bytes=99,
    )

    assert uploaded.naver_url == late.naver_url == "https://shop-phinf.pstatic.net/1.png"
    assert uploaded.s3_key == f"images/{key}.png"


async def test_concurrent_writers_of_one_image_all_get_the_same_row(store: StateStore) -> None:
    key = sha(b"popular image")

    rows = await asyncio.gather(
        *(
            store.put_image(
                key, s3_key=f"k{i}", naver_url=f"https://n/{i}", width=700, height=700, size_bytes=1000 + i
            )
            for i in range(CONCURRENT_CALLERS)
        )
    )

    assert len(set(rows)) == 1


async def test_an_image_key_must_be_a_sha256(store: StateStore) -> None:
    with pytest.raises(InvariantViolation):
        await store.put_image("not-a-hash", s3_key="k", width=1, height=1, size_bytes=1)
