"""getItemView and the error rules of the Domeggook simulator over real HTTP (quirky shapes included)."""

from __future__ import annotations

import html
import json
import re

import pytest

from storebridge.sandbox.catalog.data import category_depth
from storebridge.sandbox.catalog.generator import ItemStatus, Scenario, generate_catalog
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from tests.sandbox.support import KEY, SEED, Api, ServeDomeggook, on_sale

# --- getItemView -------------------------------------------------------------------------------


async def test_item_view_has_every_reference_section(api: Api) -> None:
    item = on_sale(api.catalog)
    body = await api.view(item.no)
    view = body["domeggook"]
    for section in ("basis", "price", "qty", "deli", "channel", "thumb", "desc", "seller", "benefits"):
        assert section in view
    for section in ("detail", "category", "return", "event", "etc"):
        assert section in view
    assert int(view["basis"]["no"]) == item.no
    assert view["basis"]["title"] == item.title
    assert view["basis"]["status"] == "판매중"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", view["basis"]["dateReg"])
    assert view["seller"]["id"] == item.seller.id
    assert view["category"]["current"]["code"] == item.category_code
    assert set(view["thumb"]) >= {"small", "large", "original", "smallPng", "largePng", "hash", "lastUpdate"}
    assert view["desc"]["contents"]["item"].startswith("<")


async def test_every_documented_item_view_version_answers_the_same_item(api: Api) -> None:
    item = on_sale(api.catalog)
    for ver in ("4.1", "4.4", "4.5", "4.6"):
        body = await api.view(item.no, ver=ver)
        assert int(body["domeggook"]["basis"]["no"]) == item.no
    status, body = await api.call(ver="4.0", mode="getItemView", no=str(item.no), market="dome")
    assert status == 200
    assert int(body["domeggook"]["basis"]["no"]) == item.no


async def test_numbers_and_booleans_come_as_strings_or_native_values_depending_on_the_item(api: Api) -> None:
    types: dict[str, set[type]] = {"no": set(), "inventory": set(), "channel": set(), "deliAmt": set()}
    for item in api.catalog.find(lambda i: i.status is ItemStatus.ON_SALE)[:80]:
        view = (await api.view(item.no))["domeggook"]
        types["no"].add(type(view["basis"]["no"]))
        types["inventory"].add(type(view["qty"]["inventory"]))
        types["channel"].add(type(view["channel"]["dome"]))
        types["deliAmt"].add(type(view["return"]["deliAmt"]))
    assert types["no"] == {int, str}
    assert types["inventory"] == {int, str}
    assert types["channel"] == {bool, str}
    assert types["deliAmt"] == {int, str}


async def test_an_item_renders_identically_every_time(api: Api) -> None:
    item = on_sale(api.catalog)
    assert await api.view(item.no) == await api.view(item.no)


async def test_select_opt_is_a_json_string_whose_data_rows_carry_stock_and_hid_codes(api: Api) -> None:
    item = on_sale(api.catalog, lambda i: i.options is not None and len(i.options.axes) == 2)
    assert item.options is not None
    view = (await api.view(item.no))["domeggook"]
    assert isinstance(view["selectOpt"], str)
    options = json.loads(view["selectOpt"])
    assert [axis["name"] for axis in options["set"]] == [name for name, _ in item.options.axes]
    data = options["data"]
    assert set(data) == {v.key for v in item.options.variants}
    assert all(re.fullmatch(r"\d{2}_\d{2}", key) for key in data)
    for variant in item.options.variants:
        row = data[variant.key]
        assert row["name"] == variant.name
        assert row["qty"] == str(variant.stock)
        assert row["hid"] == str(variant.hid)
        assert row["domPrice"] == str(variant.add_price_won)
        assert all(isinstance(value, str) for value in row.values())
    assert int(view["qty"]["inventory"]) == sum(int(row["qty"]) for row in data.values())


async def test_catalog_has_hidden_and_sold_out_option_rows_visible_on_the_wire(api: Api) -> None:
    hids: set[str] = set()
    quantities: set[str] = set()
    for item in api.catalog.find(lambda i: i.status is ItemStatus.ON_SALE and i.options is not None)[:60]:
        data = json.loads((await api.view(item.no))["domeggook"]["selectOpt"])["data"]
        hids |= {row["hid"] for row in data.values()}
        quantities |= {row["qty"] for row in data.values()}
    assert {"0", "1", "2"} <= hids
    assert "0" in quantities


async def test_item_without_options_has_select_opt_missing_or_null(api: Api) -> None:
    seen: set[str] = set()
    for item in api.catalog.find(lambda i: i.status is ItemStatus.ON_SALE and i.options is None)[:30]:
        view = (await api.view(item.no))["domeggook"]
        seen.add("missing" if "selectOpt" not in view else "null" if view["selectOpt"] is None else "other")
    assert seen == {"missing", "null"}


async def test_tiered_price_is_a_quantity_plus_price_string(api: Api) -> None:
    item = on_sale(api.catalog, lambda i: i.dome_tiers is not None and len(i.dome_tiers) > 1)
    assert item.dome_tiers is not None
    dome = (await api.view(item.no))["domeggook"]["price"]["dome"]
    assert dome == "|".join(f"{qty}+{price}" for qty, price in item.dome_tiers)
    assert re.fullmatch(r"\d+\+\d+(\|\d+\+\d+)+", dome)


async def test_fixed_price_is_a_bare_number_or_numeric_string(api: Api) -> None:
    item = on_sale(
        api.catalog, lambda i: i.dome_tiers is not None and i.dome_tiers[0][0] == 1 and len(i.dome_tiers) == 1
    )
    assert item.dome_tiers is not None
    dome = (await api.view(item.no))["domeggook"]["price"]["dome"]
    assert int(dome) == item.dome_tiers[0][1]


async def test_missing_dome_price_item_is_only_sold_on_domeme(api: Api) -> None:
    item = api.catalog.with_scenario(Scenario.MISSING_DOME_PRICE)[0]
    view = (await api.view(item.no))["domeggook"]
    assert "dome" not in view["price"]
    assert int(view["price"]["supply"]) == item.supply_price_won
    assert view["channel"]["dome"] in ("false", False)


async def test_recommended_price_keeps_the_recommand_typo(api: Api) -> None:
    item = on_sale(api.catalog, lambda i: i.resale_recommend_won is not None)
    resale = (await api.view(item.no))["domeggook"]["price"]["resale"]
    assert int(resale["Recommand"]) == item.resale_recommend_won
    assert "Recommend" not in resale


async def test_license_usable_is_a_true_or_false_string(api: Api) -> None:
    allowed = on_sale(api.catalog, lambda i: i.license_usable)
    denied = on_sale(api.catalog, lambda i: not i.license_usable)
    assert (await api.view(allowed.no))["domeggook"]["desc"]["license"]["usable"] == "true"
    assert (await api.view(denied.no))["domeggook"]["desc"]["license"]["usable"] == "false"


async def test_detail_html_escapes_ampersands_in_image_urls(api: Api) -> None:
    item = on_sale(api.catalog)
    contents = (await api.view(item.no))["domeggook"]["desc"]["contents"]["item"]
    sources = re.findall(r'<img src="([^"]+)"', contents)
    assert len(sources) == item.detail_images
    assert all("&amp;h=" in src for src in sources)
    assert all(html.unescape(src).startswith(api.base_url + "/_img/") for src in sources)


async def test_script_html_item_carries_hostile_markup(api: Api) -> None:
    item = api.catalog.with_scenario(Scenario.SCRIPT_HTML)[0]
    contents = (await api.view(item.no))["domeggook"]["desc"]["contents"]["item"]
    for marker in ("<script", "<iframe", "<style", "onerror=", "javascript:"):
        assert marker in contents


async def test_single_keyword_single_parent_and_single_notice_row_collapse_to_bare_values(api: Api) -> None:
    one_keyword = on_sale(api.catalog, lambda i: len(i.keywords) == 1)
    depth_two = on_sale(api.catalog, lambda i: category_depth(i.category_code) == 2)
    one_row = on_sale(api.catalog, lambda i: i.spec.info_duty is not None and len(i.spec.info_duty) == 1)
    assert isinstance((await api.view(one_keyword.no))["domeggook"]["basis"]["keywords"]["kw"], str)
    assert isinstance((await api.view(depth_two.no))["domeggook"]["category"]["parents"]["elem"], dict)
    assert isinstance((await api.view(one_row.no))["domeggook"]["detail"]["infoDuty"]["item"], dict)
    many_keywords = on_sale(api.catalog, lambda i: len(i.keywords) > 1)
    assert isinstance((await api.view(many_keywords.no))["domeggook"]["basis"]["keywords"]["kw"], list)


async def test_multiple_true_returns_a_list_under_domeggook_item(api: Api) -> None:
    items = api.catalog.find(lambda i: i.status is ItemStatus.ON_SALE)[:3]
    numbers = ",".join(str(i.no) for i in items)
    status, body = await api.call(ver="4.5", mode="getItemView", no=numbers, multiple="true")
    assert status == 200
    assert set(body) == {"domeggook"}
    assert set(body["domeggook"]) == {"item"}
    assert [int(v["basis"]["no"]) for v in body["domeggook"]["item"]] == [i.no for i in items]


async def test_multiple_true_with_one_number_returns_a_bare_object(api: Api) -> None:
    item = on_sale(api.catalog)
    status, body = await api.call(ver="4.5", mode="getItemView", no=str(item.no), multiple="true")
    assert status == 200
    assert isinstance(body["domeggook"]["item"], dict)
    assert int(body["domeggook"]["item"]["basis"]["no"]) == item.no


async def test_multiple_true_leaves_out_deleted_items(api: Api) -> None:
    alive = on_sale(api.catalog)
    deleted = next(i for i in api.catalog if i.status is ItemStatus.DELETED)
    status, body = await api.call(
        ver="4.6", mode="getItemView", no=f"{alive.no},{deleted.no}", multiple="true"
    )
    assert status == 200
    assert int(body["domeggook"]["item"]["basis"]["no"]) == alive.no


async def test_multiple_true_refuses_more_numbers_than_the_maximum(api: Api) -> None:
    numbers = ",".join(str(i.no) for i in list(api.catalog)[:101])
    status, body = await api.call(ver="4.5", mode="getItemView", no=numbers, multiple="true")
    assert status == 200
    assert "errors" in body
    assert "domeggook" not in body


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "ver"),
    [
        ("getItemList", "4.5"),
        ("getCategoryList", "2.0"),
        ("getItemView", "3.0"),
        ("getSomething", "1.0"),
        ("", ""),
    ],
)
async def test_unknown_mode_or_version_is_unknown_service_with_http_404(
    api: Api, mode: str, ver: str
) -> None:
    status, body = await api.call(mode=mode, ver=ver, kw="텀블러")
    assert status == 404
    assert body["errors"]["dcode"] == "UNKNOWN_SERVICE"
    assert body["errors"]["dmessage"] == "해당 오픈 API 서비스가 없습니다"
    assert set(body["errors"]) == {"code", "message", "dcode", "dmessage", "date"}


async def test_request_without_om_json_gets_an_xml_error_instead_of_json(api: Api) -> None:
    item = on_sale(api.catalog)
    query = {"aid": KEY, "ver": "4.5", "mode": "getItemView", "no": str(item.no)}
    async with api.session.get(api.base_url + "/ssl/api/", params=query) as response:
        text = await response.text()
        assert response.status == 200
        assert response.content_type == "text/xml"
    assert text.startswith("<?xml")
    assert "<errors>" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


@pytest.mark.parametrize("aid", ["wrong-key", None, ""])
async def test_bad_or_missing_key_gets_an_errors_body_with_http_200(api: Api, aid: str | None) -> None:
    status, body = await api.call(aid=aid, ver="1.0", mode="getCategoryList")
    assert status == 200
    assert body["errors"]["dmessage"] == "유효하지 않은 API Key 입니다"
    assert "domeggook" not in body


async def test_error_http_status_is_configurable(serve_domeggook: ServeDomeggook) -> None:
    config = DomeggookSimConfig(error_http_status=401, unknown_service_http_status=400)
    api = await serve_domeggook(generate_catalog(20, SEED), config)
    status, body = await api.call(aid="wrong", ver="1.0", mode="getCategoryList")
    assert status == 401
    assert "errors" in body
    status, body = await api.call(ver="9.9", mode="getItemList")
    assert status == 400
    assert body["errors"]["dcode"] == "UNKNOWN_SERVICE"


async def test_deleting_an_item_through_the_control_endpoint_turns_it_into_item_error(api: Api) -> None:
    item = on_sale(api.catalog)
    assert "domeggook" in await api.view(item.no)
    assert await api.control(item.no, {"status": "deleted"}) == 200
    body = await api.view(item.no)
    assert body["errors"]["dcode"] == "ITEM_ERROR"
    assert body["errors"]["dmessage"] == "해당 정보가 존재하지 않습니다"


async def test_deleted_and_unknown_item_numbers_are_item_error(api: Api) -> None:
    deleted = next(i for i in api.catalog if i.status is ItemStatus.DELETED)
    assert (await api.view(deleted.no))["errors"]["dcode"] == "ITEM_ERROR"
    unknown = 10_000_000 + next(n for n in range(10**6) if api.catalog.get(10_000_000 + n) is None)
    assert (await api.view(unknown))["errors"]["dcode"] == "ITEM_ERROR"


async def test_ended_item_is_still_viewable_with_its_status(api: Api) -> None:
    ended = next(i for i in api.catalog if i.status is ItemStatus.ENDED)
    assert (await api.view(ended.no))["domeggook"]["basis"]["status"] == "판매종료"
