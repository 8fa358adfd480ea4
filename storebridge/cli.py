"""The ``storebridge`` command: one subcommand per operator task, each in ``storebridge.commands``.

Errors an operator can fix (bad configuration, missing credentials) end with one line on stderr
and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from storebridge import __version__
from storebridge.config import ConfigError

#: Subcommand modules under ``storebridge.commands``, in the order ``--help`` lists them.
COMMANDS = (
    "demo", "sandbox", "migrate", "daemon", "preview", "sync", "enqueue", "status", "retry",
    "worker", "smoke",
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (every subcommand registered)."""
    parser = argparse.ArgumentParser(
        prog="storebridge",
        description="Copy Domeggook items to Naver Smart Store within both APIs' rate limits.",
    )
    parser.add_argument("--version", action="version", version=f"storebridge {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"storebridge.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.handler(args)
    except ConfigError as exc:
        print(f"storebridge: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
