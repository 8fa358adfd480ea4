"""The service as deployed, end to end: daemon + Dramatiq worker processes + sandbox + Redis/PG/S3.

Given the catalog enqueued on the intake stream (both queues, some items twice), when the daemon
and two worker processes run, then every item settles, each registered item exists exactly once
on Naver, no 429 was received, and SIGTERM stops the daemon within 30 s with its summary line.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis

from schemas.messages import IntakeEntry
from storebridge.devstack import Child, free_port, wait_healthy
from storebridge.intake import enqueue_entries
from storebridge.keys import Keys
from storebridge.sandbox.naver.app import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from storebridge.store import State, StateStore
from tests.support import naver_stats

SETTLED = {State.COMPLETED, State.MANUAL_REVIEW, State.FAILED, State.SUSPENDED}


@pytest.mark.slow
async def test_daemon_and_two_workers_register_the_catalog_once_with_no_429(
    tmp_path: Path, redis_url: str, redis_namespace: str, database_url: str, service_urls: dict[str, str]
) -> None:
    options = SandboxOptions(items=40, seed=5, naver=NaverSimConfig(rate_per_s=10))
    async with Sandbox(options) as sandbox:
        port = free_port()
        (tmp_path / "prom").mkdir()
        env = {
            **os.environ,
            **sandbox.environment(),
            **service_urls,
            "NAVER_MAX_TPS": "10",
            "DAEMON_HOST": "127.0.0.1",
            "DAEMON_PORT": str(port),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
            "RETRY_BACKOFF_BASE": "1",
            "INTAKE_BATCH_SIZE": "8",
            "WORKER_PROCESSES": "1",
        }
        numbers = [item.no for item in sandbox.catalog]
        now_ms = int(time.time() * 1000)
        entries = [
            IntakeEntry(
                item_no=no, queue="batch" if i % 2 else "normal", reason="import", enqueued_at_ms=now_ms
            )
            for i, no in enumerate(numbers)
        ]
        entries += entries[:5]  # the same items again while in flight: coalesced, never synced twice at once
        redis = aioredis.Redis.from_url(redis_url)
        async with StateStore(database_url) as store, Child("worker", ["worker"], env, tmp_path) as worker:
            daemon = await Child("daemon", ["daemon"], env, tmp_path).start()
            try:
                await wait_healthy(port, daemon)
                await enqueue_entries(redis, Keys(redis_namespace), entries)
                deadline = time.monotonic() + 240
                while time.monotonic() < deadline:
                    counts = await store.counts_by_state()
                    if sum(counts[s] for s in SETTLED) >= len(numbers):
                        break
                    assert worker.running, worker.tail()
                    await asyncio.sleep(1)
                counts = await store.counts_by_state()
                assert sum(counts[s] for s in SETTLED) == len(numbers), (counts, worker.tail(), daemon.tail())
                stats = await naver_stats(sandbox.naver_origin)
                async with (
                    aiohttp.ClientSession() as http,
                    http.get(f"http://127.0.0.1:{port}/metrics") as resp,
                ):
                    metrics = await resp.text()
                assert stats["duplicates"] == 0
                assert stats["rate_limited"] == 0
                assert stats["products"] == counts[State.COMPLETED] + counts[State.SUSPENDED]
                assert "storebridge_registrations_total" in metrics
                assert "storebridge_items" in metrics
            finally:
                await redis.aclose()
                started = time.monotonic()
                status = await daemon.stop()
                stopped_in_s = time.monotonic() - started
        assert status == 0, daemon.tail()
        assert stopped_in_s < 30
        assert "daemon.stopped" in daemon.tail(50)
