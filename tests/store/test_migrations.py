"""Schema migrations: in order, once each, atomic per file, safe when several processes migrate at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from storebridge.cli import main
from storebridge.devstack import free_port
from storebridge.store import MigrationError, load_migrations, migrate

CONCURRENT_MIGRATORS = 6


async def ledger(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return [r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations ORDER BY name")]
    finally:
        await conn.close()


async def tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r["tablename"] for r in rows}
    finally:
        await conn.close()


def test_packaged_migrations_are_numbered_sql_files_in_order() -> None:
    names = [m.name for m in load_migrations()]
    assert names
    assert names == sorted(names)
    assert all(n[:4].isdigit() and n[4] == "_" and n.endswith(".sql") for n in names)


async def test_migrating_an_up_to_date_database_applies_nothing(database_url: str) -> None:
    assert await migrate(database_url) == []
    assert await ledger(database_url) == [m.name for m in load_migrations()]


async def test_a_fresh_database_gets_every_table(empty_database_url: str) -> None:
    applied = await migrate(empty_database_url)

    assert applied == [m.name for m in load_migrations()]
    assert {
        "schema_migrations",
        "products",
        "product_events",
        "images",
        "category_map",
        "banned_words",
        "intake_jobs",
        "product_states",
        "state_transitions",
    } <= await tables(empty_database_url)


async def test_concurrent_migrations_apply_each_file_exactly_once(empty_database_url: str) -> None:
    results = await asyncio.gather(*(migrate(empty_database_url) for _ in range(CONCURRENT_MIGRATORS)))

    applied = [name for result in results for name in result]
    assert sorted(applied) == [m.name for m in load_migrations()]
    assert await ledger(empty_database_url) == [m.name for m in load_migrations()]


async def test_a_failing_migration_leaves_nothing_behind_and_stops_the_run(
    empty_database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE first_table (x int);")
    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE half_table (x int); SELECT 1 / 0;")
    (tmp_path / "0003_later.sql").write_text("CREATE TABLE later_table (x int);")
    (tmp_path / "README.txt").write_text("not a migration")

    with pytest.raises(asyncpg.DivisionByZeroError):
        await migrate(empty_database_url, directory=tmp_path)

    assert await ledger(empty_database_url) == ["0001_ok.sql"]
    assert await tables(empty_database_url) == {"schema_migrations", "first_table"}

    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE half_table (x int);")
    assert await migrate(empty_database_url, directory=tmp_path) == ["0002_broken.sql", "0003_later.sql"]


async def test_a_migration_edited_after_it_was_applied_is_refused(
    empty_database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE t (x int);")
    await migrate(empty_database_url, directory=tmp_path)
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE t (x bigint);")

    with pytest.raises(MigrationError, match=r"0001_ok\.sql was edited"):
        await migrate(empty_database_url, directory=tmp_path)


def _run_command(argv: list[str]) -> int:
    return main(argv)


async def test_the_migrate_command_applies_then_reports_up_to_date(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_database_url)

    assert await asyncio.to_thread(_run_command, ["migrate"]) == 0
    first = capsys.readouterr().out
    assert await asyncio.to_thread(_run_command, ["migrate"]) == 0
    second = capsys.readouterr().out

    assert first.splitlines() == [
        *(f"applied {m.name}" for m in load_migrations()),
        f"{len(load_migrations())} migration(s) applied",
    ]
    assert second.splitlines() == ["database schema is up to date"]


async def test_the_migrate_command_reports_an_unreachable_database_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://sb:s3cret-pw@127.0.0.1:{free_port()}/nothing")

    assert await asyncio.to_thread(_run_command, ["migrate"]) == 1

    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("storebridge migrate: DATABASE_URL: cannot connect to 127.0.0.1:")
    assert "s3cret-pw" not in err
