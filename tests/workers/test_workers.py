"""The Dramatiq side: a real Redis broker, an in-process ``Worker``, the sandbox APIs, PostgreSQL and S3.

Given a ``SyncBatch`` message, when a worker processes it, then its items are registered once on
Naver and their in-flight markers released; an item that has to wait goes back alone, as a smaller
delayed message, and keeps its marker; a message that fails for good frees its items; the worker
opens its resources once and closes them at shutdown. ``storebridge worker`` runs both queue groups
and stops cleanly on SIGTERM, and exits non-zero when a group cannot start.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import dramatiq
import pytest
import redis.asyncio as aioredis
from dramatiq import Message

from schemas.messages import SyncBatch
from storebridge.devstack import Child, free_port
from storebridge.errors import PermanentError, TransientError
from storebridge.sandbox.runner import Sandbox
from storebridge.store import State, StateStore
from storebridge.transform import seller_management_code
from tests.support import WAIT_S, json_events, naver_stats, until
from tests.sync.harness import healthy
from tests.workers.harness import RunningWorker, mark_in_flight, markers, worker_env

#: Grace before a create with an unknown outcome may be searched for (seconds).
UNKNOWN_GRACE_S = 30.0


@pytest.fixture
def env(fast_sandbox: Sandbox, service_urls: dict[str, str]) -> dict[str, str]:
    """The settings environment of this test: the sandbox, its own namespace, database and bucket."""
    return {
        **worker_env(fast_sandbox, service_urls),
        "WORKER_PROCESSES": "1",
        "WORKER_NORMAL_THREADS": "2",
        "WORKER_BATCH_THREADS": "1",
        "SHUTDOWN_TIMEOUT_S": "10",
    }


@pytest.fixture
async def h(actors: ModuleType, env: dict[str, str]) -> AsyncIterator[RunningWorker]:
    """A worker consuming both queues of a broker built from this test's settings (installed globally)."""
    async with RunningWorker(actors, env) as running:
        yield running


async def states(store: StateStore, item_nos: list[int]) -> dict[int, State]:
    rows = {no: await store.get("dome", no) for no in item_nos}
    return {no: row.state for no, row in rows.items() if row is not None}


async def test_a_batch_message_registers_its_items_once_and_releases_their_markers(
    h: RunningWorker, fast_sandbox: Sandbox, redis_client: aioredis.Redis, store: StateStore
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
    stats = await naver_stats(fast_sandbox.naver_origin)
    assert stats["products"] == len(completed)
    assert stats["duplicates"] == 0
    assert h.queued("batch") == [], "nothing goes back to the queue"
    assert h.queued("batch.DQ") == [], "nothing waits to be re-sent"


async def test_an_item_that_must_wait_goes_back_alone_as_a_smaller_delayed_message(
    h: RunningWorker, fast_sandbox: Sandbox, redis_client: aioredis.Redis, store: StateStore
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
    assert (await naver_stats(fast_sandbox.naver_origin))["products"] == len(completed)


async def test_a_message_that_fails_for_good_is_dead_lettered_and_frees_its_items(
    h: RunningWorker, fast_sandbox: Sandbox, redis_client: aioredis.Redis
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
    h: RunningWorker, fast_sandbox: Sandbox, redis_client: aioredis.Redis
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


async def test_storebridge_worker_runs_both_queue_groups_and_stops_cleanly_on_sigterm(
    env: dict[str, str], tmp_path: Path
) -> None:
    child_env = {**os.environ, **env, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}
    async with Child("worker", ["worker"], child_env, tmp_path) as worker:

        async def both_ready() -> bool:
            assert worker.running, worker.tail()
            ready = [e for e in json_events(worker.log_path) if e["event"] == "worker.ready"]
            return {q for e in ready for q in e["queues"]} == {"normal", "batch"} and len(ready) == 2

        await until(both_ready, "both queue groups to boot")
        status = await worker.stop()
    assert status == 0, worker.tail(60)
    events = json_events(worker.log_path)
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
    assert "DATABASE_URL" in output, output
    assert "Traceback" not in output, output
    assert "secret" not in output, output
    assert "worker.group.started" not in output, output
