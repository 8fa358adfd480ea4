"""``storebridge enqueue``: put items on the intake stream for the daemon (operators and cron).

Sources, combined and de-duplicated in order: ``ITEM_NO`` arguments, ``-`` (stdin), ``--file``
(one or more numbers per line, ``#`` comments), and a Domeggook list query (``--keyword``,
``--category``, ``--seller``: every page, through the shared rate limiter and daily quota, so a
listing never starves the workers' budget). Needs ``REDIS_URL`` (plus ``DOMEGGOOK_API_KEY`` for a
list query). Exit 0 with the count enqueued; 2 on bad input (naming the value and its line); 1 when
a service fails.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from pydantic import ValidationError

from schemas.messages import IntakeEntry
from storebridge.commands.common import EXIT_OK, BadInput, failing_on_service_errors, read_item_numbers
from storebridge.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from storebridge.http import RequestKey
    from storebridge.limiter import RateLimiter

#: Inputs larger than this show a progress counter on stderr.
PROGRESS_ABOVE_ITEMS = 1000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``enqueue`` subcommand."""
    parser = subparsers.add_parser(
        "enqueue",
        help="put items on the intake stream for the daemon",
        description="Add Domeggook items to the intake stream; the daemon batches them for the workers.",
    )
    parser.add_argument("item_nos", nargs="*", metavar="ITEM_NO", help="item number(s); - reads stdin")
    parser.add_argument("--file", metavar="FILE", help="item numbers, one or more per line (# comments)")
    parser.add_argument("--keyword", help="Domeggook list query: every on-sale item matching the keyword")
    parser.add_argument("--category", metavar="CODE", help="list query: a level-2+ Domeggook category code")
    parser.add_argument("--seller", metavar="ID", help="list query: every item of one Domeggook seller")
    parser.add_argument(
        "--queue", choices=("normal", "batch"), help="worker queue (default: normal; batch for list queries)"
    )
    parser.add_argument("--reason", help="label, e.g. sync, resync, import (default: sync; import for lists)")
    parser.add_argument("--market", choices=("dome", "supply"), help="default: DOMEGGOOK_MARKET")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Collect the item numbers, enqueue them and print the count; return the exit status."""
    listing = bool(args.keyword or args.category or args.seller)
    queue = args.queue or ("batch" if listing else "normal")
    reason = args.reason or ("import" if listing else "sync")
    check_reason(reason)
    nos = read_item_numbers(args.item_nos, args.file, stdin=sys.stdin)
    if not nos and not listing:
        raise BadInput("give ITEM_NO..., -, --file FILE, --keyword, --category or --seller")
    from storebridge.commands.preflight import check_services

    settings = load_settings()
    check_services(settings, redis=True)
    market = args.market or settings.domeggook_market
    with failing_on_service_errors():
        if listing:
            nos = list(dict.fromkeys([*nos, *asyncio.run(_list_items(settings, market, args))]))
        count = asyncio.run(_enqueue(settings, nos, market=market, queue=queue, reason=reason))
    print(f"enqueued {count} item(s) (market {market}, queue {queue}, reason {reason})", flush=True)
    return EXIT_OK


def check_reason(reason: str) -> None:
    """Raise ``BadInput`` unless ``reason`` is a valid ``IntakeEntry.reason``."""
    try:
        IntakeEntry(item_no=1, reason=reason, enqueued_at_ms=0)
    except ValidationError as exc:
        raise BadInput(f"--reason {reason!r}: {exc.errors()[0]['msg']}") from None


class Progress:
    """``\\r``-updated counter on stderr for long runs (no dependency, no output for small inputs)."""

    def __init__(self, label: str, total: int | None, stream: TextIO) -> None:
        self.label, self.total, self.stream = label, total, stream
        self.shown = False

    def __call__(self, done: int) -> None:
        """Show ``done`` (of ``total``) once the input is large enough to be worth it."""
        if (self.total or done) <= PROGRESS_ABOVE_ITEMS:
            return
        of_total = f"/{self.total}" if self.total else ""
        self.stream.write(f"\r{self.label} {done}{of_total}")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        """End the progress line (if one was shown)."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


async def _enqueue(settings: Settings, nos: list[int], *, market: str, queue: str, reason: str) -> int:
    from redis.asyncio import Redis

    from storebridge.intake import enqueue_entries, redis_time_ms
    from storebridge.keys import Keys

    progress = Progress("enqueued", len(nos), sys.stderr)
    redis = Redis.from_url(settings.redis_url.get_secret_value())
    try:
        now_ms = await redis_time_ms(redis)
        entries = (
            IntakeEntry.model_validate(
                {"item_no": no, "market": market, "queue": queue, "reason": reason, "enqueued_at_ms": now_ms}
            )
            for no in nos
        )
        return await enqueue_entries(redis, Keys(settings.redis_namespace), entries, progress=progress)
    finally:
        progress.finish()
        await redis.aclose()


async def _list_items(settings: Settings, market: str, args: argparse.Namespace) -> list[int]:
    """Every item number of the list query (all pages), paced by the shared Domeggook budget."""
    from storebridge.domeggook import DomeggookClient
    from storebridge.limiter import RateLimiter

    if not settings.domeggook_api_key.get_secret_value():
        raise ConfigError("DOMEGGOOK_API_KEY is not set: it is required for a Domeggook list query")
    settings = settings.model_copy(update={"domeggook_market": market})
    progress = Progress("listed", None, sys.stderr)
    nos: dict[int, None] = {}
    async with (
        RateLimiter.from_settings(settings) as limiter,
        DomeggookClient.from_settings(settings, limiter=PatientHook(limiter)) as client,
    ):
        try:
            query = client.list_items(keyword=args.keyword, category=args.category, seller_id=args.seller)
            async for item in query:
                nos[item.no] = None
                progress(len(nos))
        finally:
            progress.finish()
    return list(nos)


class PatientHook:
    """The limiter hook for a foreground command: wait out ``RateLimitWait`` instead of failing.

    A worker hands a busy slot back to Dramatiq; a person running ``enqueue`` would rather wait.
    A used-up daily quota (``QuotaExhausted``) still ends the command.
    """

    def __init__(self, limiter: RateLimiter) -> None:
        from storebridge.limiter import LimiterHook

        self._hook = LimiterHook(limiter)

    async def before_request(self, key: RequestKey) -> None:
        """Wait for a shared slot, however long the queue of other callers is."""
        from storebridge.limiter import RateLimitWait

        while True:
            try:
                await self._hook.before_request(key)
                return
            except RateLimitWait as exc:
                await asyncio.sleep(max(exc.retry_after_s or 0.0, 0.1))

    async def after_response(self, key: RequestKey, status: int, headers: Mapping[str, str]) -> None:
        """Adapt the shared limiter to the answer (a 429 pauses the bucket for everyone)."""
        await self._hook.after_response(key, status, headers)
