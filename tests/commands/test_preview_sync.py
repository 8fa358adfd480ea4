"""``storebridge preview`` and ``storebridge sync``: from saved files in-process, against the sandbox as
subprocesses (``main`` runs ``asyncio.run``, so it cannot run inside an async test's loop)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from storebridge.cli import main
from storebridge.sandbox.catalog.model import ItemStatus
from tests.paths import DOMEGGOOK_DATA as DATA
from tests.support import naver_stats, run_cli

SINGLE = DATA / "item_view_single.json"
#: Category of item_view_single.json and a leaf for it.
SINGLE_CATEGORY, TUMBLER_LEAF = "04_01_03_00_00", "50000803"
PHONE = "02-1234-5678"
SUBPROCESS_TIMEOUT_S = 90.0


@pytest.fixture
def category_map(tmp_path: Path) -> Path:
    """A one-row category map covering item_view_single.json's category."""
    path = tmp_path / "map.csv"
    path.write_text(f"domeggook_code,naver_leaf_category_id,note\n{SINGLE_CATEGORY},{TUMBLER_LEAF},t\n")
    return path


@pytest.fixture(autouse=True)
def _no_map_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CATEGORY_MAP_FILE", raising=False)


def _single_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SINGLE.read_text(encoding="utf-8"))
    return doc


def _write(tmp_path: Path, name: str, doc: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_preview_from_file_prints_the_naver_payload(
    category_map: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["preview", "--from-file", str(SINGLE), "--category-map", str(category_map), "--as-phone", PHONE]
    )
    out, err = capsys.readouterr()
    assert status == 0, err
    payload = json.loads(out)
    origin = payload["originProduct"]
    assert origin["salePrice"] > 0
    assert origin["salePrice"] % 10 == 0
    assert origin["leafCategoryId"] == TUMBLER_LEAF
    no = _single_doc()["domeggook"]["basis"]["no"]
    seller_code = origin["detailAttribute"]["sellerCodeInfo"]["sellerManagementCode"]
    assert seller_code == f"DG-dome-{no}"
    assert "images not uploaded" in err


def test_preview_with_item_no_picks_that_item_from_the_file(
    category_map: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    no = _single_doc()["domeggook"]["basis"]["no"]
    args = ["--from-file", str(SINGLE), "--category-map", str(category_map), "--as-phone", PHONE]
    assert main(["preview", str(no), *args]) == 0
    capsys.readouterr()
    assert main(["preview", "1", *args]) == 1
    assert "item 1 is not in the file" in capsys.readouterr().err


def test_preview_of_an_unmapped_category_is_rejected_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _single_doc()
    doc["domeggook"]["category"]["current"]["code"] = "09_09_09_00_00"
    doc["domeggook"]["category"]["parents"] = {"elem": [{"name": "x", "code": "09_00_00_00_00", "depth": 1}]}
    path = _write(tmp_path, "unmapped.json", doc)
    status = main(["preview", "--from-file", str(path), "--as-phone", PHONE])
    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""
    no = doc["domeggook"]["basis"]["no"]
    assert f"item {no}: CATEGORY_NOT_MAPPED category.current.code: " in err


def test_preview_of_malformed_json_names_the_file_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"domeggook": {"basis": ', encoding="utf-8")
    status = main(["preview", "--from-file", str(path), "--as-phone", PHONE])
    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""
    assert str(path) in err
    assert "not valid JSON" in err
    assert "Traceback" not in err


def test_preview_of_invalid_item_data_names_the_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _single_doc()
    doc["domeggook"]["price"]["dome"] = "1+3800|20+"
    path = _write(tmp_path, "bad_price.json", doc)
    status = main(["preview", "--from-file", str(path), "--as-phone", PHONE])
    err = capsys.readouterr().err
    assert status == 1
    assert str(path) in err
    assert "price.dome" in err
    assert len(err.strip().splitlines()) == 1


def test_preview_of_a_missing_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    status = main(["preview", "--from-file", str(missing), "--as-phone", PHONE])
    err = capsys.readouterr().err
    assert status == 2
    assert f"cannot read {missing}: No such file or directory" in err


def test_preview_without_store_as_phone_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("STORE_AS_PHONE", raising=False)
    status = main(["preview", "--from-file", str(SINGLE)])
    assert status == 2
    assert "STORE_AS_PHONE" in capsys.readouterr().err


def test_sync_refuses_item_numbers_that_are_not_positive_integers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", "123", "abc"]) == 2
    assert "'abc'" in capsys.readouterr().err
    listing = tmp_path / "items.txt"
    listing.write_text("123\n# comment\n\n0\n")
    assert main(["sync", "--from-file", str(listing)]) == 2
    assert f"{listing} line 4" in capsys.readouterr().err
    assert main(["sync"]) == 2


# --------------------------------------------------------------------------- against the sandbox


async def _cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run ``python -m storebridge.cli ARGS`` with ``env`` on top of this environment."""
    # A stray host CATEGORY_MAP_FILE must not leak in; the sandbox's own (in ``env``) is kept.
    full_env = {**{k: v for k, v in os.environ.items() if k != "CATEGORY_MAP_FILE"}, **env}
    return await run_cli(full_env, *args, timeout_s=SUBPROCESS_TIMEOUT_S)


async def _previewable(sandbox: Any, env: dict[str, str], wanted: int) -> list[int]:
    """The first ``wanted`` healthy on-sale catalog items that ``preview`` turns into a payload."""
    found: list[int] = []
    for item in sandbox.catalog:
        if item.scenarios or item.status != ItemStatus.ON_SALE:
            continue
        status, out, err = await _cli(env, "preview", str(item.no))
        assert status in (0, 1), err
        if status == 0:
            assert json.loads(out)["originProduct"]["salePrice"] > 0
            found.append(item.no)
            if len(found) == wanted:
                break
    return found


async def test_preview_fetches_an_item_from_the_sandbox(sandbox: Any) -> None:
    found = await _previewable(sandbox, sandbox.environment(), 1)
    assert found, "no catalog item could be previewed"


async def test_preview_of_an_item_unknown_to_the_sandbox_exits_1(sandbox: Any) -> None:
    unknown = max(item.no for item in sandbox.catalog) + 1
    status, out, err = await _cli(sandbox.environment(), "preview", str(unknown))
    assert status == 1
    assert out == ""
    assert f"item {unknown} is gone" in err
    assert "Traceback" not in err


async def test_sync_creates_then_finds_items_unchanged(sandbox: Any, service_urls: dict[str, str]) -> None:
    env = {**sandbox.environment(), **service_urls, "NAVER_MAX_TPS": "1.9"}
    nos = await _previewable(sandbox, env, 2)
    assert len(nos) == 2

    status, out, err = await _cli(env, "sync", *map(str, nos))
    assert status == 0, out + err
    lines = out.strip().splitlines()
    for no in nos:
        assert any(line.startswith(f"{no} created") for line in lines), out
    assert lines[-1] == "2 item(s): 2 created"

    status, out, err = await _cli(env, "sync", *map(str, nos))
    assert status == 0, out + err
    lines = out.strip().splitlines()
    for no in nos:
        assert any(line.startswith(f"{no} unchanged") for line in lines), out
    assert lines[-1] == "2 item(s): 2 unchanged"

    stats = await naver_stats(sandbox.naver_origin)
    assert stats["products"] == 2
    assert stats["duplicates"] == 0
