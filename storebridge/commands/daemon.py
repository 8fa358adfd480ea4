"""``storebridge daemon``: the intake daemon (Redis stream → Dramatiq) with ``/health`` and ``/metrics``."""

from __future__ import annotations

import argparse
import asyncio

from storebridge.config import load_settings
from storebridge.logs import configure_logging
from storebridge.observability import init_sentry
from storebridge.reference import require_operator_category_map


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``daemon`` subcommand."""
    parser = subparsers.add_parser(
        "daemon", help="read the intake stream, fan out to Dramatiq, serve /health and /metrics"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check Redis and PostgreSQL answer, then run the daemon until SIGTERM/SIGINT."""
    from storebridge.commands.preflight import check_services
    from workers.daemon import run_daemon

    settings = load_settings()
    check_services(settings, redis=True, database=True)  # one line naming the variable, not a traceback
    require_operator_category_map(settings)  # the real Naver API needs the operator's category map
    configure_logging(settings.log_level, settings.log_format, secrets=settings.secret_values())
    init_sentry(settings, component="daemon")
    return asyncio.run(run_daemon(settings))
