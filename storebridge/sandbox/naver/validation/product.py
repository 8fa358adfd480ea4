"""Validation of product create/update bodies (``POST /v2/products``, ``PUT …/origin-products/{no}``).

Written as explicit rules from the reference (§2), independent of any client-side model, so a
client bug is caught rather than mirrored. All problems are collected and answered at once as 400
``BAD_REQUEST`` with ``invalidInputs[{name, type, message}]``. This module holds the top level,
``originProduct`` scalars, images and the channel product; detail attributes, delivery and options
live in sibling modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storebridge.sandbox.naver.categories import CATEGORIES_BY_ID
from storebridge.sandbox.naver.config import NaverSimConfig
from storebridge.sandbox.naver.validation.checker import TYPE_MISMATCH, Checker, join
from storebridge.sandbox.naver.validation.delivery import check_delivery
from storebridge.sandbox.naver.validation.detail import check_detail_attribute
from storebridge.sandbox.naver.validation.policy import (
    NAME_FORBIDDEN,
    check_characters,
    check_name_text,
    check_shown_text,
)
from storebridge.sandbox.naver.wire import SimInvalidInput

#: [OFF] maxima (reference §2.2).
MAX_SALE_PRICE_WON = 999_999_990
MAX_STOCK_QUANTITY = 99_999_999
MAX_OPTIONAL_IMAGES = 9
#: [OFF] statusType values a create/update may send (SUSPENSION on create is stored as SALE).
WRITABLE_STATUS_TYPES = ("SALE", "SUSPENSION")
SALE_TYPES = ("NEW", "OLD")
#: [NAV, D-2216] only these display statuses may be sent.
WRITABLE_DISPLAY_STATUSES = ("ON", "SUSPENSION")

#: [OFF] the rule text repeated on every image field (reference §3); the type name is ours.
IMAGE_NOT_UPLOADED = (
    "NotUploaded.product.image",
    "이미지 URL은 반드시 상품 이미지 다건 등록 API로 업로드하고 반환받은 URL 값을 입력해야 합니다.",
)
#: [UNK] Naver has no documented 10-won rule; this message is made up (reference §7.12).
PRICE_UNIT = ("PriceUnit", "판매가는 10원 단위로 입력해주세요.")
CATEGORY_UNKNOWN = ("NotFound.product.category", "존재하지 않는 카테고리입니다.")
CATEGORY_NOT_LEAF = ("NotLeaf.product.category", "최하위 카테고리만 선택할 수 있습니다.")
#: [UNK] no seller in the sandbox has a 쇼핑윈도 channel.
NO_WINDOW_CHANNEL = ("NotAuthority.product.windowChannel", "쇼핑윈도 채널을 사용할 수 없는 판매자입니다.")


@dataclass(frozen=True)
class ProductRules:
    """The knobs and lookups validation needs besides the payload itself."""

    name_max_chars: int
    price_multiple_of_10: bool
    require_delivery_info: bool
    image_issued: Callable[[str], bool]

    @classmethod
    def from_config(cls, config: NaverSimConfig, image_issued: Callable[[str], bool]) -> ProductRules:
        """Rules as configured for one simulator instance."""
        return cls(
            name_max_chars=config.name_max_chars,
            price_multiple_of_10=config.require_price_multiple_of_10,
            require_delivery_info=config.require_delivery_info,
            image_issued=image_issued,
        )


@dataclass(frozen=True)
class ExistingProduct:
    """What an update is checked against: the stored option IDs and whether a notice exists."""

    option_ids: frozenset[int]
    has_notice: bool


def check_price(
    checker: Checker,
    parent: dict[str, Any],
    key: str,
    path: str,
    rules: ProductRules,
    *,
    required: bool = True,
) -> int | None:
    """A sale price: a positive integer ≤ 999,999,990 and, if configured, a multiple of 10 won."""
    price = checker.integer(parent, key, path, required=required, minimum=1, maximum=MAX_SALE_PRICE_WON)
    if price is not None and rules.price_multiple_of_10 and price % 10:
        checker.add(join(path, key), PRICE_UNIT)
        return None
    return price


def validate_product(
    body: Any, rules: ProductRules, existing: ExistingProduct | None = None
) -> list[SimInvalidInput]:
    """Every problem of a create (``existing`` None) or update body; empty when it is acceptable."""
    checker = Checker()
    if not isinstance(body, dict):
        checker.add("", TYPE_MISMATCH)
        return checker.issues
    # [NAV, D-1922] the body must wrap originProduct and smartstoreChannelProduct.
    origin = checker.obj(body, "originProduct", "", required=True)
    channel = checker.obj(body, "smartstoreChannelProduct", "", required=True)
    if body.get("windowChannelProduct") is not None:
        checker.add("windowChannelProduct", NO_WINDOW_CHANNEL)
    if origin is not None:
        _check_origin(checker, origin, rules, existing)
    if channel is not None:
        _check_channel(checker, channel, rules)
    return checker.issues


def _check_origin(
    checker: Checker, origin: dict[str, Any], rules: ProductRules, existing: ExistingProduct | None
) -> None:
    path = "originProduct"
    creating = existing is None
    checker.enum(origin, "statusType", path, WRITABLE_STATUS_TYPES, required=True)
    checker.enum(origin, "saleType", path, SALE_TYPES, required=False)
    category_id = _check_category(checker, origin, path)
    name = checker.text(origin, "name", path, required=True, max_chars=rules.name_max_chars)
    if name is not None:
        # OBSERVED U-71466854276 (an integrator's gate; SUSPECTED on Naver): no \ * ? " < > in names.
        check_characters(checker, join(path, "name"), name, NAME_FORBIDDEN, rules.name_max_chars)
        check_name_text(checker, join(path, "name"), name)
    # detailContent and stockQuantity may be omitted on update to keep the stored value [OFF].
    detail_content = checker.text(origin, "detailContent", path, required=creating)
    if detail_content is not None:
        check_shown_text(checker, join(path, "detailContent"), detail_content, markup=True)
    sale_price = check_price(checker, origin, "salePrice", path, rules)
    stock = checker.integer(
        origin, "stockQuantity", path, required=creating, minimum=0, maximum=MAX_STOCK_QUANTITY
    )
    _check_images(checker, origin, path, rules)
    _check_sale_period(checker, origin, path)
    delivery = checker.obj(origin, "deliveryInfo", path, required=rules.require_delivery_info)
    if delivery is not None:
        check_delivery(checker, delivery, join(path, "deliveryInfo"))
    detail = checker.obj(origin, "detailAttribute", path, required=True)
    if detail is not None:
        check_detail_attribute(
            checker,
            detail,
            join(path, "detailAttribute"),
            category_id=category_id,
            sale_price=sale_price,
            stock=stock,
            price_multiple_of_10=rules.price_multiple_of_10,
            existing_option_ids=None if existing is None else existing.option_ids,
            notice_required=existing is None or not existing.has_notice,
        )
    benefit = checker.obj(origin, "customerBenefit", path, required=False)
    if benefit is not None:
        _check_benefit(checker, benefit, join(path, "customerBenefit"))


def _check_category(checker: Checker, origin: dict[str, Any], path: str) -> str | None:
    # Required on update too: a full-replace PUT without a category could only fail on Naver's side.
    category_id = checker.text(origin, "leafCategoryId", path, required=True)
    if category_id is None:
        return None
    category = CATEGORIES_BY_ID.get(category_id)
    if category is None:
        checker.add(join(path, "leafCategoryId"), CATEGORY_UNKNOWN)
        return None
    if not category.last:
        checker.add(join(path, "leafCategoryId"), CATEGORY_NOT_LEAF)
        return None
    return category_id


def _check_images(checker: Checker, origin: dict[str, Any], path: str, rules: ProductRules) -> None:
    images_path = join(path, "images")
    images = checker.obj(origin, "images", path, required=True)
    if images is None:
        return
    representative = checker.obj(images, "representativeImage", images_path, required=True)
    if representative is not None:
        _check_image_url(checker, representative, join(images_path, "representativeImage"), rules)
    optional = checker.array(
        images, "optionalImages", images_path, required=False, max_items=MAX_OPTIONAL_IMAGES
    )
    if optional is not None:
        for item_path, item in checker.items(optional, join(images_path, "optionalImages")):
            _check_image_url(checker, item, item_path, rules)


def _check_image_url(checker: Checker, image: dict[str, Any], path: str, rules: ProductRules) -> None:
    url = checker.text(image, "url", path, required=True)
    if url is not None and not rules.image_issued(url):
        checker.add(join(path, "url"), IMAGE_NOT_UPLOADED)


def _parse_datetime(checker: Checker, parent: dict[str, Any], key: str, path: str) -> datetime | None:
    raw = checker.text(parent, key, path, required=False)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None or "T" not in raw:
        checker.add(join(path, key), "DateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX 형식으로 입력해주세요.")
        return None
    return value


def _check_sale_period(checker: Checker, origin: dict[str, Any], path: str) -> None:
    # [OFF] start only on minute 00, end only on minute 59.
    start = _parse_datetime(checker, origin, "saleStartDate", path)
    end = _parse_datetime(checker, origin, "saleEndDate", path)
    if start is not None and start.minute != 0:
        checker.add(
            join(path, "saleStartDate"), "SaleStartMinute", "판매 시작 시각은 00분만 입력할 수 있습니다."
        )
    if end is not None and end.minute != 59:
        checker.add(join(path, "saleEndDate"), "SaleEndMinute", "판매 종료 시각은 59분만 입력할 수 있습니다.")
    if start is not None and end is not None and end <= start:
        checker.add(join(path, "saleEndDate"), "SalePeriod", "판매 종료일은 판매 시작일 이후여야 합니다.")


def _check_benefit(checker: Checker, benefit: dict[str, Any], path: str) -> None:
    policy = checker.obj(benefit, "immediateDiscountPolicy", path, required=False)
    if policy is None:
        return
    policy_path = join(path, "immediateDiscountPolicy")
    method = checker.obj(policy, "discountMethod", policy_path, required=True)
    if method is not None:
        check_discount_method(checker, method, join(policy_path, "discountMethod"))


def check_discount_method(checker: Checker, method: dict[str, Any], path: str) -> None:
    """``{value* 1..10,000,000, unitType* PERCENT|WON}`` [OFF]; a percentage above 100 is refused too."""
    value = checker.integer(method, "value", path, required=True, minimum=1, maximum=10_000_000)
    unit = checker.enum(method, "unitType", path, ("PERCENT", "WON"), required=True)
    if unit == "PERCENT" and value is not None and value > 100:
        # [INF] not in the docs, but a >100 % discount cannot be meant.
        checker.add(join(path, "value"), "Max", "100 이하로 입력해주세요.")


def _check_channel(checker: Checker, channel: dict[str, Any], rules: ProductRules) -> None:
    path = "smartstoreChannelProduct"
    checker.enum(channel, "channelProductDisplayStatusType", path, WRITABLE_DISPLAY_STATUSES, required=True)
    checker.boolean(channel, "naverShoppingRegistration", path, required=True)
    checker.text(channel, "channelProductName", path, required=False, max_chars=rules.name_max_chars)
    checker.boolean(channel, "storeKeepExclusiveProduct", path, required=False)
