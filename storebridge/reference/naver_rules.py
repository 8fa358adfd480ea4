"""Naver's per-leaf rules and reference lists, from the PostgreSQL cache or (on a miss) from Naver.

``NaverRules`` answers what the pipeline must know before it spends an image upload or a create:
a leaf's exceptional categories and certification types (``GET /v1/categories/{id}``), the
origin-area codes (``GET /v1/product-origin-areas``) and which seller tags are restricted
(``GET /v2/tags/restricted-tags``). Each answer is cached in PostgreSQL (``store.reference_data``)
for ``NAVER_REFERENCE_TTL_S`` and fetched again after that; the calls go through the client, so
they spend the shared ``naver:categories`` bucket like every other read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from storebridge.naver import NaverClient
from storebridge.store import CategoryDetailRow, StateStore

logger = logging.getLogger(__name__)


class NaverRules:
    """Cached reads of Naver's reference data; one per process, shared by every item."""

    def __init__(self, naver: NaverClient, store: StateStore, *, ttl_s: float) -> None:
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        self.naver, self.store, self.ttl_s = naver, store, ttl_s

    async def leaf(self, category_id: str) -> CategoryDetailRow:
        """What Naver says about ``category_id`` (cached; fetched and stored on a miss or expiry)."""
        cached = await self.store.category_detail(category_id, max_age_s=self.ttl_s)
        if cached is not None:
            return cached
        answer = await self.naver.get_category(category_id)
        detail = CategoryDetailRow(
            category_id=category_id,
            whole_name=answer.whole_category_name,
            last=answer.last,
            exceptional_categories=tuple(answer.exceptional_categories),
            certification_infos=tuple(info.model_dump(by_alias=True) for info in answer.certification_infos),
        )
        await self.store.put_category_detail(detail)
        logger.info(
            "reference.leaf.fetched",
            extra={"category_id": category_id, "exceptional": list(detail.exceptional_categories)},
        )
        return detail

    async def origin_areas(self) -> dict[str, str]:
        """Origin-area code → name (cached; the whole list is fetched again once it expires)."""
        areas = await self.store.origin_areas(max_age_s=self.ttl_s)
        if areas:
            return areas
        areas = await self.naver.get_origin_areas()
        await self.store.replace_origin_areas(areas)
        logger.info("reference.origin_areas.fetched", extra={"count": len(areas)})
        return areas

    async def restricted_tags(self, tags: Iterable[str]) -> frozenset[str]:
        """The tags among ``tags`` Naver restricts; only tags not checked within the TTL are asked."""
        wanted = list(dict.fromkeys(t for t in tags if t))
        known: Mapping[str, bool] = await self.store.tag_checks(wanted, max_age_s=self.ttl_s)
        unknown = [t for t in wanted if t not in known]
        answers = dict(known)
        if unknown:
            fetched = await self.naver.check_tags(unknown)
            await self.store.put_tag_checks(fetched)
            answers.update(fetched)
        return frozenset(t for t, restricted in answers.items() if restricted)
