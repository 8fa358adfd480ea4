"""Source hashes over the normalised item, so the sync can tell what kind of change happened.

Two hashes over the *parsed* item (so ``"1"`` vs ``1`` or key order never count as changes):

- ``content_hash``: every modelled field. Equal → nothing to do.
- ``structure_hash``: the same minus price and stock (tier prices, resale prices, inventory,
  supplier status, per-option stock and add-ons). Equal while the content hash differs → only
  price/stock changed: push via option-stock / multi-update / change-status. Different → a full
  GET→modify→PUT is needed. Option sellability (``dom``/``sup``/``hid``) is structural because it
  decides which option rows exist.

The comparison itself (with the rules in force) is ``storebridge.sync.changes.classify``.
``HASH_VERSION`` is part of every hash: changing what is hashed must bump it, which makes every
stored hash differ once (one full re-sync) instead of silently comparing unlike things.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from schemas.domeggook import DomeggookItem

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
