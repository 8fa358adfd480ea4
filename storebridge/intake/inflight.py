"""In-flight markers: the same item is never queued or synced twice at the same time.

One Redis key per (market, item) (``Keys.inflight``), set with ``SET NX EX`` by the intake daemon
when it puts the item into a batch, refreshed by the worker when it re-queues the item for later,
and deleted by the worker after the item's final outcome. The expiry is a safety net for a process
that died holding markers: an item can be blocked at most ``ttl_s``, never forever.

A marker's value is its *owner*, the intake entry id that put the item in flight. A daemon that
reclaims an entry whose first hand-off died half way (markers set, message maybe not sent) is the
same owner and takes the markers over instead of treating the item as busy, which would lose it.
"""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

from storebridge.keys import Keys, reply_text

#: Owner value of markers set without a named owner.
ANONYMOUS_OWNER = "-"


def _ttl_ms(ttl_s: float) -> int:
    if ttl_s <= 0:
        raise ValueError(f"ttl_s must be > 0, got {ttl_s}")
    return max(1, round(ttl_s * 1000))


async def acquire_owned(
    redis: Redis, keys: Keys, claims: Sequence[tuple[str, int, str]], *, ttl_s: float
) -> list[bool]:
    """Set the markers of ``(market, item_no, owner)`` claims; True where the claim now holds it.

    A claim holds the marker if it set it, or if the marker already carried the same named owner
    (then its expiry is renewed; ``ANONYMOUS_OWNER`` never takes a marker over). Of two claims of
    one item in one call, the first wins. Two round trips at most.
    """
    if not claims:
        return []
    ttl_ms = _ttl_ms(ttl_s)
    async with redis.pipeline(transaction=False) as pipe:
        for market, item_no, owner in claims:
            pipe.set(keys.inflight(market, item_no), owner, nx=True, px=ttl_ms)
        results = [bool(r) for r in await pipe.execute()]
    busy = [i for i, ok in enumerate(results) if not ok and claims[i][2] != ANONYMOUS_OWNER]
    if not busy:
        return results
    # A marker we did not set may be our own from an earlier, interrupted hand-off of the same entry.
    winners = {keys.inflight(m, n): o for (m, n, o), ok in zip(claims, results, strict=True) if ok}
    async with redis.pipeline(transaction=False) as pipe:
        for i in busy:
            pipe.get(keys.inflight(claims[i][0], claims[i][1]))
        holders = [None if v is None else reply_text(v) for v in await pipe.execute()]
    renew: list[str] = []
    for i, holder in zip(busy, holders, strict=True):
        market, item_no, owner = claims[i]
        key = keys.inflight(market, item_no)
        if holder == owner and key not in winners:
            results[i] = True
            winners[key] = owner
            renew.append(key)
    if renew:
        async with redis.pipeline(transaction=False) as pipe:
            for key in renew:
                pipe.pexpire(key, ttl_ms)
            await pipe.execute()
    return results


async def acquire(
    redis: Redis, keys: Keys, market: str, item_nos: Sequence[int], *, ttl_s: float
) -> list[int]:
    """Mark ``item_nos`` in flight (one pipeline of ``SET NX PX``); returns those acquired, in order.

    An item listed twice is acquired once.
    """
    claims = [(market, no, ANONYMOUS_OWNER) for no in item_nos]
    got = await acquire_owned(redis, keys, claims, ttl_s=ttl_s)
    acquired: list[int] = []
    for no, ok in zip(item_nos, got, strict=True):
        if ok and no not in acquired:
            acquired.append(no)
    return acquired


async def release(redis: Redis, keys: Keys, market: str, item_nos: Sequence[int]) -> None:
    """Clear the markers of ``item_nos`` (after their final outcome, or when a hand-off failed)."""
    if item_nos:
        await redis.delete(*(keys.inflight(market, no) for no in item_nos))


async def refresh(redis: Redis, keys: Keys, market: str, item_nos: Sequence[int], *, ttl_s: float) -> None:
    """Extend the markers of ``item_nos`` to ``ttl_s`` from now (the item was re-queued for later).

    A marker that expired meanwhile is set again (owner unknown), so a slow item stays protected.
    """
    if not item_nos:
        return
    ttl_ms = _ttl_ms(ttl_s)
    async with redis.pipeline(transaction=False) as pipe:
        for no in item_nos:
            key = keys.inflight(market, no)
            pipe.pexpire(key, ttl_ms)
            pipe.set(key, ANONYMOUS_OWNER, nx=True, px=ttl_ms)
        await pipe.execute()


async def release_owned(redis: Redis, keys: Keys, market: str, item_nos: Sequence[int], owner: str) -> None:
    """Clear the markers of ``item_nos`` that ``owner`` still holds (others are left alone).

    Used when an entry is dead-lettered: whatever it may have left behind must not block the item
    for later entries. Check-then-delete is not atomic; the window is one round trip and the worst
    case is one extra sync of an item that another entry just put in flight.
    """
    if not item_nos:
        return
    async with redis.pipeline(transaction=False) as pipe:
        for no in item_nos:
            pipe.get(keys.inflight(market, no))
        holders = [None if v is None else reply_text(v) for v in await pipe.execute()]
    mine = [
        keys.inflight(market, no) for no, holder in zip(item_nos, holders, strict=True) if holder == owner
    ]
    if mine:
        await redis.delete(*mine)
