"""Legal data: 상품정보제공고시 (from ``detail.infoDuty``), origin area and tax type.

Only the ``ETC`` (기타 재화) notice is produced: it is the one type whose fields can be filled from
any supplier item. Category-specific types (food, cosmetics …) need Naver's template for the leaf
(``GET /v1/products-for-provided-notice``) and are not handled here. Items whose supplier notice is
missing are rejected (NOTICE_MISSING) unless ``rules.require_info_duty`` is off; placeholders such
as "상세정보별도표기" become "상세페이지 참조". Text fields lose Smart Store's forbidden characters
(``policy.NAME_FORBIDDEN``, replaced) and item/model names stay strictly below 50 characters.
"""

from __future__ import annotations

from typing import Literal

from schemas.domeggook import DomeggookItem, InfoDutyEntry
from schemas.naver import EtcNotice, OriginAreaInfo, ProductInfoProvidedNotice
from storebridge.transform.content import clean_text, is_placeholder, truncate
from storebridge.transform.policy import NAME_FORBIDDEN, NOTICE_NAME_MAX_CHARS, replace_forbidden
from storebridge.transform.result import Rejection, RejectionCode, reject
from storebridge.transform.rules import TransformRules

SEE_DETAIL = "상세페이지 참조"
#: Naver origin codes: 03 = 기타(상세 설명에 표시), 04 = 기타(직접 입력).
ORIGIN_DIRECT_INPUT = "04"
TaxType = Literal["TAX", "DUTYFREE", "SMALL"]
_TAX_TYPES: dict[str, TaxType] = {"": "TAX", "과세상품": "TAX", "면세상품": "DUTYFREE", "영세율상품": "SMALL"}


def _entries(item: DomeggookItem) -> tuple[InfoDutyEntry, ...]:
    duty = item.detail.info_duty if item.detail is not None else None
    return duty.item if duty is not None else ()


def _lookup(entries: tuple[InfoDutyEntry, ...], *keywords: str) -> str | None:
    for entry in entries:
        if any(keyword in entry.name for keyword in keywords):
            value = clean_text(entry.desc)[0]
            if not is_placeholder(value):
                return value
    return None


def _meaningful(value: str) -> str | None:
    text = clean_text(value)[0]
    return None if is_placeholder(text) else text


def build_notice(
    item: DomeggookItem, name: str, rules: TransformRules
) -> ProductInfoProvidedNotice | Rejection:
    """The ETC notice; item and model names may come from a combined "품명 및 모델명" line."""
    entries = _entries(item)
    if rules.require_info_duty and not entries:
        return reject(
            item.no, RejectionCode.NOTICE_MISSING, "detail.infoDuty", "the supplier gave no infoDuty"
        )
    detail = item.detail
    combined = _lookup(entries, "품명 및 모델명", "품명/모델명")
    item_part, _, model_part = (combined or "").partition("/")
    item_name = _lookup(entries, "품명") if combined is None else item_part.strip()
    model_name = (
        (_meaningful(detail.model) if detail else None) or _lookup(entries, "모델명") or model_part.strip()
    )
    manufacturer = _lookup(entries, "제조자", "제조사", "수입자") or (
        _meaningful(detail.manufacturer) if detail else None
    )
    certificates = _lookup(entries, "인증", "허가")
    if certificates is None and detail is not None:
        listed = [f"{cert.name} {cert.no}".strip() for cert in detail.safety_cert if cert.no or cert.name]
        certificates = ", ".join(listed) or None
    answer = rules.notice_answer

    def text(value: str, limit: int) -> str:
        # Notice fields refuse the same characters as names (modelName: OBSERVED U-56165440097).
        return truncate(replace_forbidden(value, NAME_FORBIDDEN), limit)

    etc = EtcNotice(
        return_cost_reason=answer,
        no_refund_reason=answer,
        quality_assurance_standard=answer,
        compensation_procedure=answer,
        trouble_shooting_contents=answer,
        item_name=text(item_name or name, NOTICE_NAME_MAX_CHARS) or SEE_DETAIL,
        model_name=text(model_name or SEE_DETAIL, NOTICE_NAME_MAX_CHARS) or SEE_DETAIL,
        manufacturer=text(manufacturer or SEE_DETAIL, 200) or SEE_DETAIL,
        certificate_details=text(certificates, 500) or None if certificates else None,
        customer_service_phone_number=rules.as_phone,
    )
    return ProductInfoProvidedNotice(product_info_provided_notice_type="ETC", etc=etc)


def build_origin(item: DomeggookItem, rules: TransformRules) -> OriginAreaInfo | Rejection:
    """Origin area from ``detail.country`` ("아시아_중국" → 중국) or the notice's 제조국/원산지 line.

    Mapped countries use ``rules.origin_codes``; an imported origin (02…) needs an importer
    (``rules.importer_name`` or the supplier's company). Other countries use code 04 with the
    country as text. No origin at all → ORIGIN_MISSING.
    """
    no = item.no
    country_text = _meaningful(item.detail.country) if item.detail is not None else None
    country = country_text.split("_")[-1].strip() if country_text else None
    country = country or _lookup(_entries(item), "제조국", "원산지")
    if not country:
        return reject(no, RejectionCode.ORIGIN_MISSING, "detail.country", "no country of origin given")
    code = rules.origin_codes.get(country.replace(" ", ""))
    if code is None:
        return OriginAreaInfo(
            origin_area_code=ORIGIN_DIRECT_INPUT, content=truncate(country, 50), plural=False
        )
    if not code.startswith("02"):
        return OriginAreaInfo(origin_area_code=code, plural=False)
    company = item.seller.company if item.seller is not None else None
    importer = rules.importer_name or (_meaningful(company.name) if company is not None else None)
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
