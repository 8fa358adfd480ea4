"""Naver's per-leaf rules and reference lists: from memory, the PostgreSQL cache, or Naver.

``NaverRules`` answers what the pipeline must know before it spends an image upload or a create:
a leaf's exceptional categories and certification types (``GET /v1/categories/{id}``), the
origin-area codes (``GET /v1/product-origin-areas``) and which seller tags are restricted
(``GET /v2/tags/restricted-tags``). Each answer is kept in PostgreSQL (``store.reference_data``)
and, in front of it, in this process (``reference.memo``), so that in steady state an item costs
no call and no query. The calls go through the client, so they spend the shared
``naver:categories`` bucket like every other read.

Freshness: an answer is used at most ``NAVER_REFERENCE_TTL_S`` after Naver gave it. A process
keeps an answer for half the TTL and accepts a PostgreSQL row younger than the other half (the
rows' age is not read back, so the halves bound it). Concurrent misses of one key wait for one
fetch; unknown tags of concurrent items go to Naver together; a failed fetch is not remembered.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator

from storebridge.errors import POSTGRESQL, InfrastructureUnavailable
from storebridge.naver import NaverClient
from storebridge.reference.memo import BatchedMemo, Memo
from storebridge.reference.trees import naver_rows
from storebridge.store import CategoryDetailRow, Json, StateStore

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def _postgres() -> Iterator[None]:
    """Attribute a raw socket error of a cache read or write to PostgreSQL.

    asyncpg's connect raises the bare ``ConnectionRefusedError`` when the server is down, which
    would otherwise read as an unnamed network outage; these calls only talk to PostgreSQL.
    """
    try:
        yield
    except OSError as exc:
        raise InfrastructureUnavailable(POSTGRESQL, f"PostgreSQL unavailable: {exc}") from exc


class NaverRules:
    """Cached reads of Naver's reference data; one per process, shared by every item."""

    def __init__(self, naver: NaverClient, store: StateStore, *, ttl_s: float) -> None:
        self.naver, self.store, self.ttl_s = naver, store, ttl_s
        #: How old a PostgreSQL row may be, and how long this process keeps an answer (see above).
        self.half_ttl_s = ttl_s / 2
        self._leaves: Memo[str, CategoryDetailRow] = Memo(self.half_ttl_s)
        #: Top-level category path → id, under the single key ``()``.
        self._top_levels: Memo[tuple[()], dict[str, str]] = Memo(self.half_ttl_s)
        self._notice_types: Memo[str, tuple[str, ...]] = Memo(self.half_ttl_s)
        self._origin_areas: Memo[tuple[()], dict[str, str]] = Memo(self.half_ttl_s)
        self._tags: BatchedMemo[str, bool] = BatchedMemo(self.half_ttl_s, self._check_tags)

    async def leaf(self, category_id: str) -> CategoryDetailRow:
        """What Naver says about ``category_id`` (cached; fetched and stored on a miss or expiry)."""
        return await self._leaves.get(category_id, lambda: self._fetch_leaf(category_id))

    async def top_level_id(self, whole_name: str) -> str | None:
        """The id of the top-level category of a ``>``-joined path, from the stored Naver tree.

        The stored tree (``storebridge categories fetch``) is read again every half TTL; Naver's
        is fetched only when nothing is stored.
        """
        top_levels = await self._top_levels.get((), self._fetch_top_levels)
        return top_levels.get(whole_name.split(">", 1)[0].strip())

    async def notice_types(self, top_level_id: str) -> tuple[str, ...]:
        """The notice types Naver lists for a top-level category, in its order (cached)."""
        return await self._notice_types.get(top_level_id, lambda: self._fetch_notice_types(top_level_id))

    async def origin_areas(self) -> dict[str, str]:
        """Origin-area code → name (cached; the whole list is fetched again once it expires)."""
        return dict(await self._origin_areas.get((), self._fetch_origin_areas))

    async def restricted_tags(self, tags: Iterable[str]) -> frozenset[str]:
        """The tags among ``tags`` Naver restricts; only tags not checked within the TTL are asked."""
        answers = await self._tags.get_many(t for t in tags if t)
        return frozenset(tag for tag, restricted in answers.items() if restricted)

    # -- misses of the memo: PostgreSQL, then Naver ---------------------------------------------
    async def _fetch_leaf(self, category_id: str) -> CategoryDetailRow:
        with _postgres():
            cached = await self.store.category_detail(category_id, max_age_s=self.half_ttl_s)
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
        with _postgres():
            await self.store.put_category_detail(detail)
        logger.info(
            "reference.leaf.fetched",
            extra={"category_id": category_id, "exceptional": list(detail.exceptional_categories)},
        )
        return detail

    async def _fetch_top_levels(self) -> dict[str, str]:
        with _postgres():
            rows = await self.store.naver_categories()
        if not rows:
            rows = naver_rows(await self.naver.get_categories())
            with _postgres():
                await self.store.replace_naver_categories(rows)
            logger.info("reference.tree.fetched", extra={"count": len(rows)})
        return {r.whole_name: r.id for r in rows if ">" not in r.whole_name}

    async def _fetch_notice_types(self, top_level_id: str) -> tuple[str, ...]:
        with _postgres():
            cached = await self.store.notice_types(top_level_id, max_age_s=self.half_ttl_s)
        if cached is not None:
            return cached
        answer = await self.naver.get_notice_types(top_level_id)
        types = tuple(
            t.product_info_provided_notice_type for t in answer if t.product_info_provided_notice_type
        )
        body: Json = [t.model_dump(by_alias=True, mode="json") for t in answer]
        with _postgres():
            await self.store.put_notice_types(top_level_id, types, body)
        logger.info(
            "reference.notice_types.fetched", extra={"category_id": top_level_id, "types": list(types)}
        )
        return types

    async def _fetch_origin_areas(self) -> dict[str, str]:
        with _postgres():
            areas = await self.store.origin_areas(max_age_s=self.half_ttl_s)
        if areas:
            return areas
        areas = await self.naver.get_origin_areas()
        with _postgres():
            await self.store.replace_origin_areas(areas)
        logger.info("reference.origin_areas.fetched", extra={"count": len(areas)})
        return areas

    async def _check_tags(self, tags: list[str]) -> dict[str, bool]:
        """Every tag of ``tags`` (the unknown tags of all waiting items): PostgreSQL, then Naver."""
        with _postgres():
            answers: dict[str, bool] = await self.store.tag_checks(tags, max_age_s=self.half_ttl_s)
        unknown = [t for t in tags if t not in answers]
        if unknown:
            fetched = await self.naver.check_tags(unknown)
            with _postgres():
                await self.store.put_tag_checks(fetched)
            answers.update(fetched)
        return answers
