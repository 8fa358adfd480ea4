"""Fixtures of the simulator tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storebridge.sandbox.catalog.generator import generate_catalog
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from tests.sandbox.domeggook_support import CATALOG_ITEMS, SEED, Api, serve


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    async for value in serve(generate_catalog(CATALOG_ITEMS, SEED), DomeggookSimConfig()):
        yield value
