"""Shared harness of the Domeggook simulator tests: an ``Api`` caller and an ``api`` fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp

from storebridge.sandbox.catalog.generator import Catalog, Item, ItemStatus
from storebridge.sandbox.domeggook.app import DomeggookSimConfig, create_domeggook_app
from storebridge.serve import ServedApp

KEY = "sandbox-domeggook-key"
CATALOG_ITEMS = 400
SEED = 11


@dataclass
class Api:
    """Calls ``/ssl/api/`` with the key and ``om=json`` filled in; ``None`` drops a parameter."""

    session: aiohttp.ClientSession
    base_url: str
    catalog: Catalog

    async def call(self, **params: str | None) -> tuple[int, Any]:
        query = {k: v for k, v in {"aid": KEY, "om": "json", **params}.items() if v is not None}
        async with self.session.get(self.base_url + "/ssl/api/", params=query) as response:
            return response.status, await response.json(content_type=None)

    async def view(self, no: int, ver: str = "4.5") -> Any:
        status, body = await self.call(ver=ver, mode="getItemView", no=str(no))
        assert status == 200
        return body

    async def items(self, **params: str) -> tuple[int, Any]:
        return await self.call(ver="4.1", mode="getItemList", market="dome", **params)

    async def control(self, no: int, change: dict[str, Any]) -> int:
        async with self.session.post(f"{self.base_url}/_sandbox/items/{no}", json=change) as response:
            return response.status


async def serve(catalog: Catalog, config: DomeggookSimConfig) -> AsyncIterator[Api]:
    async with ServedApp(create_domeggook_app(catalog, config)) as served, aiohttp.ClientSession() as session:
        yield Api(session, served.base_url, catalog)


def on_sale(catalog: Catalog, predicate: Any = lambda item: True) -> Item:
    return next(i for i in catalog if i.status is ItemStatus.ON_SALE and not i.scenarios and predicate(i))


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
