"""Fixtures of the sync tests: a running harness over this test's services (``service_urls``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.sync.harness import Harness, running


@pytest.fixture
async def h(service_urls: dict[str, str]) -> AsyncIterator[Harness]:
    """A 60-item sandbox and open pipeline resources."""
    async with running(60, service_urls) as harness:
        yield harness
