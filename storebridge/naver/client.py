"""Naver Commerce API client (async): products, images, categories, search by seller code.

Works unchanged against the real API and the sandbox; only ``api_url`` differs. The request core
(token, re-auth, retries, error mapping, limiter) is ``storebridge.naver.transport``.
``create_product`` is never re-posted after the request may have reached Naver: a timeout, reset or
5xx raises ``NaverOutcomeUnknown`` and the caller reconciles by seller code (engineering notes §4).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from typing import Any, Literal

import aiohttp

from storebridge.http import RateLimitInfo, RawResponse
from storebridge.naver.errors import (
    InvalidInput,
    NaverError,
    NaverForbidden,
    NaverNotFound,
    NaverOutcomeUnknown,
    NaverRateLimited,
    NaverRejected,
    NaverTransient,
    NaverUnauthorized,
    NaverValidationError,
    parse_json,
    trace_id_of,
    unexpected_body,
)
from storebridge.naver.models import (
    CreateResult,
    FoundProduct,
    ImageFile,
    NaverCategory,
    OptionStock,
    PriceStockChange,
    ProductDocument,
    ResponseMeta,
    WriteResult,
    as_int,
    check_nothing_dropped,
    found_products,
    multi_update_row,
    seller_code_of,
)
from storebridge.naver.transport import Mode, NaverTransport, meta

#: Most files per upload call (reference §3); larger inputs are split.
MAX_IMAGES_PER_UPLOAD = 10
#: Search page size (Naver allows 500; an exact seller code matches one or a few products).
SEARCH_PAGE_SIZE = 50
#: Pages read at most by one seller-code search (a runaway partial match must not loop for ever).
MAX_SEARCH_PAGES = 20
#: Products per multi-update call. [UNK] Naver documents no maximum; 50 is a conservative guess.
MULTI_UPDATE_BATCH = 50

log = logging.getLogger(__name__)


class NaverClient(NaverTransport):
    """The Commerce API endpoints StoreBridge uses; see ``NaverTransport`` for lifecycle and retries.

    Construct with keyword arguments or ``NaverClient.from_settings(settings, limiter=...)``; use as
    ``async with``. Every result carries the answer's ``trace_id`` and ``rate_limit``.
    """

    # -- products -----------------------------------------------------------------------------
    async def create_product(self, payload: dict[str, Any]) -> WriteResult:
        """``POST /v2/products``. Never re-posted after it may have reached Naver.

        Raises ``NaverOutcomeUnknown`` on timeout, reset or 5xx: the product may exist; search by its
        ``sellerManagementCode`` before any new attempt. ``NaverValidationError`` lists bad fields.
        """
        try:
            return await self.call(
                "POST",
                "v2/products",
                template="/v2/products",
                mode=Mode.CREATE,
                json=payload,
                parse=self._write_result("POST /v2/products", None),
            )
        except NaverOutcomeUnknown as exc:
            log.warning(
                "naver.create.outcome_unknown",
                extra={"seller_code": seller_code_of(payload), "trace_id": exc.trace_id, "detail": str(exc)},
            )
            raise

    async def get_product(self, origin_product_no: int) -> ProductDocument:
        """``GET /v2/products/origin-products/{no}``: the full stored document (needed before any PUT)."""
        path = f"v2/products/origin-products/{origin_product_no}"

        def parse(response: RawResponse) -> ProductDocument:
            doc = self._json_object(response, f"GET /{path}", write=False)
            return ProductDocument(doc, trace_id_of(response), RateLimitInfo.from_headers(response.headers))

        return await self.call(
            "GET", path, template="/v2/products/origin-products/{no}", mode=Mode.READ, parse=parse
        )

    async def update_product(
        self, origin_product_no: int, modify: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> WriteResult:
        """GET → ``modify(copy)`` → full-replace PUT (reference §4.2: omitted fields are *deleted*).

        ``modify`` receives a deep copy of the whole stored document and returns the document to
        store; it must change fields in place of removing them. A result missing a key the stored
        ``originProduct`` / ``smartstoreChannelProduct`` had raises ``ValueError`` before any PUT.
        The PUT is idempotent and retried; if it still fails, ``NaverOutcomeUnknown``.
        """
        current = await self.get_product(origin_product_no)
        document = modify(copy.deepcopy(current.body))
        check_nothing_dropped(current.body, document)
        body = {key: value for key, value in document.items() if value is not None}
        path = f"v2/products/origin-products/{origin_product_no}"
        return await self.call(
            "PUT",
            path,
            template="/v2/products/origin-products/{no}",
            mode=Mode.IDEMPOTENT,
            json=body,
            parse=self._write_result(f"PUT /{path}", origin_product_no),
        )

    async def change_status(
        self,
        origin_product_no: int,
        status: Literal["SALE", "OUTOFSTOCK", "SUSPENSION"],
        *,
        stock_quantity: int | None = None,
    ) -> ResponseMeta:
        """``PUT …/change-status``: suspend, resume or sell out (leaving OUTOFSTOCK needs a stock)."""
        payload: dict[str, Any] = {"statusType": status}
        if stock_quantity is not None:
            payload["stockQuantity"] = stock_quantity
        path = f"v1/products/origin-products/{origin_product_no}/change-status"
        return await self.call(
            "PUT",
            path,
            template="/v1/products/origin-products/{no}/change-status",
            mode=Mode.IDEMPOTENT,
            json=payload,
            parse=meta,
        )

    async def update_prices_and_stock(self, changes: Sequence[PriceStockChange]) -> list[ResponseMeta]:
        """Absolute price/stock for products *without* combination options: ``PATCH …/multi-update``.

        The cheapest path for price+stock changes (no GET, many products per call; batches of
        ``MULTI_UPDATE_BATCH``). Option products need ``update_option_stock`` (their product stock
        must equal the sum of the option stocks). Returns one ``ResponseMeta`` per call made.
        """
        results: list[ResponseMeta] = []
        for start in range(0, len(changes), MULTI_UPDATE_BATCH):
            rows = [multi_update_row(change) for change in changes[start : start + MULTI_UPDATE_BATCH]]
            results.append(
                await self.call(
                    "PATCH",
                    "v1/products/origin-products/multi-update",
                    template="/v1/products/origin-products/multi-update",
                    mode=Mode.IDEMPOTENT,
                    json={"multiProductUpdateRequestVos": rows},
                    parse=meta,
                )
            )
        return results

    async def update_option_stock(
        self,
        origin_product_no: int,
        options: Sequence[OptionStock],
        *,
        sale_price: int | None = None,
        use_stock_management: bool = True,
    ) -> WriteResult:
        """``PUT …/option-stock``: absolute stock/surcharge/usable per combination row, optional price.

        Rows are addressed by ``id`` (from ``get_product``); omitted stock or price would be saved
        as 0 by Naver, so every row is sent complete.
        """
        payload: dict[str, Any] = {
            "optionInfo": {
                "optionCombinations": [
                    {"id": o.id, "stockQuantity": o.stock_quantity, "price": o.price, "usable": o.usable}
                    for o in options
                ],
                "useStockManagement": use_stock_management,
            }
        }
        if sale_price is not None:
            payload["productSalePrice"] = {"salePrice": sale_price}
        path = f"v1/products/origin-products/{origin_product_no}/option-stock"
        return await self.call(
            "PUT",
            path,
            template="/v1/products/origin-products/{no}/option-stock",
            mode=Mode.IDEMPOTENT,
            json=payload,
            parse=self._write_result(f"PUT /{path}", origin_product_no),
        )

    async def delete_product(self, origin_product_no: int) -> bool:
        """``DELETE …/origin-products/{no}``; False when it was already gone (404), so it is idempotent."""
        path = f"v2/products/origin-products/{origin_product_no}"
        try:
            await self.call(
                "DELETE",
                path,
                template="/v2/products/origin-products/{no}",
                mode=Mode.IDEMPOTENT,
                parse=meta,
            )
        except NaverNotFound:
            return False
        return True

    async def search_by_seller_code(self, code: str) -> list[FoundProduct]:
        """Products whose ``sellerManagementCode`` is exactly ``code`` (``POST /v1/products/search``).

        How a create with an unknown outcome is reconciled. Search may lag behind a create, so an
        empty answer right after one is not proof of absence (engineering notes §4).
        """
        found: list[FoundProduct] = []

        def parse(response: RawResponse) -> dict[str, Any]:
            return self._json_object(response, "POST /v1/products/search", write=False)

        for page in range(1, MAX_SEARCH_PAGES + 1):
            query: dict[str, Any] = {
                "searchKeywordType": "SELLER_CODE",
                "sellerManagementCode": code,
                "page": page,
                "size": SEARCH_PAGE_SIZE,
            }
            doc = await self.call(
                "POST",
                "v1/products/search",
                template="/v1/products/search",
                mode=Mode.READ,
                json=query,
                parse=parse,
            )
            found.extend(found_products(doc, code))
            total_pages = as_int(doc.get("totalPages")) or 1
            if doc.get("last") is True or page >= total_pages or not doc.get("contents"):
                break
        return found

    async def get_categories(self, *, leaf_only: bool = False) -> list[NaverCategory]:
        """``GET /v1/categories``: the whole tree as a flat list (``leaf_only`` asks for leaves only)."""

        def parse(response: RawResponse) -> list[NaverCategory]:
            doc = parse_json(response.body)
            if not isinstance(doc, list):
                raise unexpected_body(response, "GET /v1/categories", "not a JSON array", write=False)
            return [
                NaverCategory(
                    str(c.get("id")),
                    str(c.get("name") or ""),
                    str(c.get("wholeCategoryName") or ""),
                    bool(c.get("last")),
                )
                for c in doc
                if isinstance(c, dict) and c.get("id") is not None
            ]

        params = {"last": "true"} if leaf_only else None
        return await self.call(
            "GET", "v1/categories", template="/v1/categories", mode=Mode.READ, params=params, parse=parse
        )

    # -- images -------------------------------------------------------------------------------
    async def upload_images(self, images: Sequence[ImageFile]) -> list[str]:
        """Upload images (multipart ``imageFiles``), at most 10 per call; URLs come back in input order.

        Only URLs returned here may be used in a product (reference §3). A retried upload can leave
        unused images on Naver's side, which is harmless.
        """
        urls: list[str] = []
        for start in range(0, len(images), MAX_IMAGES_PER_UPLOAD):
            urls.extend(await self._upload_chunk(images[start : start + MAX_IMAGES_PER_UPLOAD]))
        return urls

    async def _upload_chunk(self, chunk: Sequence[ImageFile]) -> list[str]:
        endpoint = "POST /v1/product-images/upload"

        def body() -> dict[str, Any]:
            form = aiohttp.FormData()
            for image in chunk:
                form.add_field(
                    "imageFiles", image.data, filename=image.filename, content_type=image.content_type
                )
            return {"data": form}

        def parse(response: RawResponse) -> list[str]:
            doc = self._json_object(response, endpoint, write=False)
            entries = doc.get("images")
            urls = [e.get("url") for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
            if len(urls) != len(chunk) or not all(isinstance(u, str) and u for u in urls):
                raise unexpected_body(
                    response, endpoint, f"{len(urls)} URLs for {len(chunk)} files", write=False
                )
            return [str(u) for u in urls]

        return await self.call(
            "POST",
            "v1/product-images/upload",
            template="/v1/product-images/upload",
            mode=Mode.READ,
            body=body,
            parse=parse,
        )


__all__ = [
    "CreateResult",
    "FoundProduct",
    "ImageFile",
    "InvalidInput",
    "NaverCategory",
    "NaverClient",
    "NaverError",
    "NaverForbidden",
    "NaverNotFound",
    "NaverOutcomeUnknown",
    "NaverRateLimited",
    "NaverRejected",
    "NaverTransient",
    "NaverUnauthorized",
    "NaverValidationError",
    "OptionStock",
    "PriceStockChange",
    "ProductDocument",
    "ResponseMeta",
    "WriteResult",
]
