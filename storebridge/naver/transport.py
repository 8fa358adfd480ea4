"""Request core of the Naver client: session, token, one re-auth on 401, error mapping, retries.

``NaverTransport`` knows how to make *one* Commerce API call safely; ``storebridge.naver.client.NaverClient``
adds the endpoints. Retry policy per call ``Mode``: reads (GET, search, token, upload) and idempotent
writes (full-replace PUT, absolute price/stock, status) are retried on transient failures with
jittered exponential backoff, at most ``max_retries`` times; a create is retried only when Naver
provably did not process it (429 from the gateway, connection never opened, token not obtained).
4xx are never retried, except one token refresh and resend on a 401 (``GW.AUTHN``: expired token).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self, TypeVar

import aiohttp
from pydantic import SecretStr

from storebridge.config import Settings
from storebridge.http import (
    Limiter,
    RateLimitInfo,
    RawResponse,
    SessionOwner,
    TransportFailure,
    retrying,
    send,
)
from storebridge.naver.auth import DEFAULT_CLOCK_SKEW_S, DEFAULT_REFRESH_MARGIN_S, NaverTokenManager
from storebridge.naver.errors import (
    NaverOutcomeUnknown,
    NaverRateLimited,
    NaverTransient,
    NaverUnauthorized,
    error_code,
    error_for,
    parse_json,
    trace_id_of,
    transport_error,
    unexpected_body,
)
from storebridge.naver.models import ResponseMeta, WriteResult, as_int

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_RETRY_BASE_S = 0.5
DEFAULT_RETRY_MAX_S = 10.0
#: Limiter buckets are per Naver API, as the gateway counts them: ``naver:<METHOD> <path template>``.
BUCKET_PREFIX = "naver:"

log = logging.getLogger(__name__)
T = TypeVar("T")


class Mode(enum.Enum):
    """How a call may be retried, and what a failure after sending means."""

    READ = "read"  # retried; failures are NaverTransient
    IDEMPOTENT = "idempotent"  # retried; failures are NaverOutcomeUnknown once retries run out
    CREATE = "create"  # only provably-unsent failures (429, refused connection) are retried


@dataclass
class _CallState:
    reauthed: bool = False


def meta(response: RawResponse) -> ResponseMeta:
    """Trace ID and rate-limit state of an answer."""
    return ResponseMeta(trace_id_of(response), RateLimitInfo.from_headers(response.headers))


class NaverTransport(SessionOwner):
    """One application's connection to the Commerce API; share one per process (its token too).

    An async context manager owning one ``aiohttp.ClientSession``; ``close()`` is idempotent.
    ``limiter`` is the optional rate-limiter hook (``storebridge.http.Limiter``), called per request
    with buckets named ``naver:<METHOD> <path template>``.
    """

    def __init__(
        self,
        *,
        api_url: str,
        client_id: str,
        client_secret: str | SecretStr,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_retries: int = 3,
        retry_base_s: float = DEFAULT_RETRY_BASE_S,
        retry_max_s: float = DEFAULT_RETRY_MAX_S,
        limiter: Limiter | None = None,
        token_refresh_margin_s: float = DEFAULT_REFRESH_MARGIN_S,
        clock_skew_s: float = DEFAULT_CLOCK_SKEW_S,
    ) -> None:
        self._session: aiohttp.ClientSession | None = None
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        self._api_url = api_url
        self._client_id = client_id
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._retry_base_s = retry_base_s
        self._retry_max_s = retry_max_s
        self._limiter = limiter
        self._closed = False
        secret = client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        self._secret = secret
        self.tokens = NaverTokenManager(
            client_id=client_id,
            client_secret=secret,
            fetch=self._fetch_token,
            refresh_margin_s=token_refresh_margin_s,
            clock_skew_s=clock_skew_s,
        )

    @classmethod
    def from_settings(cls, settings: Settings, *, limiter: Limiter | None = None, **overrides: Any) -> Self:
        """Build from the one ``Settings`` object; ``overrides`` set the other keyword arguments."""
        return cls(
            api_url=settings.naver_api_url,
            client_id=settings.naver_client_id,
            client_secret=settings.naver_client_secret,
            max_retries=settings.max_retries,
            limiter=limiter,
            **overrides,
        )

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(api_url={self._api_url!r}, client_id={self._client_id!r}, closed={self._closed})"

    # -- request core -------------------------------------------------------------------------
    async def _send(
        self, method: str, path: str, template: str, mode: Mode, token: str | None, **kwargs: Any
    ) -> RawResponse:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        endpoint = f"{method} /{path}"
        try:
            return await send(
                self._http(),
                method,
                path,
                bucket=f"{BUCKET_PREFIX}{method} {template}",
                limiter=self._limiter,
                allow_redirects=False,
                headers=headers,
                **kwargs,
            )
        except TransportFailure as exc:
            raise transport_error(endpoint, exc.kind, write=mode is not Mode.READ, sent=exc.sent) from None

    def _should_retry(self, mode: Mode) -> Callable[[BaseException], bool]:
        if mode is Mode.CREATE:
            return lambda exc: isinstance(exc, NaverRateLimited | NaverTransient)
        return lambda exc: isinstance(exc, NaverRateLimited | NaverTransient | NaverOutcomeUnknown)

    async def call(
        self,
        method: str,
        path: str,
        *,
        template: str,
        mode: Mode,
        parse: Callable[[RawResponse], T],
        body: Callable[[], dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> T:
        """One API call: token, send, one re-auth on 401 GW.AUTHN, error mapping, parse; retried per mode.

        ``body`` builds keyword arguments per attempt (a multipart body can be sent only once).
        """
        state = _CallState()
        endpoint = f"{method} /{path}"

        async def attempt() -> T:
            extra = body() if body is not None else {}
            token = await self.tokens.get()
            response = await self._send(method, path, template, mode, token, **kwargs, **extra)
            # Naver documents 401 GW.AUTHN as "refresh and retry"; any other 401 (the product
            # service's UNAUTHORIZED, a body lost by a proxy) gets the same single retry, because a
            # stale token is its likeliest cause and a spurious re-auth costs one token call.
            if response.status == 401 and not state.reauthed:
                state.reauthed = True
                log.info(
                    "naver.token.rejected",
                    extra={
                        "endpoint": endpoint,
                        "code": error_code(response),
                        "trace_id": trace_id_of(response),
                    },
                )
                token = await self.tokens.refresh(token)
                extra = body() if body is not None else {}
                response = await self._send(method, path, template, mode, token, **kwargs, **extra)
            if not 200 <= response.status < 300:
                raise error_for(response, endpoint, write=mode is not Mode.READ)
            return parse(response)

        retry = retrying(
            max_retries=self._max_retries,
            retry_base_s=self._retry_base_s,
            retry_max_s=self._retry_max_s,
            should_retry=self._should_retry(mode),
            event="naver.request.retry",
        )
        return await retry(attempt)

    async def _fetch_token(self, form: dict[str, str]) -> tuple[str, float]:
        """One token request (no retry of its own: it runs inside the retried ``call`` attempt).

        4xx other than 429 mean the credentials or the clock are wrong: ``NaverUnauthorized``. The
        answer body is never quoted on success (it holds the token), nor when it echoes the secret.
        """
        endpoint = "POST /v1/oauth2/token"
        # data= makes aiohttp send application/x-www-form-urlencoded: every parameter in the body,
        # none in the query string (reference §1.1; the query form is penalised).
        response = await self._send("POST", "v1/oauth2/token", "/v1/oauth2/token", Mode.READ, None, data=form)
        if not 200 <= response.status < 300:
            error = error_for(response, endpoint)
            secret = self._secret.get_secret_value()
            if form["client_secret_sign"] in str(error) or (secret and secret in str(error)):
                error = error_for(response, endpoint, quote_body=False)
            if response.status == 429 or response.status >= 500:
                raise error
            failed = NaverUnauthorized(
                f"token request refused: {error}", code=error.api_code or "TOKEN_REFUSED"
            )
            failed._describe(endpoint, error.status, error.api_code, error.trace_id)
            raise failed
        doc = parse_json(response.body)
        value = doc.get("access_token") if isinstance(doc, dict) else None
        expires_in = doc.get("expires_in") if isinstance(doc, dict) else None
        if not isinstance(value, str) or not value or not isinstance(expires_in, int | float):
            raise unexpected_body(response, endpoint, "no access_token/expires_in", write=False)
        return value, float(expires_in)

    # -- parsing helpers ----------------------------------------------------------------------
    @staticmethod
    def _json_object(response: RawResponse, endpoint: str, *, write: bool) -> dict[str, Any]:
        doc = parse_json(response.body)
        if not isinstance(doc, dict):
            raise unexpected_body(response, endpoint, "not a JSON object", write=write)
        return doc

    def _write_result(
        self, endpoint: str, fallback_origin: int | None
    ) -> Callable[[RawResponse], WriteResult]:
        def parse(response: RawResponse) -> WriteResult:
            doc = self._json_object(response, endpoint, write=True)
            origin = as_int(doc.get("originProductNo")) or fallback_origin
            if origin is None:
                raise unexpected_body(response, endpoint, "no originProductNo", write=True)
            channel = as_int(doc.get("smartstoreChannelProductNo"))
            return WriteResult(
                origin, channel, trace_id_of(response), RateLimitInfo.from_headers(response.headers)
            )

        return parse
