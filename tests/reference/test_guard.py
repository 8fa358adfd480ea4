"""Against the real Naver API, nothing starts without a category map the operator supplied."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path

import pytest

from storebridge.cli import main
from storebridge.config import ConfigError, load_settings
from storebridge.listing_rules import load_listing_rules_from_file, load_listing_rules_from_store
from storebridge.reference import naver_api_is_real, require_operator_category_map
from storebridge.store import CategoryMappingSpec, StateStore

REAL = "https://api.commerce.naver.com/external"


@pytest.mark.parametrize(
    ("url", "kind", "real"),
    [
        (REAL, "auto", True),
        ("https://naver-proxy.internal.example/external", "auto", True),
        ("http://127.0.0.1:8102/external", "auto", False),
        ("https://localhost:8443/external", "auto", False),
        ("https://[::1]:8443/external", "auto", False),
        ("http://sandbox:8102/external", "auto", False),  # the compose sandbox: Naver is https only
        ("http://sandbox:8102/external", "real", True),
        (REAL, "sandbox", False),
    ],
)
def test_what_counts_as_the_real_api(url: str, kind: str, real: bool) -> None:
    assert naver_api_is_real(load_settings(NAVER_API_URL=url, NAVER_API_KIND=kind)) is real


def test_a_real_url_without_any_map_is_refused_with_one_line(database_url: str) -> None:
    settings = load_settings(NAVER_API_URL=REAL, DATABASE_URL=database_url, CATEGORY_MAP_FILE="")
    with pytest.raises(ConfigError) as refused:
        require_operator_category_map(settings)
    assert str(refused.value).startswith("CATEGORY_MAP_FILE is not set")
    assert "\n" not in str(refused.value)
    require_operator_category_map(
        settings.model_copy(update={"naver_api_url": "http://127.0.0.1:1/external"})
    )
    require_operator_category_map(settings.model_copy(update={"category_map_file": "/operator/map.csv"}))


async def test_rows_in_the_database_map_satisfy_the_check(database_url: str) -> None:
    settings = load_settings(NAVER_API_URL=REAL, DATABASE_URL=database_url, CATEGORY_MAP_FILE="")
    async with StateStore(database_url) as store:
        await store.load_category_map(
            [CategoryMappingSpec(domeggook_code="04_01_03_00_00", naver_leaf_category_id="50000803")],
            source="manual",
        )
    await asyncio.to_thread(require_operator_category_map, settings)


async def test_listing_rules_never_fall_back_to_a_shipped_map(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORE_AS_PHONE", "02-1234-5678")
    monkeypatch.delenv("CATEGORY_MAP_FILE", raising=False)
    local = load_settings(NAVER_API_URL="http://127.0.0.1:1/external", DATABASE_URL=database_url)
    assert dict(load_listing_rules_from_file(local).category_map) == {}
    async with StateStore(database_url) as store:
        assert dict((await load_listing_rules_from_store(local, store)).category_map) == {}
        real = local.model_copy(update={"naver_api_url": REAL})
        with pytest.raises(ConfigError, match=r"^CATEGORY_MAP_FILE is not set"):
            await load_listing_rules_from_store(real, store)
    assert dict(load_listing_rules_from_file(real).category_map) == {}, "preview lists nothing: not refused"


@pytest.mark.parametrize("command", ["worker", "daemon"])
async def test_worker_and_daemon_refuse_to_start_against_the_real_api_without_a_map(
    command: str,
    database_url: str,
    redis_url: str,
    s3_endpoint: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {
        "NAVER_API_URL": REAL,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "S3_ENDPOINT": s3_endpoint,
        "DOMEGGOOK_API_KEY": "k",
        "NAVER_CLIENT_ID": "id",
        "NAVER_CLIENT_SECRET": "$2a$04$SandboxStoreBridgeSale",
        "STORE_AS_PHONE": "02-1234-5678",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CATEGORY_MAP_FILE", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    status = await asyncio.to_thread(main, [command])

    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1, err
    assert "CATEGORY_MAP_FILE is not set" in err, err
