"""What the commands share: the item-number reader, the service-failure line, how a failure is printed."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import asyncpg
import pytest
import redis.exceptions

from storebridge import cli
from storebridge.commands.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    NO_SCHEMA,
    BadInput,
    CommandFailed,
    failing_on_service_errors,
    parse_item_number,
    read_item_numbers,
)
from storebridge.config import ConfigError
from storebridge.domeggook import DomeggookError


# -- item numbers ------------------------------------------------------------------------------------
def test_item_numbers_come_from_arguments_then_the_file_in_order_without_repeats(tmp_path: Path) -> None:
    listing = tmp_path / "items.txt"
    listing.write_text("5, 6 # comment\n\n# only a comment\n7 5\n")

    assert read_item_numbers(["3", " 4 ", "5"], str(listing)) == [3, 4, 5, 6, 7]


def test_a_dash_reads_stdin_only_for_a_command_that_accepts_it() -> None:
    assert read_item_numbers(["1", "-", "9"], stdin=io.StringIO("2\n3, 4\n")) == [1, 2, 3, 4, 9]
    with pytest.raises(BadInput, match=r"got '-' \(command line\)"):
        read_item_numbers(["-"])


@pytest.mark.parametrize(
    ("given", "content", "named"),
    [
        (["12", "abc"], None, "got 'abc' (command line)"),
        ([], "1\n2\n0\n", "got '0' ({file} line 3)"),
        ([], "1\n-4\n", "got '-4' ({file} line 2)"),
        (["٣"], None, "got '٣' (command line)"),  # a digit, but not an ASCII one
        (["9" * 30 + "x" * 30], None, "got '" + "9" * 30 + "x" * 10 + "' (command line)"),
    ],
)
def test_a_bad_item_number_is_named_with_where_it_came_from(
    tmp_path: Path, given: list[str], content: str | None, named: str
) -> None:
    listing = tmp_path / "items.txt"
    if content is not None:
        listing.write_text(content)

    with pytest.raises(BadInput) as raised:
        read_item_numbers(given, str(listing) if content is not None else None)

    assert str(raised.value) == "item number must be a positive integer, " + named.format(file=listing)
    assert raised.value.status == EXIT_USAGE


def test_an_unreadable_file_is_bad_input(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(BadInput, match=rf"^cannot read {missing}: No such file or directory$"):
        read_item_numbers([], str(missing))


def test_one_item_number_is_parsed_the_same_way() -> None:
    assert parse_item_number(" 46072413 ") == 46072413
    with pytest.raises(BadInput, match=r"got '0' \(ITEM_NO\)"):
        parse_item_number("0", "ITEM_NO")


# -- service failures --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("error", "line"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), "failed: ConnectionRefusedError: [Errno 111] "),
        (redis.exceptions.ConnectionError("Error 111"), "failed: ConnectionError: Error 111"),
        (DomeggookError("item 7: HTTP 500"), "failed: DomeggookError: item 7: HTTP 500"),
        (asyncpg.UndefinedTableError('relation "products" does not exist'), NO_SCHEMA),
    ],
)
def test_a_service_failure_becomes_one_failure_line(error: Exception, line: str) -> None:
    with pytest.raises(CommandFailed) as raised, failing_on_service_errors():
        raise error

    assert str(raised.value).startswith(line)
    assert raised.value.status == EXIT_FAILED
    assert raised.value.__cause__ is error


def test_migrate_reports_a_missing_table_as_it_is() -> None:
    missing = asyncpg.UndefinedTableError('relation "x" does not exist')
    with (
        pytest.raises(CommandFailed, match=r"^failed: UndefinedTableError: "),
        failing_on_service_errors(missing_schema_hint=False),
    ):
        raise missing


@pytest.mark.parametrize("error", [ConfigError("REDIS_URL: bad"), ValueError("a bug"), KeyboardInterrupt()])
def test_errors_that_are_not_service_failures_pass_through(error: BaseException) -> None:
    with pytest.raises(type(error)), failing_on_service_errors():
        raise error


# -- cli.run_command ----------------------------------------------------------------------------------------
def run_failing(error: Exception) -> int:
    """``cli.run_command`` for a ``storebridge status`` whose handler raises ``error``."""

    def handler(args: argparse.Namespace) -> int:
        raise error

    return cli.run_command(argparse.Namespace(command="status", handler=handler))


def test_a_failed_command_is_printed_as_lines_prefixed_with_its_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = run_failing(CommandFailed("it broke", details=["try this", "or that"]))

    assert status == EXIT_FAILED
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "storebridge status: it broke\nstorebridge status: try this\nstorebridge status: or that\n"
    )


def test_bad_input_and_configuration_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_failing(BadInput("no good")) == EXIT_USAGE
    assert capsys.readouterr().err == "storebridge status: no good\n"
    assert run_failing(ConfigError("DATABASE_URL: bad")) == EXIT_USAGE
    assert capsys.readouterr().err == "storebridge: configuration error: DATABASE_URL: bad\n"
