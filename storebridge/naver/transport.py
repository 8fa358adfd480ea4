"""Request core of the Naver client: session, token, one re-auth on 401, error mapping, retries.

``NaverTransport`` knows how to make *one* Commerce API call safely; ``NaverClient`` owns one and
states the endpoints (``storebridge.naver.endpoints``). Each endpoint's ``Idempotency`` sets the retry
policy: ``SAFE`` calls (GET, search, token, upload) and ``IDEMPOTENT`` writes (full-replace PUT,
absolute price/stock, status, delete) are retried on transient failures with jittered exponential
backoff, at most ``ClientSettings.max_retries`` times; a ``NOT_IDEMPOTENT`` create is retried only
when Naver provably did not process it (429 from the gateway, connection never opened, token not
obtained). Answer bodies are parsed with ``schemas.naver`` through ``Answer.parse``.

A 401 (``GW.AUTHN``: the token expired or was revoked) is answered with a fresh token, whatever the
endpoint: the first one of a call at once, later ones through the retry backoff, each retry starting
from a token other than the one refused. Only a 401 on every attempt of a call, each with a fresh
token, means Naver refuses the credentials themselves (``NaverUnauthorized``). Other 4xx are never
retried.

Gateway refusals get one clear state each (``naver.errors``): 429 ``GW.QUOTA_LIMIT`` waits for the
quota's period (the limiter pauses every Naver bucket for everyone from the ``GNCP-GW-Quota-*``
headers); 503 ``GW.BLOCK.*`` is ``NaverMaintenance``. 403 ``GW.IP_NOT_ALLOWED`` and refused
credentials are deployment faults (``NaverDeploymentFault``): logged at ERROR with the operator's
fix once (again only after a call went through meanwhile), then for ``operator_hold_s`` every call
of this transport raises the same error without sending anything, so a whole queue of items waiting
on it costs one request per hold and process, not one each.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self, TypeVar

import aiohttp
from pydantic import SecretStr, TypeAdapter, ValidationError

from schemas.naver import TokenResponse
from storebridge.config import Settings
from storebridge.http import (
    ClientSettings,
    Limiter,
    RawResponse,
    SessionOwner,
    TransportFailure,
    retrying,
    send,
)
from storebridge.naver import endpoints
from storebridge.naver.auth import DEFAULT_CLOCK_SKEW_S, DEFAULT_REFRESH_MARGIN_S, NaverTokenManager
from storebridge.naver.endpoints import Endpoint, Idempotency
from storebridge.naver.errors import (
    NaverDeploymentFault,
    NaverError,
    NaverIpNotAllowed,
    NaverOutcomeUnknown,
    NaverRateLimited,
    NaverTokenRefused,
    NaverTransient,
    credentials_refused,
    error_body,
    error_for,
    rate_limit_of,
    trace_id_of,
    transport_error,
    unexpected_body,
)
from storebridge.naver.models import ResponseMeta

logger = logging.getLogger(__name__)
T = TypeVar("T")
M = TypeVar("M")
_TOKEN = TypeAdapter(TokenResponse)
#: After a deployment fault (IP not allowed, credentials refused), calls are not sent for this long
#: (s): the operator's fix takes minutes.
OPERATOR_HOLD_S = 60.0


@dataclass(frozen=True)
class Answer:
    """One 2xx answer to a call, with what is needed to report a body that is not as documented."""

    response: RawResponse
    #: ``<METHOD> /<concrete path>`` of the call, as error messages name it.
    where: str
    #: True when the call may have written (an unusable answer then leaves the outcome unknown).
    write: bool

    def parse(self, schema: TypeAdapter[M]) -> M:
        """The body read with ``schema`` (a ``schemas.naver`` model); an unusable body raises.

        ``NaverOutcomeUnknown`` after a write, ``NaverTransient`` after a read.
        """
        try:
            return schema.validate_json(self.response.body)
        except ValidationError as exc:
            raise self._unusable(exc) from None

    def validate(self, schema: TypeAdapter[M], value: object) -> M:
        """``value`` (already decoded from this answer) read with ``schema``; raises like ``parse``."""
        try:
            return schema.validate_python(value)
        except ValidationError as exc:
            raise self._unusable(exc) from None

    def _unusable(self, exc: ValidationError) -> NaverError:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        return self.unexpected(f"{field}: {first['msg']}")

    def unexpected(self, what: str) -> NaverError:
        """The error for an answer that parsed but does not say what the call needs."""
        return unexpected_body(self.response, self.where, what, write=self.write)

    @property
    def meta(self) -> ResponseMeta:
        """Trace ID and rate-limit state of the answer."""
        return ResponseMeta(trace_id_of(self.response), rate_limit_of(self.response))


def answer_meta(answer: Answer) -> ResponseMeta:
    """``parse`` for calls whose answer body says nothing we need (status, multi-update, delete)."""
    return answer.meta


def _where(endpoint: Endpoint, path: str) -> str:
    """How errors and logs name a call: ``<METHOD> /<concrete path>``."""
    return f"{endpoint.key.method} /{path}"


@dataclass
class _CallState:
    #: The token Naver refused last during this call: the next send uses another one.
    refused: str | None = None
    #: 401s received during this call, and attempts that ended on one.
    rejections: int = 0
    refused_attempts: int = 0


class NaverTransport(SessionOwner):
    """One application's connection to the Commerce API; share one per process (its token too).

    An async context manager owning one ``aiohttp.ClientSession``; ``close()`` is idempotent.
    ``limiter`` is the optional rate-limiter hook (``storebridge.http.Limiter``), called per request
    with the endpoint's ``RequestKey``. ``on_hold`` is told when an operator hold starts (with its
    ERROR event's name) and when a call goes through again (``None``): the workers show it as
    ``storebridge_naver_operator_hold`` without this layer knowing about metrics.
    """

    def __init__(
        self,
        *,
        api_url: str,
        client_id: str,
        client_secret: str | SecretStr,
        client_settings: ClientSettings | None = None,
        limiter: Limiter | None = None,
        token_refresh_margin_s: float = DEFAULT_REFRESH_MARGIN_S,
        clock_skew_s: float = DEFAULT_CLOCK_SKEW_S,
        operator_hold_s: float = OPERATOR_HOLD_S,
        on_hold: Callable[[str | None], None] | None = None,
    ) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._operator_hold_s = operator_hold_s
        self._on_hold = on_hold
        #: The deployment fault that holds calls, until ``_held_until`` (``time.monotonic()``).
        self._held: NaverDeploymentFault | None = None
        self._held_until = 0.0
        #: Faults already reported at ERROR; forgotten once a call goes through.
        self._reported: set[type[NaverDeploymentFault]] = set()
        self._api_url = api_url
        self._client_id = client_id
        self._settings = client_settings or ClientSettings()
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
    def from_settings(
        cls,
        settings: Settings,
        *,
        limiter: Limiter | None = None,
        client_settings: ClientSettings | None = None,
        on_hold: Callable[[str | None], None] | None = None,
    ) -> Self:
        """Build from the one ``Settings`` object (``client_settings``: ``ClientSettings.from_settings``)."""
        return cls(
            api_url=settings.naver_api_url,
            client_id=settings.naver_client_id,
            client_secret=settings.naver_client_secret,
            client_settings=client_settings or ClientSettings.from_settings(settings),
            limiter=limiter,
            on_hold=on_hold,
        )

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(api_url={self._api_url!r}, client_id={self._client_id!r}, closed={self._closed})"

    # -- request core -------------------------------------------------------------------------
    async def _send(self, endpoint: Endpoint, path: str, token: str | None, **kwargs: Any) -> RawResponse:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            return await send(
                self._http(),
                endpoint.key,
                path,
                limiter=self._limiter,
                allow_redirects=False,
                headers=headers,
                **kwargs,
            )
        except TransportFailure as exc:
            where = _where(endpoint, path)
            raise transport_error(where, exc.kind, write=endpoint.idempotency.writes, sent=exc.sent) from None

    @staticmethod
    def _should_retry(idempotency: Idempotency) -> Callable[[BaseException], bool]:
        if idempotency is Idempotency.NOT_IDEMPOTENT:
            return lambda exc: isinstance(exc, NaverRateLimited | NaverTransient)
        return lambda exc: isinstance(exc, NaverRateLimited | NaverTransient | NaverOutcomeUnknown)

    async def call(
        self,
        endpoint: Endpoint,
        *,
        parse: Callable[[Answer], T],
        path_values: Mapping[str, object] | None = None,
        body: Callable[[], dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> T:
        """One API call: token, send, re-auth on 401, error mapping, parse; retried per the
        endpoint's ``Idempotency``.

        ``path_values`` fill the endpoint's path template; ``body`` builds keyword arguments per
        send (a multipart body can be sent only once); other keyword arguments go to aiohttp.
        """
        state = _CallState()
        path = endpoint.path(**(path_values or {}))
        where = _where(endpoint, path)
        write = endpoint.idempotency.writes
        held_s = self._held_until - time.monotonic()
        if self._held is not None and held_s > 0:
            raise self._held.not_sent(where, retry_after_s=held_s)

        async def attempt() -> T:
            response = await self._send_authorized(endpoint, path, state, body, kwargs)
            if response.status == 401:
                state.refused_attempts += 1
            if not 200 <= response.status < 300:
                raise error_for(response, where, write=write)
            return parse(Answer(response, where, write))

        retry = retrying(
            self._settings,
            should_retry=self._should_retry(endpoint.idempotency),
            event="naver.request.retry",
        )
        try:
            result: T = await retry(attempt)
        except NaverTokenRefused as exc:
            if state.refused_attempts <= self._settings.max_retries:
                raise  # retries cut short (shutdown): no proof against the credentials
            attempts = state.refused_attempts
            fault = credentials_refused(exc, f"401 on all {attempts} attempts, each with a new token")
            self._hold(fault)
            raise fault from None
        except NaverDeploymentFault as exc:
            self._hold(exc)
            raise
        self._reported.clear()
        if self._on_hold is not None:
            self._on_hold(None)
        return result

    async def _send_authorized(
        self,
        endpoint: Endpoint,
        path: str,
        state: _CallState,
        body: Callable[[], dict[str, Any]] | None,
        kwargs: dict[str, Any],
    ) -> RawResponse:
        """Send with a token other than any this call saw refused; the answer may still be a 401.

        Naver documents 401 ``GW.AUTHN`` as "refresh and retry", so the first 401 of a call is sent
        again at once with a fresh token. A later one is returned to the retry loop, which backs
        off: a gateway revoking tokens again and again (a storm, a rotation) is waited out. Any
        other 401 (the product service's UNAUTHORIZED, a body lost by a proxy) is treated the same,
        because a stale token is its likeliest cause and a spurious re-auth costs one token call.
        """
        while True:
            extra = body() if body is not None else {}
            token = await (self.tokens.refresh(state.refused) if state.refused else self.tokens.get())
            response = await self._send(endpoint, path, token, **kwargs, **extra)
            if response.status != 401:
                return response
            state.refused = token
            state.rejections += 1
            rejected = error_body(response)
            logger.info(
                "naver.token.rejected",
                extra={
                    "endpoint": _where(endpoint, path),
                    "code": rejected.code or None,
                    "trace_id": trace_id_of(response, rejected),
                    "rejections": state.rejections,
                },
            )
            if state.rejections > 1:
                return response

    def _hold(self, fault: NaverDeploymentFault) -> None:
        """Hold every call for ``operator_hold_s``, tell ``on_hold`` and alert the operator, once per
        episode."""
        self._held, self._held_until = fault, time.monotonic() + self._operator_hold_s
        if self._on_hold is not None:
            self._on_hold(fault.event)
        if type(fault) not in self._reported:
            self._reported.add(type(fault))
            logger.error(
                fault.event,
                extra={"endpoint": fault.endpoint, "trace_id": fault.trace_id, "action": fault.action},
            )

    async def _fetch_token(self, form: dict[str, str]) -> tuple[str, float]:
        """One token request (no retry of its own: it runs inside the retried ``call`` attempt).

        4xx other than 429 mean the credentials or the clock are wrong: ``NaverUnauthorized``, a
        deployment fault. The answer body is never quoted on success (it holds the token), nor when
        it echoes the secret.
        """
        path = endpoints.TOKEN.path()
        where = _where(endpoints.TOKEN, path)
        # data= makes aiohttp send application/x-www-form-urlencoded: every parameter in the body,
        # none in the query string (reference §1.1; the query form is penalised).
        response = await self._send(endpoints.TOKEN, path, None, data=form)
        if not 200 <= response.status < 300:
            error = error_for(response, where)
            secret = self._secret.get_secret_value()
            if form["client_secret_sign"] in str(error) or (secret and secret in str(error)):
                error = error_for(response, where, quote_body=False)
            if response.status == 429 or response.status >= 500 or isinstance(error, NaverIpNotAllowed):
                raise error
            raise credentials_refused(error, "token request refused")
        try:
            token = _TOKEN.validate_json(response.body)
        except ValidationError:
            # Not quoted: a half-valid token answer may still hold the token.
            raise unexpected_body(response, where, "no access_token/expires_in", write=False) from None
        return token.access_token, token.expires_in
