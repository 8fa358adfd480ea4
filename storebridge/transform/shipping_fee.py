"""The supplier's shipping fee as a function of quantity, and the Naver fee type that expresses it.

Domeggook's ``deli.{market}`` fee shapes (domeggook-api.md §2.4; semantics OBSERVED in two public
clients, ``kimdindoo/domeggook`` ``product_detail_screen.dart`` and a getItemView v4.6 parser):

* 고정배송비 ``fee`` — one fee per order.
* 수량별차등 ``"1+3000|10+5000|50+0"`` — the fee *of the order* is the one of the last tier whose
  minimum is ≤ the quantity (1–9 pieces 3,000; 10–49 5,000; 50+ free).
* 수량별비례 ``"10+3500|30+3500"`` — 3,500 up to 10 pieces, then 3,500 more for every further 30
  started; a single step ``"30+3000"`` (or ``"30+3000|30+3000"``) is 3,000 per 30 started.

Naver's ``deliveryFee`` (create-product-product.md, DOC) has FREE, PAID (``baseFee`` per order),
UNIT_QUANTITY_PAID (``baseFee`` per ``repeatQuantity`` started), RANGE_QUANTITY_PAID (``baseFee``,
plus ``secondExtraFee`` from ``secondBaseQuantity``, plus ``thirdExtraFee`` from
``thirdBaseQuantity`` — "수량별 부과 - 구간 직접 설정", at most three ranges) and CONDITIONAL_FREE
(``baseFee`` until the order reaches ``freeConditionalAmount`` won).

Everything is computed in *Naver units*: with MOQ_POLICY=bundle one unit is ``pieces_per_unit``
supplier pieces, so the fee of ``k`` units is the supplier's fee of ``k × pieces_per_unit``.
The mapping is exact where Naver can express the table; otherwise it is the nearest table that
never charges *less* than the supplier (the seller never pays shipping out of the margin), and the
caller records an adjustment. It is pure and total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from schemas.domeggook import TierTable

#: Naver's fee tables have at most this many quantity ranges (RANGE_QUANTITY_PAID).
MAX_RANGES = 3
#: How far a proportional table is unrolled looking for its ranges (Naver's own order limit).
MAX_ORDER_UNITS = 10_000

FeeKind = Literal["FREE", "PAID", "UNIT_QUANTITY_PAID", "RANGE_QUANTITY_PAID", "CONDITIONAL_FREE"]


@dataclass(frozen=True)
class SupplierFee:
    """``fee(q)`` for an order of ``q`` supplier pieces.

    ``tiers`` (수량별차등): ascending ``(minimum, fee)``; ``step`` (수량별비례): ``(first_qty,
    first_fee, every_qty, every_fee)``; neither: ``flat_won`` per order (0 = free).
    """

    flat_won: int = 0
    tiers: TierTable | None = None
    step: tuple[int, int, int, int] | None = None

    def fee(self, pieces: int) -> int:
        """The supplier's shipping fee for one order of ``pieces``."""
        if self.tiers:
            applicable = [fee for minimum, fee in self.tiers if minimum <= pieces]
            return applicable[-1] if applicable else self.tiers[0][1]
        if self.step is not None:
            first_qty, first_fee, every_qty, every_fee = self.step
            if pieces <= first_qty:
                return first_fee
            return first_fee + math.ceil((pieces - first_qty) / every_qty) * every_fee
        return self.flat_won

    def thresholds(self) -> list[int]:
        """Piece counts where the fee may change (beyond the first piece), ascending."""
        if self.tiers:
            return [minimum for minimum, _ in self.tiers if minimum > 1]
        if self.step is not None:
            first_qty, _, every_qty, _ = self.step
            return list(range(first_qty + 1, first_qty + 1 + every_qty * (MAX_RANGES + 1), every_qty))
        return []


@dataclass(frozen=True)
class NaverFee:
    """A Naver fee table: ``kind``, ``base_won``, ranges ``(from_units, extra_won)``, and notes.

    ``repeat_units`` for UNIT_QUANTITY_PAID; ``free_from_units`` for CONDITIONAL_FREE (the caller
    turns it into ``freeConditionalAmount``); ``max_order_units`` caps an order so the ranges
    cover it exactly; ``rounded_up`` says some order pays more than at the supplier.
    """

    kind: FeeKind
    base_won: int = 0
    repeat_units: int | None = None
    ranges: tuple[tuple[int, int], ...] = ()
    free_from_units: int | None = None
    max_order_units: int | None = None
    rounded_up: bool = False


def _units(pieces: int, per_unit: int) -> int:
    return max(1, math.ceil(pieces / per_unit))


def _levels(supplier: SupplierFee, per_unit: int) -> list[tuple[int, int]]:
    """``(first unit count, fee)`` wherever the per-order fee in Naver units changes, ascending."""
    levels = [(1, supplier.fee(per_unit))]
    for pieces in supplier.thresholds():
        units = _units(pieces, per_unit)
        if units > MAX_ORDER_UNITS:
            break
        fee = supplier.fee(units * per_unit)
        if units == levels[-1][0]:
            levels[-1] = (units, fee)
        elif fee != levels[-1][1]:
            levels.append((units, fee))
    return levels


def _unit_quantity(supplier: SupplierFee, per_unit: int) -> NaverFee | None:
    """``fee × ceil(units / r)`` exactly (수량별비례 with one repeated step), else ``None``."""
    if supplier.step is None:
        return None
    first_qty, first_fee, every_qty, every_fee = supplier.step
    if first_qty != every_qty or first_fee != every_fee:
        return None
    if first_qty % per_unit == 0:
        return NaverFee("UNIT_QUANTITY_PAID", first_fee, repeat_units=first_qty // per_unit)
    if per_unit % first_qty == 0:
        return NaverFee("UNIT_QUANTITY_PAID", first_fee * (per_unit // first_qty), repeat_units=1)
    return None


def naver_fee(supplier: SupplierFee, per_unit: int = 1, min_units: int = 1) -> NaverFee | str:
    """The Naver fee table for ``supplier`` in units of ``per_unit`` pieces, or why there is none.

    ``min_units`` is the smallest order Naver will accept (``minPurchaseQuantity``): a cap below
    it would make the product unorderable.
    """
    exact = _unit_quantity(supplier, per_unit)
    if exact is not None:
        return exact
    levels = _levels(supplier, per_unit)
    fees = [fee for _, fee in levels]
    if all(fee == 0 for fee in fees):
        return NaverFee("FREE")
    if fees[0] == 0:
        return "the fee rises from free with the quantity, which Naver cannot express"
    if fees[-1] == 0 and len(set(fees[:-1])) == 1:
        return NaverFee("CONDITIONAL_FREE", fees[0], free_from_units=levels[-1][0])
    # The running maximum never charges less than the supplier; a cheaper large-order tier is
    # kept at the dearer fee (RANGE_QUANTITY_PAID's extra fees only add).
    envelope: list[tuple[int, int]] = []
    for units, fee in levels:
        if not envelope or fee > envelope[-1][1]:
            envelope.append((units, fee))
    rounded_up = len(envelope) != len(levels)
    cap = None
    if len(envelope) > MAX_RANGES:
        cap = envelope[MAX_RANGES][0] - 1
        if cap < min_units:
            changes = len(envelope) - 1
            return f"the fee changes {changes} times before the minimum order; Naver has three ranges"
        envelope = envelope[:MAX_RANGES]
    elif supplier.step is not None:
        # A proportional fee keeps rising past the unrolled steps: cap where the next step starts.
        last = supplier.fee(envelope[-1][0] * per_unit)
        nxt = next(
            (u for u in range(envelope[-1][0] + 1, MAX_ORDER_UNITS + 1) if supplier.fee(u * per_unit) > last),
            None,
        )
        cap = None if nxt is None else nxt - 1
    base = envelope[0][1]
    if len(envelope) == 1:
        return NaverFee("PAID", base, max_order_units=cap, rounded_up=rounded_up)
    ranges = tuple((units, fee - envelope[index][1]) for index, (units, fee) in enumerate(envelope[1:]))
    return NaverFee("RANGE_QUANTITY_PAID", base, ranges=ranges, max_order_units=cap, rounded_up=rounded_up)


def shipping_share_won(supplier: SupplierFee, per_unit: int, min_units: int) -> int:
    """Largest shipping cost per Naver unit of any order (PRICE_SHIPPING_MODE=included).

    Between fee changes the per-unit share falls, so the maximum is at the smallest order or
    where the fee steps up; folding it into the price never leaves an order short.
    """
    candidates = {min_units} | {
        max(min_units, _units(p, per_unit)) for p in supplier.thresholds() if p <= MAX_ORDER_UNITS * per_unit
    }
    return max(math.ceil(supplier.fee(units * per_unit) / units) for units in candidates)
