"""Plain-SQL schema migrations: ``storebridge/store/migrations/NNNN_name.sql``, applied in order, once each.

Each file runs in its own transaction together with its ``schema_migrations`` row, under a
transaction-scoped advisory lock, so two processes migrating at once (two pods starting, a Helm
hook and a developer) serialise: the second finds the file recorded and skips it. A file that fails
leaves nothing behind (its transaction rolls back) and stops the run. Statements that cannot run in
a transaction (``CREATE INDEX CONCURRENTLY``) are therefore not supported in migration files.

A file that was applied and later edited is refused (``MigrationError``): the database would not
match the code, and a silent skip would hide that.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import asyncpg

from storebridge.errors import PermanentError

logger = logging.getLogger(__name__)

#: Advisory lock key every migrating process takes (any fixed bigint; "SBMIGR" in ASCII).
MIGRATION_LOCK_KEY = 0x53424D494752
#: How long one connection attempt may take, in seconds.
CONNECT_TIMEOUT_S = 10.0

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name       text PRIMARY KEY,
    sha256     text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(PermanentError):
    """The schema cannot be brought up to date without a person (edited or broken migration)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="MIGRATION")


@dataclass(frozen=True, slots=True)
class Migration:
    """One migration file: its name (the file name), its SQL and the SQL's sha256."""

    name: str
    sql: str

    @property
    def sha256(self) -> str:
        """Content hash recorded with the migration, to detect later edits."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(directory: Path | Traversable | None = None) -> list[Migration]:
    """The ``*.sql`` files of ``directory`` (default: the packaged migrations), sorted by name."""
    root = directory if directory is not None else resources.files("storebridge.store") / "migrations"
    files = sorted((f for f in root.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [Migration(f.name, f.read_text(encoding="utf-8")) for f in files]


async def migrate(dsn: str, *, directory: Path | None = None) -> list[str]:
    """Apply every not-yet-applied migration in order; return the names applied by this call.

    Safe to run concurrently and repeatedly (an up-to-date database returns ``[]``). Raises
    ``MigrationError`` when an applied file was edited; a failing file's error propagates after
    its transaction rolled back, with earlier files left applied.
    """
    migrations = load_migrations(directory)
    conn: asyncpg.Connection = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S)
    applied: list[str] = []
    try:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
            await conn.execute(_CREATE_LEDGER)
        for migration in migrations:
            if await _apply_one(conn, migration):
                applied.append(migration.name)
    finally:
        await conn.close()
    return applied


async def _apply_one(conn: asyncpg.Connection, migration: Migration) -> bool:
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
        recorded = await conn.fetchval("SELECT sha256 FROM schema_migrations WHERE name = $1", migration.name)
        if recorded is not None:
            if recorded != migration.sha256:
                raise MigrationError(
                    f"migration {migration.name} was edited after it was applied "
                    "(add a new migration file instead)"
                )
            return False
        logger.info("store.migration.apply", extra={"migration": migration.name})
        await conn.execute(migration.sql)
        await conn.execute(
            "INSERT INTO schema_migrations (name, sha256) VALUES ($1, $2)", migration.name, migration.sha256
        )
        return True
