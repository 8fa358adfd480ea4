"""``storebridge migrate``: bring the PostgreSQL schema up to date (safe to run concurrently).

Run before new pods start (the Helm ``pre-install,pre-upgrade`` hook) and by ``make run``. Reads
``DATABASE_URL`` through ``storebridge.config``; exits 0 when up to date, 1 when the database
cannot be reached or a migration fails (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import asyncio

from storebridge.commands.common import EXIT_OK, failing_on_service_errors


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``migrate`` subcommand."""
    parser = subparsers.add_parser(
        "migrate",
        help="apply pending database migrations",
        description="Apply the SQL files in storebridge/store/migrations that the database (DATABASE_URL) "
        "has not seen yet, in order, each in its own transaction. Safe to run concurrently.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Apply pending migrations and print what was applied; return the exit status."""
    from storebridge.commands.preflight import check_services
    from storebridge.config import load_settings
    from storebridge.store import migrate

    settings = load_settings()
    check_services(settings, database=True)
    dsn = settings.database_url.get_secret_value()
    with failing_on_service_errors(missing_schema_hint=False):  # MigrationError is a StoreBridgeError
        applied = asyncio.run(migrate(dsn))
    for name in applied:
        print(f"applied {name}", flush=True)
    print("database schema is up to date" if not applied else f"{len(applied)} migration(s) applied")
    return EXIT_OK
