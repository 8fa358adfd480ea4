"""Shipping and return terms → deliveryInfo; undocumented shapes go to review instead of being guessed."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from schemas.domeggook import DomeggookItem
from storebridge.transform.delivery import DeliveryPlan, build_delivery
from storebridge.transform.result import Rejection, RejectionCode
from storebridge.transform.rules import TransformRules
from tests.paths import item_body

RULES = TransformRules(category_map={}, as_phone="02-1234-5678")


def plan(raw: dict[str, Any], rules: TransformRules = RULES, order_quantity: int = 1) -> DeliveryPlan:
    result = build_delivery(DomeggookItem.model_validate(raw), rules, order_quantity)
    assert isinstance(result, DeliveryPlan), result
    return result


def failures(raw: dict[str, Any], rules: TransformRules = RULES) -> list[Rejection]:
    result = build_delivery(DomeggookItem.model_validate(raw), rules, 1)
    assert isinstance(result, list), result
    return result


def with_fee(spec: object, pay: str = "선결제") -> dict[str, Any]:
    raw = item_body()
    raw["deli"]["dome"] = spec
    raw["deli"]["pay"] = pay
    return raw


def test_reference_proportional_fee_becomes_unit_quantity_paid_with_area_fees() -> None:
    assert plan(item_body()).info.to_wire() == {
        "deliveryType": "DELIVERY",
        "deliveryAttributeType": "NORMAL",
        "deliveryCompany": "CJGLS",
        "deliveryFee": {
            "deliveryFeeType": "UNIT_QUANTITY_PAID",
            "baseFee": 3000,
            "repeatQuantity": 30,
            "deliveryFeePayType": "PREPAID",
            "deliveryFeeByArea": {"deliveryAreaType": "AREA_3", "area2extraFee": 3000, "area3extraFee": 5000},
        },
        "claimDeliveryInfo": {"returnDeliveryFee": 3000, "exchangeDeliveryFee": 6000},
    }


def test_fixed_fee_becomes_paid() -> None:
    fee = plan(with_fee({"type": "고정배송비", "tbl": "3000", "fee": "3000"})).info.delivery_fee

    assert (fee.delivery_fee_type, fee.base_fee, fee.delivery_fee_pay_type) == ("PAID", 3000, "PREPAID")


def test_fixed_fee_without_fee_field_reads_the_single_tier_table() -> None:
    fee = plan(with_fee({"type": "고정배송비", "tbl": "2500"})).info.delivery_fee

    assert fee.base_fee == 2500


@pytest.mark.parametrize(
    ("spec", "pay"),
    [
        ({"type": "고정배송비", "fee": "0"}, "선결제"),
        ({"type": "무료배송"}, "선결제"),
        (None, "무료배송"),
        ({"type": "고정배송비", "fee": "3000"}, "무료"),
    ],
)
def test_free_shipping_becomes_free(spec: object, pay: str) -> None:
    fee = plan(with_fee(spec, pay)).info.delivery_fee

    assert fee.delivery_fee_type == "FREE"
    assert fee.base_fee is None


def test_jeju_and_island_fees_that_are_equal_use_two_areas() -> None:
    raw = item_body()
    raw["deli"]["feeExtra"] = {"jeju": "4000", "islands": "4000"}

    area = plan(raw).info.delivery_fee.delivery_fee_by_area

    assert area is not None
    assert area.to_wire() == {"deliveryAreaType": "AREA_2", "area2extraFee": 4000}


def test_no_area_fees_means_no_area_block() -> None:
    raw = item_body()
    del raw["deli"]["feeExtra"]

    assert plan(raw).info.delivery_fee.delivery_fee_by_area is None


def test_return_fee_is_one_way_and_exchange_is_the_round_trip_even_when_not_doubled() -> None:
    # Changed with issue 8: Smart Store's 교환배송비 is a round trip, whatever deliAmtDouble says.
    raw = item_body()
    raw["return"] = {"deliAmt": "2500", "deliAmtDouble": "false"}

    claim = plan(raw).info.claim_delivery_info

    assert (claim.return_delivery_fee, claim.exchange_delivery_fee) == (2500, 5000)


def test_missing_return_fee_uses_the_configured_default() -> None:
    raw = item_body()
    del raw["return"]

    claim = plan(raw, dataclasses.replace(RULES, default_return_fee_won=4000)).info.claim_delivery_info

    assert (claim.return_delivery_fee, claim.exchange_delivery_fee) == (4000, 8000)


def test_missing_return_fee_without_a_default_is_rejected() -> None:
    raw = item_body()
    del raw["return"]

    assert [r.code for r in failures(raw)] == [RejectionCode.RETURN_FEE_MISSING]


def test_address_book_ids_and_carrier_come_from_the_rules() -> None:
    rules = dataclasses.replace(
        RULES, delivery_company="HANJIN", shipping_address_id=11, return_address_id=12
    )

    info = plan(item_body(), rules).info

    assert info.delivery_company == "HANJIN"
    assert (info.claim_delivery_info.shipping_address_id, info.claim_delivery_info.return_address_id) == (
        11,
        12,
    )


def test_supply_market_reads_the_supply_fee() -> None:
    fee = plan(item_body(), dataclasses.replace(RULES, market="supply")).info.delivery_fee

    assert (fee.delivery_fee_type, fee.base_fee) == ("PAID", 3000)


def test_included_mode_ships_free_and_returns_the_per_unit_share() -> None:
    rules = dataclasses.replace(RULES, shipping_mode="included")

    fixed = plan(with_fee({"type": "고정배송비", "fee": "3000"}), rules, order_quantity=2)
    proportional = plan(item_body(), rules)

    assert fixed.info.delivery_fee.delivery_fee_type == "FREE"
    assert fixed.shipping_share_won == 1500
    # Changed with issue 8: one piece of "3,000 per 30 started" still costs 3,000 to ship, so the
    # share folded into the price is the largest per-unit share of any order, not 3,000 / 30.
    assert proportional.shipping_share_won == 3000


def test_separate_mode_has_no_shipping_share() -> None:
    assert plan(item_body()).shipping_share_won == 0


@pytest.mark.parametrize(
    ("mutate", "field", "cause"),
    [
        (lambda d: d.update(fromOversea="true"), "deli.fromOversea", "ships from overseas"),
        (lambda d: d.update(method="화물"), "deli.method", "is not parcel delivery"),
        (
            lambda d: d.update(dome={"type": "수량별차등", "tbl": "1+0|10+5000"}),
            "deli.dome.tbl",
            "rises from free",
        ),
        (lambda d: d.update(dome={"type": "금액비노출"}), "deli.dome.type", "not supported"),
        (lambda d: d.update(dome={"type": "조건부무료", "fee": "3000"}), "deli.dome.type", "conditional"),
        (
            lambda d: d.update(dome={"type": "수량별비례", "tbl": "10+3000|20+5000|30+1000"}),
            "deli.dome.tbl",
            "one or two",
        ),
        (lambda d: d.update(dome={"type": "고정배송비"}), "deli.dome.fee", "without an amount"),
        (lambda d: d.pop("dome"), "deli.dome", "no fee terms"),
    ],
)
def test_undocumented_or_risky_shipping_is_delivery_unsupported(mutate: Any, field: str, cause: str) -> None:
    raw = item_body()
    mutate(raw["deli"])

    [rejection] = failures(raw)

    assert (rejection.code, rejection.field) == (RejectionCode.DELIVERY_UNSUPPORTED, field)
    assert rejection.message.startswith("item 46072413: ")
    assert cause in rejection.message


def test_no_shipping_terms_at_all_is_delivery_unsupported() -> None:
    raw = item_body()
    del raw["deli"]

    assert failures(raw)[0].message == "item 46072413: no shipping terms"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r["deli"].update(dome={"type": "고정배송비", "fee": "150000"}), "deli.dome"),
        (lambda r: r["deli"].update(feeExtra={"jeju": "300000", "islands": "0"}), "deli.feeExtra"),
        (lambda r: r["deli"].update(feeExtra={"jeju": "-1", "islands": "0"}), "deli.feeExtra"),
        (lambda r: r.update({"return": {"deliAmt": "600000", "deliAmtDouble": "true"}}), "return.deliAmt"),
        (lambda r: r.update({"return": {"deliAmt": "-3000"}}), "return.deliAmt"),
    ],
)
def test_fees_beyond_navers_limits_are_out_of_range(mutate: Any, field: str) -> None:
    raw = item_body()
    mutate(raw)

    [rejection] = failures(raw)

    assert (rejection.code, rejection.field) == (RejectionCode.DELIVERY_FEE_OUT_OF_RANGE, field)


def test_every_delivery_problem_is_reported_at_once() -> None:
    raw = item_body()
    raw["deli"]["fromOversea"] = "true"
    del raw["return"]

    assert [r.code for r in failures(raw)] == [
        RejectionCode.DELIVERY_UNSUPPORTED,
        RejectionCode.RETURN_FEE_MISSING,
    ]


# -- issue 8 §3: what Naver can express -----------------------------------------------------------


def fee_of(spec: object, pay: str = "선결제", pieces_per_unit: int = 1) -> DeliveryPlan:
    result = build_delivery(DomeggookItem.model_validate(with_fee(spec, pay)), RULES, 1, pieces_per_unit)
    assert isinstance(result, DeliveryPlan), result
    return result


@pytest.mark.parametrize(
    ("pay", "expected"),
    [("착불", "COLLECT"), ("선결제", "PREPAID"), ("선결제/착불", "COLLECT_OR_PREPAID")],
)
def test_who_pays_becomes_the_delivery_fee_pay_type(pay: str, expected: str) -> None:
    fee = fee_of({"type": "고정배송비", "fee": "3000"}, pay).info.delivery_fee

    assert (fee.delivery_fee_type, fee.delivery_fee_pay_type) == ("PAID", expected)


def test_pay_on_delivery_is_never_folded_into_the_price() -> None:
    raw = with_fee({"type": "고정배송비", "fee": "3000"}, "착불")
    rules = dataclasses.replace(RULES, shipping_mode="included")

    result = plan(raw, rules)

    assert result.info.delivery_fee.delivery_fee_pay_type == "COLLECT"
    assert result.shipping_share_won == 0


def test_tiered_fee_becomes_up_to_three_ranges() -> None:
    fee = fee_of({"type": "수량별차등", "tbl": "1+3000|10+5000|50+6000"}).info.delivery_fee

    assert fee.to_wire() | {"deliveryFeeByArea": None} == {
        "deliveryFeeType": "RANGE_QUANTITY_PAID",
        "baseFee": 3000,
        "secondBaseQuantity": 10,
        "secondExtraFee": 2000,
        "thirdBaseQuantity": 50,
        "thirdExtraFee": 1000,
        "deliveryFeePayType": "PREPAID",
        "deliveryFeeByArea": None,
    }


def test_a_cheaper_large_order_tier_is_kept_at_the_dearer_fee_with_a_note() -> None:
    result = fee_of({"type": "수량별차등", "tbl": "1+3000|10+5000|50+0"})
    fee = result.info.delivery_fee

    assert (fee.delivery_fee_type, fee.base_fee, fee.second_base_quantity, fee.second_extra_fee) == (
        "RANGE_QUANTITY_PAID",
        3000,
        10,
        2000,
    )
    assert fee.third_base_quantity is None
    assert [a.code.value for a in result.adjustments] == ["DELIVERY_FEE_ROUNDED_UP"]


def test_free_from_a_quantity_becomes_conditional_free_priced_at_the_dearest_unit() -> None:
    result = fee_of({"type": "수량별차등", "tbl": "1+3000|20+0"})

    fee = result.priced(max_unit_price_won=1200).info.delivery_fee

    assert (fee.delivery_fee_type, fee.base_fee, fee.free_conditional_amount) == (
        "CONDITIONAL_FREE",
        3000,
        24_000,
    )


def test_multi_step_proportional_fee_becomes_ranges_capped_where_a_fourth_would_start() -> None:
    # "10+3500|30+3500": 3,500 up to 10 pieces, 3,500 more for every further 30 started.
    result = fee_of({"type": "수량별비례", "tbl": "10+3500|30+3500"})
    fee = result.info.delivery_fee

    assert (fee.delivery_fee_type, fee.base_fee) == ("RANGE_QUANTITY_PAID", 3500)
    assert (fee.second_base_quantity, fee.second_extra_fee) == (11, 3500)
    assert (fee.third_base_quantity, fee.third_extra_fee) == (41, 3500)
    assert result.max_order_units == 70
    assert "ORDER_QUANTITY_CAPPED" in [a.code.value for a in result.adjustments]


def test_bundled_units_scale_a_repeated_step_exactly() -> None:
    fee = fee_of({"type": "수량별비례", "tbl": "30+3000|30+3000"}, pieces_per_unit=10).info.delivery_fee

    assert (fee.delivery_fee_type, fee.base_fee, fee.repeat_quantity) == ("UNIT_QUANTITY_PAID", 3000, 3)


def test_bundled_units_move_tier_thresholds_to_whole_bundles() -> None:
    fee = fee_of({"type": "수량별차등", "tbl": "1+3000|25+5000"}, pieces_per_unit=10).info.delivery_fee

    # 25 pieces start in the third bundle of ten.
    assert (fee.delivery_fee_type, fee.second_base_quantity, fee.second_extra_fee) == (
        "RANGE_QUANTITY_PAID",
        3,
        2000,
    )
