"""``ListingSnapshot``: what we last told Naver about one product, as stored on its row.

The cheap update paths depend on it: a price/stock change of a product with options is addressed by
the option row ids remembered here (no GET needed), and a suspended product remembers that it was
suspended so the next on-sale sync resumes it. The row keeps it as JSON (``products.snapshot``);
this value is the only code that reads or writes that JSON, so its keys are spelled once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class ListingSnapshot:
    """Sale price, stock and option row ids last sent, and whether the sale is suspended."""

    sale_price: int | None = None
    stock: int | None = None
    #: ``sellerManagerCode`` of an option row → its Naver row id.
    option_ids: Mapping[str, int] = field(default_factory=dict)
    suspended: bool = False

    @classmethod
    def of_wire(cls, wire: Mapping[str, Any], option_ids: Mapping[str, int]) -> ListingSnapshot:
        """The snapshot of a payload just written to Naver (never suspended: it was just sent)."""
        origin = wire["originProduct"]
        return cls(
            sale_price=origin.get("salePrice"),
            stock=origin.get("stockQuantity"),
            option_ids=dict(option_ids),
        )

    @classmethod
    def from_json(cls, stored: Any) -> ListingSnapshot:
        """Read the row's JSON; a row without one (new, or just adopted) gives the empty snapshot."""
        if not isinstance(stored, Mapping):
            return cls()
        ids = stored.get("option_ids")
        return cls(
            sale_price=stored.get("sale_price"),
            stock=stored.get("stock"),
            option_ids={str(k): int(v) for k, v in ids.items()} if isinstance(ids, Mapping) else {},
            suspended=bool(stored.get("suspended")),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON stored on the row (``suspended`` only appears while it is true)."""
        stored: dict[str, Any] = {
            "sale_price": self.sale_price,
            "stock": self.stock,
            "option_ids": dict(self.option_ids),
        }
        if self.suspended:
            stored["suspended"] = True
        return stored

    def as_suspended(self) -> ListingSnapshot:
        """The same snapshot, marked suspended (the next on-sale sync resumes the sale)."""
        return replace(self, suspended=True)
