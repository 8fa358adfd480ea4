"""``storebridge daemon``: the intake daemon (Redis stream → Dramatiq) with ``/health`` and ``/metrics``."""

from __future__ import annotations

import argparse
import asyncio

from storebridge.config import load_settings
from storebridge.logs import configure_logging
from storebridge.observability import init_sentry


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``daemon`` subcommand."""
    parser = subparsers.add_parser(
        "daemon", help="read the intake stream, fan out to Dramatiq, serve /health and /metrics"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the daemon until SIGTERM/SIGINT."""
    from workers.daemon import run_daemon

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, secrets=settings.secret_values())
    init_sentry(settings, component="daemon")
    return asyncio.run(run_daemon(settings))
