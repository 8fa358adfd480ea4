"""Naver's reference endpoints, client against the sandbox over HTTP, and their PostgreSQL cache."""

from __future__ import annotations

import asyncio
import math
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from storebridge.errors import PermanentError
from storebridge.naver import NaverClient, NaverValidationError
from storebridge.naver.client import MAX_TAGS_QUERY_CHARS
from storebridge.reference.naver_rules import NaverRules
from storebridge.store import StateStore


def client(sandbox: Any) -> NaverClient:
    env = sandbox.environment()
    return NaverClient(
        api_url=env["NAVER_API_URL"],
        client_id=env["NAVER_CLIENT_ID"],
        client_secret=env["NAVER_CLIENT_SECRET"],
    )


async def requests_to(sandbox: Any, fragment: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(sandbox.naver_origin + "/_sandbox/stats") as answer:
        stats = await answer.json()
    return sum(n for name, n in stats["requests"].items() if fragment in name)


async def test_a_leaf_detail_names_its_gates_and_certification_types(sandbox: Any) -> None:
    async with client(sandbox) as naver:
        charger = await naver.get_category("50000252")
        beef = await naver.get_category("50004655")
        tumbler = await naver.get_category("50000803")
    assert charger.last
    assert charger.exceptional_categories == ["KC_CERTIFICATION"]
    assert {i.id for i in charger.certification_infos if "KC_CERTIFICATION" in i.kind_types}
    assert {"GREEN_PRODUCTS", "ORIGINAREA_PRODUCTS"} <= set(beef.exceptional_categories)
    assert tumbler.exceptional_categories == []
    assert tumbler.certification_infos == []


async def test_notice_types_want_a_top_level_category(sandbox: Any) -> None:
    async with client(sandbox) as naver:
        wear = await naver.get_notice_types("50000000")
        every = await naver.get_notice_types()
        with pytest.raises(NaverValidationError):
            await naver.get_notice_types("50000683")
    assert [t.product_info_provided_notice_type for t in wear] == ["WEAR", "ETC"]
    assert {f.field_name for f in wear[0].product_info_provided_notice_contents} >= {"material", "caution"}
    assert {"WEAR", "COSMETIC", "FOOD", "ETC"} <= {t.product_info_provided_notice_type for t in every}


async def test_origin_areas_and_restricted_tags(sandbox: Any) -> None:
    async with client(sandbox) as naver:
        areas = await naver.get_origin_areas()
        tags = await naver.check_tags(["텀블러", "최저가", "보온병", "최저가"])
    assert areas["0200037"].endswith("중국")
    assert areas["00"] == "국산"
    assert tags == {"텀블러": False, "최저가": True, "보온병": False}


async def test_the_cache_asks_naver_once_per_leaf_list_and_tag(sandbox: Any, database_url: str) -> None:
    async with client(sandbox) as naver, StateStore(database_url) as store:
        rules = NaverRules(naver, store, ttl_s=3600)
        first = await rules.leaf("50000252")
        again = await rules.leaf("50000252")
        assert first == again
        assert first.exceptional_categories == ("KC_CERTIFICATION",)
        assert (await rules.origin_areas()) == (await rules.origin_areas())
        assert await rules.restricted_tags(["최저가", "텀블러"]) == {"최저가"}
        assert await rules.restricted_tags(["최저가", "무료배송"]) == {"최저가", "무료배송"}
    assert await requests_to(sandbox, "/v1/categories/") == 1
    assert await requests_to(sandbox, "/v1/product-origin-areas") == 1
    assert await requests_to(sandbox, "/v2/tags/restricted-tags") == 2


async def test_concurrent_items_share_one_call_per_leaf_list_and_tag_batch(
    sandbox: Any, database_url: str
) -> None:
    async def one_item(rules: NaverRules, n: int) -> frozenset[str]:
        await rules.leaf("50000252")
        await rules.origin_areas()
        return await rules.restricted_tags([f"텀블러{n}", "최저가", "보온병"])

    async with client(sandbox) as naver, StateStore(database_url) as store:
        rules = NaverRules(naver, store, ttl_s=3600)
        answers = await asyncio.gather(*(one_item(rules, n) for n in range(20)))
    assert answers == [frozenset({"최저가"})] * 20
    assert await requests_to(sandbox, "/v1/categories/") == 1
    assert await requests_to(sandbox, "/v1/product-origin-areas") == 1
    assert await requests_to(sandbox, "/v2/tags/restricted-tags") == 1


async def test_many_tags_go_in_as_few_calls_as_the_url_allows(sandbox: Any) -> None:
    tags = [f"스테인리스텀블러{n:02d}" for n in range(100)]  # 10 characters: the longest a tag may be
    per_call = MAX_TAGS_QUERY_CHARS // len("tags=" + quote(tags[0], safe="") + "&")
    async with client(sandbox) as naver:
        answers = await naver.check_tags([*tags, "최저가"])
    assert answers == {**dict.fromkeys(tags, False), "최저가": True}
    assert await requests_to(sandbox, "/v2/tags/restricted-tags") == math.ceil(101 / per_call) < 101 / 10


async def test_an_answer_is_used_at_most_the_ttl_after_naver_gave_it(sandbox: Any, database_url: str) -> None:
    async with client(sandbox) as naver, StateStore(database_url) as store:
        rules = NaverRules(naver, store, ttl_s=2.0)
        await rules.leaf("50000252")
        await NaverRules(naver, store, ttl_s=2.0).leaf("50000252")  # another process: PostgreSQL
        assert await requests_to(sandbox, "/v1/categories/") == 1
        await asyncio.sleep(1.1)  # past half the TTL: the memo and the row are both too old
        await rules.leaf("50000252")
        assert await requests_to(sandbox, "/v1/categories/") == 2


async def test_a_refused_leaf_is_not_remembered(sandbox: Any, database_url: str) -> None:
    async with client(sandbox) as naver, StateStore(database_url) as store:
        rules = NaverRules(naver, store, ttl_s=3600)
        for _ in range(2):
            with pytest.raises(PermanentError):
                await rules.leaf("99999999")
    assert await requests_to(sandbox, "/v1/categories/") == 2
