"""Legal notice (ETC), origin area and tax type."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from schemas.domeggook import DomeggookItem
from schemas.naver import OriginAreaInfo, ProductInfoProvidedNotice
from storebridge.transform.notice import build_notice, build_origin, tax_type
from storebridge.transform.result import Rejection, RejectionCode
from storebridge.transform.rules import TransformRules
from tests.paths import DOMEGGOOK_DATA as DATA

RULES = TransformRules(category_map={}, as_phone="02-1234-5678")


def body() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((DATA / "item_view_single.json").read_text(encoding="utf-8"))[
        "domeggook"
    ]
    return raw


def item(raw: dict[str, Any]) -> DomeggookItem:
    return DomeggookItem.model_validate(raw)


def notice_of(raw: dict[str, Any], rules: TransformRules = RULES) -> ProductInfoProvidedNotice:
    result = build_notice(item(raw), "스텐 진공 텀블러 500ml", rules)
    assert isinstance(result, ProductInfoProvidedNotice)
    return result


def test_reference_item_fills_the_etc_notice_from_info_duty_and_detail() -> None:
    assert notice_of(body()).to_wire() == {
        "productInfoProvidedNoticeType": "ETC",
        "etc": {
            "returnCostReason": "0",
            "noRefundReason": "0",
            "qualityAssuranceStandard": "0",
            "compensationProcedure": "0",
            "troubleShootingContents": "0",
            "itemName": "스텐 진공 텀블러",
            "modelName": "TB-500",
            "manufacturer": "샘플제조",
            "certificateDetails": "안전확인 XX000000-0000",
            "customerServicePhoneNumber": "02-1234-5678",
        },
    }


def test_placeholders_become_see_detail_page() -> None:
    raw = body()
    raw["detail"].update(model="상세정보별도표기", manufacturer="상세정보 별도표기", safetyCert=[])
    raw["detail"]["infoDuty"]["item"] = [{"type": "item", "name": "제조자", "desc": "상세페이지참조"}]

    etc = notice_of(raw).etc
    assert etc is not None
    assert (etc.item_name, etc.model_name, etc.manufacturer) == (
        "스텐 진공 텀블러 500ml",
        "상세페이지 참조",
        "상세페이지 참조",
    )
    assert etc.certificate_details is None


def test_notice_answers_follow_the_rules() -> None:
    etc = notice_of(body(), dataclasses.replace(RULES, notice_answer="1")).etc

    assert etc is not None
    assert etc.return_cost_reason == "1"


def test_long_notice_values_are_cut_to_navers_limits() -> None:
    raw = body()
    raw["detail"]["infoDuty"]["item"] = [
        {"name": "품명", "desc": "가" * 80},
        {"name": "제조사", "desc": "나" * 300},
    ]

    etc = notice_of(raw).etc

    # Changed with issue 8: item/model names stay strictly below Naver's 50 ("50자보다 작게").
    assert etc is not None
    assert len(etc.item_name) == 49
    assert len(etc.manufacturer) == 200


@pytest.mark.parametrize("info_duty", [None, "", {"type": "35", "item": []}, {"type": "35"}])
def test_missing_info_duty_is_notice_missing(info_duty: object) -> None:
    raw = body()
    raw["detail"]["infoDuty"] = info_duty

    assert build_notice(item(raw), "x", RULES) == Rejection(
        RejectionCode.NOTICE_MISSING, "detail.infoDuty", "item 46072413: the supplier gave no infoDuty"
    )


def test_missing_info_duty_is_filled_when_not_required() -> None:
    raw = body()
    del raw["detail"]

    etc = notice_of(raw, dataclasses.replace(RULES, require_info_duty=False)).etc

    assert etc is not None
    assert etc.item_name == "스텐 진공 텀블러 500ml"
    assert etc.manufacturer == "상세페이지 참조"


def test_china_origin_uses_the_china_code_and_the_supplier_as_importer() -> None:
    assert build_origin(item(body()), RULES) == OriginAreaInfo(
        origin_area_code="0200037", importer="주식회사 샘플상사", plural=False
    )


def test_configured_importer_overrides_the_supplier() -> None:
    origin = build_origin(item(body()), dataclasses.replace(RULES, importer_name="스토어브릿지"))

    assert isinstance(origin, OriginAreaInfo)
    assert origin.importer == "스토어브릿지"


def test_domestic_origin_needs_no_importer() -> None:
    raw = body()
    raw["detail"]["country"] = "국산"

    assert build_origin(item(raw), RULES) == OriginAreaInfo(origin_area_code="00", plural=False)


def test_unknown_country_is_entered_directly() -> None:
    raw = body()
    raw["detail"]["country"] = "아시아_베트남"

    assert build_origin(item(raw), RULES) == OriginAreaInfo(
        origin_area_code="04", content="베트남", plural=False
    )


def test_the_notice_country_line_is_used_when_detail_country_is_a_placeholder() -> None:
    raw = body()
    raw["detail"]["country"] = "상세정보별도표기"

    origin = build_origin(item(raw), RULES)

    assert isinstance(origin, OriginAreaInfo)
    assert origin.origin_area_code == "0200037"


def test_no_origin_anywhere_is_origin_missing() -> None:
    raw = body()
    raw["detail"]["country"] = ""
    raw["detail"]["infoDuty"]["item"] = [{"name": "품명", "desc": "텀블러"}]

    result = build_origin(item(raw), RULES)

    assert isinstance(result, Rejection)
    assert result.code == RejectionCode.ORIGIN_MISSING


def test_import_without_any_importer_name_is_rejected() -> None:
    raw = body()
    del raw["seller"]

    result = build_origin(item(raw), RULES)

    assert result == Rejection(
        RejectionCode.ORIGIN_IMPORTER_MISSING,
        "seller.company.name",
        "item 46072413: imported from 중국 but no importer name is known",
    )


@pytest.mark.parametrize(
    ("tax", "expected"), [("과세상품", "TAX"), ("", "TAX"), ("면세상품", "DUTYFREE"), ("영세율상품", "SMALL")]
)
def test_tax_types_map_to_naver(tax: str, expected: str) -> None:
    raw = body()
    raw["basis"]["tax"] = tax

    assert tax_type(item(raw)) == expected


def test_an_unknown_tax_type_is_rejected() -> None:
    raw = body()
    raw["basis"]["tax"] = "간이과세"

    result = tax_type(item(raw))

    assert isinstance(result, Rejection)
    assert result.message == "item 46072413: unknown tax type '간이과세'"


# -- notice type per category and origin codes from Naver's list (issue 8 §1) -------------------
WEAR_ROWS = [
    {"type": "item", "name": "제품소재", "desc": "면 100%"},
    {"type": "item", "name": "색상", "desc": "상세페이지 참조"},
    {"type": "item", "name": "치수", "desc": "S, M, L"},
    {"type": "item", "name": "세탁방법 및 취급시 주의사항", "desc": "손세탁"},
    {"type": "item", "name": "제조연월", "desc": "2024-03"},
]


def test_a_wear_category_gets_a_wear_notice_from_the_suppliers_rows() -> None:
    raw = body()
    raw["detail"]["infoDuty"]["item"] += WEAR_ROWS

    notice = build_notice(item(raw), "티셔츠", RULES, ("WEAR", "ETC"))

    assert isinstance(notice, ProductInfoProvidedNotice)
    wear = notice.to_wire()["wear"]
    assert notice.product_info_provided_notice_type == "WEAR"
    assert (wear["material"], wear["color"], wear["size"]) == ("면 100%", "상세페이지 참조", "S, M, L")
    assert (wear["caution"], wear["packDateText"], wear["manufacturer"]) == ("손세탁", "2024-03", "샘플제조")
    assert wear["afterServiceDirector"] == "02-1234-5678"


def test_a_cosmetic_category_gets_a_cosmetic_notice() -> None:
    raw = body()
    raw["detail"]["infoDuty"]["item"] += [
        {"type": "item", "name": name, "desc": "상세페이지 참조"}
        for name in ("용량 또는 중량", "제품 주요 사양", "사용기한", "사용방법", "주요성분")
    ]

    notice = build_notice(item(raw), "토너", RULES, ("COSMETIC", "ETC"))

    assert isinstance(notice, ProductInfoProvidedNotice)
    cosmetic = notice.to_wire()["cosmetic"]
    assert notice.product_info_provided_notice_type == "COSMETIC"
    assert (cosmetic["producer"], cosmetic["customerServicePhoneNumber"]) == ("중국", "02-1234-5678")


def test_missing_wear_rows_fall_back_to_etc_when_the_category_allows_it() -> None:
    notice = build_notice(item(body()), "티셔츠", RULES, ("WEAR", "ETC"))

    assert isinstance(notice, ProductInfoProvidedNotice)
    assert notice.product_info_provided_notice_type == "ETC"


def test_missing_rows_without_etc_go_to_review_naming_them() -> None:
    result = build_notice(item(body()), "티셔츠", RULES, ("WEAR",))

    assert isinstance(result, Rejection)
    assert result.code is RejectionCode.NOTICE_MISSING
    assert "제품소재" in result.message
    assert "세탁방법" in result.message


AREAS = {
    "00": "국산",
    "0000009": "국산>경기도",
    "0200037": "수입산>아시아>중국",
    "0200041": "수입산>아시아>베트남",
}


@pytest.mark.parametrize(
    ("country", "code"),
    [
        ("아시아_베트남", "0200041"),
        ("국내_경기도", "0000009"),
        ("대한민국", "00"),
        ("아시아_중국", "0200037"),
    ],
)
def test_origin_countries_map_to_codes_from_navers_list(country: str, code: str) -> None:
    raw = body()
    raw["detail"]["country"] = country

    origin = build_origin(item(raw), dataclasses.replace(RULES, origin_areas=AREAS))

    assert isinstance(origin, OriginAreaInfo)
    assert origin.origin_area_code == code


def test_a_country_not_in_the_list_is_direct_input_and_a_table_code_naver_lacks_is_not_trusted() -> None:
    raw = body()
    raw["detail"]["country"] = "유럽_몰타"
    rules = dataclasses.replace(RULES, origin_areas=AREAS, origin_codes={"몰타": "0299999"})

    origin = build_origin(item(raw), rules)

    assert isinstance(origin, OriginAreaInfo)
    assert (origin.origin_area_code, origin.content) == ("04", "몰타")


# -- FOOD: 식품(농수축산물) from the 고시's rows (issue 8 §1) ---------------------------------------
#: The rows of the 농수축산물 고시 as suppliers write them (combined rows fill several Naver fields).
FOOD_ROWS = [
    {"type": "item", "name": "품목 또는 명칭", "desc": "한우 등심"},
    {"type": "item", "name": "포장단위별 내용물의 용량(중량), 수량, 크기", "desc": "500g / 1팩 / 20x15x3cm"},
    {"type": "item", "name": "생산자(수입품의 경우 수입자를 함께 표기)", "desc": "샘플축산"},
    {
        "type": "item",
        "name": "제조연월일(포장일 또는 생산연도), 소비기한 또는 품질유지기한",
        "desc": "포장일로부터 7일",
    },
    {"type": "item", "name": "관련법상 표시사항", "desc": "이력번호 002123456789"},
    {"type": "item", "name": "상품구성", "desc": "등심 500g"},
    {"type": "item", "name": "보관방법 또는 취급방법", "desc": "0~4도 냉장 보관"},
    {"type": "item", "name": "소비자안전을 위한 주의사항", "desc": "상세페이지 참조"},
]
FOOD_TYPES = ("FOOD", "GENERAL_FOOD", "DIET_FOOD")


def food_item(rows: list[dict[str, str]]) -> DomeggookItem:
    raw = body()
    raw["detail"]["infoDuty"]["item"] = rows
    return item(raw)


def test_a_food_category_gets_a_food_notice_from_the_suppliers_rows() -> None:
    notice = build_notice(food_item(FOOD_ROWS), "한우 등심 500g", RULES, (*FOOD_TYPES, "ETC"))

    assert isinstance(notice, ProductInfoProvidedNotice)
    assert notice.product_info_provided_notice_type == "FOOD"
    food = notice.to_wire()["food"]
    assert (food["foodItem"], food["producer"], food["keep"]) == ("한우 등심", "샘플축산", "0~4도 냉장 보관")
    combined = "500g / 1팩 / 20x15x3cm"
    assert (food["weight"], food["amount"], food["size"]) == (combined, combined, combined)
    assert food["packDateText"] == food["consumptionDateText"] == "포장일로부터 7일"
    assert (food["relevantLawContent"], food["productComposition"]) == ("이력번호 002123456789", "등심 500g")
    assert (food["adCaution"], food["customerServicePhoneNumber"]) == ("상세페이지 참조", "02-1234-5678")
    assert food["returnCostReason"] == "0"


def test_food_fields_the_supplier_leaves_out_read_see_detail_and_long_weights_are_cut_to_50() -> None:
    rows = [
        {"type": "item", "name": "중량", "desc": "1kg " + "(" + "국내산 " * 20 + ")"},
        {"type": "item", "name": "생산자", "desc": '샘플*농장 "직송"'},
        {"type": "item", "name": "유통기한", "desc": "상세페이지 참조"},
        {"type": "item", "name": "보관방법", "desc": "냉장"},
    ]

    notice = build_notice(food_item(rows), "사과 1kg", RULES, ("FOOD",))

    assert isinstance(notice, ProductInfoProvidedNotice)
    food = notice.to_wire()["food"]
    assert len(food["weight"]) < 50
    assert food["producer"] == "샘플 농장 '직송'"
    assert (food["foodItem"], food["amount"], food["packDateText"]) == (
        "사과 1kg",
        "상세페이지 참조",
        "상세페이지 참조",
    )
    assert "relevantLawContent" not in food


def test_missing_food_rows_without_etc_go_to_review_naming_them() -> None:
    rows = [row for row in FOOD_ROWS if "생산자" not in row["name"] and "보관" not in row["name"]]

    result = build_notice(food_item(rows), "한우 등심", RULES, FOOD_TYPES)

    assert isinstance(result, Rejection)
    assert result.code is RejectionCode.NOTICE_MISSING
    assert "FOOD needs rows 생산자, 보관방법" in result.message
    assert "StoreBridge does not fill GENERAL_FOOD, DIET_FOOD" in result.message


def test_missing_food_rows_fall_back_to_etc_when_the_category_allows_it() -> None:
    notice = build_notice(food_item(FOOD_ROWS[:1]), "한우 등심", RULES, (*FOOD_TYPES, "ETC"))

    assert isinstance(notice, ProductInfoProvidedNotice)
    assert notice.product_info_provided_notice_type == "ETC"


def test_a_processed_food_notice_never_becomes_a_food_notice() -> None:
    rows = [*FOOD_ROWS, {"type": "item", "name": "식품의 유형", "desc": "유탕면"}]

    result = build_notice(food_item(rows), "라면", RULES, FOOD_TYPES)

    assert isinstance(result, Rejection)
    assert "FOOD does not fit rows of a 가공식품/건강기능식품 notice (식품의 유형)" in result.message
