"""``storebridge smoke``, the post-deploy check, run as an operator runs it: a process against the sandbox.

Given a deployed configuration (here: the sandbox, a fresh database, Redis namespace and bucket),
when ``storebridge smoke ITEM_NO`` runs, then it prints ``smoke PASS`` and exits 0 if the item is on
Naver exactly once afterwards, also when repeated; an item Naver cannot take prints ``smoke FAIL``
and exits 1; a missing item number is a usage error (exit 2).
"""

from __future__ import annotations

import os

import pytest

from storebridge.sandbox.catalog.model import ItemStatus
from storebridge.sandbox.runner import Sandbox
from tests.support import naver_stats, run_cli


@pytest.fixture
def env(sandbox: Sandbox, service_urls: dict[str, str]) -> dict[str, str]:
    """The process environment of a deployment pointed at this test's sandbox and services."""
    return {**os.environ, **sandbox.environment(), **service_urls, "LOG_FORMAT": "json"}


def bulk_only_item(sandbox: Sandbox) -> int:
    """A healthy, on-sale item with a minimum order above 1 (manual review by rule)."""
    for item in sandbox.catalog:
        if not item.scenarios and item.status is ItemStatus.ON_SALE and item.moq > 1:
            return item.no
    raise AssertionError("the sandbox catalog has no such item")


async def test_smoke_passes_when_the_item_is_on_naver_exactly_once_and_again_when_repeated(
    sandbox: Sandbox, env: dict[str, str]
) -> None:
    candidates = [
        i.no for i in sandbox.catalog if not i.scenarios and i.status is ItemStatus.ON_SALE and i.moq == 1
    ]
    passed: int | None = None
    for no in candidates:  # some healthy items still need manual review (e.g. certification categories)
        status, out, err = await run_cli(env, "smoke", str(no))
        if status == 0:
            passed = no
            break
        assert status == 1, (status, out, err[-2000:])
        assert out.startswith("smoke FAIL: "), (status, out, err[-2000:])
    assert passed is not None, "no candidate passed"
    assert out.strip().startswith(f"smoke PASS: item {passed} created"), out
    status, out, err = await run_cli(env, "smoke", str(passed))
    assert status == 0, (out, err[-2000:])
    assert out.strip().startswith(f"smoke PASS: item {passed} unchanged"), out
    assert (await naver_stats(sandbox.naver_origin))["duplicates"] == 0


async def test_smoke_fails_for_an_item_that_cannot_be_listed(sandbox: Sandbox, env: dict[str, str]) -> None:
    no = bulk_only_item(sandbox)
    # A bulk item lists with minPurchaseQuantity by default; a seller who caps it reviews it.
    status, out, err = await run_cli({**env, "MOQ_MAX": "1"}, "smoke", str(no))
    assert status == 1, (out, err[-2000:])
    assert out.strip().startswith(f"smoke FAIL: item {no} manual_review"), out


async def test_smoke_needs_an_item_number_or_a_keyword(env: dict[str, str]) -> None:
    status, _out, err = await run_cli(env, "smoke")
    assert status == 2
    assert "ITEM_NO or --from-list" in err


async def test_smoke_from_a_keyword_uses_the_first_search_hit_and_fails_when_there_is_none(
    sandbox: Sandbox, env: dict[str, str]
) -> None:
    title = next(i.title for i in sandbox.catalog if i.status is ItemStatus.ON_SALE)
    status, out, err = await run_cli(env, "smoke", "--from-list", title.split()[0])
    assert status in (0, 1), err[-2000:]
    assert out.startswith(("smoke PASS: item ", "smoke FAIL: item ")), out
    status, out, err = await run_cli(env, "smoke", "--from-list", "없는상품키워드")
    assert status == 1, err[-2000:]
    assert out.strip() == "smoke FAIL: no on-sale Domeggook item matches '없는상품키워드'"
