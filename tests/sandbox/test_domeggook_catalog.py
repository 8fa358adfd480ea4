"""The deterministic catalog generator behind the Domeggook simulator."""

from __future__ import annotations

import re
from collections import Counter

from storebridge.sandbox.catalog.data import UNMAPPED_CATEGORY_CODE, category_ancestors
from storebridge.sandbox.catalog.generator import (
    DOMEGGOOK_CATEGORIES,
    SCENARIOS,
    ItemStatus,
    Scenario,
    generate_catalog,
)

CODE_RE = re.compile(r"\d{2}(_\d{2}){4}")


def test_the_same_seed_gives_the_same_catalog() -> None:
    first, second = generate_catalog(500, 42), generate_catalog(500, 42)
    assert first.items == second.items
    assert [i.no for i in generate_catalog(500, 43)] != [i.no for i in first]


def test_a_large_catalog_is_deterministic_too() -> None:
    first, second = generate_catalog(10_000, 7), generate_catalog(10_000, 7)
    assert len(first) == 10_000
    assert first.items[-1] == second.items[-1]
    assert [i.no for i in first] == [i.no for i in second]


def test_item_numbers_are_unique_eight_digit_numbers() -> None:
    numbers = [i.no for i in generate_catalog(2000, 1)]
    assert len(set(numbers)) == len(numbers)
    assert all(10_000_000 <= n <= 99_999_999 for n in numbers)


def test_every_tenth_item_is_hostile_and_every_scenario_appears() -> None:
    catalog = generate_catalog(10 * len(SCENARIOS), 9)
    hostile = [i for i in catalog if i.scenarios]
    assert len(hostile) == len(catalog) // 10
    assert Counter(s for i in hostile for s in i.scenarios) == Counter(SCENARIOS)
    assert all(len(catalog.with_scenario(s)) == 1 for s in Scenario)


def test_hostile_items_are_otherwise_healthy() -> None:
    catalog = generate_catalog(400, 2)
    for item in catalog:
        if item.scenarios:
            assert item.status is ItemStatus.ON_SALE
            assert item.license_usable


def test_hostile_every_controls_the_fraction() -> None:
    assert all(i.scenarios for i in generate_catalog(40, 1, hostile_every=1))
    assert not any(i.scenarios for i in generate_catalog(40, 1, hostile_every=0))


def test_scenarios_change_what_they_say() -> None:
    catalog = generate_catalog(10 * len(SCENARIOS), 4)
    (missing,) = catalog.with_scenario(Scenario.MISSING_DOME_PRICE)
    assert missing.dome_tiers is None
    assert missing.supply_price_won
    (zero,) = catalog.with_scenario("zero_price")
    assert zero.dome_tiers == [(1, 0)]
    (four,) = catalog.with_scenario(Scenario.FOUR_AXIS_OPTIONS)
    assert four.options is not None
    assert len(four.options.axes) == 4
    (many,) = catalog.with_scenario(Scenario.TOO_MANY_OPTIONS)
    assert many.options is not None
    assert len(many.options.variants) > 100
    (long_title,) = catalog.with_scenario(Scenario.LONG_TITLE)
    assert len(long_title.title) > 100
    (no_notice,) = catalog.with_scenario(Scenario.MISSING_INFO_DUTY)
    assert no_notice.spec.info_duty is None
    (unmapped,) = catalog.with_scenario(Scenario.UNMAPPED_CATEGORY)
    assert unmapped.category_code == UNMAPPED_CATEGORY_CODE not in DOMEGGOOK_CATEGORIES
    (surcharge,) = catalog.with_scenario(Scenario.OPTION_SURCHARGE_TOO_HIGH)
    assert surcharge.options is not None
    assert surcharge.dome_tiers is not None
    assert max(v.add_price_won for v in surcharge.options.variants) > surcharge.dome_tiers[0][1] / 2


def test_categories_are_five_level_codes_from_the_tree() -> None:
    for item in generate_catalog(1000, 5):
        assert CODE_RE.fullmatch(item.category_code)
        if item.category_code != UNMAPPED_CATEGORY_CODE:
            assert item.category_code in DOMEGGOOK_CATEGORIES
    for code in DOMEGGOOK_CATEGORIES:
        assert CODE_RE.fullmatch(code)
        order = list(DOMEGGOOK_CATEGORIES)
        assert all(order.index(parent) < order.index(code) for parent in category_ancestors(code))


def test_ordinary_items_vary_like_a_real_catalog() -> None:
    catalog = [i for i in generate_catalog(3000, 8) if not i.scenarios]
    assert {i.status for i in catalog} == set(ItemStatus)
    assert {0 if i.options is None else len(i.options.axes) for i in catalog} == {0, 1, 2, 3}
    variants = [v for i in catalog if i.options for v in i.options.variants]
    assert any(v.stock == 0 for v in variants)
    assert {v.hid for v in variants} == {0, 1, 2}
    assert any(not i.license_usable for i in catalog)
    assert any(i.license_usable for i in catalog)
    assert any(i.dome_tiers and len(i.dome_tiers) > 1 for i in catalog)
    assert {i.delivery.who for i in catalog} == {"S", "P", "B", "C"}
    assert all(re.search("[가-힣]", i.title) for i in catalog)


def test_items_can_be_changed_in_place() -> None:
    catalog = generate_catalog(50, 1)
    item = catalog.items[0]
    item.status = ItemStatus.DELETED
    item.stock = 3
    same = catalog.get(item.no)
    assert same is not None
    assert same.status is ItemStatus.DELETED
