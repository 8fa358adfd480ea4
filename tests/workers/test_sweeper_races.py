"""Why the sweeper's short stale bound is safe: a re-drive racing a live sync never creates twice.

Live work holds an in-flight marker, so the sweeper leaves it alone (``test_sweeper.py``). The one
window without a marker is right after Redis lost its data: a live sync gets its marker back only
at its next renewal, and a re-drive can start a second sync of the same item meanwhile. Given items
each synced by three pipelines at once (as such a race would), then no item is on Naver twice, and
each registered item is there exactly once. Real sandbox, PostgreSQL, Redis and S3.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from storebridge.store import State
from storebridge.sync import Outcome
from storebridge.sync.result import RETRY_OUTCOMES
from tests.sync.harness import Harness, running

#: Items raced, and syncs of each running at once.
ITEMS = 6
RACERS = 3


@pytest.fixture
async def h(service_urls: dict[str, str]) -> AsyncIterator[Harness]:
    """A 60-item sandbox and open pipeline resources."""
    async with running(60, service_urls) as harness:
        yield harness


async def test_three_syncs_of_the_same_items_at_once_create_each_product_once(h: Harness) -> None:
    items = h.healthy()[:ITEMS]
    before = await h.counts()

    # When three pipelines sync the same items at once
    raced = await asyncio.gather(*(h.syncer.sync_items(items) for _ in range(RACERS)))
    # and the items are synced once more, as the race losers' re-queued messages would
    await h.syncer.sync_items(items)

    # Then every item settled, none is on Naver twice, and each registered one is there once
    made = await h.counts() - before
    assert made.duplicates == 0
    completed = 0
    for item_no in items:
        row = await h.row(item_no)
        assert row.state in (State.COMPLETED, State.MANUAL_REVIEW), (item_no, row.state)
        listed = await h.listed(item_no)
        assert len(listed) == (1 if row.state is State.COMPLETED else 0), (item_no, row.state)
        completed += row.state is State.COMPLETED
    assert completed >= ITEMS // 2, "most healthy items must register, or the race proves nothing"
    assert made.products == completed
    outcomes = [r.outcome for results in raced for r in results]
    assert outcomes.count(Outcome.CREATED) == completed, "one racer created each, the others lost"
    assert any(o in RETRY_OUTCOMES for o in outcomes), "the syncs did overlap"
