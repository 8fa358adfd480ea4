"""The Naver client against the Naver simulator over real HTTP (no mocks of our modules).

Covers the token flow (form body, reuse, single flight, one re-auth), retries of reads, the
never-re-post rule for creates, validation errors, full-replace updates, seller-code search, image
upload batching, price/stock/status changes, the limiter hook and secret hygiene.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import io
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from PIL import Image

from storebridge.config import load_settings
from storebridge.errors import PermanentError, StoreBridgeError, TransientError
from storebridge.http import ClientSettings, Limiter, RequestKey
from storebridge.naver import (
    ImageFile,
    NaverClient,
    NaverNotFound,
    NaverOutcomeUnknown,
    NaverRateLimited,
    NaverTransient,
    NaverValidationError,
    OptionStock,
    PriceStockChange,
)
from storebridge.naver.transport import OPERATOR_HOLD_S
from storebridge.sandbox.naver.config import NaverSimConfig
from storebridge.sandbox.runner import Sandbox
from storebridge.serve import ServedApp

#: Fast retries so fault tests take milliseconds, not seconds.
FAST_RETRY = ClientSettings(timeout_s=5.0, retry_base_s=0.01, retry_max_s=0.05)
#: A leaf category of the simulator's tree without certification or unit-price gates.
PLAIN_LEAF_CATEGORY = "50001120"


def png(index: int) -> bytes:
    """A small PNG whose pixels depend on ``index``, so every file is distinct."""
    buffer = io.BytesIO()
    Image.new("RGB", (8 + index % 5, 8), (index * 7 % 256, index * 13 % 256, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def make_client(
    sandbox: Sandbox,
    *,
    limiter: Limiter | None = None,
    client_secret: str | None = None,
    operator_hold_s: float = OPERATOR_HOLD_S,
    **knobs: Any,
) -> NaverClient:
    """A client on the sandbox, with fast retries unless ``knobs`` (``ClientSettings`` fields) override."""
    env = sandbox.environment()
    return NaverClient(
        api_url=env["NAVER_API_URL"],
        client_id=env["NAVER_CLIENT_ID"],
        client_secret=client_secret or env["NAVER_CLIENT_SECRET"],
        client_settings=dataclasses.replace(FAST_RETRY, **knobs),
        limiter=limiter,
        operator_hold_s=operator_hold_s,
    )


def product_payload(image_url: str, code: str, *, name: str = "스테인리스 수납함 대형") -> dict[str, Any]:
    """A create body the simulator accepts: two combination options, ETC notice, paid delivery."""
    phone = "010-1234-5678"
    notice = {
        "returnCostReason": "1",
        "noRefundReason": "1",
        "qualityAssuranceStandard": "1",
        "compensationProcedure": "1",
        "troubleShootingContents": "1",
        "itemName": "수납함",
        "modelName": "상세페이지 참조",
        "manufacturer": "상세페이지 참조",
        "customerServicePhoneNumber": phone,
    }
    options = [
        {
            "optionName1": "블랙",
            "stockQuantity": 150,
            "price": 0,
            "usable": True,
            "sellerManagerCode": code + "-BK",
        },
        {
            "optionName1": "화이트",
            "stockQuantity": 150,
            "price": 0,
            "usable": True,
            "sellerManagerCode": code + "-WH",
        },
    ]
    return {
        "originProduct": {
            "statusType": "SALE",
            "saleType": "NEW",
            "leafCategoryId": PLAIN_LEAF_CATEGORY,
            "name": name,
            "detailContent": "<div><p>상품 설명</p></div>",
            "images": {"representativeImage": {"url": image_url}},
            "salePrice": 19900,
            "stockQuantity": 300,
            "deliveryInfo": {
                "deliveryType": "DELIVERY",
                "deliveryAttributeType": "NORMAL",
                "deliveryCompany": "CJGLS",
                "deliveryFee": {"deliveryFeeType": "PAID", "baseFee": 3000, "deliveryFeePayType": "PREPAID"},
                "claimDeliveryInfo": {"returnDeliveryFee": 3000, "exchangeDeliveryFee": 6000},
            },
            "detailAttribute": {
                "afterServiceInfo": {
                    "afterServiceTelephoneNumber": phone,
                    "afterServiceGuideContent": "판매자 문의",
                },
                "originAreaInfo": {"originAreaCode": "0200037", "importer": "수입사명", "plural": False},
                "sellerCodeInfo": {"sellerManagementCode": code},
                "optionInfo": {
                    "optionCombinationSortType": "CREATE",
                    "optionCombinationGroupNames": {"optionGroupName1": "색상"},
                    "optionCombinations": options,
                    "useStockManagement": True,
                },
                "productInfoProvidedNotice": {"productInfoProvidedNoticeType": "ETC", "etc": notice},
                "minorPurchasable": True,
                "taxType": "TAX",
            },
        },
        "smartstoreChannelProduct": {
            "naverShoppingRegistration": False,
            "channelProductDisplayStatusType": "ON",
        },
    }


def simple_payload(image_url: str, code: str) -> dict[str, Any]:
    """A create body without options (so price and stock can go through multi-update)."""
    payload = product_payload(image_url, code)
    del payload["originProduct"]["detailAttribute"]["optionInfo"]
    return payload


async def sandbox_get(origin: str, path: str) -> Any:
    """GET a sandbox control endpoint (``/_sandbox/...``) and return its JSON."""
    async with aiohttp.ClientSession() as session, session.get(origin + path) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def sandbox_post(origin: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
    """POST to a sandbox control endpoint and return its JSON."""
    async with aiohttp.ClientSession() as session, session.post(origin + path, json=body or {}) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def naver_stats(sandbox: Sandbox) -> dict[str, Any]:
    """The Naver simulator's counters."""
    stats: dict[str, Any] = await sandbox_get(sandbox.naver_origin, "/_sandbox/stats")
    return stats


async def naver_faults(sandbox: Sandbox, **faults: float) -> None:
    """Change the Naver simulator's fault settings."""
    await sandbox_post(sandbox.naver_origin, "/_sandbox/faults", faults)


class RecordingLimiter:
    """A ``storebridge.http.Limiter`` that only records what the client tells it."""

    def __init__(self) -> None:
        self.before: list[RequestKey] = []
        self.after: list[tuple[RequestKey, int, dict[str, str]]] = []

    async def before_request(self, key: RequestKey) -> None:
        """Record the request key; never waits."""
        self.before.append(key)

    async def after_response(self, key: RequestKey, status: int, headers: Mapping[str, str]) -> None:
        """Record key, status and headers (lower-cased keys)."""
        self.after.append((key, status, {name.lower(): value for name, value in headers.items()}))


async def _create(client: NaverClient, code: str, *, simple: bool = False) -> int:
    [url] = await client.upload_images([ImageFile("main.png", png(len(code)))])
    payload = simple_payload(url, code) if simple else product_payload(url, code)
    return (await client.create_product(payload)).origin_product_no


# -- token ----------------------------------------------------------------------------------------


async def test_one_token_serves_many_concurrent_calls(sb: Sandbox, client: NaverClient) -> None:
    results = await asyncio.gather(*(client.get_categories() for _ in range(8)))

    assert all(len(categories) > 0 for categories in results)
    stats = await naver_stats(sb)
    assert stats["tokens_issued"] == 1
    assert stats["requests"]["POST /v1/oauth2/token"] == 1
    assert client.tokens.tokens_fetched == 1


async def test_token_request_is_form_encoded_so_the_strict_simulator_accepts_it(
    sb: Sandbox, client: NaverClient
) -> None:
    await client.get_categories()

    stats = await naver_stats(sb)
    assert stats["token_spec_violations"] == 0
    assert stats["tokens_issued"] == 1


async def test_rejected_token_is_replaced_once_and_the_call_succeeds(
    sb: Sandbox, client: NaverClient
) -> None:
    await client.get_categories()
    await sandbox_post(sb.naver_origin, "/_sandbox/reset")  # revokes every token

    categories = await asyncio.gather(*(client.get_categories() for _ in range(4)))

    assert all(categories)
    stats = await naver_stats(sb)
    assert stats["tokens_issued"] == 1  # one re-auth shared by the four calls
    assert stats["auth_failures"] == 4


# -- retries, rate limits and unknown outcomes ------------------------------------------------------


async def test_rate_limited_read_raises_with_the_gateway_headers(sb: Sandbox) -> None:
    async with make_client(sb, max_retries=1) as naver:
        await naver.tokens.get()
        await naver_faults(sb, rate_limit_rate=1.0)
        with pytest.raises(NaverRateLimited) as caught:
            await naver.get_categories()

    error = caught.value
    assert isinstance(error, TransientError)
    assert error.status == 429
    assert error.api_code == "GW.RATE_LIMIT"
    assert error.rate_limit is not None
    assert (error.rate_limit.replenish_rate_per_s, error.rate_limit.remaining) == (50.0, 0)
    assert error.trace_id
    assert error.retry_after_s == pytest.approx(1 / 50)
    assert (await naver_stats(sb))["requests"]["GET /v1/categories"] == 2  # first try + one retry


async def test_server_error_on_a_read_is_retried_then_succeeds(sb: Sandbox, client: NaverClient) -> None:
    await client.tokens.get()
    # Seed 1: the first draw fails (0.13 < 0.5), the second passes.
    await naver_faults(sb, error_rate=0.5, seed=1)

    categories = await client.get_categories()

    assert categories
    stats = await naver_stats(sb)
    assert stats["faults_injected"]["server_error"] == 1
    assert stats["requests"]["GET /v1/categories"] == 2


async def test_persistent_server_errors_on_a_read_raise_transient_after_max_retries(sb: Sandbox) -> None:
    async with make_client(sb, max_retries=2) as naver:
        await naver.tokens.get()
        await naver_faults(sb, error_rate=1.0)
        with pytest.raises(NaverTransient):
            await naver.get_categories()

    assert (await naver_stats(sb))["requests"]["GET /v1/categories"] == 3


@pytest.mark.parametrize("fault", ["error_rate", "lost_answer_rate", "timeout_rate"])
async def test_failed_create_is_outcome_unknown_and_never_posted_twice(sb: Sandbox, fault: str) -> None:
    async with make_client(sb, timeout_s=1.0) as naver:
        [url] = await naver.upload_images([ImageFile("main.png", png(1))])
        await naver_faults(sb, **{fault: 1.0})
        with pytest.raises(NaverOutcomeUnknown) as caught:
            await naver.create_product(product_payload(url, "SB-1-777"))
        await naver_faults(sb, **{fault: 0.0})
        found = await naver.search_by_seller_code("SB-1-777")

    assert not isinstance(caught.value, NaverTransient)  # a caller catching NaverTransient won't re-post
    stats = await naver_stats(sb)
    assert stats["requests"]["POST /v2/products"] == 1
    assert stats["duplicates"] == 0
    expected = 1 if fault == "lost_answer_rate" else 0  # lost answer: applied, answer dropped
    assert stats["products"] == expected
    assert len(found) == expected


async def test_rate_limited_create_is_retried_because_the_gateway_refused_it(sb: Sandbox) -> None:
    async with make_client(sb, max_retries=3) as naver:
        [url] = await naver.upload_images([ImageFile("main.png", png(1))])
        await naver_faults(sb, rate_limit_rate=0.5, seed=1)  # first draw 0.13 -> 429, then passes
        result = await naver.create_product(product_payload(url, "SB-1-778"))

    stats = await naver_stats(sb)
    assert result.origin_product_no > 0
    assert stats["products"] == 1
    assert stats["requests"]["POST /v2/products"] == 2


async def test_validation_error_lists_invalid_inputs_and_is_not_retried(
    sb: Sandbox, client: NaverClient
) -> None:
    [url] = await client.upload_images([ImageFile("main.png", png(2))])
    payload = product_payload(url, "SB-1-900")
    del payload["originProduct"]["salePrice"]

    with pytest.raises(NaverValidationError) as caught:
        await client.create_product(payload)

    error = caught.value
    assert isinstance(error, PermanentError)
    assert "originProduct.salePrice" in {item.name for item in error.invalid_inputs}
    assert error.status == 400
    assert error.trace_id
    assert "POST /v2/products" in str(error)
    assert "originProduct.salePrice" in str(error)
    assert (await naver_stats(sb))["requests"]["POST /v2/products"] == 1


@contextlib.asynccontextmanager
async def stub_naver(
    routes: dict[tuple[str, str], Any],
) -> AsyncIterator[tuple[NaverClient, dict[str, int]]]:
    """A client on a stub gateway that issues tokens and answers each (method, path) with its JSON.

    Also yields the number of calls per ``"METHOD /path"``; one retry is allowed.
    """
    counts: dict[str, int] = {}

    async def token(request: web.Request) -> web.Response:
        return web.json_response({"access_token": "t", "expires_in": 10800})

    def answering(name: str, doc: Any) -> Any:
        async def handler(request: web.Request) -> web.Response:
            counts[name] = counts.get(name, 0) + 1
            return web.json_response(doc)

        return handler

    app = web.Application()
    app.router.add_post("/external/v1/oauth2/token", token)
    for (method, path), doc in routes.items():
        app.router.add_route(method, "/external" + path, answering(f"{method} {path}", doc))
    async with (
        ServedApp(app) as served,
        NaverClient(
            api_url=served.base_url + "/external",
            client_id="app",
            client_secret=NaverSimConfig().client_secret,
            client_settings=dataclasses.replace(FAST_RETRY, max_retries=1),
        ) as naver,
    ):
        yield naver, counts


async def test_create_answer_without_the_product_number_is_an_unknown_outcome_and_not_reposted() -> None:
    routes = {("POST", "/v2/products"): {"smartstoreChannelProductNo": 5}}
    async with stub_naver(routes) as (naver, counts):
        with pytest.raises(NaverOutcomeUnknown, match="no originProductNo") as caught:
            await naver.create_product({"originProduct": {}})

    assert counts == {"POST /v2/products": 1}
    assert not isinstance(caught.value, NaverTransient)


async def test_read_answer_that_breaks_its_schema_is_transient_and_retried() -> None:
    async with stub_naver({("GET", "/v1/categories"): [{"name": "no id"}]}) as (naver, counts):
        with pytest.raises(NaverTransient, match="unexpected body"):
            await naver.get_categories()

    assert counts == {"GET /v1/categories": 2}


async def test_answers_are_read_leniently_where_naver_sends_numbers_as_strings() -> None:
    adoptable = {
        "originProductNo": "41",
        "channelProducts": [{"channelProductNo": "42", "sellerManagementCode": "C"}],
    }
    unnumbered = {"channelProducts": [{"channelProductNo": 43, "sellerManagementCode": "C"}]}
    routes = {
        ("POST", "/v1/products/search"): {
            "contents": [adoptable, unnumbered],
            "totalPages": "1",
            "new": True,
        },
        ("GET", "/v1/categories"): [{"id": 50000803, "name": None, "last": True}],
    }
    async with stub_naver(routes) as (naver, _):
        found = await naver.search_by_seller_code("C")
        [category] = await naver.get_categories()

    assert [(f.origin_product_no, f.channel_product_no) for f in found] == [(41, 42)]  # unnumbered skipped
    assert (category.id, category.name, category.last) == ("50000803", "", True)


# -- products -------------------------------------------------------------------------------------


async def test_create_returns_both_numbers_trace_id_and_rate_state(client: NaverClient) -> None:
    [url] = await client.upload_images([ImageFile("main.png", png(3))])

    result = await client.create_product(product_payload(url, "SB-1-101"))

    assert result.origin_product_no > 0
    assert result.channel_product_no
    assert result.trace_id
    assert result.rate_limit is not None
    assert result.rate_limit.burst_capacity == 100


async def test_update_changes_one_field_and_keeps_every_other(client: NaverClient) -> None:
    origin_no = await _create(client, "SB-1-102")
    before = (await client.get_product(origin_no)).body

    def rename(document: dict[str, Any]) -> dict[str, Any]:
        document["originProduct"]["name"] = "새 이름"
        return document

    result = await client.update_product(origin_no, rename)
    after = (await client.get_product(origin_no)).body

    assert result.origin_product_no == origin_no
    assert after["originProduct"].pop("name") == "새 이름"
    before["originProduct"].pop("name")
    assert after == before


async def test_update_that_drops_a_field_is_refused_before_any_put(sb: Sandbox, client: NaverClient) -> None:
    origin_no = await _create(client, "SB-1-103")

    def drop(document: dict[str, Any]) -> dict[str, Any]:
        del document["originProduct"]["deliveryInfo"]
        return document

    with pytest.raises(ValueError, match=r"originProduct\.deliveryInfo"):
        await client.update_product(origin_no, drop)
    assert "PUT /v2/products/origin-products/{originProductNo}" not in (await naver_stats(sb))["requests"]


async def test_search_by_seller_code_returns_exact_matches_only(client: NaverClient) -> None:
    wanted = await _create(client, "SB-1-100")
    await _create(client, "SB-1-1000")

    found = await client.search_by_seller_code("SB-1-100")
    nothing = await client.search_by_seller_code("SB-9-999")

    assert [product.origin_product_no for product in found] == [wanted]
    assert found[0].seller_management_code == "SB-1-100"
    assert found[0].channel_product_no
    assert nothing == []


async def test_option_stock_and_price_change_is_absolute(client: NaverClient) -> None:
    origin_no = await _create(client, "SB-1-104")
    rows = (await client.get_product(origin_no)).body["originProduct"]["detailAttribute"]["optionInfo"]
    ids = [row["id"] for row in rows["optionCombinations"]]

    await client.update_option_stock(
        origin_no, [OptionStock(ids[0], 5), OptionStock(ids[1], 0)], sale_price=20000
    )
    product = (await client.get_product(origin_no)).body["originProduct"]

    assert product["salePrice"] == 20000
    stocks = [row["stockQuantity"] for row in product["detailAttribute"]["optionInfo"]["optionCombinations"]]
    assert stocks == [5, 0]


async def test_price_and_stock_of_simple_products_change_in_one_multi_update_call(
    sb: Sandbox, client: NaverClient
) -> None:
    first = await _create(client, "SB-1-105", simple=True)
    second = await _create(client, "SB-1-106", simple=True)

    metas = await client.update_prices_and_stock(
        [
            PriceStockChange(first, sale_price=25000, stock_quantity=7),
            PriceStockChange(second, stock_quantity=0),
        ]
    )

    assert len(metas) == 1
    assert metas[0].trace_id
    assert (await naver_stats(sb))["requests"]["PATCH /v1/products/origin-products/multi-update"] == 1
    one = (await client.get_product(first)).body["originProduct"]
    two = (await client.get_product(second)).body["originProduct"]
    assert (one["salePrice"], one["stockQuantity"]) == (25000, 7)
    assert (two["salePrice"], two["stockQuantity"]) == (19900, 0)


async def test_status_change_suspends_and_resumes(client: NaverClient) -> None:
    origin_no = await _create(client, "SB-1-107")

    await client.change_status(origin_no, "SUSPENSION")
    suspended = (await client.search_by_seller_code("SB-1-107"))[0].status_type
    await client.change_status(origin_no, "SALE")
    resumed = (await client.search_by_seller_code("SB-1-107"))[0].status_type

    assert (suspended, resumed) == ("SUSPENSION", "SALE")


async def test_delete_is_idempotent_and_get_after_delete_is_not_found(client: NaverClient) -> None:
    origin_no = await _create(client, "SB-1-108")

    assert await client.delete_product(origin_no) is True
    assert await client.delete_product(origin_no) is False
    with pytest.raises(NaverNotFound):
        await client.get_product(origin_no)


async def test_categories_can_be_limited_to_leaves(client: NaverClient) -> None:
    everything = await client.get_categories()
    leaves = await client.get_categories(leaf_only=True)

    assert leaves
    assert all(category.last for category in leaves)
    assert len(everything) > len(leaves)
    assert any(">" in category.whole_category_name for category in leaves)


# -- images ---------------------------------------------------------------------------------------


async def test_upload_of_more_than_ten_images_is_split_and_keeps_order(
    sb: Sandbox, client: NaverClient
) -> None:
    files = [ImageFile(f"{index}.png", png(index)) for index in range(23)]

    urls = await client.upload_images(files)

    assert len(urls) == 23
    assert len(set(urls)) == 23
    assert (await naver_stats(sb))["requests"]["POST /v1/product-images/upload"] == 3
    async with aiohttp.ClientSession() as session:
        for url, image in zip(urls, files, strict=True):
            async with session.get(url) as response:
                assert await response.read() == image.data


async def test_upload_of_a_non_image_is_a_validation_error(client: NaverClient) -> None:
    with pytest.raises(NaverValidationError) as caught:
        await client.upload_images([ImageFile("notes.txt", b"plain text")])

    assert caught.value.invalid_inputs[0].name == "imageFiles[0]"


# -- limiter hook, lifecycle and secrets ------------------------------------------------------------


async def test_limiter_hook_sees_every_request_with_its_rate_headers(sb: Sandbox) -> None:
    limiter = RecordingLimiter()
    hook: Limiter = limiter  # the recorder satisfies the protocol (checked by mypy)
    async with make_client(sb, limiter=hook) as naver:
        await naver.get_categories()

    token, categories = (
        RequestKey("naver", "POST", "/v1/oauth2/token"),
        RequestKey("naver", "GET", "/v1/categories"),
    )
    assert limiter.before == [token, categories]
    key, status, headers = limiter.after[-1]
    assert (key, status) == (categories, 200)
    assert headers["gncp-gw-ratelimit-replenish-rate"] == "50"


async def test_close_is_idempotent_and_a_closed_client_refuses_calls(sb: Sandbox) -> None:
    naver = make_client(sb)
    await naver.get_categories()

    await naver.close()
    await naver.close()

    assert naver.closed
    with pytest.raises(RuntimeError, match="closed"):
        await naver.get_categories()


async def test_secrets_tokens_and_signatures_never_reach_reprs_errors_or_logs(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = sb.environment()["NAVER_CLIENT_SECRET"]
    wrong_secret = "$2a$04$abcdefghijklmnopqrstuu"
    texts: list[str] = []
    async with make_client(sb, max_retries=1) as naver, make_client(sb, client_secret=wrong_secret) as wrong:
        token = await naver.tokens.get()
        [url] = await naver.upload_images([ImageFile("main.png", png(4))])
        bad = product_payload(url, "SB-1-109")
        del bad["originProduct"]["salePrice"]
        for failing in (
            naver.create_product(bad),
            wrong.get_categories(),
        ):
            with pytest.raises(StoreBridgeError) as caught:
                await failing
            texts += [str(caught.value), repr(caught.value)]
        await naver_faults(sb, error_rate=1.0)
        for failing in (naver.get_categories(), naver.create_product(product_payload(url, "SB-1-110"))):
            with pytest.raises(StoreBridgeError) as caught:
                await failing
            texts += [str(caught.value), repr(caught.value)]
        texts += [repr(naver), repr(naver.tokens), repr(wrong), repr(wrong.tokens), caplog.text]

    everything = "\n".join(texts)
    # A signature is Base64 of a bcrypt hash that starts with the secret itself: its first 36
    # characters are the Base64 of the secret's first 27 bytes, whatever the timestamp.
    signature_prefixes = [base64.b64encode(s[:27].encode()).decode() for s in (secret, wrong_secret)]
    for needle in (secret, wrong_secret, token, *signature_prefixes):
        assert needle not in everything
    assert "naver.request.retry" in caplog.text  # the log capture did see the client's events


async def test_client_built_from_settings_works_and_its_repr_hides_the_secret(sb: Sandbox) -> None:
    settings = load_settings(**sb.environment(), MAX_RETRIES="1")
    fast = dataclasses.replace(ClientSettings.from_settings(settings), retry_base_s=0.01, retry_max_s=0.05)

    async with NaverClient.from_settings(settings, client_settings=fast) as naver:
        categories = await naver.get_categories()
        text = repr(naver)

    assert categories
    assert settings.naver_client_secret.get_secret_value() not in text
    assert settings.naver_api_url in text


class BrokenLimiter(RecordingLimiter):
    """A limiter whose bookkeeping fails after every answer."""

    async def after_response(self, key: RequestKey, status: int, headers: Mapping[str, str]) -> None:
        """Fail, as a limiter with an unreachable Redis would."""
        raise ConnectionError("redis is down")


async def test_failing_limiter_after_a_create_does_not_lose_the_created_product(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    async with make_client(sb, limiter=BrokenLimiter()) as naver:
        [url] = await naver.upload_images([ImageFile("main.png", png(5))])
        result = await naver.create_product(product_payload(url, "SB-1-111"))

    assert result.origin_product_no > 0
    assert (await naver_stats(sb))["products"] == 1
    assert "limiter.after_response_failed" in caplog.text
