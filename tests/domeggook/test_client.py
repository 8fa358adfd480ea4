"""The Domeggook client against the Domeggook simulator over real HTTP (no mocks of our modules).

Covers paging to the end, batched detail calls (100 per call), ITEM_ERROR, errors inside HTTP 200,
429 blocks, HTML/5xx answers, the limiter hook and secret hygiene.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import AsyncIterator, Mapping

import pytest
from aiohttp import web

from storebridge.config import load_settings
from storebridge.domeggook import (
    DomeggookApiError,
    DomeggookClient,
    DomeggookInvalidItem,
    DomeggookRateLimited,
    DomeggookUnavailable,
    ItemGone,
)
from storebridge.domeggook.client import REQUEST
from storebridge.errors import PermanentError, TransientError
from storebridge.http import ClientSettings, Limiter, RequestKey
from storebridge.sandbox.catalog.model import ItemStatus, Scenario
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from storebridge.serve import ServedApp
from tests.domeggook.support import FAST_RETRY, calls_by_mode, make_client, numbers, sandbox_call


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """A 240-item sandbox (enough on-sale items for a 150-item batch)."""
    async with Sandbox(SandboxOptions(items=240, seed=1)) as running:
        yield running


@pytest.fixture
async def client(sb: Sandbox) -> AsyncIterator[DomeggookClient]:
    """A fast-retrying client on the sandbox, closed after the test."""
    async with make_client(sb) as domeggook:
        yield domeggook


# -- listing --------------------------------------------------------------------------------------


async def test_listing_reads_every_page_and_stops_at_the_end(sb: Sandbox, client: DomeggookClient) -> None:
    in_one_page = [item.no async for item in client.list_items(seller_id="hanilsangsa")]
    before = (await calls_by_mode(sb))["getItemList"]

    paged = [item.no async for item in client.list_items(seller_id="hanilsangsa", page_size=7)]

    assert len(in_one_page) > 14
    assert paged == in_one_page
    assert (await calls_by_mode(sb))["getItemList"] - before == math.ceil(len(paged) / 7)


async def test_pages_of_one_item_collapsed_to_an_object_are_read(
    sb: Sandbox, client: DomeggookClient
) -> None:
    first_three = [
        item.no async for item in client.list_items(seller_id="hanilsangsa", max_pages=1, page_size=3)
    ]

    one_by_one = [
        item.no async for item in client.list_items(seller_id="hanilsangsa", page_size=1, max_pages=3)
    ]

    assert one_by_one == first_three
    assert (await calls_by_mode(sb))["getItemList"] == 4


async def test_listing_with_no_hits_is_empty_not_an_error(client: DomeggookClient) -> None:
    found = [item async for item in client.list_items(keyword="존재하지않는상품명xyz")]

    assert found == []


async def test_listing_whose_last_page_is_full_makes_no_extra_call(
    sb: Sandbox, client: DomeggookClient
) -> None:
    total = len([item async for item in client.list_items(seller_id="daesungsangsa")])
    page_size = next(size for size in range(3, total) if total % size == 0)  # last page exactly full
    before = (await calls_by_mode(sb))["getItemList"]

    paged = [item async for item in client.list_items(seller_id="daesungsangsa", page_size=page_size)]

    assert len(paged) == total
    assert (await calls_by_mode(sb))["getItemList"] - before == total // page_size


async def test_top_level_category_alone_is_refused_by_the_api(client: DomeggookClient) -> None:
    with pytest.raises(DomeggookApiError) as caught:
        _ = [item async for item in client.list_items(category="04_00_00_00_00")]

    assert "최소 한 가지 이상의 검색 조건" in str(caught.value)
    assert not caught.value.no_rows


# -- details --------------------------------------------------------------------------------------


async def test_one_item_is_parsed_and_the_raw_answer_is_available(
    client: DomeggookClient, sb: Sandbox
) -> None:
    no = numbers(sb, ItemStatus.ON_SALE)[0]

    item = await client.get_item(no)
    raw = await client.get_item_raw(no)

    assert item.no == no
    assert int(raw["domeggook"]["basis"]["no"]) == no


async def test_deleted_item_raises_item_gone(client: DomeggookClient, sb: Sandbox) -> None:
    no = numbers(sb, ItemStatus.DELETED)[0]

    with pytest.raises(ItemGone) as caught:
        await client.get_item(no)

    assert isinstance(caught.value, PermanentError)
    assert caught.value.item_no == no
    assert caught.value.dcode == "ITEM_ERROR"
    assert caught.value.status == 200  # the error came inside an HTTP 200


async def test_malformed_item_is_a_permanent_invalid_item(client: DomeggookClient, sb: Sandbox) -> None:
    no = next(item.no for item in sb.catalog if Scenario.MALFORMED_TIER_PRICE in item.scenarios)

    with pytest.raises(DomeggookInvalidItem):
        await client.get_item(no)


async def test_batch_of_150_items_takes_two_calls(sb: Sandbox, client: DomeggookClient) -> None:
    wanted = numbers(sb, ItemStatus.ON_SALE)[:150]
    assert len(wanted) == 150

    batch = await client.get_items(wanted)

    assert sorted(item.no for item in batch.items) == sorted(wanted)
    assert (batch.gone, batch.missing, batch.invalid) == ((), (), ())
    assert (await calls_by_mode(sb))["getItemView"] == 2


async def test_batch_confirms_left_out_items_one_by_one(sb: Sandbox, client: DomeggookClient) -> None:
    live = numbers(sb, ItemStatus.ON_SALE)[:5]
    deleted = numbers(sb, ItemStatus.DELETED)[:2]

    batch = await client.get_items([*live, *deleted])

    assert sorted(item.no for item in batch.items) == sorted(live)
    assert sorted(batch.gone) == sorted(deleted)
    assert batch.missing == ()
    assert (await calls_by_mode(sb))["getItemView"] == 1 + len(deleted)


async def test_batch_answer_with_a_single_item_is_read(sb: Sandbox, client: DomeggookClient) -> None:
    live = numbers(sb, ItemStatus.ON_SALE)[0]
    deleted = numbers(sb, ItemStatus.DELETED)[0]

    batch = await client.get_items([live, deleted], confirm_missing=False)

    assert [item.no for item in batch.items] == [live]
    assert batch.missing == (deleted,)


async def test_batch_without_confirmation_reports_left_out_items_as_missing(
    sb: Sandbox, client: DomeggookClient
) -> None:
    live = numbers(sb, ItemStatus.ON_SALE)[:3]
    deleted = numbers(sb, ItemStatus.DELETED)[:1]

    batch = await client.get_items([*live, *deleted], confirm_missing=False)

    assert batch.missing == tuple(deleted)
    assert batch.gone == ()
    assert (await calls_by_mode(sb))["getItemView"] == 1


async def test_batch_of_only_deleted_items_reports_them_gone(sb: Sandbox, client: DomeggookClient) -> None:
    deleted = numbers(sb, ItemStatus.DELETED)[:3]

    batch = await client.get_items(deleted)

    assert sorted(batch.gone) == sorted(deleted)
    assert batch.items == ()


async def test_batch_keeps_malformed_items_apart(sb: Sandbox, client: DomeggookClient) -> None:
    live = numbers(sb, ItemStatus.ON_SALE)[:3]
    malformed = next(item.no for item in sb.catalog if Scenario.MALFORMED_TIER_PRICE in item.scenarios)

    batch = await client.get_items([*live, malformed])

    assert sorted(item.no for item in batch.items) == sorted(live)
    assert [failure.item_no for failure in batch.invalid] == [malformed]


async def test_categories_are_flattened_with_parents(client: DomeggookClient) -> None:
    categories = await client.get_categories()

    codes = {category.code for category in categories}
    assert any(category.depth == 1 and category.parent_code is None for category in categories)
    assert all(category.parent_code in codes for category in categories if category.parent_code)


# -- errors ---------------------------------------------------------------------------------------


async def test_error_inside_http_200_is_detected(sb: Sandbox) -> None:
    async with make_client(sb, api_key="not-a-valid-key") as domeggook:
        with pytest.raises(DomeggookApiError) as caught:
            await domeggook.get_item(numbers(sb, ItemStatus.ON_SALE)[0])

    assert caught.value.status == 200
    assert caught.value.dcode
    assert isinstance(caught.value, TransientError)
    assert (await calls_by_mode(sb))["getItemView"] == 1  # same request, same answer: not retried


async def test_rate_limit_raises_at_once_with_a_three_minute_wait(
    sb: Sandbox, client: DomeggookClient
) -> None:
    await sandbox_call(sb, "POST", "/_sandbox/faults", {"rate_limit_rate": 1.0})

    with pytest.raises(DomeggookRateLimited) as caught:
        await client.get_item(numbers(sb, ItemStatus.ON_SALE)[0])

    assert caught.value.retry_after_s is not None
    assert caught.value.retry_after_s >= 180
    assert (await calls_by_mode(sb))["getItemView"] == 1


async def test_html_server_errors_are_retried_then_raise_unavailable(sb: Sandbox) -> None:
    await sandbox_call(sb, "POST", "/_sandbox/faults", {"error_rate": 1.0})
    async with make_client(sb, max_retries=2) as domeggook:
        with pytest.raises(DomeggookUnavailable) as caught:
            await domeggook.get_item(numbers(sb, ItemStatus.ON_SALE)[0])

    assert caught.value.status in (500, 502, 503)
    assert (await calls_by_mode(sb))["getItemView"] == 3


async def test_server_error_then_success_returns_the_item(sb: Sandbox, client: DomeggookClient) -> None:
    await sandbox_call(sb, "POST", "/_sandbox/faults", {"error_rate": 0.5, "seed": 1})  # fail, then pass
    no = numbers(sb, ItemStatus.ON_SALE)[0]

    item = await client.get_item(no)

    assert item.no == no
    assert (await calls_by_mode(sb))["getItemView"] == 2


async def test_html_page_with_status_200_is_transient() -> None:
    hits = {"count": 0}

    async def html_page(request: web.Request) -> web.Response:
        hits["count"] += 1
        return web.Response(text="<html><body>로그인이 필요합니다</body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/ssl/api/", html_page)
    async with (
        ServedApp(app) as served,
        DomeggookClient(
            api_url=served.base_url + "/ssl/api/",
            api_key="k",
            client_settings=dataclasses.replace(FAST_RETRY, max_retries=1),
        ) as dome,
    ):
        with pytest.raises(DomeggookUnavailable, match="not a JSON object"):
            await dome.get_item(1)

    assert hits["count"] == 2


async def test_timeout_is_retried_then_raises_unavailable(sb: Sandbox) -> None:
    await sandbox_call(sb, "POST", "/_sandbox/faults", {"timeout_rate": 1.0})
    async with make_client(sb, timeout_s=0.3, max_retries=1) as domeggook:
        with pytest.raises(DomeggookUnavailable, match="no answer"):
            await domeggook.get_item(numbers(sb, ItemStatus.ON_SALE)[0])

    assert (await calls_by_mode(sb))["getItemView"] == 2


# -- limiter hook, lifecycle and secrets ------------------------------------------------------------


class RecordingLimiter:
    """A ``storebridge.http.Limiter`` that only records what the client tells it."""

    def __init__(self) -> None:
        self.before: list[RequestKey] = []
        self.after: list[tuple[RequestKey, int]] = []

    async def before_request(self, key: RequestKey) -> None:
        """Record the request key; never waits."""
        self.before.append(key)

    async def after_response(self, key: RequestKey, status: int, headers: Mapping[str, str]) -> None:
        """Record key and status."""
        self.after.append((key, status))


async def test_limiter_hook_sees_every_call_including_the_429(sb: Sandbox) -> None:
    limiter = RecordingLimiter()
    hook: Limiter = limiter  # the recorder satisfies the protocol (checked by mypy)
    async with make_client(sb, limiter=hook) as domeggook:
        await domeggook.get_categories()
        await sandbox_call(sb, "POST", "/_sandbox/faults", {"rate_limit_rate": 1.0})
        with pytest.raises(DomeggookRateLimited):
            await domeggook.get_categories()

    assert limiter.before == [REQUEST, REQUEST]
    assert limiter.after == [(REQUEST, 200), (REQUEST, 429)]
    assert RequestKey("domeggook", "GET", "") == REQUEST  # one key: every mode shares the key's budget


async def test_close_is_idempotent_and_a_closed_client_refuses_calls(sb: Sandbox) -> None:
    domeggook = make_client(sb)
    await domeggook.get_categories()

    await domeggook.close()
    await domeggook.close()

    assert domeggook.closed
    with pytest.raises(RuntimeError, match="closed"):
        await domeggook.get_categories()


async def test_api_key_never_reaches_reprs_errors_or_logs(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = sb.environment()["DOMEGGOOK_API_KEY"]
    texts: list[str] = []
    async with make_client(sb, timeout_s=0.3, max_retries=1) as domeggook:
        await sandbox_call(sb, "POST", "/_sandbox/faults", {"timeout_rate": 1.0})
        with pytest.raises(DomeggookUnavailable) as timed_out:
            await domeggook.get_item(numbers(sb, ItemStatus.ON_SALE)[0])
        await sandbox_call(sb, "POST", "/_sandbox/faults", {"timeout_rate": 0.0, "error_rate": 1.0})
        with pytest.raises(DomeggookUnavailable) as failed:
            await domeggook.get_categories()
        await sandbox_call(sb, "POST", "/_sandbox/faults", {"error_rate": 0.0})
        with pytest.raises(ItemGone) as gone:
            await domeggook.get_item(numbers(sb, ItemStatus.DELETED)[0])
        for error in (timed_out.value, failed.value, gone.value):
            texts += [str(error), repr(error), repr(error.__cause__), repr(error.__context__)]
        texts += [repr(domeggook), caplog.text]

    assert key not in "\n".join(texts)
    assert "domeggook.request.retry" in caplog.text


async def test_client_built_from_settings_works_and_its_repr_hides_the_key(sb: Sandbox) -> None:
    settings = load_settings(**sb.environment(), DOMEGGOOK_MARKET="supply")

    fast = dataclasses.replace(ClientSettings.from_settings(settings), retry_base_s=0.01, retry_max_s=0.05)

    async with DomeggookClient.from_settings(settings, client_settings=fast) as domeggook:
        categories = await domeggook.get_categories()
        text = repr(domeggook)

    assert categories
    assert domeggook.market == "supply"
    assert settings.domeggook_api_key.get_secret_value() not in text
