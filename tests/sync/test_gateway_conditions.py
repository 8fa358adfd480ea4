"""What the sync makes of the real gateways' refusals: items wait (re-queued), none is parked.

One test per condition (fidelity-evidence #14, #20): 429 ``GW.QUOTA_LIMIT`` (the pause is shared:
a later item waits without any Naver call), 403 ``GW.IP_NOT_ALLOWED`` (a deployment fault: no
attempt counted, calls held), 503 ``GW.BLOCK.02`` and a Domeggook block answered with HTTP 200.
Plus GET → merge → PUT on a document carrying Naver's server-filled defaults (#13).
"""

from __future__ import annotations

from typing import Any

from storebridge.domeggook.errors import RATE_LIMIT_BLOCK_S
from storebridge.limiter.routes import DOMEGGOOK, NAVER_PRODUCTS
from storebridge.store import State
from storebridge.sync import Outcome
from storebridge.sync.pipeline import ITEM_CONCURRENCY
from storebridge.sync.result import RETRY_OUTCOMES
from tests.sync.harness import Harness

#: States an item must never reach because of a gateway refusal.
PARKED = (State.FAILED, State.MANUAL_REVIEW)


async def set_faults(h: Harness, origin: str, **faults: Any) -> None:
    async with h.http.post(f"{origin}/_sandbox/faults", json=faults) as resp:
        assert resp.status == 200, await resp.text()


async def naver_requests(h: Harness) -> int:
    async with h.http.get(f"{h.sandbox.naver_origin}/_sandbox/stats") as resp:
        stats = await resp.json()
    return sum(int(n) for n in stats["requests"].values())


async def assert_waiting(h: Harness, item_no: int, retries_before: int) -> None:
    row = await h.row(item_no)
    assert row.state not in PARKED, f"item parked as {row.state} for a gateway condition"
    assert row.retry_count == retries_before, "a gateway refusal must not count an attempt"


async def test_quota_limit_defers_items_and_the_pause_holds_every_later_item(h: Harness) -> None:
    first, second = (await h.registrable()), None
    second = next(no for no in h.healthy() if no != first)
    await set_faults(h, h.sandbox.naver_origin, quota_limit_rate=1.0, quota_period="HOURS")
    result = await h.syncer.sync_item(first)
    assert result.outcome in RETRY_OUTCOMES
    assert (result.retry_after_s or 0) > 1800
    await assert_waiting(h, first, 0)
    await set_faults(h, h.sandbox.naver_origin, quota_limit_rate=0.0)
    sent = await naver_requests(h)
    later = await h.syncer.sync_item(second)
    assert later.outcome in RETRY_OUTCOMES
    assert await naver_requests(h) == sent, "the paused provider must not be called by anyone"
    limiter = h.resources.limiter
    assert limiter is not None
    assert (await limiter.status(NAVER_PRODUCTS)).paused_for_s > 1800


async def test_ip_not_allowed_defers_items_without_counting_and_holds_calls(h: Harness) -> None:
    items = [await h.registrable()]
    items += [no for no in h.healthy() if no not in items][:3]
    await set_faults(h, h.sandbox.naver_origin, ip_not_allowed_rate=1.0)
    first = await h.syncer.sync_items(items)
    sent = await naver_requests(h)
    again = await h.syncer.sync_items(items)
    for result in (*first, *again):
        assert result.outcome in RETRY_OUTCOMES or result.outcome is Outcome.MANUAL_REVIEW
        if result.item_no == items[0]:
            assert result.outcome in RETRY_OUTCOMES
    assert sent <= ITEM_CONCURRENCY, "only the calls already in flight reach the refusing gateway"
    await assert_waiting(h, items[0], 0)
    assert await naver_requests(h) == sent, "the transport holds every later call"
    refused = next(r for r in again if r.item_no == items[0])
    assert "egress IP" in (refused.message or ""), "the result names the operator's fix"


async def test_maintenance_defers_items_and_creates_nothing(h: Harness) -> None:
    item = await h.registrable()
    await set_faults(h, h.sandbox.naver_origin, maintenance_rate=1.0)
    for _ in range(2):
        result = await h.syncer.sync_item(item)
        assert result.outcome in RETRY_OUTCOMES
    await assert_waiting(h, item, 0)
    await set_faults(h, h.sandbox.naver_origin, maintenance_rate=0.0)
    assert await h.listed(item) == []


async def test_domeggook_block_answered_with_200_retries_the_batch_after_three_minutes(h: Harness) -> None:
    items = h.healthy()[:3]
    await set_faults(h, h.sandbox.domeggook_origin, block_http_status=200, rate_limit_rate=1.0)
    results = await h.syncer.sync_items(items)
    assert [r.outcome for r in results] == [Outcome.RETRY] * len(items)
    assert all((r.retry_after_s or 0) >= RATE_LIMIT_BLOCK_S for r in results)
    limiter = h.resources.limiter
    assert limiter is not None
    assert (await limiter.status(DOMEGGOOK)).paused_for_s > RATE_LIMIT_BLOCK_S / 2


async def test_full_replace_keeps_the_server_filled_defaults(h: Harness) -> None:
    item = await h.registrable()
    assert (await h.syncer.sync_item(item)).outcome is Outcome.CREATED
    before = await h.product(item)
    await h.change_item(item, {"title": "제목이 바뀐 상품 테스트용"})
    assert (await h.syncer.sync_item(item)).outcome is Outcome.UPDATED
    after = await h.product(item)
    for key in ("customerBenefit", "saleType"):
        assert after["originProduct"][key] == before["originProduct"][key]
    assert after["originProduct"]["detailAttribute"]["skuYn"] is False
