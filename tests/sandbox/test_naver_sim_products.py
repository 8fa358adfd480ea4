"""Product create / read / full-replace update / delete, search and categories (reference §2, §4)."""

from __future__ import annotations

import copy

from tests.sandbox.support import SELLER_CODE, NaverApi, ServeNaver, config_with, with_options

ORIGIN = "/v2/products/origin-products"
CHANNEL = "/v2/products/channel-products"


def seller_search(code: str | None) -> dict[str, object]:
    body: dict[str, object] = {"searchKeywordType": "SELLER_CODE", "page": 1, "size": 50}
    if code is not None:
        body["sellerManagementCode"] = code
    return body


async def test_create_answers_the_product_numbers_and_echoes_the_product(naver: NaverApi) -> None:
    status, body, headers = await naver.call("POST", "/v2/products", json=await naver.valid_payload())
    numbers = {"originProductNo", "smartstoreChannelProductNo"}
    assert status == 200
    # [DOC create-product-product.md §Responses]: the numbers plus the echoed product.
    assert set(body) == numbers | {"originProduct", "smartstoreChannelProduct"}
    assert all(isinstance(body[key], int) and body[key] > 10**10 for key in numbers)
    assert headers["Content-Type"].startswith("application/json")


async def test_created_product_reads_back_with_option_ids_and_sanitised_html(naver: NaverApi) -> None:
    payload = with_options(await naver.valid_payload(), [5, 7])
    payload["originProduct"]["detailContent"] = '<p onclick="x()">설명</p><script>alert(1)</script>'
    numbers = await naver.create(payload)
    status, body, _ = await naver.call("GET", f"{ORIGIN}/{numbers['originProductNo']}")
    origin = body["originProduct"]
    rows = origin["detailAttribute"]["optionInfo"]["optionCombinations"]
    assert status == 200
    assert origin["name"] == payload["originProduct"]["name"]
    assert origin["statusType"] == "SALE"
    assert origin["stockQuantity"] == 12
    assert all(isinstance(row["id"], int) for row in rows)
    assert origin["detailContent"] == "<p>설명</p>"
    assert body["smartstoreChannelProduct"]["channelProductDisplayStatusType"] == "ON"


async def test_create_with_zero_stock_is_stored_out_of_stock_and_suspension_becomes_sale(
    naver: NaverApi,
) -> None:
    payload = await naver.valid_payload()
    payload["originProduct"]["stockQuantity"] = 0
    empty = await naver.create(payload)
    payload["originProduct"].update(stockQuantity=5, statusType="SUSPENSION")
    suspended = await naver.create(payload)
    _, empty_body, _ = await naver.call("GET", f"{ORIGIN}/{empty['originProductNo']}")
    _, suspended_body, _ = await naver.call("GET", f"{ORIGIN}/{suspended['originProductNo']}")
    assert empty_body["originProduct"]["statusType"] == "OUTOFSTOCK"
    assert suspended_body["originProduct"]["statusType"] == "SALE"


async def test_unknown_product_number_is_404(naver: NaverApi) -> None:
    status, body, _ = await naver.call("GET", f"{ORIGIN}/12345")
    assert status == 404
    assert body["code"] == "NOT_FOUND"


async def test_put_replaces_the_whole_product(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    payload["originProduct"]["detailAttribute"]["seoInfo"] = {"sellerTags": [{"text": "텀블러"}]}
    numbers = await naver.create(payload)
    path = f"{ORIGIN}/{numbers['originProductNo']}"
    _, current, _ = await naver.call("GET", path)
    current["originProduct"]["name"] = "새 이름"
    current["originProduct"]["salePrice"] = 25000
    del current["originProduct"]["detailAttribute"]["seoInfo"]
    status, answer, _ = await naver.call("PUT", path, json=current)
    _, after, _ = await naver.call("GET", path)
    assert status == 200
    assert answer == {key: numbers[key] for key in ("originProductNo", "smartstoreChannelProductNo")}
    assert after["originProduct"]["name"] == "새 이름"
    assert after["originProduct"]["salePrice"] == 25000
    assert "seoInfo" not in after["originProduct"]["detailAttribute"]


async def test_put_keeps_omitted_detail_content_stock_and_notice(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    numbers = await naver.create(payload)
    path = f"{ORIGIN}/{numbers['originProductNo']}"
    update = copy.deepcopy(payload)
    for key in ("detailContent", "stockQuantity"):
        del update["originProduct"][key]
    del update["originProduct"]["detailAttribute"]["productInfoProvidedNotice"]
    status, _, _ = await naver.call("PUT", path, json=update)
    _, after, _ = await naver.call("GET", path)
    origin = after["originProduct"]
    assert status == 200
    assert origin["detailContent"] == payload["originProduct"]["detailContent"]
    assert origin["stockQuantity"] == 300
    assert origin["detailAttribute"]["productInfoProvidedNotice"]["productInfoProvidedNoticeType"] == "ETC"


async def test_put_with_only_stock_and_status_fails_like_naver(naver: NaverApi) -> None:
    numbers = await naver.create(await naver.valid_payload())
    body = {"originProduct": {"stockQuantity": 100, "statusType": "SALE"}}
    status, answer, _ = await naver.call("PUT", f"{ORIGIN}/{numbers['originProductNo']}", json=body)
    names = {item["name"] for item in answer["invalidInputs"]}
    assert status == 400
    assert "originProduct.salePrice" in names
    assert "smartstoreChannelProduct" in names


async def test_put_keeps_option_ids_of_rows_matched_by_name(naver: NaverApi) -> None:
    numbers = await naver.create(with_options(await naver.valid_payload(), [5, 7]))
    path = f"{ORIGIN}/{numbers['originProductNo']}"
    _, current, _ = await naver.call("GET", path)
    rows = current["originProduct"]["detailAttribute"]["optionInfo"]["optionCombinations"]
    ids = [row.pop("id") for row in rows]
    rows[0]["stockQuantity"] = 1
    current["originProduct"]["stockQuantity"] = 8
    status, _, _ = await naver.call("PUT", path, json=current)
    _, after, _ = await naver.call("GET", path)
    after_rows = after["originProduct"]["detailAttribute"]["optionInfo"]["optionCombinations"]
    assert status == 200
    assert [row["id"] for row in after_rows] == ids
    assert after["originProduct"]["stockQuantity"] == 8


async def test_put_with_an_unknown_option_id_is_rejected(naver: NaverApi) -> None:
    numbers = await naver.create(with_options(await naver.valid_payload(), [5, 7]))
    path = f"{ORIGIN}/{numbers['originProductNo']}"
    _, current, _ = await naver.call("GET", path)
    current["originProduct"]["detailAttribute"]["optionInfo"]["optionCombinations"][0]["id"] = 1
    status, body, _ = await naver.call("PUT", path, json=current)
    assert status == 400
    assert (
        body["invalidInputs"][0]["name"]
        == "originProduct.detailAttribute.optionInfo.optionCombinations[0].id"
    )


async def test_delete_removes_the_product(naver: NaverApi) -> None:
    numbers = await naver.create(await naver.valid_payload())
    path = f"{ORIGIN}/{numbers['originProductNo']}"
    status, body, _ = await naver.call("DELETE", path)
    after, _, _ = await naver.call("GET", path)
    again, _, _ = await naver.call("DELETE", path)
    stats = await naver.stats()
    assert status == 200
    assert set(body) == {"code", "message", "data"}
    assert (after, again) == (404, 404)
    assert stats["products"] == 0


async def test_channel_product_routes_reach_the_same_product(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    numbers = await naver.create(payload)
    path = f"{CHANNEL}/{numbers['smartstoreChannelProductNo']}"
    read_status, read, _ = await naver.call("GET", path)
    payload["originProduct"]["name"] = "채널에서 수정"
    put_status, _, _ = await naver.call("PUT", path, json=payload)
    _, origin_view, _ = await naver.call("GET", f"{ORIGIN}/{numbers['originProductNo']}")
    delete_status, _, _ = await naver.call("DELETE", path)
    gone, _, _ = await naver.call("GET", f"{ORIGIN}/{numbers['originProductNo']}")
    assert (read_status, put_status, delete_status, gone) == (200, 200, 200, 404)
    assert read["originProduct"]["leafCategoryId"] == "50000803"
    assert origin_view["originProduct"]["name"] == "채널에서 수정"


async def test_search_by_seller_code_finds_exact_matches_only(naver: NaverApi) -> None:
    await naver.create(await naver.valid_payload(seller_code=SELLER_CODE))
    await naver.create(await naver.valid_payload(seller_code=SELLER_CODE + "-2"))
    status, found, _ = await naver.call("POST", "/v1/products/search", json=seller_search(SELLER_CODE))
    _, missing, _ = await naver.call("POST", "/v1/products/search", json=seller_search("SB-none"))
    _, everything, _ = await naver.call("POST", "/v1/products/search", json=seller_search(None))
    assert status == 200
    assert found["totalElements"] == 1
    channel = found["contents"][0]["channelProducts"][0]
    assert channel["sellerManagementCode"] == SELLER_CODE
    assert channel["originProductNo"] == found["contents"][0]["originProductNo"]
    assert {"channelProductNo", "statusType", "salePrice", "stockQuantity", "representativeImage"} <= set(
        channel
    )
    assert {"page", "size", "totalPages", "sort", "first", "last"} <= set(found)
    assert missing["contents"] == []
    assert missing["totalElements"] == 0
    assert everything["totalElements"] == 2


async def test_search_pages_and_filters_by_status(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    for index in range(3):
        payload["originProduct"]["detailAttribute"]["sellerCodeInfo"]["sellerManagementCode"] = f"SB-{index}"
        payload["originProduct"]["stockQuantity"] = index
        await naver.create(payload)
    _, page2, _ = await naver.call("POST", "/v1/products/search", json={"page": 2, "size": 2})
    _, selling, _ = await naver.call("POST", "/v1/products/search", json={"productStatusTypes": ["SALE"]})
    too_big, _, _ = await naver.call("POST", "/v1/products/search", json={"size": 501})
    assert page2["totalElements"] == 3
    assert page2["totalPages"] == 2
    assert len(page2["contents"]) == 1
    assert page2["last"] is True
    assert selling["totalElements"] == 2
    assert too_big == 400


async def test_search_lag_hides_new_products_until_it_passes(serve_naver: ServeNaver) -> None:
    naver = await serve_naver(config_with(search_lag_s=5.0))
    await naver.create(await naver.valid_payload())
    _, early, _ = await naver.call("POST", "/v1/products/search", json=seller_search(SELLER_CODE))
    naver.clock.advance(5)
    _, later, _ = await naver.call("POST", "/v1/products/search", json=seller_search(SELLER_CODE))
    assert (early["totalElements"], later["totalElements"]) == (0, 1)


async def test_categories_list_leaves_details_and_children(naver: NaverApi) -> None:
    _, everything, _ = await naver.call("GET", "/v1/categories")
    _, leaves, _ = await naver.call("GET", "/v1/categories", params={"last": "true"})
    _, one, _ = await naver.call("GET", "/v1/categories/50000803")
    _, children, _ = await naver.call("GET", "/v1/categories/50000080/sub-categories")
    missing, _, _ = await naver.call("GET", "/v1/categories/99999999")
    assert len(leaves) < len(everything)
    assert all(item["last"] for item in leaves)
    assert all(len(item["id"]) == 8 for item in everything)
    assert one["wholeCategoryName"] == "생활/건강>주방용품>텀블러"
    assert one["last"] is True
    assert "50000803" in {item["id"] for item in children}
    assert missing == 404
