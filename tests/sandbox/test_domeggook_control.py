"""Sandbox control endpoints of the Domeggook simulator: item edits, listings and stats."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from storebridge.sandbox.catalog.generator import Catalog, Item, ItemStatus, Scenario, generate_catalog
from tests.sandbox.support import KEY, ServeDomeggook


@dataclass
class Sandbox:
    session: aiohttp.ClientSession
    base_url: str
    catalog: Catalog

    async def view(self, no: int) -> Any:
        query = {"aid": KEY, "om": "json", "ver": "4.5", "mode": "getItemView", "no": str(no)}
        async with self.session.get(self.base_url + "/ssl/api/", params=query) as response:
            return await response.json()

    async def listing(self, **params: str) -> Any:
        query = {"aid": KEY, "om": "json", "ver": "4.1", "mode": "getItemList", "market": "dome", **params}
        async with self.session.get(self.base_url + "/ssl/api/", params=query) as response:
            return await response.json()

    async def change(self, no: int, body: Any) -> tuple[int, Any]:
        async with self.session.post(f"{self.base_url}/_sandbox/items/{no}", json=body) as response:
            return response.status, await response.json()

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.session.get(self.base_url + path) as response:
            return response.status, await response.json()


@pytest.fixture
async def sandbox(serve_domeggook: ServeDomeggook) -> Sandbox:
    api = await serve_domeggook(generate_catalog(200, 3))
    return Sandbox(api.session, api.base_url, api.catalog)


def _plain(catalog: Catalog) -> Item:
    return next(
        i for i in catalog if i.status is ItemStatus.ON_SALE and not i.scenarios and i.options is None
    )


def _optioned(catalog: Catalog) -> Item:
    return next(
        i for i in catalog if i.status is ItemStatus.ON_SALE and not i.scenarios and i.options is not None
    )


async def test_price_stock_and_title_changes_show_up_in_the_item_view(sandbox: Sandbox) -> None:
    item = _plain(sandbox.catalog)
    status, summary = await sandbox.change(
        item.no, {"price": "1+5000|10+4500", "stock": 7, "title": "새 제목 텀블러"}
    )
    assert status == 200
    assert summary["stock"] == 7
    view = (await sandbox.view(item.no))["domeggook"]
    assert view["price"]["dome"] == "1+5000|10+4500"
    assert int(view["qty"]["inventory"]) == 7
    assert view["basis"]["title"] == "새 제목 텀블러"


async def test_a_plain_price_is_a_fixed_price_and_null_removes_price_dome(sandbox: Sandbox) -> None:
    item = _plain(sandbox.catalog)
    await sandbox.change(item.no, {"price": 4321})
    assert int((await sandbox.view(item.no))["domeggook"]["price"]["dome"]) == 4321
    await sandbox.change(item.no, {"price": [[1, 3000], [20, 2800]]})
    assert (await sandbox.view(item.no))["domeggook"]["price"]["dome"] == "1+3000|20+2800"
    await sandbox.change(item.no, {"price": None, "supply_price": 5000})
    price = (await sandbox.view(item.no))["domeggook"]["price"]
    assert "dome" not in price
    assert int(price["supply"]) == 5000


async def test_option_stock_changes_one_combination(sandbox: Sandbox) -> None:
    item = _optioned(sandbox.catalog)
    assert item.options is not None
    key = item.options.variants[0].key
    status, _ = await sandbox.change(item.no, {"option_stock": {key: 0}})
    assert status == 200
    data = json.loads((await sandbox.view(item.no))["domeggook"]["selectOpt"])["data"]
    assert data[key]["qty"] == "0"


async def test_replacing_options_builds_every_combination(sandbox: Sandbox) -> None:
    item = _plain(sandbox.catalog)
    body = {
        "options": {
            "axes": [
                {"name": "색상", "values": ["블랙", "화이트"]},
                {"name": "사이즈", "values": ["M", "L", "XL"]},
            ],
            "stock": 4,
            "variants": {"01_02": {"stock": 0, "add_price": 500, "hid": 1}},
        }
    }
    status, summary = await sandbox.change(item.no, body)
    assert status == 200
    assert summary["stock"] == 5 * 4
    options = json.loads((await sandbox.view(item.no))["domeggook"]["selectOpt"])
    assert len(options["data"]) == 6
    assert options["data"]["01_02"] == {
        "name": "화이트/XL",
        "dom": "1",
        "domPrice": "500",
        "sup": options["data"]["01_02"]["sup"],
        "supPrice": "500",
        "qty": "0",
        "hid": "1",
        "hash": options["data"]["01_02"]["hash"],
    }
    await sandbox.change(item.no, {"options": None, "stock": 3})
    view = (await sandbox.view(item.no))["domeggook"]
    assert view.get("selectOpt") is None
    assert int(view["qty"]["inventory"]) == 3


async def test_sold_out_shows_on_sale_status_with_zero_stock_and_on_sale_restores_it(
    sandbox: Sandbox,
) -> None:
    item = _optioned(sandbox.catalog)
    before = item.total_stock
    await sandbox.change(item.no, {"status": "sold_out"})
    view = (await sandbox.view(item.no))["domeggook"]
    assert view["basis"]["status"] == "판매중"
    assert int(view["qty"]["inventory"]) == 0
    assert all(row["qty"] == "0" for row in json.loads(view["selectOpt"])["data"].values())
    await sandbox.change(item.no, {"status": "on_sale"})
    assert int((await sandbox.view(item.no))["domeggook"]["qty"]["inventory"]) == before


async def test_ended_item_leaves_the_list_but_stays_viewable(sandbox: Sandbox) -> None:
    item = _plain(sandbox.catalog)
    listed = await sandbox.listing(id=item.seller.id, sz="200")
    rows = listed["domeggook"]["list"]["item"]
    assert str(item.no) in {r["no"] for r in (rows if isinstance(rows, list) else [rows])}
    await sandbox.change(item.no, {"status": "ended"})
    listed = await sandbox.listing(id=item.seller.id, sz="200")
    if "domeggook" in listed:
        rows = listed["domeggook"]["list"]["item"]
        assert str(item.no) not in {r["no"] for r in (rows if isinstance(rows, list) else [rows])}
    assert (await sandbox.view(item.no))["domeggook"]["basis"]["status"] == "판매종료"


async def test_a_changed_item_comes_first_in_the_recently_modified_sort(sandbox: Sandbox) -> None:
    item = _plain(sandbox.catalog)
    await sandbox.change(item.no, {"stock": 1})
    listed = await sandbox.listing(ca=item.category_code, so="da", sz="5")
    rows = listed["domeggook"]["list"]["item"]
    assert (rows if isinstance(rows, list) else [rows])[0]["no"] == str(item.no)


@pytest.mark.parametrize(
    "body",
    [
        {"colour": "red"},
        {"stock": -1},
        {"stock": "7"},
        {"status": "gone"},
        {"price": "1+3800|20+"},
        {"price": [[20, 3000], [1, 3500]]},
        {"price": True},
        {"title": ""},
        {"license_usable": "yes"},
        {"moq": 0},
        {"option_stock": {"00": 1}},
        {"options": {"axes": []}},
        {"title": "ok", "stock": -5},
        {},
        [1, 2],
    ],
)
async def test_invalid_change_is_refused_with_400_and_changes_nothing(sandbox: Sandbox, body: Any) -> None:
    item = _plain(sandbox.catalog)
    _, before = await sandbox.get(f"/_sandbox/items/{item.no}")
    status, answer = await sandbox.change(item.no, body)
    assert status == 400
    assert isinstance(answer["error"], str)
    assert answer["error"]
    _, after = await sandbox.get(f"/_sandbox/items/{item.no}")
    assert after == before


async def test_stock_on_an_item_with_options_is_refused(sandbox: Sandbox) -> None:
    item = _optioned(sandbox.catalog)
    status, answer = await sandbox.change(item.no, {"stock": 5})
    assert status == 400
    assert "option_stock" in answer["error"]


async def test_non_json_body_is_refused(sandbox: Sandbox) -> None:
    item = _plain(sandbox.catalog)
    async with sandbox.session.post(
        f"{sandbox.base_url}/_sandbox/items/{item.no}", data=b"price=5"
    ) as response:
        assert response.status == 400


async def test_changing_an_unknown_item_is_404(sandbox: Sandbox) -> None:
    status, answer = await sandbox.change(1, {"stock": 1})
    assert status == 404
    assert answer["error"]


async def test_item_index_lists_status_and_scenario_tags_and_filters(sandbox: Sandbox) -> None:
    status, everything = await sandbox.get("/_sandbox/items")
    assert status == 200
    assert everything["count"] == len(sandbox.catalog)
    assert set(everything["scenario_names"]) == {s.value for s in Scenario}
    row = everything["items"][0]
    assert set(row) == {"no", "status", "scenarios"}
    _, corrupt = await sandbox.get("/_sandbox/items?scenario=corrupt_image")
    expected = [i.no for i in sandbox.catalog.with_scenario(Scenario.CORRUPT_IMAGE)]
    assert [r["no"] for r in corrupt["items"]] == expected
    assert expected
    _, deleted = await sandbox.get("/_sandbox/items?status=deleted")
    assert deleted["items"]
    assert all(r["status"] == "deleted" for r in deleted["items"])
    assert (await sandbox.get("/_sandbox/items?scenario=bogus"))[0] == 400
    assert (await sandbox.get("/_sandbox/items?status=bogus"))[0] == 400


async def test_stats_count_requests_per_mode_without_control_calls(sandbox: Sandbox) -> None:
    item = _plain(sandbox.catalog)
    await sandbox.view(item.no)
    await sandbox.view(item.no)
    await sandbox.listing(ca="04_01_00_00_00")
    await sandbox.change(item.no, {"stock": 2})
    status, stats = await sandbox.get("/_sandbox/stats")
    assert status == 200
    assert stats["requests"] == {"total": 3, "by_mode": {"getItemView": 2, "getItemList": 1}}
    assert stats["daily_used"] == 3
    assert stats["rate_limited"] == 0
    assert stats["keys"][KEY]["minute_used"] == 3
