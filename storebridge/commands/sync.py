"""``storebridge sync``: sync the given Domeggook items to Naver now, in the foreground.

Migrates the database first (safe to run concurrently), opens the same resources the workers use
(store, rate limiter, clients, image pipeline) and runs one batch through the pipeline. Prints one
line per item and a summary with the count per outcome. Exit 0 when every item ended in a settled
outcome (created, adopted, updated, price_stock, unchanged, suspended, resumed), 1 otherwise or when
a service cannot be reached, 2 on bad item numbers or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from pathlib import Path

from storebridge.config import ConfigError, Settings, load_settings
from storebridge.sync import Outcome, SyncResult

#: Outcomes after which the item needs nothing more from anyone: exit status 0.
SETTLED_OUTCOMES = frozenset(
    {
        Outcome.CREATED,
        Outcome.ADOPTED,
        Outcome.UPDATED,
        Outcome.PRICE_STOCK,
        Outcome.UNCHANGED,
        Outcome.SUSPENDED,
        Outcome.RESUMED,
    }
)
EXIT_OK, EXIT_UNSETTLED, EXIT_USAGE = 0, 1, 2
PROG = "storebridge sync"


class BadItemNumbers(ValueError):
    """An item number given on the command line or in ``--from-file`` is not a positive integer."""


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
        "--from-file", metavar="FILE", help="file with one item number per line (blank lines and # ignored)"
    )
    parser.set_defaults(handler=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Validate the item numbers, sync them and print the results; return the exit status."""
    try:
        nos = item_numbers(args.item_nos, args.from_file)
    except BadItemNumbers as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not nos:
        print(f"{PROG}: give at least one ITEM_NO or --from-file FILE", file=sys.stderr)
        return EXIT_USAGE
    settings = load_settings()
    settings.require_credentials()
    _configure_logging(settings)
    try:
        results = asyncio.run(_sync(settings, nos))
    except ConfigError:
        raise
    except _service_errors() as exc:
        # The DSN and Redis URL may hold passwords: name the failure, never echo the URLs.
        print(f"{PROG}: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_UNSETTLED
    for result in results:
        print(result.line(), flush=True)
    print(summary(results), flush=True)
    return EXIT_OK if all(result.outcome in SETTLED_OUTCOMES for result in results) else EXIT_UNSETTLED


def item_numbers(given: list[str], from_file: str | None) -> list[int]:
    """The item numbers to sync, command line first, then the file's, without repeats.

    Raises ``BadItemNumbers`` naming the first bad value (and its file line) or an unreadable file.
    """
    tokens = [(text, "command line") for text in given]
    if from_file is not None:
        try:
            lines = Path(from_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise BadItemNumbers(f"cannot read {from_file}: {reason}") from None
        for line_no, line in enumerate(lines, start=1):
            text = line.split("#", 1)[0].strip()
            if text:
                tokens.append((text, f"{from_file} line {line_no}"))
    nos: list[int] = []
    for text, where in tokens:
        value = text.strip()
        if not value.isascii() or not value.isdigit() or int(value) <= 0:
            raise BadItemNumbers(f"item number must be a positive integer, got {text!r} ({where})")
        nos.append(int(value))
    return list(dict.fromkeys(nos))


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


def _service_errors() -> tuple[type[BaseException], ...]:
    """Failures of the services (PostgreSQL, Redis, S3, the APIs) that end the command with one line."""
    import asyncpg
    import botocore.exceptions
    import redis.exceptions

    from storebridge.errors import StoreBridgeError

    return (
        OSError,
        TimeoutError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        redis.exceptions.RedisError,
        botocore.exceptions.BotoCoreError,
        botocore.exceptions.ClientError,
        StoreBridgeError,
    )
