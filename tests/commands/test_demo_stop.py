"""Ctrl-C in ``make run`` stops promptly and says what it waits for; a second Ctrl-C forces it.

Given ``storebridge demo`` mid-run (daemon and workers syncing the sandbox catalog), when the
terminal's Ctrl-C reaches its whole process group, then the demo prints a ``stopping: waiting
for …`` line naming the children (and what they still hold) and exits 130 within a generous
bound, the workers' limiter waits and backoffs having been woken (``storebridge.shutdown``).
Slow (a full demo start); ``make test-fast`` skips it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time

import pytest

from tests.support import start_cli

#: The demo must be up (items settling) within this long (s).
START_TIMEOUT_S = 120.0
#: Far above a prompt stop (a few seconds) and far below the 26 s it took when waits were slept out
#: plus the worker's kill grace; not a performance measure.
STOP_BOUND_S = 20.0


async def read_until(stream: asyncio.StreamReader, marker: str, seen: list[str], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while marker not in "".join(seen):
        line = await asyncio.wait_for(stream.readline(), max(0.1, deadline - time.monotonic()))
        if not line:
            raise AssertionError("demo exited early:\n" + "".join(seen))
        seen.append(line.decode(errors="replace"))


@pytest.mark.slow
async def test_ctrl_c_stops_the_demo_promptly_saying_what_it_waits_for() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "S3_ENDPOINT")}
    proc = await start_cli(
        env,
        "demo",
        "--items",
        "30",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        await read_until(proc.stdout, "settled", seen, START_TIMEOUT_S)
        await asyncio.sleep(2.0)  # let the workers get deep into limiter waits
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        rest, _ = await asyncio.wait_for(proc.communicate(), STOP_BOUND_S)
        elapsed_s = time.monotonic() - started
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
    output = "".join(seen) + rest.decode(errors="replace")

    assert proc.returncode == 130, output
    assert "stopping: waiting for worker" in output, output
    assert "in flight:" in output
    assert "Ctrl-C again to force" in output
    assert "Traceback" not in output
    assert elapsed_s < STOP_BOUND_S
