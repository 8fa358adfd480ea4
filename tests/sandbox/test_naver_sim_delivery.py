"""The simulator accepts exactly the delivery fee tables Naver documents (issue 8 §3).

DOC: create-product-product.md ``deliveryInfo.deliveryFee`` (fee types, pay types, the range and
repeat fields, ``freeConditionalAmount`` ≤ 999,999,990, ``baseFee`` ≤ 100,000) and
``claimDeliveryInfo`` (address-book numbers). INF: the range-ordering rules in
``sandbox/naver/validation/delivery.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.support import NaverApi, problem_names

FEE = "originProduct.deliveryInfo.deliveryFee"


async def create_with_fee(naver: NaverApi, fee: dict[str, Any], **claim: int) -> tuple[int, Any]:
    payload = await naver.valid_payload()
    payload["originProduct"]["deliveryInfo"]["deliveryFee"] = fee
    payload["originProduct"]["deliveryInfo"]["claimDeliveryInfo"].update(claim)
    status, body, _ = await naver.call("POST", "/v2/products", json=payload)
    return status, body


ACCEPTED = [
    pytest.param(
        {
            "deliveryFeeType": "CONDITIONAL_FREE",
            "baseFee": 3000,
            "freeConditionalAmount": 50_000,
            "deliveryFeePayType": "PREPAID",
        },
        id="conditional-free",
    ),
    pytest.param(
        {"deliveryFeeType": "PAID", "baseFee": 3000, "deliveryFeePayType": "COLLECT"}, id="pay-on-delivery"
    ),
    pytest.param(
        {"deliveryFeeType": "PAID", "baseFee": 3000, "deliveryFeePayType": "COLLECT_OR_PREPAID"},
        id="buyer-chooses",
    ),
    pytest.param(
        {
            "deliveryFeeType": "UNIT_QUANTITY_PAID",
            "baseFee": 3000,
            "repeatQuantity": 30,
            "deliveryFeePayType": "PREPAID",
        },
        id="per-quantity",
    ),
    pytest.param(
        {
            "deliveryFeeType": "RANGE_QUANTITY_PAID",
            "baseFee": 3500,
            "secondBaseQuantity": 11,
            "secondExtraFee": 3500,
            "deliveryFeePayType": "PREPAID",
        },
        id="two-ranges",
    ),
    pytest.param(
        {
            "deliveryFeeType": "RANGE_QUANTITY_PAID",
            "baseFee": 3500,
            "secondBaseQuantity": 11,
            "secondExtraFee": 3500,
            "thirdBaseQuantity": 41,
            "thirdExtraFee": 3500,
            "deliveryFeePayType": "PREPAID",
        },
        id="three-ranges",
    ),
]


@pytest.mark.parametrize("fee", ACCEPTED)
async def test_documented_fee_tables_are_accepted(naver: NaverApi, fee: dict[str, Any]) -> None:
    status, body = await create_with_fee(naver, fee, shippingAddressId=101, returnAddressId=102)

    assert status == 200, body


REJECTED = [
    pytest.param(
        {"deliveryFeeType": "CONDITIONAL_FREE", "baseFee": 3000, "deliveryFeePayType": "PREPAID"},
        {f"{FEE}.freeConditionalAmount"},
        id="conditional-without-amount",
    ),
    pytest.param(
        {
            "deliveryFeeType": "CONDITIONAL_FREE",
            "baseFee": 3000,
            "freeConditionalAmount": 1_000_000_000,
            "deliveryFeePayType": "PREPAID",
        },
        {f"{FEE}.freeConditionalAmount"},
        id="conditional-amount-too-high",
    ),
    pytest.param(
        {"deliveryFeeType": "PAID", "baseFee": 3000, "deliveryFeePayType": "CASH"},
        {f"{FEE}.deliveryFeePayType"},
        id="unknown-pay-type",
    ),
    pytest.param(
        {"deliveryFeeType": "UNIT_QUANTITY_PAID", "baseFee": 3000, "deliveryFeePayType": "PREPAID"},
        {f"{FEE}.repeatQuantity"},
        id="per-quantity-without-repeat",
    ),
    pytest.param(
        {"deliveryFeeType": "RANGE_QUANTITY_PAID", "baseFee": 3000, "deliveryFeePayType": "PREPAID"},
        {f"{FEE}.secondBaseQuantity", f"{FEE}.secondExtraFee"},
        id="ranges-without-second",
    ),
    pytest.param(
        {
            "deliveryFeeType": "RANGE_QUANTITY_PAID",
            "baseFee": 3000,
            "secondBaseQuantity": 20,
            "secondExtraFee": 1000,
            "thirdBaseQuantity": 10,
            "thirdExtraFee": 1000,
            "deliveryFeePayType": "PREPAID",
        },
        {f"{FEE}.thirdBaseQuantity"},
        id="third-range-before-second",
    ),
    pytest.param(
        {
            "deliveryFeeType": "RANGE_QUANTITY_PAID",
            "baseFee": 3000,
            "secondBaseQuantity": 10,
            "secondExtraFee": 1000,
            "thirdBaseQuantity": 20,
            "deliveryFeePayType": "PREPAID",
        },
        {f"{FEE}.thirdExtraFee"},
        id="third-range-without-fee",
    ),
    pytest.param(
        {
            "deliveryFeeType": "RANGE_QUANTITY_PAID",
            "baseFee": 3000,
            "secondBaseQuantity": 1,
            "secondExtraFee": 1000,
            "deliveryFeePayType": "PREPAID",
        },
        {f"{FEE}.secondBaseQuantity"},
        id="second-range-at-one",
    ),
]


@pytest.mark.parametrize(("fee", "expected"), REJECTED)
async def test_undocumented_fee_tables_are_refused_by_field(
    naver: NaverApi, fee: dict[str, Any], expected: set[str]
) -> None:
    status, body = await create_with_fee(naver, fee)

    assert status == 400
    assert problem_names(body) == expected
