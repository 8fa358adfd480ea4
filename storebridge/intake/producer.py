"""Producing intake entries: pipelined XADDs onto the intake stream.

Used by ``storebridge enqueue`` / ``retry``, cron jobs and the demo. Entries go out in chunks of
pipelined ``XADD`` commands without MULTI (``transaction=False``): an interrupted run has enqueued
a prefix, which is harmless because every entry is an independent, idempotent request.

``MAXLEN ~ STREAM_SAFETY_MAXLEN`` is a pure safety bound against a runaway producer filling Redis's
memory, set far above any real backlog: trimming by length would delete entries that were never
delivered, so the daemon trims only what it has acknowledged (``IntakeConsumer.trim_acknowledged``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from redis.asyncio import Redis

from schemas.messages import IntakeEntry
from storebridge.keys import Keys

#: Hard ceiling on the intake stream's length (entries). Never reached in normal operation: the
#: worst real backlog is a full-catalogue import of a few hundred thousand items.
STREAM_SAFETY_MAXLEN = 10_000_000
#: Entries per pipeline round trip.
DEFAULT_CHUNK_SIZE = 1000


async def redis_time_ms(redis: Redis) -> int:
    """Redis's clock in ms since the epoch: one clock for producers' timestamps and the lag metric."""
    seconds, micros = await redis.time()
    return int(seconds) * 1000 + int(micros) // 1000


async def enqueue_entries(
    redis: Redis,
    keys: Keys,
    entries: Iterable[IntakeEntry],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> int:
    """XADD every entry to the intake stream; returns how many were added.

    ``progress(total_so_far)`` is called after each chunk. ``entries`` may be a generator: it is
    consumed one chunk at a time, so a million entries never sit in memory as commands at once.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    stream = keys.intake_stream
    total = 0
    chunk: list[IntakeEntry] = []

    async def flush() -> None:
        nonlocal total
        async with redis.pipeline(transaction=False) as pipe:
            for entry in chunk:
                pipe.xadd(stream, entry.to_fields(), maxlen=STREAM_SAFETY_MAXLEN, approximate=True)  # type: ignore[arg-type]
            await pipe.execute()
        total += len(chunk)
        chunk.clear()
        if progress is not None:
            progress(total)

    for entry in entries:
        chunk.append(entry)
        if len(chunk) >= chunk_size:
            await flush()
    if chunk:
        await flush()
    return total
