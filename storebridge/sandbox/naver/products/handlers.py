"""Product create / read / full-replace update / delete handlers of the Naver simulator.

``POST /v2/products`` answers 200 with the two product numbers only (reference §2.9); a client that
reads the numbers from anywhere else breaks here as it would against Naver. Origin-product and
channel-product routes share the same logic (reference §4.1–§4.4).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from storebridge.sandbox.naver.products.store import StoredProduct
from storebridge.sandbox.naver.state import NaverState, get_state
from storebridge.sandbox.naver.validation.product import ExistingProduct, ProductRules, validate_product
from storebridge.sandbox.naver.wire import JSON_CONTENT_TYPE, SimInvalidInput, common_response, product_error

#: [UNK] Naver's text for an unknown product number; ours.
PRODUCT_NOT_FOUND = "상품이 존재하지 않습니다."


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
    """``POST /v2/products`` — validate, store, answer ``{originProductNo, smartstoreChannelProductNo}``."""
    state = get_state(request)
    try:
        body = await read_json_body(request, state)
    except BodyError as exc:
        return exc.response
    problems = validate_product(body, rules_for(state))
    if problems:
        return invalid(state, problems)
    product = state.products.create(body["originProduct"], body["smartstoreChannelProduct"], state.clock())
    return web.json_response(product.numbers_json())


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
    return web.json_response(product.read_json())


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
