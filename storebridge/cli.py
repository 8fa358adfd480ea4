"""The ``storebridge`` command: one subcommand per operator task, each in ``storebridge.commands``.

Errors an operator can fix end with one line on stderr and a non-zero exit status, never a
traceback: bad configuration or missing credentials (``ConfigError``, exit 2) and a command that
stops with ``commands.common.CommandFailed`` (bad input: 2; a service or an item failed: 1).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from storebridge import __version__
from storebridge.commands.common import EXIT_USAGE, CommandFailed
from storebridge.config import ConfigError

#: Subcommand modules under ``storebridge.commands``, in the order ``--help`` lists them.
COMMANDS = (
    "demo", "sandbox", "migrate", "daemon", "preview", "sync", "enqueue", "status", "retry",
    "worker", "smoke", "categories", "doctor",
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (every subcommand registered)."""
    parser = argparse.ArgumentParser(
        prog="storebridge",
        description="Copy Domeggook items to Naver Smart Store within both APIs' rate limits.",
    )
    parser.add_argument("--version", action="version", version=f"storebridge {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"storebridge.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    return run_command(build_parser().parse_args(argv))


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed subcommand; an error it stops with becomes lines on stderr and the exit status."""
    try:
        status: int = args.handler(args)
    except ConfigError as exc:
        print(f"storebridge: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CommandFailed as exc:
        for line in (str(exc), *exc.details):
            print(f"storebridge {args.command}: {line}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
