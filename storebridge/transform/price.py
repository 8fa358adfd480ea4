"""Sale price from the supplier's cost (business-rules §5).

Arithmetic is exact (``Fraction``): a float margin of 1.3 × 9,900 would round 12,870 up to 12,880.
The cost basis is the tier of ``price.dome`` (or ``price.supply``) that applies to one order of the
supplier's minimum quantity — normally the single-unit tier — never the list-level ``price``
(which is the MOQ-tier price of the search result).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from schemas.domeggook import DomeggookItem, TierTable
from storebridge.transform.result import (
    Adjustment,
    AdjustmentCode,
    Rejection,
    RejectionCode,
    adjust,
    reject,
)
from storebridge.transform.rules import Market, TransformRules


@dataclass(frozen=True)
class PriceOutcome:
    """The base cost and sale price, or the rejections that prevent pricing."""

    cost_won: int | None
    sale_price_won: int | None
    rejections: tuple[Rejection, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()


def cost_tiers(item: DomeggookItem, market: Market) -> TierTable | None:
    """The market's tier table; ``None`` means the item is not sold on that market."""
    if item.price is None:
        return None
    return item.price.dome if market == "dome" else item.price.supply


def order_quantity(item: DomeggookItem, market: Market) -> int:
    """Smallest quantity one order must buy from the supplier (MOQ, at least 1)."""
    moq = item.qty.dome_moq if item.qty is not None and market == "dome" else None
    return max(1, moq or 1)


def tier_price(tiers: TierTable, quantity: int) -> int:
    """Unit price for ``quantity``: the tier with the largest minimum ≤ quantity, else the first tier."""
    applicable = [amount for min_qty, amount in tiers if min_qty <= quantity]
    return applicable[-1] if applicable else tiers[0][1]


def ceil_to_unit(value: Fraction, unit_won: int) -> int:
    """Round up to a multiple of ``unit_won`` (10 won by default)."""
    return math.ceil(value / unit_won) * unit_won


def markup(cost_won: int, rules: TransformRules, shipping_share_won: int = 0) -> int:
    """Apply the margin formula to a cost; the result is not yet bounded or resale-adjusted."""
    multiplier = 1 + Fraction(rules.margin_percent) / 100
    gross = (Fraction(cost_won + shipping_share_won) * multiplier + rules.margin_fixed_won) / (
        1 - Fraction(rules.fee_fraction)
    )
    return ceil_to_unit(gross, rules.price_unit_won)


def net_margin_won(
    sale_won: int, cost_won: int, rules: TransformRules, shipping_share_won: int = 0
) -> Fraction:
    """What the store keeps after fees, cost and included shipping."""
    return sale_won * (1 - Fraction(rules.fee_fraction)) - cost_won - shipping_share_won


def compute_price(item: DomeggookItem, rules: TransformRules, shipping_share_won: int = 0) -> PriceOutcome:
    """Base sale price of the item, with every guard of business-rules §5 applied.

    Missing price → PRICE_MISSING; cost ≤ 0 or a result outside the configured bounds →
    PRICE_OUT_OF_RANGE; below the supplier's minimum resale price → raised to it (adjustment);
    net margin below ``min_margin_won`` → PRICE_BELOW_MIN_MARGIN.
    """
    no, field_path = item.no, f"price.{rules.market}"
    tiers = cost_tiers(item, rules.market)
    if tiers is None:
        cause = f"no {field_path} (not sold on the {rules.market} market)"
        return PriceOutcome(None, None, (reject(no, RejectionCode.PRICE_MISSING, field_path, cause),))
    cost = tier_price(tiers, order_quantity(item, rules.market))
    if cost <= 0:
        cause = f"cost {cost} won from {field_path} is not positive"
        return PriceOutcome(cost, None, (reject(no, RejectionCode.PRICE_OUT_OF_RANGE, field_path, cause),))
    sale = markup(cost, rules, shipping_share_won)
    adjustments: list[Adjustment] = []
    resale = item.price.resale if item.price is not None else None
    minimum = resale.minimum if resale is not None else None
    if minimum is not None and minimum > 0 and sale < minimum:
        raised = ceil_to_unit(Fraction(minimum), rules.price_unit_won)
        what = f"sale price {sale} raised to {raised} (supplier minimum resale price {minimum})"
        adjustments.append(
            adjust(no, AdjustmentCode.PRICE_RAISED_TO_RESALE_MINIMUM, "price.resale.minimum", what)
        )
        sale = raised
    rejections: list[Rejection] = []
    if not rules.min_sale_price_won <= sale <= rules.max_sale_price_won:
        cause = (
            f"sale price {sale} won (cost {cost}) is outside "
            f"{rules.min_sale_price_won}..{rules.max_sale_price_won} won"
        )
        rejections.append(reject(no, RejectionCode.PRICE_OUT_OF_RANGE, "salePrice", cause))
    elif net_margin_won(sale, cost, rules, shipping_share_won) < rules.min_margin_won:
        cause = (
            f"sale price {sale} won leaves less than {rules.min_margin_won} won over cost {cost} after fees"
        )
        rejections.append(reject(no, RejectionCode.PRICE_BELOW_MIN_MARGIN, "salePrice", cause))
    return PriceOutcome(cost, None if rejections else sale, tuple(rejections), tuple(adjustments))


def option_surcharge(
    cost_won: int, add_on_won: int, rules: TransformRules, shipping_share_won: int = 0
) -> int:
    """Naver option surcharge for a supplier add-on, with the same margin as the base price.

    ``markup(cost + add_on) − markup(cost)``: a 500-won add-on at 20 % margin becomes a 600-won
    surcharge, so every variant earns the same percentage. Zero add-on → zero surcharge.
    """
    if add_on_won == 0:
        return 0
    return markup(cost_won + add_on_won, rules, shipping_share_won) - markup(
        cost_won, rules, shipping_share_won
    )
