"""Image upload and the simulated image host (reference §3)."""

from __future__ import annotations

import re

import aiohttp
import pytest

from tests.sandbox.support import NaverApi, ServeNaver, config_with, image_bytes

UPLOAD = "/v1/product-images/upload"
URL_SHAPE = re.compile(
    r"/shop-phinf/\d{8}_\d+/\d{13}[A-Za-z0-9]{5}_(JPEG|PNG|GIF|BMP)/\d+_\d+\.(jpg|png|gif|bmp)$"
)


def form_of(*files: bytes, field: str = "imageFiles") -> aiohttp.FormData:
    form = aiohttp.FormData()
    for index, data in enumerate(files):
        # The declared type is deliberately wrong: the simulator must look at the bytes.
        form.add_field(field, data, filename=f"{index}.jpg", content_type="image/jpeg")
    return form


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "BMP"])
async def test_accepted_formats_upload_and_are_served_back(naver: NaverApi, fmt: str) -> None:
    data = image_bytes(fmt)
    status, body, _ = await naver.call("POST", UPLOAD, data=form_of(data))
    url = body["images"][0]["url"]
    async with naver.session.get(url) as response:
        served, served_type = await response.read(), response.content_type
    assert status == 200
    assert url.startswith(naver.base_url)
    assert URL_SHAPE.search(url)
    assert served == data
    assert served_type.startswith("image/")


async def test_urls_come_back_in_upload_order_and_are_distinct(naver: NaverApi) -> None:
    files = [image_bytes("PNG", (8 + i, 8)) for i in range(10)]
    urls = await naver.upload(*files)
    bodies = []
    for url in urls:
        async with naver.session.get(url) as response:
            bodies.append(await response.read())
    assert len(set(urls)) == 10
    assert bodies == files


@pytest.mark.parametrize(
    "data",
    [image_bytes("WEBP"), b"<html>not an image</html>", b"", b"\xff\xd8\xff" + b"0" * 64],
    ids=["webp", "html", "empty", "jpeg-magic-only"],
)
async def test_webp_and_non_images_are_rejected(naver: NaverApi, data: bytes) -> None:
    status, body, _ = await naver.call("POST", UPLOAD, data=form_of(image_bytes(), data))
    stats = await naver.stats()
    assert status == 400
    assert body["code"] == "BAD_REQUEST"
    assert [item["name"] for item in body["invalidInputs"]] == ["imageFiles[1]"]
    assert stats["images"] == 0


async def test_more_than_ten_files_are_rejected(naver: NaverApi) -> None:
    status, body, _ = await naver.call("POST", UPLOAD, data=form_of(*[image_bytes()] * 11))
    assert status == 400
    assert body["invalidInputs"][0]["name"] == "imageFiles"


async def test_file_over_the_size_limit_is_rejected(serve_naver: ServeNaver) -> None:
    big = image_bytes("BMP", (64, 64))
    naver = await serve_naver(config_with(max_image_bytes=len(big) - 1))
    status, body, _ = await naver.call("POST", UPLOAD, data=form_of(big))
    assert status == 400
    assert body["invalidInputs"][0]["type"] == "MaxUploadSize"


async def test_image_smaller_than_the_configured_minimum_side_is_rejected(serve_naver: ServeNaver) -> None:
    naver = await serve_naver(config_with(min_image_side_px=600))
    small_status, small_body, _ = await naver.call(
        "POST", UPLOAD, data=form_of(image_bytes("PNG", (600, 599)))
    )
    ok_status, _, _ = await naver.call("POST", UPLOAD, data=form_of(image_bytes("PNG", (600, 600))))
    assert small_status == 400
    assert small_body["invalidInputs"][0]["type"] == "MinImageSize"
    assert ok_status == 200


async def test_upload_without_image_files_field_is_rejected(naver: NaverApi) -> None:
    status, body, _ = await naver.call("POST", UPLOAD, data=form_of(image_bytes(), field="files"))
    assert status == 400
    assert body["invalidInputs"][0]["name"] == "imageFiles"


async def test_non_multipart_upload_is_rejected(naver: NaverApi) -> None:
    status, body, _ = await naver.call("POST", UPLOAD, json={"imageFiles": []})
    assert status == 415
    assert body["code"] == "UNSUPPORTED_MEDIA_TYPE"


async def test_unknown_image_path_is_404(naver: NaverApi) -> None:
    async with naver.session.get(f"{naver.base_url}/shop-phinf/20260101_1/nothing.jpg") as response:
        status = response.status
    assert status == 404
