"""Many-product changes of the Naver simulator (reference §4.5).

- ``PATCH /v1/products/origin-products/multi-update`` — a different price / discount / stock /
  status per product, chosen by ``multiUpdateTypes``;
- ``PUT /v1/products/origin-products/bulk-update`` — one change for many products. Only
  ``SALE_PRICE`` is simulated; the other bulk types answer 400 so a client relying on them notices.

Both validate every item before changing any product (all-or-nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from storebridge.sandbox.naver.products.changes import OPTION_STOCK_ELSEWHERE, surcharge_problems
from storebridge.sandbox.naver.products.handlers import BodyError, invalid, read_json_body, rules_for
from storebridge.sandbox.naver.products.store import StoredProduct
from storebridge.sandbox.naver.state import NaverState, get_state
from storebridge.sandbox.naver.validation.checker import TYPE_MISMATCH, Checker, join
from storebridge.sandbox.naver.validation.product import (
    MAX_SALE_PRICE_WON,
    MAX_STOCK_QUANTITY,
    ProductRules,
    check_discount_method,
    check_price,
)
from storebridge.sandbox.naver.wire import common_response

MULTI_UPDATE_TYPES = (
    "SALE_PRICE",
    "IMMEDIATE_DISCOUNT",
    "STOCK",
    "PRODUCT_STATUS_SALE",
    "PRODUCT_STATUS_SUSPENSION",
)
BULK_UPDATE_TYPES = (
    "IMMEDIATE_DISCOUNT", "SALE_PRICE", "SALE_PERIOD", "DELIVERY", "DELIVERY_ATTRIBUTE", "DELIVERY_HOPE",
    "PURCHASE_BENEFIT", "PURCHASE_QUANTITY_LIMIT",
)  # fmt: skip
PRICE_CHANGER_TYPES = ("UP", "DOWN", "TO")
#: [UNK] the unit enum of bulk price changes is not in the reference; WON/PERCENT are our guess.
PRICE_CHANGER_UNITS = ("WON", "PERCENT")
MAX_BULK_PRODUCTS = 500
PRODUCT_UNKNOWN = ("NotFound.product", "존재하지 않는 상품입니다.")
STATUS_CONFLICT = ("Conflict.product.status", "판매중과 판매중지를 함께 변경할 수 없습니다.")
BULK_UNSUPPORTED = ("NotSupported.sandbox", "샌드박스는 SALE_PRICE 벌크 업데이트만 지원합니다.")


@dataclass
class _Planned:
    product: StoredProduct
    apply: Callable[[], None]


def _known_product(checker: Checker, state: NaverState, value: Any, name: str) -> StoredProduct | None:
    if isinstance(value, bool) or not isinstance(value, int):
        checker.add(name, TYPE_MISMATCH)
        return None
    product = state.products.get(value)
    if product is None:
        checker.add(name, PRODUCT_UNKNOWN)
    return product


def _plan_multi_item(  # noqa: C901 - one branch per multi-update change type (docs)
    checker: Checker, state: NaverState, rules: ProductRules, item: dict[str, Any], path: str
) -> _Planned | None:
    product = _known_product(checker, state, item.get("originProductNo"), join(path, "originProductNo"))
    types_list = checker.array(item, "multiUpdateTypes", path, required=True) or []
    types = {t for t in types_list if isinstance(t, str)}
    if any(t not in MULTI_UPDATE_TYPES for t in types_list):
        checker.add(
            join(path, "multiUpdateTypes"),
            "InvalidEnum",
            "Enum값을 입력하지 않았거나 허용되지 않은 Enum 값입니다",
        )
    if {"PRODUCT_STATUS_SALE", "PRODUCT_STATUS_SUSPENSION"} <= types:
        checker.add(join(path, "multiUpdateTypes"), STATUS_CONFLICT)
    price = None
    if "SALE_PRICE" in types:
        price_body = checker.obj(item, "productSalePrice", path, required=True)
        if price_body is not None:
            price = check_price(checker, price_body, "salePrice", join(path, "productSalePrice"), rules)
    discount = None
    if "IMMEDIATE_DISCOUNT" in types:
        discount = checker.obj(item, "immediateDiscountPolicy", path, required=True)
        if discount is not None:
            policy_path = join(path, "immediateDiscountPolicy")
            method = checker.obj(discount, "discountMethod", policy_path, required=True)
            if method is not None:
                check_discount_method(checker, method, join(policy_path, "discountMethod"))
    stock = None
    if "STOCK" in types:
        stock = checker.integer(
            item, "stockQuantity", path, required=True, minimum=0, maximum=MAX_STOCK_QUANTITY
        )
        if product is not None and product.combinations:
            checker.add(join(path, "stockQuantity"), OPTION_STOCK_ELSEWHERE)
    if product is None:
        return None
    if price is not None:
        rows = [
            (join(path, "productSalePrice.salePrice"), int(r.get("price", 0)), r.get("usable") is not False)
            for r in product.combinations
        ]
        surcharge_problems(checker, rows, price, product)

    def apply(product: StoredProduct = product) -> None:
        if price is not None:
            product.origin["salePrice"] = price
        if discount is not None:
            product.origin.setdefault("customerBenefit", {})["immediateDiscountPolicy"] = discount
        if stock is not None:
            product.set_stock(stock)  # never re-opens OUTOFSTOCK by itself (store.set_stock)
        if "PRODUCT_STATUS_SUSPENSION" in types:
            product.origin["statusType"] = "SUSPENSION"
        elif "PRODUCT_STATUS_SALE" in types:
            product.open_for_sale()

    return _Planned(product, apply)


async def _checked_body(request: web.Request, state: NaverState) -> tuple[Any, web.Response | None]:
    try:
        return await read_json_body(request, state), None
    except BodyError as exc:
        return None, exc.response


def _commit(state: NaverState, plans: list[_Planned]) -> web.Response:
    now_s = state.clock()
    for plan in plans:
        plan.apply()
        plan.product.modified_s = now_s
    return common_response()


async def multi_update(request: web.Request) -> web.Response:
    """Per-product price/discount/stock/status changes; STOCK is refused for option products."""
    state = get_state(request)
    body, error = await _checked_body(request, state)
    if error is not None:
        return error
    checker = Checker()
    if not isinstance(body, dict):
        checker.add("", TYPE_MISMATCH)
        return invalid(state, checker.issues)
    rules = rules_for(state)
    items = (
        checker.array(body, "multiProductUpdateRequestVos", "", required=True, max_items=MAX_BULK_PRODUCTS)
        or []
    )
    plans = [
        plan
        for item_path, item in checker.items(items, "multiProductUpdateRequestVos")
        if (plan := _plan_multi_item(checker, state, rules, item, item_path)) is not None
    ]
    if not checker.ok:
        return invalid(state, checker.issues)
    return _commit(state, plans)


def _new_price(current: int, changer: str, unit: str, value: int) -> int:
    """[INF] UP/DOWN by won or percent, or TO a value; percent results are floored to 10 won."""
    if changer == "TO":
        return value
    delta = value if unit == "WON" else current * value // 100 // 10 * 10
    return current + delta if changer == "UP" else current - delta


async def bulk_update(request: web.Request) -> web.Response:
    """The same sale-price change for every listed product (``SALE_PRICE`` only in the sandbox)."""
    state = get_state(request)
    body, error = await _checked_body(request, state)
    if error is not None:
        return error
    checker = Checker()
    if not isinstance(body, dict):
        checker.add("", TYPE_MISMATCH)
        return invalid(state, checker.issues)
    rules = rules_for(state)
    numbers = checker.array(body, "originProductNos", "", required=True, max_items=MAX_BULK_PRODUCTS) or []
    kind = checker.enum(body, "productBulkUpdateType", "", BULK_UPDATE_TYPES, required=True)
    if kind is not None and kind != "SALE_PRICE":
        checker.add("productBulkUpdateType", BULK_UNSUPPORTED)
    change = checker.obj(body, "productSalePrice", "", required=kind == "SALE_PRICE")
    changer = unit = None
    value = None
    if change is not None:
        value = checker.integer(
            change, "value", "productSalePrice", required=True, minimum=1, maximum=MAX_SALE_PRICE_WON
        )
        changer = checker.enum(
            change, "productSalePriceChangerType", "productSalePrice", PRICE_CHANGER_TYPES, required=True
        )
        unit = checker.enum(
            change, "productSalePriceChangerUnitType", "productSalePrice", PRICE_CHANGER_UNITS, required=False
        )
    plans: list[_Planned] = []
    for index, number in enumerate(numbers):
        name = f"originProductNos[{index}]"
        product = _known_product(checker, state, number, name)
        if product is None or value is None or changer is None:
            continue
        price = _new_price(int(product.origin["salePrice"]), changer, unit or "WON", value)
        if check_price(checker, {"salePrice": price}, "salePrice", name, rules) is None:
            continue
        rows = [(name, int(r.get("price", 0)), r.get("usable") is not False) for r in product.combinations]
        surcharge_problems(checker, rows, price, product)

        def apply(product: StoredProduct = product, price: int = price) -> None:
            product.origin["salePrice"] = price

        plans.append(_Planned(product, apply))
    if not checker.ok:
        return invalid(state, checker.issues)
    return _commit(state, plans)
