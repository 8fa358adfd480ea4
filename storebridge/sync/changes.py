"""What "unchanged" means: the source item *and* the rules that turned it into the listing.

The stored hashes combine the normalised Domeggook item (``transform.normalise``) with a
fingerprint of the ``TransformRules`` in force, so that a seller who raises the margin or fixes a
category mapping sees the listings follow on the next sync — not only when the supplier happens to
change the item. Pricing rules enter only the content hash (a margin change is a price-only
update: one Naver call); every other rule enters both (a category or word change is structural).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import orjson

from schemas.domeggook import DomeggookItem
from storebridge.transform import TransformRules, content_hash, structure_hash

#: Rule fields that only move prices (a change is a price/stock update, not a full one).
PRICE_FIELDS = frozenset(
    {
        "margin_percent",
        "margin_fixed_won",
        "commission_percent",
        "coupon_percent",
        "min_margin_won",
        "min_sale_price_won",
        "max_sale_price_won",
        "price_unit_won",
    }
)


class ChangeKind(StrEnum):
    """What a re-fetched item needs on Naver: nothing, the cheapest price/stock call, or a full update."""

    NONE = "none"
    PRICE_STOCK = "price_stock"
    STRUCTURE = "structure"


def _plain(value: Any) -> Any:
    """A JSON-able, order-independent form of a rule value."""
    if isinstance(value, Mapping):
        return sorted((str(k), _plain(v)) for k, v in value.items())
    if isinstance(value, frozenset | set):
        return sorted(str(v) for v in value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    return str(value)


def _digest(*parts: Any) -> str:
    return hashlib.sha256(orjson.dumps(_plain(parts))).hexdigest()


@dataclasses.dataclass(frozen=True)
class RulesFingerprint:
    """Fingerprints of one ``TransformRules``: its pricing part and everything else."""

    pricing: str
    structure: str

    @classmethod
    def of(cls, rules: TransformRules) -> RulesFingerprint:
        """Fingerprint ``rules`` (stable across processes and dict orders)."""
        values = {f.name: getattr(rules, f.name) for f in dataclasses.fields(rules)}
        pricing = {k: v for k, v in values.items() if k in PRICE_FIELDS}
        other = {k: v for k, v in values.items() if k not in PRICE_FIELDS}
        return cls(pricing=_digest(pricing), structure=_digest(other))


def listing_hashes(item: DomeggookItem, rules: RulesFingerprint) -> tuple[str, str]:
    """``(content, structure)`` hashes to store after a successful sync of ``item``."""
    structure = _digest(structure_hash(item), rules.structure)
    return _digest(content_hash(item), rules.structure, rules.pricing), structure


def classify(
    previous_content: str | None, previous_structure: str | None, item: DomeggookItem, rules: RulesFingerprint
) -> ChangeKind:
    """What a re-sync must send: nothing, price/stock only, or the whole product.

    Unknown previous hashes (a new or just adopted product) count as a structural change.
    """
    content, structure = listing_hashes(item, rules)
    if previous_content == content:
        return ChangeKind.NONE
    if previous_structure is not None and previous_structure == structure:
        return ChangeKind.PRICE_STOCK
    return ChangeKind.STRUCTURE
