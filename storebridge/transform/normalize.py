"""Source hashes and the price/stock snapshot, so the sync can tell what kind of change happened.

Two hashes over the *parsed* item (so ``"1"`` vs ``1`` or key order never count as changes):

- ``content_hash``: every modelled field. Equal → nothing to do.
- ``structure_hash``: the same minus price and stock (tier prices, resale prices, inventory,
  supplier status, per-option stock and add-ons). Equal while the content hash differs → only
  price/stock changed: push via option-stock / multi-update / change-status. Different → a full
  GET→modify→PUT is needed. Option sellability (``dom``/``sup``/``hid``) is structural because it
  decides which option rows exist.

``HASH_VERSION`` is part of every hash: changing what is hashed must bump it, which makes every
stored hash differ once (one full re-sync) instead of silently comparing unlike things.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from schemas.domeggook import DomeggookItem, TierTable

HASH_VERSION = 1
_PRICE_STOCK_VARIANT_FIELDS = ("qty", "dom_price", "sup_price")


def _digest(document: Any) -> str:
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"v{HASH_VERSION}:{text}".encode()).hexdigest()


def canonical(item: DomeggookItem) -> dict[str, Any]:
    """The item as plain JSON-able data; the basis of both hashes."""
    return item.model_dump(mode="json")


def content_hash(item: DomeggookItem) -> str:
    """sha256 over every modelled field; stable across key order and string/number spelling."""
    return _digest(canonical(item))


def structure_hash(item: DomeggookItem) -> str:
    """sha256 over everything except price and stock (see the module docstring)."""
    document = canonical(item)
    document.pop("price", None)
    document["basis"].pop("status", None)
    if isinstance(document.get("qty"), dict):
        document["qty"].pop("inventory", None)
    select = document.get("select_opt")
    if isinstance(select, dict):
        for variant in select["data"].values():
            for name in _PRICE_STOCK_VARIANT_FIELDS:
                variant.pop(name, None)
    return _digest(document)


class ChangeKind(StrEnum):
    """What a re-fetched item needs on Naver."""

    NONE = "none"
    PRICE_STOCK = "price_stock"
    STRUCTURE = "structure"


def classify_change(
    previous_content_hash: str | None, previous_structure_hash: str | None, item: DomeggookItem
) -> ChangeKind:
    """Compare stored hashes with a fresh item; unknown previous hashes count as structural."""
    if previous_content_hash == content_hash(item):
        return ChangeKind.NONE
    if previous_structure_hash is not None and previous_structure_hash == structure_hash(item):
        return ChangeKind.PRICE_STOCK
    return ChangeKind.STRUCTURE


@dataclass(frozen=True)
class VariantSnapshot:
    """Price/stock state of one option row (key as in ``selectOpt.data``)."""

    key: str
    qty: int
    dom_price: int
    sup_price: int
    sellable_dome: bool
    sellable_supply: bool


@dataclass(frozen=True)
class PriceStockSnapshot:
    """The supplier's price/stock facts for one item, plus both hashes."""

    item_no: int
    status: str
    dome_tiers: TierTable | None
    supply_tiers: TierTable | None
    resale_minimum: int | None
    inventory: int | None
    variants: tuple[VariantSnapshot, ...]
    content_hash: str
    structure_hash: str


def price_stock_snapshot(item: DomeggookItem) -> PriceStockSnapshot:
    """Everything price/stock sync compares, in one immutable value."""
    price = item.price
    variants = tuple(
        VariantSnapshot(
            key=key,
            qty=variant.qty,
            dom_price=variant.dom_price,
            sup_price=variant.sup_price,
            sellable_dome=variant.dom and not variant.hidden,
            sellable_supply=variant.sup and not variant.hidden,
        )
        for key, variant in sorted(item.select_opt.data.items() if item.select_opt else ())
    )
    return PriceStockSnapshot(
        item_no=item.no,
        status=item.basis.status,
        dome_tiers=price.dome if price else None,
        supply_tiers=price.supply if price else None,
        resale_minimum=price.resale.minimum if price and price.resale else None,
        inventory=item.qty.inventory if item.qty else None,
        variants=variants,
        content_hash=content_hash(item),
        structure_hash=structure_hash(item),
    )
