"""The service scenarios: the real ``storebridge daemon`` and ``storebridge worker`` on a fresh sandbox.

``global`` is the product (one Redis-held budget per API shared by every process); ``local`` is
the per-process baseline (``RATE_LIMIT_MODE=local``: each process paces itself at the full rate
with aiolimiter, what Dramatiq's or aiolimiter's own limiting gives with N processes). Both run
the same processes on the same catalog; only the limiter differs.

A pass = XADD intake entries (as ``storebridge enqueue`` does), then wait until drained
(``bench.waits``). The global scenario runs three: every healthy item (new products), every
healthy item again (nothing changed: no Naver call expected), then a price change on
``CHANGED_ITEMS`` registered items (one Naver call each expected).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import aiohttp
import redis.asyncio as aioredis

from bench import procstats
from bench.infra import (
    Isolation,
    child_env,
    isolated,
    last_event_time,
    settled_count,
    transition_times,
    work_dir,
)
from bench.results import PassResult, ProcessUse, ScenarioResult
from bench.settings import (
    CHANGED_ITEMS,
    CHANGED_PRICE,
    DOMEGGOOK_SANDBOX_PER_DAY,
    DOMEGGOOK_SANDBOX_PER_MINUTE,
    FIRST_PASS_TIMEOUT_S,
    NAVER_BURST_MULTIPLIER,
    RESYNC_TIMEOUT_S,
    WORKERS_READY_TIMEOUT_S,
    BenchConfig,
)
from bench.waits import wait_drained, wait_workers_ready
from bench.worklog import read_worklog
from schemas.messages import IntakeEntry
from storebridge.devstack import Child, free_port, wait_healthy
from storebridge.intake import enqueue_entries, redis_time_ms
from storebridge.keys import Keys
from storebridge.sandbox.catalog.model import ItemStatus
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from storebridge.sandbox.naver.app import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from storebridge.sandbox.stats import change_item, snapshot
from storebridge.store import State, StateStore

#: Share of the create calls, around the middle, over which the steady-state rate is taken.
MIDDLE_SHARE = 0.8


def sandbox_options(cfg: BenchConfig) -> SandboxOptions:
    """The same sandbox for every scenario: same seed, same rates, no injected faults."""
    return SandboxOptions(
        items=cfg.items,
        seed=cfg.seed,
        naver=NaverSimConfig(rate_per_s=cfg.naver_rate_per_s, burst_multiplier=NAVER_BURST_MULTIPLIER),
        domeggook=DomeggookSimConfig(
            per_minute_limit=DOMEGGOOK_SANDBOX_PER_MINUTE, per_day_limit=DOMEGGOOK_SANDBOX_PER_DAY
        ),
    )


def healthy_items(sandbox: Sandbox) -> list[int]:
    """Items with no hostile scenario that are on sale: what an import would enqueue."""
    return [i.no for i in sandbox.catalog if not i.scenarios and i.status is ItemStatus.ON_SALE]


async def enqueue(redis: aioredis.Redis, keys: Keys, item_nos: Sequence[int], reason: str) -> None:
    """XADD one ``batch``-queue entry per item (what ``storebridge enqueue --queue batch`` does)."""
    now_ms = await redis_time_ms(redis)
    entries = [
        IntakeEntry(item_no=no, queue="batch", reason=reason, enqueued_at_ms=now_ms) for no in item_nos
    ]
    await enqueue_entries(redis, keys, entries)


def middle_rate(times: Sequence[float], share: float = MIDDLE_SHARE) -> float | None:
    """Events per second between the first and last of the middle ``share`` of ``times`` (sorted)."""
    n = len(times)
    cut = int(n * (1 - share) / 2)
    lo, hi = cut, n - 1 - cut
    if hi - lo < 2 or times[hi] <= times[lo]:
        return None
    return (hi - lo) / (times[hi] - times[lo])


def _cpu(samples: list[procstats.ProcSample]) -> float:
    return procstats.cpu_s(samples)


class Service:
    """Daemon + workers of one scenario, with the handles a pass needs."""

    def __init__(
        self, cfg: BenchConfig, iso: Isolation, sandbox: Sandbox, http: aiohttp.ClientSession
    ) -> None:
        self.cfg, self.iso, self.sandbox, self.http = cfg, iso, sandbox, http
        self.keys = Keys(iso.namespace)
        self.daemon: Child | None = None
        self.worker: Child | None = None
        self.redis: aioredis.Redis | None = None
        self.store: StateStore | None = None

    @property
    def children(self) -> list[Child]:
        """The running children (for liveness checks)."""
        return [c for c in (self.daemon, self.worker) if c is not None]

    def worker_tree(self) -> list[procstats.ProcSample]:
        """Every process under ``storebridge worker`` now."""
        proc = self.worker.proc if self.worker else None
        return procstats.tree(proc.pid if proc else None)

    def daemon_sample(self) -> procstats.ProcSample | None:
        """The daemon process now."""
        proc = self.daemon.proc if self.daemon else None
        return procstats.sample(proc.pid) if proc else None

    async def run_pass(self, item_nos: Sequence[int], reason: str, timeout_s: float) -> PassResult:
        """Enqueue ``item_nos``, wait until drained; elapsed = first enqueue → last event written."""
        assert self.redis is not None
        assert self.store is not None
        before = await snapshot(self.http, self.sandbox)
        started = time.time()
        await enqueue(self.redis, self.keys, item_nos, reason)
        drain = await wait_drained(
            self.redis, self.keys, item_nos, timeout_s=timeout_s, children=self.children, store=self.store
        )
        last = await last_event_time(self.iso.database_url)
        ended = last.timestamp() if last is not None and last.timestamp() > started else time.time()
        api = await snapshot(self.http, self.sandbox) - before
        return PassResult(
            len(item_nos), ended - started, api, drain.reached, "" if drain.reached else drain.describe()
        )


@contextlib.asynccontextmanager
async def running_service(
    cfg: BenchConfig, urls: dict[str, str], mode: str, label: str
) -> AsyncIterator[Service]:
    """A fresh sandbox, database and namespace with the daemon and workers up and ready."""
    async with (
        isolated(urls, label) as iso,
        Sandbox(sandbox_options(cfg)) as sandbox,
        aiohttp.ClientSession() as http,
    ):
        with work_dir(cfg.logs_dir, label) as work:
            port = free_port()
            env = child_env(
                sandbox.environment(),
                urls,
                cfg.service_env(),
                iso.env(),
                {"RATE_LIMIT_MODE": mode, "DAEMON_HOST": "127.0.0.1", "DAEMON_PORT": str(port)},
                work=work,
            )
            service = Service(cfg, iso, sandbox, http)
            service.redis = aioredis.Redis.from_url(urls["REDIS_URL"])
            seen: list[procstats.ProcSample] = []
            try:
                async with (
                    StateStore(iso.database_url) as store,
                    Child("daemon", ["daemon"], env, work) as daemon,
                    Child("worker", ["worker"], env, work) as worker,
                ):
                    service.store, service.daemon, service.worker = store, daemon, worker
                    try:
                        await _until_ready(cfg, port, daemon, worker)
                        seen += service.worker_tree()
                        yield service
                        seen += service.worker_tree()
                    except BaseException:
                        # Interrupted or failed: nothing in flight is worth finishing; stop at once.
                        seen += service.worker_tree()
                        procstats.kill_survivors(seen)
                        raise
            finally:
                procstats.kill_survivors(seen)  # dramatiq groups have sessions of their own
                await service.redis.aclose()


async def _until_ready(cfg: BenchConfig, port: int, daemon: Child, worker: Child) -> None:
    """The daemon answers ``/health`` and every Dramatiq process has opened its resources."""
    await wait_healthy(port, daemon)
    groups = 2  # storebridge worker: one dramatiq group per queue (normal, batch)
    expected = groups * cfg.worker_processes
    if not await wait_workers_ready(worker, expected, timeout_s=WORKERS_READY_TIMEOUT_S):
        print(
            f"    not all {expected} worker processes ready after {WORKERS_READY_TIMEOUT_S:.0f} s; going on"
        )


async def _registered_plain(store: StateStore, sandbox: Sandbox, item_nos: Sequence[int]) -> list[int]:
    """Registered items without options (a price change there is a price/stock-only change)."""
    chosen: list[int] = []
    for no in item_nos:
        item = sandbox.catalog.get(no)
        row = await store.get("dome", no)
        if item is not None and item.options is None and row is not None and row.state == State.COMPLETED:
            chosen.append(no)
    return chosen


async def run_service_scenario(
    cfg: BenchConfig, urls: dict[str, str], mode: str, *, full: bool
) -> ScenarioResult:
    """One scenario: first pass; with ``full`` also the unchanged and price-change passes."""
    label = "global" if mode == "global" else "perproc"
    async with running_service(cfg, urls, mode, label) as svc:
        assert svc.store is not None
        items = healthy_items(svc.sandbox)
        print(f"  {len(items)} healthy items enqueued on the batch queue...", flush=True)
        cpu_ready = _cpu(svc.worker_tree())
        first = await svc.run_pass(items, "import", FIRST_PASS_TIMEOUT_S)
        cpu_first = _cpu(svc.worker_tree())
        states = {s.value: n for s, n in (await svc.store.counts_by_state()).items() if n}
        creates = await transition_times(svc.iso.database_url, State.REGISTERING.value)
        first_log = read_worklog(svc.worker.log_path) if svc.worker else None
        unchanged = changed = None
        unchanged_events = changed_settled = 0
        synced = len(items)
        if full:
            print("  the same items again (nothing changed at Domeggook)...", flush=True)
            since = datetime.now(UTC)
            unchanged = await svc.run_pass(items, "resync", RESYNC_TIMEOUT_S)
            unchanged_events = (await svc.store.event_counts(since=since)).get("UNCHANGED", 0)
            plain = (await _registered_plain(svc.store, svc.sandbox, items))[:CHANGED_ITEMS]
            print(
                f"  price changed at Domeggook for {len(plain)} registered items, enqueued again...",
                flush=True,
            )
            for no in plain:
                await change_item(svc.http, svc.sandbox, no, {"price": CHANGED_PRICE})
            since = datetime.now(UTC)
            changed = await svc.run_pass(plain, "resync", RESYNC_TIMEOUT_S)
            changed_settled = await settled_count(
                svc.iso.database_url, "PRICE_STOCK", State.COMPLETED.value, since
            )
            synced += len(items) + len(plain)
        tree = svc.worker_tree()
        workers = procstats.consuming_workers(tree)
        daemon = svc.daemon_sample()
        procs = ProcessUse(
            cpu_s=_cpu(tree) - cpu_ready,
            items_synced=synced,
            first_pass_cpu_s=cpu_first - cpu_ready,
            first_pass_items=len(items),
            worker_peak_rss_mib=sorted((w.peak_rss_mib for w in workers), reverse=True),
            daemon_cpu_s=daemon.cpu_s if daemon else None,
            daemon_peak_rss_mib=daemon.peak_rss_mib if daemon else None,
            overhead_cpu_s=_cpu([s for s in tree if s not in workers]),
        )
        registered = states.get(State.COMPLETED.value, 0)
        print("  stopping daemon and workers...", flush=True)
    return ScenarioResult(
        name=mode,
        first=first,
        registered=registered,
        states=states,
        mid_create_rate_per_s=middle_rate(creates),
        first_log=first_log,
        unchanged=unchanged,
        unchanged_events=unchanged_events,
        changed=changed,
        changed_settled=changed_settled,
        procs=procs,
    )
