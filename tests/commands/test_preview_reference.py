"""``storebridge preview`` with Naver's reference data: the sync's payload, or one line saying why not.

Run as subprocesses, as an operator would, against a sandbox and this test's PostgreSQL. The items
are picked from the sandbox catalog by what makes them need the reference data: a clothing leaf
(WEAR notice) with a keyword Naver restricts, and a KC-gated leaf whose supplier gives a certificate.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from storebridge.listing_rules import read_category_map
from storebridge.naver import NaverClient
from storebridge.sandbox.catalog.model import Item, ItemStatus
from storebridge.sandbox.naver.categories import CATEGORIES_BY_ID, KC_CERTIFICATION
from storebridge.sandbox.naver.config import NaverSimConfig
from storebridge.sandbox.naver.reference import CATEGORY_MAP_PATH, RESTRICTED_TAGS
from storebridge.sandbox.runner import Sandbox, SandboxOptions
from tests.paths import DOMEGGOOK_DATA
from tests.support import InProcessCli, naver_stats, run_cli

#: Naver APIs that only read, though some are POSTs (the token).
READS = ("GET ", "POST /v1/oauth2/token")
#: Top level of the sandbox's clothing leaves, whose notice type is WEAR.
CLOTHING = "패션의류"
#: Parts of a payload that differ by design: a preview keeps the supplier's image URLs.
IMAGE_FIELDS = ("images", "detailContent")
#: No service listens on port 1 of the loopback interface.
CLOSED = "127.0.0.1:1"
NOTE_END = " — gates shown as review"


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    """A sandbox whose Naver buckets never make a reference lookup wait."""
    options = SandboxOptions(items=60, seed=1, naver=NaverSimConfig(rate_per_s=100))
    async with Sandbox(options) as running:
        yield running


@pytest.fixture
def env(sb: Sandbox, service_urls: dict[str, str]) -> dict[str, str]:
    """The process environment of a deployment pointed at the sandbox and this test's services."""
    return {**os.environ, **sb.environment(), **service_urls}


def _healthy(sb: Sandbox) -> list[tuple[Item, str]]:
    """On-sale catalog items without a hostile scenario, with the Naver leaf the sandbox map gives them."""
    leaves = {row.domeggook_code: row.naver_leaf_category_id for row in read_category_map(CATEGORY_MAP_PATH)}
    return [
        (item, leaves[item.category_code])
        for item in sb.catalog
        if item.status is ItemStatus.ON_SALE and not item.scenarios and item.category_code in leaves
    ]


def _clothing_with_restricted_tag(sb: Sandbox) -> int:
    for item, leaf in _healthy(sb):
        clothing = CATEGORIES_BY_ID[leaf].whole_name.startswith(CLOTHING)
        if clothing and set(item.keywords) & RESTRICTED_TAGS:
            return item.no
    pytest.fail("the catalog has no clothing item with a restricted keyword")


def _kc_with_certificate(sb: Sandbox) -> int:
    for item, leaf in _healthy(sb):
        if KC_CERTIFICATION in CATEGORIES_BY_ID[leaf].exceptional and item.spec.safety_cert:
            return item.no
    pytest.fail("the catalog has no KC-gated item with a certificate")


async def _preview(env: dict[str, str], no: int, *flags: str) -> tuple[int, dict[str, Any] | None, str]:
    status, out, err = await run_cli(env, "preview", str(no), *flags)
    assert "Traceback" not in err, err
    return status, (json.loads(out) if out else None), err


def _notes(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("reference data:")]


def _tags(payload: dict[str, Any]) -> set[str]:
    seo = payload["originProduct"]["detailAttribute"].get("seoInfo") or {}
    return {tag["text"] for tag in seo.get("sellerTags") or ()}


def _notice_type(payload: dict[str, Any]) -> str:
    return str(
        payload["originProduct"]["detailAttribute"]["productInfoProvidedNotice"][
            "productInfoProvidedNoticeType"
        ]
    )


def _assert_within(sent: Any, stored: Any, path: str = "") -> None:
    """Every value of ``sent`` is in ``stored`` (which Naver filled with defaults and option ids)."""
    if isinstance(sent, dict):
        assert isinstance(stored, dict), path
        for key, value in sent.items():
            assert key in stored, f"{path}.{key} missing"
            _assert_within(value, stored[key], f"{path}.{key}")
    elif isinstance(sent, list):
        assert isinstance(stored, list), path
        assert len(sent) == len(stored), path
        for index, (one, other) in enumerate(zip(sent, stored, strict=True)):
            _assert_within(one, other, f"{path}[{index}]")
    else:
        assert sent == stored, f"{path}: preview {sent!r}, sync {stored!r}"


async def _stored(sb: Sandbox, env: dict[str, str], seller_code: str) -> dict[str, Any]:
    """The product the sync created, read back through the client as Naver serves it."""
    async with aiohttp.ClientSession() as http, http.get(f"{sb.naver_origin}/_sandbox/products") as resp:
        assert resp.status == 200, await resp.text()
        listed = (await resp.json())["products"]
    origin_no = next(p["originProductNo"] for p in listed if p["sellerManagementCode"] == seller_code)
    async with NaverClient(
        api_url=env["NAVER_API_URL"],
        client_id=env["NAVER_CLIENT_ID"],
        client_secret=env["NAVER_CLIENT_SECRET"],
    ) as naver:
        return (await naver.get_product(origin_no)).body


async def _writes(sb: Sandbox) -> dict[str, int]:
    requests = (await naver_stats(sb.naver_origin))["requests"]
    return {name: int(n) for name, n in requests.items() if int(n) and not name.startswith(READS)}


async def test_preview_payloads_are_what_the_sync_sends_in_gated_leaves(
    sb: Sandbox, env: dict[str, str]
) -> None:
    # Given a clothing item with a restricted keyword and a KC item whose supplier gives a certificate
    clothing, kc = _clothing_with_restricted_tag(sb), _kc_with_certificate(sb)

    # When both are previewed with Naver and PostgreSQL reachable
    previews: dict[int, dict[str, Any]] = {}
    for no in (clothing, kc):
        status, payload, err = await _preview(env, no)
        assert status == 0, err
        assert _notes(err) == [], err
        assert payload is not None
        previews[no] = payload

    # Then Naver's rules are applied, and Naver was only read
    assert not _tags(previews[clothing]) & RESTRICTED_TAGS
    assert _notice_type(previews[clothing]) == "WEAR"
    detail = previews[kc]["originProduct"]["detailAttribute"]
    certificates = detail["productCertificationInfos"]
    assert [c["certificationKindType"] for c in certificates] == [KC_CERTIFICATION]
    assert certificates[0]["certificationNumber"]
    assert detail["certificationTargetExcludeContent"]["kcCertifiedProductExclusionYn"] == "FALSE"
    assert await _writes(sb) == {}, "preview must only read"

    # And the sync sends the same payloads (apart from the image URLs, which only it uploads)
    status, out, err = await run_cli(env, "sync", str(clothing), str(kc))
    assert status == 0, out + err
    assert out.strip().splitlines()[-1] == "2 item(s): 2 created", out
    for no, payload in previews.items():
        stored = await _stored(sb, env, f"DG-dome-{no}")
        origin = {k: v for k, v in payload["originProduct"].items() if k not in IMAGE_FIELDS}
        _assert_within(origin, stored["originProduct"], "originProduct")
        _assert_within(payload["smartstoreChannelProduct"], stored["smartstoreChannelProduct"], "channel")


async def test_preview_without_a_reachable_naver_says_so_in_one_line(
    sb: Sandbox, env: dict[str, str]
) -> None:
    # Given a deployment whose NAVER_API_URL does not answer (Domeggook still does)
    unreachable = f"http://{CLOSED}/external"
    offline_env = {**env, "NAVER_API_URL": unreachable}
    clothing, kc = _clothing_with_restricted_tag(sb), _kc_with_certificate(sb)

    # When the clothing item is previewed
    status, payload, err = await _preview(offline_env, clothing)

    # Then one line says the reference data is missing and why, and the payload is the plain transform
    assert status == 0, err
    [note] = _notes(err)
    assert note.startswith(f"reference data: not loaded (Naver at {unreachable}: NaverTransient: "), note
    assert note.endswith(NOTE_END), note
    assert payload is not None
    assert _tags(payload) & RESTRICTED_TAGS, "without the data the restricted tag is not known"
    assert _notice_type(payload) == "ETC"

    # And a gated leaf shows as review, the same as with --offline
    for flags, reason in (((), f"Naver at {unreachable}"), (("--offline",), "--offline")):
        status, payload, err = await _preview(offline_env, kc, *flags)
        assert status == 1
        assert payload is None
        [note] = _notes(err)
        assert note.startswith(f"reference data: not loaded ({reason}"), note
        assert f"item {kc}: CERTIFICATION_REQUIRED detail.safetyCert: " in err


async def test_preview_without_a_reachable_database_names_it_without_the_password(
    sb: Sandbox, env: dict[str, str]
) -> None:
    broken = {**env, "DATABASE_URL": f"postgresql://storebridge:hunter2secret@{CLOSED}/storebridge"}
    status, _, err = await _preview(broken, _clothing_with_restricted_tag(sb))
    assert status == 0, err
    [note] = _notes(err)
    assert f"DATABASE_URL: cannot connect to {CLOSED}" in note, note
    assert note.endswith(NOTE_END), note
    assert "hunter2secret" not in err


async def test_preview_of_a_saved_answer_without_naver_credentials_says_so(
    services: dict[str, str], cli: InProcessCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORE_AS_PHONE", "02-1234-5678")
    monkeypatch.delenv("CATEGORY_MAP_FILE", raising=False)
    _, _, err = await cli("preview", "--from-file", str(DOMEGGOOK_DATA / "item_view_single.json"))
    assert _notes(err) == [f"reference data: not loaded (NAVER_CLIENT_ID is not set){NOTE_END}"]


async def test_preview_reads_the_category_map_the_operator_imported_into_postgresql(
    sb: Sandbox, env: dict[str, str]
) -> None:
    # Given a deployment whose map lives only in PostgreSQL (imported, no CATEGORY_MAP_FILE)
    status, out, err = await run_cli(env, "categories", "import", str(CATEGORY_MAP_PATH))
    assert status == 0, out + err
    db_only = {**env, "CATEGORY_MAP_FILE": ""}
    clothing = _clothing_with_restricted_tag(sb)

    # When the clothing item is previewed
    status, payload, err = await _preview(db_only, clothing)

    # Then it is listed in its leaf as the workers would list it, not CATEGORY_NOT_MAPPED
    assert status == 0, err
    assert payload is not None
    assert _notice_type(payload) == "WEAR"
