"""The simulated gateway: Bearer check, per-API token buckets, headers and 404/405 (reference §5, §6)."""

from __future__ import annotations

from storebridge.sandbox.naver.app import NaverSimConfig
from tests.sandbox.support import NaverApi, ServeNaver, config_with

GATEWAY_KEYS = {"code", "message", "timestamp", "traceId"}


async def test_call_without_token_gets_gateway_401_with_matching_trace_id(naver: NaverApi) -> None:
    async with naver.session.get(naver.api("/v1/categories")) as response:
        status, body, headers = response.status, await response.json(), response.headers
    stats = await naver.stats()
    assert status == 401
    assert set(body) == GATEWAY_KEYS
    assert body["code"] == "GW.AUTHN"
    assert body["message"] == "요청을 보낼 권한이 없습니다."
    assert body["timestamp"].endswith("+09:00")
    assert headers["GNCP-GW-Trace-ID"] == body["traceId"]
    assert stats["auth_failures"] == 1


async def test_unknown_token_and_wrong_scheme_get_401(naver: NaverApi) -> None:
    token = await naver.token()
    statuses = []
    for value in ("Bearer not-a-token", f"Basic {token}", f"Bearer{token}"):
        async with naver.session.get(
            naver.api("/v1/categories"), headers={"Authorization": value}
        ) as response:
            statuses.append((response.status, (await response.json())["code"]))
    assert statuses == [(401, "GW.AUTHN")] * 3


async def test_token_expires_after_three_hours(naver: NaverApi) -> None:
    before, _, _ = await naver.call("GET", "/v1/categories")
    naver.clock.advance(10799)
    just_before, _, _ = await naver.call("GET", "/v1/categories")
    naver.clock.advance(1)
    after, body, _ = await naver.call("GET", "/v1/categories")
    assert (before, just_before, after) == (200, 200, 401)
    assert body["code"] == "GW.AUTHN"


async def test_every_answer_carries_trace_and_rate_limit_headers(serve_naver: ServeNaver) -> None:
    naver = await serve_naver(NaverSimConfig())
    _, _, ok_headers = await naver.call("GET", "/v1/categories")
    _, _, error_headers = await naver.call("GET", "/v2/products/origin-products/1")
    async with naver.session.get(naver.api("/v1/categories")) as response:
        unauthorised_headers = dict(response.headers)
    for headers in (ok_headers, error_headers, unauthorised_headers):
        assert headers["GNCP-GW-Trace-ID"].count("^") == 2
        assert headers["GNCP-GW-RateLimit-Replenish-Rate"] == "2"
        assert headers["GNCP-GW-RateLimit-Burst-Capacity"] == "4"
        assert "GNCP-GW-RateLimit-Remaining" in headers
        assert headers["GNCP-GW-HttpClient-ResponseTime"].isdigit()
    assert ok_headers["GNCP-GW-Trace-ID"] != error_headers["GNCP-GW-Trace-ID"]


async def test_burst_beyond_capacity_gets_429_then_bucket_refills_at_the_rate(
    serve_naver: ServeNaver,
) -> None:
    naver = await serve_naver(NaverSimConfig())
    await naver.token()
    answers = [await naver.call("GET", "/v1/categories") for _ in range(5)]
    naver.clock.advance(0.5)
    after_half_second = await naver.call("GET", "/v1/categories")
    second_after = await naver.call("GET", "/v1/categories")
    naver.clock.advance(10)
    refilled = [await naver.call("GET", "/v1/categories") for _ in range(4)]
    stats = await naver.stats()
    statuses = [status for status, _, _ in answers]
    remaining = [headers["GNCP-GW-RateLimit-Remaining"] for _, _, headers in answers]
    assert statuses == [200, 200, 200, 200, 429]
    assert remaining == ["3", "2", "1", "0", "0"]
    limited_body = answers[4][1]
    assert limited_body["code"] == "GW.RATE_LIMIT"
    assert limited_body["message"] == "요청이 많아 서비스를 일시적으로 사용할 수 없습니다."
    assert limited_body["traceId"] == answers[4][2]["GNCP-GW-Trace-ID"]
    assert after_half_second[0] == 200
    assert second_after[0] == 429
    assert [status for status, _, _ in refilled] == [200] * 4
    assert stats["rate_limited"] == 2


async def test_each_api_has_its_own_bucket(serve_naver: ServeNaver) -> None:
    naver = await serve_naver(NaverSimConfig())
    await naver.token()
    for _ in range(4):
        await naver.call("GET", "/v1/categories")
    categories_status, _, _ = await naver.call("GET", "/v1/categories")
    search_status, _, _ = await naver.call("POST", "/v1/products/search", json={})
    assert (categories_status, search_status) == (429, 200)


async def test_rate_and_burst_are_configurable(serve_naver: ServeNaver) -> None:
    naver = await serve_naver(config_with(rate_per_s=5.0, burst_multiplier=1.0))
    answers = [await naver.call("GET", "/v1/categories") for _ in range(6)]
    assert [status for status, _, _ in answers] == [200] * 5 + [429]
    assert answers[0][2]["GNCP-GW-RateLimit-Burst-Capacity"] == "5"


async def test_unknown_path_gets_gateway_not_found(naver: NaverApi) -> None:
    status, body, headers = await naver.call("GET", "/v9/nothing-here")
    assert status == 404
    assert body["code"] == "GW.NOT_FOUND"
    assert body["traceId"] == headers["GNCP-GW-Trace-ID"]


async def test_wrong_method_gets_405(naver: NaverApi) -> None:
    status, body, _ = await naver.call("DELETE", "/v2/products")
    assert status == 405
    assert body["code"] == "METHOD_NOT_ALLOWED"
