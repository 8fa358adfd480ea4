"""Pre-flight checks: is every service a command needs reachable, before it starts any work?

A command that starts against a malformed or unreachable ``REDIS_URL``, ``DATABASE_URL`` or
``S3_ENDPOINT`` fails here with one line that names the variable and the cause, e.g.
``REDIS_URL: cannot connect to 127.0.0.1:1 (connection refused)``: never a library's traceback
(50-150 lines from the daemon's or Dramatiq's start-up) and never the URL itself, whose password
part is a secret. A malformed URL is a ``ConfigError`` (exit 2); a well-formed one whose service
does not answer within ``PROBE_TIMEOUT_S`` is ``ServiceUnreachable`` (exit 1), which a Kubernetes
pod turns into a restart with backoff, the same as any other failed start.

The long-running commands (``daemon``, ``worker``) probe once at start; a service that goes away
later is an outage the runtime rides out (``storebridge.errors.infrastructure_service``).
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Awaitable
from urllib.parse import urlsplit

from storebridge.commands.common import CommandFailed
from storebridge.config import ConfigError, Settings

#: How long each service may take to answer the probe (seconds).
PROBE_TIMEOUT_S = 5.0


class ServiceUnreachable(CommandFailed):
    """A configured service did not answer the start-up probe; the line names its variable."""


def check_services(
    settings: Settings, *, redis: bool = False, database: bool = False, s3: bool = False
) -> None:
    """Probe the chosen services concurrently; raise for the first that fails (in this order).

    Raises ``ConfigError`` for a malformed URL and ``ServiceUnreachable`` for a service that does
    not answer; both print as one line through ``cli.run_command``.
    """
    asyncio.run(probe_services(settings, redis=redis, database=database, s3=s3))


async def probe_services(
    settings: Settings, *, redis: bool = False, database: bool = False, s3: bool = False
) -> None:
    """``check_services`` for a caller already on an event loop."""
    probes: list[Awaitable[None]] = []
    if redis:
        probes.append(probe_redis(settings.redis_url.get_secret_value()))
    if database:
        probes.append(probe_database(settings.database_url.get_secret_value()))
    if s3:
        probes.append(probe_tcp("S3_ENDPOINT", settings.s3_endpoint))
    for outcome in await asyncio.gather(*probes, return_exceptions=True):
        if isinstance(outcome, BaseException):
            raise outcome


async def probe_redis(url: str, *, timeout_s: float = PROBE_TIMEOUT_S) -> None:
    """Connect and ``PING``; ``ConfigError``/``ServiceUnreachable`` naming ``REDIS_URL``."""
    from redis.asyncio import Redis
    from redis.exceptions import AuthenticationError, RedisError, ResponseError

    try:
        client = Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
    except ValueError:
        raise ConfigError(
            "REDIS_URL: not a Redis URL (expected redis://[:password@]host:port/db, rediss:// or unix://)"
        ) from None
    where = _redis_address(client)
    try:
        await asyncio.wait_for(client.ping(), timeout_s * 2)
    except (AuthenticationError, ResponseError) as exc:
        cause = "authentication failed" if _is_auth(exc) else f"refused the connection ({_first_word(exc)})"
        raise ServiceUnreachable(f"REDIS_URL: {where} {cause}") from None
    except (RedisError, OSError, TimeoutError) as exc:
        raise ServiceUnreachable(f"REDIS_URL: cannot connect to {where} ({_cause(exc, timeout_s)})") from None
    finally:
        await client.aclose()


async def probe_database(dsn: str, *, timeout_s: float = PROBE_TIMEOUT_S) -> None:
    """Connect and close; ``ConfigError``/``ServiceUnreachable`` naming ``DATABASE_URL``."""
    import asyncpg

    try:
        parts = urlsplit(dsn)
        host, port = parts.hostname or "localhost", parts.port or 5432
    except ValueError:
        parts, host, port = None, "", 0
    if parts is None or parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(
            "DATABASE_URL: not a PostgreSQL URL (expected postgresql://user:password@host:port/db)"
        )
    where = f"DATABASE_URL: {host}:{port}"
    try:
        connection = await asyncpg.connect(dsn, timeout=timeout_s)
    except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError):
        raise ServiceUnreachable(f"{where} refused the login (authentication failed)") from None
    except asyncpg.InvalidCatalogNameError:
        database = (parts.path or "/").lstrip("/") or "(default)"
        raise ServiceUnreachable(f"{where}: database {database!r} does not exist") from None
    except asyncpg.ClientConfigurationError:
        raise ConfigError("DATABASE_URL: not a usable PostgreSQL URL (check host, port, options)") from None
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise ServiceUnreachable(f"{where} refused the connection ({type(exc).__name__})") from None
    except (OSError, TimeoutError) as exc:
        where = f"DATABASE_URL: cannot connect to {host}:{port}"
        raise ServiceUnreachable(f"{where} ({_cause(exc, timeout_s)})") from None
    await connection.close()


async def probe_tcp(variable: str, url: str, *, timeout_s: float = PROBE_TIMEOUT_S) -> None:
    """Open (and close) a TCP connection to the URL's host and port; nothing is sent."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        host, port = "", 0
    if not host:
        raise ConfigError(f"{variable}: not a URL with a host (expected http(s)://host:port)")
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    except (OSError, TimeoutError) as exc:
        cause = _cause(exc, timeout_s)
        raise ServiceUnreachable(f"{variable}: cannot connect to {host}:{port} ({cause})") from None
    writer.close()
    await writer.wait_closed()


def _redis_address(client: object) -> str:
    """``host:port`` or the socket path of a Redis client: the URL without its credentials."""
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {})
    if "path" in kwargs:
        return str(kwargs["path"])
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"


def _cause(exc: BaseException, timeout_s: float) -> str:
    """A few words for why a connection failed, from the innermost OS error (never its text)."""
    current: BaseException | None = exc
    for _ in range(5):
        if current is None:
            break
        if isinstance(current, TimeoutError) or "Timeout" in type(current).__name__:
            return f"no answer within {timeout_s:g} s"
        if isinstance(current, socket.gaierror):
            return "host name not found"
        if isinstance(current, OSError) and current.errno is not None:
            return _ERRNO_WORDS.get(current.errno, errno.errorcode.get(current.errno, "network error"))
        current = current.__cause__ or current.__context__
    if "InvalidResponse" in type(exc).__name__:
        return "the server there does not speak the Redis protocol"
    return type(exc).__name__


def _is_auth(exc: BaseException) -> bool:
    text = str(exc).upper()
    return "AUTH" in text or "NOPERM" in text or "WRONGPASS" in text or "PASSWORD" in text


def _first_word(exc: BaseException) -> str:
    return (str(exc).split() or [type(exc).__name__])[0][:32]


#: Words for the usual connection failures (``errno`` value → cause).
_ERRNO_WORDS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.ETIMEDOUT: "timed out",
    errno.EADDRNOTAVAIL: "address not available",
    errno.ENOENT: "no such socket file",
    errno.EACCES: "permission denied",
}
