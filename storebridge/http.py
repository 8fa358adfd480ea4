"""Request plumbing shared by the Domeggook and Naver clients: request keys, settings, session, retries.

Both clients own one ``aiohttp.ClientSession`` (base URL plus a frozen timeout) created lazily on
the event loop, name every request by a ``RequestKey`` (API, method, path template), call an
optional ``Limiter`` before and after every request, read every body fully into a ``RawResponse``
and translate transport failures into ``TransportFailure`` so each client can map them onto its own
error family. How long to wait and how often to retry is one ``ClientSettings`` for both. Nothing
here knows an API's error format or its headers.
"""

from __future__ import annotations

import logging
import random
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from storebridge.config import Settings
from storebridge.errors import TransientError
from storebridge.shutdown import sleep_or_stop

logger = logging.getLogger(__name__)
#: Private RNG for retry jitter, unseeded on purpose: jitter exists to de-correlate processes.
_JITTER = random.Random()


@dataclass(frozen=True)
class RequestKey:
    """Which API operation a request is: ``api``, HTTP ``method`` and path ``template``.

    The one name of a request that the limiter (which budget it spends, ``limiter.routes``) and
    the metrics (its ``api``/``endpoint`` labels) derive what they need from, so nobody parses a
    string back. ``template`` is relative to the API root with ``{name}`` placeholders, e.g.
    ``/v2/products/origin-products/{no}``; it is empty for an API that picks the operation by query
    parameters on one URL (Domeggook). Hashable, so it can key caches.
    """

    api: str
    method: str
    template: str

    @property
    def endpoint(self) -> str:
        """``<METHOD> <path template>``, e.g. ``GET /v2/products/origin-products/{no}``."""
        return f"{self.method} {self.template}"

    def path(self, **values: object) -> str:
        """The concrete path relative to the session's base URL (no leading slash), placeholders filled."""
        return self.template.format(**values).lstrip("/")


@dataclass(frozen=True)
class ClientSettings:
    """How an API client waits and retries; one shape for the Domeggook and the Naver client.

    ``timeout_s`` bounds one whole request (connect to last body byte). A transient failure is
    retried in-client at most ``max_retries`` times, after ``retry_base_s × 2^attempt`` plus jitter,
    each wait capped at ``retry_max_s``; a failure asking for a longer wait is left to the caller's
    scheduler (``dramatiq.Retry``) instead of holding a worker. Not to be confused with
    ``Settings.retry_backoff_base``, the minutes-scale re-queue of a whole item.
    """

    timeout_s: float = 30.0
    max_retries: int = 3
    retry_base_s: float = 0.5
    retry_max_s: float = 10.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s}")
        if self.retry_base_s < 0 or self.retry_max_s < 0:
            raise ValueError(f"retry waits must be >= 0, got {self.retry_base_s}, {self.retry_max_s}")

    @classmethod
    def from_settings(cls, settings: Settings) -> ClientSettings:
        """The client settings of a deployment (``MAX_RETRIES``); the waits keep their defaults."""
        return cls(max_retries=settings.max_retries)


class Limiter(Protocol):
    """Hook through which the pipeline plugs a (distributed) rate limiter into a client.

    ``before_request`` may sleep until the bucket has room (waiting is not failing, style §5); an
    exception from it aborts the call before anything is sent. ``after_response`` is awaited for
    every HTTP answer, including 429s and 5xx, with the answer's headers (case-insensitive mapping),
    so the limiter can adapt to ``GNCP-GW-RateLimit-*`` and pause the bucket on a 429 *before* the
    client retries. It is not called when no HTTP answer arrived (timeout, reset). An exception from
    it is logged and swallowed: losing a create's answer to a limiter hiccup would risk a duplicate.

    Both receive the request's ``RequestKey``; which budget it spends is the limiter's decision
    (``storebridge.limiter.routes.bucket_for``): one per Domeggook key, one per Naver API.
    """

    async def before_request(self, key: RequestKey) -> None:
        """Wait until one request named ``key`` may be sent."""

    async def after_response(self, key: RequestKey, status: int, headers: Mapping[str, str]) -> None:
        """Observe the outcome of one request named ``key``."""


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup on any mapping (aiohttp's is already case-insensitive)."""
    if isinstance(headers, CIMultiDictProxy | CIMultiDict):
        return headers.get(name)
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


@dataclass(frozen=True)
class RawResponse:
    """One HTTP answer, body read in full (so the connection is released before parsing)."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


class TransportFailure(Exception):
    """No usable HTTP answer: timeout, refused or dropped connection, truncated body.

    ``sent`` is False only when the connection could not even be opened, i.e. the server provably
    never saw the request; writes use it to tell "not applied" from "outcome unknown".
    """

    def __init__(self, kind: str, *, sent: bool) -> None:
        super().__init__(kind)
        self.kind = kind
        self.sent = sent


def make_session(base_url: str, *, timeout_s: float, headers: Mapping[str, str]) -> aiohttp.ClientSession:
    """A session rooted at ``base_url`` (a trailing slash is added) with a frozen total timeout.

    Must be called on the running event loop (aiohttp binds the session to it).
    """
    root = base_url if base_url.endswith("/") else base_url + "/"
    return aiohttp.ClientSession(
        base_url=root, timeout=aiohttp.ClientTimeout(total=timeout_s), headers=dict(headers)
    )


async def send(
    session: aiohttp.ClientSession,
    key: RequestKey,
    path: str,
    *,
    limiter: Limiter | None,
    allow_redirects: bool = True,
    **kwargs: Any,
) -> RawResponse:
    """Send one ``key.method`` request named ``key`` through the limiter and return the whole answer.

    ``path`` is the concrete path, relative to the session's base URL (no leading slash). Transport
    problems become ``TransportFailure`` whose text never contains the URL (Domeggook puts its key
    in the query).
    """
    if limiter is not None:
        await limiter.before_request(key)
    try:
        async with session.request(key.method, path, allow_redirects=allow_redirects, **kwargs) as response:
            body = await response.read()
            raw = RawResponse(response.status, response.headers, body)
    except aiohttp.ClientConnectorError:
        raise TransportFailure("connection refused or unreachable", sent=False) from None
    except TimeoutError:
        raise TransportFailure("timed out", sent=True) from None
    except aiohttp.ClientError as exc:
        # The class name says what happened (ServerDisconnectedError, ClientPayloadError ...); the
        # text is left out on purpose because some aiohttp errors embed the request URL.
        raise TransportFailure(type(exc).__name__, sent=True) from None
    if limiter is not None:
        try:
            await limiter.after_response(key, raw.status, raw.headers)
        except Exception:
            logger.warning(
                "limiter.after_response_failed",
                extra={"endpoint": key.endpoint, "status": raw.status},
                exc_info=True,
            )
    return raw


def retrying(
    settings: ClientSettings, *, should_retry: Callable[[BaseException], bool], event: str
) -> AsyncRetrying:
    """Bounded retry of transient failures: exponential backoff with jitter, ``max_retries`` extra tries.

    A failure whose ``retry_after_s`` exceeds ``retry_max_s`` is not retried here: waiting that long
    belongs to the caller's scheduler (``dramatiq.Retry``), not to a coroutine holding a worker.
    Each retry is logged at INFO as ``event`` (a retry is not an error). The backoff sleep ends
    at once when the process is told to stop (``storebridge.shutdown``): the failure being retried
    is then raised as it is, as if the retries had run out, and the caller hands the item back.
    """
    retry_base_s, retry_max_s = settings.retry_base_s, settings.retry_max_s
    last_failure: list[BaseException] = []

    def wait(state: RetryCallState) -> float:
        exponential = retry_base_s * 2.0 ** (state.attempt_number - 1)
        delay = min(retry_max_s, exponential + _JITTER.uniform(0, retry_base_s))
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TransientError) and exc.retry_after_s:
            delay = max(delay, min(exc.retry_after_s, retry_max_s))
        return delay

    def retry_predicate(exc: BaseException) -> bool:
        if isinstance(exc, TransientError) and (exc.retry_after_s or 0.0) > retry_max_s:
            return False
        return should_retry(exc)

    async def sleep(seconds: float) -> None:
        if not await sleep_or_stop(seconds) and last_failure:
            raise last_failure[-1]

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        last_failure[:] = [exc] if exc is not None else []
        logger.info(
            event,
            extra={
                "attempt": state.attempt_number,
                "error": type(exc).__name__,
                "detail": str(exc),
                "sleep_s": round(state.upcoming_sleep, 3),
            },
        )

    return AsyncRetrying(
        stop=stop_after_attempt(settings.max_retries + 1),
        wait=wait,
        retry=retry_if_exception(retry_predicate),
        before_sleep=before_sleep,
        sleep=sleep,
        reraise=True,
    )


def warn_unclosed(owner: object, session: aiohttp.ClientSession | None) -> None:
    """Emit ``ResourceWarning`` when a client is garbage-collected with its session still open."""
    if session is not None and not session.closed:
        warnings.warn(f"unclosed {type(owner).__name__}", ResourceWarning, stacklevel=2)


class SessionOwner:
    """Lifecycle shared by the API clients: one lazily created session, idempotent ``close()``.

    Subclasses set ``_api_url`` and ``_settings`` and call ``_http()`` for the session; the
    session is created on first use (on the caller's event loop), a closed client refuses calls,
    and a client garbage-collected while open emits ``ResourceWarning`` (style principle 2).
    """

    _api_url: str
    _settings: ClientSettings
    _session: aiohttp.ClientSession | None = None
    _closed: bool = False

    @property
    def closed(self) -> bool:
        """True once ``close()`` ran; a closed client refuses further calls."""
        return self._closed

    async def close(self) -> None:
        """Close the HTTP session (idempotent)."""
        self._closed = True
        if self._session is not None:
            await self._session.close()

    def _http(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError(f"{type(self).__name__} is closed")
        if self._session is None:
            self._session = make_session(
                self._api_url, timeout_s=self._settings.timeout_s, headers={"Accept": "application/json"}
            )
        return self._session

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __del__(self) -> None:
        warn_unclosed(self, getattr(self, "_session", None))
