"""Child processes of the demo and the end-to-end tests: ``storebridge daemon`` and ``storebridge worker``.

Started with the current interpreter and an explicit environment (the sandbox's URLs and
credentials plus the service URLs), stopped with SIGTERM and, past a bound, SIGKILL. Output goes
to a log file per process so a failure can be shown, not lost.

Each child runs in a session of its own, so a terminal's Ctrl-C reaches it only through its parent
(the demo), once: a second signal means "exit at once" to both ``storebridge daemon`` and
``storebridge worker``, and a Ctrl-C delivered to the whole process group *and* forwarded by the
demo would turn every graceful stop into a forced one.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from types import TracebackType

import aiohttp

#: Seconds a child gets between SIGTERM and SIGKILL: more than ``storebridge worker`` itself grants
#: its Dramatiq groups (SHUTDOWN_TIMEOUT_S + 15 s), so it can always finish its own escalation.
STOP_TIMEOUT_S = 60.0


class Child:
    """One ``python -m storebridge.cli <args>`` process; ``stop()`` is idempotent."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log_path = log_dir / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> Child:
        """Spawn the process (its output goes to ``log_path``)."""
        with self.log_path.open("wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "storebridge.cli",
                *self.args,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        return self

    def signal(self, sig: int = signal.SIGTERM) -> None:
        """Send ``sig`` if the process still runs (SIGTERM once: stop; twice: stop at once)."""
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)

    async def wait(self) -> int | None:
        """Wait for the process to exit; its exit status (None if it never started)."""
        return None if self.proc is None else await self.proc.wait()

    @property
    def running(self) -> bool:
        """True while the process has not exited."""
        return self.proc is not None and self.proc.returncode is None

    def tail(self, lines: int = 30) -> str:
        """The last lines of the process's output (for error messages)."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    async def stop(self) -> int | None:
        """SIGTERM, wait, SIGKILL past ``STOP_TIMEOUT_S``; returns the exit status."""
        proc = self.proc
        if proc is None:
            return None
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        return proc.returncode

    async def __aenter__(self) -> Child:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


async def wait_healthy(port: int, daemon: Child, *, timeout_s: float = 60.0) -> None:
    """Poll ``/health`` until 200; raise with the daemon's output if it dies or never gets there."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    async with aiohttp.ClientSession() as http:
        while asyncio.get_running_loop().time() < deadline:
            if not daemon.running:
                raise RuntimeError(f"daemon exited:\n{daemon.tail()}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{port}/health") as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.3)
    raise RuntimeError(f"daemon not healthy after {timeout_s:.0f} s:\n{daemon.tail()}")
