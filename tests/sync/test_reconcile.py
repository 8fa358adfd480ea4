"""The idempotency protocol of a create, one test per branch (``storebridge.sync.reconcile``).

Each test sets a row up the way a real failure leaves it — the sandbox's "lost answer" fault
(Naver applies the create, the answer never arrives), a row left REGISTERING by a lost worker
(through the store), an item deleted at Domeggook (its control endpoint) — then syncs and asserts
on what the provider and the store show: the row's state and events, how many Naver products carry
the item's seller code, and which Naver calls were made.
"""

from __future__ import annotations

import uuid
from typing import Any

from storebridge.store import State
from storebridge.store.types import ProductEvent
from storebridge.sync import Outcome, SyncResult
from tests.sync.harness import CREATE_API, SEARCH_API, Harness

#: A grace period no test outlives: the row stays inside it.
LONG_GRACE_S = 600.0


def transitions(events: list[ProductEvent]) -> list[tuple[str | None, str | None, str]]:
    """``(from, to, code)`` of each event, oldest first."""
    return [
        (e.from_state.value if e.from_state else None, e.to_state.value if e.to_state else None, e.code)
        for e in events
    ]


async def lost_create(h: Harness, *, search_grace_s: float = 0.0) -> tuple[int, SyncResult]:
    """Register a healthy item while Naver loses every create answer: it exists, the row is UNKNOWN."""
    no = await h.registrable()
    await h.naver_faults(lost_answer_rate=1.0)
    result = await h.syncer_with(search_grace_s=search_grace_s).sync_item(no)
    await h.naver_faults(lost_answer_rate=0.0)
    assert (result.outcome, result.code) == (Outcome.DEFERRED, "CREATE_OUTCOME_UNKNOWN"), result.line()
    assert (await h.row(no)).state is State.UNKNOWN
    assert len(await h.listed(no)) == 1, "the lost create was applied by Naver"
    return no, result


async def duplicate_on_naver(h: Harness, item_no: int) -> int:
    """A second Naver product under the item's seller code (as a seller copying it by hand would make)."""
    document: dict[str, Any] = await h.product(item_no)
    payload = {key: document[key] for key in ("originProduct", "smartstoreChannelProduct")}
    # A create may not carry option ids (the GET document has Naver's): drop them as a seller would.
    options = payload["originProduct"].get("detailAttribute", {}).get("optionInfo") or {}
    for row in options.get("optionCombinations") or []:
        row.pop("id", None)
    created = await h.syncer.naver.create_product(payload)
    return created.origin_product_no


async def test_young_registering_row_is_left_alone_without_searching(h: Harness) -> None:
    # Given a row another worker moved to REGISTERING a moment ago (its create may be in flight)
    no = await h.registrable()
    await h.registering(no)
    before, history = await h.counts(), await h.events(no)

    # When the item is synced
    result = await h.syncer.sync_item(no)

    # Then nothing is searched or posted, and the row is untouched
    assert (result.outcome, result.code) == (Outcome.DEFERRED, "CREATE_OUTCOME_UNKNOWN"), result.line()
    spent = await h.counts() - before
    assert (spent.naver(SEARCH_API), spent.naver(CREATE_API)) == (0, 0)
    assert (await h.row(no)).state is State.REGISTERING
    assert await h.events(no) == history
    assert await h.listed(no) == []


async def test_stale_registering_row_not_found_becomes_unknown_and_waits_for_the_grace_period(
    h: Harness,
) -> None:
    # Given a row left REGISTERING by a worker that died before its create reached Naver
    no = await h.registrable()
    await h.registering(no)
    syncer = h.syncer_with(registering_stale_s=0.0, search_grace_s=LONG_GRACE_S)
    before = await h.counts()

    # When the item is synced
    result = await syncer.sync_item(no)

    # Then Naver is searched once, nothing is posted, and the grace period starts
    assert (result.outcome, result.code) == (Outcome.DEFERRED, "CREATE_OUTCOME_UNKNOWN"), result.line()
    assert result.retry_after_s is not None
    assert LONG_GRACE_S - 60 < result.retry_after_s <= LONG_GRACE_S
    spent = await h.counts() - before
    assert (spent.naver(SEARCH_API), spent.naver(CREATE_API)) == (1, 0)
    row = await h.row(no)
    assert row.state is State.UNKNOWN
    assert row.origin_product_no is None
    last = (await h.events(no))[-1]
    assert (last.from_state, last.to_state, last.code) == (
        State.REGISTERING,
        State.UNKNOWN,
        "CREATE_OUTCOME_UNKNOWN",
    )
    assert last.message == "worker lost during create"
    assert await h.listed(no) == []


async def test_stale_registering_row_whose_create_landed_is_adopted(h: Harness) -> None:
    # Given a product Naver created for the item, and the row back in REGISTERING with a new attempt
    # (the worker that posted it died before recording the answer)
    no, _ = await lost_create(h, search_grace_s=LONG_GRACE_S)
    row = await h.row(no)
    await h.store.transition(row.id, State.UNKNOWN, State.REGISTERING, attempt_id=uuid.uuid4())
    before = await h.counts()

    # When the item is synced after the row went stale
    result = await h.syncer_with(registering_stale_s=0.0).sync_item(no)

    # Then that product is adopted, and nothing is posted again
    assert result.outcome is Outcome.ADOPTED, result.line()
    assert (await h.counts() - before).naver(CREATE_API) == 0
    origin_no = int((await h.summary(no))["originProductNo"])
    assert (await h.row(no)).origin_product_no == origin_no


async def test_unknown_row_inside_the_grace_period_is_not_searched(h: Harness) -> None:
    # Given a create whose answer was lost, with a grace period still running
    no, lost = await lost_create(h, search_grace_s=LONG_GRACE_S)
    assert lost.retry_after_s == LONG_GRACE_S
    before = await h.counts()

    # When the item is synced again inside the grace period
    result = await h.syncer_with(search_grace_s=LONG_GRACE_S).sync_item(no)

    # Then Naver is neither searched nor posted to: the search index may not show the product yet
    assert (result.outcome, result.code) == (Outcome.DEFERRED, "CREATE_OUTCOME_UNKNOWN"), result.line()
    assert result.retry_after_s is not None
    assert 0 < result.retry_after_s <= LONG_GRACE_S
    spent = await h.counts() - before
    assert (spent.naver(SEARCH_API), spent.naver(CREATE_API)) == (0, 0)
    assert (await h.row(no)).state is State.UNKNOWN


async def test_lost_create_found_by_seller_code_is_adopted_and_brought_up_to_date(h: Harness) -> None:
    # Given a create whose answer was lost (Naver has the product) and a grace period that is over
    no, _ = await lost_create(h)
    origin_no = int((await h.summary(no))["originProductNo"])
    before = await h.counts()

    # When the item is synced
    result = await h.syncer.sync_item(no)

    # Then the one product is adopted and updated in place: no second create, no duplicate
    assert result.outcome is Outcome.ADOPTED, result.line()
    assert result.origin_product_no == origin_no, result.line()
    spent = await h.counts() - before
    assert (spent.naver(SEARCH_API), spent.naver(CREATE_API), spent.duplicates) == (1, 0, 0)
    row = await h.row(no)
    assert row.state is State.COMPLETED
    assert row.origin_product_no == origin_no
    assert transitions(await h.events(no))[-3:] == [
        ("UNKNOWN", "COMPLETED", "ADOPTED"),
        ("COMPLETED", "UPDATING", "STRUCTURE"),
        ("UPDATING", "COMPLETED", "UPDATED"),
    ]
    # And from now on it is an ordinary registered product: a re-sync costs nothing
    calls = await h.naver_calls()
    assert (await h.syncer.sync_item(no)).outcome is Outcome.UNCHANGED
    assert await h.naver_calls() == calls


async def test_several_products_under_the_seller_code_go_to_review(h: Harness) -> None:
    # Given a lost create, and a second Naver product carrying the same seller code
    no, _ = await lost_create(h)
    copy_no = await duplicate_on_naver(h, no)
    before = await h.counts()

    # When the item is synced
    result = await h.syncer.sync_item(no)

    # Then a person must choose: nothing is adopted, posted or deleted
    assert (result.outcome, result.code) == (Outcome.MANUAL_REVIEW, "DUPLICATE_ON_NAVER"), result.line()
    assert result.message is not None
    assert str(copy_no) in result.message
    assert str(no) in result.message
    assert (await h.counts() - before).naver(CREATE_API) == 0
    row = await h.row(no)
    assert row.state is State.MANUAL_REVIEW
    assert row.origin_product_no is None
    assert len(await h.listed(no)) == 2


async def test_create_that_never_happened_is_made_again_after_the_grace_period(h: Harness) -> None:
    # Given a row UNKNOWN past its grace period whose create never reached Naver
    no = await h.registrable()
    row = await h.registering(no)
    await h.store.transition(row.id, State.REGISTERING, State.UNKNOWN, code="CREATE_OUTCOME_UNKNOWN")
    before = await h.counts()

    # When the item is synced
    result = await h.syncer.sync_item(no)

    # Then Naver is searched, nothing is found, and the product is created exactly once
    assert result.outcome is Outcome.CREATED, result.line()
    spent = await h.counts() - before
    assert (spent.naver(SEARCH_API), spent.naver(CREATE_API)) == (1, 1)
    assert transitions(await h.events(no))[-5:] == [
        ("UNKNOWN", "REGISTERING", "NOT_FOUND_RECREATE"),
        ("REGISTERING", "RETRYING", "RECREATE"),
        ("RETRYING", "UPLOADING", "UPLOADING"),
        ("UPLOADING", "REGISTERING", "REGISTERING"),
        ("REGISTERING", "COMPLETED", "CREATED"),
    ]
    assert int((await h.summary(no))["originProductNo"]) == (await h.row(no)).origin_product_no


async def test_item_deleted_at_domeggook_while_the_outcome_is_unknown_goes_to_review(h: Harness) -> None:
    # Given a lost create inside its grace period, and the item then deleted at Domeggook
    no, _ = await lost_create(h, search_grace_s=LONG_GRACE_S)
    await h.change_item(no, {"status": "deleted"})
    before = await h.counts()

    # When the item is synced
    result = await h.syncer_with(search_grace_s=LONG_GRACE_S).sync_item(no)

    # Then nothing is posted and a person decides about the product Naver may have
    assert result.outcome is Outcome.MANUAL_REVIEW, result.line()
    spent = await h.counts() - before
    assert (spent.naver(SEARCH_API), spent.naver(CREATE_API)) == (0, 0)
    row = await h.row(no)
    assert (row.state, row.last_error_code) == (State.MANUAL_REVIEW, "ITEM_GONE")
    assert row.last_error_message == (
        f"item {no}: deleted at Domeggook (ITEM_ERROR) while its create outcome is unknown"
    )
    assert len(await h.listed(no)) == 1


async def test_item_deleted_at_domeggook_after_a_lost_create_is_adopted_and_suspended(h: Harness) -> None:
    # Given a lost create past its grace period, and the item then deleted at Domeggook
    no, _ = await lost_create(h)
    await h.change_item(no, {"status": "deleted"})

    # When the item is synced
    result = await h.syncer.sync_item(no)

    # Then the product Naver has is adopted and its sale stopped
    assert (result.outcome, result.code) == (Outcome.SUSPENDED, "ITEM_GONE"), result.line()
    assert (await h.row(no)).state is State.SUSPENDED
    assert (await h.summary(no))["statusType"] == "SUSPENSION"


async def test_item_deleted_at_domeggook_whose_create_never_happened_fails_without_a_create(
    h: Harness,
) -> None:
    # Given a row UNKNOWN past its grace period whose create never reached Naver, and the item deleted
    no = await h.registrable()
    row = await h.registering(no)
    await h.store.transition(row.id, State.REGISTERING, State.UNKNOWN, code="CREATE_OUTCOME_UNKNOWN")
    await h.change_item(no, {"status": "deleted"})
    before = await h.counts()

    # When the item is synced
    result = await h.syncer.sync_item(no)

    # Then the create is not made again: the item ends FAILED, with nothing listed
    assert (result.outcome, result.code) == (Outcome.FAILED, "ITEM_GONE"), result.line()
    assert (await h.counts() - before).naver(CREATE_API) == 0
    assert (await h.row(no)).state is State.FAILED
    assert await h.listed(no) == []
