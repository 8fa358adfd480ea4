"""``storebridge retry``: send failed or reviewed products back through the pipeline.

``--failed`` selects FAILED, ``--review`` MANUAL_REVIEW (either or both), ``--code`` narrows to one
last error code. The rows are re-driven in one transaction (``StateStore.redrive``: never-registered
products to PENDING, registered ones to UPDATING, so a retry can never create a second Naver
product), then their item numbers are put on the intake stream with reason ``retry``.

Redis is checked before anything is re-driven; if enqueueing still fails afterwards, the re-driven
item numbers are printed on stderr so they can be passed to ``storebridge enqueue`` by hand (the
rows are no longer FAILED, so running ``retry`` again would not find them).
"""

from __future__ import annotations

import argparse
import asyncio

from storebridge.commands.common import EXIT_OK, BadInput, CommandFailed, failing_on_service_errors
from storebridge.config import Settings, load_settings
from storebridge.store import ProductRow

#: Reason on the intake entries of re-driven items.
RETRY_REASON = "retry"
#: Event message recorded on each re-driven product.
REDRIVE_MESSAGE = "storebridge retry"


class EnqueueAfterRedriveFailed(CommandFailed):
    """Products were re-driven but their item numbers could not be put on the intake stream.

    The operator must enqueue them by hand (``retry`` would no longer find them): the details are
    the ``storebridge enqueue`` command lines that do it, one per market.
    """

    def __init__(self, rows: list[ProductRow], cause: BaseException, *, queue: str) -> None:
        lines = []
        for market in sorted({row.market for row in rows}):
            numbers = " ".join(str(row.item_no) for row in rows if row.market == market)
            command = f"storebridge enqueue --market {market} --queue {queue} --reason {RETRY_REASON}"
            lines.append(f"enqueue them with: {command} {numbers}")
        super().__init__(
            f"re-driven {len(rows)} product(s) but enqueueing failed: {type(cause).__name__}: {cause}",
            details=lines,
        )
        self.rows = rows


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``retry`` subcommand."""
    parser = subparsers.add_parser(
        "retry",
        help="re-drive FAILED / MANUAL_REVIEW products and enqueue them",
        description="Move FAILED (--failed) and/or MANUAL_REVIEW (--review) products back into the "
        "pipeline and put their items on the intake stream.",
    )
    parser.add_argument("--failed", action="store_true", help="retry products in FAILED")
    parser.add_argument("--review", action="store_true", help="retry products in MANUAL_REVIEW")
    parser.add_argument("--code", metavar="CODE", help="only products whose last error code is CODE")
    parser.add_argument("--queue", choices=("normal", "batch"), default="normal", help="worker queue")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Re-drive, enqueue, print the count; return the exit status."""
    if not (args.failed or args.review):
        raise BadInput("choose --failed and/or --review")
    from storebridge.commands.preflight import check_services

    settings = load_settings()
    check_services(settings, redis=True, database=True)
    with failing_on_service_errors():
        rows = asyncio.run(
            _retry(settings, failed=args.failed, review=args.review, code=args.code, queue=args.queue)
        )
    print(
        f"re-driven and enqueued {len(rows)} product(s) (queue {args.queue}, reason {RETRY_REASON})",
        flush=True,
    )
    return EXIT_OK


async def _retry(
    settings: Settings, *, failed: bool, review: bool, code: str | None, queue: str
) -> list[ProductRow]:
    from redis.asyncio import Redis

    from schemas.messages import IntakeEntry
    from storebridge.intake import enqueue_entries, redis_time_ms
    from storebridge.keys import Keys
    from storebridge.store import State, StateStore

    states = [s for s, chosen in ((State.FAILED, failed), (State.MANUAL_REVIEW, review)) if chosen]
    redis = Redis.from_url(settings.redis_url.get_secret_value())
    try:
        now_ms = await redis_time_ms(redis)  # Redis must be up before anything is re-driven
        async with StateStore(settings.database_url.get_secret_value(), min_size=1, max_size=2) as store:
            rows = await store.redrive(states=states, error_code=code, message=REDRIVE_MESSAGE)
        fields = {"queue": queue, "reason": RETRY_REASON, "enqueued_at_ms": now_ms}
        try:
            entries = [
                IntakeEntry.model_validate({**fields, "item_no": r.item_no, "market": r.market}) for r in rows
            ]
            await enqueue_entries(redis, Keys(settings.redis_namespace), entries)
        except Exception as exc:
            raise EnqueueAfterRedriveFailed(rows, exc, queue=queue) from exc
        return rows
    finally:
        await redis.aclose()
