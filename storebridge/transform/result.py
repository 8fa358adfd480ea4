"""Outcome types of the transform: a payload, or the precise reasons it could not be built.

Rejections are values, not exceptions: the caller records every reason at once (an item can be
unmapped *and* overpriced) and moves the product to MANUAL_REVIEW. Adjustments are the changes
the transform made on its own (a word replaced, a name shortened, a variant dropped); they do not
block the product but are logged so an operator can audit them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from schemas.naver import ProductPayload


class RejectionCode(StrEnum):
    """Why an item cannot be registered without a human (business-rules §3: MANUAL_REVIEW, no retry)."""

    PRICE_MISSING = "PRICE_MISSING"
    PRICE_OUT_OF_RANGE = "PRICE_OUT_OF_RANGE"
    PRICE_BELOW_MIN_MARGIN = "PRICE_BELOW_MIN_MARGIN"
    MARKET_UNAVAILABLE = "MARKET_UNAVAILABLE"
    CATEGORY_MISSING = "CATEGORY_MISSING"
    CATEGORY_NOT_MAPPED = "CATEGORY_NOT_MAPPED"
    CERTIFICATION_REQUIRED = "CERTIFICATION_REQUIRED"
    #: A unit-price (가격표시제) leaf and no single capacity to send as ``unitCapacity``.
    UNIT_CAPACITY_MISSING = "UNIT_CAPACITY_MISSING"
    BANNED_WORD = "BANNED_WORD"
    NAME_EMPTY = "NAME_EMPTY"
    OPTION_TYPE_UNSUPPORTED = "OPTION_TYPE_UNSUPPORTED"
    TOO_MANY_OPTION_AXES = "TOO_MANY_OPTION_AXES"
    TOO_MANY_OPTIONS = "TOO_MANY_OPTIONS"
    OPTION_STRUCTURE_INVALID = "OPTION_STRUCTURE_INVALID"
    OPTION_DUPLICATE = "OPTION_DUPLICATE"
    OPTION_SURCHARGE_OUT_OF_RANGE = "OPTION_SURCHARGE_OUT_OF_RANGE"
    NO_SELLABLE_VARIANT = "NO_SELLABLE_VARIANT"
    STOCK_MISSING = "STOCK_MISSING"
    STOCK_INVALID = "STOCK_INVALID"
    MOQ_TOO_HIGH = "MOQ_TOO_HIGH"
    ORDER_UNIT_UNSUPPORTED = "ORDER_UNIT_UNSUPPORTED"
    ADULT_ONLY = "ADULT_ONLY"
    TAX_TYPE_UNKNOWN = "TAX_TYPE_UNKNOWN"
    NOTICE_MISSING = "NOTICE_MISSING"
    ORIGIN_MISSING = "ORIGIN_MISSING"
    ORIGIN_IMPORTER_MISSING = "ORIGIN_IMPORTER_MISSING"
    DELIVERY_UNSUPPORTED = "DELIVERY_UNSUPPORTED"
    DELIVERY_FEE_OUT_OF_RANGE = "DELIVERY_FEE_OUT_OF_RANGE"
    RETURN_FEE_MISSING = "RETURN_FEE_MISSING"
    IMAGE_MISSING = "IMAGE_MISSING"
    IMAGE_NOT_UPLOADED = "IMAGE_NOT_UPLOADED"
    PAYLOAD_INVALID = "PAYLOAD_INVALID"


class AdjustmentCode(StrEnum):
    """What the transform changed by itself; informational, never blocking."""

    WORD_REPLACED = "WORD_REPLACED"
    WORD_WARNING = "WORD_WARNING"
    NAME_CHARS_REMOVED = "NAME_CHARS_REMOVED"
    NAME_TRUNCATED = "NAME_TRUNCATED"
    PRICE_RAISED_TO_RESALE_MINIMUM = "PRICE_RAISED_TO_RESALE_MINIMUM"
    #: An unsellable variant (sold out / hidden at the supplier) kept as stock 0, ``usable=false``.
    OPTION_DISABLED_UNSELLABLE = "OPTION_DISABLED_UNSELLABLE"
    #: A variant whose surcharge is outside Smart Store's band, kept disabled at a clamped price.
    OPTION_DISABLED_SURCHARGE = "OPTION_DISABLED_SURCHARGE"
    #: The add-on-free variant is not sellable: the sale price moved to the cheapest sellable one.
    PRICE_REBASED = "PRICE_REBASED"
    OPTION_NAME_TRUNCATED = "OPTION_NAME_TRUNCATED"
    SINGLE_OPTION_COLLAPSED = "SINGLE_OPTION_COLLAPSED"
    STOCK_CLAMPED = "STOCK_CLAMPED"
    STATUS_NOT_ON_SALE = "STATUS_NOT_ON_SALE"
    CATEGORY_FALLBACK = "CATEGORY_FALLBACK"
    DETAIL_GENERATED = "DETAIL_GENERATED"
    DETAIL_IMAGE_DROPPED = "DETAIL_IMAGE_DROPPED"
    TAG_DROPPED = "TAG_DROPPED"
    #: A supplier fee table Naver cannot express exactly, sent as the nearest table that never
    #: charges less than the supplier does (e.g. a cheaper large-order tier kept at the dearer fee).
    DELIVERY_FEE_ROUNDED_UP = "DELIVERY_FEE_ROUNDED_UP"
    #: ``maxPurchaseQuantityPerOrder`` set so the supplier's fee steps fit Naver's three ranges.
    ORDER_QUANTITY_CAPPED = "ORDER_QUANTITY_CAPPED"
    #: MOQ_POLICY=bundle: one Naver unit is the supplier's minimum order quantity.
    MOQ_BUNDLED = "MOQ_BUNDLED"


@dataclass(frozen=True)
class Rejection:
    """One reason an item was not transformed; ``message`` names the item number and the cause."""

    code: RejectionCode
    field: str
    message: str


@dataclass(frozen=True)
class Adjustment:
    """One automatic change; same shape as a rejection so both can be stored in one table."""

    code: AdjustmentCode
    field: str
    message: str


def reject(item_no: int, code: RejectionCode, field_path: str, cause: str) -> Rejection:
    """Build a rejection whose message starts with the item number (every message must name it)."""
    return Rejection(code=code, field=field_path, message=f"item {item_no}: {cause}")


def adjust(item_no: int, code: AdjustmentCode, field_path: str, what: str) -> Adjustment:
    """Build an adjustment whose message starts with the item number."""
    return Adjustment(code=code, field=field_path, message=f"item {item_no}: {what}")


@dataclass(frozen=True)
class Transformed:
    """A ready payload plus its seller code, leaf category and the adjustments made on the way."""

    item_no: int
    payload: ProductPayload
    seller_management_code: str
    leaf_category_id: str
    adjustments: tuple[Adjustment, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Always true; lets callers branch on ``result.ok`` without isinstance."""
        return True


@dataclass(frozen=True)
class TransformRejected:
    """Every reason found, in pipeline order; the product goes to MANUAL_REVIEW with these codes."""

    item_no: int
    rejections: tuple[Rejection, ...]
    adjustments: tuple[Adjustment, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Always false."""
        return False

    @property
    def codes(self) -> tuple[RejectionCode, ...]:
        """Rejection codes in order, for metrics and the review queue."""
        return tuple(rejection.code for rejection in self.rejections)


TransformResult = Transformed | TransformRejected
