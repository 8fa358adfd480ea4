"""Fault injection of the Naver simulator: 5xx, forced 429, timeout and the lost answer."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from storebridge.sandbox.faults import Faults
from tests.sandbox.support import SELLER_CODE, NaverApi, ServeNaver, config_with


async def test_server_error_fault_answers_a_gateway_5xx(serve_naver: ServeNaver) -> None:
    naver = await serve_naver(faults=Faults(error_rate=1.0))
    naver.faults.error_rate = 0.0
    await naver.token()
    naver.faults.error_rate = 1.0
    answers = [await naver.call("GET", "/v1/categories") for _ in range(6)]
    stats = await naver.stats()
    for status, body, headers in answers:
        assert status in (500, 503, 504)
        assert body["code"].startswith("GW.")
        assert body["traceId"] == headers["GNCP-GW-Trace-ID"]
    assert stats["faults_injected"]["server_error"] == 6


async def test_forced_rate_limit_fault_answers_429_with_zero_remaining(naver: NaverApi) -> None:
    await naver.token()
    naver.faults.rate_limit_rate = 1.0
    status, body, headers = await naver.call("GET", "/v1/categories")
    stats = await naver.stats()
    assert status == 429
    assert body["code"] == "GW.RATE_LIMIT"
    assert headers["GNCP-GW-RateLimit-Remaining"] == "0"
    assert stats["rate_limited"] == 1


async def test_timeout_fault_holds_the_request_until_the_client_gives_up(serve_naver: ServeNaver) -> None:
    naver = await serve_naver(config_with(timeout_hold_s=60.0))
    payload = await naver.valid_payload()
    naver.faults.timeout_rate = 1.0
    with pytest.raises(asyncio.TimeoutError):
        await naver.call("POST", "/v2/products", json=payload, timeout=aiohttp.ClientTimeout(total=0.3))
    naver.faults.timeout_rate = 0.0
    stats = await naver.stats()
    assert stats["products"] == 0
    assert stats["faults_injected"]["timeout"] == 1


async def test_timeout_fault_answers_gateway_504_after_the_hold(serve_naver: ServeNaver) -> None:
    naver = await serve_naver(config_with(timeout_hold_s=0.05))
    await naver.token()
    naver.faults.timeout_rate = 1.0
    status, body, _ = await naver.call("GET", "/v1/categories")
    assert status == 504
    assert body["code"] == "GW.TIMEOUT.01"


async def test_lost_answer_fault_creates_the_product_but_drops_the_connection(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    naver.faults.lost_answer_rate = 1.0
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await naver.call("POST", "/v2/products", json=payload)
    naver.faults.lost_answer_rate = 0.0
    status, found, _ = await naver.call(
        "POST",
        "/v1/products/search",
        json={"searchKeywordType": "SELLER_CODE", "sellerManagementCode": SELLER_CODE},
    )
    stats = await naver.stats()
    assert status == 200
    assert found["totalElements"] == 1
    assert stats["products"] == 1
    assert stats["lost_answers"] == 1


async def test_blind_retry_after_a_lost_answer_makes_a_duplicate_that_stats_count(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    naver.faults.lost_answer_rate = 1.0
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await naver.call("POST", "/v2/products", json=payload)
    naver.faults.lost_answer_rate = 0.0
    await naver.create(payload)
    stats = await naver.stats()
    assert stats["products"] == 2
    assert stats["duplicates"] == 1
    assert stats["duplicate_creates"] == 1


async def test_lost_answer_fault_spares_reads(naver: NaverApi) -> None:
    await naver.token()
    naver.faults.lost_answer_rate = 1.0
    status, _, _ = await naver.call("GET", "/v1/categories")
    assert status == 200


async def test_latency_fault_still_answers(serve_naver: ServeNaver) -> None:
    naver = await serve_naver(faults=Faults(latency_ms=20))
    status, _, _ = await naver.call("GET", "/v1/categories")
    assert status == 200
