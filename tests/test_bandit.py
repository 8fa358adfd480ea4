"""bandit finds nothing in the shipped code (the sandbox excepted: it is a test instrument, never
deployed). Skips, each with its reason, are in ``pyproject.toml`` ``[tool.bandit]``.

bandit is a dev dependency; where it is not installed the test is skipped locally and fails in CI.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from storebridge.config import running_in_ci

ROOT = Path(__file__).resolve().parent.parent


def test_bandit_reports_no_issue_in_storebridge_workers_and_schemas() -> None:
    if importlib.util.find_spec("bandit") is None:
        if running_in_ci():
            pytest.fail("bandit is not installed (a dev dependency)")
        pytest.skip("bandit is not installed")
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-q", "-r",
         "storebridge", "workers", "schemas", "-x", "storebridge/sandbox"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
