"""``POST /v1/products/search`` of the Naver simulator (reference §4.6).

StoreBridge's duplicate prevention depends on this call: before a create, and after a create whose
answer was lost, it looks the product up by ``sellerManagementCode``. Matching is exact ([UNK] on
Naver; clients post-filter anyway). Deleted products keep answering as ``statusType`` DELETE
(DOC search-product.md lists WAIT … CLOSE, PROHIBITION, DELETE as result statuses), and so do CLOSE
and PROHIBITION set through ``/_sandbox``, so a client must not adopt every code match.
``search_lag_s`` (non-zero by default) hides products younger than the lag, the way a search index
trails the write path.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from aiohttp import web

from storebridge.sandbox.naver.categories import CATEGORIES_BY_ID
from storebridge.sandbox.naver.products.handlers import BodyError, invalid, read_json_body
from storebridge.sandbox.naver.products.store import StoredProduct
from storebridge.sandbox.naver.state import get_state
from storebridge.sandbox.naver.validation.checker import TYPE_MISMATCH, Checker
from storebridge.sandbox.naver.wire import kst_timestamp

KEYWORD_TYPES = ("CHANNEL_PRODUCT_NO", "PRODUCT_NO", "GROUP_PRODUCT_NO", "SELLER_CODE")
STATUS_TYPES = (
    "WAIT",
    "SALE",
    "OUTOFSTOCK",
    "UNADMISSION",
    "REJECTION",
    "SUSPENSION",
    "CLOSE",
    "PROHIBITION",
    "DELETE",
)
DEFAULT_PAGE_SIZE = 50
#: [OFF] current maximum page size (the 2022 RC said 1000).
MAX_PAGE_SIZE = 500

#: Supported orderings: name -> (sort key, descending). Others fall back to NO (newest first) [INF].
_ORDERS: dict[str, tuple[Callable[[StoredProduct], Any], bool]] = {
    "NO": (lambda p: p.origin_no, True),
    "NAME": (lambda p: p.origin["name"], False),
    "SELLER_CODE": (lambda p: p.seller_code or "", False),
    "LOW_PRICE": (lambda p: p.origin["salePrice"], False),
    "HIGH_PRICE": (lambda p: p.origin["salePrice"], True),
    "REG_DATE": (lambda p: p.registered_s, True),
    "MOD_DATE": (lambda p: p.modified_s, True),
}


def _channel_item(product: StoredProduct) -> dict[str, Any]:
    origin = product.origin
    delivery = origin.get("deliveryInfo") or {}
    claim = delivery.get("claimDeliveryInfo") or {}
    category = CATEGORIES_BY_ID.get(origin["leafCategoryId"])
    tags = (origin["detailAttribute"].get("seoInfo") or {}).get("sellerTags") or []
    return {
        "originProductNo": product.origin_no,
        "channelProductNo": product.channel_no,
        "channelServiceType": "STOREFARM",
        "categoryId": origin["leafCategoryId"],
        "name": product.channel.get("channelProductName") or origin["name"],
        "sellerManagementCode": product.seller_code,
        "statusType": product.status,
        "channelProductDisplayStatusType": product.channel["channelProductDisplayStatusType"],
        "salePrice": origin["salePrice"],
        # [INF] immediate discounts are not applied to the simulated discounted price.
        "discountedPrice": origin["salePrice"],
        "stockQuantity": origin["stockQuantity"],
        "knowledgeShoppingProductRegistration": product.channel["naverShoppingRegistration"],
        "deliveryAttributeType": delivery.get("deliveryAttributeType"),
        "deliveryFee": (delivery.get("deliveryFee") or {}).get("baseFee", 0),
        "returnFee": claim.get("returnDeliveryFee"),
        "exchangeFee": claim.get("exchangeDeliveryFee"),
        "saleStartDate": origin.get("saleStartDate"),
        "saleEndDate": origin.get("saleEndDate"),
        "wholeCategoryName": category.whole_name if category else None,
        "wholeCategoryId": category.id if category else None,
        "representativeImage": {"url": origin["images"]["representativeImage"]["url"]},
        "sellerTags": tags,
        "regDate": kst_timestamp(product.registered_s),
        "modifiedDate": kst_timestamp(product.modified_s),
    }


def _matches(product: StoredProduct, body: dict[str, Any], keyword: str | None) -> bool:
    if keyword == "SELLER_CODE" and body.get("sellerManagementCode"):
        return product.seller_code == str(body["sellerManagementCode"])
    if keyword == "PRODUCT_NO":
        return product.origin_no in (body.get("originProductNos") or [])
    if keyword == "CHANNEL_PRODUCT_NO":
        return product.channel_no in (body.get("channelProductNos") or [])
    # The sandbox has no group products; no keyword type (or SELLER_CODE without a code) lists all.
    return keyword != "GROUP_PRODUCT_NO"


async def search_products(request: web.Request) -> web.Response:
    """Filter, sort and page the live products; an empty result is a 200 with ``contents: []``."""
    state = get_state(request)
    try:
        body = await read_json_body(request, state)
    except BodyError as exc:
        return exc.response
    checker = Checker()
    if not isinstance(body, dict):
        checker.add("", TYPE_MISMATCH)
        return invalid(state, checker.issues)
    keyword = checker.enum(body, "searchKeywordType", "", KEYWORD_TYPES, required=False)
    checker.text(body, "sellerManagementCode", "", required=False)
    for key in ("originProductNos", "channelProductNos", "groupProductNos"):
        checker.array(body, key, "", required=False)
    statuses = checker.array(body, "productStatusTypes", "", required=False)
    if statuses and any(s not in STATUS_TYPES for s in statuses):
        checker.add(
            "productStatusTypes", "InvalidEnum", "Enum값을 입력하지 않았거나 허용되지 않은 Enum 값입니다"
        )
    page = checker.integer(body, "page", "", required=False, minimum=1) or 1
    size = (
        checker.integer(body, "size", "", required=False, minimum=1, maximum=MAX_PAGE_SIZE)
        or DEFAULT_PAGE_SIZE
    )
    order = body.get("orderType") if body.get("orderType") in _ORDERS else "NO"
    if not checker.ok:
        return invalid(state, checker.issues)
    visible_before_s = state.clock() - state.config.search_lag_s
    found = [
        p
        for p in state.products.searchable()
        if p.registered_s <= visible_before_s
        and _matches(p, body, keyword)
        and (not statuses or p.status in statuses)
    ]
    sort_key, descending = _ORDERS[str(order)]
    found.sort(key=sort_key, reverse=descending)
    total_pages = math.ceil(len(found) / size)
    chunk = found[(page - 1) * size : page * size]
    return web.json_response(
        {
            "contents": [
                {
                    "groupProductNo": None,
                    "originProductNo": p.origin_no,
                    "channelProducts": [_channel_item(p)],
                }
                for p in chunk
            ],
            "page": page,
            "size": size,
            "totalElements": len(found),
            "totalPages": total_pages,
            "sort": {
                "sorted": True,
                "fields": [{"name": order, "direction": "DESC" if descending else "ASC"}],
            },
            "first": page == 1,
            "last": page >= total_pages,
        }
    )
