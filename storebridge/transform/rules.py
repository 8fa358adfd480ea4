"""``TransformRules``: every knob of the transform, validated once at construction.

Built by the caller (from settings, the category-map table and the word-rule table) and passed to
``build_product``; the transform reads nothing else. A bad configuration raises ``ValueError`` here,
at start-up, rather than rejecting every item later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from storebridge.transform.policy import OPTION_VALUE_MAX_CHARS
from storebridge.transform.words import DEFAULT_WORD_RULES, WordRule

Market = Literal["dome", "supply"]

#: Naver's price ceiling (won); a configured maximum above it is an error.
NAVER_MAX_PRICE_WON = 999_999_990
#: Naver's stock ceiling (pieces).
NAVER_MAX_STOCK = 99_999_999
#: Naver's ceiling for ``purchaseQuantityInfo.minPurchaseQuantity`` (and per-order maximum).
MAX_MIN_PURCHASE_QUANTITY = 10_000

#: Country text (last segment of ``detail.country``, spaces removed) → Naver origin code.
#: ``0200037`` = China (widely used); add others from ``GET /v1/product-origin-areas``.
DEFAULT_ORIGIN_CODES: Mapping[str, str] = MappingProxyType(
    {"대한민국": "00", "한국": "00", "국산": "00", "국내산": "00", "국내": "00", "중국": "0200037"}
)

_PHONE_RE = re.compile(r"(0\d{1,2}-?\d{3,4}-?\d{4}|1[5-9]\d{2}-?\d{4})")


#: Exceptional-category types the transform acts on [DOC get-category-product.md].
KC_CERTIFICATION = "KC_CERTIFICATION"
CHILD_CERTIFICATION = "CHILD_CERTIFICATION"
GREEN_PRODUCTS = "GREEN_PRODUCTS"
UNIT_PRICE = "UNIT_PRICE"
#: Certification gates, in the order their messages name them.
CERTIFICATION_GATES = (KC_CERTIFICATION, CHILD_CERTIFICATION, GREEN_PRODUCTS)
#: The category map's ``requires`` column (an operator override) → exceptional-category type.
REQUIRES_ALIASES: Mapping[str, str] = MappingProxyType(
    {"KC": KC_CERTIFICATION, "CHILD": CHILD_CERTIFICATION, "GREEN": GREEN_PRODUCTS, "UNIT_PRICE": UNIT_PRICE}
)


@dataclass(frozen=True)
class CertificationKind:
    """One ``certificationInfos[]`` entry of a leaf: the id a product sends, its name and kinds."""

    id: int
    name: str
    kind_types: tuple[str, ...]


@dataclass(frozen=True)
class LeafRules:
    """What Naver says about one leaf (``GET /v1/categories/{id}`` and the notice types of its top level).

    ``notice_types`` ``None`` means unknown (no reference data): the transform then sends ETC.
    ``problem`` set = Naver refused the id (unknown, not a leaf): the item goes to review.
    """

    problem: str = ""
    whole_name: str = ""
    exceptional: frozenset[str] = frozenset()
    certifications: tuple[CertificationKind, ...] = ()
    notice_types: tuple[str, ...] | None = None


def is_real_phone(phone: str) -> bool:
    """A Korean phone number that is not a placeholder such as ``010-0000-0000`` (Naver rejects those)."""
    if not _PHONE_RE.fullmatch(phone.strip()):
        return False
    digits = re.sub(r"\D", "", phone)
    subscriber = digits[3:] if digits.startswith("0") else digits[4:]
    return len(set(subscriber)) > 1


@dataclass(frozen=True, kw_only=True)
class TransformRules:
    """Margin, bounds, word lists, category map and seller data used to build a payload.

    Pricing follows business-rules §5: ``sale = ceil_to_unit(((cost + shipping share) ×
    (1 + margin_percent/100) + margin_fixed_won) ÷ (1 − (commission_percent + coupon_percent)/100))``,
    then raised to the supplier's minimum resale price, then checked against the bounds.
    """

    #: Domeggook category code (``04_01_03_00_00``) → Naver leaf category id (``"50000803"``).
    category_map: Mapping[str, str]
    #: Real A/S phone shown on the product and in the notice; placeholders are refused.
    as_phone: str
    #: Naver leaf id → gates an operator adds to Naver's own (the category map's ``requires``
    #: column: ``KC``, ``CHILD``, ``GREEN``, ``UNIT_PRICE`` or the exceptional-category name). Added
    #: to the leaf's ``exceptionalCategories``; the gate itself is ``transform.gates``.
    certification_required: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Which Domeggook market's price, stock flags and shipping terms to use.
    market: Market = "dome"
    margin_percent: Decimal = Decimal("20")
    margin_fixed_won: int = 0
    #: Naver sales + payment fees, taken out of the sale price (percent of it).
    commission_percent: Decimal = Decimal("0")
    #: Store coupon budget, also a percent of the sale price.
    coupon_percent: Decimal = Decimal("0")
    #: Smallest acceptable net margin after fees (won).
    min_margin_won: int = 0
    min_sale_price_won: int = 100
    max_sale_price_won: int = NAVER_MAX_PRICE_WON
    #: Prices are rounded up to a multiple of this (won).
    price_unit_won: int = 10
    #: "separate": Naver charges the supplier's shipping fee; "included": free shipping, fee in price.
    shipping_mode: Literal["separate", "included"] = "separate"
    #: Naver leaf id → (lowest, highest) surcharge as a share of the sale price, replacing Smart
    #: Store's price bands (``policy.SURCHARGE_BANDS``) for leaves with the ``OPTION_PRICE``
    #: exceptional-category type, e.g. ``{"50000803": (Decimal("-0.5"), Decimal("1"))}``.
    option_price_exceptions: Mapping[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    #: Out-of-band surcharges: "disable" the variant (kept as stock 0, ``usable=false``, so its
    #: Naver option id survives) or "reject" the item.
    option_surcharge_policy: Literal["disable", "reject"] = "disable"
    max_option_combinations: int = 100
    #: Option values must be shorter than 25 characters (OBSERVED U-56165440097): at most 24.
    option_name_max_chars: int = OPTION_VALUE_MAX_CHARS
    name_max_chars: int = 100
    word_rules: tuple[WordRule, ...] = DEFAULT_WORD_RULES
    max_seller_tags: int = 10
    seller_tag_max_chars: int = 10
    #: Largest supplier MOQ listed as is (the product gets ``minPurchaseQuantity`` = MOQ above 1).
    #: Naver enforces a minimum purchase up to 10,000 (DOC create-product-product.md
    #: ``purchaseQuantityInfo``), so by default only what Naver cannot list meets ``moq_policy``.
    max_moq: int = MAX_MIN_PURCHASE_QUANTITY
    #: A supplier MOQ above ``max_moq``: "review" the item (MOQ_TOO_HIGH), or "bundle" it — one
    #: Naver unit is MOQ pieces ("N개 묶음", price × N at the MOQ tier, stock ÷ N, seller code
    #: ``DG-{market}-{no}-x{N}``; ``transform.bundle``).
    moq_policy: Literal["review", "bundle"] = "review"
    #: Display cap for stock (pieces); Naver allows up to 99,999,999.
    stock_cap: int = NAVER_MAX_STOCK
    #: Supplier statuses that mean "on sale"; anything else sells with stock 0. Domeggook's
    #: ``basis.status`` values (domeggook-api.md §2.4, [DOC S3]): 판매중 and 기간미지정 (on sale with no
    #: end date) sell; 승인대기, 승인거부, 기간종료, 판매종료 and 아웃벌점 제재 do not.
    on_sale_statuses: frozenset[str] = frozenset({"판매중", "기간미지정"})
    allow_adult: bool = False
    delivery_company: str = "CJGLS"
    shipping_address_id: int | None = None
    return_address_id: int | None = None
    #: Return fee when the supplier gives none; ``None`` = reject the item (RETURN_FEE_MISSING).
    default_return_fee_won: int | None = None
    as_guide: str = "판매자에게 문의해 주세요."
    #: Answer for the five ETC-notice policy fields: "0" standard legal wording, "1" see detail page.
    notice_answer: Literal["0", "1"] = "0"
    #: Reject items without ``detail.infoDuty`` (NOTICE_MISSING) instead of filling placeholders.
    require_info_duty: bool = True
    #: Importer for imported goods; ``None`` = the supplier's company name.
    importer_name: str | None = None
    origin_codes: Mapping[str, str] = field(default_factory=lambda: DEFAULT_ORIGIN_CODES)
    naver_shopping_registration: bool = False
    #: Naver leaf id → its rules from Naver's reference data (``storebridge.reference.gates`` fills
    #: it for the item at hand; empty = no reference data, e.g. ``preview`` offline).
    leaves: Mapping[str, LeafRules] = field(default_factory=dict)
    #: Origin-area code → name from ``GET /v1/product-origin-areas``; empty = ``origin_codes`` only.
    origin_areas: Mapping[str, str] = field(default_factory=dict)
    #: Seller tags Naver restricts (``GET /v2/tags/restricted-tags``): dropped before create.
    restricted_tags: frozenset[str] = frozenset()
    #: A GREEN_PRODUCTS leaf without a green certificate from the supplier: "review" it, or send
    #: ``greenCertifiedProductExclusionYn=true`` ("exclude": green certification is voluntary for
    #: most goods, but saying so is the seller's call).
    green_uncertified: Literal["review", "exclude"] = "review"

    def __post_init__(self) -> None:
        object.__setattr__(self, "category_map", MappingProxyType(dict(self.category_map)))
        object.__setattr__(
            self, "certification_required", MappingProxyType(dict(self.certification_required))
        )
        object.__setattr__(self, "origin_codes", MappingProxyType(dict(self.origin_codes)))
        object.__setattr__(self, "leaves", MappingProxyType(dict(self.leaves)))
        object.__setattr__(self, "origin_areas", MappingProxyType(dict(self.origin_areas)))
        if not is_real_phone(self.as_phone):
            raise ValueError(f"as_phone {self.as_phone!r} is not a real phone number")
        if self.margin_percent < 0 or self.margin_fixed_won < 0 or self.min_margin_won < 0:
            raise ValueError("margins must not be negative")
        if self.commission_percent < 0 or self.coupon_percent < 0:
            raise ValueError("commission and coupon must not be negative")
        if self.commission_percent + self.coupon_percent >= 100:
            raise ValueError("commission + coupon must be below 100 percent")
        if not 0 < self.min_sale_price_won <= self.max_sale_price_won <= NAVER_MAX_PRICE_WON:
            raise ValueError(f"need 0 < min_sale_price_won <= max_sale_price_won <= {NAVER_MAX_PRICE_WON}")
        if self.price_unit_won < 1:
            raise ValueError("price_unit_won must be at least 1")
        object.__setattr__(
            self, "option_price_exceptions", MappingProxyType(dict(self.option_price_exceptions))
        )
        for leaf, (low, high) in self.option_price_exceptions.items():
            if not -1 < low <= 0 <= high:
                raise ValueError(f"option_price_exceptions[{leaf!r}] needs -1 < low <= 0 <= high")
        if not 0 < self.stock_cap <= NAVER_MAX_STOCK:
            raise ValueError(f"stock_cap must be within 1..{NAVER_MAX_STOCK}")
        if self.max_moq < 1 or self.max_option_combinations < 1:
            raise ValueError("max_moq and max_option_combinations must be at least 1")
        if not 1 <= self.name_max_chars <= 100:
            raise ValueError("name_max_chars must be within 1..100")
        if not 1 <= self.option_name_max_chars <= OPTION_VALUE_MAX_CHARS:
            raise ValueError(f"option_name_max_chars must be within 1..{OPTION_VALUE_MAX_CHARS}")
        if self.default_return_fee_won is not None and self.default_return_fee_won < 0:
            raise ValueError("default_return_fee_won must not be negative")

    @property
    def fee_fraction(self) -> Decimal:
        """Share of the sale price lost to commission and coupons (0 ≤ x < 1)."""
        return (self.commission_percent + self.coupon_percent) / 100
