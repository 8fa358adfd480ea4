"""Verification and normalisation of image bytes (Pillow work, no I/O): sniffing, bombs, formats."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from storebridge.images import (
    CORRUPT,
    TOO_MANY_PIXELS,
    TOO_SMALL,
    ImageLimits,
    ImageProblem,
    NormalisedImage,
    normalise_image,
    sniff_format,
)
from storebridge.images.normalise import too_small
from tests.images.support import encode, png_declaring

URL = "http://supplier.test/img.jpg"
LIMITS = ImageLimits()


def picture(seed: int, size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A deterministic picture: coloured rectangles drawn from ``seed``."""
    rng = random.Random(seed)
    image = Image.new(
        mode, size, (rng.randrange(256), rng.randrange(256), rng.randrange(256), 255)[: len(mode)]
    )
    for _ in range(12):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        box = (x0, y0, min(size[0], x0 + rng.randrange(1, 200)), min(size[1], y0 + rng.randrange(1, 200)))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256), rng.randrange(256))
        image.paste(colour[: len(mode)], box)
    return image


def normalised(data: bytes, limits: ImageLimits = LIMITS) -> NormalisedImage:
    fmt = sniff_format(data)
    assert fmt is not None
    result = normalise_image(data, fmt, URL, limits)
    assert isinstance(result, NormalisedImage), result
    return result


def problem(data: bytes, limits: ImageLimits = LIMITS) -> ImageProblem:
    fmt = sniff_format(data)
    assert fmt is not None
    result = normalise_image(data, fmt, URL, limits)
    assert isinstance(result, ImageProblem), result
    return result


def test_formats_are_recognised_from_magic_bytes_not_names() -> None:
    image = picture(1, (40, 40))
    assert sniff_format(encode(image, "JPEG")) == "JPEG"
    assert sniff_format(encode(image, "PNG")) == "PNG"
    assert sniff_format(encode(image.convert("P"), "GIF")) == "GIF"
    assert sniff_format(encode(image, "BMP")) == "BMP"
    assert sniff_format(encode(image, "WEBP")) == "WEBP"
    assert sniff_format(b"<!DOCTYPE html><html><body>403</body></html>") is None
    assert sniff_format(b"") is None


def test_webp_becomes_jpeg() -> None:
    result = normalised(encode(picture(2, (800, 700)), "WEBP"))
    assert (result.format, result.content_type, result.extension) == ("JPEG", "image/jpeg", "jpg")
    assert sniff_format(result.data) == "JPEG"
    assert (result.width, result.height) == (800, 700)


def test_transparent_webp_is_flattened_onto_white() -> None:
    image = Image.new("RGBA", (600, 600), (255, 0, 0, 0))  # fully transparent red
    result = normalised(encode(image, "WEBP", lossless=True))
    with Image.open(io.BytesIO(result.data)) as out:
        assert out.mode == "RGB"
        red, green, blue = out.convert("RGB").getpixel((300, 300))  # type: ignore[misc]
    assert min(red, green, blue) > 245


def test_gif_and_bmp_become_png_and_png_stays_png() -> None:
    for data in (
        encode(picture(3, (600, 600)).convert("P"), "GIF"),
        encode(picture(3, (600, 600)), "BMP"),
        encode(picture(3, (600, 600), "RGBA"), "PNG"),
    ):
        result = normalised(data)
        assert result.format == "PNG"
        assert sniff_format(result.data) == "PNG"


def test_longest_side_is_resized_to_the_limit_keeping_the_aspect() -> None:
    result = normalised(encode(picture(4, (2400, 1800)), "JPEG"))
    assert (result.width, result.height) == (1200, 900)
    with Image.open(io.BytesIO(result.data)) as out:
        assert out.size == (1200, 900)


def test_small_enough_image_keeps_its_size() -> None:
    result = normalised(encode(picture(5, (1200, 500)), "PNG"))
    assert (result.width, result.height) == (1200, 500)


def test_metadata_is_stripped_and_orientation_applied() -> None:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    data = encode(picture(6, (800, 600)), "JPEG", exif=exif.tobytes(), comment=b"supplier note")
    result = normalised(data)
    assert (result.width, result.height) == (600, 800)
    with Image.open(io.BytesIO(result.data)) as out:
        assert "exif" not in out.info
        assert "comment" not in out.info
        assert dict(out.getexif()) == {}
    assert b"SecretCam" not in result.data
    assert b"supplier note" not in result.data


def test_same_input_gives_the_same_hash_and_key() -> None:
    data = encode(picture(7, (700, 700)), "JPEG")
    first, second = normalised(data), normalised(data)
    assert first.sha256 == second.sha256
    assert first.s3_key == f"images/sha256/{first.sha256}.jpg"
    assert normalised(encode(picture(8, (700, 700)), "JPEG")).sha256 != first.sha256


def test_header_declaring_too_many_pixels_is_rejected_without_decoding() -> None:
    # Control: the same construction at an allowed size fails only when its pixels are decoded.
    assert problem(png_declaring(600, 600)).code == CORRUPT
    over_our_cap = problem(png_declaring(8000, 6000))  # 48 MP: over our 40 MP cap, under Pillow's
    assert over_our_cap.code == TOO_MANY_PIXELS
    assert "8000x6000" in over_our_cap.detail
    assert problem(png_declaring(30000, 30000)).code == TOO_MANY_PIXELS  # Pillow's own guard


def test_below_the_minimum_side_is_too_small_for_representative_and_optional_images() -> None:
    # Changed with issue 8: normalise_image itself no longer refuses small images (detail slices
    # are kept); ``too_small`` applies the minimum to the representative and optional images.
    small = normalised(encode(picture(9, (50, 50)), "PNG"))
    result = too_small(small, URL, LIMITS)
    assert result is not None
    assert result.code == TOO_SMALL
    assert "50x50" in result.detail
    flat = too_small(normalised(encode(picture(9, (1000, 499)), "PNG")), URL, LIMITS)
    assert flat is not None
    assert flat.code == TOO_SMALL
    assert too_small(small, URL, ImageLimits(min_side_px=50)) is None


def test_a_tall_detail_strip_keeps_its_proportions_and_stays_readable() -> None:
    result = normalised(encode(picture(3, (860, 8000)), "JPEG"))
    assert (result.width, result.height) == (860, 8000)
    wide = normalised(encode(picture(3, (1720, 8000)), "JPEG"))
    assert (wide.width, wide.height) == (1200, 5581)


def test_a_thin_detail_slice_is_kept() -> None:
    result = normalised(encode(picture(3, (860, 300)), "JPEG"))
    assert (result.width, result.height) == (860, 300)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            b"\xff\xd8\xff\xe0" + bytes(random.Random(1).randbytes(500)), id="garbage-after-jpeg-magic"
        ),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, id="png-magic-only"),
        pytest.param(b"RIFF\x00\x00\x00\x00WEBPVP8 broken", id="broken-webp"),
    ],
)
def test_unreadable_headers_are_corrupt(data: bytes) -> None:
    assert problem(data).code == CORRUPT


def test_truncated_pixels_are_corrupt() -> None:
    data = encode(picture(10, (800, 800)), "JPEG")
    assert problem(data[: len(data) // 3]).code == CORRUPT


def test_limits_reject_nonsense_values() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        ImageLimits(max_bytes=0)
    with pytest.raises(ValueError, match="min_side_px"):
        ImageLimits(min_side_px=2000, max_width_px=1200)
