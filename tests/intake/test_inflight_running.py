"""In-flight markers of running messages, on a real Redis: tied to the execution, renewed, released,
and let through when their holder is dead.

Given a marker held by a running message, when another execution asks for the item, then it is
refused while the holder's process beats, and taken over once the holder's process stopped
beating, or when the asker is a later delivery of the same message (a retry); a queued marker
(the intake's) is always taken over by a starting execution; an unrenewed marker expires so the
intake lets a re-drive through; release removes only the holder's own markers.
"""

from __future__ import annotations

import asyncio
import time

import redis.asyncio as aioredis

from storebridge.intake import inflight
from storebridge.keys import Keys

HEARTBEAT_TIMEOUT_S = 30.0
TTL_S = 60.0


async def beat(redis: aioredis.Redis, keys: Keys, process: str, *, age_s: float = 0.0) -> None:
    """Record a Dramatiq heartbeat of ``process`` as its broker does (ms timestamp), ``age_s`` ago."""
    await redis.zadd(inflight.heartbeats_key(keys), {process: int((time.time() - age_s) * 1000)})


async def take(
    redis: aioredis.Redis, keys: Keys, items: list[int], holder: str, ttl_s: float = TTL_S
) -> dict[int, str]:
    return await inflight.take_running(
        redis, keys, "dome", items, holder=holder, ttl_s=ttl_s, heartbeat_timeout_s=HEARTBEAT_TIMEOUT_S
    )


async def holder_of(redis: aioredis.Redis, keys: Keys, item_no: int) -> str | None:
    value = await redis.get(keys.inflight("dome", item_no))
    return None if value is None else value.decode()


async def test_a_live_holder_keeps_its_items_and_a_dead_one_loses_them(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    keys = Keys(redis_namespace)
    first = inflight.run_holder("msg-a", "rid-a", "proc-a")
    second = inflight.run_holder("msg-b", "rid-b", "proc-b")
    await beat(redis_client, keys, "proc-a")
    assert await take(redis_client, keys, [1, 2], first) == {1: inflight.TAKEN, 2: inflight.TAKEN}
    assert await take(redis_client, keys, [1, 2], first) == {1: inflight.RENEWED, 2: inflight.RENEWED}

    # Another message while proc-a beats: coalesced, the marker untouched.
    assert await take(redis_client, keys, [2, 3], second) == {2: inflight.BUSY, 3: inflight.TAKEN}
    assert await holder_of(redis_client, keys, 2) == first

    # proc-a falls silent for longer than the broker's heartbeat timeout: its items are free.
    await beat(redis_client, keys, "proc-a", age_s=HEARTBEAT_TIMEOUT_S + 5)
    assert await take(redis_client, keys, [2], second) == {2: inflight.TAKEN_OVER}
    assert await holder_of(redis_client, keys, 2) == second


async def test_a_process_the_broker_forgot_is_dead_and_a_retry_of_the_same_message_takes_over(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    keys = Keys(redis_namespace)
    await beat(redis_client, keys, "proc-a")
    await beat(redis_client, keys, "proc-b")
    running = inflight.run_holder("msg-a", "rid-1", "proc-a")
    assert await take(redis_client, keys, [7], running) == {7: inflight.TAKEN}

    # The same delivery again while proc-a is alive (the broker took a slow process for dead): busy.
    duplicate = inflight.run_holder("msg-a", "rid-1", "proc-b")
    assert await take(redis_client, keys, [7], duplicate) == {7: inflight.BUSY}
    # A retry of the message (a new redis message id) starts only after the first execution ended.
    retry = inflight.run_holder("msg-a", "rid-2", "proc-b")
    assert await take(redis_client, keys, [7], retry) == {7: inflight.TAKEN_OVER}

    # A holder whose process is not in the heartbeat set at all (maintenance removed it) is dead.
    ghost = inflight.run_holder("msg-g", "rid-g", "proc-gone")
    assert await take(redis_client, keys, [8], ghost) == {8: inflight.TAKEN}
    assert await take(redis_client, keys, [8], running) == {8: inflight.TAKEN_OVER}


async def test_a_starting_message_takes_over_queued_markers_and_refresh_makes_them_queued_again(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    keys = Keys(redis_namespace)
    await beat(redis_client, keys, "proc-a")
    assert await inflight.acquire_owned(
        redis_client, keys, [("dome", 5, "1700000000000-0")], ttl_s=TTL_S
    ) == [True]
    running = inflight.run_holder("msg-a", "rid-a", "proc-a")
    assert await take(redis_client, keys, [5], running) == {5: inflight.TAKEN_OVER}
    # The intake cannot put the item in flight again while the execution is alive.
    assert await inflight.acquire_owned(
        redis_client, keys, [("dome", 5, "1700000000001-0")], ttl_s=TTL_S
    ) == [False]

    # Re-queued for later: the marker is a queued one again, held for the wait.
    await inflight.refresh(redis_client, keys, "dome", [5], ttl_s=TTL_S)
    assert await holder_of(redis_client, keys, 5) == inflight.ANONYMOUS_OWNER
    assert await take(redis_client, keys, [5], running) == {5: inflight.TAKEN_OVER}


async def test_an_unrenewed_marker_expires_and_the_intake_lets_a_redrive_through(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    keys = Keys(redis_namespace)
    await beat(redis_client, keys, "proc-a")
    running = inflight.run_holder("msg-a", "rid-a", "proc-a")
    await take(redis_client, keys, [9, 10], running, ttl_s=0.6)
    assert await inflight.renew_running(redis_client, keys, "dome", [10], holder=running, ttl_s=TTL_S) == 0
    await asyncio.sleep(0.8)  # the holder died: nobody renews item 9

    claims = [("dome", 9, "1700000000002-0"), ("dome", 10, "1700000000003-0")]
    assert await inflight.acquire_owned(redis_client, keys, claims, ttl_s=TTL_S) == [True, False]


async def test_release_removes_only_the_holders_own_markers(
    redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    keys = Keys(redis_namespace)
    await beat(redis_client, keys, "proc-a")
    mine = inflight.run_holder("msg-a", "rid-a", "proc-a")
    other = inflight.run_holder("msg-b", "rid-b", "proc-a")
    await take(redis_client, keys, [1], mine)
    await take(redis_client, keys, [2], other)
    assert await inflight.release_held(redis_client, keys, "dome", [1, 2], mine) == 1
    assert await holder_of(redis_client, keys, 1) is None
    assert await holder_of(redis_client, keys, 2) == other
    # Renewing markers someone else took reports them lost.
    assert await inflight.renew_running(redis_client, keys, "dome", [2], holder=mine, ttl_s=TTL_S) == 1
