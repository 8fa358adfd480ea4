"""MOQ_POLICY=bundle: list a supplier's minimum order quantity as one Naver unit ("N개 묶음").

Smart Store can enforce a minimum purchase (``minPurchaseQuantity``), but a product that must be
bought ten at a time reads badly and prices per piece. With ``moq_policy="bundle"`` an item whose
MOQ N exceeds ``max_moq`` becomes an item of bundles: the name starts with "N개 묶음", the cost is
N × the unit price of the MOQ tier, every add-on is × N, every stock is ÷ N (rounded down: a
partial bundle cannot ship), the minimum resale price is × N, and the MOQ becomes 1. Shipping is
computed on N pieces per unit by ``build_delivery(pieces_per_unit=N)``.

The function rewrites the parsed ``DomeggookItem`` so the rest of the transform stays unaware of
bundling; it is pure.
"""

from __future__ import annotations

from schemas.domeggook import DomeggookItem
from storebridge.transform.price import cost_tiers, order_quantity, tier_price
from storebridge.transform.rules import Market, TransformRules


def bundle_size(item: DomeggookItem, rules: TransformRules) -> int:
    """Supplier pieces in one Naver unit: the MOQ when the policy bundles it, else 1."""
    moq = order_quantity(item, rules.market)
    return moq if rules.moq_policy == "bundle" and moq > rules.max_moq else 1


def bundle_label(size: int) -> str:
    """The name prefix that tells the shopper how many pieces one purchase holds."""
    return f"{size}개 묶음"


def bundle_item(item: DomeggookItem, size: int, market: Market) -> DomeggookItem:
    """``item`` with one unit = ``size`` pieces (see the module docstring); ``size`` 1 = unchanged."""
    if size <= 1:
        return item
    updates: dict[str, object] = {
        "basis": item.basis.model_copy(update={"title": f"{bundle_label(size)} {item.basis.title}"})
    }
    if item.price is not None:
        tiers = cost_tiers(item, market)
        price_update: dict[str, object] = {}
        if tiers:
            price_update[market] = ((1, tier_price(tiers, size) * size),)
        resale = item.price.resale
        if resale is not None and resale.minimum is not None:
            price_update["resale"] = resale.model_copy(update={"minimum": resale.minimum * size})
        updates["price"] = item.price.model_copy(update=price_update)
    if item.qty is not None:
        unit = item.qty.dome_unit if market == "dome" else item.qty.supply_unit
        qty_update: dict[str, object] = {"dome_moq": 1 if market == "dome" else item.qty.dome_moq}
        if item.qty.inventory is not None:
            qty_update["inventory"] = item.qty.inventory // size
        if unit is not None and unit > 1 and size % unit == 0:
            # A bundle of MOQ pieces is a whole number of the supplier's order multiple.
            qty_update["dome_unit" if market == "dome" else "supply_unit"] = 1
        updates["qty"] = item.qty.model_copy(update=qty_update)
    if item.select_opt is not None and item.select_opt.data:
        data = {
            key: variant.model_copy(
                update={
                    "qty": variant.qty // size if variant.qty > 0 else variant.qty,
                    "dom_price": variant.dom_price * size,
                    "sup_price": variant.sup_price * size,
                }
            )
            for key, variant in item.select_opt.data.items()
        }
        updates["select_opt"] = item.select_opt.model_copy(update={"data": data})
    return item.model_copy(update=updates)
