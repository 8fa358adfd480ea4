"""Fixtures of the worker tests: the actors module and a sandbox fast enough to wait for the code."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from types import ModuleType

import pytest

from storebridge.sandbox.runner import Sandbox
from tests.sync.harness import fast_sandbox_options


@pytest.fixture
def actors(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """``workers.actors``. Its import builds the entry broker from the environment, so make that safe first.

    The tests never use that broker: each builds its own from its own settings.
    """
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    return importlib.import_module("workers.actors")


@pytest.fixture
async def fast_sandbox() -> AsyncIterator[Sandbox]:
    """Both simulators with room to spare (30 items, instant search), so tests wait for the code."""
    async with Sandbox(fast_sandbox_options(30, instant_search=True)) as sandbox:
        yield sandbox
