"""Domeggook shipping and return terms → Naver ``deliveryInfo`` (business-rules §9).

Mapped: free (``pay``/``type`` mentions 무료, or a zero fee) → FREE; 고정배송비 → PAID;
수량별비례 with one ``qty+fee`` step → UNIT_QUANTITY_PAID (fee per ``qty`` pieces). Everything
whose semantics are not documented — 수량별차등 (tier meaning unknown), 금액비노출, conditional
free shipping (threshold field unknown), 착불-only, overseas, non-parcel methods — is rejected as
DELIVERY_UNSUPPORTED rather than guessed. With ``shipping_mode="included"`` the customer sees free
shipping and the per-unit fee share is added to the price instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from schemas.domeggook import DeliFee, DomeggookItem
from schemas.naver import (
    MAX_AREA_FEE_WON,
    MAX_BASE_FEE_WON,
    MAX_CLAIM_FEE_WON,
    ClaimDeliveryInfo,
    DeliveryFee,
    DeliveryFeeByArea,
    DeliveryInfo,
)
from storebridge.transform.result import Rejection, RejectionCode, reject
from storebridge.transform.rules import TransformRules


@dataclass(frozen=True)
class FeeRule:
    """The supplier's fee: ``fee_won`` per ``per_quantity`` pieces (``None`` = per order); 0 = free."""

    fee_won: int
    per_quantity: int | None = None


@dataclass(frozen=True)
class DeliveryPlan:
    """The Naver delivery block and the shipping cost to fold into the unit price (included mode)."""

    info: DeliveryInfo
    shipping_share_won: int


def _unsupported(no: int, path: str, cause: str) -> Rejection:
    return reject(no, RejectionCode.DELIVERY_UNSUPPORTED, path, cause)


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
    if "착불" in deli.pay and "선결제" not in deli.pay:
        return _unsupported(no, "deli.pay", f"pay-on-delivery only ({deli.pay[:20]!r})")
    spec: DeliFee | None = deli.dome if rules.market == "dome" else deli.supply
    path = f"deli.{rules.market}"
    kind = spec.type.strip() if spec is not None else ""
    if "조건" in deli.pay or "조건" in kind:
        return _unsupported(no, f"{path}.type", "conditional free shipping (threshold not in the API)")
    if "무료" in deli.pay or "무료" in kind:
        return FeeRule(0)
    if spec is None:
        return _unsupported(no, path, "no fee terms for the market")
    if kind == "고정배송비":
        fee = spec.fee if spec.fee is not None else _single_amount(spec)
        if fee is None:
            return _unsupported(no, f"{path}.fee", "fixed fee without an amount")
        return FeeRule(fee)
    if kind == "수량별비례":
        if spec.tbl is None or len(spec.tbl) != 1:
            return _unsupported(no, f"{path}.tbl", "proportional fee needs exactly one 'qty+fee' step")
        per_quantity, fee = spec.tbl[0]
        return FeeRule(fee, per_quantity)
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


def shipping_share_won(rule: FeeRule, order_quantity: int) -> int:
    """Per-unit shipping cost when it is folded into the price (included mode)."""
    if rule.fee_won <= 0:
        return 0
    return math.ceil(rule.fee_won / (rule.per_quantity or order_quantity))


def build_delivery(
    item: DomeggookItem, rules: TransformRules, order_quantity: int
) -> DeliveryPlan | list[Rejection]:
    """The ``deliveryInfo`` block plus the shipping share for pricing, or every reason it failed."""
    rule = fee_rule(item, rules)
    area = _area_fees(item)
    claim = _claim(item, rules)
    failures = [part for part in (rule, area, claim) if isinstance(part, Rejection)]
    if isinstance(rule, FeeRule) and not 0 <= rule.fee_won <= MAX_BASE_FEE_WON:
        cause = f"shipping fee {rule.fee_won} won outside 0..{MAX_BASE_FEE_WON}"
        failures.append(
            reject(item.no, RejectionCode.DELIVERY_FEE_OUT_OF_RANGE, f"deli.{rules.market}", cause)
        )
    if failures or not isinstance(rule, FeeRule) or not isinstance(claim, ClaimDeliveryInfo):
        return failures
    assert not isinstance(area, Rejection)
    included = rules.shipping_mode == "included"
    if included or rule.fee_won == 0:
        fee = DeliveryFee(delivery_fee_type="FREE", delivery_fee_by_area=area)
    elif rule.per_quantity is None:
        fee = DeliveryFee(
            delivery_fee_type="PAID",
            base_fee=rule.fee_won,
            delivery_fee_pay_type="PREPAID",
            delivery_fee_by_area=area,
        )
    else:
        fee = DeliveryFee(
            delivery_fee_type="UNIT_QUANTITY_PAID",
            base_fee=rule.fee_won,
            repeat_quantity=rule.per_quantity,
            delivery_fee_pay_type="PREPAID",
            delivery_fee_by_area=area,
        )
    info = DeliveryInfo(
        delivery_type="DELIVERY",
        delivery_attribute_type="NORMAL",
        delivery_company=rules.delivery_company,
        delivery_fee=fee,
        claim_delivery_info=claim,
    )
    return DeliveryPlan(
        info=info, shipping_share_won=shipping_share_won(rule, order_quantity) if included else 0
    )
