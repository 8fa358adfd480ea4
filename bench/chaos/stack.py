"""The chaos run's Valkey, PostgreSQL and S3: separate processes a fault can stop and start again.

The servers are ``storebridge.devstack``'s restartable ones, each on a fixed loopback port so that
the daemon and workers reconnect to the same URL, each in its own folder of the work directory
(the logs stay there after the run). ``ChaosStack`` starts the three and names the two stops the
faults inject with the words they use: a Valkey ``shutdown()`` (SIGTERM; with AOF the file is
flushed first) beside ``crash()`` (SIGKILL), and PostgreSQL's ``stop_fast()``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from types import TracebackType
from typing import Self

from bench.chaos.settings import SERVICE_START_TIMEOUT_S
from storebridge.devstack import RestartablePostgres, RestartableRedis, RestartableS3, ServiceUnavailable


class Valkey(RestartableRedis):
    """A Valkey that a fault shuts down (orderly) or crashes."""

    def shutdown(self) -> None:
        """SIGTERM: an orderly shutdown (with AOF the file is flushed first)."""
        self.stop()


class Postgres(RestartablePostgres):
    """A PostgreSQL cluster that a fault stops with ``pg_ctl stop -m fast``."""

    def stop_fast(self) -> None:
        """``pg_ctl stop -m fast``; a failed stop is left to the restart to report."""
        with contextlib.suppress(ServiceUnavailable):
            self.stop()


class ChaosStack:
    """One Valkey, one PostgreSQL and one S3, each restartable; stopped on exit."""

    def __init__(self, workdir: Path, *, aof: bool = False) -> None:
        timeout = SERVICE_START_TIMEOUT_S
        self.valkey = Valkey(workdir / ("valkey-aof" if aof else "valkey"), aof=aof, start_timeout_s=timeout)
        self.postgres = Postgres(workdir / "postgres", start_timeout_s=timeout)
        self.s3 = RestartableS3(workdir / "moto", start_timeout_s=timeout)

    @property
    def urls(self) -> dict[str, str]:
        """``REDIS_URL`` / ``DATABASE_URL`` (the maintenance database) / ``S3_ENDPOINT``."""
        return {"REDIS_URL": self.valkey.url, "DATABASE_URL": self.postgres.url, "S3_ENDPOINT": self.s3.url}

    def start(self) -> Self:
        """Start all three; on a failure stop what was started."""
        try:
            self.valkey.start()
            self.postgres.start()
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
