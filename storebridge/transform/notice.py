"""Legal data: 상품정보제공고시 (from ``detail.infoDuty``), origin area and tax type.

The notice type follows the leaf: ``rules.leaves[leaf].notice_types`` (Naver's
``GET /v1/products-for-provided-notice`` for the leaf's top level, in Naver's order) is tried in
turn, and the first type we can fill from the supplier's rows wins: ``WEAR`` (제품소재, 색상, 치수,
세탁방법 rows), ``COSMETIC`` (용량, 주요 사양, 사용기한, 사용방법, 성분 rows) and ``FOOD``
(농수축산물: 용량/중량, 생산자, 소비기한, 보관방법 rows; not when the rows are those of a 가공식품 or
건강기능식품 notice, whose types we do not fill). A row the supplier gives as "상세페이지 참조"
counts as given (the value is the detail page); a row it leaves out does not, nor does one with no
letter or digit left after cleaning ("***" would go out as nothing a shopper can read). Fields that are the
seller's own (warranty policy, A/S and consumer contact) come from the rules. When no type fits,
``ETC`` is sent if the category allows it (or its types are unknown); otherwise the item goes to
review (NOTICE_MISSING) naming, per type, the missing rows. Items whose supplier notice is missing are
rejected (NOTICE_MISSING) unless ``rules.require_info_duty`` is off. Text fields lose Smart
Store's forbidden characters (``policy.NAME_FORBIDDEN``) and item/model names stay below 50; any
value with no letter or digit is read as missing (optional fields: "상세페이지 참조").

Origin: ``rules.origin_codes`` (the operator's table) first, then Naver's list
(``rules.origin_areas``, ``GET /v1/product-origin-areas``) by exact name or last ``>`` segment,
else ``04`` (직접 입력) with the text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from schemas.domeggook import DomeggookItem, InfoDutyEntry
from schemas.naver import (
    CosmeticNotice,
    EtcNotice,
    FoodNotice,
    OriginAreaInfo,
    ProductInfoProvidedNotice,
    WearNotice,
)
from storebridge.transform.policy import NAME_FORBIDDEN, NOTICE_NAME_MAX_CHARS, replace_forbidden
from storebridge.transform.result import Rejection, RejectionCode, reject
from storebridge.transform.rules import TransformRules
from storebridge.transform.text import clean_text, has_listable_text, is_placeholder, meaningful, truncate

SEE_DETAIL = "상세페이지 참조"
#: The standard legal wording of a warranty policy (the "0" answer's text) [DOC create-product-product.md].
STANDARD_WARRANTY = "소비자분쟁해결기준(공정거래위원회 고시) 및 관계법령에 따릅니다."
#: Naver origin codes: 03 = 기타(상세 설명에 표시), 04 = 기타(직접 입력).
ORIGIN_DIRECT_INPUT = "04"
TaxType = Literal["TAX", "DUTYFREE", "SMALL"]
_TAX_TYPES: dict[str, TaxType] = {"": "TAX", "과세상품": "TAX", "면세상품": "DUTYFREE", "영세율상품": "SMALL"}
Entries = tuple[InfoDutyEntry, ...]


def _entries(item: DomeggookItem) -> Entries:
    duty = item.detail.info_duty if item.detail is not None else None
    return duty.item if duty is not None else ()


def _lookup(entries: Entries, *keywords: str) -> str | None:
    for entry in entries:
        if any(keyword in entry.name for keyword in keywords):
            value = meaningful(entry.desc)
            if value is not None:
                return value
    return None


def _given(entries: Entries, *keywords: str) -> InfoDutyEntry | None:
    """The first row whose name has a keyword (spaces ignored)."""
    wanted = [k.replace(" ", "") for k in keywords]
    return next((e for e in entries if any(k in e.name.replace(" ", "") for k in wanted)), None)


def _row(entries: Entries, *keywords: str) -> str | None:
    """The first matching row's value; placeholders read as "see the detail page". ``None`` when the
    supplier gave no such row, or one with no letter or digit ("***": nothing a shopper can read)."""
    entry = _given(entries, *keywords)
    if entry is None:
        return None
    text = clean_text(entry.desc)[0]
    if is_placeholder(text):
        return SEE_DETAIL
    return text if has_listable_text(text) else None


def _text(value: str, limit: int) -> str:
    # Notice fields refuse the same characters as names (modelName: OBSERVED U-56165440097).
    text = truncate(replace_forbidden(value, NAME_FORBIDDEN), limit)
    return text if has_listable_text(text) else SEE_DETAIL


def _answers(rules: TransformRules) -> dict[str, str]:
    answer = rules.notice_answer
    keys = ("return_cost_reason", "no_refund_reason", "quality_assurance_standard")
    keys_more = ("compensation_procedure", "trouble_shooting_contents")
    return dict.fromkeys(keys + keys_more, answer)


def _warranty(entries: Entries, rules: TransformRules) -> str:
    given = _row(entries, "품질보증")
    if given is not None:
        return _text(given, 1500)
    return STANDARD_WARRANTY if rules.notice_answer == "0" else SEE_DETAIL


def _manufacturer(item: DomeggookItem, entries: Entries, *keywords: str) -> str:
    found = _lookup(entries, *keywords) or (meaningful(item.detail.manufacturer) if item.detail else None)
    return _text(found or SEE_DETAIL, 200)


def _required(entries: Entries, fields: dict[str, tuple[str, ...]]) -> dict[str, str] | str:
    """Each field's row value, or why not: "needs rows …" naming the rows the supplier did not give."""
    found = {key: _row(entries, *keywords) for key, keywords in fields.items()}
    missing = [_missing(entries, fields[key]) for key, value in found.items() if value is None]
    if missing:
        return f"needs rows {', '.join(missing)}"
    return {key: value or SEE_DETAIL for key, value in found.items()}


def _missing(entries: Entries, keywords: tuple[str, ...]) -> str:
    """The row a notice lacks, by its first keyword, and what the supplier wrote in it if anything."""
    entry = _given(entries, *keywords)
    if entry is None:
        return keywords[0]
    return f"{keywords[0]} (given as {entry.desc[:30]!r}, with no letter or digit)"


def wear_notice(item: DomeggookItem, entries: Entries, name: str, rules: TransformRules) -> WearNotice | str:
    """The 의류 notice, or the supplier rows it lacks (제품소재, 색상, 치수, 세탁방법 …)."""
    core = _required(
        entries,
        {
            "material": ("제품소재", "소재"),
            "color": ("색상",),
            "size": ("치수", "사이즈"),
            "caution": ("세탁방법", "취급시주의사항", "취급 시 주의사항"),
        },
    )
    if isinstance(core, str):
        return core
    return WearNotice(
        **_answers(rules),
        material=_text(core["material"], 1500),
        color=_text(core["color"], 200),
        size=_text(core["size"], 200),
        caution=_text(core["caution"], 1500),
        manufacturer=_manufacturer(item, entries, "제조자", "제조사", "수입자"),
        pack_date_text=_text(_row(entries, "제조연월") or SEE_DETAIL, 300),
        warranty_policy=_warranty(entries, rules),
        after_service_director=_text(_row(entries, "A/S책임자", "AS책임자") or rules.as_phone, 200),
    )


def cosmetic_notice(
    item: DomeggookItem, entries: Entries, name: str, rules: TransformRules
) -> CosmeticNotice | str:
    """The 화장품 notice, or the supplier rows it lacks (용량, 주요 사양, 사용기한, 사용방법, 성분)."""
    core = _required(
        entries,
        {
            "capacity": ("용량", "중량"),
            "specification": ("주요사양", "제품주요사양"),
            "expiration": ("사용기한", "사용기간"),
            "usage": ("사용방법",),
            "ingredient": ("주요성분", "성분"),
        },
    )
    if isinstance(core, str):
        return core
    country = meaningful(item.detail.country) if item.detail else None
    return CosmeticNotice(
        **_answers(rules),
        capacity=_text(core["capacity"], 200),
        specification=_text(core["specification"], 1500),
        expiration_date_text=_text(core["expiration"], 300),
        usage=_text(core["usage"], 1500),
        main_ingredient=_text(core["ingredient"], 1500),
        manufacturer=_manufacturer(item, entries, "제조업자", "제조자", "제조사"),
        producer=_text(_row(entries, "제조국") or (country or SEE_DETAIL).split("_")[-1], 200),
        distributor=_text(_row(entries, "책임판매업자", "책임판매업") or SEE_DETAIL, 200),
        certification_type=_text(_row(entries, "기능성") or SEE_DETAIL, 200),
        caution=_text(_row(entries, "사용할때의주의사항", "주의사항") or SEE_DETAIL, 1500),
        warranty_policy=_warranty(entries, rules),
        customer_service_phone_number=rules.as_phone,
    )


#: Rows only a 가공식품 (GENERAL_FOOD) or 건강기능식품 (DIET_FOOD) notice has: such an item must not
#: get the 농수축산물 notice, even though the 식품 top level offers all three [DOC create-product-product.md].
_PROCESSED_FOOD_ROWS = ("식품의유형", "원재료명", "원료명", "기능정보", "섭취량", "섭취방법")


def food_notice(item: DomeggookItem, entries: Entries, name: str, rules: TransformRules) -> FoodNotice | str:
    """The 식품(농수축산물) notice, or the supplier rows it lacks (용량/중량, 생산자, 소비기한, 보관방법).

    Supplier notices follow the 고시's combined rows ("포장단위별 내용물의 용량(중량), 수량, 크기",
    "제조연월일, 소비기한 또는 품질유지기한"), so one row may fill several of Naver's fields.
    """
    processed = [e.name for e in entries if any(k in e.name.replace(" ", "") for k in _PROCESSED_FOOD_ROWS)]
    if processed:
        return f"does not fit rows of a 가공식품/건강기능식품 notice ({', '.join(processed)[:80]})"
    core = _required(
        entries,
        {
            "weight": ("용량", "중량"),
            "producer": ("생산자",),
            "consumption": ("소비기한", "유통기한", "품질유지기한"),
            "keep": ("보관방법", "취급방법"),
        },
    )
    if isinstance(core, str):
        return core
    law = _row(entries, "관련법상", "표시사항")
    return FoodNotice(
        **_answers(rules),
        food_item=_text(_row(entries, "품목", "명칭", "품명") or name, 200),
        # [DOC] ``weight`` is the only field capped at 50 characters.
        weight=_text(core["weight"], 50),
        amount=_text(_row(entries, "수량") or SEE_DETAIL, 200),
        size=_text(_row(entries, "크기") or SEE_DETAIL, 200),
        pack_date_text=_text(_row(entries, "제조연월일", "포장일", "생산연도") or SEE_DETAIL, 300),
        consumption_date_text=_text(core["consumption"], 300),
        producer=_text(core["producer"], 200),
        relevant_law_content=_text(law, 200) if law is not None else None,
        product_composition=_text(_row(entries, "상품구성") or SEE_DETAIL, 200),
        keep=_text(core["keep"], 500),
        ad_caution=_text(_row(entries, "소비자안전", "주의사항") or SEE_DETAIL, 500),
        customer_service_phone_number=rules.as_phone,
    )


TypedNotice = WearNotice | CosmeticNotice | FoodNotice
#: A builder gets the item, its notice rows and the product name as listed; it answers the body, or
#: why the supplier's rows cannot fill it ("needs rows …").
NoticeBuilder = Callable[[DomeggookItem, Entries, str, TransformRules], TypedNotice | str]
#: The category-specific types StoreBridge fills, with the body's key (anything else falls back to ETC).
NOTICE_BUILDERS: dict[str, tuple[str, NoticeBuilder]] = {
    "WEAR": ("wear", wear_notice),
    "COSMETIC": ("cosmetic", cosmetic_notice),
    "FOOD": ("food", food_notice),
}


def etc_notice(item: DomeggookItem, name: str, rules: TransformRules) -> EtcNotice:
    """The 기타 재화 notice; item and model names may come from a combined "품명 및 모델명" line."""
    entries = _entries(item)
    detail = item.detail
    combined = _lookup(entries, "품명 및 모델명", "품명/모델명")
    item_part, _, model_part = (combined or "").partition("/")
    item_name = _lookup(entries, "품명") if combined is None else meaningful(item_part)
    model_name = (
        (meaningful(detail.model) if detail else None)
        # The combined line's name also holds "모델명": its model is only the part after "/".
        or (_lookup(entries, "모델명") if combined is None else meaningful(model_part))
    )
    manufacturer = _lookup(entries, "제조자", "제조사", "수입자") or (
        meaningful(detail.manufacturer) if detail else None
    )
    certificates = _lookup(entries, "인증", "허가")
    if certificates is None and detail is not None:
        listed = [f"{cert.name} {cert.no}".strip() for cert in detail.safety_cert]
        certificates = ", ".join(text for text in listed if has_listable_text(text)) or None
    return EtcNotice(
        **_answers(rules),
        item_name=_text(item_name or name, NOTICE_NAME_MAX_CHARS),
        model_name=_text(model_name or SEE_DETAIL, NOTICE_NAME_MAX_CHARS),
        manufacturer=_text(manufacturer or SEE_DETAIL, 200),
        certificate_details=_text(certificates, 500) if certificates else None,
        customer_service_phone_number=rules.as_phone,
    )


def build_notice(
    item: DomeggookItem, name: str, rules: TransformRules, allowed: tuple[str, ...] | None = None
) -> ProductInfoProvidedNotice | Rejection:
    """The notice of the first type in ``allowed`` (the leaf's types) we can fill, else ETC.

    ``allowed`` ``None`` = the category's types are unknown: ETC, as Naver accepts it widely
    (SUSPECTED, fidelity-evidence row 18).
    """
    entries = _entries(item)
    if rules.require_info_duty and not entries:
        return reject(
            item.no, RejectionCode.NOTICE_MISSING, "detail.infoDuty", "the supplier gave no infoDuty"
        )
    lacking: list[str] = []
    for kind in allowed or ():
        known = NOTICE_BUILDERS.get(kind)
        if known is None:
            continue
        key, builder = known
        body = builder(item, entries, name, rules)
        if isinstance(body, str):
            lacking.append(f"{kind} {body}")
            continue
        return ProductInfoProvidedNotice.model_validate(
            {"product_info_provided_notice_type": kind, key: body}
        )
    if allowed is None or "ETC" in allowed:
        return ProductInfoProvidedNotice(
            product_info_provided_notice_type="ETC", etc=etc_notice(item, name, rules)
        )
    unfilled = [kind for kind in allowed if kind not in NOTICE_BUILDERS]
    if unfilled:
        lacking.append(f"StoreBridge does not fill {', '.join(unfilled)}")
    why = "; ".join(lacking)
    cause = f"the category allows notice types {', '.join(allowed)[:80]} but not ETC; {why}"
    return reject(item.no, RejectionCode.NOTICE_MISSING, "detail.infoDuty", cause[:300])


def origin_code(country: str, rules: TransformRules) -> str | None:
    """The origin code for a country text: the operator's table, then Naver's list by name.

    Naver's list is matched on the whole name, then on its last ``>`` segment ("수입산>아시아>중국"
    → 중국); the real list's name format is unconfirmed (docs/notes/gates.md). A table code that
    Naver's list (when known) does not contain is not trusted.
    """
    key = country.replace(" ", "")
    areas = rules.origin_areas
    configured = rules.origin_codes.get(key)
    if configured is not None and (not areas or configured in areas):
        return configured
    names = {code: name.replace(" ", "") for code, name in sorted(areas.items())}
    for code, name in names.items():
        if name == key:
            return code
    for code, name in names.items():
        if name.rsplit(">", 1)[-1] == key:
            return code
    return None


def build_origin(item: DomeggookItem, rules: TransformRules) -> OriginAreaInfo | Rejection:
    """Origin area from ``detail.country`` ("아시아_중국" → 중국) or the notice's 제조국/원산지 line.

    Imported origins (02…) need an importer (``rules.importer_name`` or the supplier's company).
    A country no code is found for uses code 04 with the country as text. No origin → ORIGIN_MISSING.
    """
    no = item.no
    country_text = meaningful(item.detail.country) if item.detail is not None else None
    country = meaningful(country_text.split("_")[-1]) if country_text else None
    country = country or _lookup(_entries(item), "제조국", "원산지")
    if not country:
        return reject(no, RejectionCode.ORIGIN_MISSING, "detail.country", "no country of origin given")
    code = origin_code(country, rules)
    if code is None:
        return OriginAreaInfo(
            origin_area_code=ORIGIN_DIRECT_INPUT, content=truncate(country, 50), plural=False
        )
    if not code.startswith("02"):
        return OriginAreaInfo(origin_area_code=code, plural=False)
    company = item.seller.company if item.seller is not None else None
    importer = rules.importer_name or (meaningful(company.name) if company is not None else None)
    if not importer:
        cause = f"imported from {country} but no importer name is known"
        return reject(no, RejectionCode.ORIGIN_IMPORTER_MISSING, "seller.company.name", cause)
    return OriginAreaInfo(origin_area_code=code, importer=truncate(importer, 50), plural=False)


def tax_type(item: DomeggookItem) -> TaxType | Rejection:
    """과세 → TAX, 면세 → DUTYFREE, 영세율 → SMALL; an unknown value is a review case, not a guess."""
    text = item.basis.tax.strip()
    found = _TAX_TYPES.get(text.replace(" ", ""))
    if found is None:
        return reject(item.no, RejectionCode.TAX_TYPE_UNKNOWN, "basis.tax", f"unknown tax type {text[:30]!r}")
    return found
