"""The chaos run's Valkey, PostgreSQL and S3: separate processes a fault can stop and start again.

The servers are ``storebridge.devstack``'s restartable ones, each on a fixed loopback port so that
the daemon and workers reconnect to the same URL, each in its own folder of the work directory
(the logs stay there after the run). The faults use their stops as they are: Valkey's ``stop()``
(SIGTERM; with AOF the file is flushed first) or ``crash()`` (SIGKILL), PostgreSQL's ``stop()``
(``pg_ctl stop -m fast``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from bench.chaos.settings import SERVICE_START_TIMEOUT_S
from storebridge.devstack import RestartablePostgres, RestartableRedis, RestartableS3


class ChaosStack:
    """One Valkey, one PostgreSQL and one S3, each restartable."""

    def __init__(self, workdir: Path, *, aof: bool = False) -> None:
        timeout = SERVICE_START_TIMEOUT_S
        self.valkey = RestartableRedis(
            workdir / ("valkey-aof" if aof else "valkey"), aof=aof, start_timeout_s=timeout
        )
        self.postgres = RestartablePostgres(workdir / "postgres", start_timeout_s=timeout)
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
        """Stop all three (idempotent; a failed stop does not keep the others running)."""
        for server in (self.s3, self.postgres, self.valkey):
            server.close()  # the work directory is ours, so ``close`` keeps it and its logs
