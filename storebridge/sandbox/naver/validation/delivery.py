"""Validation of ``originProduct.deliveryInfo`` (reference §2.3) for the Naver simulator."""

from __future__ import annotations

from typing import Any

from storebridge.sandbox.naver.validation.checker import NOT_NULL, Checker, join

DELIVERY_TYPES = ("DELIVERY", "DIRECT")
DELIVERY_ATTRIBUTE_TYPES = (
    "NORMAL", "TODAY", "OPTION_TODAY", "HOPE", "TODAY_ARRIVAL", "DAWN_ARRIVAL", "ARRIVAL_GUARANTEE",
    "SELLER_GUARANTEE", "HOPE_SELLER_GUARANTEE", "QUICK", "PICKUP", "QUICK_PICKUP",
)  # fmt: skip
#: [OBS] carrier codes seen in public payloads (CJGLS, EPOST, HANJIN, LOTTE, LOGEN) plus a few other
#: common Korean carriers. [UNK] Naver's full list is longer; an unknown code is refused here on
#: purpose, so a client that sends a carrier *name* instead of a code fails in the sandbox.
DELIVERY_COMPANIES = frozenset(
    {"CJGLS", "EPOST", "HANJIN", "LOTTE", "LOGEN", "KDEXP", "DAESIN", "ILYANG", "CHUNIL", "CVSNET", "HYUNDAI"}
)
FEE_TYPES = ("FREE", "CONDITIONAL_FREE", "PAID", "UNIT_QUANTITY_PAID", "RANGE_QUANTITY_PAID")
FEE_PAY_TYPES = ("COLLECT", "PREPAID", "COLLECT_OR_PREPAID")
AREA_TYPES = ("AREA_2", "AREA_3")
#: [OFF] maxima in won.
MAX_BASE_FEE_WON = 100_000
MAX_FREE_CONDITION_WON = 999_999_990
MAX_AREA_FEE_WON = 200_000
MAX_CLAIM_FEE_WON = 1_000_000


def check_delivery(checker: Checker, delivery: dict[str, Any], path: str) -> None:
    """Required type/attribute/fee/claim fields, the carrier for parcel delivery, and fee bounds."""
    delivery_type = checker.enum(delivery, "deliveryType", path, DELIVERY_TYPES, required=True)
    checker.enum(delivery, "deliveryAttributeType", path, DELIVERY_ATTRIBUTE_TYPES, required=True)
    company = checker.text(delivery, "deliveryCompany", path, required=delivery_type == "DELIVERY")
    if company is not None and company not in DELIVERY_COMPANIES:
        checker.add(
            join(path, "deliveryCompany"), "InvalidDeliveryCompany", "유효하지 않은 택배사 코드입니다."
        )
    checker.boolean(delivery, "deliveryBundleGroupUsable", path, required=False)
    checker.integer(delivery, "deliveryBundleGroupId", path, required=False, minimum=1)
    fee = checker.obj(delivery, "deliveryFee", path, required=True)
    if fee is not None:
        _check_fee(checker, fee, join(path, "deliveryFee"))
    claim = checker.obj(delivery, "claimDeliveryInfo", path, required=True)
    if claim is not None:
        _check_claim(checker, claim, join(path, "claimDeliveryInfo"))


def _check_fee(checker: Checker, fee: dict[str, Any], path: str) -> None:
    """The fee table per ``deliveryFeeType`` (DOC create-product-product.md ``deliveryFee``).

    [DOC] type omitted = FREE; ``baseFee`` ≤ 100,000; ``freeConditionalAmount`` ≤ 999,999,990 for
    CONDITIONAL_FREE; ``repeatQuantity`` for UNIT_QUANTITY_PAID ("수량별 부과 - 반복 구간");
    ``second/thirdBaseQuantity`` + ``second/thirdExtraFee`` for RANGE_QUANTITY_PAID ("구간 직접
    설정", 2구간/3구간 최소 수량 and 추가 배송비); pay types COLLECT / PREPAID / COLLECT_OR_PREPAID.
    [INF] a paid type needs a positive ``baseFee`` and a pay type; the third range needs the
    second and starts after it; the second starts at 2 or later (the first holds at least one);
    extra fees are bounded like ``baseFee``. Naver's messages for these are unknown: plain NotNull/Min.
    """
    fee_type = checker.enum(fee, "deliveryFeeType", path, FEE_TYPES, required=False) or "FREE"
    paid = fee_type != "FREE"
    base_fee = checker.integer(fee, "baseFee", path, required=paid, minimum=0, maximum=MAX_BASE_FEE_WON)
    if paid and base_fee == 0:
        checker.add(join(path, "baseFee"), "Min", "1 이상으로 입력해주세요.")
    checker.enum(fee, "deliveryFeePayType", path, FEE_PAY_TYPES, required=paid)
    checker.integer(
        fee,
        "freeConditionalAmount",
        path,
        required=fee_type == "CONDITIONAL_FREE",
        minimum=1,
        maximum=MAX_FREE_CONDITION_WON,
    )
    checker.integer(fee, "repeatQuantity", path, required=fee_type == "UNIT_QUANTITY_PAID", minimum=1)
    if fee_type == "RANGE_QUANTITY_PAID":
        _check_ranges(checker, fee, path)
    by_area = checker.obj(fee, "deliveryFeeByArea", path, required=False)
    if by_area is not None:
        area_path = join(path, "deliveryFeeByArea")
        area_type = checker.enum(by_area, "deliveryAreaType", area_path, AREA_TYPES, required=True)
        checker.integer(
            by_area, "area2extraFee", area_path, required=True, minimum=0, maximum=MAX_AREA_FEE_WON
        )
        checker.integer(
            by_area,
            "area3extraFee",
            area_path,
            required=area_type == "AREA_3",
            minimum=0,
            maximum=MAX_AREA_FEE_WON,
        )
    checker.text(fee, "differentialFeeByArea", path, required=False)


def _check_ranges(checker: Checker, fee: dict[str, Any], path: str) -> None:
    second = checker.integer(fee, "secondBaseQuantity", path, required=True, minimum=2)
    checker.integer(fee, "secondExtraFee", path, required=True, minimum=0, maximum=MAX_BASE_FEE_WON)
    third = checker.integer(fee, "thirdBaseQuantity", path, required=False, minimum=2)
    third_fee = checker.integer(
        fee, "thirdExtraFee", path, required=third is not None, minimum=0, maximum=MAX_BASE_FEE_WON
    )
    if third_fee is not None and third is None:
        checker.add(join(path, "thirdBaseQuantity"), NOT_NULL)
    if second is not None and third is not None and third <= second:
        checker.add(join(path, "thirdBaseQuantity"), "Min", "3구간 수량은 2구간 수량보다 커야 합니다.")


def _check_claim(checker: Checker, claim: dict[str, Any], path: str) -> None:
    checker.integer(claim, "returnDeliveryFee", path, required=True, minimum=0, maximum=MAX_CLAIM_FEE_WON)
    checker.integer(claim, "exchangeDeliveryFee", path, required=True, minimum=0, maximum=MAX_CLAIM_FEE_WON)
    checker.integer(claim, "shippingAddressId", path, required=False, minimum=1)
    checker.integer(claim, "returnAddressId", path, required=False, minimum=1)
    checker.boolean(claim, "freeReturnInsuranceYn", path, required=False)
