"""``storebridge status``: where every product is, what failed and why, and how the intake is doing.

Read-only: needs ``DATABASE_URL`` and ``REDIS_URL`` only (no API credentials) and never migrates;
on a database without the schema it says to run ``storebridge migrate`` (exit 1). ``--json`` prints
one object for scripts and dashboards:

``{"states": {STATE: n}, "total": n, "intake": {"stream_length", "pending", "undelivered",
"dead_letter"}, "failures": [{"market", "item_no", "state", "code", "message", "updated_at"}]}``
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import TYPE_CHECKING, Any

from storebridge.commands.common import EXIT_OK, failing_on_service_errors
from storebridge.config import Settings, load_settings
from storebridge.keys import reply_text

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from storebridge.keys import Keys

#: Failures listed by default (newest first).
DEFAULT_FAILURES = 20
#: Longest error message shown per failure in the text output (characters).
TEXT_MESSAGE_CHARS = 100


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``status`` subcommand."""
    parser = subparsers.add_parser(
        "status",
        help="products by state, recent failures, intake backlog",
        description="Show how many products are in each state, the latest failures with their "
        "reasons, and the intake stream's length, pending entries and dead letters. Read-only.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--failures", type=int, default=DEFAULT_FAILURES, metavar="N", help="how many recent failures to list"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Collect and print the status; return the exit status."""
    from storebridge.commands.preflight import check_services

    settings = load_settings()
    check_services(settings, redis=True, database=True)
    with failing_on_service_errors():  # a database without the schema: "run storebridge migrate"
        report = asyncio.run(collect(settings, failures=max(0, args.failures)))
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render(report), flush=True)
    return EXIT_OK


async def collect(settings: Settings, *, failures: int = DEFAULT_FAILURES) -> dict[str, Any]:
    """The status as a JSON-ready dict (see the module docstring)."""
    from redis.asyncio import Redis

    from storebridge.keys import Keys
    from storebridge.store import StateStore

    async with StateStore(settings.database_url.get_secret_value(), min_size=1, max_size=2) as store:
        counts = await store.counts_by_state()
        rows = await store.recent_failures(limit=failures) if failures else []
    redis = Redis.from_url(settings.redis_url.get_secret_value())
    try:
        intake = await intake_status(redis, Keys(settings.redis_namespace))
    finally:
        await redis.aclose()
    return {
        "states": {state.value: n for state, n in counts.items()},
        "total": sum(counts.values()),
        "intake": intake,
        "failures": [
            {
                "market": row.market,
                "item_no": row.item_no,
                "state": row.state.value,
                "code": row.last_error_code,
                "message": row.last_error_message,
                "updated_at": row.updated_at.isoformat(),
            }
            for row in rows
        ],
    }


async def intake_status(redis: Redis, keys: Keys) -> dict[str, int | None]:
    """Stream length, entries pending in the group, entries not yet delivered, dead letters.

    ``undelivered`` is the group's ``lag`` (Redis 7+/Valkey; None when the server cannot tell).
    Without a group (no daemon ever ran) every entry is undelivered.
    """
    from redis.exceptions import ResponseError

    stream = keys.intake_stream
    length = int(await redis.xlen(stream))
    pending: int = 0
    undelivered: int | None = length
    try:
        groups = await redis.xinfo_groups(stream)
    except ResponseError:
        groups = []
    for info in groups:
        if reply_text(info["name"]) == keys.intake_group:
            pending = int(info["pending"])
            lag = info.get("lag")
            undelivered = int(lag) if lag is not None else None
    return {
        "stream_length": length,
        "pending": pending,
        "undelivered": undelivered,
        "dead_letter": int(await redis.xlen(keys.intake_dead_letter)),
    }


def render(report: dict[str, Any]) -> str:
    """The human-readable form: states, intake line, failures."""
    lines = ["Products by state:"]
    lines += [f"  {state:<14} {n:>8}" for state, n in report["states"].items()]
    lines.append(f"  {'total':<14} {report['total']:>8}")
    intake = report["intake"]
    undelivered = "?" if intake["undelivered"] is None else intake["undelivered"]
    lines.append(
        f"Intake: {intake['stream_length']} entries in the stream, {intake['pending']} pending, "
        f"{undelivered} not yet delivered, {intake['dead_letter']} dead-lettered"
    )
    failures = report["failures"]
    lines.append(f"Recent failures ({len(failures)}, newest first):" if failures else "Recent failures: none")
    for f in failures:
        message = (f["message"] or "").replace("\n", " ")[:TEXT_MESSAGE_CHARS]
        lines.append(
            f"  {f['updated_at'][:19]}  {f['market']} {f['item_no']}  {f['state']}  {f['code']}: {message}"
        )
    return "\n".join(lines)
