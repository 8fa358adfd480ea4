"""``make bench``: pipeline throughput against the rate-limit ceiling, on the sandbox.

Rates are scaled up (Naver 20 requests/s per API instead of 2) so a run takes seconds; the ratios
are what matter. The ceiling comes from the configured buckets: a new product costs one call in
Naver's image-upload bucket and one in its products bucket (separate budgets), and 1/100 of a
Domeggook call; the smallest ``rate / calls per product`` bounds the product rate.

Prints: products/s as a fraction of that ceiling, 429s received, Naver and Domeggook calls per
new / unchanged / changed product, CPU time per product and peak RSS of this process.
Not yet measured (issue #4): several worker processes, intake fan-out, and the per-process-limiter
and sequential baselines side by side.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from typing import Any

import aiohttp

from storebridge.config import explicit_service_urls, load_settings
from storebridge.devstack import DevStack
from storebridge.logs import configure_logging
from storebridge.resources import Resources
from storebridge.sandbox.catalog_model import ItemStatus
from storebridge.sandbox.domeggook import DomeggookSimConfig
from storebridge.sandbox.naver import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from storebridge.store import migrate
from storebridge.sync_result import Outcome

#: Provider rate per Naver API in the sandbox, and ours (the limiter paces at 95 % of it).
NAVER_RATE_PER_S = 20.0
DOMEGGOOK_RATE_PER_S = 50.0
ITEMS = 400
#: Batches synced at once (each: one Domeggook call, then its items four at a time).
CONCURRENT_BATCHES = 4
BATCH = 50


async def _stats(http: aiohttp.ClientSession, origin: str) -> dict[str, Any]:
    async with http.get(f"{origin}/_sandbox/stats") as resp:
        return dict(await resp.json())


def _naver_calls(stats: dict[str, Any], needle: str = "") -> int:
    return sum(n for api, n in stats["requests"].items() if "oauth2" not in api and needle in api)


def _dg_calls(stats: dict[str, Any]) -> int:
    requests = stats["requests"]
    return int(requests.get("total", 0) if isinstance(requests, dict) else requests)


async def _sync_all(resources: Resources, numbers: list[int]) -> list[Any]:
    chunks = [numbers[i : i + BATCH] for i in range(0, len(numbers), BATCH)]
    semaphore = asyncio.Semaphore(CONCURRENT_BATCHES)

    async def one(chunk: list[int]) -> list[Any]:
        async with semaphore:
            return await resources.syncer.sync_items(chunk)

    return [r for part in await asyncio.gather(*(one(c) for c in chunks)) for r in part]


async def main(urls: dict[str, str]) -> None:
    options = SandboxOptions(
        items=ITEMS,
        seed=7,
        naver=NaverSimConfig(rate_per_s=NAVER_RATE_PER_S),
        domeggook=DomeggookSimConfig(per_minute_limit=1_000_000, per_day_limit=1_000_000),
    )
    async with Sandbox(options) as sandbox, aiohttp.ClientSession() as http:
        settings = load_settings(
            **sandbox.environment(),
            **urls,
            NAVER_MAX_TPS=NAVER_RATE_PER_S,
            DOMEGGOOK_MAX_TPS=DOMEGGOOK_RATE_PER_S,
        )
        await migrate(settings.database_url.get_secret_value())
        healthy = [i.no for i in sandbox.catalog if not i.scenarios and i.status is ItemStatus.ON_SALE]
        async with Resources(settings) as resources:
            cpu0 = time.process_time()
            t0 = time.monotonic()
            first = await _sync_all(resources, healthy)
            wall_s = time.monotonic() - t0
            cpu_s = time.process_time() - cpu0
            nv1, dg1 = await _stats(http, sandbox.naver_origin), await _stats(http, sandbox.domeggook_origin)
            created = [r.item_no for r in first if r.outcome is Outcome.CREATED]
            second = await _sync_all(resources, created)
            nv2, dg2 = await _stats(http, sandbox.naver_origin), await _stats(http, sandbox.domeggook_origin)
            plain = [no for no in created if sandbox.catalog.get(no).options is None][:20]  # type: ignore[union-attr]
            for no in plain:
                async with http.post(
                    f"{sandbox.domeggook_origin}/_sandbox/items/{no}", json={"price": "1+54321"}
                ):
                    pass
            third = await _sync_all(resources, plain)
            nv3 = await _stats(http, sandbox.naver_origin)

    new = len(created)
    rejected = sum(1 for r in first if r.outcome is not Outcome.CREATED)
    rate = NAVER_RATE_PER_S
    uploads, creates = _naver_calls(nv1, "product-images"), _naver_calls(nv1, "POST /v2/products")
    # Budget per bucket: the limiter may send at most rate × wall time; the busiest bucket decides.
    busiest = max(uploads, creates)
    ceiling_products_per_s = rate / (busiest / new) if new else 0.0
    achieved = new / wall_s if wall_s else 0.0
    print("StoreBridge benchmark (sandbox, one process)")
    print(f"  items synced: {len(first)} (created {new}, rejected/other {rejected}), wall {wall_s:.1f} s")
    print(f"  Naver rate per API: {rate}/s (limiter paces at 95 %); Domeggook {DOMEGGOOK_RATE_PER_S}/s")
    print(
        f"  Naver calls per new product: {(_naver_calls(nv1)) / new:.2f} "
        f"(uploads {uploads / new:.2f}, creates {creates / new:.2f}; rejected creates included)"
    )
    print(f"  busiest Naver bucket utilisation: {busiest / (rate * wall_s):.3f} of its rate")
    print(
        f"  products/s: {achieved:.2f}; ceiling {ceiling_products_per_s:.2f}; "
        f"ratio {achieved / ceiling_products_per_s:.3f}"
    )
    print(f"  Domeggook calls per product: {_dg_calls(dg1) / len(first):.3f}")
    print(
        "  unchanged re-sync: Naver calls per product "
        f"{(_naver_calls(nv2) - _naver_calls(nv1)) / max(1, len(second)):.2f}, "
        f"Domeggook calls per product {(_dg_calls(dg2) - _dg_calls(dg1)) / max(1, len(second)):.3f}"
    )
    changed = sum(1 for r in third if r.outcome is Outcome.PRICE_STOCK)
    print(
        f"  price change: {changed}/{len(plain)} price_stock, Naver calls per changed product "
        f"{(_naver_calls(nv3) - _naver_calls(nv2)) / max(1, changed):.2f}"
    )
    print(
        f"  429s received: Naver {nv3['rate_limited']}, Domeggook {dg2['rate_limited']}; "
        f"duplicates {nv3['duplicates']}"
    )
    print(f"  CPU per product (this process, incl. simulators): {cpu_s / max(1, len(first)) * 1000:.1f} ms")
    print(f"  peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    configure_logging("ERROR", "text")
    with DevStack(explicit_service_urls()) as stack:
        asyncio.run(main(stack.urls))
    sys.exit(0)
