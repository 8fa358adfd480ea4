"""Self-healing against real processes: supervisor restarts, crash-loop bound, workers killed mid-batch.

- Given ``storebridge worker`` running both groups, when one group is killed (SIGKILL to its whole
  process group), then it is started again and the other group keeps its processes; SIGTERM then
  stops everything cleanly and promptly, saying what it waits for.
- Given a group that dies at every start, then the supervisor restarts it up to the bound, then
  stops the other group and exits non-zero with the group's status.
- Given the catalog enqueued to a daemon and workers, when every worker process is SIGKILLed
  twice mid-batch and ``storebridge worker`` started again each time, then every item reaches a
  terminal state with a reason, without an operator, and Naver has no duplicate.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from schemas.messages import IntakeEntry
from storebridge.devstack import Child, free_port, wait_healthy
from storebridge.intake import enqueue_entries
from storebridge.keys import Keys
from storebridge.sandbox.naver.app import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from storebridge.store import State, StateStore
from tests.support import WAIT_S, json_events, naver_stats, until

#: States an item can end in: with a reason, and needing nobody.
TERMINAL = {State.COMPLETED, State.MANUAL_REVIEW, State.FAILED, State.SUSPENDED}
#: Bound on the whole recovery of the kill test (seconds): the heartbeat timeout and maintenance
#: (a few seconds here), then the reconciliation of an item killed in REGISTERING, which is left
#: alone for ``storebridge.sync.reconcile.REGISTERING_STALE_S`` (120 s) before it is searched for.
RECOVERY_S = 240.0

#: Settings that make recovery fast enough for a test (the defaults are 30 s, 10 s, 90 s, 60 s, 300 s).
FAST_RECOVERY = {
    "DRAMATIQ_HEARTBEAT_TIMEOUT_S": "4",
    "DRAMATIQ_MAINTENANCE_INTERVAL_S": "1",
    "INFLIGHT_TTL_S": "6",
    "SWEEPER_INTERVAL_S": "2",
    "SWEEPER_STALE_AFTER_S": "15",
}


@pytest.fixture
async def env(service_urls: dict[str, str]) -> AsyncIterator[dict[str, str]]:
    """A small sandbox and this test's namespace, database and bucket, for ``storebridge worker``."""
    async with Sandbox(SandboxOptions(items=5, seed=1)) as sandbox:
        yield {
            **{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
            **sandbox.environment(),
            **service_urls,
            "LOG_FORMAT": "json",
            "WORKER_PROCESSES": "1",
            "WORKER_NORMAL_THREADS": "2",
            "WORKER_BATCH_THREADS": "1",
            "SHUTDOWN_TIMEOUT_S": "10",
        }


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from ``/proc``), children first."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and ") Z " not in Path(f"/proc/{pid}/stat").read_text()


def started(log_path: Path) -> list[dict[str, Any]]:
    return [e for e in json_events(log_path) if e.get("event") == "worker.group.started"]


async def test_a_group_that_dies_is_restarted_and_the_other_keeps_running(
    env: dict[str, str], tmp_path: Path
) -> None:
    async with Child("worker", ["worker"], env, tmp_path) as worker:

        async def both_ready() -> bool:
            assert worker.running, worker.tail()
            return len([e for e in json_events(worker.log_path) if e["event"] == "worker.ready"]) == 2

        await until(both_ready, "both queue groups to boot")
        pids = {e["queue"]: e["pid"] for e in started(worker.log_path)}
        normal_processes = [pids["normal"], *descendants(pids["normal"])]
        os.killpg(pids["batch"], signal.SIGKILL)

        async def batch_back() -> bool:
            assert worker.running, worker.tail()
            ready = [e for e in json_events(worker.log_path) if e["event"] == "worker.ready"]
            return len(started(worker.log_path)) == 3 and len(ready) == 3

        await until(batch_back, "the batch group to be restarted and ready")
        restarted = started(worker.log_path)[-1]
        assert restarted["queue"] == "batch"
        assert restarted["pid"] != pids["batch"]
        assert all(alive(pid) for pid in normal_processes), "the normal group was touched"
        began = time.monotonic()
        status = await worker.stop()
        stop_s = time.monotonic() - began
    assert status == 0, worker.tail(60)
    names = [e["event"] for e in json_events(worker.log_path)]
    assert names.count("worker.group.died") == 1
    assert "worker.group.restarting" in names
    assert "worker.stopping" in names
    assert "worker.shutdown.waiting" in names
    assert stop_s < float(env["SHUTDOWN_TIMEOUT_S"]), "nothing was in flight: no reason to wait the timeout"


SUPERVISE = """
import logging, sys
from storebridge.logs import configure_logging
from workers.supervisor import RestartPolicy, Supervisor
configure_logging("INFO", "json")
commands = {
    "normal": [sys.executable, "-c", "import time; time.sleep(60)"],
    "batch": [sys.executable, "-c", "raise SystemExit(3)"],
}
policy = RestartPolicy(max_restarts=2, window_s=60, delay_s=0.05)
sys.exit(Supervisor(commands, {}, stop_timeout_s=10, policy=policy).run())
"""


def test_a_crash_looping_group_stops_everything_and_exits_non_zero(tmp_path: Path) -> None:
    log_path = tmp_path / "supervisor.log"
    with log_path.open("wb") as log:
        done = subprocess.run(
            [sys.executable, "-c", SUPERVISE], stdout=log, stderr=log, timeout=WAIT_S, check=False
        )
    events = json_events(log_path)
    assert done.returncode == 3, log_path.read_text()
    assert [e["queue"] for e in events if e["event"] == "worker.group.started"] == ["normal"] + ["batch"] * 3
    [loop] = [e for e in events if e["event"] == "worker.group.crash_loop"]
    assert loop["queue"] == "batch"
    assert loop["restarts"] == 2
    assert {"queue": "normal", "status": -signal.SIGTERM} in [
        {"queue": e["queue"], "status": e["status"]} for e in events if e["event"] == "worker.group.exited"
    ], "the healthy group was stopped with the crash-looping one"


async def kill_every_worker_process(worker: Child) -> int:
    """SIGKILL ``storebridge worker`` and every process below it at once (no graceful anything)."""
    assert worker.proc is not None
    victims = [worker.proc.pid, *descendants(worker.proc.pid)]
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
    await worker.proc.wait()
    return len(victims)


@pytest.mark.slow
@pytest.mark.timeout(RECOVERY_S + 180)
async def test_every_item_settles_after_the_workers_are_killed_mid_batch_twice(
    tmp_path: Path, redis_url: str, redis_namespace: str, database_url: str, service_urls: dict[str, str]
) -> None:
    options = SandboxOptions(items=40, seed=11, naver=NaverSimConfig(rate_per_s=10))
    async with Sandbox(options) as sandbox:
        port = free_port()
        env = {
            **os.environ,
            **sandbox.environment(),
            **FAST_RECOVERY,
            **service_urls,
            "NAVER_MAX_TPS": "8",
            "NAVER_SEARCH_GRACE_S": "2",
            "DAEMON_HOST": "127.0.0.1",
            "DAEMON_PORT": str(port),
            "LOG_FORMAT": "json",
            "RETRY_BACKOFF_BASE": "1",
            "INTAKE_BATCH_SIZE": "5",
            "WORKER_PROCESSES": "1",
            "SHUTDOWN_TIMEOUT_S": "5",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        numbers = [item.no for item in sandbox.catalog]
        now_ms = int(time.time() * 1000)
        entries = [
            IntakeEntry(item_no=no, queue="batch" if i % 2 else "normal", enqueued_at_ms=now_ms)
            for i, no in enumerate(numbers)
        ]
        redis = aioredis.Redis.from_url(redis_url)
        daemon = await Child("daemon", ["daemon"], env, tmp_path).start()
        workers: list[Child] = []
        try:
            async with StateStore(database_url) as store:
                await wait_healthy(port, daemon)
                await enqueue_entries(redis, Keys(redis_namespace), entries)

                async def terminal() -> int:
                    counts = await store.counts_by_state()
                    return sum(counts[s] for s in TERMINAL)

                killed = 0
                for round_no, after in enumerate((4, 12)):
                    worker = await Child(f"worker{round_no}", ["worker"], env, tmp_path).start()
                    workers.append(worker)

                    async def progressed(after: int = after) -> bool:
                        return await terminal() >= after

                    await until(progressed, f"{after} items to settle", timeout_s=90)
                    killed += await kill_every_worker_process(worker)
                final = await Child("worker-final", ["worker"], env, tmp_path).start()
                workers.append(final)
                deadline = time.monotonic() + RECOVERY_S
                while time.monotonic() < deadline and await terminal() < len(numbers):
                    assert final.running, final.tail()
                    await asyncio.sleep(1)
                counts = await store.counts_by_state()
                rows = {no: await store.get("dome", no) for no in numbers}
            stuck = {
                no: (row.state if row else None)
                for no, row in rows.items()
                if not row or row.state not in TERMINAL
            }
            assert not stuck, (stuck, counts, final.tail(40), daemon.tail(20))
            assert all(
                row is not None and (row.state is State.COMPLETED or row.last_error_code)
                for row in rows.values()
            )
            stats = await naver_stats(sandbox.naver_origin)
            assert stats["duplicates"] == 0, stats
            assert stats["products"] == counts[State.COMPLETED] + counts[State.SUSPENDED]
            assert killed >= 6, "each round killed the supervisor, both groups and their workers"
        finally:
            await redis.aclose()
            for worker in workers:
                await worker.stop()
            await daemon.stop()
        reclaimed = [
            e
            for w in workers
            for e in json_events(w.log_path)
            if e["event"] in ("worker.broker.reclaimed", "worker.inflight.taken_over")
        ]
        assert reclaimed, "recovery went through the broker's hand-back and the marker take-over"
        print(json.dumps({"killed": killed, "counts": {k.value: v for k, v in counts.items() if v}}))
