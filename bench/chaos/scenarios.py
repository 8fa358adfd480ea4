"""The scenarios of issue 9's fault table, and the one driver every scenario goes through.

Each scenario runs on a stack of its own (fresh Valkey, PostgreSQL, S3, sandbox, database), so no
fault leaks into the next one. The driver: enqueue healthy items, wait until the daemon has handed
every entry to Dramatiq (so each item *was handed to a worker*), wait a random moment, inject the
fault, then measure how long until every item is terminal, bounded. ``baseline`` injects nothing
and proves the harness itself loses nothing.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.chaos import faults
from bench.chaos.harness import ChaosService, running
from bench.chaos.outcomes import (
    ItemRow,
    ScenarioRow,
    count_terminal,
    parked_history,
    read_rows,
)
from bench.chaos.settings import FAULT_WINDOW_S, POLL_S, QUOTA_OUT_S, ChaosConfig
from bench.chaos.stack import ChaosStack
from storebridge.keys import reply_text
from storebridge.sandbox.stats import snapshot

#: The poison intake entry of the issue: a number no bigint column can hold.
POISON_ITEM_NO = "99999999999999999999999"
#: Progress lines while waiting, every this many seconds.
PROGRESS_EVERY_S = 10.0
#: How long a CLI command the harness runs (enqueue, retry) may take (s).
COMMAND_TIMEOUT_S = 60.0
#: Times Domeggook's quota runs out in the quota scenario, and the gap between two (s).
QUOTA_RUNS = 2
QUOTA_GAP_S = (5.0, 15.0)


@dataclass
class Context:
    """What a scenario's steps get: the service, the seeded RNG, the row to annotate, the items."""

    cfg: ChaosConfig
    svc: ChaosService
    rng: random.Random
    row: ScenarioRow
    items: list[int] = field(default_factory=list)

    async def rows(self) -> dict[int, ItemRow] | None:
        """The items' rows now (None while PostgreSQL does not answer)."""
        return await read_rows(self.svc.iso.database_url, self.items)


Step = Callable[[Context], Awaitable[None]]


async def _nothing(ctx: Context) -> None:
    return None


async def _enqueue(ctx: Context) -> None:
    await ctx.svc.enqueue(ctx.items)


@dataclass(frozen=True)
class Scenario:
    """One row of the table: the fault, how items are enqueued, and what is checked afterwards."""

    name: str
    fault: str
    inject: Step
    aof: bool = False
    enqueue: Step = _enqueue
    #: Runs after the automatic phase (an operator's command); its outcome is in the notes.
    operator: Step = _nothing
    check: Step = _nothing
    long_bound: bool = False


async def run_command(svc: ChaosService, *args: str) -> tuple[int, str]:
    """``storebridge <args>`` with the service's environment: exit status and combined output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "storebridge.cli", *args, env=svc.env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), COMMAND_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return -1, f"timed out after {COMMAND_TIMEOUT_S:.0f} s"
    return int(proc.returncode or 0), out.decode(errors="replace")


async def wait_terminal(ctx: Context, bound_s: float, label: str = "") -> float | None:
    """Seconds until every item is terminal (polled from PostgreSQL), or None past ``bound_s``."""
    started = time.monotonic()
    next_line = started + PROGRESS_EVERY_S
    while True:
        now = time.monotonic()
        rows = await ctx.rows()
        if rows is not None and count_terminal(rows, ctx.items) == len(ctx.items):
            return now - started
        if now - started > bound_s:
            return None
        if now >= next_line and rows is not None:
            next_line = now + PROGRESS_EVERY_S
            done = count_terminal(rows, ctx.items)
            print(f"    {label}{now - started:4.0f} s: {done}/{len(ctx.items)} terminal", flush=True)
        await asyncio.sleep(POLL_S)


# -- the faults ------------------------------------------------------------------------------------
async def _kills(ctx: Context) -> None:
    await faults.repeated_kills(ctx.svc, ctx.rng, ctx.cfg.kills, ctx.row.notes)


async def _valkey(ctx: Context) -> None:
    await faults.valkey_outage(ctx.svc, ctx.cfg.outage_s)


async def _postgres(ctx: Context) -> None:
    await faults.postgres_outage(ctx.svc, ctx.cfg.outage_s)


async def _s3(ctx: Context) -> None:
    await faults.s3_restart_empty(ctx.svc)


async def _storm(ctx: Context) -> None:
    await faults.naver_storm(ctx.svc, ctx.rng, ctx.row.notes)


async def _quota(ctx: Context) -> None:
    limit = ctx.svc.sandbox.options.domeggook.per_day_limit
    for run in range(QUOTA_RUNS):
        if run:
            await asyncio.sleep(faults.pause(ctx.rng, QUOTA_GAP_S))
        await faults.quota_runs_out(ctx.svc, QUOTA_OUT_S, limit)
    ctx.row.notes.append(f"quota used up {QUOTA_RUNS} times for {QUOTA_OUT_S:.0f} s each")


async def _review_redrive(ctx: Context) -> None:
    """The issue's operator step: ``storebridge retry --review``, then everything must finish again."""
    rows = await ctx.rows() or {}
    parked = [no for no in ctx.items if no in rows and rows[no].state == "MANUAL_REVIEW"]
    if not parked:
        ctx.row.notes.append("retry --review: nothing in MANUAL_REVIEW to re-drive")
        return
    status, output = await run_command(ctx.svc, "retry", "--review")
    tail = " / ".join(output.strip().splitlines()[-2:])[-200:]
    ctx.row.notes.append(f"retry --review over {len(parked)} items in review: exit {status}: {tail}")
    took = await wait_terminal(ctx, ctx.cfg.recovery_bound_s, "after retry --review: ")
    if took is None:
        ctx.row.failed_checks.append("re-driven items did not finish (in-flight markers?)")
    else:
        ctx.row.notes.append(f"re-driven items terminal after {took:.0f} s")


async def _enqueue_with_poison(ctx: Context) -> None:
    """The poison at both doors: the CLI (must refuse it) and the stream (a careless producer)."""
    status, output = await run_command(ctx.svc, "enqueue", POISON_ITEM_NO)
    if status == 0:
        ctx.row.failed_checks.append("`storebridge enqueue` accepted the poison number")
    ctx.row.notes.append(f"enqueue {POISON_ITEM_NO}: exit {status}: {output.strip()[-160:]}")
    half = len(ctx.items) // 2
    await ctx.svc.enqueue(ctx.items[:half])
    await ctx.svc.xadd_raw(
        {"item_no": POISON_ITEM_NO, "market": "dome", "queue": "batch", "reason": "import",
         "enqueued_at_ms": str(int(time.time() * 1000))}
    )  # fmt: skip
    await ctx.svc.enqueue(ctx.items[half:])


async def _poison_dead_lettered(ctx: Context) -> None:
    dead = await ctx.svc.redis.xrange(ctx.svc.keys.intake_dead_letter) or []
    found = any(POISON_ITEM_NO in reply_text(v) for _, entry in dead for v in (entry or {}).values())
    ctx.row.notes.append(f"dead letters: {len(dead)}")
    if not found:
        ctx.row.failed_checks.append("poison entry not in the dead-letter stream")


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("baseline", "no fault (the harness's own control)", _nothing),
        Scenario("worker-kill", "kill -9 of every Dramatiq worker process, repeatedly", _kills),
        Scenario("valkey-down", "Valkey crashed for the outage, no persistence", _valkey),
        Scenario("valkey-aof", "Valkey down with AOF, then retry --review", _valkey, aof=True,
                 operator=_review_redrive),
        Scenario("postgres-stop", "pg_ctl stop -m fast for the outage", _postgres),
        Scenario("s3-empty", "S3 restarted empty (bucket gone)", _s3),
        Scenario("poison", f"intake entry {POISON_ITEM_NO} among valid ones", _nothing,
                 enqueue=_enqueue_with_poison, check=_poison_dead_lettered),
        Scenario("naver-storm", "Naver 5xx/timeouts/lost answers/429s/token expiry bursts", _storm),
        Scenario("domeggook-quota", "Domeggook daily quota used up, then back", _quota, long_bound=True),
    )
}  # fmt: skip


async def run_scenario(cfg: ChaosConfig, scenario: Scenario, work: Path) -> ScenarioRow:
    """One scenario on a fresh stack; never raises (an error is recorded on the row)."""
    bound = cfg.quota_recovery_bound_s if scenario.long_bound else cfg.recovery_bound_s
    row = ScenarioRow(scenario.name, bound_s=bound)
    rng = random.Random(f"{cfg.seed}:{scenario.name}")
    try:
        await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
        stack = await asyncio.to_thread(ChaosStack(work, aof=scenario.aof).start)
        try:
            async with running(cfg, stack, work, scenario.name) as svc:
                ctx = Context(cfg, svc, rng, row, svc.healthy_items(cfg.items))
                await svc.make_listable(ctx.items)
                before = await snapshot(svc.http, svc.sandbox)
                await scenario.enqueue(ctx)
                if not await svc.handed_off():
                    row.notes.append("the daemon had not handed every entry off before the fault")
                await asyncio.sleep(faults.pause(rng, FAULT_WINDOW_S))
                print(f"    fault: {scenario.fault}", flush=True)
                await scenario.inject(ctx)
                row.recover_s = await wait_terminal(ctx, bound)
                await scenario.operator(ctx)
                await scenario.check(ctx)
                rows = await ctx.rows() or {}
                row.settle(rows, ctx.items, await parked_history(svc.iso.database_url, ctx.items))
                diff = await snapshot(svc.http, svc.sandbox) - before
                row.duplicates, row.http_429 = diff.duplicates, diff.real_429
                row.injected_429 = diff.naver_429_injected
                row.restarts = svc.restarts
        finally:
            await asyncio.to_thread(stack.stop)
    except Exception as exc:  # a harness failure is a row that says so, never a crash of the run
        row.error = f"{type(exc).__name__}: {str(exc)[:300]}"
    return row
