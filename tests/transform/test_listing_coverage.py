"""Issue 8 §3: MOQ bundles, Domeggook's other statuses, and the pricing settings reaching the payload."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from schemas.domeggook import DomeggookItem
from storebridge.config import load_settings
from storebridge.listing_rules import build_listing_rules
from storebridge.transform import RejectionCode, Transformed, TransformRejected, TransformRules, build_product
from storebridge.transform.options import is_on_sale
from storebridge.transform.result import AdjustmentCode
from tests.paths import item_body

RULES = TransformRules(category_map={"04_01_00_00_00": "50000803"}, as_phone="02-1234-5678")
BUNDLE = dataclasses.replace(RULES, max_moq=1, moq_policy="bundle")
REPRESENTATIVE = "https://cdn1.domeggook.com/upload/item/2024/03/05/HASH/HASH_img_760?hash=..."
DETAIL = "https://supplier.example-hosting.com/detail/tumbler_01.jpg"
UPLOADED = {
    REPRESENTATIVE: "https://shop-phinf.pstatic.net/2.jpg",
    DETAIL: "https://shop-phinf.pstatic.net/1.jpg",
}


def body() -> dict[str, Any]:
    raw = item_body()
    raw["price"]["resale"] = ""
    return raw


def build(raw: dict[str, Any], rules: TransformRules = RULES) -> Transformed | TransformRejected:
    return build_product(DomeggookItem.model_validate(raw), rules, UPLOADED)


def transformed(raw: dict[str, Any], rules: TransformRules = RULES) -> Transformed:
    result = build(raw, rules)
    assert isinstance(result, Transformed), result
    return result


def test_an_moq_naver_can_enforce_is_listed_as_the_minimum_purchase_by_default() -> None:
    raw = body()
    raw["qty"]["domeMoq"] = "20"

    product = transformed(raw, RULES).payload.origin_product

    quantity = product.detail_attribute.purchase_quantity_info
    assert quantity is not None
    assert quantity.min_purchase_quantity == 20


def test_moq_policy_review_is_the_default_above_the_limit_and_names_the_moq() -> None:
    raw = body()
    raw["qty"]["domeMoq"] = "20"

    result = build(raw, dataclasses.replace(RULES, max_moq=10))

    assert isinstance(result, TransformRejected)
    assert result.codes == (RejectionCode.MOQ_TOO_HIGH,)


def test_moq_policy_bundle_lists_n_pieces_as_one_unit() -> None:
    raw = body()
    raw["qty"]["domeMoq"] = "20"  # tiers 1+9900|20+9500|50+9200: the MOQ tier is 9,500

    result = transformed(raw, BUNDLE)
    product = result.payload.origin_product
    codes = product.detail_attribute.seller_code_info

    assert product.name.startswith("20개 묶음 ")
    assert product.sale_price == 228_000  # 9,500 × 20 × 1.2
    options = product.detail_attribute.option_info
    assert options is not None
    assert [(o.stock_quantity, o.price) for o in options.option_combinations] == [(6, 0), (0, 12_000)]
    assert product.stock_quantity == 6  # 120 // 20; the sold-out row stays at 0
    quantity = product.detail_attribute.purchase_quantity_info
    assert quantity is not None
    assert quantity.min_purchase_quantity is None  # one bundle is the smallest order
    # "3,000 per 30 started" on bundles of 20 is 3,000 / 6,000 / 6,000 / 9,000 / 12,000 for 1–5
    # bundles: three ranges hold it exactly up to 4 bundles, so one order is capped there.
    assert quantity.max_purchase_quantity_per_order == 4
    fee = product.delivery_info.delivery_fee
    assert (fee.delivery_fee_type, fee.second_base_quantity, fee.third_base_quantity) == (
        "RANGE_QUANTITY_PAID",
        2,
        4,
    )
    assert codes is not None
    assert codes.seller_management_code == "DG-dome-46072413"  # the idempotency key never changes
    assert codes.seller_custom_code1 == "DG-dome-46072413-x20"
    assert AdjustmentCode.MOQ_BUNDLED in [a.code for a in result.adjustments]


def test_bundle_shipping_counts_pieces_per_bundle() -> None:
    raw = body()
    raw["qty"]["domeMoq"] = "10"  # 3,000 per 30 pieces started = per 3 bundles of 10

    fee = transformed(raw, BUNDLE).payload.origin_product.delivery_info.delivery_fee

    assert (fee.delivery_fee_type, fee.base_fee, fee.repeat_quantity) == ("UNIT_QUANTITY_PAID", 3000, 3)


def test_moq_within_moq_max_keeps_the_minimum_purchase() -> None:
    raw = body()
    raw["qty"]["domeMoq"] = "5"

    product = transformed(raw, dataclasses.replace(BUNDLE, max_moq=5)).payload.origin_product

    assert product.detail_attribute.purchase_quantity_info is not None
    assert product.detail_attribute.purchase_quantity_info.min_purchase_quantity == 5
    assert not product.name.startswith("5개 묶음")


def test_a_bundle_satisfies_an_order_multiple_it_contains() -> None:
    raw = body()
    raw["qty"]["domeMoq"] = "12"
    raw["qty"]["domeUnit"] = 6

    assert isinstance(build(raw, BUNDLE), Transformed)


@pytest.mark.parametrize(
    ("status", "sells"),
    [
        ("판매중", True),
        ("기간미지정", True),
        ("승인대기", False),
        ("승인거부", False),
        ("기간종료", False),
        ("판매종료", False),
        ("아웃벌점 제재", False),
    ],
)
def test_documented_statuses_decide_whether_the_item_sells(status: str, sells: bool) -> None:
    raw = body()
    raw["basis"]["status"] = status
    item = DomeggookItem.model_validate(raw)

    product = transformed(raw).payload.origin_product

    assert is_on_sale(item, RULES) is sells
    assert (product.stock_quantity > 0) is sells


def test_pricing_settings_reach_the_rules_and_the_price() -> None:
    settings = load_settings(
        STORE_AS_PHONE="02-1234-5678",
        PRICE_COMMISSION_PERCENT="5.5",
        PRICE_COUPON_PERCENT="4.5",
        PRICE_MIN_MARGIN_WON="500",
        PRICE_SHIPPING_MODE="included",
        DELIVERY_COMPANY="HANJIN",
        NAVER_SHIPPING_ADDRESS_ID="101",
        NAVER_RETURN_ADDRESS_ID="102",
        MOQ_MAX="3",
        MOQ_POLICY="bundle",
    )

    rules = build_listing_rules(settings, {"04_01_00_00_00": "50000803"})
    product = transformed(body(), rules).payload.origin_product

    assert (rules.commission_percent, rules.coupon_percent) == (Decimal("5.5"), Decimal("4.5"))
    assert (rules.min_margin_won, rules.max_moq, rules.moq_policy) == (500, 3, "bundle")
    # included: (9,900 + 3,000 shipping for the first piece) × 1.2 ÷ 0.9 = 17,200
    assert product.sale_price == 17_200
    delivery = product.delivery_info
    assert (delivery.delivery_company, delivery.delivery_fee.delivery_fee_type) == ("HANJIN", "FREE")
    claim = delivery.claim_delivery_info
    assert (claim.shipping_address_id, claim.return_address_id) == (101, 102)


def test_margin_guard_means_cost_plus_fees() -> None:
    rules = dataclasses.replace(
        RULES, margin_percent=Decimal("0"), commission_percent=Decimal("10"), min_margin_won=1
    )
    # sale = ceil10(9,900 ÷ 0.9) = 11,000 keeps exactly 9,900 after fees: 0 won, below 1 won.
    result = build(body(), rules)

    assert isinstance(result, TransformRejected)
    assert RejectionCode.PRICE_BELOW_MIN_MARGIN in result.codes
