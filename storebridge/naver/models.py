"""Result/input types of the Naver client and its pure payload helpers (no I/O here).

Every result that comes from one HTTP answer carries that answer's ``trace_id`` (``GNCP-GW-Trace-ID``,
what Naver support asks for) and ``rate_limit`` (the gateway's bucket state after the call). The
answers themselves are parsed with ``schemas.naver``; the types here are what callers keep of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemas.naver import NaverCategory, ProductReadResponse, ProductSearchResponse
from schemas.naver_gateway import RateLimitHeaders

__all__ = [
    "DEAD_STATUSES",
    "CreateResult",
    "FoundProduct",
    "ImageFile",
    "NaverCategory",
    "OptionStock",
    "PriceStockChange",
    "ProductDocument",
    "ResponseMeta",
    "WriteResult",
    "check_nothing_dropped",
    "found_products",
    "multi_update_row",
    "seller_code_of",
    "sniff_image_type",
]

#: Image formats the upload API accepts (reference §3), by magic bytes → MIME type.
_MAGIC_TYPES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


@dataclass(frozen=True)
class ResponseMeta:
    """Trace ID and rate-limit state of one answer (for results that carry no other data)."""

    trace_id: str | None
    rate_limit: RateLimitHeaders | None


@dataclass(frozen=True)
class WriteResult:
    """Numbers of the product a create or full update wrote, plus the answer's trace and rate state."""

    origin_product_no: int
    channel_product_no: int | None
    trace_id: str | None
    rate_limit: RateLimitHeaders | None


#: The brief's name for the create result; creates and full updates answer the same way.
CreateResult = WriteResult


@dataclass(frozen=True)
class ProductDocument:
    """``GET /v2/products/origin-products/{no}``: the whole stored document, as Naver returned it.

    ``body`` is the raw JSON, kept whole for a GET → modify → full-replace PUT (fields we do not
    model must survive); ``product`` is the same answer read through ``ProductReadResponse``.
    """

    body: dict[str, Any]
    product: ProductReadResponse
    trace_id: str | None
    rate_limit: RateLimitHeaders | None


#: Search statuses of products that are gone for good or that Naver will not let us sell: never
#: adopted as the result of a lost create [DOC search-product.md lists them among result statuses].
DEAD_STATUSES = frozenset({"DELETE", "CLOSE", "PROHIBITION"})


@dataclass(frozen=True)
class FoundProduct:
    """One product found by seller code: enough to adopt it (numbers) and to see its state."""

    origin_product_no: int
    channel_product_no: int | None
    seller_management_code: str
    status_type: str | None
    display_status: str | None
    name: str | None
    sale_price: int | None
    stock_quantity: int | None

    @property
    def live(self) -> bool:
        """Whether this product can be adopted (not DELETE, CLOSE or PROHIBITION; unknown counts as live)."""
        return self.status_type not in DEAD_STATUSES


@dataclass(frozen=True)
class PriceStockChange:
    """Absolute new price and/or stock of one product without combination options (multi-update).

    Absolute values make the change idempotent, so it is safe to retry. ``reopen`` adds
    ``PRODUCT_STATUS_SALE``: a sold-out product gets back on sale only when SALE is sent with the
    stock [DOC create-product-product.md], never from the stock alone.
    """

    origin_product_no: int
    sale_price: int | None = None
    stock_quantity: int | None = None
    reopen: bool = False

    def __post_init__(self) -> None:
        if self.sale_price is None and self.stock_quantity is None:
            raise ValueError(f"product {self.origin_product_no}: nothing to change")
        if self.reopen and not self.stock_quantity:
            raise ValueError(f"product {self.origin_product_no}: re-opening the sale needs a stock")


@dataclass(frozen=True)
class OptionStock:
    """Absolute stock/surcharge/usable of one existing combination row (its ``id`` comes from a GET)."""

    id: int
    stock_quantity: int
    price: int = 0
    usable: bool = True


@dataclass(frozen=True)
class ImageFile:
    """One image to upload; ``content_type`` defaults to what the bytes say (JPG/PNG/GIF/BMP)."""

    filename: str
    data: bytes = field(repr=False)
    content_type: str = ""

    def __post_init__(self) -> None:
        if not self.content_type:
            object.__setattr__(self, "content_type", sniff_image_type(self.data))


def sniff_image_type(data: bytes) -> str:
    """MIME type from the magic bytes; ``application/octet-stream`` for anything Naver refuses."""
    return next((mime for magic, mime in _MAGIC_TYPES if data.startswith(magic)), "application/octet-stream")


def found_products(page: ProductSearchResponse, code: str) -> list[FoundProduct]:
    """The exact-code matches of one search page (``contents[].channelProducts[]``, reference §4.6).

    Matching may be partial on Naver's side [UNK], so every row is filtered on equality here. One
    entry per origin product: its first matching channel product (Smart Store before others).
    Entries without an origin product number cannot be adopted and are skipped.
    """
    found: list[FoundProduct] = []
    for entry in page.with_seller_code(code):
        if entry.origin_product_no is None:
            continue
        matching = (c for c in entry.channel_products if c.seller_management_code == code)
        row = min(matching, key=lambda c: c.channel_service_type != "STOREFARM")  # first Smart Store row
        found.append(
            FoundProduct(
                origin_product_no=entry.origin_product_no,
                channel_product_no=row.channel_product_no,
                seller_management_code=code,
                status_type=row.status_type,
                display_status=row.channel_product_display_status_type,
                name=row.name,
                sale_price=row.sale_price,
                stock_quantity=row.stock_quantity,
            )
        )
    return found


def seller_code_of(payload: dict[str, Any]) -> str | None:
    """``originProduct.detailAttribute.sellerCodeInfo.sellerManagementCode`` of a payload, if any."""
    try:
        code = payload["originProduct"]["detailAttribute"]["sellerCodeInfo"]["sellerManagementCode"]
    except (KeyError, TypeError):
        return None
    return code if isinstance(code, str) else None


def check_nothing_dropped(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Refuse a PUT body that lost a section the stored product had (Naver would delete it)."""
    if not isinstance(after, dict):
        raise ValueError("modify must return the whole product document (a dict)")
    dropped = [key for key in before if before[key] is not None and key not in after]
    for section in ("originProduct", "smartstoreChannelProduct"):
        old, new = before.get(section), after.get(section)
        if isinstance(old, dict) and isinstance(new, dict):
            dropped += [f"{section}.{key}" for key in old if key not in new]
    if dropped:
        raise ValueError(f"modify dropped {', '.join(sorted(dropped))}: a full-replace PUT would delete them")


def multi_update_row(change: PriceStockChange) -> dict[str, Any]:
    """One ``multiProductUpdateRequestVos[]`` entry: only the changed values, typed accordingly."""
    row: dict[str, Any] = {"originProductNo": change.origin_product_no, "multiUpdateTypes": []}
    if change.sale_price is not None:
        row["multiUpdateTypes"].append("SALE_PRICE")
        row["productSalePrice"] = {"salePrice": change.sale_price}
    if change.stock_quantity is not None:
        row["multiUpdateTypes"].append("STOCK")
        row["stockQuantity"] = change.stock_quantity
    if change.reopen:
        row["multiUpdateTypes"].append("PRODUCT_STATUS_SALE")
    return row
