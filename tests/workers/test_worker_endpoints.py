"""``storebridge worker``'s own ``/health`` and ``/metrics`` (what the Helm chart probes and scrapes).

A real ``storebridge worker --queues batch`` against real Redis, PostgreSQL, S3 and the sandbox;
the endpoints are read over HTTP like a kubelet and Prometheus would.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from storebridge.commands.worker import parse_queues
from storebridge.devstack import Child, free_port
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from tests.support import until
from workers.pod_metrics import MetricsServer


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(SandboxOptions(items=5, seed=1)) as running:
        yield running


async def fetch(url: str) -> tuple[int, str]:
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status, await response.text()
    except aiohttp.ClientError:
        return 0, ""


async def test_the_worker_serves_its_groups_health_and_its_pods_metrics(
    sandbox: Sandbox, service_urls: dict[str, str], tmp_path: Path
) -> None:
    # Given `storebridge worker --queues batch` with its endpoints on a free port
    port = free_port()
    env = {
        **os.environ,
        **sandbox.environment(),
        **service_urls,
        "LOG_FORMAT": "json",
        "WORKER_PROCESSES": "1",
        "WORKER_BATCH_THREADS": "1",
        "SHUTDOWN_TIMEOUT_S": "5",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
        "WORKER_METRICS_PORT": str(port),
        "WORKER_METRICS_HOST": "127.0.0.1",
    }
    base = f"http://127.0.0.1:{port}"
    async with Child("worker", ["worker", "--queues", "batch"], env, tmp_path) as worker:

        async def healthy() -> dict[str, Any] | None:
            assert worker.running, worker.tail(40)
            status, body = await fetch(f"{base}/health")
            return json.loads(body) if status == 200 else None

        # Then /health reports exactly the one group it runs, alive
        health = await until(healthy, "the worker's /health to answer 200")
        assert health == {"status": "ok", "components": {"batch": True}}

        # And /metrics carries the pod's directory, its health and the workers' CPU and memory
        async def worker_samples() -> str | None:
            status, text = await fetch(f"{base}/metrics")
            return text if status == 200 and "storebridge_worker_cpu_seconds_total{pid=" in text else None

        text = await until(worker_samples, "the worker processes' samples in /metrics")
        files = re.search(r"^storebridge_multiproc_files (\S+)$", text, re.MULTILINE)
        assert files is not None, text
        assert float(files.group(1)) >= 1, text
        assert re.search(r"^storebridge_multiproc_collect_errors_total 0\.0$", text, re.MULTILINE), text
        memory = re.findall(
            r'^storebridge_worker_resident_memory_bytes\{pid="(\d+)"\} (\S+)$', text, re.MULTILINE
        )
        assert memory, text
        assert all(float(rss) > 0 for _, rss in memory), text
        assert (await fetch(f"{base}/nothing"))[0] == 404

        # When it is stopped, it stops cleanly and the endpoints go with it
        status = await worker.stop()
    assert status == 0, worker.tail(60)
    assert (await fetch(f"{base}/health"))[0] == 0


def test_queues_take_normal_batch_or_both_in_order() -> None:
    assert parse_queues("normal") == ("normal",)
    assert parse_queues("batch,normal") == ("batch", "normal")
    assert parse_queues("normal,normal") == ("normal",)
    for bad in ("", "urgent", "normal,urgent"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_queues(bad)


def test_a_busy_port_leaves_the_workers_running_and_the_stop_clean() -> None:
    # Given a port another process already listens on
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = MetricsServer(lambda: {"batch": True}, multiproc_dir="", host="127.0.0.1", port=port)

        # When the worker's endpoint server starts there and the command later stops
        started = server.start()
        server.stop()

    # Then the start reports the failure and the stop does not raise (the workers' exit stays 0)
    assert started is False
