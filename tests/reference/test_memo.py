"""The per-process memo in front of the reference cache: single flight, expiry, no poisoned keys."""

from __future__ import annotations

import asyncio

import pytest

from storebridge.reference.memo import BatchedMemo, Memo


class Clock:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_concurrent_misses_of_one_key_share_one_fetch() -> None:
    memo: Memo[str, int] = Memo(60)
    calls: list[str] = []
    release = asyncio.Event()

    async def fetch() -> int:
        calls.append("leaf")
        await release.wait()
        return 7

    waiters = [asyncio.create_task(memo.get("leaf", fetch)) for _ in range(20)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiters) == [7] * 20
    assert await memo.get("leaf", fetch) == 7
    assert calls == ["leaf"]


async def test_a_failed_fetch_reaches_its_waiters_and_the_next_caller_fetches_again() -> None:
    memo: Memo[str, int] = Memo(60)
    attempts = 0
    release = asyncio.Event()

    async def flaky() -> int:
        nonlocal attempts
        attempts += 1
        await release.wait()
        if attempts == 1:
            raise ConnectionResetError("naver went away")
        return 3

    waiters = [asyncio.create_task(memo.get("leaf", flaky)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    outcomes = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(o, ConnectionResetError) for o in outcomes)
    assert await memo.get("leaf", flaky) == 3
    assert attempts == 2


async def test_a_cancelled_waiter_leaves_the_shared_fetch_running_for_the_others() -> None:
    memo: Memo[str, int] = Memo(60)
    calls = 0
    release = asyncio.Event()

    async def fetch() -> int:
        nonlocal calls
        calls += 1
        await release.wait()
        return 11

    quitter = asyncio.create_task(memo.get("leaf", fetch))
    stayer = asyncio.create_task(memo.get("leaf", fetch))
    await asyncio.sleep(0)
    quitter.cancel()
    await asyncio.sleep(0)
    release.set()
    assert await stayer == 11
    with pytest.raises(asyncio.CancelledError):
        await quitter
    assert await memo.get("leaf", fetch) == 11
    assert calls == 1


async def test_an_answer_is_fetched_again_once_its_ttl_is_over() -> None:
    clock = Clock()
    memo: Memo[str, int] = Memo(10, clock=clock)
    answers = iter([1, 2])

    async def fetch() -> int:
        return next(answers)

    assert await memo.get("areas", fetch) == 1
    clock.now = 9.9
    assert await memo.get("areas", fetch) == 1
    clock.now = 10.0
    assert await memo.get("areas", fetch) == 2


async def test_keys_asked_for_during_a_batch_go_together_in_the_next_one() -> None:
    batches: list[list[str]] = []
    first_batch_sent = asyncio.Event()
    release = asyncio.Event()

    async def check(tags: list[str]) -> dict[str, bool]:
        batches.append(tags)
        first_batch_sent.set()
        await release.wait()
        return {t: t.startswith("!") for t in tags}

    memo: BatchedMemo[str, bool] = BatchedMemo(60, check)
    first = asyncio.create_task(memo.get_many(["a", "!b"]))
    await first_batch_sent.wait()
    later = [asyncio.create_task(memo.get_many(tags)) for tags in (["!b", "c"], ["c", "d"], ["d", "!e", "a"])]
    await asyncio.sleep(0)
    release.set()
    assert await first == {"a": False, "!b": True}
    answers = await asyncio.gather(*later)
    assert answers[2] == {"d": False, "!e": True, "a": False}
    assert batches == [["a", "!b"], ["c", "d", "!e"]]
    assert await memo.get_many(["a", "!e"]) == {"a": False, "!e": True}
    assert len(batches) == 2


async def test_a_failed_batch_is_not_remembered_and_a_key_left_unanswered_fails() -> None:
    batches: list[list[str]] = []

    async def check(tags: list[str]) -> dict[str, bool]:
        batches.append(tags)
        if len(batches) == 1:
            raise TimeoutError("naver timed out")
        return {t: False for t in tags if t != "ghost"}

    memo: BatchedMemo[str, bool] = BatchedMemo(60, check)
    with pytest.raises(TimeoutError):
        await memo.get_many(["a"])
    assert await memo.get_many(["a"]) == {"a": False}
    with pytest.raises(LookupError):
        await memo.get_many(["ghost"])
    assert batches == [["a"], ["a"], ["ghost"]]
