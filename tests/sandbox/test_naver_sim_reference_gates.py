"""The simulator enforces Naver's reference data (issue 8 §1): origin codes from its list, notice
types per category with their required fields, certification ids per leaf, restricted tags."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.support import NaverApi, problem_names

D = "originProduct.detailAttribute"
WEAR_BODY = {
    "returnCostReason": "0",
    "noRefundReason": "0",
    "qualityAssuranceStandard": "0",
    "compensationProcedure": "0",
    "troubleShootingContents": "0",
    "material": "면 100%",
    "color": "블랙",
    "size": "M",
    "manufacturer": "상세페이지 참조",
    "caution": "손세탁",
    "packDateText": "상세페이지 참조",
    "warrantyPolicy": "소비자분쟁해결기준에 따릅니다.",
    "afterServiceDirector": "02-1234-5678",
}


async def create(naver: NaverApi, payload: dict[str, Any]) -> tuple[int, Any]:
    status, body, _ = await naver.call("POST", "/v2/products", json=payload)
    return status, body


def detail(payload: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = payload["originProduct"]["detailAttribute"]
    return value


async def test_origin_codes_must_be_in_the_origin_area_list(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    detail(payload)["originAreaInfo"] = {"originAreaCode": "0299999", "importer": "수입사"}
    status, body = await create(naver, payload)
    assert status == 400
    assert problem_names(body) == {f"{D}.originAreaInfo.originAreaCode"}

    detail(payload)["originAreaInfo"] = {"originAreaCode": "0200041", "importer": "수입사"}  # 베트남
    status, body = await create(naver, payload)
    assert status == 200, body


async def test_the_notice_type_must_be_one_the_categorys_top_level_lists(naver: NaverApi) -> None:
    payload = await naver.valid_payload()  # 50000803 텀블러: 생활/건강 lists KITCHEN_UTENSILS and ETC
    detail(payload)["productInfoProvidedNotice"] = {
        "productInfoProvidedNoticeType": "WEAR",
        "wear": WEAR_BODY,
    }
    status, body = await create(naver, payload)
    assert status == 400
    assert problem_names(body) == {f"{D}.productInfoProvidedNotice.productInfoProvidedNoticeType"}

    payload["originProduct"]["leafCategoryId"] = "50000683"  # 패션의류>여성의류>티셔츠
    status, body = await create(naver, payload)
    assert status == 200, body


@pytest.mark.parametrize("missing", ["material", "caution", "packDateText"])
async def test_a_wear_notice_needs_every_required_field(naver: NaverApi, missing: str) -> None:
    payload = await naver.valid_payload()
    payload["originProduct"]["leafCategoryId"] = "50000683"
    wear = {k: v for k, v in WEAR_BODY.items() if k != missing}
    detail(payload)["productInfoProvidedNotice"] = {"productInfoProvidedNoticeType": "WEAR", "wear": wear}

    status, body = await create(naver, payload)

    assert status == 400
    assert problem_names(body) == {f"{D}.productInfoProvidedNotice.wear.{missing}"}


async def test_a_kc_leaf_takes_only_its_own_certification_ids_with_agency_and_number(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    payload["originProduct"]["leafCategoryId"] = "50000252"  # 휴대폰충전기: KC_CERTIFICATION
    certificate = {"certificationInfoId": 2001, "name": "안전확인", "certificationNumber": "XU1-1"}
    detail(payload)["productCertificationInfos"] = [certificate]
    status, body = await create(naver, payload)
    assert status == 400
    assert f"{D}.productCertificationInfos[0].certificationInfoId" in problem_names(body)

    certificate.update(certificationInfoId=1001, certificationNumber="")
    status, body = await create(naver, payload)
    assert status == 400
    assert f"{D}.productCertificationInfos[0].certificationNumber" in problem_names(body)

    certificate.update(certificationNumber="XU1-1", certificationKindType="KC_CERTIFICATION")
    status, body = await create(naver, payload)
    assert status == 200, body


async def test_a_green_products_leaf_needs_a_certificate_or_the_exclusion(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    payload["originProduct"]["leafCategoryId"] = "50001620"  # 비타민: GREEN_PRODUCTS
    status, body = await create(naver, payload)
    assert status == 400
    assert problem_names(body) == {f"{D}.productCertificationInfos"}

    detail(payload)["certificationTargetExcludeContent"] = {"greenCertifiedProductExclusionYn": True}
    status, body = await create(naver, payload)
    assert status == 200, body


async def test_a_restricted_tag_is_refused(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    detail(payload)["seoInfo"] = {"sellerTags": [{"text": "텀블러"}, {"text": "무료배송"}]}
    status, body = await create(naver, payload)
    assert status == 400
    assert problem_names(body) == {f"{D}.seoInfo.sellerTags[1].text"}
