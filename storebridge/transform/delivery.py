"""Domeggook shipping and return terms → Naver ``deliveryInfo`` (business-rules §9).

Mapped (fee shapes and their Naver types: ``shipping_fee``): free (``pay``/``type`` mentions 무료,
or a zero fee) → FREE; 고정배송비 → PAID; 수량별비례 → UNIT_QUANTITY_PAID when it is one repeated
step, else RANGE_QUANTITY_PAID (capping the order quantity where a fourth step would start);
수량별차등 → RANGE_QUANTITY_PAID (up to three ranges), or CONDITIONAL_FREE when the only change is
"free from N pieces". Who pays: 선결제 → PREPAID, 착불 → COLLECT, both → COLLECT_OR_PREPAID
(``deliveryFeePayType``, DOC create-product-product.md). Still refused (DELIVERY_UNSUPPORTED):
금액비노출 (no fee given), a 조건부 type without a table (threshold not in the API), overseas and
non-parcel shipping. With ``shipping_mode="included"`` a prepaid fee is folded into the price
(the largest per-unit share of any order) and the customer sees free shipping; pay-on-delivery
stays COLLECT (the buyer pays the courier, so folding it in would charge twice).

Return fee = the supplier's one-way ``return.deliAmt``; exchange fee = the round trip (twice).
Addresses come from the seller's address book (``NAVER_SHIPPING_ADDRESS_ID`` /
``NAVER_RETURN_ADDRESS_ID``); unset, Naver uses the seller's defaults.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from schemas.domeggook import DeliFee, DomeggookItem
from schemas.naver import (
    MAX_AREA_FEE_WON,
    MAX_BASE_FEE_WON,
    MAX_CLAIM_FEE_WON,
    MAX_PRICE_WON,
    ClaimDeliveryInfo,
    DeliveryFee,
    DeliveryFeeByArea,
    DeliveryInfo,
)
from storebridge.transform.result import (
    Adjustment,
    AdjustmentCode,
    Rejection,
    RejectionCode,
    adjust,
    reject,
)
from storebridge.transform.rules import TransformRules
from storebridge.transform.shipping_fee import NaverFee, SupplierFee, naver_fee, shipping_share_won

PayType = Literal["PREPAID", "COLLECT", "COLLECT_OR_PREPAID"]


@dataclass(frozen=True)
class FeeRule:
    """The supplier's fee function and who pays it (``deliveryFeePayType``)."""

    fee: SupplierFee
    pay_type: PayType = "PREPAID"


@dataclass(frozen=True)
class DeliveryPlan:
    """The Naver delivery block, the shipping share to fold into the unit price, and notes.

    ``free_from_units`` (CONDITIONAL_FREE): ``info`` holds a placeholder ``freeConditionalAmount``
    until ``priced`` turns the quantity into won, once the sale price is known.
    ``max_order_units`` caps one order (``maxPurchaseQuantityPerOrder``) so the fee ranges cover it.
    """

    info: DeliveryInfo
    shipping_share_won: int
    max_order_units: int | None = None
    free_from_units: int | None = None
    adjustments: tuple[Adjustment, ...] = ()

    def priced(self, max_unit_price_won: int) -> DeliveryPlan:
        """Set CONDITIONAL_FREE's amount: ``free_from_units`` × the dearest unit (never free earlier).

        An order reaches the amount only with at least that many units, whatever options it mixes,
        so shipping is free exactly where the supplier's is (or later).
        """
        if self.free_from_units is None:
            return self
        amount = min(MAX_PRICE_WON, self.free_from_units * max_unit_price_won)
        fee = self.info.delivery_fee.model_copy(update={"free_conditional_amount": amount})
        return dataclasses.replace(self, info=self.info.model_copy(update={"delivery_fee": fee}))


def _unsupported(no: int, path: str, cause: str) -> Rejection:
    return reject(no, RejectionCode.DELIVERY_UNSUPPORTED, path, cause)


def _pay_type(pay: str) -> PayType:
    collect, prepaid = "착불" in pay, "선결제" in pay or "선불" in pay
    if collect and prepaid:
        return "COLLECT_OR_PREPAID"
    return "COLLECT" if collect else "PREPAID"


def fee_rule(item: DomeggookItem, rules: TransformRules) -> FeeRule | Rejection:
    """Read the market's fee rule, rejecting every shape whose meaning is not documented."""
    no, deli = item.no, item.deli
    if deli is None:
        return _unsupported(no, "deli", "no shipping terms")
    if deli.from_oversea:
        return _unsupported(no, "deli.fromOversea", "ships from overseas")
    method = deli.method.strip()
    if method and "택배" not in method:
        return _unsupported(no, "deli.method", f"shipping method {method[:20]!r} is not parcel delivery")
    spec: DeliFee | None = deli.dome if rules.market == "dome" else deli.supply
    path = f"deli.{rules.market}"
    kind = spec.type.strip() if spec is not None else ""
    pay = (spec.pay if spec is not None and spec.pay.strip() else "") or deli.pay
    if ("무료" in pay and "조건" not in pay) or ("무료" in kind and "조건" not in kind):
        return FeeRule(SupplierFee())
    if spec is None:
        return _unsupported(no, path, "no fee terms for the market")
    pay_type = _pay_type(pay)
    if kind == "고정배송비":
        fee = spec.fee if spec.fee is not None else _single_amount(spec)
        if fee is None:
            return _unsupported(no, f"{path}.fee", "fixed fee without an amount")
        return FeeRule(SupplierFee(flat_won=fee), pay_type)
    if kind == "수량별비례":
        table = spec.tbl or ()
        if not 1 <= len(table) <= 2 or any(qty < 1 or fee < 0 for qty, fee in table):
            return _unsupported(no, f"{path}.tbl", "proportional fee needs one or two 'qty+fee' steps")
        (first_qty, first_fee), (every_qty, every_fee) = table[0], table[-1]
        return FeeRule(SupplierFee(step=(first_qty, first_fee, every_qty, every_fee)), pay_type)
    if kind == "수량별차등" or ("조건" in kind and spec.tbl):
        table = spec.tbl or ()
        if not table or any(qty < 1 or fee < 0 for qty, fee in table):
            return _unsupported(no, f"{path}.tbl", "tiered fee without a valid 'qty+fee' table")
        return FeeRule(SupplierFee(tiers=tuple(sorted(table))), pay_type)
    if "조건" in pay or "조건" in kind:
        return _unsupported(no, f"{path}.type", "conditional free shipping without a threshold table")
    return _unsupported(no, f"{path}.type", f"fee type {kind[:20]!r} is not supported")


def _single_amount(spec: DeliFee) -> int | None:
    return spec.tbl[0][1] if spec.tbl is not None and len(spec.tbl) == 1 and spec.tbl[0][0] == 1 else None


def _area_fees(item: DomeggookItem) -> DeliveryFeeByArea | Rejection | None:
    extra = item.deli.fee_extra if item.deli is not None else None
    jeju = (extra.jeju or 0) if extra is not None else 0
    islands = (extra.islands or 0) if extra is not None else 0
    if jeju < 0 or islands < 0 or max(jeju, islands) > MAX_AREA_FEE_WON:
        cause = f"area surcharges jeju={jeju} islands={islands} outside 0..{MAX_AREA_FEE_WON} won"
        return reject(item.no, RejectionCode.DELIVERY_FEE_OUT_OF_RANGE, "deli.feeExtra", cause)
    if not jeju and not islands:
        return None
    if jeju and islands and jeju != islands:
        return DeliveryFeeByArea(delivery_area_type="AREA_3", area2_extra_fee=jeju, area3_extra_fee=islands)
    return DeliveryFeeByArea(delivery_area_type="AREA_2", area2_extra_fee=max(jeju, islands))


def _claim(item: DomeggookItem, rules: TransformRules) -> ClaimDeliveryInfo | Rejection:
    returns = item.return_info
    one_way = returns.deli_amt if returns is not None and returns.deli_amt is not None else None
    one_way = rules.default_return_fee_won if one_way is None else one_way
    if one_way is None:
        return reject(item.no, RejectionCode.RETURN_FEE_MISSING, "return.deliAmt", "no return fee given")
    # Smart Store's 교환배송비 is the round trip (the item comes back and a new one goes out), so it
    # is always twice the one-way fee; ``deliAmtDouble``'s meaning at Domeggook is undocumented.
    exchange = one_way * 2
    if one_way < 0 or exchange > MAX_CLAIM_FEE_WON:
        cause = f"return fee {one_way} / exchange fee {exchange} outside 0..{MAX_CLAIM_FEE_WON} won"
        return reject(item.no, RejectionCode.DELIVERY_FEE_OUT_OF_RANGE, "return.deliAmt", cause)
    return ClaimDeliveryInfo(
        return_delivery_fee=one_way,
        exchange_delivery_fee=exchange,
        shipping_address_id=rules.shipping_address_id,
        return_address_id=rules.return_address_id,
    )


def _fee_block(
    no: int, rule: FeeRule, table: NaverFee, area: DeliveryFeeByArea | None, path: str
) -> DeliveryFee | Rejection:
    fees = [table.base_won, *(extra for _, extra in table.ranges)]
    if not all(0 <= fee <= MAX_BASE_FEE_WON for fee in fees):
        cause = f"shipping fee {max(fees)} won outside 0..{MAX_BASE_FEE_WON}"
        return reject(no, RejectionCode.DELIVERY_FEE_OUT_OF_RANGE, path, cause)
    if table.kind == "FREE":
        return DeliveryFee(delivery_fee_type="FREE", delivery_fee_by_area=area)
    second = table.ranges[0] if table.ranges else (None, None)
    third = table.ranges[1] if len(table.ranges) > 1 else (None, None)
    return DeliveryFee(
        delivery_fee_type=table.kind,
        base_fee=table.base_won,
        repeat_quantity=table.repeat_units,
        # Placeholder until ``DeliveryPlan.priced`` knows the sale price.
        free_conditional_amount=table.free_from_units,
        second_base_quantity=second[0],
        second_extra_fee=second[1],
        third_base_quantity=third[0],
        third_extra_fee=third[1],
        delivery_fee_pay_type=rule.pay_type,
        delivery_fee_by_area=area,
    )


def build_delivery(
    item: DomeggookItem, rules: TransformRules, order_quantity: int, pieces_per_unit: int = 1
) -> DeliveryPlan | list[Rejection]:
    """The ``deliveryInfo`` block plus the shipping share for pricing, or every reason it failed.

    ``order_quantity`` is the smallest order in Naver units (``minPurchaseQuantity``, 1 when
    bundled); ``pieces_per_unit`` the supplier pieces in one Naver unit (the bundle size).
    """
    no, path = item.no, f"deli.{rules.market}"
    rule = fee_rule(item, rules)
    area = _area_fees(item)
    claim = _claim(item, rules)
    failures = [part for part in (rule, area, claim) if isinstance(part, Rejection)]
    if failures or not isinstance(rule, FeeRule) or not isinstance(claim, ClaimDeliveryInfo):
        return failures
    assert not isinstance(area, Rejection)
    notes: list[Adjustment] = []
    included = rules.shipping_mode == "included" and rule.pay_type != "COLLECT"
    if included:
        table: NaverFee | str = NaverFee("FREE")
        share = shipping_share_won(rule.fee, pieces_per_unit, order_quantity)
    else:
        table, share = naver_fee(rule.fee, pieces_per_unit, order_quantity), 0
    if isinstance(table, str):
        return [_unsupported(no, f"{path}.tbl", table)]
    fee = _fee_block(no, rule, table, area, path)
    if isinstance(fee, Rejection):
        return [fee]
    if table.rounded_up:
        what = "a cheaper large-order shipping tier is charged at the dearer fee (Naver's ranges only add)"
        notes.append(adjust(no, AdjustmentCode.DELIVERY_FEE_ROUNDED_UP, f"{path}.tbl", what))
    if table.max_order_units is not None:
        what = f"one order limited to {table.max_order_units} so the shipping fee steps fit Naver's ranges"
        notes.append(adjust(no, AdjustmentCode.ORDER_QUANTITY_CAPPED, f"{path}.tbl", what))
    info = DeliveryInfo(
        delivery_type="DELIVERY",
        delivery_attribute_type="NORMAL",
        delivery_company=rules.delivery_company,
        delivery_fee=fee,
        claim_delivery_info=claim,
    )
    return DeliveryPlan(
        info=info,
        shipping_share_won=share,
        max_order_units=table.max_order_units,
        free_from_units=table.free_from_units,
        adjustments=tuple(notes),
    )
