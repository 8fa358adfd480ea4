"""``storebridge enqueue``: put items on the intake stream for the daemon (operators and cron).

Sources, combined and de-duplicated in order: ``ITEM_NO`` arguments, ``-`` (stdin), ``--file``
(one or more numbers per line, ``#`` comments), a Domeggook list query (``--keyword``,
``--category``, ``--seller``: every page, through the shared rate limiter and daily quota, so a
listing never starves the workers' budget), and ``--registered``: the products StoreBridge already
manages (COMPLETED or SUSPENDED), least recently checked first, optionally only those checked
``--older-than`` a duration ago (``90s``, ``30m``, ``6h``, ``2d``, ``1h30m``) and at most ``--limit``
of them (``storebridge.store.recheck``; each in its own market). This is what keeps listings true:
the Helm chart's default CronJob runs it. Needs ``REDIS_URL`` (plus ``DOMEGGOOK_API_KEY`` for a list
query, ``DATABASE_URL`` for ``--registered``). Exit 0 with the count enqueued; 2 on bad input
(naming the value and its line); 1 when a service fails.
"""

from __future__ import annotations

import argparse
import asyncio
import re
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
#: Seconds per unit of an ``--older-than`` duration.
DURATION_UNITS_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d{1,6})([smhd])")


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
        "--registered",
        action="store_true",
        help="the products StoreBridge manages (COMPLETED, SUSPENDED), least recently checked first",
    )
    parser.add_argument(
        "--older-than",
        metavar="DURATION",
        type=parse_duration_s,
        help="with --registered: only those last checked at least this long ago (30m, 6h, 2d)",
    )
    parser.add_argument(
        "--limit", metavar="N", type=positive_int, help="with --registered: at most N products"
    )
    parser.add_argument(
        "--queue",
        choices=("normal", "batch"),
        help="worker queue (default: normal; batch for list queries and --registered)",
    )
    parser.add_argument(
        "--reason",
        help="label, e.g. sync, resync, import (default: sync; import for lists, resync for --registered)",
    )
    parser.add_argument("--market", choices=("dome", "supply"), help="default: DOMEGGOOK_MARKET")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Collect the item numbers, enqueue them and print the count; return the exit status."""
    listing = bool(args.keyword or args.category or args.seller)
    registered = bool(args.registered)
    if not registered and (args.older_than is not None or args.limit is not None):
        raise BadInput("--older-than and --limit select among --registered products: add --registered")
    queue = args.queue or ("batch" if listing or registered else "normal")
    reason = args.reason or ("import" if listing else "resync" if registered else "sync")
    check_reason(reason)
    nos = read_item_numbers(args.item_nos, args.file, stdin=sys.stdin)
    if not nos and not listing and not registered:
        raise BadInput("give ITEM_NO..., -, --file FILE, --keyword, --category, --seller or --registered")
    from storebridge.commands.preflight import check_services

    settings = load_settings()
    check_services(settings, redis=True, database=registered)
    market = args.market or settings.domeggook_market
    with failing_on_service_errors():
        if listing:
            nos = list(dict.fromkeys([*nos, *asyncio.run(_list_items(settings, market, args))]))
        items = [(market, no) for no in nos]
        if registered:
            found = asyncio.run(_registered_items(settings, older_than_s=args.older_than, limit=args.limit))
            items = list(dict.fromkeys([*items, *found]))
        count = asyncio.run(_enqueue(settings, items, queue=queue, reason=reason))
    markets = ",".join(sorted({m for m, _ in items})) or market
    print(f"enqueued {count} item(s) (market {markets}, queue {queue}, reason {reason})", flush=True)
    return EXIT_OK


def parse_duration_s(text: str) -> float:
    """Seconds of a duration such as ``90s``, ``30m``, ``6h``, ``2d`` or ``1h30m`` (argparse type)."""
    compact = text.strip().lower()
    parts = _DURATION.findall(compact)
    if not parts or "".join(n + unit for n, unit in parts) != compact:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 90s, 30m, 6h, 2d or 1h30m")
    return float(sum(int(n) * DURATION_UNITS_S[unit] for n, unit in parts))


def positive_int(text: str) -> int:
    """An integer of at least 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


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


async def _registered_items(
    settings: Settings, *, older_than_s: float | None, limit: int | None
) -> list[tuple[str, int]]:
    """``(market, item_no)`` of the managed products, least recently checked first."""
    from storebridge.store import StateStore

    async with StateStore(settings.database_url.get_secret_value(), min_size=1, max_size=1) as store:
        return await store.list_for_recheck(older_than_s=older_than_s, limit=limit)


async def _enqueue(settings: Settings, items: list[tuple[str, int]], *, queue: str, reason: str) -> int:
    from redis.asyncio import Redis

    from storebridge.intake import enqueue_entries, redis_time_ms
    from storebridge.keys import Keys

    progress = Progress("enqueued", len(items), sys.stderr)
    redis = Redis.from_url(settings.redis_url.get_secret_value())
    try:
        now_ms = await redis_time_ms(redis)
        entries = (
            IntakeEntry.model_validate(
                {"item_no": no, "market": market, "queue": queue, "reason": reason, "enqueued_at_ms": now_ms}
            )
            for market, no in items
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
