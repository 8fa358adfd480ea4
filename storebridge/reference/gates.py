"""Feed Naver's reference data for one item into ``TransformRules``, before any image upload.

The transform stays pure: ``ReferenceGates.rules_for(item, rules)`` looks up what the item's
Naver leaf needs (``GET /v1/categories/{id}``: exceptional categories and certification types;
``GET /v1/products-for-provided-notice`` for its top level: notice types), the origin-area codes
and which of its seller tags Naver restricts, all through ``NaverRules`` (PostgreSQL cache, fetched
on a miss within the shared limiter), and returns the rules with that filled in. The pipeline calls
it right before each transform, so the dry transform that precedes the image upload already
applies every gate (``transform.gates``): a KC item without a certificate never costs an upload.

What Naver refuses outright (an unknown or non-leaf id) becomes ``LeafRules.problem`` and so a
review, not an error; a failing notice-type lookup falls back to "unknown" (ETC). A transient
failure (429, 5xx, timeouts, a 401 the transport could not cure with fresh tokens, refused
credentials) propagates, so the item waits and is retried later like after any other call: no
item is reviewed because of the gateway or this deployment.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from schemas.domeggook import DomeggookItem
from storebridge.errors import PermanentError
from storebridge.naver import NaverClient
from storebridge.reference.naver_rules import NaverRules
from storebridge.store import CategoryDetailRow, StateStore
from storebridge.transform import TransformRules
from storebridge.transform.category import CategoryMatch, map_category
from storebridge.transform.content import seller_tags
from storebridge.transform.policy import OPTION_PRICE_EXCEPTION_BAND
from storebridge.transform.rules import CertificationKind, LeafRules

logger = logging.getLogger(__name__)

#: Exceptional-category type whose leaves keep the classic option-price band [DOC get-category-product.md].
OPTION_PRICE = "OPTION_PRICE"
#: Enough to see every supplier keyword when asking which are restricted (the cut comes later).
_ALL_TAGS = 1_000


def leaf_rules(detail: CategoryDetailRow, notice_types: tuple[str, ...] | None) -> LeafRules:
    """``LeafRules`` from a cached ``GET /v1/categories/{id}`` answer (pure)."""
    kinds = []
    for info in detail.certification_infos:
        raw_id, raw_kinds = info.get("id"), info.get("kindTypes")
        if isinstance(raw_id, int) and not isinstance(raw_id, bool):
            names = tuple(str(k) for k in raw_kinds) if isinstance(raw_kinds, list) else ()
            kinds.append(CertificationKind(id=raw_id, name=str(info.get("name") or ""), kind_types=names))
    return LeafRules(
        whole_name=detail.whole_name,
        exceptional=frozenset(detail.exceptional_categories),
        certifications=tuple(kinds),
        notice_types=notice_types,
        problem="" if detail.last else "Naver says it is not a leaf category",
    )


class ReferenceGates:
    """Per-item ``TransformRules`` enriched with Naver's reference data (one per pipeline)."""

    def __init__(self, naver_rules: NaverRules) -> None:
        self.naver_rules = naver_rules

    @classmethod
    def of(cls, naver: NaverClient, store: StateStore, *, ttl_s: float | None) -> ReferenceGates | None:
        """Gates over the client and the store's cache; ``None`` (no gates) when ``ttl_s`` is None."""
        return None if ttl_s is None else cls(NaverRules(naver, store, ttl_s=ttl_s))

    async def rules_for(self, item: DomeggookItem, rules: TransformRules) -> TransformRules:
        """``rules`` plus the item's leaf rules, the origin-area list and its restricted tags."""
        changes: dict[str, object] = {}
        category = map_category(item, rules.category_map)
        if isinstance(category, CategoryMatch):
            leaf_id = category.leaf_category_id
            leaf = await self.leaf(leaf_id)
            changes["leaves"] = {**rules.leaves, leaf_id: leaf}
            if OPTION_PRICE in leaf.exceptional and leaf_id not in rules.option_price_exceptions:
                low, high = OPTION_PRICE_EXCEPTION_BAND
                band = (_decimal(low), _decimal(high))
                changes["option_price_exceptions"] = {**rules.option_price_exceptions, leaf_id: band}
        changes["origin_areas"] = await self.naver_rules.origin_areas()
        candidates, _ = seller_tags(item, dataclasses.replace(rules, max_seller_tags=_ALL_TAGS))
        if candidates:
            changes["restricted_tags"] = rules.restricted_tags | await self.naver_rules.restricted_tags(
                candidates
            )
        return dataclasses.replace(rules, **changes)  # type: ignore[arg-type]

    async def prefetch_tags(self, items: Iterable[DomeggookItem], rules: TransformRules) -> None:
        """Check every item's candidate tags in as few calls as possible before the items run.

        Items of one Domeggook message run concurrently and would share calls anyway; asking for all
        their tags at once makes it about one call per message. Advice only, so it never raises:
        whatever fails here (an outage, a limiter hand-back) is met again by each item's own check
        (``rules_for``), which retries or records it for that item.
        """
        wide = dataclasses.replace(rules, max_seller_tags=_ALL_TAGS)
        tags = [tag for item in items for tag in seller_tags(item, wide)[0]]
        if not tags:
            return
        try:
            await self.naver_rules.restricted_tags(tags)
        except Exception as exc:  # advice: the items' own checks meet and record the same failure
            logger.info(
                "reference.tags.prefetch_failed", extra={"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
            )

    async def leaf(self, leaf_id: str) -> LeafRules:
        """Naver's rules for ``leaf_id``; an id Naver refuses becomes ``LeafRules.problem``."""
        try:
            detail = await self.naver_rules.leaf(leaf_id)
        except PermanentError as exc:
            logger.warning("reference.leaf.refused", extra={"category_id": leaf_id, "error": str(exc)[:200]})
            return LeafRules(problem=f"Naver refuses that category id ({type(exc).__name__})")
        notice_types: tuple[str, ...] | None = None
        try:
            top = await self.naver_rules.top_level_id(detail.whole_name)
            if top is not None:
                notice_types = await self.naver_rules.notice_types(top) or None
        except PermanentError as exc:  # the types are advice: without them ETC is sent
            logger.warning(
                "reference.notice_types.refused", extra={"category_id": leaf_id, "error": str(exc)[:200]}
            )
        return leaf_rules(detail, notice_types)


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)
