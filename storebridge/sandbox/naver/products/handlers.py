"""Product create / read / full-replace update / delete handlers of the Naver simulator.

``POST /v2/products`` answers 200 with the product numbers and echoes the stored ``originProduct`` /
``smartstoreChannelProduct`` [DOC create-product-product.md §Responses]; ``windowChannelProductNo``
is left out because the sandbox has no window channel [INF]. A GET answers the stored product with
the defaults Naver fills in for fields the seller left out (``server_filled``) [DOC
read-origin-product-product.md], so a client's GET → merge → PUT meets a realistic document.
Origin-product and channel-product routes share the same logic (reference §4.1–§4.4).
"""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from storebridge.sandbox.naver.products.store import StoredProduct
from storebridge.sandbox.naver.state import NaverState, get_state
from storebridge.sandbox.naver.validation.product import ExistingProduct, ProductRules, validate_product
from storebridge.sandbox.naver.wire import JSON_CONTENT_TYPE, SimInvalidInput, common_response, product_error

#: [UNK] Naver's text for an unknown product number; ours.
PRODUCT_NOT_FOUND = "상품이 존재하지 않습니다."


def server_filled(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (a read body, copied) with the values Naver fills in for omitted fields.

    From read-origin-product-product.md [DOC]: ``saleType`` (NEW/OLD), ``deliveryBundleGroupUsable``
    ("묶음배송 그룹 코드가 존재하는 경우 자동으로 true"), ``optionCombinationSortType`` ("미입력 시
    기본값인 등록순(CREATE)"), option ``usable`` ("미입력 시 … true"), ``skuYn`` and the
    ``customerBenefit`` response object. The values for a product that never set them (false, an
    empty benefit object, ``useStockManagement`` true) are INFERRED: the doc lists the fields and
    shows placeholders, not what an unset one reads back as.
    """
    doc = copy.deepcopy(document)
    origin = doc.get("originProduct")
    if not isinstance(origin, dict):
        return doc
    origin.setdefault("saleType", "NEW")
    origin.setdefault("customerBenefit", {})
    delivery = origin.get("deliveryInfo")
    if isinstance(delivery, dict):
        delivery.setdefault("deliveryBundleGroupUsable", delivery.get("deliveryBundleGroupId") is not None)
    detail = origin.get("detailAttribute")
    if isinstance(detail, dict):
        detail.setdefault("skuYn", False)
        options = detail.get("optionInfo")
        if isinstance(options, dict) and options.get("optionCombinations"):
            options.setdefault("optionCombinationSortType", "CREATE")
            options.setdefault("useStockManagement", True)
            for row in options["optionCombinations"]:
                if isinstance(row, dict):
                    row.setdefault("usable", True)
    channel = doc.get("smartstoreChannelProduct")
    if isinstance(channel, dict):
        channel.setdefault("storeKeepExclusiveProduct", False)
    return doc


class BodyError(Exception):
    """The request body is not usable JSON; carries the ready-made error answer."""

    def __init__(self, response: web.Response) -> None:
        super().__init__("unusable request body")
        self.response = response


async def read_json_body(request: web.Request, state: NaverState) -> Any:
    """The parsed JSON body; raises ``BodyError`` (415 / 400) for another content type or bad JSON."""
    if request.content_type != JSON_CONTENT_TYPE:
        raise BodyError(
            product_error(415, now_s=state.clock(), message="Content-Type은 application/json 이어야 합니다.")
        )
    try:
        return await request.json()
    except ValueError:
        problem = SimInvalidInput("", "InvalidFormat", "JSON 형식이 올바르지 않습니다.")
        raise BodyError(product_error(400, now_s=state.clock(), invalid_inputs=[problem])) from None


def rules_for(state: NaverState) -> ProductRules:
    """Validation rules of this simulator instance (its knobs and its issued image URLs)."""
    return ProductRules.from_config(state.config, state.images.issued)


def invalid(state: NaverState, problems: list[SimInvalidInput]) -> web.Response:
    """A 400 ``BAD_REQUEST`` listing ``problems``, counted in the stats."""
    state.stats.validation_failures += 1
    return product_error(400, now_s=state.clock(), invalid_inputs=problems)


def not_found(state: NaverState) -> web.Response:
    """The product service's 404."""
    return product_error(404, now_s=state.clock(), message=PRODUCT_NOT_FOUND)


def _origin_product(request: web.Request, state: NaverState) -> StoredProduct | None:
    return state.products.get(int(request.match_info["originProductNo"]))


def _channel_product(request: web.Request, state: NaverState) -> StoredProduct | None:
    return state.products.by_channel(int(request.match_info["channelProductNo"]))


async def create_product(request: web.Request) -> web.Response:
    """``POST /v2/products`` — validate, store, answer the numbers plus the echoed product."""
    state = get_state(request)
    try:
        body = await read_json_body(request, state)
    except BodyError as exc:
        return exc.response
    problems = validate_product(body, rules_for(state))
    if problems:
        return invalid(state, problems)
    product = state.products.create(body["originProduct"], body["smartstoreChannelProduct"], state.clock())
    return web.json_response({**product.numbers_json(), **server_filled(product.read_json())})


async def _update(request: web.Request, product: StoredProduct | None) -> web.Response:
    state = get_state(request)
    if product is None:
        return not_found(state)
    try:
        body = await read_json_body(request, state)
    except BodyError as exc:
        return exc.response
    existing = ExistingProduct(option_ids=product.option_ids, has_notice=product.has_notice)
    problems = validate_product(body, rules_for(state), existing)
    if problems:
        return invalid(state, problems)
    state.products.replace(product, body["originProduct"], body["smartstoreChannelProduct"], state.clock())
    return web.json_response(product.numbers_json())


def _read(request: web.Request, product: StoredProduct | None) -> web.Response:
    state = get_state(request)
    if product is None:
        return not_found(state)
    return web.json_response(server_filled(product.read_json()))


def _delete(request: web.Request, product: StoredProduct | None) -> web.Response:
    state = get_state(request)
    if product is None:
        return not_found(state)
    state.products.delete(product.origin_no, state.clock())
    return common_response()


async def get_origin_product(request: web.Request) -> web.Response:
    """``GET /v2/products/origin-products/{originProductNo}``."""
    return _read(request, _origin_product(request, get_state(request)))


async def update_origin_product(request: web.Request) -> web.Response:
    """``PUT /v2/products/origin-products/{originProductNo}`` — replaces the whole product."""
    return await _update(request, _origin_product(request, get_state(request)))


async def delete_origin_product(request: web.Request) -> web.Response:
    """``DELETE /v2/products/origin-products/{originProductNo}``."""
    return _delete(request, _origin_product(request, get_state(request)))


async def get_channel_product(request: web.Request) -> web.Response:
    """``GET /v2/products/channel-products/{channelProductNo}``."""
    return _read(request, _channel_product(request, get_state(request)))


async def update_channel_product(request: web.Request) -> web.Response:
    """``PUT /v2/products/channel-products/{channelProductNo}`` — same full replace as the origin PUT."""
    return await _update(request, _channel_product(request, get_state(request)))


async def delete_channel_product(request: web.Request) -> web.Response:
    """``DELETE /v2/products/channel-products/{channelProductNo}`` (the sandbox has one channel, so
    this removes the origin product as well)."""
    return _delete(request, _channel_product(request, get_state(request)))
