"""Exceptions named for the caller's decision (style principle 4), and what counts as an outage.

``TransientError``: try again later (429, 5xx, timeouts, dropped connections, quota exhausted).
``PermanentError``: retrying cannot help (validation, unmapped category, banned word, 4xx).
API-specific leaves inherit their API family *and* exactly one decision base, so retry policies
refer only to the two bases. Messages name the item and the cause; they never contain secrets.

``infrastructure_service(exc)`` is the one classification of *infrastructure* failures: Redis,
PostgreSQL or S3 (or the network under them) not answering. Those are transient everywhere: the
sync re-queues the item with a capped backoff, for as long as the outage lasts, and never parks it
(MANUAL_REVIEW/FAILED) nor counts the attempt against ``MAX_RETRIES`` (docs/notes/transient.md).
The libraries raise their own types (redis-py, asyncpg, botocore, aiohttp, builtins), so they are
recognised by qualified class name over the exception's MRO, which keeps this module free of
third-party imports (the pure core imports it); ``tests/test_errors.py`` proves every name against
instances the real libraries raise.
"""

from __future__ import annotations

import errno
from typing import Final


class StoreBridgeError(Exception):
    """Root of every StoreBridge error."""


class TransientError(StoreBridgeError):
    """Retry later; ``retry_after_s`` is the earliest sensible retry, when known."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PermanentError(StoreBridgeError):
    """Do not retry: the input or the request is wrong, a person must look (manual review)."""

    def __init__(self, message: str, *, code: str = "PERMANENT") -> None:
        super().__init__(message)
        self.code = code


class InfrastructureUnavailable(TransientError):
    """Redis, PostgreSQL or S3 did not answer: retry for as long as it takes, never park the item.

    ``service`` is one of ``SERVICES``; raised by code that gave up waiting for a service itself
    (e.g. the actor re-queueing items while Redis is down), and recognised by
    ``infrastructure_service`` like the libraries' own errors.
    """

    def __init__(self, service: str, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message, retry_after_s=retry_after_s)
        self.service = service


#: Services an infrastructure failure is attributed to; ``network`` is a socket error whose library
#: is not known (a raw ``ConnectionRefusedError`` from asyncpg's connect, an aiohttp error from S3).
REDIS, POSTGRESQL, S3, NETWORK = "redis", "postgresql", "s3", "network"
SERVICES: Final = (REDIS, POSTGRESQL, S3, NETWORK)

#: redis-py / valkey-py classes meaning "the server is not answering (yet)": connection refused or
#: dropped (``BusyLoadingError`` while it loads its AOF and ``AuthenticationError`` are subclasses),
#: socket timeouts, and a replica answering during a failover.
_REDIS_CLASSES = frozenset(
    {"ConnectionError", "TimeoutError", "ReadOnlyError", "TryAgainError", "ClusterDownError"}
)
#: SQLSTATE prefixes of PostgreSQL's "not now" answers: class 08 (connection exception), 57P
#: (admin/crash shutdown, cannot connect now: the server is stopping or starting) and 53300 (too
#: many connections).
_POSTGRES_SQLSTATES = ("08", "57P", "53300")
#: asyncpg ``InterfaceError`` texts that mean the connection or pool went away (other interface
#: errors are programming errors, e.g. two operations at once on one connection).
_ASYNCPG_CLOSED_HINTS = ("closed", "closing", "connection was lost", "connection lost")
#: asyncpg ``InternalClientError`` text seen on a pooled idle connection whose server shut down
#: (asyncpg 0.32, ``pg_ctl stop -m fast``); other internal errors stay bugs.
_ASYNCPG_DEAD_POOLED = "cannot switch to state"
#: botocore classes for "no HTTP answer" (refused, reset, timed out, truncated body).
_BOTOCORE_CLASSES = frozenset({"ConnectionError", "HTTPClientError"})
#: S3 error codes a restarted or struggling S3 answers with; ``NoSuchBucket`` means the bucket
#: vanished (an S3 restarted empty) and is re-created by ``storebridge.images.s3`` before a retry.
_S3_TRANSIENT_CODES = frozenset(
    {"NoSuchBucket", "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout"}
    | {"500", "502", "503", "504"}
)
#: aiohttp classes for a failed or dropped connection (S3 through aiobotocore; our API clients
#: wrap their own, so a raw one reaching the sync comes from S3).
_AIOHTTP_CLASSES = frozenset({"ClientConnectionError", "ClientPayloadError"})
#: ``errno`` values of network failures on a plain ``OSError``.
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.ETIMEDOUT,
        errno.EPIPE,
        errno.EADDRNOTAVAIL,
    }
)
#: How many ``__cause__`` links are followed (``ImageStorageFailed`` is raised *from* botocore's error).
_MAX_CAUSE_DEPTH = 5


def infrastructure_service(exc: BaseException) -> str | None:
    """The service (``SERVICES``) whose outage ``exc`` is, or None when it is not an outage.

    Follows explicit causes (``raise X from exc``), so a ``TransientError`` wrapping a library's
    connection error (``ImageStorageFailed`` over botocore's) counts as the outage it reports.
    """
    current: BaseException | None = exc
    for _ in range(_MAX_CAUSE_DEPTH):
        if current is None:
            return None
        service = _service_of(current)
        if service is not None:
            return service
        current = current.__cause__
    return None


def is_infrastructure_error(exc: BaseException) -> bool:
    """True when ``exc`` means Redis, PostgreSQL or S3 is not answering: retry, never park."""
    return infrastructure_service(exc) is not None


def outage_code(service: str) -> str:
    """Result and event code of an outage of ``service``: ``REDIS_UNAVAILABLE`` …"""
    return f"{service.upper()}_UNAVAILABLE"


def _service_of(exc: BaseException) -> str | None:
    if isinstance(exc, InfrastructureUnavailable):
        return exc.service
    names = [(cls.__module__, cls.__qualname__) for cls in type(exc).__mro__]
    for module, name in names:  # the library's own classes first: they name the service
        root = module.partition(".")[0]
        if root in ("redis", "valkey") and module.endswith(".exceptions") and name in _REDIS_CLASSES:
            return REDIS
        if root == "asyncpg" and _asyncpg_outage(exc, name):
            return POSTGRESQL
        if root == "botocore" and (name in _BOTOCORE_CLASSES or _s3_outage(exc, name)):
            return S3
        if root == "aiohttp" and name in _AIOHTTP_CLASSES:
            return NETWORK
    if isinstance(exc, ConnectionError | TimeoutError):
        return NETWORK
    if isinstance(exc, OSError) and _network_oserror(exc):
        return NETWORK
    return None


def _asyncpg_outage(exc: BaseException, name: str) -> bool:
    if name == "PostgresError":
        sqlstate = str(getattr(exc, "sqlstate", "") or "")
        return sqlstate.startswith(_POSTGRES_SQLSTATES)
    if name == "InterfaceError":
        text = str(exc).lower()
        return any(hint in text for hint in _ASYNCPG_CLOSED_HINTS)
    if name == "InternalClientError":
        return _ASYNCPG_DEAD_POOLED in str(exc)
    return False


def _s3_outage(exc: BaseException, name: str) -> bool:
    if name != "ClientError":
        return False
    response = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in _S3_TRANSIENT_CODES or (isinstance(status, int) and status >= 500)


def _network_oserror(exc: OSError) -> bool:
    if exc.errno in _NETWORK_ERRNOS:
        return True
    # asyncio's create_connection over several addresses (localhost: ::1 and 127.0.0.1) raises a
    # plain OSError with no errno whose text lists each address's refusal.
    if type(exc) is OSError and exc.errno is None and str(exc).startswith("Multiple exceptions:"):
        return True
    return type(exc).__module__ == "socket" and type(exc).__qualname__ == "gaierror"
