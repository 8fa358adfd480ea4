"""Verify and normalise one downloaded image with Pillow (synchronous: run it in a worker thread).

Order matters for safety: the header is parsed with only the sniffed format's plugin enabled, the
declared size is checked against ``max_pixels`` *before* any pixel is decoded, and only then are
the pixels loaded. Pillow's own decompression-bomb guard (a warning above ~89 MP, an error above
twice that) is turned into ``TOO_MANY_PIXELS`` too, whether the warning is raised as an error
(tests run with ``-W error``) or not. The minimum size is not checked here: it applies to the
representative and optional images only (``too_small``), never to detail strips and slices.

Output policy (Naver accepts JPG/GIF/PNG/BMP, not WebP):
- JPEG and WebP → JPEG (alpha flattened onto white); PNG, GIF and BMP → PNG (lossless, keeps
  transparency; an animated GIF keeps its first frame only; BMP shrinks a lot).
- EXIF orientation is applied to the pixels, then every metadata block is dropped (EXIF with GPS,
  XMP, comments, text chunks); only the ICC colour profile is kept, because dropping it would
  change the colours of non-sRGB pictures.
- Width above ``max_width_px`` → scaled down to that width with Lanczos, aspect kept and no height
  cap, so a tall detail strip stays readable.
The result is deterministic for given input bytes, so its sha256 is a stable cache key.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from storebridge.images.fetch import JPEG, PNG, WEBP
from storebridge.images.types import CORRUPT, TOO_MANY_PIXELS, TOO_SMALL, ImageLimits, ImageProblem

#: Content type and file extension of each output format.
OUTPUT_TYPES: dict[str, tuple[str, str]] = {JPEG: ("image/jpeg", "jpg"), PNG: ("image/png", "png")}
#: Background that transparent pixels get when the output is JPEG.
FLATTEN_BACKGROUND_RGB = (255, 255, 255)
#: S3 key prefix; the key is ``images/sha256/<hex>.<ext>``.
S3_KEY_PREFIX = "images/sha256/"
#: Modes each output format is written in as they are; anything else is converted first.
_JPEG_MODES = frozenset({"RGB", "L"})
_PNG_MODES = frozenset({"RGB", "RGBA", "L", "LA"})


@dataclass(frozen=True)
class NormalisedImage:
    """Bytes ready for Naver: accepted format, bounded size, no metadata; named by their sha256."""

    data: bytes
    format: str
    width: int
    height: int
    sha256: str

    @property
    def content_type(self) -> str:
        """``image/jpeg`` or ``image/png``."""
        return OUTPUT_TYPES[self.format][0]

    @property
    def extension(self) -> str:
        """``jpg`` or ``png``."""
        return OUTPUT_TYPES[self.format][1]

    @property
    def s3_key(self) -> str:
        """Content-addressed key: the same picture always lands on the same object."""
        return f"{S3_KEY_PREFIX}{self.sha256}.{self.extension}"

    @property
    def filename(self) -> str:
        """File name sent to Naver (Naver ignores it for the URL; it only helps in traces)."""
        return f"{self.sha256[:16]}.{self.extension}"


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info
    )


def _to_output_mode(image: Image.Image, output_format: str) -> Image.Image:
    if output_format == JPEG:
        if image.mode in _JPEG_MODES and "transparency" not in image.info:
            return image
        if _has_alpha(image):
            rgba = image.convert("RGBA")
            background = Image.new("RGB", rgba.size, FLATTEN_BACKGROUND_RGB)
            background.paste(rgba, mask=rgba.getchannel("A"))
            return background
        return image.convert("RGB")
    if image.mode in _PNG_MODES and "transparency" not in image.info:
        return image
    return image.convert("RGBA" if _has_alpha(image) else "RGB")


def _matching_profile(icc_profile: object, mode: str) -> bytes | None:
    """The ICC profile if its colour space (header bytes 16..20) fits ``mode``, else None.

    A CMYK profile left on pixels converted to RGB would make viewers render wrong colours.
    """
    if not isinstance(icc_profile, bytes) or len(icc_profile) < 20:
        return None
    space = icc_profile[16:20]
    fits = (space == b"RGB " and mode in ("RGB", "RGBA")) or (space == b"GRAY" and mode in ("L", "LA"))
    return icc_profile if fits else None


def _encode(image: Image.Image, output_format: str, icc_profile: bytes | None, limits: ImageLimits) -> bytes:
    # Pillow's JPEG writer takes the comment, its PNG writer the ICC profile and transparency from
    # ``info``: drop everything and pass back only what is wanted.
    image.info = {}
    params: dict[str, object] = {"optimize": True}
    if icc_profile:
        params["icc_profile"] = icc_profile
    if output_format == JPEG:
        params["quality"] = limits.jpeg_quality
    buffer = io.BytesIO()
    image.save(buffer, format=output_format, **params)
    return buffer.getvalue()


def normalise_image(
    data: bytes, source_format: str, url: str, limits: ImageLimits
) -> NormalisedImage | ImageProblem:
    """Check ``data`` (whose magic bytes said ``source_format``) and return Naver-ready bytes.

    Problems: ``TOO_MANY_PIXELS`` (decided from the header, nothing decoded), ``CORRUPT``
    (unreadable header or pixels, truncated file). Small images pass: see ``too_small``.
    CPU-heavy: call it through ``asyncio.to_thread`` or an executor, never on the event loop.
    """
    try:
        opened = Image.open(io.BytesIO(data), formats=[source_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return ImageProblem(url, TOO_MANY_PIXELS, f"Pillow bomb guard: {exc}")
    except Exception as exc:  # Pillow's parsers raise assorted types on hostile input.
        return ImageProblem(url, CORRUPT, f"unreadable {source_format} header: {type(exc).__name__}")
    with opened:
        width, height = opened.size
        if width * height > limits.max_pixels:
            return ImageProblem(
                url, TOO_MANY_PIXELS, f"declares {width}x{height} px, limit {limits.max_pixels} pixels"
            )
        icc_profile = opened.info.get("icc_profile")
        try:
            opened.load()
            upright = ImageOps.exif_transpose(opened)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            return ImageProblem(url, TOO_MANY_PIXELS, f"Pillow bomb guard: {exc}")
        except Exception as exc:  # truncated data raises OSError, broken chunks SyntaxError, ...
            return ImageProblem(url, CORRUPT, f"{source_format} pixels cannot be decoded: {exc}")
    output_format = JPEG if source_format in (JPEG, WEBP) else PNG
    image = _to_output_mode(upright, output_format)
    if image.width > limits.max_width_px:
        height = max(1, round(image.height * limits.max_width_px / image.width))
        image = image.resize((limits.max_width_px, height), Image.Resampling.LANCZOS)
    encoded = _encode(image, output_format, _matching_profile(icc_profile, image.mode), limits)
    digest = hashlib.sha256(encoded).hexdigest()
    return NormalisedImage(encoded, output_format, image.width, image.height, digest)


def too_small(image: NormalisedImage, url: str, limits: ImageLimits) -> ImageProblem | None:
    """``TOO_SMALL`` when a representative or optional image is below ``min_side_px`` on a side.

    Detail images are exempt: a detail page is often a stack of thin slices (860 × 300 px) that
    only read as one picture together.
    """
    if min(image.width, image.height) >= limits.min_side_px:
        return None
    side = limits.min_side_px
    return ImageProblem(url, TOO_SMALL, f"{image.width}x{image.height} px, minimum {side}x{side}")
