"""Validation of ``originProduct.detailAttribute`` (reference §2.4) for the Naver simulator.

Covers the A/S info, origin area, the product-information notice, category gates (certification,
unit price), SEO tags and purchase limits; options are delegated to ``options.py``.
"""

from __future__ import annotations

import re
from typing import Any

from storebridge.sandbox.naver.categories import (
    CATEGORIES_BY_ID,
    CHILD_CERTIFICATION,
    KC_CERTIFICATION,
    UNIT_PRICE_CATEGORIES,
)
from storebridge.sandbox.naver.validation.checker import NOT_NULL, Checker, join
from storebridge.sandbox.naver.validation.options import check_option_info
from storebridge.sandbox.naver.validation.policy import (
    NAME_FORBIDDEN,
    NOTICE_NAME_MAX_CHARS,
    check_characters,
)

NOTICE_TYPES = (
    "WEAR", "SHOES", "BAG", "FASHION_ITEMS", "SLEEPING_GEAR", "FURNITURE", "IMAGE_APPLIANCES",
    "HOME_APPLIANCES", "SEASON_APPLIANCES", "OFFICE_APPLIANCES", "OPTICS_APPLIANCES", "MICROELECTRONICS",
    "CELLPHONE", "NAVIGATION", "CAR_ARTICLES", "MEDICAL_APPLIANCES", "KITCHEN_UTENSILS", "COSMETIC",
    "JEWELLERY", "FOOD", "GENERAL_FOOD", "DIET_FOOD", "KIDS", "MUSICAL_INSTRUMENT", "SPORTS_EQUIPMENT",
    "BOOKS", "LODGMENT_RESERVATION", "TRAVEL_PACKAGE", "AIRLINE_TICKET", "RENT_CAR", "RENTAL_HA",
    "RENTAL_ETC", "DIGITAL_CONTENTS", "GIFT_CARD", "MOBILE_COUPON", "MOVIE_SHOW", "ETC_SERVICE",
    "BIOCHEMISTRY", "BIOCIDAL", "ETC",
)  # fmt: skip
TAX_TYPES = ("TAX", "DUTYFREE", "SMALL")
#: [OFF] the five "0"/"1" answers of the ETC notice.
ETC_ANSWER_FIELDS = (
    "returnCostReason", "noRefundReason", "qualityAssuranceStandard", "compensationProcedure",
    "troubleShootingContents",
)  # fmt: skip
KC_EXCLUSION_VALUES = ("TRUE", "FALSE", "KC_EXEMPTION_OBJECT")
KC_EXEMPTION_TYPES = ("OVERSEAS", "SAFE_CRITERION", "PARALLEL_IMPORT")
#: Origin codes: 2-digit top level (00 국산 … 05 표기 의무 대상 아님) optionally followed by detail digits
#: (``0200037`` = China). [INF] the detailed code list itself is not simulated.
_ORIGIN_CODE = re.compile(r"0[0-5]\d{0,5}")
#: Korean phone numbers: mobile, Seoul/area codes, 070/050x, and 15xx/16xx/18xx representative numbers.
_PHONE = re.compile(r"(01[016789]\d{7,8}|02\d{7,8}|0[3-6][1-5]\d{7,8}|070\d{8}|050\d{8,9}|1[5-8]\d{6})")
_PHONE_SHAPE = re.compile(r"\d{2,4}-?\d{3,4}-?\d{4}|1[5-8]\d{2}-?\d{4}")
#: [OBS] old Storefarm tag rules: ≤ 10 tags, each ≤ 10 characters, no spaces or special characters.
MAX_SELLER_TAGS = 10
MAX_TAG_CHARS = 10
_TAG_TEXT = re.compile(r"[0-9A-Za-z가-힣]+")

PHONE_INVALID = ("Pattern.phone", "올바른 전화번호를 입력해주세요.")
#: [NAV, D-1649] an ETC notice needs an A/S director or a customer-service phone (text ours).
NOTICE_AS_MISSING = ("NotNull", "A/S 책임자 또는 소비자상담 관련 전화번호를 입력해주세요.")
#: [OBS, U-1] exact type and message seen in a real 400.
UNIT_PRICE_MISSING = (
    "Required.product.unitPriceYn",
    "단위가격 사용여부를 선택해주세요. 가격표시제 대상 품목입니다.",
)
CERTIFICATION_MISSING = (
    "Required.product.certification",
    "인증정보를 입력하거나 인증대상 제외 여부를 선택해주세요.",
)


def notice_key(notice_type: str) -> str:
    """Sub-object key of a notice type: ``FASHION_ITEMS`` → ``fashionItems``, ``ETC`` → ``etc``."""
    head, *rest = notice_type.lower().split("_")
    return head + "".join(part.capitalize() for part in rest)


def phone_like(value: str) -> bool:
    """A Korean phone number that is not a placeholder (``010-0000-0000`` and the like are refused).

    [INF] Stricter than one observed repair (an integrator replaced a bad value by 010-0000-0000);
    business-rules §8 requires a real A/S phone, so an all-same-digit subscriber number is refused.
    """
    if not _PHONE_SHAPE.fullmatch(value):
        return False
    digits = value.replace("-", "")
    if not _PHONE.fullmatch(digits):
        return False
    return len(set(digits[-7:])) > 1


def check_detail_attribute(
    checker: Checker,
    detail: dict[str, Any],
    path: str,
    *,
    category_id: str | None,
    sale_price: int | None,
    stock: int | None,
    price_multiple_of_10: bool,
    existing_option_ids: frozenset[int] | None,
    notice_required: bool,
) -> None:
    """All ``detailAttribute`` rules; ``category_id`` is the validated leaf (None if invalid)."""
    _check_after_service(checker, detail, path)
    _check_origin_area(checker, detail, path)
    checker.boolean(detail, "minorPurchasable", path, required=True)
    checker.enum(detail, "taxType", path, TAX_TYPES, required=False)
    codes = checker.obj(detail, "sellerCodeInfo", path, required=False)
    if codes is not None:
        for key in ("sellerManagementCode", "sellerBarcode", "sellerCustomCode1", "sellerCustomCode2"):
            checker.text(codes, key, join(path, "sellerCodeInfo"), required=False)
    notice = checker.obj(detail, "productInfoProvidedNotice", path, required=notice_required)
    if notice is not None:
        _check_notice(checker, notice, join(path, "productInfoProvidedNotice"))
    options = checker.obj(detail, "optionInfo", path, required=False)
    if options is not None:
        check_option_info(
            checker,
            options,
            join(path, "optionInfo"),
            sale_price=sale_price,
            stock=stock,
            option_price_exception=category_id is not None
            and "OPTION_PRICE" in CATEGORIES_BY_ID[category_id].exceptional,
            price_multiple_of_10=price_multiple_of_10,
            existing_ids=existing_option_ids,
        )
    _check_purchase_quantity(checker, detail, path)
    _check_seo(checker, detail, path)
    if category_id is not None:
        _check_category_gates(checker, detail, path, category_id)


def _check_after_service(checker: Checker, detail: dict[str, Any], path: str) -> None:
    info = checker.obj(detail, "afterServiceInfo", path, required=True)
    if info is None:
        return
    info_path = join(path, "afterServiceInfo")
    phone = checker.text(info, "afterServiceTelephoneNumber", info_path, required=True)
    if phone is not None and not phone_like(phone):
        checker.add(join(info_path, "afterServiceTelephoneNumber"), PHONE_INVALID)
    checker.text(info, "afterServiceGuideContent", info_path, required=True)


def _check_origin_area(checker: Checker, detail: dict[str, Any], path: str) -> None:
    area = checker.obj(detail, "originAreaInfo", path, required=True)
    if area is None:
        return
    area_path = join(path, "originAreaInfo")
    code = checker.text(area, "originAreaCode", area_path, required=True)
    if code is not None and not _ORIGIN_CODE.fullmatch(code):
        checker.add(
            join(area_path, "originAreaCode"), "InvalidOriginArea", "유효하지 않은 원산지 코드입니다."
        )
        code = None
    # [OFF] importer is required for imports (02…), content for "기타-직접 입력" (04).
    checker.text(area, "importer", area_path, required=code is not None and code.startswith("02"))
    checker.text(area, "content", area_path, required=code == "04")
    checker.boolean(area, "plural", area_path, required=False)


def _check_notice(checker: Checker, notice: dict[str, Any], path: str) -> None:
    notice_type = checker.enum(notice, "productInfoProvidedNoticeType", path, NOTICE_TYPES, required=True)
    if notice_type is None:
        return
    key = notice_key(notice_type)
    body = checker.obj(notice, key, path, required=True)
    if body is None:
        return
    body_path = join(path, key)
    if notice_type != "ETC":
        # [UNK] field rules of the other 39 notice types are not in the reference; only presence is checked.
        if not body:
            checker.add(body_path, NOT_NULL)
        return
    for field in ETC_ANSWER_FIELDS:
        checker.text(body, field, body_path, required=True)
    for field, max_chars in (("itemName", NOTICE_NAME_MAX_CHARS), ("modelName", NOTICE_NAME_MAX_CHARS)):
        # [DOC create-product-product.md] ≤ 50; OBSERVED U-56165440097 "50자보다 작게": the stricter wins.
        value = checker.text(body, field, body_path, required=True)
        if value is not None:
            check_characters(checker, join(body_path, field), value, NAME_FORBIDDEN, max_chars)
    for field, max_chars in (("manufacturer", 200), ("certificateDetails", 500)):
        value = checker.text(body, field, body_path, required=field == "manufacturer")
        if value is not None:
            check_characters(checker, join(body_path, field), value, NAME_FORBIDDEN, max_chars)
    director = checker.text(body, "afterServiceDirector", body_path, required=False, max_chars=200)
    phone = checker.text(body, "customerServicePhoneNumber", body_path, required=False, max_chars=30)
    if phone is not None and phone.strip() and not phone_like(phone):
        checker.add(join(body_path, "customerServicePhoneNumber"), PHONE_INVALID)
    if not (director or "").strip() and body.get("customerServicePhoneNumber") in (None, ""):
        checker.add(join(body_path, "customerServicePhoneNumber"), NOTICE_AS_MISSING)


def _check_purchase_quantity(checker: Checker, detail: dict[str, Any], path: str) -> None:
    info = checker.obj(detail, "purchaseQuantityInfo", path, required=False)
    if info is None:
        return
    info_path = join(path, "purchaseQuantityInfo")
    checker.integer(info, "minPurchaseQuantity", info_path, required=False, minimum=1, maximum=10_000)
    checker.integer(
        info, "maxPurchaseQuantityPerId", info_path, required=False, minimum=1, maximum=99_999_999
    )
    checker.integer(info, "maxPurchaseQuantityPerOrder", info_path, required=False, minimum=1, maximum=10_000)


def _check_seo(checker: Checker, detail: dict[str, Any], path: str) -> None:
    seo = checker.obj(detail, "seoInfo", path, required=False)
    if seo is None:
        return
    seo_path = join(path, "seoInfo")
    checker.text(seo, "pageTitle", seo_path, required=False, max_chars=100)
    checker.text(seo, "metaDescription", seo_path, required=False, max_chars=160)
    tags = checker.array(seo, "sellerTags", seo_path, required=False, max_items=MAX_SELLER_TAGS)
    if tags is None:
        return
    for tag_path, tag in checker.items(tags, join(seo_path, "sellerTags")):
        text = checker.text(tag, "text", tag_path, required=True, max_chars=MAX_TAG_CHARS)
        if text is not None and not _TAG_TEXT.fullmatch(text):
            checker.add(
                join(tag_path, "text"), "Pattern.tag", "태그에는 공백이나 특수문자를 사용할 수 없습니다."
            )


def _check_category_gates(checker: Checker, detail: dict[str, Any], path: str, category_id: str) -> None:
    if category_id in UNIT_PRICE_CATEGORIES:
        capacity = detail.get("unitCapacity")
        if not isinstance(capacity, dict) or not isinstance(capacity.get("unitPriceYn"), bool):
            checker.add(join(path, "unitCapacity.unitPriceYn"), UNIT_PRICE_MISSING)
    exceptional = CATEGORIES_BY_ID[category_id].exceptional
    if _certification_missing(detail, exceptional):
        checker.add(join(path, "productCertificationInfos"), CERTIFICATION_MISSING)


def _certification_missing(detail: dict[str, Any], exceptional: tuple[str, ...]) -> bool:
    """True when a KC / children's certification category has neither certificates nor an exemption."""
    certificates = detail.get("productCertificationInfos")
    if isinstance(certificates, list) and any(isinstance(c, dict) and c for c in certificates):
        return False
    raw_exclusion = detail.get("certificationTargetExcludeContent")
    exclusion: dict[str, Any] = raw_exclusion if isinstance(raw_exclusion, dict) else {}
    if KC_CERTIFICATION in exceptional:
        kc = exclusion.get("kcCertifiedProductExclusionYn")
        exempt = kc == "TRUE" or (
            kc == "KC_EXEMPTION_OBJECT" and exclusion.get("kcExemptionType") in KC_EXEMPTION_TYPES
        )
        if not exempt:
            return True
    return (
        CHILD_CERTIFICATION in exceptional and exclusion.get("childCertifiedProductExclusionYn") is not True
    )
