"""Soak: the service at the scaled rate limits for ``--soak-s`` seconds; does anything grow?

The catalog is imported once, then every ``SOAK_ROUND_S`` some prices change at Domeggook and every
item is enqueued again (unchanged ones cost one batched Domeggook call, changed ones one Naver
call each), so the limiter, the clients, the pools and the queues are used the whole time. Every
``SOAK_SAMPLE_S`` each process is read from ``/proc``: private resident memory (``RssAnon``: what a
leak grows; ``VmRSS`` would also count shared pages, which PostgreSQL's backends touch more of as
they run), open file descriptors and established TCP connections. "Flat" compares the mean of the
first third of the samples with the mean of the last third (the first third includes the warm-up,
which is the point: growth after warm-up is a leak).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench import procstats
from bench.chaos.harness import ChaosService, running
from bench.chaos.outcomes import count_terminal, read_rows
from bench.chaos.settings import (
    POLL_S,
    SOAK_CHANGES,
    SOAK_CONN_GROWTH,
    SOAK_FD_GROWTH,
    SOAK_ROUND_S,
    SOAK_RSS_GROWTH_FRACTION,
    SOAK_RSS_GROWTH_MIB,
    SOAK_SAMPLE_S,
    ChaosConfig,
)
from bench.chaos.stack import ChaosStack
from storebridge.sandbox.stats import snapshot

PROC = Path("/proc")
#: ``/proc/net/tcp`` state of an established connection.
TCP_ESTABLISHED = "01"
#: PostgreSQL is sampled as its whole process tree (one backend per connection).
POSTGRES_ROLE = "postgresql (all backends)"
#: Bound on the initial import (s).
IMPORT_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Usage:
    """One process (or process tree) at one moment."""

    rss_mib: float
    fds: int
    conns: int


def _established_inodes() -> set[str]:
    inodes: set[str] = set()
    for name in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in (PROC / "net" / name).read_text().splitlines()[1:]:
                parts = line.split()
                if len(parts) > 9 and parts[3] == TCP_ESTABLISHED:
                    inodes.add(parts[9])
    return inodes


def usage(pid: int, established: set[str]) -> Usage | None:
    """RSS, open descriptors and established TCP connections of one process (None if gone)."""
    try:
        status = (PROC / str(pid) / "status").read_text()
        links = [str(p.readlink()) for p in (PROC / str(pid) / "fd").iterdir()]
    except OSError:
        return None
    rss_kib = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("RssAnon:")), 0)
    conns = sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in established)
    return Usage(rss_kib / 1024, len(links), conns)


def _roles(svc: ChaosService) -> dict[str, list[int]]:
    """Role → pids: each StoreBridge process on its own, PostgreSQL as its whole tree."""
    roles: dict[str, list[int]] = {}
    if svc.daemon.pid:
        roles["daemon"] = [svc.daemon.pid]
    tree = svc.worker.tree()
    dramatiq = {s.pid: s for s in tree if s.is_dramatiq}
    for s in tree:
        if s.pid == svc.worker.pid:
            roles["worker supervisor"] = [s.pid]
        elif s.pid in dramatiq:
            queue = "normal" if "--queues normal" in s.cmdline else "batch"
            kind = "worker" if s.ppid in dramatiq else "leader"
            roles.setdefault(f"dramatiq {queue} {kind}", []).append(s.pid)
    for name, pid in (("valkey", svc.stack.valkey.pid), ("moto s3", svc.stack.s3.pid)):
        if pid:
            roles[name] = [pid]
    if svc.stack.postgres.pid:
        roles[POSTGRES_ROLE] = procstats.descendants(svc.stack.postgres.pid)
    return roles


def sample(svc: ChaosService) -> dict[str, Usage]:
    """Every role's usage now (a tree's figures are summed)."""
    established = _established_inodes()
    out: dict[str, Usage] = {}
    for role, pids in _roles(svc).items():
        found = [u for u in (usage(pid, established) for pid in pids) if u is not None]
        if found:
            out[role] = Usage(
                sum(u.rss_mib for u in found), sum(u.fds for u in found), sum(u.conns for u in found)
            )
    return out


@dataclass(frozen=True)
class Trend:
    """First-third vs last-third means of one role's samples."""

    role: str
    rss_first: float
    rss_last: float
    fds_first: float
    fds_last: float
    conns_first: float
    conns_last: float

    @property
    def flat(self) -> bool:
        """No growth beyond the allowances (warm-up is in the first third)."""
        rss_allow = max(SOAK_RSS_GROWTH_MIB, self.rss_first * SOAK_RSS_GROWTH_FRACTION)
        # PostgreSQL keeps up to max_files_per_process relation files open per backend by design:
        # its descriptors grow with the tables touched, so only its memory and connections count.
        fds_flat = self.role == POSTGRES_ROLE or self.fds_last - self.fds_first <= SOAK_FD_GROWTH
        return (
            self.rss_last - self.rss_first <= rss_allow
            and fds_flat
            and self.conns_last - self.conns_first <= SOAK_CONN_GROWTH
        )


@dataclass
class SoakResult:
    """What the soak measured."""

    duration_s: float = 0.0
    rounds: int = 0
    samples: int = 0
    items: int = 0
    terminal: int = 0
    duplicates: int = 0
    http_429: int = 0
    restarts: int = 0
    trends: list[Trend] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        """Every role flat, nothing duplicated, every item terminal at the end, no restarts."""
        return (
            not self.error
            and all(t.flat for t in self.trends)
            and self.duplicates == 0
            and self.terminal == self.items
            and self.restarts == 0
        )


def trends(series: list[dict[str, Usage]]) -> list[Trend]:
    """One ``Trend`` per role seen in every third of the samples."""
    third = max(1, len(series) // 3)
    first, last = series[:third], series[-third:]
    roles = sorted({r for s in first for r in s} & {r for s in last for r in s})

    def mean(part: list[dict[str, Usage]], role: str, attr: str) -> float:
        return statistics.fmean(getattr(s[role], attr) for s in part if role in s)

    return [
        Trend(role, mean(first, role, "rss_mib"), mean(last, role, "rss_mib"), mean(first, role, "fds"),
              mean(last, role, "fds"), mean(first, role, "conns"), mean(last, role, "conns"))
        for role in roles
    ]  # fmt: skip


async def _wait_all(svc: ChaosService, items: list[int], timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    done = 0
    while time.monotonic() < deadline:
        rows = await read_rows(svc.iso.database_url, items)
        done = count_terminal(rows, items) if rows is not None else done
        if done == len(items):
            break
        await asyncio.sleep(POLL_S)
    return done


async def run_soak(cfg: ChaosConfig, work: Path) -> SoakResult:
    """Import, then ``cfg.soak_s`` seconds of rounds with sampling; never raises."""
    result = SoakResult()
    cfg = replace(cfg, naver_rate_per_s=cfg.soak_naver_rate_per_s)
    rng = random.Random(f"{cfg.seed}:soak")
    try:
        await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
        stack = await asyncio.to_thread(ChaosStack(work, aof=True).start)
        try:
            async with running(cfg, stack, work, "soak", catalog_items=cfg.soak_items) as svc:
                items = svc.healthy_items(cfg.soak_items)
                result.items = len(items)
                await svc.make_listable(items)
                before = await snapshot(svc.http, svc.sandbox)
                await svc.enqueue(items)
                print(f"    importing {len(items)} items...", flush=True)
                await _wait_all(svc, items, IMPORT_TIMEOUT_S)
                series: list[dict[str, Usage]] = []
                started = time.monotonic()
                next_round = next_sample = started
                print(f"    soaking for {cfg.soak_s:.0f} s...", flush=True)
                while time.monotonic() - started < cfg.soak_s:
                    now = time.monotonic()
                    if now >= next_round:
                        next_round = now + SOAK_ROUND_S
                        result.rounds += 1
                        for no in rng.sample(items, k=min(SOAK_CHANGES, len(items))):
                            price = {"price": rng.randrange(2000, 90000, 10)}
                            with contextlib.suppress(RuntimeError):
                                await svc.control(svc.sandbox.domeggook_origin, f"items/{no}", price)
                        await svc.enqueue(items, reason="resync")
                    if now >= next_sample:
                        next_sample = now + SOAK_SAMPLE_S
                        series.append(sample(svc))
                    await asyncio.sleep(0.5)
                result.duration_s = time.monotonic() - started
                result.samples = len(series)
                result.trends = trends(series)
                result.terminal = await _wait_all(svc, items, cfg.recovery_bound_s)
                diff = await snapshot(svc.http, svc.sandbox) - before
                result.duplicates, result.http_429 = diff.duplicates, diff.real_429
                result.restarts = svc.restarts
        finally:
            await asyncio.to_thread(stack.stop)
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {str(exc)[:300]}"
    return result


def soak_table(result: SoakResult) -> str:
    """Markdown table of the trends plus a summary line."""
    error = f", error: {result.error}" if result.error else ""
    lines = [
        f"soak: {result.duration_s:.0f} s, {result.rounds} rounds, {result.samples} samples, "
        f"{result.terminal}/{result.items} items terminal at the end, {result.duplicates} duplicates, "
        f"{result.http_429} 429s, {result.restarts} restarts{error}",
        "",
        "| process | private RSS MiB (first → last third) | open fds | TCP conns | flat |",
        "|---|---|---|---|---|",
    ]
    for t in result.trends:
        lines.append(
            f"| {t.role} | {t.rss_first:.1f} → {t.rss_last:.1f} | {t.fds_first:.0f} → {t.fds_last:.0f} | "
            f"{t.conns_first:.1f} → {t.conns_last:.1f} | {'yes' if t.flat else 'NO'} |"
        )
    return "\n".join(lines)
