"""Fixtures of the deployment tests: the external tools (installed on first use, see ``tools.py``).

A tool that cannot be had skips its tests locally and fails them under CI (``CI`` set).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from storebridge.config import running_in_ci
from tests.deploy import tools


def _unavailable(name: str, exc: Exception) -> None:
    if running_in_ci():
        pytest.fail(f"{name} unavailable under CI: {exc}")
    pytest.skip(f"{name} unavailable: {exc}")


def _get(name: str, getter: Callable[[], object]) -> object:
    try:
        return getter()
    except tools.ToolUnavailable as exc:
        _unavailable(name, exc)
        raise AssertionError("unreachable") from exc


@pytest.fixture(scope="session")
def helm_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("helm-home")


@pytest.fixture(scope="session")
def helm_bin() -> list[str]:
    """``helm`` command prefix."""
    return _get("helm", tools.helm)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def prometheus_bin_dir() -> Path:
    """Directory with ``prometheus`` and ``promtool`` (Debian 12's 2.42.0)."""
    return _get("prometheus", tools.prometheus_bin_dir)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def python_tool() -> Callable[[str], tuple[list[str], dict[str, str]]]:
    """``python_tool("yamllint")`` -> (command prefix, extra environment)."""

    def get(name: str) -> tuple[list[str], dict[str, str]]:
        return _get(name, lambda: tools.python_tool(name))  # type: ignore[return-value]

    return get
