"""What the Domeggook client tests share: a client on the sandbox, its control endpoints and counters."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import aiohttp

from storebridge.domeggook import DomeggookClient
from storebridge.http import ClientSettings, Limiter
from storebridge.sandbox.catalog.model import ItemStatus
from storebridge.sandbox.runner import Sandbox

#: Fast retries so fault tests take milliseconds, not seconds.
FAST_RETRY = ClientSettings(timeout_s=5.0, retry_base_s=0.01, retry_max_s=0.05)


def make_client(
    sandbox: Sandbox, *, limiter: Limiter | None = None, api_key: str | None = None, **knobs: Any
) -> DomeggookClient:
    """A client on the sandbox, with fast retries unless ``knobs`` (``ClientSettings`` fields) override."""
    env = sandbox.environment()
    return DomeggookClient(
        api_url=env["DOMEGGOOK_API_URL"],
        api_key=api_key or env["DOMEGGOOK_API_KEY"],
        client_settings=dataclasses.replace(FAST_RETRY, **knobs),
        limiter=limiter,
    )


async def sandbox_call(
    sandbox: Sandbox, method: str, path: str, body: Mapping[str, Any] | None = None
) -> Any:
    """Call a Domeggook sandbox control endpoint and return its JSON."""
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, sandbox.domeggook_origin + path, json=body) as response,
    ):
        assert response.status == 200, await response.text()
        return await response.json()


async def calls_by_mode(sandbox: Sandbox) -> dict[str, int]:
    """Requests the simulator received, per mode."""
    stats = await sandbox_call(sandbox, "GET", "/_sandbox/stats")
    by_mode: dict[str, int] = stats["requests"]["by_mode"]
    return by_mode


def numbers(sandbox: Sandbox, status: ItemStatus) -> list[int]:
    """Catalog item numbers with ``status`` and no hostile scenario, in catalog order."""
    return [item.no for item in sandbox.catalog if item.status is status and not item.scenarios]
