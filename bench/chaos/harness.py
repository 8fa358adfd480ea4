"""The service under test: sandbox, ``storebridge daemon`` and ``storebridge worker`` on a ``ChaosStack``.

The children are the real commands (``bench``'s and the demo's ``Child``). A child that exits is
started again after ``RESTART_PAUSE_S``, as a pod's restart policy would, and counted: a
restart is not a failure of the run, but the table shows it (a supervisor that keeps its groups up
needs none). Each restart gets a log file of its own (``worker-2.log`` …) so nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path

import aiohttp
import redis.asyncio as aioredis

from bench import procstats
from bench.chaos.settings import (
    DOMEGGOOK_SANDBOX_PER_DAY,
    DOMEGGOOK_SANDBOX_PER_MINUTE,
    HANDOFF_TIMEOUT_S,
    MAX_RESTARTS,
    NAVER_BURST_MULTIPLIER,
    NAVER_TIMEOUT_HOLD_S,
    POLL_S,
    RESTART_PAUSE_S,
    WORKERS_READY_TIMEOUT_S,
    ChaosConfig,
)
from bench.chaos.stack import ChaosStack
from bench.infra import Isolation, child_env, isolated
from bench.scenario import enqueue, healthy_items
from bench.waits import WORKER_READY_EVENT, group_backlog
from storebridge.devstack import Child, free_port, wait_healthy
from storebridge.keys import Keys
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from storebridge.sandbox.naver.app import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions

#: Dramatiq groups ``storebridge worker`` starts (normal, batch), each with WORKER_PROCESSES = 1.
WORKER_GROUPS = 2


def sandbox_options(cfg: ChaosConfig, items: int) -> SandboxOptions:
    """A fault-free sandbox at the scaled rates; faults are switched on through its control endpoints."""
    return SandboxOptions(
        items=items,
        seed=cfg.seed,
        naver=NaverSimConfig(
            rate_per_s=cfg.naver_rate_per_s,
            burst_multiplier=NAVER_BURST_MULTIPLIER,
            timeout_hold_s=NAVER_TIMEOUT_HOLD_S,
        ),
        domeggook=DomeggookSimConfig(
            per_minute_limit=DOMEGGOOK_SANDBOX_PER_MINUTE, per_day_limit=DOMEGGOOK_SANDBOX_PER_DAY
        ),
    )


class Supervised:
    """One command kept running: started again after it exits (bounded), each run in its own log."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], work: Path) -> None:
        self.name, self.args, self.env, self.work = name, args, env, work
        self.child: Child | None = None
        self.restarts = 0
        self.runs = 0
        self.seen: list[procstats.ProcSample] = []

    async def start(self) -> Child:
        """Start a new run of the command."""
        self.runs += 1
        label = self.name if self.runs == 1 else f"{self.name}-{self.runs}"
        self.child = await Child(label, self.args, self.env, self.work).start()
        return self.child

    @property
    def running(self) -> bool:
        """True while the current run has not exited."""
        return self.child is not None and self.child.running

    @property
    def pid(self) -> int | None:
        """The current run's pid."""
        proc = self.child.proc if self.child else None
        return proc.pid if proc is not None and proc.returncode is None else None

    def tree(self) -> list[procstats.ProcSample]:
        """Every process under the current run (remembered, so that ``stop`` can kill leftovers)."""
        samples = procstats.tree(self.pid)
        self.seen += samples
        return samples

    async def keep_alive(self) -> bool:
        """Start the command again if it exited; False once the restart budget is spent."""
        if self.running or self.child is None:
            return True
        if self.restarts >= MAX_RESTARTS:
            return False
        self.tree()
        await asyncio.sleep(RESTART_PAUSE_S)
        self.restarts += 1
        await self.start()
        return True

    async def stop(self) -> None:
        """SIGTERM the current run (SIGKILL past the bound) and kill anything it left behind."""
        self.tree()
        if self.child is not None:
            await self.child.stop()
        procstats.kill_survivors(self.seen)

    def logs(self) -> list[Path]:
        """Every log file this command wrote."""
        return sorted(self.work.glob(f"{self.name}*.log"))


class ChaosService:
    """What a scenario drives: the stack, the sandbox, the supervised children, and Redis/HTTP clients."""

    def __init__(
        self, cfg: ChaosConfig, stack: ChaosStack, iso: Isolation, sandbox: Sandbox, work: Path
    ) -> None:
        self.cfg, self.stack, self.iso, self.sandbox, self.work = cfg, stack, iso, sandbox, work
        self.keys = Keys(iso.namespace)
        self.port = free_port()
        env = child_env(
            sandbox.environment(),
            stack.urls,
            cfg.service_env(),
            iso.env(),
            {"DAEMON_HOST": "127.0.0.1", "DAEMON_PORT": str(self.port)},
            work=work,
        )
        self.env = env
        self.daemon = Supervised("daemon", ["daemon"], env, work)
        self.worker = Supervised("worker", ["worker"], env, work)
        self.redis = aioredis.Redis.from_url(stack.urls["REDIS_URL"], socket_timeout=5)
        self.http = aiohttp.ClientSession()
        self._watch: asyncio.Task[None] | None = None

    # -- life cycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the daemon and the workers and wait until both are ready."""
        await self.daemon.start()
        await self.worker.start()
        assert self.daemon.child is not None
        await wait_healthy(self.port, self.daemon.child)
        await self.workers_ready()
        self._watch = asyncio.create_task(self._supervise())

    async def _supervise(self) -> None:
        while True:
            for supervised in (self.daemon, self.worker):
                await supervised.keep_alive()
            await asyncio.sleep(POLL_S)

    async def stop(self) -> None:
        """Stop the watch, the children and the clients."""
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await self.worker.stop()
        await self.daemon.stop()
        with contextlib.suppress(Exception):
            await self.redis.aclose()
        await self.http.close()

    @property
    def restarts(self) -> int:
        """Times the harness had to start a child again."""
        return self.daemon.restarts + self.worker.restarts

    async def workers_ready(self, timeout_s: float = WORKERS_READY_TIMEOUT_S) -> bool:
        """True once every Dramatiq process of the current worker run logged ``worker.ready``."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            child = self.worker.child
            if child is not None:
                with contextlib.suppress(OSError):
                    if child.log_path.read_text(errors="replace").count(WORKER_READY_EVENT) >= WORKER_GROUPS:
                        return True
            await asyncio.sleep(POLL_S)
        return False

    def ready_events(self) -> int:
        """``worker.ready`` lines over every log the worker command wrote (all its runs)."""
        total = 0
        for path in self.worker.logs():
            with contextlib.suppress(OSError):
                total += path.read_text(errors="replace").count(WORKER_READY_EVENT)
        return total

    def dramatiq_processes(self) -> list[procstats.ProcSample]:
        """The Dramatiq processes that run actors (the forked ones) under the current worker run."""
        return procstats.consuming_workers(self.worker.tree())

    # -- work ---------------------------------------------------------------------------------------
    def healthy_items(self, count: int) -> list[int]:
        """Up to ``count`` catalog items with no hostile scenario that are on sale."""
        return healthy_items(self.sandbox)[:count]

    async def make_listable(self, item_nos: Sequence[int]) -> None:
        """Minimum order 1 for each item (sandbox control), so more of them end on Naver, not in review."""
        for no in item_nos:
            await self.control(self.sandbox.domeggook_origin, f"items/{no}", {"moq": 1})

    async def enqueue(self, item_nos: Sequence[int], *, reason: str = "import") -> None:
        """XADD one ``batch``-queue intake entry per item, as ``storebridge enqueue --queue batch`` does."""
        await enqueue(self.redis, self.keys, item_nos, reason)

    async def xadd_raw(self, fields: dict[str, str]) -> None:
        """XADD an entry as a careless producer would (no validation): the poison door."""
        await self.redis.xadd(self.keys.intake_stream, fields)  # type: ignore[arg-type]

    async def handed_off(self, timeout_s: float = HANDOFF_TIMEOUT_S) -> bool:
        """Wait until the daemon has read and acknowledged every intake entry (lag 0, pending 0)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                lag, pending = await group_backlog(self.redis, self.keys)
                if lag == 0 and pending == 0:
                    return True
            await asyncio.sleep(0.1)
        return False

    async def control(self, origin: str, path: str, body: Mapping[str, object]) -> None:
        """POST to a simulator's ``/_sandbox/...`` endpoint; raises on a refusal."""
        async with self.http.post(f"{origin}/_sandbox/{path}", json=body) as resp:
            if resp.status != 200:
                raise RuntimeError(f"sandbox refused {path}: {resp.status} {await resp.text()}")


@contextlib.asynccontextmanager
async def running(
    cfg: ChaosConfig, stack: ChaosStack, work: Path, label: str, *, catalog_items: int | None = None
) -> AsyncIterator[ChaosService]:
    """A migrated database and namespace on ``stack``, the sandbox, the daemon and workers up."""
    async with (
        isolated(stack.urls, label) as iso,
        Sandbox(sandbox_options(cfg, catalog_items or cfg.catalog_items)) as sandbox,
    ):
        service = ChaosService(cfg, stack, iso, sandbox, work)
        try:
            await service.start()
            yield service
        finally:
            await service.stop()
