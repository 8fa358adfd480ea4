"""How a change reaches Naver with the fewest calls: full replace, price/stock only, suspend, resume.

Kept apart from ``sync`` so the call-count rules (the product's speed limit) live in one place:

- price/stock of a product without options: one ``multi-update`` call;
- price/stock of a product with combination options: one ``option-stock`` call, addressed by row
  ids remembered in the product's ``ListingSnapshot`` (one extra GET only the first time they are
  unknown);
- a restock (the last stock sent was 0, the new one is not): Naver keeps a sold-out product
  OUTOFSTOCK until ``statusType`` SALE is sent with the stock [DOC create-product-product.md,
  read-channel-product-product.md], so the multi-update carries ``PRODUCT_STATUS_SALE``, and an
  option product gets one ``change-status`` SALE call after its option stock;
- anything structural: GET → deep-merge our payload → PUT (a PUT replaces the whole product, so
  fields Naver keeps that we do not send are carried over, never dropped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from storebridge.naver import NaverClient, OptionStock, PriceStockChange
from storebridge.store import ProductRow
from storebridge.sync.snapshot import ListingSnapshot

#: Most optional (extra) images a product may carry besides the representative one.
MAX_OPTIONAL_IMAGES = 9


@dataclass(frozen=True, kw_only=True)
class WriteOutcome:
    """Trace id of the last call and the option row ids learnt (``sellerManagerCode`` → id)."""

    trace_id: str | None
    option_ids: dict[str, int] = field(default_factory=dict)


def with_optional_images(wire: dict[str, Any], optional: list[str]) -> dict[str, Any]:
    """Add up to nine optional images (already uploaded to Naver) to a create/update payload."""
    if optional:
        images = wire["originProduct"].setdefault("images", {})
        images["optionalImages"] = [{"url": url} for url in optional[:MAX_OPTIONAL_IMAGES]]
    return wire


def _rows(wire: Mapping[str, Any]) -> list[dict[str, Any]]:
    info = wire.get("originProduct", {}).get("detailAttribute", {}).get("optionInfo") or {}
    rows = info.get("optionCombinations") or []
    return [row for row in rows if isinstance(row, dict)]


def option_ids_of(document: Mapping[str, Any]) -> dict[str, int]:
    """``sellerManagerCode`` → Naver option row id, from a GET document."""
    found: dict[str, int] = {}
    for row in _rows(document):
        code, row_id = row.get("sellerManagerCode"), row.get("id")
        if isinstance(code, str) and row_id is not None:
            found[code] = int(row_id)
    return found


def deep_merge(stored: Any, ours: Any) -> Any:
    """Our values win; keys only Naver has are kept (a PUT must never drop them)."""
    if isinstance(stored, dict) and isinstance(ours, dict):
        merged = dict(stored)
        for key, value in ours.items():
            merged[key] = deep_merge(stored.get(key), value)
        return merged
    return ours


class NaverWriter:
    """The write side of one sync, over an open ``NaverClient``."""

    def __init__(self, naver: NaverClient) -> None:
        self.naver = naver

    async def replace(self, row: ProductRow, wire: dict[str, Any]) -> WriteOutcome:
        """Structural change: GET → merge → PUT (two calls); option rows keep their Naver ids."""
        origin_no = _origin_no(row)
        learnt: dict[str, int] = {}

        def modify(document: dict[str, Any]) -> dict[str, Any]:
            ids = option_ids_of(document)
            merged: dict[str, Any] = deep_merge(document, wire)
            for new_row in _rows(merged):
                code = new_row.get("sellerManagerCode")
                new_row.pop("id", None)
                if isinstance(code, str) and code in ids:
                    new_row["id"] = ids[code]
            # The option list is ours to define; a merge must not resurrect rows we dropped.
            learnt.update(ids)
            return merged

        result = await self.naver.update_product(origin_no, modify)
        return WriteOutcome(trace_id=result.trace_id, option_ids=learnt)

    async def price_stock(self, row: ProductRow, wire: dict[str, Any]) -> WriteOutcome:
        """Only price/stock changed: one call (plus one GET the first time option ids are unknown)."""
        origin_no = _origin_no(row)
        origin = wire["originProduct"]
        rows = _rows(wire)
        snapshot = ListingSnapshot.from_json(row.snapshot)
        stock = int(origin.get("stockQuantity") or 0)
        # Unknown last stock (an adopted product): re-open too; SALE on a selling product is a no-op.
        # A suspended product is resumed by ``resume``, not here.
        reopen = stock > 0 and not snapshot.stock and not snapshot.suspended
        if not rows:
            change = PriceStockChange(
                origin_no,
                sale_price=origin.get("salePrice"),
                stock_quantity=origin.get("stockQuantity"),
                reopen=reopen,
            )
            metas = await self.naver.update_prices_and_stock([change])
            return WriteOutcome(trace_id=metas[-1].trace_id if metas else None)
        ids = dict(snapshot.option_ids)
        codes = [r.get("sellerManagerCode") for r in rows]
        if not all(isinstance(code, str) and code in ids for code in codes):
            ids = option_ids_of((await self.naver.get_product(origin_no)).body)
        options = [
            OptionStock(
                id=ids[str(r["sellerManagerCode"])],
                stock_quantity=int(r.get("stockQuantity", 0)),
                price=int(r.get("price", 0)),
                usable=bool(r.get("usable", True)),
            )
            for r in rows
            if str(r.get("sellerManagerCode")) in ids
        ]
        result = await self.naver.update_option_stock(origin_no, options, sale_price=origin.get("salePrice"))
        trace_id = result.trace_id
        if reopen:
            trace_id = (await self.naver.change_status(origin_no, "SALE", stock_quantity=stock)).trace_id
        return WriteOutcome(trace_id=trace_id, option_ids=ids)

    async def suspend(self, row: ProductRow) -> None:
        """Stop the sale (ended or deleted at Domeggook)."""
        await self.naver.change_status(_origin_no(row), "SUSPENSION")

    async def resume(self, row: ProductRow, wire: Mapping[str, Any]) -> None:
        """Back on sale after a suspension, with the current stock (option products too).

        ``stockQuantity`` is the product total (the sum of the option rows for an option product):
        the change-status doc requires it when leaving OUTOFSTOCK and names no exception for option
        products [DOC read-channel-product-product.md].
        """
        stock = int(wire["originProduct"].get("stockQuantity") or 0)
        await self.naver.change_status(_origin_no(row), "SALE", stock_quantity=stock)


def _origin_no(row: ProductRow) -> int:
    if row.origin_product_no is None:  # the state machine guarantees it; fail loudly if not
        raise ValueError(f"item {row.item_no}: no Naver product number in state {row.state}")
    return row.origin_product_no
