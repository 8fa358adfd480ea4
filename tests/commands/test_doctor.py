"""``storebridge doctor``: offline checks, the live read-only checks, and that it never writes.

Run as a subprocess, as an operator would, against a sandbox and this test's services.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from storebridge.sandbox.catalog.model import ItemStatus
from storebridge.sandbox.naver.config import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from tests.support import naver_stats, run_cli

#: Naver APIs that only read, though some are POSTs (the token, the search).
READS = ("GET ", "POST /v1/oauth2/token", "POST /v1/products/search")


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """A sandbox fast enough that every mapped leaf can be read without waiting for the bucket."""
    options = SandboxOptions(items=20, seed=1, naver=NaverSimConfig(rate_per_s=100))
    async with Sandbox(options) as running:
        yield running


@pytest.fixture
def env(sb: Sandbox, service_urls: dict[str, str]) -> dict[str, str]:
    """The process environment of a deployment pointed at the sandbox and this test's services."""
    return {**os.environ, **sb.environment(), **service_urls}


async def naver_requests(sb: Sandbox) -> dict[str, int]:
    stats = await naver_stats(sb.naver_origin)
    return {name: int(n) for name, n in stats["requests"].items()}


async def test_live_doctor_reads_both_apis_and_never_writes(sb: Sandbox, env: dict[str, str]) -> None:
    items = [i.no for i in sb.catalog if i.status is ItemStatus.ON_SALE and not i.scenarios][:3]
    status, out, err = await run_cli(env, "doctor", "--live", *(f"--item={no}" for no in items))
    assert status == 0, out + err
    lines = out.splitlines()
    for name in (
        "naver token",
        "naver origin areas",
        "naver seller-code search",
        "getItemView multiple=true",
    ):
        assert any(line.startswith("ok") and name in line for line in lines), (name, out)
    assert any(line.startswith("ok   naver category ") for line in lines), out
    requests = await naver_requests(sb)
    writes = {name: n for name, n in requests.items() if n and not name.startswith(READS)}
    assert writes == {}, f"doctor must never write, saw {writes}"
    assert (
        requests.get("GET /v1/categories/{categoryId}", 0) + requests.get("GET /v1/categories/{no}", 0) >= 1
    )


async def test_real_looking_url_without_a_category_map_fails_naming_the_map(env: dict[str, str]) -> None:
    real = {**env, "NAVER_API_URL": "https://api.commerce.naver.com/external", "NAVER_API_KIND": "auto"}
    real.pop("CATEGORY_MAP_FILE")
    status, out, _ = await run_cli(real, "doctor")
    assert status == 1
    failed = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert any("CATEGORY_MAP_FILE" in line and "real Naver API" in line for line in failed), out


async def test_offline_doctor_flags_a_placeholder_phone_and_a_bad_secret(env: dict[str, str]) -> None:
    changed = {**env, "STORE_AS_PHONE": "010-0000-0000", "NAVER_CLIENT_SECRET": "plain"}
    status, out, _ = await run_cli(changed, "doctor")
    assert status == 1
    assert "FAIL STORE_AS_PHONE" in out
    assert "FAIL NAVER_CLIENT_SECRET" in out
    assert "plain" not in out, "a secret is never printed"
