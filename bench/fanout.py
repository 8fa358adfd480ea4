"""Intake fan-out: how fast the daemon hands intake entries to Dramatiq, measured on its own.

In the sync scenarios the daemon is never the bottleneck (a few hundred entries, handed off in
well under a second, then minutes of rate-limited work), so its rate is measured separately: a
daemon with no workers, a fresh namespace and database, ``FANOUT_ENTRIES`` entries XADDed at
once, timed from the first XADD until the consumer group has no lag and nothing pending, i.e.
every entry was parsed, recorded as an intake job, marked in flight, sent to Dramatiq in batches
of ``INTAKE_BATCH_SIZE`` and acknowledged. With no workers nothing consumes the messages, so the
item numbers need not exist and no API is called; the daemon gets the machine to itself.
"""

from __future__ import annotations

import time

import redis.asyncio as aioredis

from bench import procstats
from bench.infra import child_env, isolated, work_dir
from bench.results import FanoutResult
from bench.scenario import enqueue
from bench.settings import FANOUT_TIMEOUT_S, BenchConfig
from bench.waits import wait_drained
from storebridge.devstack import Child, free_port, wait_healthy
from storebridge.keys import Keys

#: First item number of the burst (any positive numbers do: nothing syncs them).
FIRST_ITEM_NO = 1
#: Poll often: the whole burst takes seconds, and the poll's granularity is the measurement's error.
FANOUT_POLL_S = 0.02


async def run_fanout(cfg: BenchConfig, urls: dict[str, str]) -> FanoutResult:
    """Time one burst of ``cfg.fanout_entries`` entries through a daemon with no workers."""
    async with isolated(urls, "fanout") as iso:
        with work_dir(cfg.logs_dir, "fanout") as work:
            port = free_port()
            env = child_env(
                urls,
                cfg.service_env(),
                iso.env(),
                # No workers run and nothing reaches Naver; the kind keeps the daemon's start-up check
                # (a real NAVER_API_URL needs the operator's category map) out of a burst test.
                {"DAEMON_HOST": "127.0.0.1", "DAEMON_PORT": str(port), "NAVER_API_KIND": "sandbox"},
                work=work,
            )
            keys = Keys(iso.namespace)
            redis = aioredis.Redis.from_url(urls["REDIS_URL"])
            try:
                async with Child("daemon", ["daemon"], env, work) as daemon:
                    await wait_healthy(port, daemon)
                    item_nos = list(range(FIRST_ITEM_NO, FIRST_ITEM_NO + cfg.fanout_entries))
                    pid = daemon.proc.pid if daemon.proc else None
                    cpu0 = procstats.sample(pid) if pid else None
                    started = time.monotonic()
                    await enqueue(redis, keys, item_nos, "import")
                    drain = await wait_drained(
                        redis, keys, [], timeout_s=FANOUT_TIMEOUT_S, children=[daemon], poll_s=FANOUT_POLL_S
                    )
                    elapsed_s = time.monotonic() - started
                    cpu1 = procstats.sample(pid) if pid else None
            finally:
                await redis.aclose()
    batches = -(-cfg.fanout_entries // cfg.batch_size)
    return FanoutResult(
        entries=cfg.fanout_entries,
        elapsed_s=elapsed_s,
        batches=batches,
        reached=drain.reached,
        note="" if drain.reached else drain.describe(),
        daemon_cpu_s=(cpu1.cpu_s - cpu0.cpu_s) if cpu0 and cpu1 else None,
    )
