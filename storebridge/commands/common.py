"""What the operator commands share: exit statuses, item-number input, and the one way to fail.

A command stops by raising ``CommandFailed`` (``BadInput`` for usage errors); ``cli.main`` prints
it as one ``storebridge COMMAND: message`` line on stderr and exits non-zero, never with a
traceback. Service calls run inside ``failing_on_service_errors()``, which turns a failure of
PostgreSQL, Redis, S3 or an API into such a line without echoing URLs (they may hold passwords).
Configuration errors are not handled here: ``cli.main`` reports every ``ConfigError`` (exit 2).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

#: Exit statuses every command uses: done; failed (a service, a rejected item); bad usage or input.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: Said when the database is reachable but ``storebridge migrate`` never ran on it.
NO_SCHEMA = "the database has no StoreBridge schema: run storebridge migrate"
#: Longest bad value quoted back in an error line, in characters (a pasted blob stays one line).
QUOTED_VALUE_CHARS = 40
#: Longest line read from an item-number file or stdin, in characters (a few hundred numbers).
MAX_LINE_CHARS = 4096


class CommandFailed(Exception):
    """The command cannot go on: print ``message`` (then each of ``details``) and exit ``status``.

    Raised from anywhere under a command's ``run``; only ``cli.main`` catches it, so every command
    fails the same way: one line on stderr prefixed with the command's name, no traceback.
    """

    status = EXIT_FAILED

    def __init__(self, message: str, *, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.details = tuple(details)


class BadInput(CommandFailed):
    """An argument, option or input file is unusable; nothing was done (exit 2)."""

    status = EXIT_USAGE


def parse_item_number(text: str, where: str = "command line") -> int:
    """One Domeggook item number (1..``MAX_ITEM_NO``); ``BadInput`` naming the value and ``where``.

    The bound is the one the stream entry and the Dramatiq message enforce too
    (``schemas.messages.MAX_ITEM_NO``); the length is checked before ``int()`` so a megabyte of
    digits is refused at once.
    """
    from schemas.messages import MAX_ITEM_NO

    value = text.strip()
    quoted = f"{text[:QUOTED_VALUE_CHARS]!r} ({where})"
    significant = value.lstrip("0")
    if not value.isascii() or not value.isdigit() or not significant:
        raise BadInput(f"item number must be a positive integer, got {quoted}")
    if len(significant) > len(str(MAX_ITEM_NO)) or int(significant) > MAX_ITEM_NO:
        raise BadInput(f"item number must be at most {MAX_ITEM_NO}, got {quoted}")
    return int(significant)


def read_item_numbers(
    given: Iterable[str], file: str | None = None, *, stdin: TextIO | None = None
) -> list[int]:
    """Item numbers from the arguments, then the file, in order, without repeats.

    An argument ``-`` reads ``stdin`` for the commands that accept it (they pass ``stdin``); for
    the others it is a bad value. The file and stdin hold one or more numbers per line, separated by
    blanks or commas; ``#`` starts a comment. Raises ``BadInput`` naming the first bad value and
    where it was (``command line``, ``FILE line N``, ``stdin line N``), or an unreadable file.
    """
    tokens: list[tuple[str, str]] = []
    for text in given:
        if text == "-" and stdin is not None:
            tokens.extend(_read_tokens(stdin, "stdin"))
        else:
            tokens.append((text, "command line"))
    if file is not None:
        try:
            with Path(file).open(encoding="utf-8") as stream:
                tokens.extend(_read_tokens(stream, file))
        except OSError as exc:
            raise BadInput(f"cannot read {file}: {exc.strerror or exc}") from None
    return list(dict.fromkeys(parse_item_number(text, where) for text, where in tokens))


def _read_tokens(stream: TextIO, source: str) -> list[tuple[str, str]]:
    """Every token of ``stream``; a line too long or text that is not UTF-8 is ``BadInput``."""
    try:
        return list(_tokens(_bounded_lines(stream, source), source))
    except UnicodeDecodeError as exc:
        raise BadInput(f"cannot read {source}: not UTF-8 text ({exc.reason})") from None


def _bounded_lines(stream: TextIO, source: str) -> Iterator[str]:
    """The lines of ``stream``, each read with a bound: a longer line is ``BadInput`` naming it.

    ``readline(limit)`` never holds more than ``MAX_LINE_CHARS`` of a line in memory, so a 10 MB
    line (a binary dump, a file without newlines) is refused at once instead of being tokenised.
    """
    line_no = 0
    while line := stream.readline(MAX_LINE_CHARS + 1):
        line_no += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            raise BadInput(
                f"{source} line {line_no} is longer than {MAX_LINE_CHARS} characters "
                "(expected item numbers, one or more per line)"
            )
        yield line


def _tokens(lines: Iterable[str], source: str) -> Iterator[tuple[str, str]]:
    for line_no, line in enumerate(lines, start=1):
        for text in line.split("#", 1)[0].replace(",", " ").split():
            yield text, f"{source} line {line_no}"


def service_errors() -> tuple[type[BaseException], ...]:
    """Failures of the services a command talks to, which end it with one line (exit 1).

    Connections and timeouts (``OSError``, ``TimeoutError``), PostgreSQL, Redis, S3 (botocore),
    HTTP (aiohttp) and every ``StoreBridgeError`` (the API clients' and the store's errors).
    Imported on call so that ``storebridge --help`` loads none of these libraries.
    """
    import aiohttp
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
        aiohttp.ClientError,
        StoreBridgeError,
    )


@contextlib.contextmanager
def failing_on_service_errors(*, missing_schema_hint: bool = True) -> Iterator[None]:
    """Turn a service failure inside the block into ``CommandFailed`` (one line, exit 1).

    The line names the exception type and message, never the configuration. A missing table
    means the database has no schema: the line says to run ``storebridge migrate`` instead
    (unless ``missing_schema_hint`` is False: ``migrate`` itself reports the table a broken
    migration file lacks).
    """
    import asyncpg

    try:
        yield
    except service_errors() as exc:
        if missing_schema_hint and isinstance(exc, asyncpg.UndefinedTableError):
            raise CommandFailed(NO_SCHEMA) from exc
        raise CommandFailed(f"failed: {type(exc).__name__}: {exc}") from exc
