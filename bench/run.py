"""``make bench``: pipeline throughput against the rate-limit ceiling, beside two baselines.

One run starts the embedded services once (Redis, PostgreSQL, S3 unless ``REDIS_URL`` /
``DATABASE_URL`` / ``S3_ENDPOINT`` are set), then runs, each on a fresh sandbox (same seed, same
rates) with a fresh database and Redis namespace:

1. ``global`` — the product: ``storebridge daemon`` + ``storebridge worker`` (``WORKER_PROCESSES``
   per queue group) with the shared Redis limiter; all healthy catalog items, then the same items
   again (unchanged), then a price change on some registered items;
2. ``per-process`` — the same processes with ``RATE_LIMIT_MODE=local`` (aiolimiter per process);
3. ``sequential`` — one process, one coroutine, one item at a time;

and a daemon-only intake burst for the fan-out rate. Then it prints the figures and the ratios
(``bench.report``). Settings are in ``bench.settings``; ``--items`` changes the catalog size.
Exit status 0 when every scenario produced its figures, 1 when one could not run, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import time

from bench.fanout import run_fanout
from bench.report import ceiling, fanout_line, ratios, summary_table
from bench.report_global import global_details
from bench.results import FanoutResult, ScenarioResult
from bench.scenario import run_service_scenario
from bench.sequential import run_sequential
from bench.settings import NAVER_BURST_MULTIPLIER, BenchConfig
from storebridge.config import explicit_service_urls
from storebridge.devstack import DevStack, ServiceUnavailable
from storebridge.logs import configure_logging


async def _bench(cfg: BenchConfig, urls: dict[str, str]) -> int:
    started = time.monotonic()
    print(
        f"StoreBridge benchmark: {cfg.items}-item sandbox catalog (seed {cfg.seed}); Naver "
        f"{cfg.naver_rate_per_s:g} requests/s per API (burst ×{NAVER_BURST_MULTIPLIER:g}), Domeggook "
        f"{cfg.domeggook_rate_per_s:g}/s; {cfg.worker_processes} worker processes per queue group, "
        f"{cfg.batch_size} items per message; {os.cpu_count()} CPUs",
        flush=True,
    )
    scenarios: list[ScenarioResult] = []
    print("\n[1/4] global limiter (the product)", flush=True)
    scenarios.append(await run_service_scenario(cfg, urls, "global", full=True))
    print("\n[2/4] per-process limiter baseline (RATE_LIMIT_MODE=local)", flush=True)
    local = await run_service_scenario(cfg, urls, "local", full=False)
    scenarios.append(dataclasses.replace(local, name="per-process"))
    print("\n[3/4] sequential baseline", flush=True)
    scenarios.append(await run_sequential(cfg, urls))
    print("\n[4/4] intake fan-out burst", flush=True)
    fanout: FanoutResult | None = await run_fanout(cfg, urls)

    glob = scenarios[0]
    cap = ceiling(cfg, glob.first.api, glob.registered)
    print(f"\n=== Results ({time.monotonic() - started:.0f} s) ===")
    summary_table(scenarios, cap)
    ratios(scenarios)
    global_details(cfg, glob, cap)
    fanout_line(fanout)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse options, start the services, run the benchmark, stop everything (also on Ctrl-C)."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=BenchConfig.items, help="sandbox catalog size")
    parser.add_argument(
        "--keep-logs", metavar="DIR", default="", help="keep the child processes' logs in DIR"
    )
    args = parser.parse_args(argv)
    if args.items < 1:
        parser.error("--items must be at least 1")
    cfg = BenchConfig(items=args.items, logs_dir=args.keep_logs)
    configure_logging("ERROR", "text")
    try:
        with DevStack(explicit_service_urls()) as stack:
            return asyncio.run(_bench(cfg, stack.urls))
    except ServiceUnavailable as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except RuntimeError as exc:  # a child died or never became healthy: its output is in the message
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench: interrupted; every child process was stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
