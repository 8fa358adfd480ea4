"""What the API simulators counted: calls per Naver API and per limiter bucket, Domeggook calls, 429s.

Every figure comes from the sandbox's own ``GET /_sandbox/stats`` (the provider's view), never from
StoreBridge's metrics: the demo, the benchmark and the tests report what the provider saw. Naver
counts requests per API (``POST /v1/product-images/upload``, ``POST /v2/products`` …), refused ones
included; the Domeggook simulator counts per call, so a batched ``getItemView`` of 50 items is one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp

from storebridge.limiter import DOMEGGOOK, naver_bucket_for
from storebridge.sandbox.runner import Sandbox

#: The Naver token API as the simulator names it.
TOKEN_API = "POST /v1/oauth2/token"  # noqa: S105 - an API name, not a secret
#: Stats key of requests that matched no API (not a call any bucket paid for).
UNMATCHED = "(unmatched)"


@dataclass(frozen=True)
class ApiCounts:
    """A snapshot of both simulators' counters (subtract two for what happened in between)."""

    naver_by_api: dict[str, int] = field(default_factory=dict)
    domeggook_calls: int = 0
    naver_429: int = 0
    domeggook_429: int = 0
    duplicates: int = 0
    products: int = 0
    #: Naver 429s a fault injected (``rate_limit_rate``), counted in ``naver_429`` too.
    naver_429_injected: int = 0

    def __sub__(self, other: ApiCounts) -> ApiCounts:
        apis = set(self.naver_by_api) | set(other.naver_by_api)
        return ApiCounts(
            {a: self.naver_by_api.get(a, 0) - other.naver_by_api.get(a, 0) for a in sorted(apis)},
            self.domeggook_calls - other.domeggook_calls,
            self.naver_429 - other.naver_429,
            self.domeggook_429 - other.domeggook_429,
            self.duplicates - other.duplicates,
            self.products - other.products,
            self.naver_429_injected - other.naver_429_injected,
        )

    @property
    def real_429(self) -> int:
        """429s answered because a limit was exceeded (not injected by a fault)."""
        return self.naver_429 - self.naver_429_injected + self.domeggook_429

    @property
    def naver_calls(self) -> int:
        """Every Naver call, the token call included (it is one, and it is rate limited too)."""
        return sum(self.naver_by_api.values())

    @property
    def naver_product_calls(self) -> int:
        """Naver calls other than the token call (what syncing products cost)."""
        return self.naver_calls - self.naver(TOKEN_API)

    def naver(self, api: str) -> int:
        """Calls of one API, e.g. ``POST /v2/products``."""
        return self.naver_by_api.get(api, 0)

    def by_bucket(self) -> dict[str, int]:
        """Calls per limiter bucket (``naver:images``, ``naver:products`` …, ``domeggook``)."""
        buckets: dict[str, int] = {DOMEGGOOK: self.domeggook_calls} if self.domeggook_calls else {}
        for api, calls in self.naver_by_api.items():
            try:
                bucket = naver_bucket_for(*api.split(" ", 1))
            except ValueError:  # an API no bucket knows: show it on its own rather than hide it
                bucket = f"naver:{api}"
            buckets[bucket] = buckets.get(bucket, 0) + calls
        return buckets


async def _json(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with http.get(url) as resp:
        resp.raise_for_status()
        return dict(await resp.json())


async def snapshot(http: aiohttp.ClientSession, sandbox: Sandbox) -> ApiCounts:
    """Both simulators' counters now."""
    nv = await _json(http, f"{sandbox.naver_origin}/_sandbox/stats")
    dg = await _json(http, f"{sandbox.domeggook_origin}/_sandbox/stats")
    requests = dg["requests"]
    dg_calls = int(requests.get("total", 0) if isinstance(requests, dict) else requests)
    by_api = {str(api): int(n) for api, n in nv["requests"].items() if api != UNMATCHED and int(n)}
    return ApiCounts(
        naver_by_api=by_api,
        domeggook_calls=dg_calls,
        naver_429=int(nv["rate_limited"]),
        domeggook_429=int(dg["rate_limited"]),
        duplicates=int(nv["duplicates"]),
        products=int(nv["products"]),
        naver_429_injected=int(nv["faults_injected"].get("rate_limited", 0)),
    )


async def change_item(
    http: aiohttp.ClientSession, sandbox: Sandbox, item_no: int, change: dict[str, Any]
) -> None:
    """Change one item at the Domeggook sandbox (its control endpoint); raises on a refused change."""
    url = f"{sandbox.domeggook_origin}/_sandbox/items/{item_no}"
    async with http.post(url, json=change) as resp:
        if resp.status != 200:
            raise ValueError(f"item {item_no}: change refused: {await resp.text()}")
