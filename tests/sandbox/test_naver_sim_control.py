"""Sandbox-only endpoints of the Naver simulator: stats, product list, faults and reset."""

from __future__ import annotations

from typing import Any

from tests.sandbox.support import SELLER_CODE, NaverApi, with_options


async def get_json(naver: NaverApi, path: str) -> Any:
    async with naver.session.get(f"{naver.base_url}{path}") as response:
        assert response.status == 200
        return await response.json()


async def post_json(naver: NaverApi, path: str, body: Any) -> tuple[int, Any]:
    async with naver.session.post(f"{naver.base_url}{path}", json=body) as response:
        return response.status, await response.json()


async def test_stats_count_products_duplicates_requests_and_tokens(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    await naver.create(payload)
    await naver.create(payload)
    await naver.create(payload)
    await naver.create(await naver.valid_payload(seller_code="SB-other"))
    stats = await get_json(naver, "/_sandbox/stats")
    assert stats["products"] == 4
    assert stats["duplicates"] == 2
    assert stats["duplicate_creates"] == 2
    assert stats["requests"]["POST /v2/products"] == 4
    assert stats["requests"]["POST /v1/product-images/upload"] == 2
    assert stats["tokens_issued"] == 1
    assert stats["rate_limited"] == 0
    assert stats["lost_answers"] == 0


async def test_deleting_a_duplicate_brings_live_duplicates_back_to_zero(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    await naver.create(payload)
    second = await naver.create(payload)
    await naver.call("DELETE", f"/v2/products/origin-products/{second['originProductNo']}")
    stats = await get_json(naver, "/_sandbox/stats")
    assert (stats["duplicates"], stats["duplicate_creates"]) == (0, 1)


async def test_product_list_shows_codes_status_price_stock_and_options(naver: NaverApi) -> None:
    numbers = await naver.create(with_options(await naver.valid_payload(), [2, 3]))
    listing = await get_json(naver, "/_sandbox/products")
    (product,) = listing["products"]
    assert product["originProductNo"] == numbers["originProductNo"]
    assert product["sellerManagementCode"] == SELLER_CODE
    assert (product["statusType"], product["salePrice"], product["stockQuantity"]) == ("SALE", 19900, 5)
    assert [option["stockQuantity"] for option in product["options"]] == [2, 3]


async def test_faults_can_be_read_and_updated_and_bad_values_are_refused(naver: NaverApi) -> None:
    before = await get_json(naver, "/_sandbox/faults")
    ok, updated = await post_json(naver, "/_sandbox/faults", {"error_rate": 0.25, "latency_ms": 5})
    out_of_range, _ = await post_json(naver, "/_sandbox/faults", {"error_rate": 2})
    unknown, _ = await post_json(naver, "/_sandbox/faults", {"nonsense": 1})
    not_object, _ = await post_json(naver, "/_sandbox/faults", [1])
    after = await get_json(naver, "/_sandbox/faults")
    assert before["error_rate"] == 0.0
    assert ok == 200
    assert updated["error_rate"] == 0.25
    assert (out_of_range, unknown, not_object) == (400, 400, 400)
    assert after == updated
    assert naver.faults.error_rate == 0.25


async def test_reset_forgets_products_images_tokens_and_counters(naver: NaverApi) -> None:
    token = await naver.token()
    await naver.create(await naver.valid_payload())
    status, _ = await post_json(naver, "/_sandbox/reset", {})
    stats = await get_json(naver, "/_sandbox/stats")
    async with naver.session.get(
        naver.api("/v1/categories"), headers={"Authorization": f"Bearer {token}"}
    ) as response:
        old_token_status = response.status
    assert status == 200
    assert (stats["products"], stats["images"], stats["tokens_issued"]) == (0, 0, 0)
    assert old_token_status == 401


async def test_sandbox_endpoints_need_no_token_and_skip_the_gateway(naver: NaverApi) -> None:
    async with naver.session.get(f"{naver.base_url}/_sandbox/stats") as response:
        headers = response.headers
        status = response.status
    assert status == 200
    assert "GNCP-GW-Trace-ID" not in headers
