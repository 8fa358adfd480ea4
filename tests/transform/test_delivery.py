"""Shipping and return terms → deliveryInfo; undocumented shapes go to review instead of being guessed."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from schemas.domeggook import DomeggookItem
from storebridge.transform.delivery import DeliveryPlan, build_delivery
from storebridge.transform.result import Rejection, RejectionCode
from storebridge.transform.rules import TransformRules
from tests.paths import DOMEGGOOK_DATA as DATA

RULES = TransformRules(category_map={}, as_phone="02-1234-5678")


def body() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((DATA / "item_view_single.json").read_text(encoding="utf-8"))[
        "domeggook"
    ]
    return raw


def plan(raw: dict[str, Any], rules: TransformRules = RULES, order_quantity: int = 1) -> DeliveryPlan:
    result = build_delivery(DomeggookItem.model_validate(raw), rules, order_quantity)
    assert isinstance(result, DeliveryPlan), result
    return result


def failures(raw: dict[str, Any], rules: TransformRules = RULES) -> list[Rejection]:
    result = build_delivery(DomeggookItem.model_validate(raw), rules, 1)
    assert isinstance(result, list), result
    return result


def with_fee(spec: object, pay: str = "선결제") -> dict[str, Any]:
    raw = body()
    raw["deli"]["dome"] = spec
    raw["deli"]["pay"] = pay
    return raw


def test_reference_proportional_fee_becomes_unit_quantity_paid_with_area_fees() -> None:
    assert plan(body()).info.to_wire() == {
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

    assert fee.delivery_fee_type == "FREE" and fee.base_fee is None


def test_jeju_and_island_fees_that_are_equal_use_two_areas() -> None:
    raw = body()
    raw["deli"]["feeExtra"] = {"jeju": "4000", "islands": "4000"}

    area = plan(raw).info.delivery_fee.delivery_fee_by_area

    assert area is not None and area.to_wire() == {"deliveryAreaType": "AREA_2", "area2extraFee": 4000}


def test_no_area_fees_means_no_area_block() -> None:
    raw = body()
    del raw["deli"]["feeExtra"]

    assert plan(raw).info.delivery_fee.delivery_fee_by_area is None


def test_return_fee_is_one_way_and_exchange_is_the_round_trip_even_when_not_doubled() -> None:
    # Changed with issue 8: Smart Store's 교환배송비 is a round trip, whatever deliAmtDouble says.
    raw = body()
    raw["return"] = {"deliAmt": "2500", "deliAmtDouble": "false"}

    claim = plan(raw).info.claim_delivery_info

    assert (claim.return_delivery_fee, claim.exchange_delivery_fee) == (2500, 5000)


def test_missing_return_fee_uses_the_configured_default() -> None:
    raw = body()
    del raw["return"]

    claim = plan(raw, dataclasses.replace(RULES, default_return_fee_won=4000)).info.claim_delivery_info

    assert (claim.return_delivery_fee, claim.exchange_delivery_fee) == (4000, 8000)


def test_missing_return_fee_without_a_default_is_rejected() -> None:
    raw = body()
    del raw["return"]

    assert [r.code for r in failures(raw)] == [RejectionCode.RETURN_FEE_MISSING]


def test_address_book_ids_and_carrier_come_from_the_rules() -> None:
    rules = dataclasses.replace(
        RULES, delivery_company="HANJIN", shipping_address_id=11, return_address_id=12
    )

    info = plan(body(), rules).info

    assert info.delivery_company == "HANJIN"
    assert (info.claim_delivery_info.shipping_address_id, info.claim_delivery_info.return_address_id) == (
        11,
        12,
    )


def test_supply_market_reads_the_supply_fee() -> None:
    fee = plan(body(), dataclasses.replace(RULES, market="supply")).info.delivery_fee

    assert (fee.delivery_fee_type, fee.base_fee) == ("PAID", 3000)


def test_included_mode_ships_free_and_returns_the_per_unit_share() -> None:
    rules = dataclasses.replace(RULES, shipping_mode="included")

    fixed = plan(with_fee({"type": "고정배송비", "fee": "3000"}), rules, order_quantity=2)
    proportional = plan(body(), rules)

    assert fixed.info.delivery_fee.delivery_fee_type == "FREE" and fixed.shipping_share_won == 1500
    assert proportional.shipping_share_won == 100


def test_separate_mode_has_no_shipping_share() -> None:
    assert plan(body()).shipping_share_won == 0


@pytest.mark.parametrize(
    ("mutate", "field", "cause"),
    [
        (lambda d: d.update(fromOversea="true"), "deli.fromOversea", "ships from overseas"),
        (lambda d: d.update(method="화물"), "deli.method", "is not parcel delivery"),
        (lambda d: d.update(pay="착불"), "deli.pay", "pay-on-delivery only"),
        (
            lambda d: d.update(dome={"type": "수량별차등", "tbl": "1+3000|10+5000"}),
            "deli.dome.type",
            "not supported",
        ),
        (lambda d: d.update(dome={"type": "금액비노출"}), "deli.dome.type", "not supported"),
        (lambda d: d.update(dome={"type": "조건부무료", "fee": "3000"}), "deli.dome.type", "conditional"),
        (
            lambda d: d.update(dome={"type": "수량별비례", "tbl": "10+3000|20+5000"}),
            "deli.dome.tbl",
            "exactly one",
        ),
        (lambda d: d.update(dome={"type": "고정배송비"}), "deli.dome.fee", "without an amount"),
        (lambda d: d.pop("dome"), "deli.dome", "no fee terms"),
    ],
)
def test_undocumented_or_risky_shipping_is_delivery_unsupported(mutate: Any, field: str, cause: str) -> None:
    raw = body()
    mutate(raw["deli"])

    [rejection] = failures(raw)

    assert (rejection.code, rejection.field) == (RejectionCode.DELIVERY_UNSUPPORTED, field)
    assert rejection.message.startswith("item 46072413: ") and cause in rejection.message


def test_no_shipping_terms_at_all_is_delivery_unsupported() -> None:
    raw = body()
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
    raw = body()
    mutate(raw)

    [rejection] = failures(raw)

    assert (rejection.code, rejection.field) == (RejectionCode.DELIVERY_FEE_OUT_OF_RANGE, field)


def test_every_delivery_problem_is_reported_at_once() -> None:
    raw = body()
    raw["deli"]["fromOversea"] = "true"
    del raw["return"]

    assert [r.code for r in failures(raw)] == [
        RejectionCode.DELIVERY_UNSUPPORTED,
        RejectionCode.RETURN_FEE_MISSING,
    ]
