"""Per-leaf gates (issue 8 §1): certification data, unit price, and what ``build_product`` sends."""

from __future__ import annotations

import dataclasses
from typing import Any

from schemas.domeggook import DomeggookItem
from storebridge.transform import Transformed, TransformRejected, build_product, image_sources
from storebridge.transform.gates import GatePlan, plan_gates
from storebridge.transform.result import Rejection, RejectionCode
from storebridge.transform.rules import CertificationKind, LeafRules, TransformRules
from tests.paths import item_body

LEAF = "50000803"
KC_KINDS = (
    CertificationKind(1001, "[생활용품] 안전확인", ("KC_CERTIFICATION",)),
    CertificationKind(1003, "[생활용품] 공급자적합성확인", ("KC_CERTIFICATION",)),
)
CHILD_KINDS = (CertificationKind(2001, "[어린이제품] 안전인증", ("CHILD_CERTIFICATION",)),)


def rules_for(leaf: LeafRules, **changes: Any) -> TransformRules:
    return TransformRules(
        category_map={"04_01_03_00_00": LEAF}, as_phone="02-1234-5678", leaves={LEAF: leaf}, **changes
    )


def plan(raw: dict[str, Any], leaf: LeafRules, **changes: Any) -> GatePlan | list[Rejection]:
    return plan_gates(DomeggookItem.model_validate(raw), LEAF, rules_for(leaf, **changes))


KC_LEAF = LeafRules(
    whole_name="생활/건강>주방용품>텀블러",
    exceptional=frozenset({"KC_CERTIFICATION"}),
    certifications=KC_KINDS,
)


def test_a_kc_leaf_sends_the_suppliers_certificate_with_the_leafs_certification_id() -> None:
    result = plan(item_body(), KC_LEAF)

    assert isinstance(result, GatePlan)
    assert [c.to_wire() for c in result.certifications] == [
        {
            "certificationInfoId": 1001,
            "certificationKindType": "KC_CERTIFICATION",
            "name": "안전확인",
            "certificationNumber": "XX000000-0000",
        }
    ]
    assert result.exclusion is not None
    assert result.exclusion.to_wire() == {"kcCertifiedProductExclusionYn": "FALSE"}


def test_a_kc_leaf_without_a_certificate_is_a_review_naming_leaf_gate_and_what_is_missing() -> None:
    raw = item_body()
    raw["detail"]["safetyCert"] = []

    result = plan(raw, KC_LEAF)

    assert isinstance(result, list)
    assert len(result) == 1
    assert result[0].code is RejectionCode.CERTIFICATION_REQUIRED
    assert "leaf 50000803 (생활/건강>주방용품>텀블러) requires KC_CERTIFICATION" in result[0].message
    assert "no certificate" in result[0].message


def test_a_certificate_number_of_only_symbols_counts_as_missing() -> None:
    raw = item_body()
    raw["detail"]["safetyCert"][0]["no"] = "***"

    result = plan(raw, KC_LEAF)

    assert isinstance(result, list)
    assert [r.code for r in result] == [RejectionCode.CERTIFICATION_REQUIRED]
    assert "has no certificate number" in result[0].message


def test_a_certificate_of_another_kind_does_not_pass_a_child_leaf() -> None:
    leaf = LeafRules(exceptional=frozenset({"CHILD_CERTIFICATION"}), certifications=CHILD_KINDS)

    result = plan(item_body(), leaf)

    assert isinstance(result, list)
    assert "requires CHILD_CERTIFICATION" in result[0].message
    assert "생활용품 안전확인 XX000000-0000" in result[0].message
    assert "[어린이제품] 안전인증" in result[0].message


def test_the_operators_requires_column_adds_a_gate_naver_does_not_list() -> None:
    leaf = LeafRules(certifications=KC_KINDS)

    assert plan(item_body(), leaf) == GatePlan()
    gated = plan(item_body(), leaf, certification_required={LEAF: ("KC",)})
    assert isinstance(gated, GatePlan)
    assert gated.certifications[0].certification_info_id == 1001


def test_without_reference_data_a_gate_is_a_review_not_a_guessed_id() -> None:
    result = plan(item_body(), LeafRules(), certification_required={LEAF: ("KC",)})

    assert isinstance(result, list)
    assert "not known" in result[0].message


def test_green_products_review_by_default_or_declared_excluded_when_the_seller_says_so() -> None:
    leaf = LeafRules(exceptional=frozenset({"GREEN_PRODUCTS"}))

    assert isinstance(plan(item_body(), leaf), list)
    excluded = plan(item_body(), leaf, green_uncertified="exclude")
    assert isinstance(excluded, GatePlan)
    assert excluded.exclusion is not None
    assert excluded.exclusion.to_wire() == {"greenCertifiedProductExclusionYn": True}


def test_a_unit_price_leaf_gets_the_capacity_from_the_title() -> None:
    result = plan(item_body(), LeafRules(exceptional=frozenset({"UNIT_PRICE"})))

    assert isinstance(result, GatePlan)
    assert result.unit_capacity is not None
    assert result.unit_capacity.to_wire() == {
        "unitPriceYn": True,
        "totalCapacityValue": 500.0,
        "unitCapacity": 100,
        "indicationUnit": "ml",
    }


def test_a_unit_price_leaf_without_one_capacity_goes_to_review() -> None:
    raw = item_body()
    raw["basis"]["title"] = "스텐 진공 텀블러 보온보냉"
    leaf = LeafRules(exceptional=frozenset({"UNIT_PRICE"}))

    result = plan(raw, leaf)

    assert isinstance(result, list)
    assert result[0].code is RejectionCode.UNIT_CAPACITY_MISSING
    assert "가격표시제" in result[0].message


def test_a_leaf_naver_refuses_is_a_review() -> None:
    result = plan(item_body(), LeafRules(problem="Naver says it is not a leaf category"))

    assert isinstance(result, list)
    assert result[0].code is RejectionCode.CATEGORY_NOT_MAPPED


def test_build_product_carries_the_gate_fields_and_drops_restricted_tags() -> None:
    item = DomeggookItem.model_validate(item_body())
    urls = {url: "https://shop-phinf.pstatic.net/x.jpg" for url in image_sources(item).all}
    rules = rules_for(
        dataclasses.replace(KC_LEAF, exceptional=frozenset({"KC_CERTIFICATION", "UNIT_PRICE"})),
        restricted_tags=frozenset({"보온병"}),
    )

    result = build_product(item, rules, urls)

    assert isinstance(result, Transformed), result
    detail = result.payload.to_wire()["originProduct"]["detailAttribute"]
    assert detail["productCertificationInfos"][0]["certificationInfoId"] == 1001
    assert detail["unitCapacity"]["totalCapacityValue"] == 500.0
    assert [t["text"] for t in detail["seoInfo"]["sellerTags"]] == ["텀블러", "스텐컵"]


def test_build_product_rejects_a_gated_item_before_it_needs_any_image() -> None:
    raw = item_body()
    raw["detail"]["safetyCert"] = []
    item = DomeggookItem.model_validate(raw)
    dry_urls = {url: url for url in image_sources(item).all}  # what the pipeline's dry run passes

    result = build_product(item, rules_for(KC_LEAF), dry_urls)

    assert isinstance(result, TransformRejected)
    assert [r.code for r in result.rejections] == [RejectionCode.CERTIFICATION_REQUIRED]
