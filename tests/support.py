"""Plain helpers the test packages share: waiting for a condition, running ``storebridge`` commands
(in this process or as a child process), reading a child's JSON log, the intake stream and the
sandbox's counters.

Fixtures live in the ``conftest.py`` files; a package's own helpers in its ``support.py`` or
``harness.py``.
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
import redis.asyncio as aioredis

from schemas.messages import IntakeEntry
from storebridge.cli import main
from storebridge.keys import Keys

#: Default bound on ``until`` (seconds): a bound, not a speed assertion.
WAIT_S = 30.0
#: Default bound on one command run as a child process (start-up imports included).
RUN_TIMEOUT_S = 60.0


async def until(check: Callable[[], Awaitable[Any]], what: str, timeout_s: float = WAIT_S) -> Any:
    """Poll ``check`` until it returns something truthy and return that; fail naming ``what`` if late."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


async def start_cli(env: dict[str, str], *args: str, **options: Any) -> asyncio.subprocess.Process:
    """Start ``python -m storebridge.cli ARGS`` with exactly ``env``, as an operator runs it.

    ``options`` go to ``asyncio.create_subprocess_exec`` (pipes, ``start_new_session``…).
    """
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "storebridge.cli", *args, env=env, **options
    )


async def run_cli(env: dict[str, str], *args: str, timeout_s: float = RUN_TIMEOUT_S) -> tuple[int, str, str]:
    """Run ``python -m storebridge.cli ARGS`` to its end: (exit status, stdout, stderr).

    Stdin is empty; a run that outlives ``timeout_s`` is killed and ``TimeoutError`` raised.
    """
    pipe = asyncio.subprocess.PIPE
    proc = await start_cli(env, *args, stdin=asyncio.subprocess.DEVNULL, stdout=pipe, stderr=pipe)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


class InProcessCli:
    """Runs ``storebridge.cli.main`` in a worker thread, with ``stdin`` given and the output captured.

    ``main`` runs ``asyncio.run``, so it gets a thread (and its own event loop) while the test's loop
    prepares and inspects the services. The process environment is the settings it reads.
    """

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self._capsys, self._monkeypatch = capsys, monkeypatch

    async def __call__(self, *args: str, stdin: str = "") -> tuple[int, str, str]:
        """(exit status, stdout, stderr) of ``storebridge ARGS``."""
        self._monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            status = await asyncio.to_thread(main, list(args))
        except SystemExit as exc:  # argparse refusing a value exits 2 itself
            status = int(exc.code or 0)
        out, err = self._capsys.readouterr()
        return status, out, err


def json_events(log_path: Path) -> list[dict[str, Any]]:
    """The JSON log lines of a child (Dramatiq's own plain-text lines are skipped)."""
    events = []
    for line in log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
    return events


async def intake_entries(redis: aioredis.Redis, keys: Keys) -> list[IntakeEntry]:
    """The entries on the intake stream of ``keys``' namespace, oldest first."""
    entries = cast(list[tuple[bytes, dict[bytes, bytes]]], await redis.xrange(keys.intake_stream))
    return [IntakeEntry.from_fields(fields) for _, fields in entries]


async def naver_stats(naver_origin: str) -> dict[str, Any]:
    """The Naver simulator's counters (``GET /_sandbox/stats``: products, duplicates, requests…)."""
    async with aiohttp.ClientSession() as http, http.get(f"{naver_origin}/_sandbox/stats") as resp:
        assert resp.status == 200, await resp.text()
        return dict(await resp.json())
