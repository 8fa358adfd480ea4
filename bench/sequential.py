"""The sequential baseline: one process, one coroutine, one item at a time.

What a plain loop would do: ``Resources(settings)`` once, then ``syncer.sync_items([no])`` for each
item in turn (so one Domeggook call per item, no batching), with the global limiter. It runs as a
child process (``python -m bench.sequential``), like the workers, so that it does not share its
event loop with the simulators living in the benchmark's process, and so that its CPU time and peak
RSS are its own. It stops after a time budget and reports the rate over the items it did; the
items come in catalog order, so the mix of accepted and rejected items is the same as elsewhere.

The child prints one JSON line on stdout: outcomes, seconds, CPU seconds, peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.infra import child_env, isolated, transition_times, work_dir
from bench.results import PassResult, ProcessUse, ScenarioResult
from bench.scenario import healthy_items, middle_rate, sandbox_options
from bench.settings import BenchConfig
from storebridge.sandbox.runner import Sandbox
from storebridge.sandbox.stats import snapshot
from storebridge.store import State
from storebridge.sync import Outcome

#: Seconds the parent waits beyond the budget (start-up, the item in progress, shutdown).
GRACE_S = 60.0


async def _sync_sequentially(item_nos: list[int], budget_s: float) -> dict[str, Any]:
    from storebridge.config import load_settings
    from storebridge.logs import configure_logging
    from storebridge.resources import Resources

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, secrets=settings.secret_values())
    outcomes: dict[str, int] = {}
    done = 0
    async with Resources(settings) as resources:
        usage0 = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        for no in item_nos:
            if time.monotonic() - started > budget_s:
                break
            for result in await resources.syncer.sync_items([no]):
                outcomes[result.outcome.value] = outcomes.get(result.outcome.value, 0) + 1
            done += 1
        elapsed_s = time.monotonic() - started
        usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = (usage.ru_utime - usage0.ru_utime) + (usage.ru_stime - usage0.ru_stime)
    return {
        "items": done,
        "elapsed_s": elapsed_s,
        "outcomes": outcomes,
        "cpu_s": cpu_s,
        "peak_rss_mib": usage.ru_maxrss / 1024,
    }


def main() -> int:
    """Child entry: ``python -m bench.sequential ITEMS_FILE BUDGET_S`` (settings from the environment)."""
    parser = argparse.ArgumentParser(prog="python -m bench.sequential")
    parser.add_argument("items_file", type=Path)
    parser.add_argument("budget_s", type=float)
    args = parser.parse_args()
    item_nos = [int(x) for x in args.items_file.read_text().split()]
    try:
        result = asyncio.run(_sync_sequentially(item_nos, args.budget_s))
    except KeyboardInterrupt:
        return 130
    print(json.dumps(result), flush=True)
    return 0


async def _run_child(env: dict[str, str], work: Path, item_nos: list[int], budget_s: float) -> dict[str, Any]:
    items_file = work / "items.txt"
    items_file.write_text("\n".join(str(no) for no in item_nos))
    log_path = work / "sequential.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.sequential", str(items_file), str(budget_s),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=log,
        )  # fmt: skip
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), budget_s + GRACE_S)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    lines = out.decode(errors="replace").strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"sequential baseline exited with {proc.returncode}:\n{tail}")
    return dict(json.loads(lines[-1]))


async def run_sequential(cfg: BenchConfig, urls: dict[str, str]) -> ScenarioResult:
    """The baseline on a fresh sandbox, database and namespace; rates as in the other scenarios."""
    async with (
        isolated(urls, "seq") as iso,
        Sandbox(sandbox_options(cfg)) as sandbox,
        aiohttp.ClientSession() as http,
    ):
        with work_dir(cfg.logs_dir, "sequential") as work:
            env = child_env(
                sandbox.environment(),
                urls,
                cfg.service_env(),
                iso.env(),
                {"RATE_LIMIT_MODE": "global"},
                work=work,
            )
            items = healthy_items(sandbox)
            print(
                f"  {len(items)} healthy items, one at a time (budget {cfg.sequential_budget_s:.0f} s)...",
                flush=True,
            )
            before = await snapshot(http, sandbox)
            result = await _run_child(env, work, items, cfg.sequential_budget_s)
            api = await snapshot(http, sandbox) - before
            creates = await transition_times(iso.database_url, State.REGISTERING.value)
    outcomes: dict[str, int] = result["outcomes"]
    done = int(result["items"])
    registered = outcomes.get(Outcome.CREATED.value, 0)
    remark = (
        ""
        if done == len(items)
        else f"stopped after its {cfg.sequential_budget_s:.0f} s budget: {done} of {len(items)} items"
    )
    return ScenarioResult(
        name="sequential",
        first=PassResult(done, float(result["elapsed_s"]), api),
        registered=registered,
        states=outcomes,
        procs=ProcessUse(
            cpu_s=float(result["cpu_s"]),
            items_synced=done,
            first_pass_cpu_s=float(result["cpu_s"]),
            first_pass_items=done,
            worker_peak_rss_mib=[float(result["peak_rss_mib"])],
        ),
        mid_create_rate_per_s=middle_rate(creates),
        remark=remark,
    )


if __name__ == "__main__":
    sys.exit(main())
