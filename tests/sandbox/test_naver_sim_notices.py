"""The simulator checks a category notice's text fields like the ETC notice's: the docs' caps,
the refused characters and a real contact phone (docs/SANDBOX.md, fidelity-evidence rows 4 and 5)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.support import NaverApi, problem_names
from tests.sandbox.test_naver_sim_reference_gates import WEAR_BODY, create, detail

NOTICE = "originProduct.detailAttribute.productInfoProvidedNotice"
#: 패션의류>여성의류>티셔츠 (lists WEAR) and 화장품/미용>스킨케어>스킨/토너 (lists COSMETIC).
WEAR_LEAF, COSMETIC_LEAF = "50000683", "50000437"
COSMETIC_BODY = {
    **{k: "0" for k in ("returnCostReason", "noRefundReason", "qualityAssuranceStandard")},
    **{k: "0" for k in ("compensationProcedure", "troubleShootingContents")},
    "capacity": "200ml",
    "specification": "모든 피부용",
    "expirationDateText": "제조일로부터 24개월",
    "usage": "상세페이지 참조",
    "manufacturer": "샘플코스메틱",
    "producer": "대한민국",
    "distributor": "샘플상사",
    "mainIngredient": "정제수, 글리세린",
    "certificationType": "해당 없음",
    "caution": "상세페이지 참조",
    "warrantyPolicy": "소비자분쟁해결기준에 따릅니다.",
    "customerServicePhoneNumber": "02-1234-5678",
}


async def with_notice(naver: NaverApi, leaf: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    payload = await naver.valid_payload()
    payload["originProduct"]["leafCategoryId"] = leaf
    detail(payload)["productInfoProvidedNotice"] = {"productInfoProvidedNoticeType": kind, kind.lower(): body}
    return payload


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("material", '면 100% *국내산* "프리미엄"'),
        ("color", "블랙<화이트>"),
        ("color", "c" * 201),
        ("material", "m" * 1501),
    ],
)
async def test_a_wear_notice_field_with_refused_characters_or_over_its_cap_is_refused(
    naver: NaverApi, field: str, value: str
) -> None:
    payload = await with_notice(naver, WEAR_LEAF, "WEAR", {**WEAR_BODY, field: value})

    status, answer = await create(naver, payload)

    assert status == 400
    assert problem_names(answer) == {f"{NOTICE}.wear.{field}"}


async def test_a_wear_notice_at_the_docs_caps_is_accepted(naver: NaverApi) -> None:
    body = {**WEAR_BODY, "material": "m" * 1500, "color": "c" * 200, "size": "S/M/L"}
    payload = await with_notice(naver, WEAR_LEAF, "WEAR", body)

    status, answer = await create(naver, payload)

    assert status == 200, answer


async def test_a_cosmetic_notice_needs_a_real_contact_phone(naver: NaverApi) -> None:
    payload = await with_notice(naver, COSMETIC_LEAF, "COSMETIC", COSMETIC_BODY)
    status, answer = await create(naver, payload)
    assert status == 200, answer

    placeholder = {**COSMETIC_BODY, "customerServicePhoneNumber": "010-0000-0000"}
    payload = await with_notice(naver, COSMETIC_LEAF, "COSMETIC", placeholder)
    status, answer = await create(naver, payload)

    assert status == 400
    assert problem_names(answer) == {f"{NOTICE}.cosmetic.customerServicePhoneNumber"}


#: 식품>축산물>쇠고기>수입산쇠고기: the 식품 top level lists FOOD; the leaf is GREEN_PRODUCTS-gated.
FOOD_LEAF = "50004655"
FOOD_BODY = {
    **{k: "0" for k in ("returnCostReason", "noRefundReason", "qualityAssuranceStandard")},
    **{k: "0" for k in ("compensationProcedure", "troubleShootingContents")},
    "foodItem": "수입산 쇠고기 등심",
    "weight": "500g",
    "amount": "1팩",
    "size": "20x15x3cm",
    "packDateText": "상세페이지 참조",
    "consumptionDateText": "포장일로부터 7일",
    "producer": "샘플축산",
    "productComposition": "등심 500g",
    "keep": "냉장 보관",
    "adCaution": "상세페이지 참조",
    "customerServicePhoneNumber": "02-1234-5678",
}


async def food_payload(naver: NaverApi, body: dict[str, Any]) -> dict[str, Any]:
    payload = await with_notice(naver, FOOD_LEAF, "FOOD", body)
    detail(payload)["certificationTargetExcludeContent"] = {"greenCertifiedProductExclusionYn": True}
    detail(payload)["originAreaInfo"] = {"originAreaCode": "0200101", "importer": "샘플수입"}  # 미국
    return payload


async def test_a_food_notice_with_every_required_field_is_accepted(naver: NaverApi) -> None:
    status, answer = await create(naver, await food_payload(naver, FOOD_BODY))

    assert status == 200, answer


@pytest.mark.parametrize(
    "missing", ["foodItem", "weight", "amount", "size", "producer", "productComposition", "keep", "adCaution"]
)
async def test_a_food_notice_needs_every_required_field(naver: NaverApi, missing: str) -> None:
    body = {k: v for k, v in FOOD_BODY.items() if k != missing}

    status, answer = await create(naver, await food_payload(naver, body))

    assert status == 400
    assert problem_names(answer) == {f"{NOTICE}.food.{missing}"}


async def test_a_food_notice_needs_a_consumption_date_not_the_deprecated_expiration_date(
    naver: NaverApi,
) -> None:
    body = {k: v for k, v in FOOD_BODY.items() if k != "consumptionDateText"}
    body["expirationDateText"] = "포장일로부터 7일"

    status, answer = await create(naver, await food_payload(naver, body))

    assert status == 400
    assert problem_names(answer) == {f"{NOTICE}.food.consumptionDateText"}


async def test_a_food_weight_over_50_characters_is_refused(naver: NaverApi) -> None:
    status, answer = await create(naver, await food_payload(naver, {**FOOD_BODY, "weight": "w" * 51}))

    assert status == 400
    assert problem_names(answer) == {f"{NOTICE}.food.weight"}
