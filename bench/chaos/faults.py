"""The faults themselves: each acts on real processes or on the simulators' control endpoints.

Every function returns when the fault is over (the service is back, the simulators are clean
again), so the caller measures recovery from that moment. Moments and mixes come from the
caller's seeded ``random.Random``: the same seed replays the same schedule.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import time

from bench.chaos.harness import ChaosService
from bench.chaos.settings import (
    KILL_SPACING_S,
    STORM_BURST_S,
    STORM_BURSTS,
    STORM_GAP_S,
    STORM_TOKEN_EXPIRIES,
    WORKERS_READY_TIMEOUT_S,
)

#: Fault settings that switch every injected fault off again.
NO_FAULTS: dict[str, object] = {
    "error_rate": 0.0,
    "timeout_rate": 0.0,
    "rate_limit_rate": 0.0,
    "lost_answer_rate": 0.0,
    "latency_ms": 0,
}


def pause(rng: random.Random, window: tuple[float, float]) -> float:
    """A random duration within ``window`` (s)."""
    return rng.uniform(*window)


async def kill_workers(svc: ChaosService) -> list[int]:
    """SIGKILL every Dramatiq process that runs actors; returns their pids."""
    pids = [p.pid for p in svc.dramatiq_processes()]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return pids


async def workers_back(
    svc: ChaosService, killed: list[int], ready_before: int, timeout_s: float = WORKERS_READY_TIMEOUT_S
) -> bool:
    """Wait until as many new forked Dramatiq processes run as were killed, and each logged ready.

    "Ready" lines are counted over every log of the worker command, so a supervisor that restarts
    its groups in place and a harness restart of the whole command are recognised alike.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        tree = svc.worker.tree()
        dramatiq = {p.pid for p in tree if p.is_dramatiq}
        fresh = [p for p in tree if p.pid in dramatiq and p.ppid in dramatiq and p.pid not in killed]
        if len(fresh) >= len(killed) and svc.ready_events() >= ready_before + len(killed):
            return True
        await asyncio.sleep(0.25)
    return False


async def repeated_kills(svc: ChaosService, rng: random.Random, kills: int, notes: list[str]) -> None:
    """``kills`` rounds of: wait a random moment, kill every worker process, wait for them to be back."""
    for round_no in range(1, kills + 1):
        await asyncio.sleep(pause(rng, KILL_SPACING_S))
        ready_before, runs_before = svc.ready_events(), svc.worker.runs
        killed = await kill_workers(svc)
        back = await workers_back(svc, killed, ready_before)
        how = "storebridge worker restarted by the harness" if svc.worker.runs > runs_before else "in place"
        notes.append(
            f"kill {round_no}: {len(killed)} processes; back {'' if back else 'NOT '}within "
            f"{WORKERS_READY_TIMEOUT_S:.0f} s ({how})"
        )


async def valkey_outage(svc: ChaosService, down_s: float) -> None:
    """Valkey down for ``down_s``: crashed (no persistence) or shut down (AOF), then started again."""
    valkey = svc.stack.valkey
    await asyncio.to_thread(valkey.stop if valkey.aof else valkey.crash)
    await asyncio.sleep(down_s)
    await asyncio.to_thread(valkey.start)


async def postgres_outage(svc: ChaosService, down_s: float) -> None:
    """``pg_ctl stop -m fast``, ``down_s`` seconds, ``pg_ctl start`` on the same port."""
    await asyncio.to_thread(svc.stack.postgres.stop)
    await asyncio.sleep(down_s)
    await asyncio.to_thread(svc.stack.postgres.start)


async def s3_restart_empty(svc: ChaosService) -> None:
    """Stop moto and start it again on the same port: every bucket and object is gone."""
    await asyncio.to_thread(svc.stack.s3.stop)
    await asyncio.to_thread(svc.stack.s3.start)


async def naver_storm(svc: ChaosService, rng: random.Random, notes: list[str]) -> None:
    """Bursts of 5xx, timeouts, lost answers and 429s at Naver (and 5xx at Domeggook), tokens expiring."""
    naver, dome = svc.sandbox.naver_origin, svc.sandbox.domeggook_origin
    expiries = sorted(rng.sample(range(STORM_BURSTS * 2), k=min(STORM_TOKEN_EXPIRIES, STORM_BURSTS * 2)))
    step = 0
    for burst in range(STORM_BURSTS):
        mix = {
            "error_rate": round(rng.uniform(0.1, 0.4), 2),
            "timeout_rate": round(rng.uniform(0.0, 0.04), 3),
            "rate_limit_rate": round(rng.uniform(0.05, 0.25), 2),
            "lost_answer_rate": round(rng.uniform(0.05, 0.3), 2),
            "seed": rng.randrange(1 << 30),
        }
        dome_mix = {"error_rate": round(rng.uniform(0.0, 0.3), 2), "seed": rng.randrange(1 << 30)}
        for phase_s, body in ((pause(rng, STORM_GAP_S), None), (pause(rng, STORM_BURST_S), mix)):
            if body is not None:
                await svc.control(naver, "faults", body)
                await svc.control(dome, "faults", dome_mix)
            if step in expiries:
                await svc.control(naver, "tokens/expire", {})
            step += 1
            await asyncio.sleep(phase_s)
        await svc.control(naver, "faults", NO_FAULTS)
        await svc.control(dome, "faults", NO_FAULTS)
        notes.append(f"burst {burst + 1}: naver {mix}, domeggook {dome_mix}")
    notes.append(f"tokens expired {len(expiries)} times")


async def quota_runs_out(svc: ChaosService, out_s: float, limit: int) -> None:
    """Domeggook's daily quota is used up (every call 429s) for ``out_s``, then "midnight" restores it."""
    dome = svc.sandbox.domeggook_origin
    await svc.control(dome, "quota", {"daily_used": limit})
    await asyncio.sleep(out_s)
    await svc.control(dome, "quota", {"daily_used": 0})
