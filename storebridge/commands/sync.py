"""``storebridge sync``: sync the given Domeggook items to Naver now, in the foreground.

Migrates the database first (safe to run concurrently), opens the same resources the workers use
(store, rate limiter, clients, image pipeline) and runs one batch through the pipeline. Prints one
line per item and a summary with the count per outcome. Exit 0 when every item ended in a success
outcome (``sync.result.SUCCESS_OUTCOMES``: created, adopted, updated, price_stock, unchanged,
suspended, resumed), 1 otherwise or when a service cannot be reached, 2 on bad item numbers or
configuration.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter

from storebridge.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    BadInput,
    failing_on_service_errors,
    read_item_numbers,
)
from storebridge.config import Settings, load_settings
from storebridge.sync import Outcome, SyncResult
from storebridge.sync.result import SUCCESS_OUTCOMES


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sync`` subcommand."""
    parser = subparsers.add_parser(
        "sync",
        help="sync the given items to Naver now",
        description="Fetch the given Domeggook items and create, update or suspend their Naver "
        "products, within both APIs' rate limits. Migrates the database first.",
    )
    parser.add_argument("item_nos", nargs="*", metavar="ITEM_NO", help="Domeggook item number(s)")
    parser.add_argument(
        "--from-file", metavar="FILE", help="item numbers, one or more per line (blank lines and # ignored)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate the item numbers, sync them and print the results; return the exit status."""
    nos = read_item_numbers(args.item_nos, args.from_file)
    if not nos:
        raise BadInput("give at least one ITEM_NO or --from-file FILE")
    from storebridge.commands.preflight import check_services

    settings = load_settings()
    settings.require_credentials()
    check_services(settings, redis=True, database=True, s3=True)
    _configure_logging(settings)
    with failing_on_service_errors():
        results = asyncio.run(_sync(settings, nos))
    for result in results:
        print(result.line(), flush=True)
    print(summary(results), flush=True)
    return EXIT_OK if all(result.outcome in SUCCESS_OUTCOMES for result in results) else EXIT_FAILED


def summary(results: list[SyncResult]) -> str:
    """``3 item(s): 2 created, 1 manual_review`` (outcomes in their declared order)."""
    counts = Counter(result.outcome for result in results)
    parts = [f"{counts[outcome]} {outcome.value}" for outcome in Outcome if counts[outcome]]
    return f"{len(results)} item(s): {', '.join(parts) or 'nothing done'}"


async def _sync(settings: Settings, nos: list[int]) -> list[SyncResult]:
    from storebridge.resources import Resources
    from storebridge.store import migrate

    await migrate(settings.database_url.get_secret_value())
    async with Resources(settings) as resources:
        return await resources.syncer.sync_items(nos)


def _configure_logging(settings: Settings) -> None:
    from storebridge.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format, secrets=settings.secret_values())
