"""Bad configuration ends every command with one line: the variable, the cause, no traceback, no secret.

Each command runs as an operator runs it (``python -m storebridge.cli …``, a real process) with
one bad setting: an unreachable ``REDIS_URL`` or ``DATABASE_URL`` whose password is a marker, a
malformed URL, an item number past the bound, a 10 MB line in ``enqueue --file``. Then stderr
is exactly one line naming the variable (or the value), the exit status is non-zero, and neither
``Traceback`` nor the password appears anywhere in the output.
"""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import pytest

from tests.support import run_cli

Case = tuple[str, dict[str, str], list[str], tuple[str, ...], int | None]

#: A password that must never be printed.
SECRET = "hunter2-do-not-print"
#: Nothing listens on port 1 of loopback: connection refused at once.
DEAD_REDIS = f"redis://:{SECRET}@127.0.0.1:1/0"
DEAD_POSTGRES = f"postgresql://storebridge:{SECRET}@127.0.0.1:1/storebridge"


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """Credentials set (so the services are what fails), every service unreachable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "DATABASE_", "S3_"))}
    return {
        **env,
        "DOMEGGOOK_API_KEY": "key",
        "NAVER_CLIENT_ID": "id",
        "NAVER_CLIENT_SECRET": SECRET,
        "REDIS_URL": DEAD_REDIS,
        "DATABASE_URL": DEAD_POSTGRES,
        "S3_ENDPOINT": "http://127.0.0.1:1",
        "LOG_FORMAT": "json",
    }


def assert_one_line(status: int, out: str, err: str, *named: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert status != 0, (out, err)
    assert len(lines) == 1, err
    for name in named:
        assert name in lines[0], lines[0]
    assert "Traceback" not in out + err
    assert SECRET not in out + err


#: (case, settings changed from ``base_env``, arguments, what the line must name, exit status or None
#: for "non-zero"). ``{redis}`` is a live Redis (so PostgreSQL is what fails), ``{file}`` a 10 MB line.
CASES: list[Case] = [
    *(
        (f"redis-down-{args[0]}", {}, args, ("REDIS_URL", "127.0.0.1:1", "connection refused"), 1)
        for args in (
            ["daemon"], ["worker"], ["status"], ["retry", "--failed"], ["enqueue", "46072413"],
            ["sync", "46072413"], ["smoke", "46072413"],
        )
    ),
    *(
        (f"postgres-down-{args[0]}", {"REDIS_URL": "{redis}"}, args, ("DATABASE_URL", "refused"), 1)
        for args in (["migrate"], ["daemon"], ["demo", "--items", "1"])
    ),
    ("bad-scheme", {"REDIS_URL": f"htp://:{SECRET}@host"}, ["daemon"], ("REDIS_URL",), 2),
    ("bad-port", {"REDIS_URL": f"redis://:{SECRET}@host:notaport"}, ["worker"], ("REDIS_URL",), 2),
    ("bad-database", {"DATABASE_URL": f"mysql://root:{SECRET}@host/db"}, ["migrate"], ("DATABASE_URL",), 2),
    ("bad-s3", {"S3_ENDPOINT": "ftp://127.0.0.1:1"}, ["sync", "5"], ("S3_ENDPOINT",), 2),
    ("bad-level", {"LOG_LEVEL": "LOUD"}, ["daemon"], ("LOG_LEVEL",), 2),
    ("bad-api-url", {"DOMEGGOOK_API_URL": "domeggook.com"}, ["preview", "5"], ("DOMEGGOOK_API_URL",), 2),
    *(
        (f"huge-item-{cmd}", {"REDIS_URL": "{redis}"}, [cmd, "9" * 23], ("at most 2147483647",), 2)
        for cmd in ("enqueue", "sync", "preview")
    ),
    ("huge-line", {"REDIS_URL": "{redis}"}, ["enqueue", "--file", "{file}"], ("line 2 is longer",), 2),
]  # fmt: skip


#: The cases ``make test-fast`` runs (each is a Python process start, ~1 s of CPU): the two
#: long-running commands, both services, a malformed URL and a 10 MB input line.
SHORT = {
    "redis-down-daemon",
    "redis-down-worker",
    "postgres-down-migrate",
    "bad-scheme",
    "huge-item-enqueue",
    "huge-line",
}


async def test_the_main_commands_fail_on_bad_configuration_with_one_line(
    base_env: dict[str, str], redis_url: str, tmp_path: Path
) -> None:
    await check_cases([case for case in CASES if case[0] in SHORT], base_env, redis_url, tmp_path)


@pytest.mark.slow
async def test_every_command_fails_on_bad_configuration_with_one_line(
    base_env: dict[str, str], redis_url: str, tmp_path: Path
) -> None:
    await check_cases([case for case in CASES if case[0] not in SHORT], base_env, redis_url, tmp_path)


async def check_cases(cases: list[Case], base_env: dict[str, str], redis_url: str, tmp_path: Path) -> None:
    """Run the cases concurrently and report every one that fails."""
    big = tmp_path / "items.txt"
    big.write_text("46072413\n" + "9" * (10 * 1024 * 1024) + "\n")

    def resolve(text: str) -> str:
        return text.replace("{redis}", redis_url).replace("{file}", str(big))

    runs = [
        run_cli({**base_env, **{k: resolve(v) for k, v in changed.items()}}, *map(resolve, args))
        for _, changed, args, _, _ in cases
    ]
    failures: list[str] = []
    for (case, _, _, named, expected), (status, out, err) in zip(
        cases, await asyncio.gather(*runs), strict=True
    ):
        try:
            assert_one_line(status, out, err, *named)
            assert expected is None or status == expected, f"exit {status}, expected {expected}"
        except AssertionError as exc:
            failures.append(f"{case}: {exc}")
    assert not failures, "\n".join(failures)


async def test_the_sandbox_on_a_port_in_use_is_one_line(base_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        status, out, err = await run_cli(base_env, "sandbox", "--domeggook-port", port, "--naver-port", "0")
    assert_one_line(status, out, err, "cannot serve")
