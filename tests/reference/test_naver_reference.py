"""Naver's reference endpoints, client against the sandbox over HTTP, and their PostgreSQL cache."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from storebridge.naver import NaverClient, NaverValidationError
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
