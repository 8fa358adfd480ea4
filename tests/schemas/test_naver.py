"""Naver wire models: exact camelCase JSON out, documented limits enforced, responses read leniently."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.naver import (
    ChangeStatusRequest,
    CreateProductResponse,
    DeliveryFee,
    DeliveryFeeByArea,
    EtcNotice,
    ImageUploadResponse,
    MultiUpdateItem,
    MultiUpdateRequest,
    NaverCategory,
    NaverErrorBody,
    OptionStockInfo,
    OptionStockRequest,
    OptionStockRow,
    OriginAreaInfo,
    ProductPayload,
    ProductReadResponse,
    ProductSearchRequest,
    ProductSearchResponse,
    SalePrice,
    TokenResponse,
)

# naver-commerce-api.md §2.8, verbatim.
REFERENCE_EXAMPLE: dict[str, Any] = {
    "originProduct": {
        "statusType": "SALE",
        "saleType": "NEW",
        "leafCategoryId": "50000803",
        "name": "스테인리스 진공 텀블러 500ml",
        "detailContent": (
            '<div><p>상품 설명</p><img src="https://shop-phinf.pstatic.net/20250416_20/1744775438576zxPIu_JPEG/1.jpg">'
            "</div>"
        ),
        "images": {
            "representativeImage": {
                "url": "https://shop-phinf.pstatic.net/20250416_220/17447754382289HkU1_JPEG/2.jpg"
            },
            "optionalImages": [
                {"url": "https://shop-phinf.pstatic.net/20250416_162/1744775438953gIlGy_JPEG/3.jpg"}
            ],
        },
        "salePrice": 19900,
        "stockQuantity": 300,
        "deliveryInfo": {
            "deliveryType": "DELIVERY",
            "deliveryAttributeType": "NORMAL",
            "deliveryCompany": "CJGLS",
            "deliveryFee": {"deliveryFeeType": "PAID", "baseFee": 3000, "deliveryFeePayType": "PREPAID"},
            "claimDeliveryInfo": {"returnDeliveryFee": 3000, "exchangeDeliveryFee": 6000},
        },
        "detailAttribute": {
            "afterServiceInfo": {
                "afterServiceTelephoneNumber": "010-0000-0000",
                "afterServiceGuideContent": "판매자 문의",
            },
            "originAreaInfo": {"originAreaCode": "0200037", "importer": "수입사명", "plural": False},
            "sellerCodeInfo": {"sellerManagementCode": "WS-000123"},
            "optionInfo": {
                "optionCombinationSortType": "CREATE",
                "optionCombinationGroupNames": {"optionGroupName1": "색상"},
                "optionCombinations": [
                    {
                        "optionName1": "블랙",
                        "stockQuantity": 150,
                        "price": 0,
                        "usable": True,
                        "sellerManagerCode": "WS-000123-BK",
                    },
                    {
                        "optionName1": "화이트",
                        "stockQuantity": 150,
                        "price": 0,
                        "usable": True,
                        "sellerManagerCode": "WS-000123-WH",
                    },
                ],
                "useStockManagement": True,
            },
            "productInfoProvidedNotice": {
                "productInfoProvidedNoticeType": "ETC",
                "etc": {
                    "returnCostReason": "1",
                    "noRefundReason": "1",
                    "qualityAssuranceStandard": "1",
                    "compensationProcedure": "1",
                    "troubleShootingContents": "1",
                    "itemName": "텀블러",
                    "modelName": "상세페이지 참조",
                    "manufacturer": "상세페이지 참조",
                    "customerServicePhoneNumber": "010-0000-0000",
                },
            },
            "minorPurchasable": True,
            "taxType": "TAX",
        },
    },
    "smartstoreChannelProduct": {"naverShoppingRegistration": False, "channelProductDisplayStatusType": "ON"},
}


def example() -> dict[str, Any]:
    return copy.deepcopy(REFERENCE_EXAMPLE)


def test_reference_example_round_trips_to_the_identical_wire_json() -> None:
    payload = ProductPayload.model_validate(example())

    assert payload.to_wire() == REFERENCE_EXAMPLE


def test_models_can_be_built_by_python_field_names() -> None:
    fee = DeliveryFee(delivery_fee_type="PAID", base_fee=3000, delivery_fee_pay_type="PREPAID")

    assert fee.to_wire() == {"deliveryFeeType": "PAID", "baseFee": 3000, "deliveryFeePayType": "PREPAID"}


def test_area_surcharge_keys_use_navers_lowercase_spelling() -> None:
    area = DeliveryFeeByArea(delivery_area_type="AREA_3", area2_extra_fee=3000, area3_extra_fee=5000)

    assert area.to_wire() == {"deliveryAreaType": "AREA_3", "area2extraFee": 3000, "area3extraFee": 5000}


def _invalid(mutate: Any) -> str:
    body = example()
    mutate(body)
    with pytest.raises(ValidationError) as caught:
        ProductPayload.model_validate(body)
    return str(caught.value)


def test_product_stock_must_equal_the_sum_of_option_stocks() -> None:
    message = _invalid(lambda body: body["originProduct"].update(stockQuantity=299))

    assert "stockQuantity 299 != sum of option stocks 300" in message


def test_sale_price_above_the_ceiling_is_refused() -> None:
    message = _invalid(lambda body: body["originProduct"].update(salePrice=1_000_000_000))

    assert "salePrice" in message


def test_unknown_request_fields_are_refused_to_catch_our_own_typos() -> None:
    message = _invalid(lambda body: body["originProduct"].update(salesPrice=100))

    assert "salesPrice" in message


def test_display_status_wait_is_refused() -> None:
    message = _invalid(
        lambda body: body["smartstoreChannelProduct"].update(channelProductDisplayStatusType="WAIT")
    )

    assert "channelProductDisplayStatusType" in message


def test_more_than_nine_optional_images_are_refused() -> None:
    urls = [{"url": f"https://shop-phinf.pstatic.net/{n}.jpg"} for n in range(10)]

    message = _invalid(lambda body: body["originProduct"]["images"].update(optionalImages=urls))

    assert "optionalImages" in message


def test_option_rows_must_match_the_number_of_group_names() -> None:
    def two_names(body: dict[str, Any]) -> None:
        body["originProduct"]["detailAttribute"]["optionInfo"]["optionCombinations"][0]["optionName2"] = "L"

    assert "has 2 names for 1 groups" in _invalid(two_names)


def test_paid_delivery_needs_a_base_fee() -> None:
    with pytest.raises(ValidationError, match="PAID delivery needs a positive baseFee"):
        DeliveryFee(delivery_fee_type="PAID")


def test_base_fee_above_100000_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"base_fee|baseFee"):
        DeliveryFee(delivery_fee_type="PAID", base_fee=100_001)


def test_etc_notice_needs_a_service_contact() -> None:
    with pytest.raises(ValidationError, match="afterServiceDirector or customerServicePhoneNumber"):
        EtcNotice(
            return_cost_reason="0",
            no_refund_reason="0",
            quality_assurance_standard="0",
            compensation_procedure="0",
            trouble_shooting_contents="0",
            item_name="텀블러",
            model_name="TB-500",
            manufacturer="샘플",
        )


def test_imported_origin_needs_an_importer() -> None:
    with pytest.raises(ValidationError, match="needs importer"):
        OriginAreaInfo(origin_area_code="0200037")


def test_change_status_request_wire_shape() -> None:
    body = ChangeStatusRequest(status_type="SALE", stock_quantity=10).to_wire()

    assert body == {"statusType": "SALE", "stockQuantity": 10}


def test_option_stock_request_wire_shape_follows_the_official_schema() -> None:
    request = OptionStockRequest(
        product_sale_price=SalePrice(sale_price=12000),
        option_info=OptionStockInfo(
            option_combinations=[OptionStockRow(id=7, stock_quantity=3, price=500, usable=True)],
            use_stock_management=True,
        ),
    )

    assert request.to_wire() == {
        "productSalePrice": {"salePrice": 12000},
        "optionInfo": {
            "optionCombinations": [{"id": 7, "stockQuantity": 3, "price": 500, "usable": True}],
            "useStockManagement": True,
        },
    }


def test_multi_update_request_wire_shape() -> None:
    request = MultiUpdateRequest(
        multi_product_update_request_vos=[
            MultiUpdateItem(origin_product_no=1, multi_update_types=["STOCK"], stock_quantity=0),
        ]
    )

    assert request.to_wire() == {
        "multiProductUpdateRequestVos": [
            {"originProductNo": 1, "multiUpdateTypes": ["STOCK"], "stockQuantity": 0}
        ]
    }


def test_search_request_by_seller_code() -> None:
    request = ProductSearchRequest(search_keyword_type="SELLER_CODE", seller_management_code="DG-dome-1")

    assert request.to_wire() == {
        "searchKeywordType": "SELLER_CODE",
        "sellerManagementCode": "DG-dome-1",
        "page": 1,
        "size": 50,
    }


# --------------------------------------------------------------------------- responses


def test_create_response_reads_the_numbers_and_ignores_the_echo() -> None:
    response = CreateProductResponse.model_validate(
        {"originProductNo": 11922746587, "smartstoreChannelProductNo": 12344829833, "originProduct": {"x": 1}}
    )

    assert (response.origin_product_no, response.smartstore_channel_product_no) == (11922746587, 12344829833)


def test_validation_error_body_is_read_with_its_invalid_inputs() -> None:
    body = NaverErrorBody.model_validate(
        {
            "code": "BAD_REQUEST",
            "message": "입력한 데이터가 유효하지 않습니다.",
            "invalidInputs": [
                {"name": "originProduct.salePrice", "type": "NotNull", "message": "데이터를 입력해주세요."}
            ],
            "timestamp": "2026-03-01T10:00:00.000+09:00",
        }
    )

    assert body.invalid_inputs[0].name == "originProduct.salePrice"
    assert not body.is_gateway


def test_gateway_error_body_is_recognised_and_null_inputs_read_as_empty() -> None:
    body = NaverErrorBody.model_validate(
        {"code": "GW.RATE_LIMIT", "message": "요청이 많아", "traceId": "abc^1^2", "invalidInputs": None}
    )

    assert body.is_gateway
    assert body.trace_id == "abc^1^2"
    assert body.invalid_inputs == []


def test_token_response_is_snake_case_on_the_wire() -> None:
    token = TokenResponse.model_validate({"access_token": "t0k", "expires_in": 10800, "token_type": "Bearer"})

    assert (token.access_token, token.expires_in) == ("t0k", 10800)


def test_image_upload_response_lists_urls_in_order() -> None:
    response = ImageUploadResponse.model_validate(
        {"images": [{"url": "https://a/1.jpg"}, {"url": "https://a/2.jpg"}]}
    )

    assert [image.url for image in response.images] == ["https://a/1.jpg", "https://a/2.jpg"]


def test_search_response_post_filter_keeps_only_exact_seller_codes() -> None:
    response = ProductSearchResponse.model_validate(
        {
            "contents": [
                {
                    "originProductNo": 1,
                    "channelProducts": [{"channelProductNo": 10, "sellerManagementCode": "DG-dome-1"}],
                },
                {
                    "originProductNo": 2,
                    "channelProducts": [{"channelProductNo": 20, "sellerManagementCode": "DG-dome-12"}],
                },
            ],
            "page": 1,
            "totalElements": 2,
        }
    )

    assert [content.origin_product_no for content in response.with_seller_code("DG-dome-1")] == [1]


def test_empty_search_response_has_no_contents() -> None:
    assert ProductSearchResponse.model_validate({"contents": []}).contents == []


def test_read_response_exposes_option_ids_for_stock_updates() -> None:
    response = ProductReadResponse.model_validate(
        {
            "originProduct": {
                "statusType": "SALE",
                "salePrice": 13000,
                "detailAttribute": {
                    "optionInfo": {
                        "optionCombinations": [
                            {
                                "id": 5501,
                                "optionName1": "블랙",
                                "stockQuantity": 3,
                                "sellerManagerCode": "DG-dome-1-00",
                            }
                        ]
                    }
                },
                "unknownReadOnly": True,
            }
        }
    )

    detail = response.origin_product.detail_attribute
    assert detail is not None
    assert detail.option_info is not None
    assert detail.option_info.option_combinations[0].id == 5501


def test_numbers_sent_as_strings_are_read_and_unusable_ones_become_none() -> None:
    response = CreateProductResponse.model_validate(
        {"originProductNo": "11922746587", "smartstoreChannelProductNo": True, "windowChannelProductNo": "x"}
    )

    assert response.origin_product_no == 11922746587
    assert (response.smartstore_channel_product_no, response.window_channel_product_no) == (None, None)


def test_null_texts_in_an_error_body_read_as_empty() -> None:
    body = NaverErrorBody.model_validate({"code": None, "invalidInputs": [{"name": None, "type": "NotNull"}]})

    assert body.code == ""
    assert not body.is_gateway
    assert (body.invalid_inputs[0].name, body.invalid_inputs[0].type, body.invalid_inputs[0].message) == (
        "",
        "NotNull",
        "",
    )


def test_category_ids_sent_as_numbers_read_as_text() -> None:
    category = NaverCategory.model_validate({"id": 50000803, "wholeCategoryName": "생활>수납", "last": True})

    assert (category.id, category.whole_category_name, category.name) == ("50000803", "생활>수납", "")
