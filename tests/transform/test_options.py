"""Options: selectOpt combinations become Naver combination rows with real stock and consistent prices."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

from schemas.domeggook import DomeggookItem
from storebridge.transform.options import OptionsOutcome, build_options, group_name
from storebridge.transform.result import AdjustmentCode, RejectionCode
from storebridge.transform.rules import TransformRules
from tests.paths import item_body

RULES = TransformRules(category_map={}, as_phone="02-1234-5678")
CODE = "DG-dome-1"


def row(
    name: str, qty: int = 10, price: int = 0, dom: str = "1", hid: str = "0", **extra: str
) -> dict[str, str]:
    return {"name": name, "dom": dom, "domPrice": str(price), "qty": str(qty), "hid": hid, **extra}


def with_options(axes: list[tuple[str, list[str]]], data: dict[str, Any], **select: Any) -> DomeggookItem:
    raw = item_body()
    raw["selectOpt"] = json.dumps(
        {"type": "combination", "set": [{"name": n, "opts": o} for n, o in axes], "data": data, **select}
    )
    return DomeggookItem.model_validate(raw)


def build(
    item: DomeggookItem, rules: TransformRules = RULES, cost: int = 9900, sale: int = 11880
) -> OptionsOutcome:
    return build_options(item, rules, cost_won=cost, sale_price_won=sale, seller_code=CODE)


def codes(outcome: OptionsOutcome) -> list[str]:
    return [r.code for r in outcome.rejections]


def test_reference_options_become_rows_with_stock_and_margin_applied_surcharge() -> None:
    outcome = build(DomeggookItem.model_validate(item_body()))

    assert outcome.option_info is not None
    assert outcome.option_info.to_wire() == {
        "optionCombinationSortType": "CREATE",
        "optionCombinationGroupNames": {"optionGroupName1": "색상"},
        "optionCombinations": [
            {
                "optionName1": "블랙",
                "stockQuantity": 120,
                "price": 0,
                "usable": True,
                "sellerManagerCode": "DG-dome-1-00",
            },
            {
                "optionName1": "화이트",
                "stockQuantity": 0,
                "price": 600,
                "usable": True,
                "sellerManagerCode": "DG-dome-1-01",
            },
        ],
        "useStockManagement": True,
    }
    assert outcome.stock_quantity == 120


def test_two_axes_sample_keeps_hidden_and_overpriced_rows_disabled_and_names_groups() -> None:
    # Changed with issue 8: unsellable and out-of-band rows used to be dropped, which changed Naver's
    # option ids on the next full update. They now stay as stock 0 / usable=false; the out-of-band
    # row (10,800 on a 6,000 sale price; the 2,000–9,999 band allows −3,000…+6,000) is clamped.
    outcome = build(DomeggookItem.model_validate(item_body("item_view_two_axes.json")), cost=5000, sale=6000)

    assert outcome.option_info is not None
    groups = outcome.option_info.option_combination_group_names
    assert (groups.option_group_name1, groups.option_group_name2) == ("색상", "사이즈")
    rows = [
        (r.option_name1, r.option_name2, r.stock_quantity, r.price, r.usable)
        for r in outcome.option_info.option_combinations
    ]
    assert rows == [
        ("블랙", "M", 30, 0, True),
        ("블랙", "L", 0, 0, True),
        ("블랙", "XL", 12, 1200, True),
        ("화이트", "M", 0, 0, False),
        ("화이트", "L", 40, 0, True),
        ("화이트", "XL", 0, 6000, False),
    ]
    assert outcome.stock_quantity == 82
    assert outcome.sale_price_won is None
    assert {note.code for note in outcome.adjustments} == {
        AdjustmentCode.OPTION_DISABLED_UNSELLABLE,
        AdjustmentCode.OPTION_DISABLED_SURCHARGE,
    }


def test_surcharge_policy_reject_turns_an_overpriced_row_into_a_rejection() -> None:
    rules = dataclasses.replace(RULES, option_surcharge_policy="reject")

    outcome = build(
        DomeggookItem.model_validate(item_body("item_view_two_axes.json")), rules, cost=5000, sale=6000
    )

    assert codes(outcome) == [RejectionCode.OPTION_SURCHARGE_OUT_OF_RANGE]
    assert "option 01_02 surcharge 10800 won is outside -3000..6000 (sale price 6000)" in (
        outcome.rejections[0].message
    )


def test_four_axes_are_rejected() -> None:
    axes = [(f"축{n}", ["a", "b"]) for n in range(4)]

    outcome = build(with_options(axes, {"00_00_00_00": row("a/a/a/a"), "01_00_00_00": row("b/a/a/a")}))

    assert codes(outcome) == [RejectionCode.TOO_MANY_OPTION_AXES]
    assert outcome.rejections[0].message == "item 46072413: 4 option axes, Naver allows at most 3"


def test_three_axes_are_accepted() -> None:
    axes = [("색상", ["빨강"]), ("사이즈", ["S", "M"]), ("재질", ["면"])]

    outcome = build(with_options(axes, {"00_00_00": row("x", 1), "00_01_00": row("y", 2)}))

    assert outcome.option_info is not None
    assert outcome.option_info.option_combinations[1].option_name3 == "면"
    assert outcome.stock_quantity == 3


def test_rows_not_sellable_on_the_market_stay_as_disabled_rows_with_no_stock() -> None:
    # Changed with issue 8 (was "left out"): keeping the rows keeps Naver's option ids stable.
    data = {"00": row("a", dom="0"), "01": row("b", hid="2"), "02": row("c", 7)}

    outcome = build(with_options([("색상", ["a", "b", "c"])], data))

    assert outcome.option_info is not None
    rows = [(r.option_name1, r.stock_quantity, r.usable) for r in outcome.option_info.option_combinations]
    assert rows == [("a", 0, False), ("b", 0, False), ("c", 7, True)]
    assert outcome.stock_quantity == 7


def test_no_sellable_row_is_rejected() -> None:
    outcome = build(with_options([("색상", ["a", "b"])], {"00": row("a", hid="1"), "01": row("b", dom="0")}))

    assert codes(outcome) == [RejectionCode.NO_SELLABLE_VARIANT]
    assert outcome.rejections[0].message == "item 46072413: none of the 2 option rows is sellable"


def test_supply_market_uses_supply_flags_and_add_ons() -> None:
    data = {"00": row("a", sup="1", supPrice="0"), "01": row("b", price=0, sup="1", supPrice="1000")}
    rules = dataclasses.replace(RULES, market="supply")

    outcome = build(with_options([("색상", ["a", "b"])], data), rules)

    assert outcome.option_info is not None
    assert [r.price for r in outcome.option_info.option_combinations] == [0, 1200]


def test_value_names_fall_back_to_the_row_name_when_set_is_missing() -> None:
    raw = item_body()
    raw["selectOpt"] = json.dumps(
        {"type": "combination", "data": {"00_00": row("빨강/S"), "00_01": row("빨강/M")}}
    )

    outcome = build(DomeggookItem.model_validate(raw))

    assert outcome.option_info is not None
    assert [(r.option_name1, r.option_name2) for r in outcome.option_info.option_combinations] == [
        ("빨강", "S"),
        ("빨강", "M"),
    ]
    assert outcome.option_info.option_combination_group_names.option_group_name2 == "옵션2"


def test_unresolvable_value_names_are_a_structure_rejection() -> None:
    outcome = build(with_options([("색상", ["a"])], {"00": row("a"), "05": row("")}))

    assert codes(outcome) == [RejectionCode.OPTION_STRUCTURE_INVALID]


def test_set_with_a_different_axis_count_than_the_keys_is_rejected() -> None:
    outcome = build(with_options([("색상", ["a"]), ("사이즈", ["S"])], {"00": row("a"), "01": row("b")}))

    assert codes(outcome) == [RejectionCode.OPTION_STRUCTURE_INVALID]


def test_independent_options_are_rejected() -> None:
    outcome = build(
        with_options([("색상", ["a", "b"])], {"00": row("a"), "01": row("b")}, type="independent")
    )

    assert codes(outcome) == [RejectionCode.OPTION_TYPE_UNSUPPORTED]


def test_duplicate_value_names_are_rejected() -> None:
    outcome = build(with_options([("색상", ["블랙", "블랙"])], {"00": row("블랙"), "01": row("블랙")}))

    assert codes(outcome) == [RejectionCode.OPTION_DUPLICATE]
    assert "options 00 and 01 both read '블랙'" in outcome.rejections[0].message


def test_more_rows_than_the_limit_are_rejected() -> None:
    values = [f"v{n}" for n in range(101)]
    data = {f"{n:03d}": row(values[n]) for n in range(101)}

    outcome = build(with_options([("옵션", values)], data))

    assert codes(outcome) == [RejectionCode.TOO_MANY_OPTIONS]


def test_a_single_row_without_add_on_is_sold_as_a_plain_product() -> None:
    outcome = build(with_options([("색상", ["단일"])], {"00": row("단일", 42)}))

    assert outcome.option_info is None
    assert outcome.stock_quantity == 42
    assert [n.code for n in outcome.adjustments] == [AdjustmentCode.SINGLE_OPTION_COLLAPSED]


def test_a_supplier_status_other_than_on_sale_zeroes_every_stock() -> None:
    raw = item_body()
    raw["basis"]["status"] = "판매종료"

    outcome = build(DomeggookItem.model_validate(raw))

    assert outcome.option_info is not None
    assert outcome.stock_quantity == 0
    assert [r.stock_quantity for r in outcome.option_info.option_combinations] == [0, 0]
    assert AdjustmentCode.STATUS_NOT_ON_SALE in [n.code for n in outcome.adjustments]


def test_absurd_row_stock_is_clamped_and_the_total_kept_within_navers_limit() -> None:
    data = {"00": row("a", 99_999_999_999), "01": row("b", 99_999_999_999)}

    outcome = build(with_options([("색상", ["a", "b"])], data))

    assert outcome.option_info is not None
    assert [r.stock_quantity for r in outcome.option_info.option_combinations] == [49_999_999, 49_999_999]
    assert outcome.stock_quantity == 99_999_998


def test_negative_row_stock_is_rejected() -> None:
    outcome = build(with_options([("색상", ["a", "b"])], {"00": row("a", -1), "01": row("b")}))

    assert codes(outcome) == [RejectionCode.STOCK_INVALID]


def test_add_on_making_the_cost_non_positive_is_rejected() -> None:
    outcome = build(with_options([("색상", ["a", "b"])], {"00": row("a"), "01": row("b", price=-9900)}))

    assert codes(outcome) == [RejectionCode.PRICE_OUT_OF_RANGE]


def test_long_value_names_are_cut_to_the_option_limit() -> None:
    long_name = "아주 긴 옵션 이름 " * 5

    outcome = build(with_options([("색상", [long_name, "b"])], {"00": row("x"), "01": row("b")}))

    assert outcome.option_info is not None
    assert len(outcome.option_info.option_combinations[0].option_name1) <= 25


def test_plain_product_takes_the_item_inventory() -> None:
    raw = item_body("item_view_no_options.json")

    outcome = build(DomeggookItem.model_validate(raw))

    assert (outcome.option_info, outcome.stock_quantity, outcome.rejections) == (None, 350, ())


def test_plain_product_without_stock_is_rejected() -> None:
    raw = item_body("item_view_no_options.json")
    del raw["qty"]["inventory"]

    assert codes(build(DomeggookItem.model_validate(raw))) == [RejectionCode.STOCK_MISSING]


def test_plain_product_with_negative_stock_is_rejected() -> None:
    raw = item_body("item_view_no_options.json")
    raw["qty"]["inventory"] = "-1"

    outcome = build(DomeggookItem.model_validate(raw))

    assert codes(outcome) == [RejectionCode.STOCK_INVALID]
    assert outcome.rejections[0].message == "item 51234567: stock -1 is negative"


def test_plain_product_sold_out_at_the_supplier_has_stock_zero() -> None:
    raw = item_body("item_view_no_options.json")
    raw["basis"]["status"] = "판매종료"

    assert build(DomeggookItem.model_validate(raw)).stock_quantity == 0


def test_display_stock_cap_applies_to_plain_products() -> None:
    rules = dataclasses.replace(RULES, stock_cap=999)

    assert (
        build(DomeggookItem.model_validate(item_body("item_view_no_options.json")), rules).stock_quantity
        == 350
    )
    rules = dataclasses.replace(RULES, stock_cap=100)
    assert (
        build(DomeggookItem.model_validate(item_body("item_view_no_options.json")), rules).stock_quantity
        == 100
    )


def test_group_names_are_normalised() -> None:
    assert [group_name(raw, 0) for raw in ("컬러", "Color", "크기", "SIZE", "소재", "", "용량")] == [
        "색상",
        "색상",
        "사이즈",
        "사이즈",
        "재질",
        "옵션1",
        "용량",
    ]


def test_duplicate_group_names_are_made_unique() -> None:
    outcome = build(
        with_options([("색상", ["a"]), ("컬러", ["b", "c"])], {"00_00": row("x"), "00_01": row("y")})
    )

    assert outcome.option_info is not None
    groups = outcome.option_info.option_combination_group_names
    assert (groups.option_group_name1, groups.option_group_name2) == ("색상", "색상2")


def test_an_option_price_exception_leaf_replaces_the_price_bands() -> None:
    # Replaces the flat-ratio test: the limit is now Smart Store's bands, overridable per leaf.
    data = {"00": row("a", 5), "01": row("b", 5, price=6000)}
    item = with_options([("색상", ["a", "b"])], data)
    rules = dataclasses.replace(RULES, option_price_exceptions={"50000803": (Decimal("-0.5"), Decimal("1"))})

    banded = build(item, rules, cost=9900, sale=11880)
    excepted = build_options(
        item, rules, cost_won=9900, sale_price_won=11880, seller_code=CODE, leaf_category_id="50000803"
    )

    assert banded.option_info is not None
    assert excepted.option_info is not None
    assert [r.usable for r in banded.option_info.option_combinations] == [True, False]
    assert [r.usable for r in excepted.option_info.option_combinations] == [True, True]
    assert excepted.option_info.option_combinations[1].price == 7200
