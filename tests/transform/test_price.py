"""Pricing: exact margin arithmetic, the right cost tier, and every guard of business-rules §5."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest

from schemas.domeggook import DomeggookItem
from storebridge.transform.price import (
    ceil_to_unit,
    compute_price,
    markup,
    option_surcharge,
    order_quantity,
    tier_price,
)
from storebridge.transform.result import AdjustmentCode, RejectionCode
from storebridge.transform.rules import TransformRules
from tests.paths import item_body

RULES = TransformRules(category_map={}, as_phone="02-1234-5678", margin_percent=Decimal("30"))


def item_with(price: object, **qty: object) -> DomeggookItem:
    raw = item_body()
    raw["price"] = price
    raw["qty"].update(qty)
    return DomeggookItem.model_validate(raw)


TIERS = ((1, 3800), (20, 3500), (50, 3300))


@pytest.mark.parametrize(
    ("quantity", "expected"), [(1, 3800), (19, 3800), (20, 3500), (49, 3500), (50, 3300), (999, 3300)]
)
def test_tier_price_uses_the_largest_tier_not_above_the_quantity(quantity: int, expected: int) -> None:
    assert tier_price(TIERS, quantity) == expected


def test_tier_price_below_the_first_tier_uses_the_first_tier() -> None:
    assert tier_price(((10, 4200), (50, 4000)), 1) == 4200


def test_markup_is_exact_where_float_arithmetic_would_round_up_one_step() -> None:
    # 9900 × 1.3 is 12870.000000000002 in floating point, which would round up to 12880.
    assert markup(9900, RULES) == 12870


def test_markup_applies_fixed_amount_then_divides_by_the_fee_share() -> None:
    rules = dataclasses.replace(
        RULES, margin_percent=Decimal("10"), margin_fixed_won=500, commission_percent=Decimal("5.5")
    )

    # (10000 × 1.1 + 500) / 0.945 = 12169.3… → 12170
    assert markup(10000, rules) == 12170


def test_markup_includes_the_shipping_share() -> None:
    assert markup(1000, RULES, shipping_share_won=100) == ceil_to_unit(Fraction(1100) * Fraction(13, 10), 10)


@pytest.mark.parametrize(
    ("value", "unit", "expected"), [(Fraction(12861), 10, 12870), (Fraction(12870), 10, 12870)]
)
def test_ceil_to_unit_rounds_up_to_the_unit(value: Fraction, unit: int, expected: int) -> None:
    assert ceil_to_unit(value, unit) == expected


def test_sale_price_comes_from_the_single_unit_tier_of_the_dome_price() -> None:
    outcome = compute_price(item_with({"dome": "1+3800|20+3500"}), RULES)

    assert (outcome.cost_won, outcome.sale_price_won, outcome.rejections) == (3800, 4940, ())


def test_supply_market_prices_from_the_supply_price() -> None:
    rules = dataclasses.replace(RULES, market="supply")

    outcome = compute_price(item_with({"dome": "9900", "supply": "11900"}), rules)

    assert outcome.cost_won == 11900


def test_minimum_order_quantity_selects_the_matching_tier() -> None:
    item = item_with({"dome": "1+3800|20+3500"}, domeMoq="20")

    assert order_quantity(item, "dome") == 20
    assert compute_price(item, RULES).cost_won == 3500


def test_price_is_raised_to_the_supplier_minimum_resale_price() -> None:
    outcome = compute_price(item_with({"dome": "1000", "resale": {"minimum": "5005"}}), RULES)

    assert outcome.sale_price_won == 5010
    assert [note.code for note in outcome.adjustments] == [AdjustmentCode.PRICE_RAISED_TO_RESALE_MINIMUM]


def test_a_resale_minimum_below_the_computed_price_changes_nothing() -> None:
    outcome = compute_price(item_with({"dome": "10000", "resale": {"minimum": "1000"}}), RULES)

    assert outcome.sale_price_won == 13000
    assert outcome.adjustments == ()


def test_missing_market_price_is_price_missing_naming_the_market() -> None:
    outcome = compute_price(item_with({"supply": "11900"}), RULES)

    assert [r.code for r in outcome.rejections] == [RejectionCode.PRICE_MISSING]
    assert outcome.rejections[0].message == "item 46072413: no price.dome (not sold on the dome market)"


@pytest.mark.parametrize("price", ["0", "-500", "1+0|10+0"])
def test_zero_or_negative_cost_is_out_of_range(price: str) -> None:
    outcome = compute_price(item_with({"dome": price}), RULES)

    assert [r.code for r in outcome.rejections] == [RejectionCode.PRICE_OUT_OF_RANGE]
    assert "is not positive" in outcome.rejections[0].message


def test_price_above_the_configured_maximum_is_out_of_range() -> None:
    rules = dataclasses.replace(RULES, max_sale_price_won=100_000)

    outcome = compute_price(item_with({"dome": "90000"}), rules)

    assert outcome.sale_price_won is None
    assert (
        outcome.rejections[0].message
        == "item 46072413: sale price 117000 won (cost 90000) is outside 100..100000 won"
    )


def test_price_above_navers_ceiling_is_out_of_range() -> None:
    outcome = compute_price(item_with({"dome": "999999999"}), RULES)

    assert [r.code for r in outcome.rejections] == [RejectionCode.PRICE_OUT_OF_RANGE]


def test_price_below_the_configured_minimum_is_out_of_range() -> None:
    rules = dataclasses.replace(RULES, min_sale_price_won=1000)

    assert [r.code for r in compute_price(item_with({"dome": "10"}), rules).rejections] == [
        RejectionCode.PRICE_OUT_OF_RANGE
    ]


def test_margin_below_the_minimum_is_rejected() -> None:
    rules = dataclasses.replace(RULES, margin_percent=Decimal("1"), min_margin_won=500)

    outcome = compute_price(item_with({"dome": "10000"}), rules)

    assert [r.code for r in outcome.rejections] == [RejectionCode.PRICE_BELOW_MIN_MARGIN]


def test_option_surcharge_carries_the_same_margin_as_the_base_price() -> None:
    assert option_surcharge(9900, 500, RULES) == markup(10400, RULES) - markup(9900, RULES) == 650


def test_zero_add_on_means_zero_surcharge() -> None:
    assert option_surcharge(9900, 0, RULES) == 0


def test_negative_add_on_gives_a_negative_surcharge() -> None:
    assert option_surcharge(9900, -900, RULES) == markup(9000, RULES) - markup(9900, RULES) < 0
