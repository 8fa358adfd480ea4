"""Partial product changes of the Naver simulator (reference §4.5): status, option stock, price.

These are what StoreBridge's sync uses instead of the full-replace PUT. Each call is validated in
full before anything changes, so a 400 never leaves a product half-updated.

- ``PUT /v1/products/origin-products/{no}/change-status`` — SALE / OUTOFSTOCK / SUSPENSION;
- ``PUT /v1/products/origin-products/{no}/option-stock`` — option stock/price/usable and sale price;

The many-product variants (multi-update, bulk-update) are in ``bulk.py``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from storebridge.sandbox.naver.categories import CATEGORIES_BY_ID
from storebridge.sandbox.naver.products.handlers import (
    BodyError,
    invalid,
    not_found,
    read_json_body,
    rules_for,
)
from storebridge.sandbox.naver.products.store import StoredProduct
from storebridge.sandbox.naver.state import get_state
from storebridge.sandbox.naver.validation.checker import TYPE_MISMATCH, Checker, join
from storebridge.sandbox.naver.validation.options import MAX_OPTION_PRICE_WON, NO_STANDARD
from storebridge.sandbox.naver.validation.policy import check_surcharges
from storebridge.sandbox.naver.validation.product import (
    MAX_STOCK_QUANTITY,
    check_discount_method,
    check_price,
)
from storebridge.sandbox.naver.wire import common_response

#: [OFF] allowed transitions: target -> current statuses it may come from (same-status is a no-op).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "SALE": ("SALE", "SUSPENSION", "OUTOFSTOCK"),
    "OUTOFSTOCK": ("OUTOFSTOCK", "SALE"),
    "SUSPENSION": ("SUSPENSION", "SALE", "OUTOFSTOCK", "WAIT"),
}
#: [INF] our text for a rule the reference implies but does not word: the stock of a combination
#: product lives in its option rows, so multi-update ``STOCK`` is refused for it. (change-status
#: accepts ``stockQuantity`` for every product: DOC read-channel-product-product.md requires it when
#: leaving OUTOFSTOCK and names no exception for option products.)
OPTION_STOCK_ELSEWHERE = (
    "NotAllowed.optionProduct.stock",
    "조합형 옵션 상품의 재고는 옵션 재고 변경 API로 변경해주세요.",
)


def option_price_exception(product: StoredProduct) -> bool:
    """Whether the product's leaf is an ``OPTION_PRICE`` exceptional category (policy band override)."""
    category = CATEGORIES_BY_ID.get(str(product.origin.get("leafCategoryId")))
    return category is not None and "OPTION_PRICE" in category.exceptional


def surcharge_problems(
    checker: Checker, rows: list[tuple[str, int, bool]], sale_price: int, product: StoredProduct
) -> None:
    """The option rows (path, price, usable) as they would be after a change, against Smart Store's bands."""
    check_surcharges(checker, rows, sale_price, option_price_exception=option_price_exception(product))


async def change_status(request: web.Request) -> web.Response:
    """Apply a documented status transition; leaving OUTOFSTOCK for SALE needs a stock quantity.

    [DOC read-channel-product-product.md] stock 0 keeps (or makes) the product OUTOFSTOCK, except
    that a SUSPENSION product stays SUSPENSION.
    """
    state = get_state(request)
    product = state.products.get(int(request.match_info["originProductNo"]))
    if product is None:
        return not_found(state)
    try:
        body = await read_json_body(request, state)
    except BodyError as exc:
        return exc.response
    checker = Checker()
    if not isinstance(body, dict):
        checker.add("", TYPE_MISMATCH)
        return invalid(state, checker.issues)
    target = checker.enum(body, "statusType", "", tuple(TRANSITIONS), required=True)
    stock = checker.integer(body, "stockQuantity", "", required=False, minimum=0, maximum=MAX_STOCK_QUANTITY)
    for key in ("saleStartDate", "saleEndDate"):
        checker.text(body, key, "", required=False)
    if target is not None and product.status not in TRANSITIONS[target]:
        checker.add(
            "statusType",
            "InvalidStatusTransition",
            f"{product.status} 상태에서 {target} 상태로 변경할 수 없습니다.",
        )
    if target == "SALE" and product.status == "OUTOFSTOCK" and stock is None:
        checker.add(
            "stockQuantity", "NotNull", "품절 상태에서 판매중으로 변경하려면 재고수량을 입력해주세요."
        )
    if not checker.ok or target is None:
        return invalid(state, checker.issues)
    _apply_status(product, target, stock, body)
    product.modified_s = state.clock()
    return common_response()


def _apply_status(product: StoredProduct, target: str, stock: int | None, body: dict[str, Any]) -> None:
    for key in ("saleStartDate", "saleEndDate"):
        if body.get(key) is not None:
            product.origin[key] = body[key]
    if target == "OUTOFSTOCK":
        # [OFF] SALE → OUTOFSTOCK sets the stock to 0 (every option row too, keeping the sum rule).
        for row in product.combinations:
            row["stockQuantity"] = 0
        product.origin["stockQuantity"] = 0
        product.origin["statusType"] = "OUTOFSTOCK"
        return
    if stock is not None and not product.combinations:
        product.origin["stockQuantity"] = stock
    # INFERRED: an option product's stock stays the sum of its rows whatever stockQuantity says.
    product.sync_stock_from_options()
    if target == "SUSPENSION":
        product.origin["statusType"] = "SUSPENSION"
    else:
        product.open_for_sale()


async def option_stock(request: web.Request) -> web.Response:
    """Change option rows (stock, surcharge, usable) and optionally the sale price and discount.

    [OFF] an omitted row ``stockQuantity`` or ``price`` is saved as 0; rows not sent are unchanged.
    """
    state = get_state(request)
    product = state.products.get(int(request.match_info["originProductNo"]))
    if product is None:
        return not_found(state)
    try:
        body = await read_json_body(request, state)
    except BodyError as exc:
        return exc.response
    rules = rules_for(state)
    checker = Checker()
    if not isinstance(body, dict):
        checker.add("", TYPE_MISMATCH)
        return invalid(state, checker.issues)
    sale_price = int(product.origin["salePrice"])
    price_body = checker.obj(body, "productSalePrice", "", required=False)
    if price_body is not None:
        sale_price = check_price(checker, price_body, "salePrice", "productSalePrice", rules) or sale_price
    discount = checker.obj(body, "immediateDiscountPolicy", "", required=False)
    if discount is not None:
        method = checker.obj(discount, "discountMethod", "immediateDiscountPolicy", required=True)
        if method is not None:
            check_discount_method(checker, method, "immediateDiscountPolicy.discountMethod")
    options = checker.obj(body, "optionInfo", "", required=True)
    changes: dict[int, tuple[str, dict[str, Any]]] = {}
    if options is not None:
        changes = _option_changes(checker, options, product, rules.price_multiple_of_10)
    by_id = {int(row["id"]): row for row in product.combinations}
    # A changed row is blamed on its own path; an unchanged row pushed out of range by a new sale
    # price is blamed on the price.
    resulting = [
        (
            join(changes[option_id][0], "price"),
            int(changes[option_id][1].get("price", 0)),
            changes[option_id][1].get("usable") is not False,
        )
        if option_id in changes
        else ("productSalePrice.salePrice", int(row.get("price", 0)), row.get("usable") is not False)
        for option_id, row in by_id.items()
    ]
    surcharge_problems(checker, resulting, sale_price, product)
    if not checker.ok:
        return invalid(state, checker.issues)
    for option_id, (_, change) in changes.items():
        row = by_id[option_id]
        row["stockQuantity"] = change.get("stockQuantity", 0)
        row["price"] = change.get("price", 0)
        # [DOC update-options-product.md] "미입력 시 사용 여부는 true로 설정됩니다."
        row["usable"] = change.get("usable") is not False
    if options is not None and isinstance(options.get("useStockManagement"), bool):
        product.origin["detailAttribute"].setdefault("optionInfo", {})["useStockManagement"] = options[
            "useStockManagement"
        ]
    product.origin["salePrice"] = sale_price
    if discount is not None:
        product.origin.setdefault("customerBenefit", {})["immediateDiscountPolicy"] = discount
    product.sync_stock_from_options()
    product.modified_s = state.clock()
    return web.json_response(product.numbers_json())


def _option_changes(
    checker: Checker, options: dict[str, Any], product: StoredProduct, multiple_of_10: bool
) -> dict[int, tuple[str, dict[str, Any]]]:
    """Validated option rows of the body by option ID, with their body paths."""
    path = "optionInfo"
    standards = options.get("optionStandards")
    if isinstance(standards, list) and standards:
        checker.add(join(path, "optionStandards"), NO_STANDARD)
    checker.boolean(options, "useStockManagement", path, required=False)
    rows = checker.array(options, "optionCombinations", path, required=False) or []
    known = product.option_ids
    changes: dict[int, tuple[str, dict[str, Any]]] = {}
    for row_path, row in checker.items(rows, join(path, "optionCombinations")):
        option_id = checker.integer(row, "id", row_path, required=True)
        if option_id is not None and option_id not in known:
            checker.add(join(row_path, "id"), "NotFound.product.option", "존재하지 않는 옵션 ID입니다.")
            option_id = None
        checker.integer(row, "stockQuantity", row_path, required=False, minimum=0, maximum=MAX_STOCK_QUANTITY)
        price = checker.integer(
            row,
            "price",
            row_path,
            required=False,
            minimum=-MAX_OPTION_PRICE_WON,
            maximum=MAX_OPTION_PRICE_WON,
        )
        if price is not None and multiple_of_10 and price % 10:
            checker.add(join(row_path, "price"), "PriceUnit", "옵션가는 10원 단위로 입력해주세요.")
        checker.boolean(row, "usable", row_path, required=False)
        if option_id is not None:
            changes[option_id] = (row_path, row)
    return changes
