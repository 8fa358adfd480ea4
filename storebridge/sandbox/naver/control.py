"""Sandbox-only endpoints of the Naver simulator (not under ``/external``; no auth, limits or faults).

- ``GET /_sandbox/stats`` — counters a test or the demo asserts on (duplicates must stay 0);
- ``GET /_sandbox/products`` — every live product with its seller code, status, price and stock;
- ``GET`` / ``POST /_sandbox/faults`` — show / partially update the fault settings (400 on bad values);
- ``POST /_sandbox/products/{originProductNo}/status`` — set a status only Naver sets
  (``{"statusType": "CLOSE" | "PROHIBITION" | "SUSPENSION" | …}``), e.g. to show a prohibited
  product in search;
- ``POST /_sandbox/reset`` — forget products, images, tokens, buckets and counters;
- ``POST /_sandbox/tokens/expire`` — every issued token expires now (the next call gets 401 ``GW.AUTHN``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from storebridge.sandbox.naver.products.store import StoredProduct
from storebridge.sandbox.naver.state import get_state


def _product_summary(product: StoredProduct) -> dict[str, Any]:
    return {
        "originProductNo": product.origin_no,
        "smartstoreChannelProductNo": product.channel_no,
        "sellerManagementCode": product.seller_code,
        "name": product.origin["name"],
        "leafCategoryId": product.origin["leafCategoryId"],
        "statusType": product.status,
        "channelProductDisplayStatusType": product.channel["channelProductDisplayStatusType"],
        "salePrice": product.origin["salePrice"],
        "stockQuantity": product.origin["stockQuantity"],
        "options": [
            {
                "id": row["id"],
                "names": [row[key] for key in ("optionName1", "optionName2", "optionName3") if row.get(key)],
                "stockQuantity": row.get("stockQuantity", 0),
                "price": row.get("price", 0),
                "usable": row.get("usable", True),
                "sellerManagerCode": row.get("sellerManagerCode"),
            }
            for row in product.combinations
        ],
    }


async def get_stats(request: web.Request) -> web.Response:
    """Products, duplicates, 429s, lost answers, tokens and per-API request counts."""
    return web.json_response(get_state(request).stats_json())


async def list_products(request: web.Request) -> web.Response:
    """``{"products": [...]}`` in registration order."""
    products = get_state(request).products.all()
    return web.json_response({"products": [_product_summary(p) for p in products]})


async def get_faults(request: web.Request) -> web.Response:
    """The current fault settings."""
    return web.json_response(get_state(request).faults.as_dict())


async def update_faults(request: web.Request) -> web.Response:
    """Apply a partial JSON update; unknown keys or out-of-range values answer 400 and change nothing."""
    faults = get_state(request).faults
    try:
        changes = await request.json()
    except ValueError:
        return web.json_response({"error": "body must be a JSON object"}, status=400)
    if not isinstance(changes, dict):
        return web.json_response({"error": "body must be a JSON object"}, status=400)
    try:
        faults.update(changes)
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response(faults.as_dict())


#: Statuses a test may force (DELETE goes through the real DELETE call).
FORCEABLE_STATUSES = frozenset(
    {"WAIT", "SALE", "OUTOFSTOCK", "UNADMISSION", "REJECTION", "SUSPENSION", "CLOSE", "PROHIBITION"}
)


async def force_status(request: web.Request) -> web.Response:
    """Set a live product's ``statusType`` as Naver's own processes would (no validation)."""
    state = get_state(request)
    product = state.products.get(int(request.match_info["originProductNo"]))
    if product is None:
        return web.json_response({"error": "no such live product"}, status=404)
    try:
        body = await request.json()
    except ValueError:
        body = None
    status = body.get("statusType") if isinstance(body, dict) else None
    if status not in FORCEABLE_STATUSES:
        allowed = ", ".join(sorted(FORCEABLE_STATUSES))
        return web.json_response({"error": f"statusType must be one of {allowed}"}, status=400)
    product.origin["statusType"] = status
    product.modified_s = state.clock()
    return web.json_response(_product_summary(product))


async def reset(request: web.Request) -> web.Response:
    """Start from an empty store; config and fault settings are kept."""
    get_state(request).reset()
    return web.json_response({"reset": True})


async def expire_tokens(request: web.Request) -> web.Response:
    """Revoke every issued token at once, as if each reached its end of life (``make chaos``)."""
    get_state(request).tokens.clear()
    return web.json_response({"expired": True})
