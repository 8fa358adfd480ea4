"""Bounded waits on the running service: workers booted, intake drained, items settled.

"Drained" is the one end condition for every pass, whatever the items' outcome: the daemon's
consumer group has read and acknowledged every intake entry (``XINFO GROUPS``: lag 0, pending 0)
and none of the enqueued items still holds its in-flight marker (the daemon sets it before the
hand-off; the worker deletes it after the item's final outcome, and refreshes it for an item it
re-queues). Items parked without an event (``SKIPPED``) are covered too, which event counts miss.

Every wait has a bound: past it, it returns ``reached=False`` with what it saw, and the caller
prints that instead of a figure it does not have.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bench.settings import POLL_INTERVAL_S
from storebridge.devstack import Child
from storebridge.keys import Keys
from storebridge.store import StateStore

#: Log event a booted Dramatiq worker process writes once (``WorkerResourcesMiddleware``).
WORKER_READY_EVENT = "worker.ready"
#: Seconds between two progress lines.
PROGRESS_EVERY_S = 5.0


class ChildDied(RuntimeError):
    """A daemon or worker exited while the benchmark needed it."""


@dataclass(frozen=True)
class Drain:
    """The end of a wait: reached or not, after how long, and what was left."""

    reached: bool
    waited_s: float
    lag: int | None
    pending: int
    in_flight: int

    def describe(self) -> str:
        """One line for a timeout message."""
        return (
            f"after {self.waited_s:.0f} s: lag {self.lag}, pending {self.pending}, in flight {self.in_flight}"
        )


def _field(info: dict[Any, Any], name: str) -> Any:
    return info.get(name, info.get(name.encode()))


async def group_backlog(redis: Redis, keys: Keys) -> tuple[int | None, int]:
    """``(lag, pending)`` of the intake group; lag None while the group or its lag is unknown."""
    try:
        groups = await redis.xinfo_groups(keys.intake_stream)
    except Exception:  # no stream yet
        return None, 0
    for info in groups:
        name = _field(info, "name")
        if (name.decode() if isinstance(name, bytes) else str(name)) == keys.intake_group:
            lag = _field(info, "lag")
            return (None if lag is None else int(lag)), int(_field(info, "pending") or 0)
    return None, 0


async def in_flight(redis: Redis, keys: Keys, item_nos: Sequence[int], market: str = "dome") -> int:
    """How many of ``item_nos`` still hold an in-flight marker."""
    total = 0
    for start in range(0, len(item_nos), 500):
        chunk = item_nos[start : start + 500]
        total += int(await redis.exists(*(keys.inflight(market, no) for no in chunk)))
    return total


def _check_alive(children: Sequence[Child]) -> None:
    for child in children:
        if not child.running:
            raise ChildDied(f"{child.name} exited:\n{child.tail()}")


async def wait_drained(
    redis: Redis,
    keys: Keys,
    item_nos: Sequence[int],
    *,
    timeout_s: float,
    children: Sequence[Child] = (),
    store: StateStore | None = None,
    label: str = "",
    poll_s: float = POLL_INTERVAL_S,
) -> Drain:
    """Poll until the intake group is empty and no item of ``item_nos`` is in flight (or time is up)."""
    started = time.monotonic()
    next_progress = started + PROGRESS_EVERY_S
    while True:
        lag, pending = await group_backlog(redis, keys)
        busy = await in_flight(redis, keys, item_nos) if lag == 0 and pending == 0 else len(item_nos)
        now = time.monotonic()
        if lag == 0 and pending == 0 and busy == 0:
            return Drain(True, now - started, lag, pending, busy)
        if now - started > timeout_s:
            return Drain(False, now - started, lag, pending, busy)
        _check_alive(children)
        if store is not None and now >= next_progress:
            next_progress = now + PROGRESS_EVERY_S
            counts = {s.value: n for s, n in (await store.counts_by_state()).items() if n}
            line = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            print(f"    {label}{now - started:5.0f} s: {line or 'nothing yet'}", flush=True)
        await asyncio.sleep(poll_s)


async def wait_workers_ready(worker: Child, expected: int, *, timeout_s: float) -> bool:
    """Wait until ``expected`` Dramatiq processes have logged ``worker.ready`` (resources open)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        _check_alive([worker])
        try:
            text = worker.log_path.read_text(errors="replace")
        except OSError:
            text = ""
        if text.count(WORKER_READY_EVENT) >= expected:
            return True
        await asyncio.sleep(POLL_INTERVAL_S)
    return False
