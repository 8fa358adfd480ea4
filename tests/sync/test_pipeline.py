"""The sync pipeline end to end: sandbox APIs over HTTP, real PostgreSQL, Redis and S3.

Given a catalog item, when it is synced, then the Naver listing matches it: created once with the
right price, options, images, notice and seller code; unchanged items cost no Naver call; changes
take the cheapest path; sold-out, ended and deleted items are handled; a create whose answer was
lost is adopted, never duplicated; hostile items end in a recorded reason.
"""

from __future__ import annotations

import dataclasses

from storebridge.sandbox.catalog.model import Scenario
from storebridge.store import State
from storebridge.sync import Outcome, Syncer
from tests.sync.harness import Harness, running

OK = {Outcome.CREATED, Outcome.ADOPTED}


async def created_items(h: Harness, *, with_options: bool | None = None) -> list[int]:
    results = await h.resources.syncer.sync_items(h.healthy())
    created = [r.item_no for r in results if r.outcome is Outcome.CREATED]
    if with_options is not None:
        created = [
            no
            for no in created
            if (h.sandbox.catalog.get(no).options is not None) == with_options  # type: ignore[union-attr]
        ]
    assert created, "the sandbox catalog should yield registrable items"
    return created


async def test_new_items_are_created_with_price_options_images_notice_and_seller_code(h: Harness) -> None:
    created = await created_items(h)
    store = h.resources.store
    assert store is not None
    for no in created:
        item = h.sandbox.catalog.get(no)
        assert item is not None
        product = await h.product(no)
        origin = product["originProduct"]
        price = int(origin["salePrice"])
        cost = item.price_at(item.moq)
        assert cost is not None
        assert price > cost, "margin applied"
        assert price % 10 == 0, "rounded to 10 won"
        detail = origin["detailAttribute"]
        assert detail["sellerCodeInfo"]["sellerManagementCode"] == f"DG-dome-{no}"
        assert "/shop-phinf/" in origin["images"]["representativeImage"]["url"], "only Naver-hosted images"
        assert detail["productInfoProvidedNotice"]["productInfoProvidedNoticeType"]
        rows = (detail.get("optionInfo") or {}).get("optionCombinations") or []
        if rows:
            assert sum(int(r["stockQuantity"]) for r in rows) == int(origin["stockQuantity"])
        row = await store.get("dome", no)
        assert row is not None
        assert row.state is State.COMPLETED
        assert row.origin_product_no is not None
    assert (await h.counts()).duplicates == 0


async def test_second_sync_of_unchanged_items_makes_zero_naver_calls(h: Harness) -> None:
    created = await created_items(h)
    before = await h.naver_calls()
    results = await h.resources.syncer.sync_items(created)
    assert {r.outcome for r in results} == {Outcome.UNCHANGED}
    assert await h.naver_calls() == before


async def test_price_change_of_a_plain_item_takes_one_naver_call(h: Harness) -> None:
    no = (await created_items(h, with_options=False))[0]
    old_price = int((await h.summary(no))["salePrice"])
    await h.change_item(no, {"price": "1+90000"})
    before = await h.naver_calls()
    result = await h.resources.syncer.sync_item(no)
    assert result.outcome is Outcome.PRICE_STOCK, result.line()
    assert await h.naver_calls() == before + 1
    new_price = int((await h.summary(no))["salePrice"])
    assert new_price != old_price
    assert new_price >= 90000


async def test_option_stock_and_title_changes_propagate(h: Harness) -> None:
    no = (await created_items(h, with_options=True))[0]
    item = h.sandbox.catalog.get(no)
    assert item is not None
    assert item.options is not None
    key = item.options.variants[0].key
    await h.change_item(no, {"option_stock": {key: 77}})
    assert (await h.resources.syncer.sync_item(no)).outcome is Outcome.PRICE_STOCK
    assert 77 in [int(r["stockQuantity"]) for r in (await h.summary(no))["options"]]
    await h.change_item(no, {"title": "새 이름 스테인리스 텀블러"})
    result = await h.resources.syncer.sync_item(no)
    assert result.outcome is Outcome.UPDATED, result.line()
    assert "새 이름" in (await h.summary(no))["name"]


async def test_sold_out_ended_deleted_and_back_on_sale(h: Harness) -> None:
    sold_out, ended, deleted = (await created_items(h))[:3]
    await h.change_item(sold_out, {"status": "sold_out"})
    await h.change_item(ended, {"status": "ended"})
    await h.change_item(deleted, {"status": "deleted"})
    results = {r.item_no: r for r in await h.resources.syncer.sync_items([sold_out, ended, deleted])}
    assert int((await h.summary(sold_out))["stockQuantity"]) == 0
    assert results[ended].outcome is Outcome.SUSPENDED
    assert results[deleted].outcome is Outcome.SUSPENDED
    assert results[deleted].code == "ITEM_GONE"
    assert (await h.summary(ended))["statusType"] == "SUSPENSION"
    await h.change_item(ended, {"status": "on_sale"})
    resumed = await h.resources.syncer.sync_item(ended)
    assert resumed.outcome is Outcome.RESUMED, resumed.line()
    assert (await h.summary(ended))["statusType"] == "SALE"


async def test_lost_create_answer_is_adopted_not_duplicated(h: Harness) -> None:
    candidates = h.healthy()
    await h.naver_faults(lost_answer_rate=1.0)
    first = await h.resources.syncer.sync_items(candidates[:6])
    lost = [r for r in first if r.outcome is Outcome.DEFERRED and r.code == "CREATE_OUTCOME_UNKNOWN"]
    assert lost, [r.line() for r in first]
    await h.naver_faults(lost_answer_rate=0.0)
    second = await h.resources.syncer.sync_items([r.item_no for r in lost])
    assert {r.outcome for r in second} == {Outcome.ADOPTED}, [r.line() for r in second]
    assert (await h.counts()).duplicates == 0
    for r in lost:
        await h.summary(r.item_no)  # exactly one product per seller code


async def test_hostile_items_end_in_a_recorded_reason_and_nothing_half_written(
    service_urls: dict[str, str],
) -> None:
    # 220 items: every hostile scenario of the catalog appears at least once (one item in ten).
    async with running(220, service_urls) as h:
        hostile = [i for i in h.sandbox.catalog if i.scenarios]
        assert {s for i in hostile for s in i.scenarios} == set(Scenario)
        results = await h.resources.syncer.sync_items([i.no for i in hostile])
        store = h.resources.store
        assert store is not None
        listed = {p["sellerManagementCode"] for p in await h.naver_products()}
        for result in results:
            row = await store.get("dome", result.item_no)
            assert row is not None, result.line()
            if result.outcome in OK:
                continue
            assert result.outcome in {Outcome.MANUAL_REVIEW, Outcome.FAILED, Outcome.RETRY}, result.line()
            assert result.code
            assert result.message
            assert str(result.item_no) in result.message
            assert row.state in {State.MANUAL_REVIEW, State.FAILED, State.RETRYING}
            assert row.last_error_code == result.code
            assert row.origin_product_no is None
            assert f"DG-dome-{result.item_no}" not in listed, "a rejected item must not be listed"


async def test_raising_the_margin_reprices_listings_with_one_call_each(h: Harness) -> None:
    plain = (await created_items(h, with_options=False))[:3]
    old = {no: int((await h.summary(no))["salePrice"]) for no in plain}
    current = h.resources.syncer
    repriced = Syncer(
        domeggook=current.domeggook,
        naver=current.naver,
        images=current.images,
        store=current.store,
        rules=dataclasses.replace(current.rules, margin_percent=current.rules.margin_percent + 30),
        settings=current.settings,
    )
    before = await h.naver_calls()
    results = await repriced.sync_items(plain)
    assert {r.outcome for r in results} == {Outcome.PRICE_STOCK}, [r.line() for r in results]
    assert await h.naver_calls() == before + len(plain)
    for no in plain:
        assert int((await h.summary(no))["salePrice"]) > old[no]
    again = await repriced.sync_items(plain)
    assert {r.outcome for r in again} == {Outcome.UNCHANGED}
