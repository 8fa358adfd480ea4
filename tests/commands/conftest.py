"""Fixtures of the command tests: the services in the environment, and the CLI run in this process."""

from __future__ import annotations

import pytest

from tests.support import InProcessCli


@pytest.fixture
def services(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis_namespace: str, database_url: str
) -> dict[str, str]:
    """This test's Redis namespace and database in the environment, and no API credentials.

    Commands read their settings from the environment, so this is what an operator's shell holds.
    """
    env = {"REDIS_URL": redis_url, "REDIS_NAMESPACE": redis_namespace, "DATABASE_URL": database_url}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("DOMEGGOOK_API_KEY", "NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET", "DOMEGGOOK_MARKET"):
        monkeypatch.delenv(name, raising=False)
    return env


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> InProcessCli:
    """``await cli("enqueue", "7", stdin="")`` → (exit status, stdout, stderr)."""
    return InProcessCli(capsys, monkeypatch)
