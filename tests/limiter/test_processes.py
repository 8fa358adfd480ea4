"""The limiter across OS processes: one schedule for all of them, and zero 429s from a strict server.

Each child is ``python -c CHILD <json>``: it opens its own ``RateLimiter``, prints ``ready``,
waits for ``go`` on stdin (so all children contend at once), does its work and prints one JSON
line. Assertions are on the slots the Lua script handed out (Redis clock) and on the server's
answers, never on elapsed time.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import sys
import time
from dataclasses import dataclass
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiohttp import web

from storebridge.serve import ServedApp

pytestmark = pytest.mark.slow

US = 1_000_000

CHILD = r"""
import asyncio, json, sys

import aiohttp

from storebridge.keys import Keys
from storebridge.limiter import BucketConfig, RateLimiter, RateLimitWait


async def schedule(limiter, api, job):
    slots = []

    async def caller():
        for _ in range(job["calls_per_caller"]):
            reservation = await limiter.reserve_slot(api)
            slots.append(reservation.slot_us)
            await asyncio.sleep(reservation.wait_s)

    await asyncio.gather(*(caller() for _ in range(job["callers"])))
    return {"slots": slots}


async def soak(limiter, api, job):
    out = {"slots": [], "statuses": [], "deferrals": 0}

    async def caller(session):
        for _ in range(job["calls_per_caller"]):
            while True:
                try:
                    reservation = await limiter.reserve_slot(api)
                    break
                except RateLimitWait as exc:  # what an actor turns into dramatiq.Retry(delay=...)
                    out["deferrals"] += 1
                    await asyncio.sleep(exc.retry_after_s)
            await asyncio.sleep(reservation.wait_s)
            out["slots"].append(reservation.slot_us)
            async with session.get(job["url"]) as response:
                await response.read()
                out["statuses"].append(response.status)
                await limiter.observe_headers(api, response.headers)
                if response.status == 429:
                    await limiter.penalize(api)

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(caller(session) for _ in range(job["callers"])))
    return out


async def main(job):
    bucket = BucketConfig(**job["bucket"])
    async with RateLimiter(job["redis_url"], [bucket], keys=Keys(job["namespace"])) as limiter:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        work = schedule if job["mode"] == "schedule" else soak
        print(json.dumps(await work(limiter, bucket.api, job)), flush=True)


asyncio.run(main(json.loads(sys.argv[1])))
"""


async def run_children(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Start one child per job, release them together, return each child's JSON result."""
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CHILD,
            json.dumps(job),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for job in jobs
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
            if line.strip() != b"ready":
                _, err = await proc.communicate()
                pytest.fail(f"child did not start: {line!r} {err.decode()[-2000:]}")
        outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate(b"go\n") for p in procs)), timeout=60)
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    results = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()[-2000:]
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    return results


def gaps_us(slots: list[int]) -> list[int]:
    ordered = sorted(slots)
    return [b - a for a, b in itertools.pairwise(ordered)]


async def test_reservations_from_several_processes_are_spaced_on_one_schedule(
    redis_url: str, redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    bucket = {"api": "domeggook", "rate_per_s": 40.0, "max_wait_s": 30.0}
    job = {
        "mode": "schedule",
        "bucket": bucket,
        "redis_url": redis_url,
        "namespace": redis_namespace,
        "callers": 4,
        "calls_per_caller": 5,
    }
    results = await run_children([job, job, job])

    slots = [slot for result in results for slot in result["slots"]]
    interval_us = US / (40.0 * 0.95)
    assert len(slots) == 60
    assert min(gaps_us(slots)) >= interval_us
    # The children really contended: each caller books again when it wakes, so the processes'
    # slots interleave rather than forming three blocks.
    owner = {slot: n for n, result in enumerate(results) for slot in result["slots"]}
    changes = sum(1 for a, b in itertools.pairwise(sorted(slots)) if owner[a] != owner[b])
    assert changes > 2


@dataclass
class StrictTokenBucket:
    """A provider that answers 429 the moment the bucket is empty (Naver's gateway model)."""

    rate_per_s: float
    capacity: float
    tokens: float
    updated_s: float
    ok: int = 0
    refused: int = 0

    def take(self) -> bool:
        now_s = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now_s - self.updated_s) * self.rate_per_s)
        self.updated_s = now_s
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            self.ok += 1
            return True
        self.refused += 1
        return False

    def app(self) -> web.Application:
        async def handle(request: web.Request) -> web.Response:
            allowed = self.take()
            headers = {
                "GNCP-GW-RateLimit-Replenish-Rate": f"{self.rate_per_s:g}",
                "GNCP-GW-RateLimit-Burst-Capacity": f"{self.capacity:g}",
                "GNCP-GW-RateLimit-Remaining": str(math.floor(self.tokens) if allowed else 0),
            }
            if allowed:
                return web.json_response({"ok": True}, headers=headers)
            return web.json_response({"code": "GW.RATE_LIMIT"}, status=429, headers=headers)

        app = web.Application()
        app.router.add_get("/v2/products", handle)
        return app


async def test_three_processes_through_the_limiter_get_no_429_from_a_2_rps_server(
    redis_url: str, redis_client: aioredis.Redis, redis_namespace: str
) -> None:
    server = StrictTokenBucket(rate_per_s=2.0, capacity=2.0, tokens=2.0, updated_s=time.monotonic())
    async with ServedApp(server.app()) as served:
        job = {
            "mode": "soak",
            "bucket": {"api": "naver:products", "rate_per_s": 2.0},
            "redis_url": redis_url,
            "namespace": redis_namespace,
            "url": f"{served.base_url}/v2/products",
            "callers": 2,
            "calls_per_caller": 3,
        }
        results = await run_children([job, job, job])

    statuses = [status for result in results for status in result["statuses"]]
    slots = [slot for result in results for slot in result["slots"]]
    assert server.refused == 0
    assert statuses == [200] * 18
    assert server.ok == 18
    assert min(gaps_us(slots)) >= US / 1.9
