"""The Naver Commerce API simulator: ``create_naver_app(config)`` builds the aiohttp application.

It serves, on one origin:

- ``/external/...`` — the API as StoreBridge calls it (token, image upload, products, option/stock/
  price changes, search, categories) behind a simulated gateway (trace IDs, per-API token buckets,
  Bearer check, fault injection; see ``naver_gateway``);
- ``/shop-phinf/...`` — the image host that serves uploaded images back;
- ``/_sandbox/...`` — control endpoints (stats, product list, faults, reset).

Wire formats follow ``shared/reference/naver-commerce-api.md``; where it marks something unknown,
the simulator picks the stricter behaviour and says so at the spot.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from storebridge.sandbox.faults import Faults
from storebridge.sandbox.naver import categories, control, reference
from storebridge.sandbox.naver.auth import issue_token
from storebridge.sandbox.naver.config import NaverSimConfig
from storebridge.sandbox.naver.gateway import API_SPECS, EXTERNAL_PREFIX, ApiSpec, naver_gateway
from storebridge.sandbox.naver.image_store import IMAGE_PATH_PREFIX
from storebridge.sandbox.naver.images import serve_image, upload_images
from storebridge.sandbox.naver.products import bulk, changes
from storebridge.sandbox.naver.products import handlers as products
from storebridge.sandbox.naver.products.search import search_products
from storebridge.sandbox.naver.state import NAVER_STATE, NaverState

__all__ = ["NAVER_STATE", "NaverSimConfig", "NaverState", "create_naver_app"]

#: Largest request body aiohttp reads whole (JSON bodies); image uploads are streamed instead.
MAX_JSON_BODY_BYTES = 10 * 1024 * 1024

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_ORIGIN = "/v2/products/origin-products/{originProductNo:\\d+}"
_CHANNEL = "/v2/products/channel-products/{channelProductNo:\\d+}"
_V1_ORIGIN = "/v1/products/origin-products"

#: (method, path under /external, handler, write?, public?) — write = opts in to the lost-answer fault.
_API_ROUTES: tuple[tuple[str, str, _Handler, bool, bool], ...] = (
    ("POST", "/v1/oauth2/token", issue_token, False, True),
    ("POST", "/v1/product-images/upload", upload_images, False, False),
    ("POST", "/v2/products", products.create_product, True, False),
    ("GET", _ORIGIN, products.get_origin_product, False, False),
    ("PUT", _ORIGIN, products.update_origin_product, True, False),
    ("DELETE", _ORIGIN, products.delete_origin_product, False, False),
    ("GET", _CHANNEL, products.get_channel_product, False, False),
    ("PUT", _CHANNEL, products.update_channel_product, True, False),
    ("DELETE", _CHANNEL, products.delete_channel_product, False, False),
    ("PUT", _V1_ORIGIN + "/{originProductNo:\\d+}/change-status", changes.change_status, True, False),
    ("PUT", _V1_ORIGIN + "/{originProductNo:\\d+}/option-stock", changes.option_stock, True, False),
    ("PATCH", _V1_ORIGIN + "/multi-update", bulk.multi_update, True, False),
    ("PUT", _V1_ORIGIN + "/bulk-update", bulk.bulk_update, True, False),
    ("POST", "/v1/products/search", search_products, False, False),
    ("GET", "/v1/categories", categories.list_categories, False, False),
    ("GET", "/v1/categories/{categoryId}", categories.get_category, False, False),
    ("GET", "/v1/categories/{categoryId}/sub-categories", categories.list_sub_categories, False, False),
    ("GET", "/v1/products-for-provided-notice", reference.list_notice_types, False, False),
    ("GET", "/v1/product-origin-areas", reference.list_origin_areas, False, False),
    ("GET", "/v2/tags/restricted-tags", reference.restricted_tags, False, False),
)


def create_naver_app(
    config: NaverSimConfig,
    *,
    faults: Faults | None = None,
    clock: Callable[[], float] = time.time,
) -> web.Application:
    """A fresh simulator; ``clock`` (epoch seconds) drives tokens, buckets and timestamps.

    Pass a controllable ``clock`` in tests to expire tokens or refill buckets without sleeping.
    ``faults`` defaults to no faults; the same object is changed by ``POST /_sandbox/faults``.
    """
    app = web.Application(middlewares=[naver_gateway], client_max_size=MAX_JSON_BODY_BYTES)
    app[NAVER_STATE] = NaverState(config, faults if faults is not None else Faults(), clock)
    specs: dict[tuple[str, str], ApiSpec] = {}
    for method, path, handler, write, public in _API_ROUTES:
        route = app.router.add_route(method, EXTERNAL_PREFIX + path, handler)
        canonical = route.resource.canonical if route.resource is not None else EXTERNAL_PREFIX + path
        specs[(method, canonical)] = ApiSpec(
            f"{method} {canonical.removeprefix(EXTERNAL_PREFIX)}", write, public
        )
    app[API_SPECS] = specs
    app.router.add_get(IMAGE_PATH_PREFIX + "/{tail:.+}", serve_image)
    app.router.add_get("/_sandbox/stats", control.get_stats)
    app.router.add_get("/_sandbox/products", control.list_products)
    app.router.add_get("/_sandbox/faults", control.get_faults)
    app.router.add_post("/_sandbox/faults", control.update_faults)
    app.router.add_post("/_sandbox/products/{originProductNo:\\d+}/status", control.force_status)
    app.router.add_post("/_sandbox/reset", control.reset)
    app.router.add_post("/_sandbox/tokens/expire", control.expire_tokens)
    return app
