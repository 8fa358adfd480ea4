"""In-flight markers: the same item is never queued or synced twice at the same time.

One Redis key per (market, item) (``Keys.inflight``), in two phases:

- *queued*: set with ``SET NX PX`` by the intake daemon when it puts the item into a batch
  (``INFLIGHT_QUEUED_TTL_S``), or by the worker when it re-queues the item for later (the wait
  plus one run); the message is waiting in the broker, which hands a dead worker's messages back
  (``workers.broker``), so the marker may outlive any process;
- *running*: taken by the worker when the message starts (``take_running``: holder = that
  execution of the message), with a short expiry (``INFLIGHT_TTL_S``) renewed while it runs and
  released on every path (``workers.middleware.inflight``). A running marker never outlives its
  worker by more than one TTL, and a re-delivery takes it over at once when the holder's process
  is known dead.

The worker deletes the marker after the item's final outcome. Expiry is the last safety net: an
item can be blocked at most one TTL, never forever; ``workers.sweeper`` re-drives what is left.

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
    """Hold the markers of ``item_nos`` for ``ttl_s`` from now as *queued* (the item was re-queued for later).

    The holder becomes ``ANONYMOUS_OWNER``: the execution that re-queued the item is ending, so the
    marker must not look like a running one (whose holder's death would let a re-drive through
    while the delayed message still waits); the delayed message takes it over when it runs. A
    marker that expired meanwhile is set again, so a slow item stays protected.
    """
    if not item_nos:
        return
    ttl_ms = _ttl_ms(ttl_s)
    async with redis.pipeline(transaction=False) as pipe:
        for no in item_nos:
            pipe.set(keys.inflight(market, no), ANONYMOUS_OWNER, px=ttl_ms)
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


# -- Markers held by a running message -------------------------------------------------------------
#
# While a worker runs a message, the markers of its items name that *execution* and live only
# ``RUN_TTL`` seconds unless renewed (``workers.middleware.inflight`` renews them every third of the
# TTL). A worker that dies stops renewing, so its markers vanish within one TTL, and before that a
# re-delivery may take them over when the holder's worker process is known dead: its Dramatiq
# heartbeat is older than the broker's heartbeat timeout, the same test the broker uses to hand the
# dead worker's messages back. Holder text: ``run|<message id>|<redis message id>|<process id>``
# (the process id is the Dramatiq broker id, which heartbeats in ``<dramatiq ns>:__heartbeats__``).

#: Prefix of the holder of a marker taken by a running message.
RUN_PREFIX = "run|"

#: ``take_running`` outcome per item.
TAKEN, RENEWED, TAKEN_OVER, BUSY = "taken", "renewed", "taken_over", "busy"

# KEYS: markers; ARGV: holder, ttl_ms, heartbeats key, heartbeat timeout ms.
# Per key: 0 busy, 1 taken (free), 2 renewed (already ours), 3 taken over.
# A marker not held by a running message (an intake entry's, a hand-back's) is taken over: running
# beats queued. One held by a running message is taken over when that execution cannot be running:
# its process's heartbeat is stale, or it is an earlier delivery of the same message (a retry: a new
# redis message id, and Dramatiq starts a retry only after the previous execution ended).
_TAKE_LUA = """
local holder, ttl, heartbeats, timeout = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mine_msg, mine_rid = string.match(holder, '^run|([^|]*)|([^|]*)|')
local out = {}
for i, key in ipairs(KEYS) do
  local cur = redis.call('GET', key)
  if not cur then
    redis.call('SET', key, holder, 'PX', ttl); out[i] = 1
  elseif cur == holder then
    redis.call('PEXPIRE', key, ttl); out[i] = 2
  else
    local msg, rid, proc = string.match(cur, '^run|([^|]*)|([^|]*)|(.*)$')
    local take = false
    if not msg then
      take = true
    else
      local beat = redis.call('ZSCORE', heartbeats, proc)
      local dead = (not beat) or (tonumber(beat) < now_ms - timeout)
      take = dead or (msg == mine_msg and rid ~= mine_rid)
    end
    if take then
      redis.call('SET', key, holder, 'PX', ttl); out[i] = 3
    else
      out[i] = 0
    end
  end
end
return out
"""

# KEYS: markers; ARGV: holder, ttl_ms. Renew ours, set again what expired; returns how many another
# holder took meanwhile.
_RENEW_LUA = """
local lost = 0
for _, key in ipairs(KEYS) do
  local cur = redis.call('GET', key)
  if cur == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
  elseif not cur then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  else
    lost = lost + 1
  end
end
return lost
"""

# KEYS: markers; ARGV: holder. Delete the markers the holder still holds; returns how many.
_RELEASE_HELD_LUA = """
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then n = n + redis.call('DEL', key) end
end
return n
"""

_TAKE_CODES = {0: BUSY, 1: TAKEN, 2: RENEWED, 3: TAKEN_OVER}


def run_holder(message_id: str, redis_message_id: str, process_id: str) -> str:
    """The holder text of one execution of a message (see the section comment above)."""
    for part in (message_id, redis_message_id, process_id):
        if "|" in part:
            raise ValueError(f"holder parts must not contain '|': {part!r}")
    return f"{RUN_PREFIX}{message_id}|{redis_message_id}|{process_id}"


def heartbeats_key(keys: Keys) -> str:
    """Dramatiq's sorted set of worker-process heartbeats (its ``RedisBroker`` key layout)."""
    return f"{keys.dramatiq_namespace}:__heartbeats__"


async def take_running(
    redis: Redis,
    keys: Keys,
    market: str,
    item_nos: Sequence[int],
    *,
    holder: str,
    ttl_s: float,
    heartbeat_timeout_s: float,
) -> dict[int, str]:
    """Take the markers of ``item_nos`` for a starting execution; ``{item_no: outcome}`` in one call.

    Outcomes: ``TAKEN`` (was free), ``RENEWED`` (already ours), ``TAKEN_OVER`` (a queued holder, or
    a running one that cannot be running any more), ``BUSY`` (another execution is alive: leave the
    item to it). One atomic script: two executions racing for an item never both get it.
    """
    if not item_nos:
        return {}
    script = redis.register_script(_TAKE_LUA)
    reply = await script(
        keys=[keys.inflight(market, no) for no in item_nos],
        args=[holder, _ttl_ms(ttl_s), heartbeats_key(keys), _ttl_ms(heartbeat_timeout_s)],
    )
    return {no: _TAKE_CODES[int(code)] for no, code in zip(item_nos, reply, strict=True)}


async def renew_running(
    redis: Redis, keys: Keys, market: str, item_nos: Sequence[int], *, holder: str, ttl_s: float
) -> int:
    """Extend ``holder``'s markers to ``ttl_s`` (setting expired ones again); returns how many were lost."""
    if not item_nos:
        return 0
    script = redis.register_script(_RENEW_LUA)
    lost = await script(keys=[keys.inflight(market, no) for no in item_nos], args=[holder, _ttl_ms(ttl_s)])
    return int(lost)


async def release_held(redis: Redis, keys: Keys, market: str, item_nos: Sequence[int], holder: str) -> int:
    """Delete the markers ``holder`` still holds, atomically (others' are left); returns how many."""
    if not item_nos:
        return 0
    script = redis.register_script(_RELEASE_HELD_LUA)
    return int(await script(keys=[keys.inflight(market, no) for no in item_nos], args=[holder]))
