"""Per-leaf gates of Naver (issue 8 §1): certification data and the unit price (가격표시제).

A leaf's ``exceptionalCategories`` (``rules.leaves``, from ``GET /v1/categories/{id}``) plus the
operator's ``requires`` override (``rules.certification_required``) say which gates apply:

- KC_CERTIFICATION / CHILD_CERTIFICATION / GREEN_PRODUCTS: a supplier certificate
  (``detail.safetyCert``) that matches one of the leaf's ``certificationInfos`` (the Naver name
  contains the supplier's type and name, e.g. "[생활용품] 안전확인" for 생활용품 / 안전확인) becomes a
  ``productCertificationInfos`` row, and ``certificationTargetExcludeContent`` says the product *is*
  a target (KC ``FALSE``, child/green ``false``) [DOC create-product-product.md]. No usable
  certificate → CERTIFICATION_REQUIRED naming the leaf, the gate and what is missing.
- UNIT_PRICE: ``unitCapacity`` from a capacity in the notice or the title ("500ml", "1L", "200g");
  none, or different capacities per option → UNIT_CAPACITY_MISSING.

Everything here runs in the dry transform, so a gated item stops before any image upload.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from schemas.domeggook import DomeggookItem, SafetyCert
from schemas.naver import CertificationTargetExcludeContent, ProductCertificationInfo, UnitCapacity
from storebridge.transform.result import Rejection, RejectionCode, reject
from storebridge.transform.rules import (
    CERTIFICATION_GATES,
    CHILD_CERTIFICATION,
    GREEN_PRODUCTS,
    KC_CERTIFICATION,
    REQUIRES_ALIASES,
    UNIT_PRICE,
    CertificationKind,
    LeafRules,
    TransformRules,
)
from storebridge.transform.text import meaningful, truncate

#: Certification types whose agency name and number Naver does not require (공급자적합성확인) [DOC].
SUPPLIER_CONFORMITY = "공급자적합성"
#: Types that need ``companyName`` (어린이제품 안전인증/안전확인; 방송통신기자재 적합…) [DOC].
_COMPANY_REQUIRED = ("어린이제품", "방송통신", "적합인증", "적합등록", "잠정인증")
_NON_WORD = re.compile(r"[^0-9A-Za-z가-힣]+")
_CAPACITY = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ml|mL|ML|㎖|l|L|ℓ|g|kg|KG|Kg|㎏)(?![A-Za-z])")
#: Unit → (indication unit, factor to it). Per-100 display is the usual 가격표시제 unit (INFERRED).
_UNITS = {
    "ml": ("ml", 1), "㎖": ("ml", 1), "l": ("ml", 1000), "ℓ": ("ml", 1000),
    "g": ("g", 1), "kg": ("g", 1000), "㎏": ("g", 1000),
}  # fmt: skip
UNIT_DISPLAY_CAPACITY = 100


@dataclass(frozen=True)
class GatePlan:
    """What a gated leaf's payload carries (all ``None`` for an ungated leaf)."""

    certifications: tuple[ProductCertificationInfo, ...] = ()
    exclusion: CertificationTargetExcludeContent | None = None
    unit_capacity: UnitCapacity | None = None


def leaf_gates(leaf: LeafRules, overrides: Iterable[str]) -> frozenset[str]:
    """Naver's exceptional categories of the leaf plus the operator's ``requires`` entries."""
    extra = {REQUIRES_ALIASES.get(name.strip().upper(), name.strip().upper()) for name in overrides}
    return leaf.exceptional | frozenset(e for e in extra if e)


def _norm(text: str) -> str:
    return _NON_WORD.sub("", text)


def _matches(cert: SafetyCert, kind: CertificationKind) -> bool:
    """The Naver type names the supplier's type and certification name ("[생활용품] 안전확인")."""
    wanted = [_norm(part) for part in (cert.type, cert.name) if _norm(part)]
    return bool(wanted) and all(part in _norm(kind.name) for part in wanted)


def _describe(certs: Iterable[SafetyCert]) -> str:
    return ", ".join(" ".join(p for p in (c.type, c.name, c.no) if p).strip() for c in certs)[:120]


def _certificate(item: DomeggookItem, gate: str, leaf: LeafRules) -> ProductCertificationInfo | str:
    """The certificate row for ``gate``, or what is missing (for the review message)."""
    detail = item.detail
    given = [c for c in (detail.safety_cert if detail else ()) if _norm(c.type + c.name + c.no)]
    if not given:
        return "the supplier gives no certificate (detail.safetyCert is empty)"
    kinds = [k for k in leaf.certifications if gate in k.kind_types]
    if not kinds:
        return "Naver's certification types for this leaf are not known (no reference data)"
    for cert in given:
        for kind in kinds:
            if not _matches(cert, kind):
                continue
            conformity = SUPPLIER_CONFORMITY in _norm(kind.name)
            number = meaningful(cert.no)
            if number is None and not conformity:
                return f"the supplier's {_describe([cert])} has no certificate number"
            company = None
            if any(word in _norm(kind.name) for word in _COMPANY_REQUIRED):
                maker = meaningful(detail.manufacturer) if detail else None
                seller = item.seller.company.name if item.seller and item.seller.company else ""
                company = maker or meaningful(seller)
                if company is None:
                    return f"{kind.name} needs the certified company name, which the supplier does not give"
            # ``name`` is the certifying agency (인증기관명); Domeggook gives none, so the supplier's
            # certification name stands in (doubt: docs/notes/gates.md).
            return ProductCertificationInfo(
                certification_info_id=kind.id,
                certification_kind_type=gate,
                name=None if conformity else truncate(meaningful(cert.name) or kind.name, 100),
                certification_number=None if number is None else truncate(number, 100),
                company_name=None if company is None else truncate(company, 100),
            )
    accepted = ", ".join(k.name for k in kinds)[:120]
    return f"the supplier's certificate ({_describe(given)}) is none of the types it accepts ({accepted})"


def _capacities(texts: Iterable[str]) -> set[tuple[str, float]]:
    found: set[tuple[str, float]] = set()
    for text in texts:
        for number, unit in _CAPACITY.findall(text):
            indication, factor = _UNITS[unit.lower() if unit.lower() in _UNITS else unit]
            found.add((indication, float(number.replace(",", ".")) * factor))
    return found


def unit_capacity(item: DomeggookItem) -> UnitCapacity | str:
    """``unitCapacity`` from one capacity in the notice's 용량/중량 line or the title, else why not."""
    option_texts: list[str] = []
    if item.select_opt is not None:
        option_texts = [value for axis in item.select_opt.axes for value in axis.opts]
        option_texts += [variant.name for variant in item.select_opt.data.values()]
    if len(_capacities(option_texts)) > 1:
        return "the options differ in capacity, but Naver takes one unit capacity per product"
    duty = item.detail.info_duty if item.detail else None
    notice = [e.desc for e in (duty.item if duty else ()) if "용량" in e.name or "중량" in e.name]
    for source in (notice, [item.basis.title], option_texts):
        found = _capacities(source)
        if len(found) == 1:
            indication, total = found.pop()
            return UnitCapacity(
                unit_price_yn=True,
                total_capacity_value=total,
                unit_capacity=UNIT_DISPLAY_CAPACITY,
                indication_unit=indication,
            )
        if len(found) > 1:
            return "the supplier states more than one capacity"
    return "no capacity (e.g. 500ml, 1kg) in the title or the notice's 용량/중량 line"


def plan_gates(item: DomeggookItem, leaf_id: str, rules: TransformRules) -> GatePlan | list[Rejection]:
    """The gate fields of the item's leaf, or one rejection per gate it cannot pass."""
    leaf = rules.leaves.get(leaf_id) or LeafRules()
    gates = leaf_gates(leaf, rules.certification_required.get(leaf_id, ()))
    label = f"Naver leaf {leaf_id}" + (f" ({leaf.whole_name})" if leaf.whole_name else "")
    if leaf.problem:
        cause = f"the category map sends this item to {label}, but {leaf.problem}"
        return [reject(item.no, RejectionCode.CATEGORY_NOT_MAPPED, "category.current.code", cause)]
    rejections: list[Rejection] = []
    certificates: list[ProductCertificationInfo] = []
    exclusion: dict[str, object] = {}
    for gate in (g for g in CERTIFICATION_GATES if g in gates):
        found = _certificate(item, gate, leaf)
        if isinstance(found, ProductCertificationInfo):
            certificates.append(found)
            exclusion.update(_target_flag(gate))
        elif gate == GREEN_PRODUCTS and rules.green_uncertified == "exclude":
            exclusion["green_certified_product_exclusion_yn"] = True
        else:
            cause = f"{label} requires {gate}; {found}"
            code = RejectionCode.CERTIFICATION_REQUIRED
            rejections.append(reject(item.no, code, "detail.safetyCert", cause))
    capacity: UnitCapacity | None = None
    if UNIT_PRICE in gates:
        measured = unit_capacity(item)
        if isinstance(measured, str):
            cause = f"{label} is a unit-price (가격표시제) category; {measured}"
            rejections.append(reject(item.no, RejectionCode.UNIT_CAPACITY_MISSING, "basis.title", cause))
        else:
            capacity = measured
    if rejections:
        return rejections
    return GatePlan(
        certifications=tuple(certificates),
        exclusion=CertificationTargetExcludeContent(**exclusion) if exclusion else None,
        unit_capacity=capacity,
    )


def _target_flag(gate: str) -> dict[str, object]:
    """The exclusion flag saying "this product *is* a target of ``gate``" (it carries the certificate)."""
    if gate == KC_CERTIFICATION:
        return {"kc_certified_product_exclusion_yn": "FALSE"}
    if gate == CHILD_CERTIFICATION:
        return {"child_certified_product_exclusion_yn": False}
    return {"green_certified_product_exclusion_yn": False}
