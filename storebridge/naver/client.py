"""Naver Commerce API client (async): products, images, categories, search by seller code.

Over 400 lines because it is one method per Commerce API operation we use, each a few lines.

Works unchanged against the real API and the sandbox; only ``api_url`` differs. The request core
(token, re-auth, retries, error mapping, limiter) is ``storebridge.naver.transport``; each
operation's method, path and retry class are in ``storebridge.naver.endpoints``; answers are read
with ``schemas.naver``.
``create_product`` is never re-posted after the request may have reached Naver: a timeout, reset or
5xx raises ``NaverOutcomeUnknown`` and the caller reconciles by seller code (engineering notes §4).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import quote

import aiohttp
from pydantic import TypeAdapter

from schemas.naver import (
    CreateProductResponse,
    ImageUploadResponse,
    InvalidInput,
    NaverCategory,
    NaverCategoryDetail,
    NoticeTypeInfo,
    OriginAreasResponse,
    ProductReadResponse,
    ProductSearchResponse,
    RestrictedTag,
)
from storebridge.config import Settings
from storebridge.http import ClientSettings, Limiter
from storebridge.naver import endpoints
from storebridge.naver.auth import NaverTokenManager
from storebridge.naver.errors import (
    NaverError,
    NaverForbidden,
    NaverNotFound,
    NaverOutcomeUnknown,
    NaverRateLimited,
    NaverRejected,
    NaverTransient,
    NaverUnauthorized,
    NaverValidationError,
)
from storebridge.naver.models import (
    CreateResult,
    FoundProduct,
    ImageFile,
    OptionStock,
    PriceStockChange,
    ProductDocument,
    ResponseMeta,
    WriteResult,
    check_nothing_dropped,
    found_products,
    multi_update_row,
    seller_code_of,
)
from storebridge.naver.transport import Answer, NaverTransport, answer_meta

#: Most files per upload call (reference §3); larger inputs are split.
MAX_IMAGES_PER_UPLOAD = 10
#: Search page size (Naver allows 500; an exact seller code matches one or a few products).
SEARCH_PAGE_SIZE = 50
#: Pages read at most by one seller-code search (a runaway partial match must not loop for ever).
MAX_SEARCH_PAGES = 20
#: Products per multi-update call. [UNK] Naver documents no maximum; 50 is a conservative guess.
MULTI_UPDATE_BATCH = 50

logger = logging.getLogger(__name__)

_WRITE = TypeAdapter(CreateProductResponse)
_PRODUCT_BODY = TypeAdapter(dict[str, Any])
_PRODUCT = TypeAdapter(ProductReadResponse)
_SEARCH_PAGE = TypeAdapter(ProductSearchResponse)
_CATEGORIES = TypeAdapter(list[NaverCategory])
_UPLOADED = TypeAdapter(ImageUploadResponse)
_CATEGORY = TypeAdapter(NaverCategoryDetail)
_NOTICE_TYPES = TypeAdapter(list[NoticeTypeInfo])
_ORIGIN_AREAS = TypeAdapter(OriginAreasResponse)
_TAGS = TypeAdapter(list[RestrictedTag])
#: Query characters per restricted-tags call. The docs give ``tags`` as a ``string[]`` with no
#: maximum count [DOC is-restrict-tags-product.md], so a call carries as many tags as fit a URL
#: every server accepts: half of the 8,000 octets RFC 9110 §4.1 recommends, leaving the path and
#: headers room (INFERRED; a tag longer than this still goes alone).
MAX_TAGS_QUERY_CHARS = 4_000


def _tag_chunks(tags: Sequence[str], max_chars: int) -> list[list[str]]:
    """``tags`` in order, cut so that each chunk's ``tags=…&tags=…`` query fits ``max_chars``."""
    chunks: list[list[str]] = []
    used = max_chars
    for tag in tags:
        size = len("tags=") + len(quote(tag, safe="")) + 1
        if used + size > max_chars:
            chunks.append([])
            used = 0
        chunks[-1].append(tag)
        used += size
    return chunks


def _write_result(fallback_origin: int | None) -> Callable[[Answer], WriteResult]:
    """``parse`` of a create or update: the product's numbers (an update may omit its own)."""

    def parse(answer: Answer) -> WriteResult:
        written = answer.parse(_WRITE)
        origin = written.origin_product_no or fallback_origin
        if origin is None:
            raise answer.unexpected("no originProductNo")
        meta = answer.meta
        return WriteResult(origin, written.smartstore_channel_product_no, meta.trace_id, meta.rate_limit)

    return parse


def _product_document(answer: Answer) -> ProductDocument:
    """``parse`` of a product GET: the raw document (for a full-replace PUT) and its typed reading."""
    body = answer.parse(_PRODUCT_BODY)
    product = answer.validate(_PRODUCT, body)
    meta = answer.meta
    return ProductDocument(body, product, meta.trace_id, meta.rate_limit)


class NaverClient:
    """The Commerce API endpoints StoreBridge uses, over a ``NaverTransport`` it owns.

    The transport makes one call safely (token, one re-auth on 401, error mapping, retries by the
    endpoint's idempotency); the client only says which endpoint, with which body, and how to read
    the answer. Construct with the transport's keyword arguments or
    ``NaverClient.from_settings(settings, limiter=...)``; use as ``async with`` (closing the client
    closes its transport). Every result carries the answer's ``trace_id`` and ``rate_limit``.
    """

    def __init__(self, transport: NaverTransport | None = None, **transport_options: Any) -> None:
        if transport is not None and transport_options:
            raise TypeError("give either a transport or its keyword arguments, not both")
        self.transport = transport if transport is not None else NaverTransport(**transport_options)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        limiter: Limiter | None = None,
        client_settings: ClientSettings | None = None,
        on_hold: Callable[[str | None], None] | None = None,
    ) -> Self:
        """Build from the one ``Settings`` object (see ``NaverTransport.from_settings``)."""
        transport = NaverTransport.from_settings(
            settings, limiter=limiter, client_settings=client_settings, on_hold=on_hold
        )
        return cls(transport)

    def __repr__(self) -> str:
        return f"NaverClient({self.transport!r})"

    @property
    def tokens(self) -> NaverTokenManager:
        """The transport's token manager (one cached token per application)."""
        return self.transport.tokens

    @property
    def closed(self) -> bool:
        """True once ``close()`` ran; a closed client refuses further calls."""
        return self.transport.closed

    async def close(self) -> None:
        """Close the transport's HTTP session (idempotent)."""
        await self.transport.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- products -----------------------------------------------------------------------------
    async def create_product(self, payload: dict[str, Any]) -> WriteResult:
        """``POST /v2/products``. Never re-posted after it may have reached Naver.

        Raises ``NaverOutcomeUnknown`` on timeout, reset or 5xx: the product may exist; search by its
        ``sellerManagementCode`` before any new attempt. ``NaverValidationError`` lists bad fields.
        """
        try:
            return await self.transport.call(
                endpoints.CREATE_PRODUCT, json=payload, parse=_write_result(None)
            )
        except NaverOutcomeUnknown as exc:
            logger.warning(
                "naver.create.outcome_unknown",
                extra={"seller_code": seller_code_of(payload), "trace_id": exc.trace_id, "detail": str(exc)},
            )
            raise

    async def get_product(self, origin_product_no: int) -> ProductDocument:
        """``GET /v2/products/origin-products/{no}``: the full stored document (needed before any PUT)."""
        return await self.transport.call(
            endpoints.GET_PRODUCT, path_values={"no": origin_product_no}, parse=_product_document
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
        return await self.transport.call(
            endpoints.REPLACE_PRODUCT,
            path_values={"no": origin_product_no},
            json=body,
            parse=_write_result(origin_product_no),
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
        return await self.transport.call(
            endpoints.CHANGE_STATUS, path_values={"no": origin_product_no}, json=payload, parse=answer_meta
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
            body = {"multiProductUpdateRequestVos": rows}
            results.append(await self.transport.call(endpoints.MULTI_UPDATE, json=body, parse=answer_meta))
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
        return await self.transport.call(
            endpoints.OPTION_STOCK,
            path_values={"no": origin_product_no},
            json=payload,
            parse=_write_result(origin_product_no),
        )

    async def delete_product(self, origin_product_no: int) -> bool:
        """``DELETE …/origin-products/{no}``; False when it was already gone (404), so it is idempotent."""
        try:
            await self.transport.call(
                endpoints.DELETE_PRODUCT, path_values={"no": origin_product_no}, parse=answer_meta
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
        for page in range(1, MAX_SEARCH_PAGES + 1):
            query: dict[str, Any] = {
                "searchKeywordType": "SELLER_CODE",
                "sellerManagementCode": code,
                "page": page,
                "size": SEARCH_PAGE_SIZE,
            }
            hits = await self.transport.call(
                endpoints.SEARCH_PRODUCTS, json=query, parse=lambda answer: answer.parse(_SEARCH_PAGE)
            )
            found.extend(found_products(hits, code))
            if hits.last is True or page >= (hits.total_pages or 1) or not hits.contents:
                break
        return found

    async def get_categories(self, *, leaf_only: bool = False) -> list[NaverCategory]:
        """``GET /v1/categories``: the whole tree as a flat list (``leaf_only`` asks for leaves only)."""
        params = {"last": "true"} if leaf_only else None
        return await self.transport.call(
            endpoints.CATEGORIES, params=params, parse=lambda answer: answer.parse(_CATEGORIES)
        )

    async def get_category(self, category_id: str) -> NaverCategoryDetail:
        """``GET /v1/categories/{id}``: one category with its gates (``exceptionalCategories``)."""
        if not category_id.isascii() or not category_id.isdigit():
            raise ValueError(f"category id must be digits, got {category_id[:40]!r}")
        return await self.transport.call(
            endpoints.CATEGORY, path_values={"no": category_id}, parse=lambda answer: answer.parse(_CATEGORY)
        )

    async def get_notice_types(self, category_id: str | None = None) -> list[NoticeTypeInfo]:
        """``GET /v1/products-for-provided-notice``: the notice types Naver recommends for a category.

        The docs say ``categoryId`` is a top-level (대카테고리) id; without it every type is listed.
        """
        params = {"categoryId": category_id} if category_id else None
        return await self.transport.call(
            endpoints.NOTICE_TYPES, params=params, parse=lambda answer: answer.parse(_NOTICE_TYPES)
        )

    async def get_origin_areas(self) -> dict[str, str]:
        """``GET /v1/product-origin-areas``: every origin-area code → its name."""
        answer = await self.transport.call(
            endpoints.ORIGIN_AREAS, parse=lambda answer: answer.parse(_ORIGIN_AREAS)
        )
        return {area.code: area.name for area in answer.origin_area_code_names if area.code}

    async def check_tags(self, tags: Sequence[str]) -> dict[str, bool]:
        """``GET /v2/tags/restricted-tags?tags=…``: tag → restricted, as few calls as the URL allows.

        Tags go as repeated ``tags`` parameters, up to ``MAX_TAGS_QUERY_CHARS`` of query per call.
        A tag Naver leaves out of its answer is reported as not restricted (nothing says otherwise).
        """
        answers: dict[str, bool] = {}
        for chunk in _tag_chunks(list(dict.fromkeys(t for t in tags if t)), MAX_TAGS_QUERY_CHARS):
            rows = await self.transport.call(
                endpoints.RESTRICTED_TAGS,
                params=[("tags", tag) for tag in chunk],
                parse=lambda answer: answer.parse(_TAGS),
            )
            found = {row.tag: row.restricted for row in rows}
            answers.update({tag: found.get(tag, False) for tag in chunk})
        return answers

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
        def body() -> dict[str, Any]:
            form = aiohttp.FormData()
            for image in chunk:
                form.add_field(
                    "imageFiles", image.data, filename=image.filename, content_type=image.content_type
                )
            return {"data": form}

        def parse(answer: Answer) -> list[str]:
            urls = [image.url for image in answer.parse(_UPLOADED).images]
            if len(urls) != len(chunk):
                raise answer.unexpected(f"{len(urls)} URLs for {len(chunk)} files")
            return urls

        return await self.transport.call(endpoints.UPLOAD_IMAGES, body=body, parse=parse)


__all__ = [
    "CreateResult",
    "FoundProduct",
    "ImageFile",
    "InvalidInput",
    "NaverCategory",
    "NaverCategoryDetail",
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
