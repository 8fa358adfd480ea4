"""Pure transform from a parsed Domeggook item to a Naver product payload (no I/O anywhere).

Entry points: ``build_product`` (payload or rejections), ``image_sources`` (what to re-host first),
``seller_management_code``, and the source hashes ``content_hash`` / ``structure_hash`` the sync
compares to tell an unchanged item from a price/stock or a structural change. Knobs live in
``TransformRules``.
"""

from __future__ import annotations

from storebridge.transform.normalise import content_hash, structure_hash
from storebridge.transform.product import (
    ImageSources,
    build_product,
    image_sources,
    seller_management_code,
)
from storebridge.transform.result import (
    Adjustment,
    AdjustmentCode,
    Rejection,
    RejectionCode,
    Transformed,
    TransformRejected,
    TransformResult,
)
from storebridge.transform.rules import TransformRules
from storebridge.transform.words import WordRule

__all__ = [
    "Adjustment",
    "AdjustmentCode",
    "ImageSources",
    "Rejection",
    "RejectionCode",
    "TransformRejected",
    "TransformResult",
    "TransformRules",
    "Transformed",
    "WordRule",
    "build_product",
    "content_hash",
    "image_sources",
    "seller_management_code",
    "structure_hash",
]
