"""One item's images → Naver upload URLs: fetch, verify and normalise, store in S3, upload once."""

from storebridge.images.fetch import sniff_format
from storebridge.images.normalise import NormalisedImage, normalise_image
from storebridge.images.pipeline import ImagePipeline
from storebridge.images.types import (
    CORRUPT,
    TOO_MANY_PIXELS,
    TOO_SMALL,
    ImageCache,
    ImageFetchFailed,
    ImageLimits,
    ImageProblem,
    ImageRejected,
    ImageStorageFailed,
    ImageUploadMismatch,
    NaverImageUploader,
)

__all__ = [
    "CORRUPT",
    "TOO_MANY_PIXELS",
    "TOO_SMALL",
    "ImageCache",
    "ImageFetchFailed",
    "ImageLimits",
    "ImagePipeline",
    "ImageProblem",
    "ImageRejected",
    "ImageStorageFailed",
    "ImageUploadMismatch",
    "NaverImageUploader",
    "NormalisedImage",
    "normalise_image",
    "sniff_format",
]
