"""``POST /v1/product-images/upload`` and the simulated image host that serves the uploads back.

Upload rules (reference §3): multipart parts named ``imageFiles``, at most 10 per call, JPG/GIF/PNG/
BMP recognised from the bytes (WebP and non-images refused), at most ``max_image_bytes`` each. A
call with any bad file stores nothing and lists every problem. Files are read in chunks so an
oversized upload never sits in memory whole.
"""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from storebridge.sandbox.naver.image_store import (
    ACCEPTED_FORMATS,
    image_size,
    sniff_format,
)
from storebridge.sandbox.naver.state import NaverState, get_state
from storebridge.sandbox.naver.wire import SimInvalidInput, product_error

FIELD_NAME = "imageFiles"
_CHUNK_BYTES = 64 * 1024
#: The type/message texts below are ours ([UNK] in the reference).
FORMAT_REFUSED = ("NotSupported.image.format", "JPG, GIF, PNG, BMP 형식의 이미지만 업로드할 수 있습니다.")


async def _read_limited(part: BodyPartReader, limit: int) -> bytes | None:
    """The part's bytes, or None (after draining it) when it is larger than ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(_CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            await part.release()
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _file_problems(
    index: int, data: bytes | None, state: NaverState
) -> tuple[list[SimInvalidInput], str | None]:
    name = f"{FIELD_NAME}[{index}]"
    config = state.config
    if data is None:
        limit_mb = config.max_image_bytes / (1024 * 1024)
        return [
            SimInvalidInput(
                name, "MaxUploadSize", f"이미지 파일은 최대 {limit_mb:g}MB까지 업로드할 수 있습니다."
            )
        ], None
    fmt = sniff_format(data)
    # Magic bytes first (WebP and HTML never get further), then Pillow must read the header: a
    # truncated or fake file with the right first bytes is not an image either.
    size = image_size(data) if fmt in ACCEPTED_FORMATS else None
    if size is None:
        return [SimInvalidInput(name, *FORMAT_REFUSED)], None
    side = config.min_image_side_px
    if side > 0 and min(size) < side:
        message = f"이미지는 가로, 세로 {side}px 이상이어야 합니다."
        return [SimInvalidInput(name, "MinImageSize", message)], None
    return [], fmt


async def upload_images(request: web.Request) -> web.Response:
    """Store every file of a valid call and answer ``{"images": [{"url": …}, …]}`` in upload order."""
    state = get_state(request)
    config = state.config
    if request.content_type != "multipart/form-data":
        return product_error(415, now_s=state.clock(), message="multipart/form-data 요청이어야 합니다.")
    reader = await request.multipart()
    accepted: list[tuple[bytes, str]] = []
    problems: list[SimInvalidInput] = []
    count = 0
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name != FIELD_NAME:
            await part.release()
            continue
        if count >= config.max_images_per_upload:
            await part.release()
            count += 1
            continue
        data = await _read_limited(part, config.max_image_bytes)
        file_problems, fmt = _file_problems(count, data, state)
        problems.extend(file_problems)
        if data is not None and fmt is not None:
            accepted.append((data, fmt))
        count += 1
    if count == 0:
        problems.append(SimInvalidInput(FIELD_NAME, "NotNull", "업로드할 이미지 파일을 입력해주세요."))
    if count > config.max_images_per_upload:
        message = f"이미지는 한 번에 최대 {config.max_images_per_upload}개까지 업로드할 수 있습니다."
        problems.append(SimInvalidInput(FIELD_NAME, "Size", message))
    if problems:
        return product_error(400, now_s=state.clock(), invalid_inputs=problems)
    origin = str(request.url.origin())
    now_s = state.clock()
    urls = [state.images.add(data, fmt, origin=origin, now_s=now_s).url for data, fmt in accepted]
    return web.json_response({"images": [{"url": url} for url in urls]})


async def serve_image(request: web.Request) -> web.Response:
    """``GET /shop-phinf/…`` — the bytes of an uploaded image (plain 404 for unknown paths)."""
    image = get_state(request).images.get(request.path)
    if image is None:
        raise web.HTTPNotFound()
    return web.Response(body=image.data, content_type=image.format.content_type)
