"""``storebridge demo`` (what ``make run`` runs): the whole pipeline on embedded defaults.

Starts whatever is missing (Valkey, PostgreSQL, moto S3 unless ``REDIS_URL`` / ``DATABASE_URL`` /
``S3_ENDPOINT`` are set) and the API sandbox at its real rate limits, migrates, syncs a sample of
the sandbox catalog with live progress, syncs it again (unchanged items must cost no Naver call),
and ends with a summary: outcomes, reasons, API calls per product and 429s received.

Until the Dramatiq runtime lands, the items are synced in this process through the same
``Syncer`` the workers will call; the global rate limiter is the real one (Redis, shared).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import time
from typing import Any

import aiohttp

from storebridge.config import explicit_service_urls, load_settings
from storebridge.devstack import DevStack, ServiceUnavailable
from storebridge.logs import configure_logging
from storebridge.sync_result import Outcome, SyncResult

#: Items synced per batch (one Domeggook call each); progress is printed after every batch.
BATCH_SIZE = 10


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` subcommand."""
    parser = subparsers.add_parser("demo", help="run the whole pipeline against the sandbox (make run)")
    parser.add_argument("--items", type=int, default=40, help="catalog items to sync (default: 40)")
    parser.add_argument("--seed", type=int, default=1, help="sandbox catalog seed (default: 1)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Start the stack, run the demo, stop everything (also on Ctrl-C)."""
    if args.items < 1:
        print("storebridge demo: --items must be at least 1", file=sys.stderr)
        return 2
    configure_logging("WARNING", "text")
    try:
        with DevStack(explicit_service_urls()) as stack:
            print("Services:", ", ".join(f"{k}={_safe(v)}" for k, v in stack.urls.items()), flush=True)
            return asyncio.run(_demo(args, stack.urls))
    except ServiceUnavailable as exc:
        print(f"storebridge demo: {exc}", file=sys.stderr)
        return 1


def _safe(url: str) -> str:
    """A URL without its credentials, for printing."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else url


async def _demo(args: argparse.Namespace, urls: dict[str, str]) -> int:
    from storebridge.resources import Resources
    from storebridge.sandbox.runner import Sandbox, SandboxOptions
    from storebridge.store import migrate

    async with Sandbox(SandboxOptions(items=args.items, seed=args.seed)) as sandbox:
        print(f"Sandbox: Domeggook {sandbox.domeggook_api_url}  Naver {sandbox.naver_api_url}", flush=True)
        settings = load_settings(**sandbox.environment(), **urls, LOG_FORMAT="text")
        await migrate(settings.database_url.get_secret_value())
        numbers = [item.no for item in sandbox.catalog]
        async with Resources(settings) as resources, aiohttp.ClientSession() as http:
            print(
                f"Syncing {len(numbers)} items (Naver at {settings.naver_max_tps}/s per API)...", flush=True
            )
            started = time.monotonic()
            first = await _sync_with_progress(resources.syncer.sync_items, numbers)
            elapsed_s = time.monotonic() - started
            calls_after_first = await _calls(http, sandbox.naver_origin, sandbox.domeggook_origin)
            print("Syncing the same items again (nothing changed at Domeggook)...", flush=True)
            second = await _sync_with_progress(resources.syncer.sync_items, numbers)
            calls_after_second = await _calls(http, sandbox.naver_origin, sandbox.domeggook_origin)
        _summary(first, second, elapsed_s, calls_after_first, calls_after_second)
    return 0


async def _sync_with_progress(sync: Any, numbers: list[int]) -> list[SyncResult]:
    results: list[SyncResult] = []
    for start in range(0, len(numbers), BATCH_SIZE):
        results.extend(await sync(numbers[start : start + BATCH_SIZE]))
        counts = collections.Counter(r.outcome.value for r in results)
        done = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
        print(f"  {len(results)}/{len(numbers)}: {done}", flush=True)
    return results


async def _calls(http: aiohttp.ClientSession, naver: str, domeggook: str) -> dict[str, int]:
    async with http.get(f"{naver}/_sandbox/stats") as resp:
        nv = await resp.json()
    async with http.get(f"{domeggook}/_sandbox/stats") as resp:
        dg = await resp.json()
    naver_calls = sum(n for api, n in nv["requests"].items() if "oauth2" not in api)
    dg_requests = dg["requests"]
    dg_total = dg_requests.get("total", 0) if isinstance(dg_requests, dict) else int(dg_requests)
    return {
        "naver": int(naver_calls),
        "domeggook": int(dg_total),
        "naver_429": int(nv["rate_limited"]),
        "domeggook_429": int(dg["rate_limited"]),
        "duplicates": int(nv["duplicates"]),
        "products": int(nv["products"]),
    }


def _summary(
    first: list[SyncResult],
    second: list[SyncResult],
    elapsed_s: float,
    after_first: dict[str, int],
    after_second: dict[str, int],
) -> None:
    counts = collections.Counter(r.outcome for r in first)
    listed = counts[Outcome.CREATED] + counts[Outcome.ADOPTED]
    print("\n=== Summary ===")
    print(f"First pass ({elapsed_s:.1f} s): " + ", ".join(f"{o.value} {n}" for o, n in counts.most_common()))
    reasons = collections.Counter(
        r.code for r in first if r.outcome in (Outcome.MANUAL_REVIEW, Outcome.FAILED)
    )
    if reasons:
        print("Manual review / failed, by reason:")
        for code, n in reasons.most_common():
            example = next(r for r in first if r.code == code)
            print(f"  {n:3d} × {code}  e.g. {example.message}"[:160])
    per_product = after_first["naver"] / listed if listed else 0.0
    print(
        f"Naver calls: {after_first['naver']} for {listed} products registered "
        f"({per_product:.2f} per product, incl. image uploads and rejected creates)"
    )
    print(
        f"Domeggook calls: {after_first['domeggook']} for {len(first)} items "
        f"({after_first['domeggook'] / len(first):.2f} per item, batched getItemView)"
    )
    unchanged = sum(1 for r in second if r.outcome is Outcome.UNCHANGED)
    others = dict(collections.Counter(r.outcome.value for r in second if r.outcome is not Outcome.UNCHANGED))
    print(
        f"Second pass: {unchanged} unchanged at 0 Naver calls each; others {others}; "
        f"Naver calls in all {after_second['naver'] - after_first['naver']}"
    )
    print(
        f"429s received: Naver {after_second['naver_429']}, Domeggook {after_second['domeggook_429']}; "
        f"duplicate products on Naver: {after_second['duplicates']}"
    )
