"""build_product end to end: the exact wire payload, the gates, and rejections that name their item."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from schemas.domeggook import DomeggookItem
from storebridge.transform import (
    RejectionCode,
    Transformed,
    TransformRejected,
    TransformRules,
    build_product,
    image_sources,
    seller_management_code,
)
from storebridge.transform.result import AdjustmentCode
from tests.paths import item_body
from tests.transform.support import DETAIL, REPRESENTATIVE, RULES, UPLOADED


def transformed(raw: dict[str, Any], rules: TransformRules = RULES) -> Transformed:
    result = build_product(DomeggookItem.model_validate(raw), rules, UPLOADED)
    assert isinstance(result, Transformed), result
    return result


def rejected(raw: dict[str, Any], rules: TransformRules = RULES) -> TransformRejected:
    result = build_product(DomeggookItem.model_validate(raw), rules, UPLOADED)
    assert isinstance(result, TransformRejected), result
    return result


EXPECTED_WIRE = {
    "originProduct": {
        "statusType": "SALE",
        "saleType": "NEW",
        "leafCategoryId": "50000803",
        "name": "스텐 진공 텀블러 500ml 보온보냉",
        "detailContent": f'<center><img src="{UPLOADED[DETAIL]}"></center>',
        "images": {"representativeImage": {"url": UPLOADED[REPRESENTATIVE]}},
        "salePrice": 13000,
        "stockQuantity": 120,
        "deliveryInfo": {
            "deliveryType": "DELIVERY",
            "deliveryAttributeType": "NORMAL",
            "deliveryCompany": "CJGLS",
            "deliveryFee": {
                "deliveryFeeType": "UNIT_QUANTITY_PAID",
                "baseFee": 3000,
                "repeatQuantity": 30,
                "deliveryFeePayType": "PREPAID",
                "deliveryFeeByArea": {
                    "deliveryAreaType": "AREA_3",
                    "area2extraFee": 3000,
                    "area3extraFee": 5000,
                },
            },
            "claimDeliveryInfo": {"returnDeliveryFee": 3000, "exchangeDeliveryFee": 6000},
        },
        "detailAttribute": {
            "afterServiceInfo": {
                "afterServiceTelephoneNumber": "02-1234-5678",
                "afterServiceGuideContent": "판매자에게 문의해 주세요.",
            },
            "originAreaInfo": {"originAreaCode": "0200037", "importer": "주식회사 샘플상사", "plural": False},
            "sellerCodeInfo": {"sellerManagementCode": "DG-dome-46072413"},
            "optionInfo": {
                "optionCombinationSortType": "CREATE",
                "optionCombinationGroupNames": {"optionGroupName1": "색상"},
                "optionCombinations": [
                    {
                        "optionName1": "블랙",
                        "stockQuantity": 120,
                        "price": 0,
                        "usable": True,
                        "sellerManagerCode": "DG-dome-46072413-00",
                    },
                    {
                        "optionName1": "화이트",
                        "stockQuantity": 0,
                        "price": 600,
                        "usable": True,
                        "sellerManagerCode": "DG-dome-46072413-01",
                    },
                ],
                "useStockManagement": True,
            },
            "productInfoProvidedNotice": {
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
            },
            "minorPurchasable": True,
            "taxType": "TAX",
            "seoInfo": {"sellerTags": [{"text": "텀블러"}, {"text": "보온병"}, {"text": "스텐컵"}]},
        },
    },
    "smartstoreChannelProduct": {"naverShoppingRegistration": False, "channelProductDisplayStatusType": "ON"},
}


def test_reference_item_becomes_the_exact_naver_payload() -> None:
    result = transformed(item_body())

    assert result.payload.to_wire() == EXPECTED_WIRE
    assert result.seller_management_code == "DG-dome-46072413"
    assert result.leaf_category_id == "50000803"
    assert [note.code for note in result.adjustments] == [
        AdjustmentCode.CATEGORY_FALLBACK,
        AdjustmentCode.PRICE_RAISED_TO_RESALE_MINIMUM,
    ]


def test_every_sample_item_transforms() -> None:
    for name in ("item_view_no_options.json", "item_view_two_axes.json", "item_view_quirks.json"):
        raw = item_body(name)
        sources = image_sources(DomeggookItem.model_validate(raw))
        uploaded = {url: f"https://shop-phinf.pstatic.net/x/{n}.jpg" for n, url in enumerate(sources.all)}
        result = build_product(DomeggookItem.model_validate(raw), RULES, uploaded)
        assert isinstance(result, Transformed), (name, result)


def test_the_transform_is_deterministic() -> None:
    assert transformed(item_body()) == transformed(item_body())


def test_seller_management_code_is_deterministic_per_market_and_item() -> None:
    assert seller_management_code("dome", 46072413) == "DG-dome-46072413"
    assert seller_management_code("supply", 46072413) == "DG-supply-46072413"


def test_image_sources_lists_representative_then_detail_images() -> None:
    sources = image_sources(DomeggookItem.model_validate(item_body()))

    assert sources.all == (REPRESENTATIVE, DETAIL)


def test_representative_image_falls_back_to_smaller_sizes() -> None:
    raw = item_body()
    raw["thumb"]["original"] = ""

    assert image_sources(DomeggookItem.model_validate(raw)).representative == raw["thumb"]["large"]


def test_a_representative_image_that_was_not_uploaded_is_rejected() -> None:
    result = build_product(DomeggookItem.model_validate(item_body()), RULES, {DETAIL: UPLOADED[DETAIL]})

    assert isinstance(result, TransformRejected)
    assert result.codes == (RejectionCode.IMAGE_NOT_UPLOADED,)


def test_an_item_without_a_usable_thumbnail_is_image_missing() -> None:
    raw = item_body()
    raw["thumb"] = {"original": "javascript:alert(1)", "large": "", "small": "ftp://x"}

    assert rejected(raw).codes == (RejectionCode.IMAGE_MISSING,)


def test_all_independent_problems_are_reported_together_naming_the_item() -> None:
    raw = item_body()
    raw["basis"]["title"] = "완치 텀블러"
    raw["category"]["current"]["code"] = "09_09_00_00_00"
    raw["category"]["parents"] = ""
    raw["price"]["dome"] = "0"
    raw["deli"]["fromOversea"] = "true"

    result = rejected(raw)

    assert result.codes == (
        RejectionCode.BANNED_WORD,
        RejectionCode.CATEGORY_NOT_MAPPED,
        RejectionCode.DELIVERY_UNSUPPORTED,
        RejectionCode.PRICE_OUT_OF_RANGE,
    )
    assert all(rejection.message.startswith("item 46072413: ") for rejection in result.rejections)


def test_adult_items_are_rejected_unless_allowed() -> None:
    raw = item_body()
    raw["basis"]["adult"] = "true"

    assert rejected(raw).codes == (RejectionCode.ADULT_ONLY,)
    allowed = transformed(raw, dataclasses.replace(RULES, allow_adult=True))
    assert allowed.payload.origin_product.detail_attribute.minor_purchasable is False


def test_minimum_order_above_the_limit_is_rejected() -> None:
    raw = item_body()
    raw["qty"]["domeMoq"] = "20"

    result = rejected(raw, dataclasses.replace(RULES, max_moq=10))

    assert result.codes == (RejectionCode.MOQ_TOO_HIGH,)
    assert result.rejections[0].message == "item 46072413: minimum order quantity 20 exceeds 10"


def test_allowed_minimum_order_sets_min_purchase_quantity_and_its_tier_price() -> None:
    raw = item_body()
    raw["qty"]["domeMoq"] = "20"
    raw["price"]["resale"] = ""
    rules = dataclasses.replace(RULES, max_moq=50)

    product = transformed(raw, rules).payload.origin_product

    assert product.detail_attribute.purchase_quantity_info is not None
    assert product.detail_attribute.purchase_quantity_info.min_purchase_quantity == 20
    assert product.sale_price == 11400  # 9500 × 1.2


def test_order_multiples_are_rejected() -> None:
    raw = item_body()
    raw["qty"]["domeUnit"] = 6

    assert rejected(raw).codes == (RejectionCode.ORDER_UNIT_UNSUPPORTED,)


def test_items_not_listed_on_the_market_are_rejected() -> None:
    raw = item_body()
    raw["channel"]["dome"] = "false"

    assert rejected(raw).codes == (RejectionCode.MARKET_UNAVAILABLE,)


def test_sold_out_supplier_status_keeps_the_product_with_zero_stock() -> None:
    raw = item_body()
    raw["basis"]["status"] = "판매종료"

    product = transformed(raw).payload.origin_product

    assert product.stock_quantity == 0
    assert product.status_type == "SALE"


def test_included_shipping_raises_the_price_and_ships_free() -> None:
    raw = item_body("item_view_no_options.json")
    rules = dataclasses.replace(RULES, shipping_mode="included", margin_percent=Decimal("0"))

    product = transformed(raw, rules).payload.origin_product

    assert product.sale_price == 4200 + 2500
    assert product.delivery_info is not None
    assert product.delivery_info.delivery_fee.delivery_fee_type == "FREE"


def test_naver_shopping_registration_follows_the_rules() -> None:
    rules = dataclasses.replace(RULES, naver_shopping_registration=True)

    assert (
        transformed(item_body(), rules).payload.smartstore_channel_product.naver_shopping_registration is True
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"as_phone": "010-0000-0000"}, "not a real phone"),
        ({"as_phone": "문의"}, "not a real phone"),
        ({"commission_percent": Decimal("60"), "coupon_percent": Decimal("40")}, "below 100 percent"),
        ({"margin_percent": Decimal("-1")}, "must not be negative"),
        ({"max_sale_price_won": 1_000_000_000}, "max_sale_price_won"),
        ({"option_price_exceptions": {"1": (Decimal("0.1"), Decimal("1"))}}, "option_price_exceptions"),
        ({"option_name_max_chars": 25}, "option_name_max_chars"),
        ({"stock_cap": 0}, "stock_cap"),
        ({"price_unit_won": 0}, "price_unit_won"),
        ({"name_max_chars": 150}, "name_max_chars"),
        ({"default_return_fee_won": -1}, "default_return_fee_won"),
    ],
)
def test_bad_rules_fail_at_construction(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(RULES, **changes)


def test_rules_copy_the_category_map_so_later_edits_do_not_leak_in() -> None:
    mapping = {"04_01_00_00_00": "50000803"}
    rules = TransformRules(category_map=mapping, as_phone="1588-1234")
    mapping["04_01_00_00_00"] = "1"

    assert rules.category_map["04_01_00_00_00"] == "50000803"
