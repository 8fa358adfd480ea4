"""``storebridge migrate``: bring the PostgreSQL schema up to date (safe to run concurrently).

Run before new pods start (the Helm ``pre-install,pre-upgrade`` hook) and by ``make run``. Reads
``DATABASE_URL`` through ``storebridge.config``; exits 0 when up to date, 1 when the database
cannot be reached or a migration fails (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``migrate`` subcommand."""
    parser = subparsers.add_parser(
        "migrate",
        help="apply pending database migrations",
        description="Apply the SQL files in storebridge/store/migrations that the database (DATABASE_URL) "
        "has not seen yet, in order, each in its own transaction. Safe to run concurrently.",
    )
    parser.set_defaults(handler=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Apply pending migrations and print what was applied; return the exit status."""
    import asyncpg

    from storebridge.config import load_settings
    from storebridge.store import MigrationError, migrate

    dsn = load_settings().database_url.get_secret_value()
    try:
        applied = asyncio.run(migrate(dsn))
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, MigrationError) as exc:
        # The DSN may hold a password: name the failure, never echo the URL.
        print(f"storebridge migrate: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    for name in applied:
        print(f"applied {name}", flush=True)
    print("database schema is up to date" if not applied else f"{len(applied)} migration(s) applied")
    return 0
