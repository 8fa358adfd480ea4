"""Fixtures of the simulator tests: each serves a simulator on loopback and hands back its caller.

* ``serve_domeggook(catalog, config, *, faults, clock)`` / ``serve_naver(config, *, faults)`` are
  factories for tests that need their own settings (or two simulators); everything they start is
  stopped when the test ends;
* ``api`` is a Domeggook simulator over the shared 400-item catalog, ``naver`` a Naver simulator
  with the rate limit lifted — what most tests need.

The callers (``Api``, ``NaverApi``), the fixture types and the plain helpers live in ``support.py``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import aiohttp
import pytest

from storebridge.sandbox.catalog.generator import Catalog, generate_catalog
from storebridge.sandbox.domeggook.app import DomeggookSimConfig, create_domeggook_app
from storebridge.sandbox.faults import Faults
from storebridge.sandbox.naver.app import NaverSimConfig, create_naver_app
from storebridge.serve import ServedApp
from tests.sandbox.support import (
    CATALOG_ITEMS,
    FREE_NAVER_CONFIG,
    SEED,
    Api,
    ManualClock,
    NaverApi,
    ServeDomeggook,
    ServeNaver,
)


@pytest.fixture
async def _served() -> AsyncIterator[tuple[AsyncExitStack, aiohttp.ClientSession]]:
    """One client session and one exit stack per test; every simulator served is closed on it."""
    async with AsyncExitStack() as stack, aiohttp.ClientSession() as session:
        yield stack, session  # the session closes first, then the simulators


@pytest.fixture
def serve_domeggook(_served: tuple[AsyncExitStack, aiohttp.ClientSession]) -> ServeDomeggook:
    """Serve a Domeggook simulator for ``catalog`` (default config) and return its ``Api``."""
    stack, session = _served

    async def serve(
        catalog: Catalog,
        config: DomeggookSimConfig | None = None,
        *,
        faults: Faults | None = None,
        clock: ManualClock | None = None,
    ) -> Api:
        app = create_domeggook_app(
            catalog, config or DomeggookSimConfig(), faults=faults, clock=clock or time.time
        )
        served = await stack.enter_async_context(ServedApp(app))
        return Api(session, served.base_url, catalog, clock)

    return serve


@pytest.fixture
def serve_naver(_served: tuple[AsyncExitStack, aiohttp.ClientSession]) -> ServeNaver:
    """Serve a Naver simulator on a fresh ``ManualClock`` and return its ``NaverApi``."""
    stack, session = _served

    async def serve(config: NaverSimConfig | None = None, *, faults: Faults | None = None) -> NaverApi:
        config = config or FREE_NAVER_CONFIG
        clock, faults = ManualClock(), faults or Faults()
        app = create_naver_app(config, faults=faults, clock=clock)
        served = await stack.enter_async_context(ServedApp(app))
        return NaverApi(config, clock, faults, app, served.base_url, session)

    return serve


@pytest.fixture
async def api(serve_domeggook: ServeDomeggook) -> Api:
    """A Domeggook simulator over the shared ``CATALOG_ITEMS``-item catalog, default settings."""
    return await serve_domeggook(generate_catalog(CATALOG_ITEMS, SEED))


@pytest.fixture
async def naver(serve_naver: ServeNaver) -> NaverApi:
    """A Naver simulator with the rate limit lifted (``FREE_NAVER_CONFIG``) and no faults."""
    return await serve_naver()
