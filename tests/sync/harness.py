"""The sync tests' harness: a running sandbox plus open pipeline resources, and ways to poke both.

The fast sandbox, its settings and the item pickers below are also what the worker tests run on.

Everything is real: both API simulators over HTTP, PostgreSQL, Redis and S3. Tests set a state up
through the simulators' control endpoints (faults, item changes) or the ``StateStore``, and read
the outcome back the same way (the provider's product list and counters, the row and its events).
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from storebridge.config import load_settings
from storebridge.resources import Resources
from storebridge.sandbox.catalog.model import ItemStatus
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from storebridge.sandbox.naver.app import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from storebridge.sandbox.stats import ApiCounts, change_item, snapshot
from storebridge.store import ProductRow, State, StateStore
from storebridge.store.types import ProductEvent
from storebridge.sync import Syncer
from storebridge.transform import Transformed, build_product, image_sources, seller_management_code

MARKET = "dome"
#: Naver APIs as the simulator counts them.
CREATE_API = "POST /v2/products"
SEARCH_API = "POST /v1/products/search"
#: Settings of a pipeline that waits for the code and not for rate limits (with
#: ``fast_sandbox_options``): client limits the fast sandbox allows, a search grace of 0 s and a
#: 1 s retry backoff.
FAST_SETTINGS = {
    "NAVER_MAX_TPS": "40",
    "DOMEGGOOK_MAX_TPS": "40",
    "NAVER_SEARCH_GRACE_S": "0",
    "RETRY_BACKOFF_BASE": "1",
}


def fast_sandbox_options(items: int, *, instant_search: bool = False) -> SandboxOptions:
    """A sandbox of ``items`` catalog items (seed 1) with room to spare in both rate limits.

    ``instant_search``: Naver's search finds a new product at once (no indexing lag), which a
    search grace of 0 s needs to be safe.
    """
    naver = (
        NaverSimConfig(rate_per_s=50, search_lag_s=0.0) if instant_search else NaverSimConfig(rate_per_s=50)
    )
    return SandboxOptions(
        items=items, seed=1, naver=naver, domeggook=DomeggookSimConfig(per_minute_limit=100_000)
    )


def healthy(sandbox: Sandbox) -> list[int]:
    """Catalog items with no hostile scenario that are on sale (some still end in review, for a reason)."""
    return [i.no for i in sandbox.catalog if not i.scenarios and i.status is ItemStatus.ON_SALE]


async def registrable(syncer: Syncer, item_nos: list[int], count: int) -> list[int]:
    """The first ``count`` of ``item_nos`` the transform accepts, so that each must end COMPLETED."""
    batch = await syncer.domeggook.get_items(item_nos)
    found = []
    for item in batch.items:
        urls = {url: url for url in image_sources(item).all}
        if isinstance(build_product(item, syncer.rules, urls), Transformed):
            found.append(item.no)
    assert len(found) >= count, "the sandbox catalog should yield enough registrable items"
    return found[:count]


class Harness:
    """A running sandbox plus open pipeline resources, with helpers to poke the simulators."""

    def __init__(self, sandbox: Sandbox, resources: Resources, http: aiohttp.ClientSession) -> None:
        self.sandbox, self.resources, self.http = sandbox, resources, http

    @property
    def syncer(self) -> Syncer:
        """The pipeline as the processes build it (search grace 0 s: see ``running``)."""
        return self.resources.syncer

    @property
    def store(self) -> StateStore:
        """The state store the pipeline writes to."""
        store = self.resources.store
        assert store is not None
        return store

    def syncer_with(self, **settings: Any) -> Syncer:
        """The same pipeline with some ``SyncSettings`` changed (e.g. a longer search grace)."""
        current = self.syncer
        return Syncer(
            domeggook=current.domeggook,
            naver=current.naver,
            images=current.images,
            store=current.store,
            rules=current.rules,
            settings=dataclasses.replace(current.settings, **settings),
        )

    def healthy(self) -> list[int]:
        """Catalog items with no hostile scenario that are on sale."""
        return healthy(self.sandbox)

    async def registrable(self) -> int:
        """A healthy item the transform accepts (some healthy ones still need a review, e.g. COD only)."""
        [item_no] = await registrable(self.syncer, self.healthy(), 1)
        return item_no

    async def counts(self) -> ApiCounts:
        return await snapshot(self.http, self.sandbox)

    async def naver_calls(self) -> int:
        return (await self.counts()).naver_product_calls

    async def naver_products(self) -> list[dict[str, Any]]:
        async with self.http.get(f"{self.sandbox.naver_origin}/_sandbox/products") as resp:
            body = await resp.json()
        return list(body["products"] if isinstance(body, dict) else body)

    async def listed(self, item_no: int) -> list[dict[str, Any]]:
        """Every Naver product carrying the item's seller code (the simulator's summaries)."""
        code = seller_management_code(MARKET, item_no)
        return [p for p in await self.naver_products() if p["sellerManagementCode"] == code]

    async def summary(self, item_no: int) -> dict[str, Any]:
        """The simulator's summary of the one product carrying the item's seller code."""
        found = await self.listed(item_no)
        code = seller_management_code(MARKET, item_no)
        assert len(found) == 1, f"expected exactly one Naver product for {code}, found {len(found)}"
        return found[0]

    async def product(self, item_no: int) -> dict[str, Any]:
        """The whole stored document (read over HTTP, as the real API would serve it)."""
        origin_no = int((await self.summary(item_no))["originProductNo"])
        return (await self.syncer.naver.get_product(origin_no)).body

    async def change_item(self, item_no: int, body: dict[str, Any]) -> None:
        await change_item(self.http, self.sandbox, item_no, body)

    async def naver_faults(self, **faults: float) -> None:
        async with self.http.post(f"{self.sandbox.naver_origin}/_sandbox/faults", json=faults) as resp:
            assert resp.status == 200, await resp.text()

    async def row(self, item_no: int) -> ProductRow:
        row = await self.store.get(MARKET, item_no)
        assert row is not None, f"item {item_no} has no product row"
        return row

    async def events(self, item_no: int) -> list[ProductEvent]:
        return await self.store.events((await self.row(item_no)).id)

    async def registering(self, item_no: int) -> ProductRow:
        """The row as a worker leaves it when it dies right before (or during) its create POST."""
        row = await self.store.claim(MARKET, item_no, seller_management_code(MARKET, item_no))
        row = await self.store.transition(row.id, State.PENDING, State.VALIDATED)
        row = await self.store.transition(row.id, State.VALIDATED, State.UPLOADING)
        attempt = uuid.uuid4()
        return await self.store.transition(row.id, State.UPLOADING, State.REGISTERING, attempt_id=attempt)


@contextlib.asynccontextmanager
async def running(items: int, urls: dict[str, str]) -> AsyncIterator[Harness]:
    """A sandbox of ``items`` catalog items (seed 1) and open resources, with a search grace of 0 s."""
    async with Sandbox(fast_sandbox_options(items, instant_search=True)) as sandbox:
        settings = load_settings(**sandbox.environment(), **urls, **FAST_SETTINGS)
        async with Resources(settings) as resources, aiohttp.ClientSession() as http:
            yield Harness(sandbox, resources, http)
