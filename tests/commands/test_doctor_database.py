"""``storebridge doctor`` when PostgreSQL cannot be read: the category-map line says so, never "no rows".

Run in this process (``InProcessCli``) with the settings an operator's shell would hold.
"""

from __future__ import annotations

import pytest

from tests.support import InProcessCli

#: No service listens on port 1 of the loopback interface.
CLOSED = "127.0.0.1:1"
PASSWORD = "hunter2secret"
REAL_API = "https://api.commerce.naver.com/external"
SANDBOX_API = "http://127.0.0.1:9/external"


@pytest.fixture
def shell(services: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """This test's Redis and database, no category map, the Naver API kind read from the URL."""
    monkeypatch.delenv("CATEGORY_MAP_FILE", raising=False)
    monkeypatch.setenv("NAVER_API_KIND", "auto")
    return monkeypatch


def _map_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if "category map" in line or "CATEGORY_MAP_FILE" in line]


@pytest.mark.parametrize("api", [REAL_API, SANDBOX_API], ids=["real", "sandbox"])
async def test_doctor_with_an_unreachable_database_says_it_could_not_be_read(
    shell: pytest.MonkeyPatch, cli: InProcessCli, api: str
) -> None:
    # Given a DATABASE_URL nothing answers
    shell.setenv("DATABASE_URL", f"postgresql://storebridge:{PASSWORD}@{CLOSED}/storebridge")
    shell.setenv("NAVER_API_URL", api)

    # When the doctor runs
    status, out, err = await cli("doctor")

    # Then it fails, and the map line names the unreadable database without its password
    assert status == 1, out + err
    assert f"FAIL DATABASE_URL: cannot connect to {CLOSED} (connection refused)" in out.splitlines()
    [line] = _map_lines(out)
    expected = f"could not be read (DATABASE_URL: cannot connect to {CLOSED} (connection refused))"
    assert expected in line, line
    assert "no category_map rows" not in line
    assert line.startswith("FAIL CATEGORY_MAP_FILE: " if api == REAL_API else "info category map: "), line
    assert PASSWORD not in out + err
    assert "Traceback" not in err


async def test_doctor_with_an_unmigrated_database_says_to_migrate(
    shell: pytest.MonkeyPatch, cli: InProcessCli, empty_database_url: str
) -> None:
    shell.setenv("DATABASE_URL", empty_database_url)
    shell.setenv("NAVER_API_URL", REAL_API)
    status, out, _ = await cli("doctor")
    assert status == 1
    [line] = _map_lines(out)
    assert line.startswith("FAIL CATEGORY_MAP_FILE: "), line
    assert "could not be read (no category_map table: run storebridge migrate)" in line, line
