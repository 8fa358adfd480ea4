"""Product validation of the Naver simulator: one case per rule, all problems reported at once (§2)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.sandbox.support import (
    NaverApi,
    ServeNaver,
    config_with,
    image_bytes,
    minimal_payload,
    problem_names,
    with_options,
)

Payload = dict[str, Any]
OP = "originProduct"
D = "originProduct.detailAttribute"
ETC = f"{D}.productInfoProvidedNotice.etc"
ROWS = f"{D}.optionInfo.optionCombinations"


def set_in(p: Payload, path: str, value: Any) -> None:
    """``set_in(p, "originProduct.salePrice", 0)``; a value of ``...`` deletes the key."""
    *parents, last = path.split(".")
    node = p
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value


def change(*edits: tuple[str, Any]) -> Callable[[Payload], None]:
    def apply(p: Payload) -> None:
        for path, value in edits:
            set_in(p, path, value)

    return apply


def options(stocks: list[int], prices: list[int] | None = None) -> Callable[[Payload], None]:
    def apply(p: Payload) -> None:
        p.update(with_options(p, stocks, prices))

    return apply


def options_then(stocks: list[int], *edits: tuple[str, Any]) -> Callable[[Payload], None]:
    def apply(p: Payload) -> None:
        options(stocks)(p)
        change(*edits)(p)

    return apply


REJECTED: list[Any] = [
    pytest.param(change((f"{OP}.salePrice", ...)), {f"{OP}.salePrice"}, id="sale-price-missing"),
    pytest.param(change((f"{OP}.salePrice", 0)), {f"{OP}.salePrice"}, id="sale-price-zero"),
    pytest.param(change((f"{OP}.salePrice", -100)), {f"{OP}.salePrice"}, id="sale-price-negative"),
    pytest.param(change((f"{OP}.salePrice", 19905)), {f"{OP}.salePrice"}, id="sale-price-not-10-won"),
    pytest.param(change((f"{OP}.salePrice", 1_000_000_000)), {f"{OP}.salePrice"}, id="sale-price-too-high"),
    pytest.param(change((f"{OP}.salePrice", "19900")), {f"{OP}.salePrice"}, id="sale-price-string"),
    pytest.param(change((f"{OP}.salePrice", 19900.5)), {f"{OP}.salePrice"}, id="sale-price-float"),
    pytest.param(change((f"{OP}.name", "가" * 101)), {f"{OP}.name"}, id="name-over-100"),
    pytest.param(change((f"{OP}.name", "   ")), {f"{OP}.name"}, id="name-blank"),
    pytest.param(change((f"{OP}.statusType", "OUTOFSTOCK")), {f"{OP}.statusType"}, id="status-not-writable"),
    pytest.param(change((f"{OP}.stockQuantity", ...)), {f"{OP}.stockQuantity"}, id="stock-missing-on-create"),
    pytest.param(change((f"{OP}.stockQuantity", 100_000_000)), {f"{OP}.stockQuantity"}, id="stock-too-high"),
    pytest.param(
        change((f"{OP}.detailContent", ...)), {f"{OP}.detailContent"}, id="detail-missing-on-create"
    ),
    pytest.param(
        change((f"{OP}.leafCategoryId", "99999999")), {f"{OP}.leafCategoryId"}, id="category-unknown"
    ),
    pytest.param(
        change((f"{OP}.leafCategoryId", "50000080")), {f"{OP}.leafCategoryId"}, id="category-not-leaf"
    ),
    pytest.param(
        change((f"{OP}.leafCategoryId", 50000803)), {f"{OP}.leafCategoryId"}, id="category-not-string"
    ),
    pytest.param(
        change((f"{OP}.images.representativeImage.url", "https://shop-phinf.pstatic.net/1/a.jpg")),
        {f"{OP}.images.representativeImage.url"},
        id="image-not-uploaded",
    ),
    pytest.param(
        change((f"{OP}.images.optionalImages", [{"url": "https://example.com/b.jpg"}])),
        {f"{OP}.images.optionalImages[0].url"},
        id="optional-image-not-uploaded",
    ),
    pytest.param(change((f"{OP}.images", ...)), {f"{OP}.images"}, id="images-missing"),
    pytest.param(
        change(
            (f"{OP}.saleStartDate", "2026-03-01T10:30:00.000+09:00"),
            (f"{OP}.saleEndDate", "2026-03-31T23:00:00+09:00"),
        ),
        {f"{OP}.saleStartDate", f"{OP}.saleEndDate"},
        id="sale-period-minutes",
    ),
    pytest.param(
        change((f"{OP}.saleStartDate", "2026-03-01")), {f"{OP}.saleStartDate"}, id="sale-start-not-datetime"
    ),
    pytest.param(change((f"{OP}.deliveryInfo", ...)), {f"{OP}.deliveryInfo"}, id="delivery-missing"),
    pytest.param(
        change((f"{OP}.deliveryInfo.deliveryCompany", ...)),
        {f"{OP}.deliveryInfo.deliveryCompany"},
        id="carrier-missing",
    ),
    pytest.param(
        change((f"{OP}.deliveryInfo.deliveryCompany", "CJ대한통운")),
        {f"{OP}.deliveryInfo.deliveryCompany"},
        id="carrier-name-not-code",
    ),
    pytest.param(
        change((f"{OP}.deliveryInfo.deliveryFee.baseFee", ...)),
        {f"{OP}.deliveryInfo.deliveryFee.baseFee"},
        id="paid-no-fee",
    ),
    pytest.param(
        change((f"{OP}.deliveryInfo.deliveryFee.baseFee", 100_010)),
        {f"{OP}.deliveryInfo.deliveryFee.baseFee"},
        id="base-fee-too-high",
    ),
    pytest.param(
        change((f"{OP}.deliveryInfo.claimDeliveryInfo", ...)),
        {f"{OP}.deliveryInfo.claimDeliveryInfo"},
        id="claim-missing",
    ),
    pytest.param(
        change((f"{OP}.deliveryInfo.claimDeliveryInfo.returnDeliveryFee", 1_000_001)),
        {f"{OP}.deliveryInfo.claimDeliveryInfo.returnDeliveryFee"},
        id="return-fee-too-high",
    ),
    pytest.param(
        change((f"{OP}.deliveryInfo.deliveryType", "POST")),
        {f"{OP}.deliveryInfo.deliveryType"},
        id="delivery-type",
    ),
    pytest.param(
        change(
            (
                f"{OP}.deliveryInfo.deliveryFee.deliveryFeeByArea",
                {"deliveryAreaType": "AREA_3", "area2extraFee": 3000},
            )
        ),
        {f"{OP}.deliveryInfo.deliveryFee.deliveryFeeByArea.area3extraFee"},
        id="area-3-fee-missing",
    ),
    pytest.param(
        change((f"{D}.afterServiceInfo.afterServiceTelephoneNumber", "판매자 문의")),
        {f"{D}.afterServiceInfo.afterServiceTelephoneNumber"},
        id="as-phone-text",
    ),
    pytest.param(
        change((f"{D}.afterServiceInfo.afterServiceTelephoneNumber", "010-0000-0000")),
        {f"{D}.afterServiceInfo.afterServiceTelephoneNumber"},
        id="as-phone-placeholder",
    ),
    pytest.param(
        change((f"{D}.afterServiceInfo.afterServiceGuideContent", ...)),
        {f"{D}.afterServiceInfo.afterServiceGuideContent"},
        id="as-guide-missing",
    ),
    pytest.param(
        change((f"{D}.originAreaInfo.importer", ...)),
        {f"{D}.originAreaInfo.importer"},
        id="import-without-importer",
    ),
    pytest.param(
        change((f"{D}.originAreaInfo.originAreaCode", "China")),
        {f"{D}.originAreaInfo.originAreaCode"},
        id="origin-code",
    ),
    pytest.param(
        change((f"{D}.originAreaInfo.originAreaCode", "04")),
        {f"{D}.originAreaInfo.content"},
        id="direct-origin-content",
    ),
    pytest.param(
        change((f"{D}.minorPurchasable", ...)), {f"{D}.minorPurchasable"}, id="minor-purchasable-missing"
    ),
    pytest.param(
        change((f"{D}.productInfoProvidedNotice", ...)),
        {f"{D}.productInfoProvidedNotice"},
        id="notice-missing-on-create",
    ),
    pytest.param(
        change((f"{D}.productInfoProvidedNotice.productInfoProvidedNoticeType", "KITCHEN_UTENSILS")),
        {f"{D}.productInfoProvidedNotice.kitchenUtensils"},
        id="notice-type-without-its-object",
    ),
    pytest.param(
        change((f"{D}.productInfoProvidedNotice.productInfoProvidedNoticeType", "OTHER")),
        {f"{D}.productInfoProvidedNotice.productInfoProvidedNoticeType"},
        id="notice-type-unknown",
    ),
    pytest.param(
        change((f"{ETC}.customerServicePhoneNumber", ...)),
        {f"{ETC}.customerServicePhoneNumber"},
        id="etc-no-as",
    ),
    pytest.param(change((f"{ETC}.itemName", "가" * 51)), {f"{ETC}.itemName"}, id="etc-item-name-over-50"),
    pytest.param(
        change((f"{ETC}.returnCostReason", ...), (f"{ETC}.manufacturer", ...)),
        {f"{ETC}.returnCostReason", f"{ETC}.manufacturer"},
        id="etc-required-fields",
    ),
    pytest.param(
        change((f"{D}.seoInfo", {"sellerTags": [{"text": f"태그{i}"} for i in range(11)]})),
        {f"{D}.seoInfo.sellerTags"},
        id="more-than-10-tags",
    ),
    pytest.param(
        change((f"{D}.seoInfo", {"sellerTags": [{"text": "여름 신상"}, {"text": "가" * 11}]})),
        {f"{D}.seoInfo.sellerTags[0].text", f"{D}.seoInfo.sellerTags[1].text"},
        id="bad-tags",
    ),
    pytest.param(options_then([5, 7], (f"{OP}.stockQuantity", 13)), {f"{OP}.stockQuantity"}, id="stock-sum"),
    pytest.param(
        options_then(
            [5], (f"{ROWS}", [{"optionName1": "블랙", "stockQuantity": -1}]), (f"{OP}.stockQuantity", 0)
        ),
        {f"{ROWS}[0].stockQuantity"},
        id="row-negative-stock",
    ),
    pytest.param(options([5, 7], [0, 9960]), {f"{ROWS}[1].price"}, id="surcharge-over-half-price"),
    pytest.param(options([5, 7], [0, -9960]), {f"{ROWS}[1].price"}, id="discount-over-half-price"),
    pytest.param(options([5, 7], [0, 105]), {f"{ROWS}[1].price"}, id="surcharge-not-10-won"),
    pytest.param(
        options_then([5, 5], (f"{ROWS}", [{"optionName1": "블랙", "stockQuantity": 5}] * 2)),
        {f"{ROWS}[1]"},
        id="duplicate-rows",
    ),
    pytest.param(
        options_then([5], (f"{ROWS}", [{"stockQuantity": 5}])),
        {f"{ROWS}[0].optionName1"},
        id="row-without-name",
    ),
    pytest.param(
        options_then([5], (f"{ROWS}", [{"optionName1": "블랙", "optionName2": "L", "stockQuantity": 5}])),
        {f"{ROWS}[0].optionName2"},
        id="row-name-without-group",
    ),
    pytest.param(
        options_then(
            [5],
            (
                f"{D}.optionInfo.optionCombinationGroupNames",
                {"optionGroupName1": "색상", "optionGroupName3": "x"},
            ),
        ),
        {f"{D}.optionInfo.optionCombinationGroupNames.optionGroupName3"},
        id="group-3-without-group-2",
    ),
    pytest.param(
        options_then([5], (f"{D}.optionInfo.optionCombinationGroupNames", ...)),
        {f"{D}.optionInfo.optionCombinationGroupNames"},
        id="rows-without-group-names",
    ),
    pytest.param(
        options_then([5], (f"{D}.optionInfo.optionSimple", [{"groupName": "사이즈", "name": "L"}])),
        {f"{D}.optionInfo"},
        id="simple-and-combination-mixed",
    ),
    pytest.param(
        change((f"{D}.optionInfo", {"optionStandards": [{"standardOptionAttributeId1": 1}]})),
        {f"{D}.optionInfo.optionStandards"},
        id="standard-options-not-allowed",
    ),
    pytest.param(
        options_then([5], (f"{ROWS}", [{"id": 7, "optionName1": "블랙", "stockQuantity": 5}])),
        {f"{ROWS}[0].id"},
        id="option-id-on-create",
    ),
    pytest.param(
        options_then(
            [5], (f"{ROWS}", [{"optionName1": "블랙", "stockQuantity": 5, "sellerManagementCode": "A"}])
        ),
        {f"{ROWS}[0].sellerManagementCode"},
        id="row-uses-product-code-spelling",
    ),
    pytest.param(
        change(("smartstoreChannelProduct.channelProductDisplayStatusType", "WAIT")),
        {"smartstoreChannelProduct.channelProductDisplayStatusType"},
        id="display-status-wait",
    ),
    pytest.param(
        change(("smartstoreChannelProduct.naverShoppingRegistration", ...)),
        {"smartstoreChannelProduct.naverShoppingRegistration"},
        id="shopping-registration-missing",
    ),
    pytest.param(
        change(("windowChannelProduct", {"channelNo": 1})), {"windowChannelProduct"}, id="window-channel"
    ),
    pytest.param(
        change(("smartstoreChannelProduct", ...)), {"smartstoreChannelProduct"}, id="channel-missing"
    ),
    pytest.param(
        change((f"{OP}.leafCategoryId", "50001600")),
        {f"{D}.unitCapacity.unitPriceYn"},
        id="unit-price-category",
    ),
    pytest.param(
        change((f"{OP}.leafCategoryId", "50000280")),
        {f"{D}.productCertificationInfos"},
        id="kc-category-without-cert",
    ),
    pytest.param(
        change((f"{OP}.leafCategoryId", "50001500")),
        {f"{D}.productCertificationInfos"},
        id="child-category-without-cert",
    ),
]


async def post(naver: NaverApi, body: Any) -> tuple[int, Any]:
    status, answer, _ = await naver.call("POST", "/v2/products", json=body)
    return status, answer


@pytest.mark.parametrize(("mutate", "expected"), REJECTED)
async def test_rule_violation_is_rejected_with_its_field_path(
    naver: NaverApi, mutate: Callable[[Payload], None], expected: set[str]
) -> None:
    payload = await naver.valid_payload()
    mutate(payload)
    status, body = await post(naver, payload)
    stats = await naver.stats()
    assert status == 400
    assert body["code"] == "BAD_REQUEST"
    assert body["message"] == "입력한 데이터가 유효하지 않습니다."
    assert body["timestamp"].endswith("+09:00")
    assert problem_names(body) == expected
    assert all(item["type"] and item["message"] for item in body["invalidInputs"])
    assert stats["products"] == 0
    assert stats["validation_failures"] == 1


ACCEPTED: list[Any] = [
    pytest.param(change((f"{OP}.name", "가" * 100)), id="name-of-100"),
    pytest.param(
        change((f"{D}.afterServiceInfo.afterServiceTelephoneNumber", "1588-1234")), id="representative-phone"
    ),
    pytest.param(
        change((f"{D}.afterServiceInfo.afterServiceTelephoneNumber", "01012345678")), id="mobile-no-hyphens"
    ),
    pytest.param(
        change(
            (f"{ETC}.customerServicePhoneNumber", ...),
            (f"{ETC}.afterServiceDirector", "스토어브릿지 고객센터"),
        ),
        id="etc-director-instead-of-phone",
    ),
    pytest.param(options([5, 7], [0, 9950]), id="surcharge-at-half-price"),
    pytest.param(
        options_then(
            [5],
            (
                f"{D}.optionInfo.optionCombinationGroupNames",
                {"optionGroupName1": "색상", "optionGroupName2": "사이즈"},
            ),
            (f"{ROWS}", [{"optionName1": "블랙", "optionName2": "L", "stockQuantity": 5}]),
        ),
        id="two-option-groups",
    ),
    pytest.param(change((f"{OP}.deliveryInfo.deliveryFee", {"deliveryFeeType": "FREE"})), id="free-delivery"),
    pytest.param(
        change(
            (f"{OP}.saleStartDate", "2026-03-01T10:00:00.000+09:00"),
            (f"{OP}.saleEndDate", "2026-03-31T23:59:00+09:00"),
        ),
        id="sale-period",
    ),
    pytest.param(
        change((f"{OP}.leafCategoryId", "50001600"), (f"{D}.unitCapacity", {"unitPriceYn": False})),
        id="unit-price-given",
    ),
    pytest.param(
        change(
            (f"{OP}.leafCategoryId", "50000280"),
            (
                f"{D}.certificationTargetExcludeContent",
                {"kcCertifiedProductExclusionYn": "KC_EXEMPTION_OBJECT", "kcExemptionType": "OVERSEAS"},
            ),
        ),
        id="kc-exemption",
    ),
    pytest.param(
        change((f"{D}.seoInfo", {"sellerTags": [{"text": "텀블러"}, {"text": "Tumbler500"}]})), id="tags"
    ),
]


@pytest.mark.parametrize("mutate", ACCEPTED)
async def test_valid_variant_is_accepted(naver: NaverApi, mutate: Callable[[Payload], None]) -> None:
    payload = await naver.valid_payload()
    mutate(payload)
    status, body = await post(naver, payload)
    assert status == 200, body


async def test_all_problems_are_reported_at_once(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    set_in(payload, f"{OP}.salePrice", 19905)
    set_in(payload, f"{OP}.name", "가" * 101)
    set_in(payload, f"{D}.afterServiceInfo.afterServiceTelephoneNumber", "없음")
    set_in(payload, "smartstoreChannelProduct.channelProductDisplayStatusType", "WAIT")
    status, body = await post(naver, payload)
    assert status == 400
    assert problem_names(body) == {
        f"{OP}.salePrice",
        f"{OP}.name",
        f"{D}.afterServiceInfo.afterServiceTelephoneNumber",
        "smartstoreChannelProduct.channelProductDisplayStatusType",
    }


async def test_flat_body_without_wrapping_is_rejected(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    status, body = await post(naver, payload["originProduct"])
    assert status == 400
    assert problem_names(body) == {"originProduct", "smartstoreChannelProduct"}


async def test_stock_sum_error_uses_navers_message(naver: NaverApi) -> None:
    payload = with_options(await naver.valid_payload(), [5, 7])
    set_in(payload, f"{OP}.stockQuantity", 300)
    _, body = await post(naver, payload)
    assert body["invalidInputs"][0]["message"] == (
        "조합형 옵션 상품인 경우 상품의 재고수량과 조합형옵션 재고수량의 합은 같아야 합니다."
    )


async def test_display_status_error_uses_navers_enum_message(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    set_in(payload, "smartstoreChannelProduct.channelProductDisplayStatusType", "WAIT")
    _, body = await post(naver, payload)
    assert body["invalidInputs"][0]["message"] == "Enum값을 입력하지 않았거나 허용되지 않은 Enum 값입니다"


async def test_knobs_relax_the_ten_won_and_delivery_rules(serve_naver: ServeNaver) -> None:
    naver = await serve_naver(config_with(require_price_multiple_of_10=False, require_delivery_info=False))
    payload = await naver.valid_payload()
    set_in(payload, f"{OP}.salePrice", 19905)
    set_in(payload, f"{OP}.deliveryInfo", ...)
    status, body = await post(naver, payload)
    assert status == 200, body


async def test_image_uploaded_to_another_simulator_is_not_ours(serve_naver: ServeNaver) -> None:
    other, naver = await serve_naver(), await serve_naver()
    (foreign_url,) = await other.upload(image_bytes())
    status, body = await post(naver, minimal_payload(foreign_url))
    assert status == 400
    assert problem_names(body) == {f"{OP}.images.representativeImage.url"}


async def test_invalid_json_and_wrong_content_type_are_rejected(naver: NaverApi) -> None:
    bad_json, bad_json_body, _ = await naver.call(
        "POST", "/v2/products", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    form, _, _ = await naver.call("POST", "/v2/products", data={"originProduct": "x"})
    assert bad_json == 400
    assert bad_json_body["invalidInputs"][0]["type"] == "InvalidFormat"
    assert form == 415


async def test_update_rules_allow_omitting_stock_but_still_check_the_rest(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    numbers = await naver.create(payload)
    update = copy.deepcopy(payload)
    set_in(update, f"{OP}.stockQuantity", ...)
    set_in(update, f"{OP}.salePrice", 5)
    status, body, _ = await naver.call(
        "PUT", f"/v2/products/origin-products/{numbers['originProductNo']}", json=update
    )
    assert status == 400
    assert problem_names(body) == {f"{OP}.salePrice"}
