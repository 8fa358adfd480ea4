"""getItemList and getCategoryList of the Domeggook simulator over real HTTP: paging, filters, tree."""

from __future__ import annotations

from storebridge.sandbox.catalog.generator import Catalog, ItemStatus
from tests.sandbox.support import Api, as_list, on_sale

# --- getCategoryList ---------------------------------------------------------------------------


async def test_category_list_is_a_tree_keyed_by_numeric_strings(api: Api) -> None:
    status, body = await api.call(ver="1.0", mode="getCategoryList")
    assert status == 200
    items = body["domeggook"]["items"]
    assert isinstance(items, dict)
    briefcase = items["1"]["child"]["7"]["child"]["3"]
    assert briefcase == {"code": "01_07_03_00_00", "name": "서류가방", "locked": "false", "int": "3"}
    assert items["4"]["child"]["1"]["child"]["3"]["name"] == "텀블러"
    assert items["4"]["child"]["1"]["child"]["5"]["child"]["2"]["code"] == "04_01_05_02_00"


async def test_category_list_is_reg_leaves_out_locked_categories(api: Api) -> None:
    _, everything = await api.call(ver="1.0", mode="getCategoryList")
    _, registrable = await api.call(ver="1.0", mode="getCategoryList", isReg="true")
    hair = "5"
    assert "2" in everything["domeggook"]["items"]["3"]["child"][hair]["child"]
    assert "child" not in registrable["domeggook"]["items"]["3"]["child"][hair]


# --- getItemList -------------------------------------------------------------------------------


def _listed(catalog: Catalog, prefix: str) -> set[int]:
    return {
        i.no
        for i in catalog
        if i.status is ItemStatus.ON_SALE and i.dome_tiers is not None and i.category_code.startswith(prefix)
    }


async def test_list_needs_a_search_condition_and_a_top_level_category_is_not_one(api: Api) -> None:
    for params in ({"ca": "04_00_00_00_00"}, {"mnp": "1000"}, {}, {"ca": "99_99_99_99_99"}):
        status, body = await api.items(**params)
        assert status == 200
        assert "최소 한 가지 이상의 검색 조건" in body["errors"]["dmessage"]
    status, body = await api.items(ca="04_01_00_00_00")
    assert status == 200
    assert "domeggook" in body


async def test_list_pages_cover_every_hit_once_with_consistent_header_counts(api: Api) -> None:
    expected = _listed(api.catalog, "04_01")
    size = 7
    seen: list[int] = []
    page = 1
    while True:
        status, body = await api.items(ca="04_01_00_00_00", sz=str(size), pg=str(page))
        assert status == 200
        header = body["domeggook"]["header"]
        rows = as_list(body["domeggook"]["list"]["item"])
        assert header["numberOfItems"] == len(expected)
        assert header["numberOfPages"] == -(-len(expected) // size)
        assert header["itemsPerPage"] == size
        assert header["firstItem"] == (page - 1) * size + 1
        assert header["lastItem"] == header["firstItem"] + len(rows) - 1
        assert header["currentPage"] == (str(page) if page % 2 else page)
        assert header["sort"] == "rd"
        seen.extend(int(row["no"]) for row in rows)
        if page >= header["numberOfPages"]:
            break
        page += 1
    assert len(seen) == len(set(seen))
    assert set(seen) == expected


async def test_page_size_defaults_to_twenty(api: Api) -> None:
    _, body = await api.items(id=api.catalog.items[0].seller.id)
    assert body["domeggook"]["header"]["itemsPerPage"] == 20


async def test_page_past_the_end_is_an_error_mentioning_the_page(api: Api) -> None:
    status, body = await api.items(ca="04_01_00_00_00", sz="200", pg="2")
    assert status == 200
    assert "페이지" in body["errors"]["dmessage"]
    assert "목록이 없습니다" in body["errors"]["dmessage"]


async def test_list_shows_only_items_on_sale(api: Api) -> None:
    seller = next(i.seller for i in api.catalog if i.status is not ItemStatus.ON_SALE)
    _, body = await api.items(id=seller.id, sz="200")
    listed = {int(row["no"]) for row in as_list(body["domeggook"]["list"]["item"])}
    mine = [i for i in api.catalog if i.seller.id == seller.id]
    assert listed == {i.no for i in mine if i.status is ItemStatus.ON_SALE and i.dome_tiers is not None}
    assert any(i.status is not ItemStatus.ON_SALE for i in mine)


async def test_list_row_is_flat_with_a_string_thumb_and_the_moq_tier_price(api: Api) -> None:
    item = on_sale(api.catalog, lambda i: i.moq > 1 and i.dome_tiers is not None and len(i.dome_tiers) > 1)
    _, body = await api.items(id=item.seller.id, sz="200")
    row = next(r for r in as_list(body["domeggook"]["list"]["item"]) if r["no"] == str(item.no))
    assert isinstance(row["thumb"], str)
    assert row["thumb"].startswith(api.base_url)
    assert int(row["price"]) == item.price_at(item.moq)
    assert row["unitQty"] == str(item.moq)
    assert row["deli"]["who"] == item.delivery.who
    assert set(row) >= {"no", "title", "idxCOM", "id", "comOnly", "adultOnly", "lwp", "url", "market"}


async def test_price_filters_and_a_max_below_the_min_is_ignored(api: Api) -> None:
    _, body = await api.items(ca="04_01_00_00_00", mnp="5000", mxp="9000", sz="200")
    prices = [int(row["price"]) for row in as_list(body["domeggook"]["list"]["item"])]
    assert prices
    assert all(5000 <= p <= 9000 for p in prices)
    _, body = await api.items(ca="04_01_00_00_00", mnp="5000", mxp="100", sz="200")
    prices = [int(row["price"]) for row in as_list(body["domeggook"]["list"]["item"])]
    assert prices
    assert all(p >= 5000 for p in prices)
    assert max(prices) > 9000


async def test_moq_filter_mxq_one_returns_single_unit_items(api: Api) -> None:
    _, body = await api.items(ca="04_01_00_00_00", mxq="1", sz="200")
    rows = as_list(body["domeggook"]["list"]["item"])
    assert rows
    assert all(row["unitQty"] == "1" for row in rows)
    _, body = await api.items(ca="04_01_00_00_00", mnq="10", mxq="1", sz="200")
    assert all(int(row["unitQty"]) >= 10 for row in as_list(body["domeggook"]["list"]["item"]))


async def test_keyword_search_matches_titles_and_sorts_by_relevance(api: Api) -> None:
    _, body = await api.items(kw="텀블러", sz="200")
    rows = as_list(body["domeggook"]["list"]["item"])
    assert body["domeggook"]["header"]["sort"] == "se"
    assert rows
    assert all("텀블러" in row["title"] for row in rows)


async def test_price_sorts_order_rows_by_the_listed_price(api: Api) -> None:
    _, ascending = await api.items(ca="04_01_00_00_00", so="aa", sz="200")
    _, descending = await api.items(ca="04_01_00_00_00", so="ad", sz="200")
    up = [int(r["price"]) for r in as_list(ascending["domeggook"]["list"]["item"])]
    down = [int(r["price"]) for r in as_list(descending["domeggook"]["list"]["item"])]
    assert up == sorted(up)
    assert down == sorted(down, reverse=True)
    assert ascending["domeggook"]["header"]["sort"] == "aa"


async def test_single_row_page_is_a_bare_object(api: Api) -> None:
    _, body = await api.items(ca="04_01_00_00_00", sz="1")
    assert isinstance(body["domeggook"]["list"]["item"], dict)


async def test_page_size_outside_one_to_two_hundred_is_an_error(api: Api) -> None:
    for size in ("0", "201", "abc"):
        _, body = await api.items(ca="04_01_00_00_00", sz=size)
        assert "errors" in body


async def test_supply_market_lists_supply_prices(api: Api) -> None:
    _, body = await api.call(ver="4.1", mode="getItemList", market="supply", ca="04_01_00_00_00", sz="200")
    for row in as_list(body["domeggook"]["list"]["item"]):
        item = api.catalog.get(int(row["no"]))
        assert item is not None
        assert int(row["price"]) == item.supply_price_won


async def test_list_without_market_is_an_error(api: Api) -> None:
    status, body = await api.call(ver="4.1", mode="getItemList", ca="04_01_00_00_00")
    assert status == 200
    assert "errors" in body
