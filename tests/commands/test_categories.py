"""``storebridge categories`` end to end: fetch both sandbox trees, propose, confirm, import."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from pathlib import Path
from typing import Any

import pytest

from storebridge.cli import main
from storebridge.store import StateStore


@pytest.fixture
def env(
    sandbox: Any, database_url: str, redis_url: str, redis_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    values = {
        **sandbox.environment(),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_NAMESPACE": redis_namespace,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    return values


async def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = await asyncio.to_thread(main, list(args))
    out, err = capsys.readouterr()
    return status, out, err


async def test_fetch_propose_confirm_import(
    env: dict[str, str], database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = await cli(capsys, "categories", "propose")
    assert status == 1
    assert "run storebridge categories fetch first" in err

    status, _, err = await cli(capsys, "categories", "fetch")
    assert status == 0, err
    assert "Naver categories" in err
    assert "Domeggook categories" in err

    proposal = tmp_path / "proposal.csv"
    status, _, err = await cli(capsys, "categories", "propose", "-o", str(proposal))
    assert status == 0, err
    rows = list(csv.DictReader(proposal.read_text(encoding="utf-8").splitlines()))
    by_code = {r["domeggook_code"]: r for r in rows}
    assert by_code["04_01_03_00_00"]["naver_leaf_category_id"] == "50000803"
    assert float(by_code["04_01_03_00_00"]["confidence"]) >= 0.9
    assert all(r["confirmed"] == "" for r in rows), "nothing is confirmed for the reviewer"

    # The reviewer confirms the sure rows and corrects one by hand.
    for row in rows:
        row["confirmed"] = "yes" if float(row["confidence"]) >= 0.8 and not row["ambiguous"] else ""
    by_code["01_02_01_00_00"].update(naver_leaf_category_id="50000841", confirmed="yes")
    reviewed = tmp_path / "reviewed.csv"
    with reviewed.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    status, _, err = await cli(capsys, "categories", "import", str(reviewed))
    assert status == 0, err
    confirmed = sum(1 for r in rows if r["confirmed"] == "yes")
    assert f"imported {confirmed} confirmed mappings" in err

    async with StateStore(database_url) as store:
        mapping = await store.category_map()
    assert len(mapping) == confirmed
    assert mapping["04_01_03_00_00"].naver_leaf_category_id == "50000803"
    assert mapping["01_02_01_00_00"].naver_leaf_category_id == "50000841"
    assert {m.source for m in mapping.values()} == {"manual"}


async def test_import_refuses_a_leaf_naver_does_not_have(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await cli(capsys, "categories", "fetch"))[0] == 0
    bad = tmp_path / "map.csv"
    bad.write_text(
        "domeggook_code,naver_leaf_category_id\n04_01_03_00_00,50000803\n04_01_05_00_00,50000080\n"
    )
    status, _, err = await cli(capsys, "categories", "import", str(bad))
    assert status == 2
    assert "map.csv line 3: 50000080 is not a Naver leaf category" in err


async def test_import_replace_deactivates_what_the_file_leaves_out(
    env: dict[str, str], database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first.csv"
    first.write_text(
        "domeggook_code,naver_leaf_category_id\n04_01_03_00_00,50000803\n04_02_01_00_00,50000820\n"
    )
    second = tmp_path / "second.csv"
    second.write_text("domeggook_code,naver_leaf_category_id\n04_01_03_00_00,50000803\n")
    assert (await cli(capsys, "categories", "import", str(first)))[0] == 0
    status, _, err = await cli(capsys, "categories", "import", "--replace", str(second))
    assert status == 0, err
    assert "1 deactivated" in err
    async with StateStore(database_url) as store:
        assert set(await store.category_map()) == {"04_01_03_00_00"}
