"""A burst of items over a few leaves costs one reference call per leaf, list and tag batch.

Items are synced concurrently through the real pipeline (sandbox over HTTP, PostgreSQL, Redis,
S3), as a worker process runs many messages at once; the sandbox's own counters say what Naver
was asked. A second burst over the same leaves finds everything in the process and asks nothing.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from storebridge.sandbox.naver.reference import RESTRICTED_TAGS as RESTRICTED
from storebridge.sandbox.stats import ApiCounts
from storebridge.sync import Outcome
from storebridge.transform.category import CategoryMatch, map_category
from tests.sync.harness import Harness, running

LEAF = "GET /v1/categories/{categoryId}"
TREE = "GET /v1/categories"
NOTICE_TYPES = "GET /v1/products-for-provided-notice"
ORIGIN_AREAS = "GET /v1/product-origin-areas"
RESTRICTED_TAGS = "GET /v2/tags/restricted-tags"
#: Leaves the bursts cover, and items per burst.
LEAVES, ITEMS = 4, 20


async def items_by_leaf(h: Harness) -> dict[str, list[int]]:
    """Catalog items (any scenario) by the Naver leaf the category map gives them."""
    batch = await h.syncer.domeggook.get_items([i.no for i in h.sandbox.catalog])
    by_leaf: dict[str, list[int]] = defaultdict(list)
    for item in batch.items:
        match = map_category(item, h.syncer.rules.category_map)
        if isinstance(match, CategoryMatch):
            by_leaf[match.leaf_category_id].append(item.no)
    return by_leaf


async def burst(h: Harness, item_nos: list[int]) -> tuple[ApiCounts, list[int]]:
    """Sync every item at once (one pipeline call each); the Naver calls it cost, the items created."""
    before = await h.counts()
    results = await asyncio.gather(*(h.syncer.sync_item(no) for no in item_nos))
    assert all(r.outcome is not Outcome.RETRY for r in results), [r.line() for r in results]
    return await h.counts() - before, [r.item_no for r in results if r.outcome is Outcome.CREATED]


async def listed_tags(h: Harness, item_no: int) -> set[str]:
    """The seller tags of the item's Naver product as stored."""
    seo = (await h.product(item_no))["originProduct"]["detailAttribute"].get("seoInfo") or {}
    return {tag["text"] for tag in seo.get("sellerTags") or []}


async def test_a_burst_over_few_leaves_asks_naver_once_per_leaf_and_list(
    service_urls: dict[str, str],
) -> None:
    async with running(300, service_urls) as h:
        by_leaf = await items_by_leaf(h)
        leaves = sorted(by_leaf, key=lambda leaf: -len(by_leaf[leaf]))[:LEAVES]
        chosen = [no for leaf in leaves for no in by_leaf[leaf]]
        assert len(chosen) >= 2 * ITEMS, {leaf: len(by_leaf[leaf]) for leaf in leaves}
        first, second = chosen[0::2][:ITEMS], chosen[1::2][:ITEMS]
        leaves_of = {leaf: set(by_leaf[leaf]) for leaf in leaves}
        cold_leaves = {leaf for leaf, nos in leaves_of.items() if nos & set(first)}
        assert {leaf for leaf, nos in leaves_of.items() if nos & set(second)} <= cold_leaves

        cold, created = await burst(h, first)
        assert 1 <= cold.naver(LEAF) <= len(cold_leaves), cold
        assert cold.naver(ORIGIN_AREAS) == 1, cold
        assert cold.naver(TREE) <= 1, cold
        assert cold.naver(NOTICE_TYPES) <= len(cold_leaves), cold
        assert 1 <= cold.naver(RESTRICTED_TAGS) <= ITEMS // 2, cold  # one call per item before

        warm, created_later = await burst(h, second)
        for api in (LEAF, TREE, NOTICE_TYPES, ORIGIN_AREAS):
            assert warm.naver(api) == 0, warm
        assert warm.naver(RESTRICTED_TAGS) <= ITEMS // 2, warm

        # The gate still holds: a supplier keyword Naver restricts never reaches a listing.
        created += created_later
        restricted_asked = [
            no
            for no in created
            if RESTRICTED & set(h.sandbox.catalog.get(no).keywords)  # type: ignore[union-attr]
        ]
        assert restricted_asked, "the burst should include items with a restricted keyword"
        for no in created:
            assert not RESTRICTED & await listed_tags(h, no), no
