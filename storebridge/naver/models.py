"""Result/input types of the Naver client and its pure payload helpers (no I/O here).

Every result that comes from one HTTP answer carries that answer's ``trace_id`` (``GNCP-GW-Trace-ID``,
what Naver support asks for) and ``rate_limit`` (the gateway's bucket state after the call).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storebridge.http import RateLimitInfo

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
    rate_limit: RateLimitInfo | None


@dataclass(frozen=True)
class WriteResult:
    """Numbers of the product a create or full update wrote, plus the answer's trace and rate state."""

    origin_product_no: int
    channel_product_no: int | None
    trace_id: str | None
    rate_limit: RateLimitInfo | None


#: The brief's name for the create result; creates and full updates answer the same way.
CreateResult = WriteResult


@dataclass(frozen=True)
class ProductDocument:
    """``GET /v2/products/origin-products/{no}``: the whole stored document, as Naver returned it."""

    body: dict[str, Any]
    trace_id: str | None
    rate_limit: RateLimitInfo | None


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


@dataclass(frozen=True)
class NaverCategory:
    """One Naver category; only leaves (``last``) may carry products."""

    id: str
    name: str
    whole_category_name: str
    last: bool


@dataclass(frozen=True)
class PriceStockChange:
    """Absolute new price and/or stock of one product without combination options (multi-update).

    Absolute values make the change idempotent, so it is safe to retry.
    """

    origin_product_no: int
    sale_price: int | None = None
    stock_quantity: int | None = None

    def __post_init__(self) -> None:
        if self.sale_price is None and self.stock_quantity is None:
            raise ValueError(f"product {self.origin_product_no}: nothing to change")


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


def as_int(value: Any) -> int | None:
    """An int from an int or a digit string (Naver numbers are int64; be lenient), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def found_products(doc: Any, code: str) -> list[FoundProduct]:
    """The exact-code matches of one search page (``contents[].channelProducts[]``, reference §4.6).

    Matching may be partial on Naver's side [UNK], so every row is filtered on equality here. One
    entry per origin product: its first matching channel product (Smart Store before others).
    """
    contents = doc.get("contents") if isinstance(doc, dict) else None
    found: list[FoundProduct] = []
    for entry in contents if isinstance(contents, list) else []:
        if not isinstance(entry, dict):
            continue
        channels = [c for c in entry.get("channelProducts") or [] if isinstance(c, dict)]
        matching = [c for c in channels if c.get("sellerManagementCode") == code]
        matching.sort(key=lambda c: c.get("channelServiceType") != "STOREFARM")
        origin_no = as_int(entry.get("originProductNo"))
        if not matching or origin_no is None:
            continue
        row = matching[0]
        found.append(
            FoundProduct(
                origin_product_no=origin_no,
                channel_product_no=as_int(row.get("channelProductNo")),
                seller_management_code=code,
                status_type=row.get("statusType"),
                display_status=row.get("channelProductDisplayStatusType"),
                name=row.get("name"),
                sale_price=as_int(row.get("salePrice")),
                stock_quantity=as_int(row.get("stockQuantity")),
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
    return row
