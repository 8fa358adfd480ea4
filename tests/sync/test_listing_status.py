"""Sale status on Naver follows the supplier (issue 8 §2): restocks re-open the sale, resumes work for
option products, and reconciliation never adopts a product Naver deleted, closed or prohibited.

Everything runs through a real sync against both simulators; the sandbox no longer re-opens a sold-out
product by itself, so a missing ``statusType`` SALE in the client shows up as a product stuck in
OUTOFSTOCK.
"""

from __future__ import annotations

from typing import Any

from schemas.domeggook import DomeggookItem
from storebridge.store import State
from storebridge.sync import Outcome
from storebridge.transform import Transformed, build_product, image_sources
from tests.sync.harness import Harness


async def registrable(h: Harness, *, with_options: bool) -> DomeggookItem:
    """A healthy item the transform accepts, with or without combination options."""
    batch = await h.syncer.domeggook.get_items(h.healthy())
    for item in batch.items:
        urls = {url: url for url in image_sources(item).all}
        product = build_product(item, h.syncer.rules, urls)
        if isinstance(product, Transformed):
            has_options = product.payload.to_wire()["originProduct"]["detailAttribute"].get("optionInfo")
            if bool(has_options) == with_options:
                return item
    raise AssertionError(f"the sandbox catalog should yield a registrable item (options={with_options})")


def option_keys(item: DomeggookItem) -> list[str]:
    assert item.select_opt is not None
    return sorted(item.select_opt.data)


async def registered(h: Harness, *, with_options: bool) -> DomeggookItem:
    item = await registrable(h, with_options=with_options)
    created = await h.syncer.sync_item(item.no)
    assert created.outcome is Outcome.CREATED, created.line()
    return item


async def test_a_restocked_plain_product_is_back_on_sale(h: Harness) -> None:
    # Given a listed product without options that sold out at the supplier
    item = await registered(h, with_options=False)
    await h.change_item(item.no, {"stock": 0})
    sold_out = await h.syncer.sync_item(item.no)
    assert (await h.summary(item.no))["statusType"] == "OUTOFSTOCK", sold_out.line()

    # When the supplier restocks it
    await h.change_item(item.no, {"stock": 25})
    restocked = await h.syncer.sync_item(item.no)

    # Then Naver sells it again (SALE was sent with the stock)
    summary = await h.summary(item.no)
    assert restocked.outcome is Outcome.PRICE_STOCK, restocked.line()
    assert (summary["statusType"], summary["stockQuantity"]) == ("SALE", 25)


async def test_a_restocked_option_product_is_back_on_sale(h: Harness) -> None:
    # Given a listed option product whose every variant sold out at the supplier
    item = await registered(h, with_options=True)
    keys = option_keys(item)
    await h.change_item(item.no, {"option_stock": dict.fromkeys(keys, 0)})
    await h.syncer.sync_item(item.no)
    assert (await h.summary(item.no))["statusType"] == "OUTOFSTOCK"

    # When every variant is restocked
    await h.change_item(item.no, {"option_stock": dict.fromkeys(keys, 6)})
    restocked = await h.syncer.sync_item(item.no)

    # Then the product sells again, with the rows' stock
    summary = await h.summary(item.no)
    usable = [o for o in summary["options"] if o["usable"]]
    assert restocked.outcome is Outcome.PRICE_STOCK, restocked.line()
    assert summary["statusType"] == "SALE"
    assert summary["stockQuantity"] == 6 * len(usable) > 0


async def test_a_suspended_option_product_resumes(h: Harness) -> None:
    # Given a listed option product suspended because the supplier ended the sale
    item = await registered(h, with_options=True)
    await h.change_item(item.no, {"status": "ended"})
    suspended = await h.syncer.sync_item(item.no)
    assert suspended.outcome is Outcome.SUSPENDED, suspended.line()
    assert (await h.summary(item.no))["statusType"] == "SUSPENSION"

    # When the supplier sells it again
    await h.change_item(item.no, {"status": "on_sale"})
    resumed = await h.syncer.sync_item(item.no)

    # Then the change-status call (with stockQuantity) is accepted and the product sells
    summary = await h.summary(item.no)
    assert resumed.outcome is Outcome.RESUMED, resumed.line()
    assert summary["statusType"] == "SALE"
    assert summary["stockQuantity"] > 0
    assert (await h.row(item.no)).state is State.COMPLETED


async def lost_create(h: Harness) -> tuple[int, int]:
    """A create Naver applied but whose answer was lost: (item number, Naver origin number)."""
    item = await registrable(h, with_options=False)
    await h.naver_faults(lost_answer_rate=1.0)
    lost = await h.syncer.sync_item(item.no)
    await h.naver_faults(lost_answer_rate=0.0)
    assert lost.outcome is Outcome.DEFERRED, lost.line()
    return item.no, int((await h.summary(item.no))["originProductNo"])


async def search_statuses(h: Harness, item_no: int) -> list[str]:
    code = (await h.row(item_no)).seller_management_code
    found = await h.syncer.naver.search_by_seller_code(code)
    return sorted(str(f.status_type) for f in found)


async def test_a_deleted_product_found_by_search_is_not_adopted(h: Harness) -> None:
    # Given a lost create whose product was then deleted on Naver (search still lists it as DELETE)
    no, origin_no = await lost_create(h)
    assert await h.syncer.naver.delete_product(origin_no)
    assert await search_statuses(h, no) == ["DELETE"]

    # When the item is synced after the grace period
    result = await h.syncer.sync_item(no)

    # Then the deleted product is not adopted: a new one is created
    assert result.outcome is Outcome.CREATED, result.line()
    assert (await h.row(no)).origin_product_no != origin_no
    assert await search_statuses(h, no) == ["DELETE", "SALE"]


async def test_a_prohibited_product_found_by_search_is_not_adopted(h: Harness) -> None:
    # Given a lost create whose product Naver then prohibited
    no, origin_no = await lost_create(h)
    url = f"{h.sandbox.naver_origin}/_sandbox/products/{origin_no}/status"
    async with h.http.post(url, json={"statusType": "PROHIBITION"}) as resp:
        assert resp.status == 200, await resp.text()

    # When the item is synced after the grace period
    result = await h.syncer.sync_item(no)

    # Then it is not adopted
    row: Any = await h.row(no)
    assert result.outcome is not Outcome.ADOPTED, result.line()
    assert row.origin_product_no != origin_no
