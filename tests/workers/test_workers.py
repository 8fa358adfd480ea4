"""The Dramatiq side: a real Redis broker, an in-process ``Worker``, the sandbox APIs, PostgreSQL and S3.

Given a ``SyncBatch`` message, when a worker processes it, then its items are registered once on
Naver and their in-flight markers released; an item that has to wait goes back alone, as a smaller
delayed message, and keeps its marker; a message that fails for good frees its items; the worker
opens its resources once and closes them at shutdown. ``storebridge worker`` runs both queue groups
and stops cleanly on SIGTERM, and exits non-zero when a group cannot start.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import aiohttp
import dramatiq
import pytest
import redis.asyncio as aioredis
from dramatiq import Message, Worker
from dramatiq.brokers.redis import RedisBroker

from schemas.messages import QueueName, SyncBatch
from storebridge.config import load_settings
from storebridge.devstack import Child, free_port
from storebridge.errors import PermanentError, TransientError
from storebridge.intake import inflight
from storebridge.keys import Keys
from storebridge.sandbox.catalog.model import ItemStatus
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from storebridge.sandbox.naver.app import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from storebridge.shutdown import reset_for_tests
from storebridge.store import State, StateStore
from storebridge.transform import seller_management_code

#: Longest any condition below may take to become true (seconds); a bound, not a speed assertion.
WAIT_S = 30.0
#: Expiry of the markers the tests set, as the intake would (seconds).
MARKER_TTL_S = 600.0
#: Grace before a create with an unknown outcome may be searched for (seconds).
UNKNOWN_GRACE_S = 30.0


async def until(check: Callable[[], Awaitable[Any]], what: str, timeout_s: float = WAIT_S) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` past the bound."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
async def fast_sandbox() -> AsyncIterator[Sandbox]:
    """Both simulators with room to spare, so the tests wait for the code and not for rate limits."""
    options = SandboxOptions(
        items=30,
        seed=1,
        naver=NaverSimConfig(rate_per_s=50, search_lag_s=0.0),
        domeggook=DomeggookSimConfig(per_minute_limit=100_000),
    )
    async with Sandbox(options) as sandbox:
        yield sandbox


@pytest.fixture
def env(
    fast_sandbox: Sandbox,
    redis_url: str,
    redis_namespace: str,
    database_url: str,
    s3_endpoint: str,
    s3_bucket: str,
) -> dict[str, str]:
    """The settings environment of this test: the sandbox, its own namespace, database and bucket."""
    return {
        **fast_sandbox.environment(),
        "REDIS_URL": redis_url,
        "REDIS_NAMESPACE": redis_namespace,
        "DATABASE_URL": database_url,
        "S3_ENDPOINT": s3_endpoint,
        "S3_BUCKET": s3_bucket,
        "NAVER_MAX_TPS": "40",
        "DOMEGGOOK_MAX_TPS": "40",
        "NAVER_SEARCH_GRACE_S": "0",
        "RETRY_BACKOFF_BASE": "1",
        "LOG_FORMAT": "json",
        "WORKER_PROCESSES": "1",
        "WORKER_NORMAL_THREADS": "2",
        "WORKER_BATCH_THREADS": "1",
        "SHUTDOWN_TIMEOUT_S": "10",
    }


@pytest.fixture
def actors(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """``workers.actors``. Its import builds the entry broker from the environment, so make that safe first.

    The tests never use that broker: each builds its own from its own settings.
    """
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    return importlib.import_module("workers.actors")


class Harness:
    """A booted in-process worker on this test's broker, plus what the tests look at."""

    def __init__(self, actors: ModuleType, broker: RedisBroker, worker: Worker, env: dict[str, str]) -> None:
        self.actors, self.broker, self.worker, self.env = actors, broker, worker, env
        self.keys = Keys(env["REDIS_NAMESPACE"])
        self.stopped = False

    async def stop(self) -> None:
        """Stop the worker (idempotent): resources close, then the loop thread stops."""
        if not self.stopped:
            self.stopped = True
            await asyncio.to_thread(self.worker.stop)

    async def send(self, item_nos: list[int], queue: QueueName = "normal") -> None:
        """Send one batch the way the daemon does (``send_batch`` in a thread)."""
        batch = SyncBatch(queue=queue, item_nos=item_nos, enqueued_at_ms=int(time.time() * 1000))
        await asyncio.to_thread(self.actors.send_batch, batch)

    def queued(self, queue: str) -> list[Message[Any]]:
        """Messages stored on ``queue`` (``normal``, ``normal.DQ`` delayed, ``normal.XQ`` dead)."""
        stored = self.broker.client.hvals(f"{self.broker.namespace}:{queue}.msgs")
        return [Message.decode(cast(bytes, data)) for data in stored]


@pytest.fixture
async def h(actors: ModuleType, env: dict[str, str]) -> AsyncIterator[Harness]:
    """A worker consuming both queues of a broker built from this test's settings (installed globally)."""
    from workers.broker import build_broker

    broker = build_broker(load_settings(**env))
    actors.declare_actors(broker)
    previous = dramatiq.get_broker()
    dramatiq.set_broker(broker)
    worker = Worker(broker, worker_threads=2, worker_timeout=100)
    await asyncio.to_thread(worker.start)
    harness = Harness(actors, broker, worker, env)
    try:
        yield harness
    finally:
        await harness.stop()
        broker.close()
        dramatiq.set_broker(previous)
        reset_for_tests()  # a stopping worker asks the whole process to stop waiting; undo it


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[StateStore]:
    async with StateStore(database_url) as opened:
        yield opened


def healthy(sandbox: Sandbox) -> list[int]:
    """On-sale items without a hostile scenario (some still end in manual review, for a recorded reason)."""
    return [i.no for i in sandbox.catalog if not i.scenarios and i.status is ItemStatus.ON_SALE]


async def states(store: StateStore, item_nos: list[int]) -> dict[int, State]:
    rows = {no: await store.get("dome", no) for no in item_nos}
    return {no: row.state for no, row in rows.items() if row is not None}


async def naver_stats(sandbox: Sandbox) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(f"{sandbox.naver_origin}/_sandbox/stats") as resp:
        return dict(await resp.json())


async def mark_in_flight(redis: aioredis.Redis, keys: Keys, item_nos: list[int]) -> None:
    """What the intake does before it sends a batch."""
    assert await inflight.acquire(redis, keys, "dome", item_nos, ttl_s=MARKER_TTL_S) == item_nos


async def markers(redis: aioredis.Redis, keys: Keys, item_nos: list[int]) -> list[int]:
    """The items among ``item_nos`` that are still marked in flight."""
    return [no for no in item_nos if await redis.exists(keys.inflight("dome", no))]


async def test_a_batch_message_registers_its_items_once_and_releases_their_markers(
    h: Harness, fast_sandbox: Sandbox, redis_client: aioredis.Redis, store: StateStore
) -> None:
    items = healthy(fast_sandbox)
    await mark_in_flight(redis_client, h.keys, items)
    await h.send(items, queue="batch")

    async def released() -> bool:
        return not await markers(redis_client, h.keys, items)

    await until(released, "the markers to be released")
    final = await states(store, items)
    assert set(final) == set(items)
    assert set(final.values()) <= {State.COMPLETED, State.MANUAL_REVIEW}, final
    completed = [no for no, state in final.items() if state is State.COMPLETED]
    assert completed, "the sandbox catalog has items Naver accepts"
    stats = await naver_stats(fast_sandbox)
    assert stats["products"] == len(completed)
    assert stats["duplicates"] == 0
    assert h.queued("batch") == [] and h.queued("batch.DQ") == [], "nothing goes back to the queue"  # noqa: PT018


async def test_an_item_that_must_wait_goes_back_alone_as_a_smaller_delayed_message(
    h: Harness, fast_sandbox: Sandbox, redis_client: aioredis.Redis, store: StateStore
) -> None:
    waiting, *others = healthy(fast_sandbox)[:4]
    # A create whose answer was lost: Naver may be searched for it only after the grace period.
    row = await store.claim("dome", waiting, seller_management_code("dome", waiting))
    for target in (State.VALIDATED, State.UPLOADING):
        row = await store.transition(row.id, row.state, target)
    row = await store.transition(row.id, row.state, State.REGISTERING, attempt_id=uuid.uuid4())
    await store.transition(
        row.id,
        State.REGISTERING,
        State.UNKNOWN,
        code="CREATE_OUTCOME_UNKNOWN",
        next_retry_at=datetime.now(UTC) + timedelta(seconds=UNKNOWN_GRACE_S),
    )
    await mark_in_flight(redis_client, h.keys, [waiting, *others])
    await h.send([waiting, *others])

    async def delayed() -> list[Message[Any]]:
        return h.queued("normal.DQ")

    [message] = await until(delayed, "the waiting item to be re-sent")
    batch = SyncBatch.model_validate(message.args[0])
    assert batch.item_nos == [waiting]
    assert batch.reason == "retry"
    assert message.options["eta"] - message.message_timestamp >= (UNKNOWN_GRACE_S - 2) * 1000
    assert await markers(redis_client, h.keys, [waiting, *others]) == [waiting]
    assert await redis_client.pttl(h.keys.inflight("dome", waiting)) > UNKNOWN_GRACE_S * 1000
    final = await states(store, [waiting, *others])
    assert final.pop(waiting) is State.UNKNOWN
    assert set(final.values()) <= {State.COMPLETED, State.MANUAL_REVIEW}, final
    completed = [no for no, state in final.items() if state is State.COMPLETED]
    assert (await naver_stats(fast_sandbox))["products"] == len(completed)


async def test_a_message_that_fails_for_good_is_dead_lettered_and_frees_its_items(
    h: Harness, fast_sandbox: Sandbox, redis_client: aioredis.Redis
) -> None:
    def broken(message: dict[str, Any]) -> None:
        raise RuntimeError("a bug in an actor")

    dramatiq.actor(broker=h.broker, actor_name="broken", queue_name="normal")(broken)
    items = healthy(fast_sandbox)[:2]
    await mark_in_flight(redis_client, h.keys, items)
    batch = SyncBatch(item_nos=items, enqueued_at_ms=0)
    await asyncio.to_thread(h.broker.get_actor("broken").send, batch.model_dump(mode="json"))

    async def released() -> bool:
        return not await markers(redis_client, h.keys, items)

    await until(released, "the markers of the failed message to be released")
    assert len(h.queued("normal.XQ")) == 1, "not retried: only transient errors are"


def test_only_waits_and_transient_errors_are_retried_and_transient_ones_at_most_max_retries() -> None:
    from workers.broker import retry_policy

    should_retry = retry_policy(max_retries=2)
    assert should_retry(50, dramatiq.Retry(delay=1000)), "waiting is not failing: never exhausted"
    assert should_retry(1, TransientError("502 from Naver"))
    assert not should_retry(2, TransientError("502 from Naver"))
    assert not should_retry(0, PermanentError("rejected"))
    assert not should_retry(0, RuntimeError("bug"))


async def test_resources_are_opened_once_per_worker_and_closed_at_shutdown(
    h: Harness, fast_sandbox: Sandbox, redis_client: aioredis.Redis
) -> None:
    from workers.resources import get_resources

    opened = get_resources()
    syncer = opened.syncer
    first, second = healthy(fast_sandbox)[:2]
    for no in (first, second):
        await mark_in_flight(redis_client, h.keys, [no])
        await h.send([no])

        async def released(no: int = no) -> bool:
            return not await markers(redis_client, h.keys, [no])

        await until(released, f"item {no} to be synced")
        assert get_resources() is opened, "one set of resources for every message"
    await h.stop()
    assert opened.closed
    assert opened.pipeline.store is not None
    assert opened.pipeline.store.closed
    assert syncer.domeggook.closed
    assert syncer.naver.closed
    assert syncer.images.closed
    with pytest.raises(RuntimeError):
        opened.redis  # noqa: B018 - the client is gone
    with pytest.raises(RuntimeError):
        get_resources()


def test_both_actors_run_the_same_thin_body(actors: ModuleType) -> None:
    assert (actors.sync_normal.queue_name, actors.sync_batch.queue_name) == ("normal", "batch")
    for actor in (actors.sync_normal, actors.sync_batch):
        assert actor.fn.__wrapped__ is actors.sync_batch_message
    source = inspect.getsource(actors.sync_batch_message)
    body = source.split('"""')[2].strip().splitlines()  # after the docstring
    assert len(body) <= 15, source


def _events(log_path: Path) -> list[dict[str, Any]]:
    """The JSON log lines of a child (Dramatiq's own plain-text lines are skipped)."""
    events = []
    for line in log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
    return events


async def test_storebridge_worker_runs_both_queue_groups_and_stops_cleanly_on_sigterm(
    env: dict[str, str], tmp_path: Path
) -> None:
    child_env = {**os.environ, **env, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}
    async with Child("worker", ["worker"], child_env, tmp_path) as worker:

        async def both_ready() -> bool:
            assert worker.running, worker.tail()
            ready = [e for e in _events(worker.log_path) if e["event"] == "worker.ready"]
            return {q for e in ready for q in e["queues"]} == {"normal", "batch"} and len(ready) == 2

        await until(both_ready, "both queue groups to boot")
        status = await worker.stop()
    assert status == 0, worker.tail(60)
    events = _events(worker.log_path)
    names = [e["event"] for e in events]
    assert names.count("worker.resources.closed") == 2, worker.tail(60)
    assert [e["status"] for e in events if e["event"] == "worker.stopped"] == [0]


async def test_storebridge_worker_exits_non_zero_with_one_line_when_the_database_is_unreachable(
    env: dict[str, str], tmp_path: Path
) -> None:
    # The start-up probe (storebridge.commands.preflight) refuses before any group starts; a group
    # that dies later is restarted within a bound (tests/workers/test_self_healing.py).
    unreachable = f"postgresql://storebridge:secret@127.0.0.1:{free_port()}/storebridge"
    child_env = {**os.environ, **env, "DATABASE_URL": unreachable}
    async with Child("worker", ["worker"], child_env, tmp_path) as worker:
        assert worker.proc is not None
        status = await asyncio.wait_for(worker.proc.wait(), WAIT_S)
    assert status != 0
    output = worker.tail(60)
    assert "DATABASE_URL" in output and "Traceback" not in output and "secret" not in output, output  # noqa: PT018
    assert "worker.group.started" not in output, output
