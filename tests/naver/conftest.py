"""Fixtures of the Naver client tests: a fast sandbox and a client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storebridge.naver import NaverClient
from storebridge.sandbox.naver.config import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from tests.naver.test_client import make_client


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """A sandbox whose Naver side allows 50 requests/s per API, so tests never wait on the bucket."""
    options = SandboxOptions(items=5, seed=1, naver=NaverSimConfig(rate_per_s=50, search_lag_s=0.0))
    async with Sandbox(options) as running:
        yield running


@pytest.fixture
async def client(sb: Sandbox) -> AsyncIterator[NaverClient]:
    """A fast-retrying client on the sandbox, closed after the test."""
    async with make_client(sb) as naver:
        yield naver
