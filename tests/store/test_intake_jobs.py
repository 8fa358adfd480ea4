"""The state store's intake jobs: each stream entry is handed to a queue once, or again after a crash."""

from __future__ import annotations

import asyncio

from storebridge.store import StateStore

#: Concurrent hand-offs of one job (the shared ``store`` fixture's pool has room for them).
CONCURRENT_CALLERS = 20


async def test_exactly_one_of_many_concurrent_handoffs_of_a_job_wins(store: StateStore) -> None:
    outcomes = await asyncio.gather(
        *(
            store.record_intake_job("1700000000000-0:dome:7", queue="normal")
            for _ in range(CONCURRENT_CALLERS)
        )
    )
    assert outcomes.count(True) == 1


async def test_an_unconfirmed_job_is_handed_off_again_after_its_lease(store: StateStore) -> None:
    key = "1700000000000-1:dome:8"
    assert await store.record_intake_job(key, queue="normal", reason="import", market="dome", item_no=8)
    assert not await store.record_intake_job(key, queue="normal")  # still within the lease
    assert await store.record_intake_job(key, queue="batch", reclaim_after_s=0)  # holder crashed

    await store.mark_intake_job_enqueued(key)

    assert not await store.record_intake_job(key, queue="normal", reclaim_after_s=0)
    assert await store.record_intake_job("1700000000000-2:dome:8", queue="normal")
