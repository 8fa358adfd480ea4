"""The simulator's reference-data endpoints: notice types, origin areas, restricted tags; and the
sandbox's category map.

Shapes follow Naver's docs (tagged DOC with the file in ``myso-kr/naver-commerce-api-docs-cli``
``raws/commerce-api/current/``); the *contents* are a small made-up set shaped like the real
ones (INFERRED), except where an OBSERVED source is named. Like the category tree, they are never
production data: the client caches whatever the real API answers instead.

``CATEGORY_MAP_PATH`` is the Domeggook → Naver map for the sandbox catalog against the sandbox's
own category tree (it used to ship as ``storebridge/data/category_map.csv``, the production
default, which issue 8 §1 forbids). The sandbox hands it out as ``CATEGORY_MAP_FILE``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web

from storebridge.sandbox.naver.categories import CATEGORIES_BY_ID
from storebridge.sandbox.naver.state import get_state
from storebridge.sandbox.naver.wire import SimInvalidInput, product_error

#: The sandbox catalog's category map (``domeggook_code,naver_leaf_category_id,requires,note``).
CATEGORY_MAP_PATH = Path(str(resources.files("storebridge.sandbox.naver").joinpath("category_map.csv")))

#: Origin-area codes (``GET /v1/product-origin-areas``). Top levels 00–05 are DOC
#: create-product-product.md; ``0200037`` China is OBSERVED (naver-commerce-api.md U-6..U-8);
#: every other detailed code and the ``>``-joined names are INFERRED.
ORIGIN_AREAS: dict[str, str] = {
    "00": "국산",
    "0000001": "국산>서울특별시",
    "0000009": "국산>경기도",
    "0000017": "국산>제주특별자치도",
    "01": "원양산",
    "02": "수입산",
    "0200037": "수입산>아시아>중국",
    "0200038": "수입산>아시아>일본",
    "0200039": "수입산>아시아>대만",
    "0200041": "수입산>아시아>베트남",
    "0200043": "수입산>아시아>태국",
    "0200045": "수입산>아시아>인도",
    "0200046": "수입산>아시아>인도네시아",
    "0200050": "수입산>아시아>필리핀",
    "0200101": "수입산>북아메리카>미국",
    "0200102": "수입산>북아메리카>캐나다",
    "0200201": "수입산>유럽>독일",
    "0200202": "수입산>유럽>프랑스",
    "0200203": "수입산>유럽>이탈리아",
    "0200204": "수입산>유럽>영국",
    "0200301": "수입산>오세아니아>호주",
    "0200302": "수입산>오세아니아>뉴질랜드",
    "03": "기타-상세설명에 표시",
    "04": "기타-직접입력",
    "05": "원산지 표기 의무 대상 아님",
}

#: Tags ``GET /v2/tags/restricted-tags`` reports as restricted. That the API exists and its answer
#: shape are DOC is-restrict-tags-product.md; the list itself is INFERRED (store names, promotion
#: words a search engine would not index as product tags).
RESTRICTED_TAGS: frozenset[str] = frozenset(
    {"네이버", "스마트스토어", "최저가", "무료배송", "당일발송", "이벤트", "쿠폰", "사은품"}
)

#: Notice types recommended per top-level category (``GET /v1/products-for-provided-notice``).
#: The type names are DOC get-all-product-info-provided-notice-type-vo-product.md; which top level
#: recommends which is INFERRED from the type names. Every answer also lists ETC.
NOTICE_TYPES_BY_TOP_LEVEL: dict[str, tuple[str, ...]] = {
    "50000000": ("WEAR",),
    "50000001": ("FASHION_ITEMS", "BAG", "SHOES"),
    "50000002": ("COSMETIC",),
    "50000003": ("HOME_APPLIANCES", "SEASON_APPLIANCES", "MICROELECTRONICS", "CELLPHONE"),
    "50000004": ("FURNITURE", "SLEEPING_GEAR"),
    "50000005": ("KIDS",),
    "50000006": ("FOOD", "GENERAL_FOOD", "DIET_FOOD"),
    "50000007": ("SPORTS_EQUIPMENT",),
    "50000008": ("KITCHEN_UTENSILS",),
}
#: The five policy answers every notice body carries [DOC create-product-product.md].
POLICY_FIELDS = (
    "returnCostReason", "noRefundReason", "qualityAssuranceStandard", "compensationProcedure",
    "troubleShootingContents",
)  # fmt: skip
#: Required fields (besides ``POLICY_FIELDS``) per notice type the simulator checks, with their
#: descriptions: [DOC create-product-product.md] ``wear`` / ``cosmetic`` / ``food`` / ``etc``. A tuple
#: of names means "one of them" (``packDate`` or ``packDateText``). Other types: presence only.
NOTICE_REQUIRED_FIELDS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "WEAR": (
        (("material",), "제품 소재"),
        (("color",), "색상"),
        (("size",), "치수"),
        (("manufacturer",), "제조자(사)"),
        (("caution",), "세탁 방법 및 취급 시 주의사항"),
        (("packDate", "packDateText"), "제조연월"),
        (("warrantyPolicy",), "품질 보증 기준"),
        (("afterServiceDirector",), "A/S 책임자와 전화번호"),
    ),
    "COSMETIC": (
        (("capacity",), "내용물의 용량 및 중량"),
        (("specification",), "제품 주요 사양"),
        (("expirationDate", "expirationDateText"), "사용기한 또는 개봉 후 사용기간"),
        (("usage",), "사용 방법"),
        (("manufacturer",), "화장품 제조업자"),
        (("producer",), "제조국"),
        (("distributor",), "화장품책임판매업자"),
        (("mainIngredient",), "모든 성분"),
        (("certificationType",), "기능성 화장품 심사 필 유무"),
        (("caution",), "사용할 때의 주의사항"),
        (("warrantyPolicy",), "품질 보증 기준"),
        (("customerServicePhoneNumber",), "소비자 상담 관련 전화번호"),
    ),
    "FOOD": (
        (("foodItem",), "품목 또는 명칭"),
        (("weight",), "포장 단위별 용량(중량), 수량, 크기"),
        (("amount",), "포장 단위별 수량"),
        (("size",), "포장 단위별 크기"),
        (("packDate", "packDateText"), "제조연월일"),
        # ``expirationDate(Text)`` (유통기한) is deprecated: only 소비기한 / 품질유지기한 counts.
        (("consumptionDate", "consumptionDateText"), "소비기한 또는 품질유지기한"),
        (("producer",), "생산자"),
        (("productComposition",), "상품 구성"),
        (("keep",), "보관 방법 또는 취급 방법"),
        (("adCaution",), "소비자 안전을 위한 주의사항"),
        (("customerServicePhoneNumber",), "소비자 상담 관련 전화번호"),
    ),
    "ETC": ((("itemName",), "품명"), (("modelName",), "모델명"), (("manufacturer",), "제조자(사)")),
}
_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    kind: tuple((names[0], description) for names, description in fields)
    for kind, fields in NOTICE_REQUIRED_FIELDS.items()
}
_TYPE_NAMES: dict[str, str] = {
    "WEAR": "의류", "COSMETIC": "화장품", "FOOD": "식품(농수산물)", "ETC": "기타 재화"
}  # fmt: skip


def notice_types_for(category_id: str) -> tuple[str, ...]:
    """The notice types the simulator lists for the top level of ``category_id`` (ETC last)."""
    node = CATEGORIES_BY_ID[category_id]
    while node.parent_id is not None:
        node = CATEGORIES_BY_ID[node.parent_id]
    return (*NOTICE_TYPES_BY_TOP_LEVEL.get(node.id, ()), "ETC")


def _notice_entry(kind: str) -> dict[str, Any]:
    return {
        "productInfoProvidedNoticeType": kind,
        "productInfoProvidedNoticeTypeName": _TYPE_NAMES.get(kind, kind),
        "productInfoProvidedNoticeContents": [
            {"fieldType": "STRING", "fieldName": name, "fieldDescription": description, "fieldMaxLength": 200}
            for name, description in _FIELDS.get(kind, ())
        ],
    }


async def list_notice_types(request: web.Request) -> web.Response:
    """``GET /v1/products-for-provided-notice[?categoryId=]`` — a JSON array of notice types.

    Without ``categoryId`` every type of the table (DOC: "전체 상품군 목록"). The docs say the id is
    a top-level category (대카테고리); what Naver does with a leaf id is unknown, so the simulator
    is strict (INFERRED): 400 for a non-top-level id, 404 for an unknown one.
    """
    category_id = request.query.get("categoryId", "")
    if not category_id:
        every = sorted({k for kinds in NOTICE_TYPES_BY_TOP_LEVEL.values() for k in kinds} | {"ETC"})
        return web.json_response([_notice_entry(k) for k in every])
    category = CATEGORIES_BY_ID.get(category_id)
    now_s = get_state(request).clock()
    if category is None:
        return product_error(404, now_s=now_s, message="존재하지 않는 카테고리입니다.")
    if category.parent_id is not None:
        problem = SimInvalidInput("categoryId", "TopLevelCategory", "대카테고리 ID를 입력해주세요.")
        return product_error(400, now_s=now_s, invalid_inputs=[problem])
    return web.json_response([_notice_entry(k) for k in notice_types_for(category_id)])


async def list_origin_areas(request: web.Request) -> web.Response:
    """``GET /v1/product-origin-areas`` — ``{"originAreaCodeNames": [{code, name}]}`` (DOC shape)."""
    rows = [{"code": code, "name": name} for code, name in ORIGIN_AREAS.items()]
    return web.json_response({"originAreaCodeNames": rows})


async def restricted_tags(request: web.Request) -> web.Response:
    """``GET /v2/tags/restricted-tags?tags=a&tags=b`` — ``[{tag, restricted}]`` per tag asked.

    ``tags`` is required (DOC); both repeated parameters and one comma-separated value are read
    (Spring binds either to ``string[]``: INFERRED).
    """
    tags = [t.strip() for value in request.query.getall("tags", []) for t in value.split(",") if t.strip()]
    if not tags:
        problem = SimInvalidInput("tags", "NotEmpty", "태그를 입력해주세요.")
        return product_error(400, now_s=get_state(request).clock(), invalid_inputs=[problem])
    return web.json_response([{"tag": t, "restricted": t in RESTRICTED_TAGS} for t in dict.fromkeys(tags)])
