"""Validation of ``detailAttribute.optionInfo`` (reference §2.5) for the Naver simulator.

Combination options are the kind StoreBridge sends: 1–3 group names, one row per combination with
its own stock and surcharge, and the product ``stockQuantity`` equal to the sum of the row stocks
[NAV, D-1194]. Simple, combination and standard options cannot be mixed [OFF].
"""

from __future__ import annotations

from typing import Any

from storebridge.sandbox.naver.validation.checker import Checker, join
from storebridge.sandbox.naver.validation.policy import (
    OPTION_VALUE_FORBIDDEN,
    OPTION_VALUE_MAX_CHARS,
    check_characters,
    check_surcharges,
)

MAX_OPTION_STOCK = 99_999_999
MAX_OPTION_PRICE_WON = 999_999_990
MAX_SIMPLE_GROUPS = 3
MAX_CUSTOM_OPTIONS = 5
MAX_COMBINATION_GROUPS = 3
SORT_TYPES = ("CREATE", "ABC", "LOW_PRICE", "HIGH_PRICE")
#: Where the stock-sum error is reported.
PRODUCT_STOCK_PATH = "originProduct.stockQuantity"

#: [NAV/OBS, D-1194] exact text.
STOCK_SUM = (
    "StockQuantity.optionCombination",
    "조합형 옵션 상품인 경우 상품의 재고수량과 조합형옵션 재고수량의 합은 같아야 합니다.",
)
#: The remaining option messages are ours ([UNK] in the reference).
MIXED = ("Mixed.product.option", "단독형, 조합형, 표준형 옵션은 함께 사용할 수 없습니다.")
NO_STANDARD = ("NotAuthority.product.standardOption", "표준형 옵션을 사용할 수 없는 카테고리입니다.")
PRICE_UNIT = ("PriceUnit", "옵션가는 10원 단위로 입력해주세요.")
DUPLICATE = ("Duplicate.product.option", "중복된 옵션 조합이 있습니다.")
NO_GROUP = ("NotExist.product.optionGroup", "옵션 그룹명이 없는 옵션값은 입력할 수 없습니다.")
GROUP_GAP = ("NotNull", "옵션 그룹명2 없이 옵션 그룹명3을 입력할 수 없습니다.")
UNKNOWN_ID = ("NotFound.product.option", "존재하지 않는 옵션 ID입니다.")
ID_ON_CREATE = ("Invalid.product.option.id", "상품 등록 시에는 옵션 ID를 입력할 수 없습니다.")
#: [OFF, reference §7.14] option rows spell it sellerManagerCode; the product-level spelling is a client bug.
WRONG_CODE_FIELD = ("UnknownField", "옵션의 판매자 관리코드 필드명은 sellerManagerCode입니다.")


def check_option_info(
    checker: Checker,
    options: dict[str, Any],
    path: str,
    *,
    sale_price: int | None,
    stock: int | None,
    option_price_exception: bool,
    price_multiple_of_10: bool,
    existing_ids: frozenset[int] | None,
) -> None:
    """All option rules; ``existing_ids`` is None on create and the stored option IDs on update.

    Surcharges follow Smart Store's price bands and at least one usable row must cost 0 won
    (``policy``); values and group names are checked for forbidden characters and length.
    """
    simple = checker.array(options, "optionSimple", path, required=False, max_items=MAX_SIMPLE_GROUPS)
    checker.array(options, "optionCustom", path, required=False, max_items=MAX_CUSTOM_OPTIONS)
    combos = checker.array(options, "optionCombinations", path, required=False)
    standards = [options.get(key) for key in ("optionStandards", "standardOptionGroups")]
    has_standard = any(isinstance(value, list) and value for value in standards)
    if sum(bool(kind) for kind in (simple, combos, has_standard)) > 1:
        checker.add(path, MIXED)
    if has_standard:
        # No category of the simulated tree is a standard-option category.
        checker.add(join(path, "optionStandards"), NO_STANDARD)
    for key in ("optionSimple", "optionCustom"):
        groups = options.get(key)
        if isinstance(groups, list):
            for item_path, item in checker.items(groups, join(path, key)):
                checker.text(item, "groupName", item_path, required=True)
    checker.enum(options, "optionCombinationSortType", path, SORT_TYPES, required=False)
    checker.boolean(options, "useStockManagement", path, required=False)
    if combos:
        _check_combinations(
            checker,
            options,
            combos,
            path,
            sale_price,
            stock,
            option_price_exception,
            price_multiple_of_10,
            existing_ids,
        )


def _group_count(checker: Checker, options: dict[str, Any], path: str) -> int | None:
    names = checker.obj(options, "optionCombinationGroupNames", path, required=True)
    if names is None:
        return None
    names_path = join(path, "optionCombinationGroupNames")
    first = checker.text(names, "optionGroupName1", names_path, required=True)
    second = checker.text(names, "optionGroupName2", names_path, required=False)
    third = checker.text(names, "optionGroupName3", names_path, required=False)
    for index, value in enumerate((first, second, third), start=1):
        if value:  # INFERRED: group names obey the option-value character and length rules
            check_characters(
                checker,
                join(names_path, f"optionGroupName{index}"),
                value,
                OPTION_VALUE_FORBIDDEN,
                OPTION_VALUE_MAX_CHARS,
            )
    if third and not second:
        checker.add(join(names_path, "optionGroupName3"), GROUP_GAP)
        return None
    if first is None:
        return None
    return 1 + bool(second) + bool(third)


def _check_combinations(
    checker: Checker,
    options: dict[str, Any],
    combos: list[Any],
    path: str,
    sale_price: int | None,
    stock: int | None,
    option_price_exception: bool,
    price_multiple_of_10: bool,
    existing_ids: frozenset[int] | None,
) -> None:
    groups = _group_count(checker, options, path)
    rows_path = join(path, "optionCombinations")
    seen: set[tuple[str, ...]] = set()
    stock_sum = 0
    stocks_valid = True
    priced: list[tuple[str, int, bool]] = []
    for row_path, row in checker.items(combos, rows_path):
        if groups is not None:
            key = _check_row_names(checker, row, row_path, groups)
            if key is not None:
                if key in seen:
                    checker.add(row_path, DUPLICATE)
                seen.add(key)
        row_stock = checker.integer(
            row, "stockQuantity", row_path, required=False, minimum=0, maximum=MAX_OPTION_STOCK
        )
        if row_stock is None and row.get("stockQuantity") is not None:
            stocks_valid = False
        stock_sum += row_stock or 0
        price = checker.integer(
            row,
            "price",
            row_path,
            required=False,
            minimum=-MAX_OPTION_PRICE_WON,
            maximum=MAX_OPTION_PRICE_WON,
        )
        if price is not None and price_multiple_of_10 and price % 10:
            checker.add(join(row_path, "price"), PRICE_UNIT)
        usable = checker.boolean(row, "usable", row_path, required=False)
        # [DOC update-options-product.md] an omitted price is 0 and an omitted usable is true.
        priced.append((join(row_path, "price"), price or 0, usable is not False))
        checker.text(row, "sellerManagerCode", row_path, required=False)
        checker.boolean(row, "skuYn", row_path, required=False)
        if "sellerManagementCode" in row:
            checker.add(join(row_path, "sellerManagementCode"), WRONG_CODE_FIELD)
        _check_row_id(checker, row, row_path, existing_ids)
    if stock is not None and stocks_valid and stock_sum != stock:
        checker.add(PRODUCT_STOCK_PATH, STOCK_SUM)
    if sale_price is not None:
        check_surcharges(checker, priced, sale_price, option_price_exception=option_price_exception)


def _check_row_names(
    checker: Checker, row: dict[str, Any], row_path: str, groups: int
) -> tuple[str, ...] | None:
    names: list[str] = []
    for index in range(1, MAX_COMBINATION_GROUPS + 1):
        key = f"optionName{index}"
        if index <= groups:
            value = checker.text(row, key, row_path, required=True)
            if value is None:
                return None
            check_characters(
                checker, join(row_path, key), value, OPTION_VALUE_FORBIDDEN, OPTION_VALUE_MAX_CHARS
            )
            names.append(value)
        elif row.get(key) not in (None, ""):
            checker.add(join(row_path, key), NO_GROUP)
            return None
    return tuple(names)


def _check_row_id(
    checker: Checker, row: dict[str, Any], row_path: str, existing_ids: frozenset[int] | None
) -> None:
    if row.get("id") is None:
        return
    option_id = checker.integer(row, "id", row_path, required=False)
    if option_id is None:
        return
    if existing_ids is None:
        checker.add(join(row_path, "id"), ID_ON_CREATE)
    elif option_id not in existing_ids:
        checker.add(join(row_path, "id"), UNKNOWN_ID)
