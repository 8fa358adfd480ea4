"""Pure transform from a parsed Domeggook item to a Naver product payload (no I/O anywhere).

Entry points: ``build_product`` (payload or rejections), ``image_sources`` (what to re-host first),
``seller_management_code``, ``source_hash`` and, for price/stock sync, ``price_stock_snapshot`` /
``classify_change``. Knobs live in ``TransformRules``.
"""

from __future__ import annotations

from storebridge.transform.normalize import (
    ChangeKind,
    PriceStockSnapshot,
    classify_change,
    content_hash,
    price_stock_snapshot,
    structure_hash,
)
from storebridge.transform.product import (
    ImageSources,
    build_product,
    image_sources,
    seller_management_code,
    source_hash,
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
    "ChangeKind",
    "ImageSources",
    "PriceStockSnapshot",
    "Rejection",
    "RejectionCode",
    "TransformRejected",
    "TransformResult",
    "TransformRules",
    "Transformed",
    "WordRule",
    "build_product",
    "classify_change",
    "content_hash",
    "image_sources",
    "price_stock_snapshot",
    "seller_management_code",
    "source_hash",
    "structure_hash",
]
