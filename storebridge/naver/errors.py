"""Naver Commerce API errors, named for the caller's decision, and the mapping from an HTTP answer.

Every leaf inherits ``NaverError`` and exactly one of ``TransientError`` / ``PermanentError``.
Messages name the endpoint, HTTP status, error code and gateway trace ID; they never contain the
client secret, the signature or a token (bodies of token answers are never quoted). Error bodies
are read with ``schemas.naver.NaverErrorBody``, rate headers with ``schemas.naver_gateway``.
"""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import ValidationError

from schemas.naver import InvalidInput, NaverErrorBody
from schemas.naver_gateway import QuotaHeaders, RateLimitHeaders
from storebridge.errors import PermanentError, StoreBridgeError, TransientError
from storebridge.http import RawResponse, header

TRACE_ID_HEADER = "GNCP-GW-Trace-ID"
#: Seconds to wait after a 429 when the headers give no replenish rate (Naver sends no Retry-After).
DEFAULT_RATE_LIMIT_WAIT_S = 1.0
#: 403 code of a caller whose egress IP is not registered for the application (reference §6).
IP_NOT_ALLOWED = "GW.IP_NOT_ALLOWED"
#: Items wait this long (s) after a GW.IP_NOT_ALLOWED: an operator must act; nothing is failed.
IP_NOT_ALLOWED_RETRY_S = 600.0
#: What the operator must do about GW.IP_NOT_ALLOWED (logged once per process, also in the error).
IP_NOT_ALLOWED_ACTION = (
    "Naver refused this server's IP (GW.IP_NOT_ALLOWED): register the egress IP of this deployment "
    "in the Commerce API center (apicenter.commerce.naver.com, application > API 호출 IP); items "
    "wait and resume by themselves once it is registered"
)
#: Items wait this long (s) when Naver refuses the credentials: fixing them means new pod settings.
CREDENTIALS_RETRY_S = 600.0
#: What the operator must do when Naver refuses the application's credentials (as above).
CREDENTIALS_ACTION = (
    "Naver refuses this application's credentials (the token request is refused, or every fresh "
    "token gets 401): check NAVER_CLIENT_ID and NAVER_CLIENT_SECRET against the application in the "
    "Commerce API center (apicenter.commerce.naver.com: a regenerated secret, a suspended or deleted "
    "application) and this server's clock (a signature is valid 5 minutes); items wait and resume "
    "by themselves once it is fixed"
)
#: Gateway code prefix of 503s that never reached the API server: circuit open, maintenance (§6).
GATEWAY_BLOCK_PREFIX = "GW.BLOCK"
#: Maintenance (GW.BLOCK.02) lasts minutes to hours: wait this long (s) instead of retrying in-client.
MAINTENANCE_RETRY_S = 60.0
#: Longest server message quoted in an exception.
MAX_MESSAGE_CHARS = 300


class NaverError(StoreBridgeError):
    """Family base: each failure carries endpoint, HTTP status, ``api_code``, trace ID and rate state."""

    endpoint: str = ""
    status: int | None = None
    api_code: str | None = None
    trace_id: str | None = None
    rate_limit: RateLimitHeaders | None = None

    def _describe(self, endpoint: str, status: int | None, code: str | None, trace_id: str | None) -> None:
        self.endpoint, self.status, self.api_code, self.trace_id = endpoint, status, code, trace_id


class NaverTransient(NaverError, TransientError):
    """5xx, timeout or dropped connection on a read or a retried idempotent write: try again later."""


class NaverOutcomeUnknown(NaverError, TransientError):
    """A write (create, update) may or may not have been applied: timeout, reset, or 5xx after sending.

    Not a ``NaverTransient`` on purpose: the caller must reconcile (search by seller code, or GET)
    before writing again, never re-post blindly.
    """


class NaverRateLimited(NaverError, TransientError):
    """429 ``GW.RATE_LIMIT`` or ``GW.QUOTA_LIMIT``; ``retry_after_s`` is derived from the headers."""

    quota_period: str | None = None


class NaverTokenRefused(NaverTransient):
    """401 (``GW.AUTHN``) on a call: the token expired or was revoked; nothing was applied.

    The transport answers it with a fresh token; one that persists on every retry of a call becomes
    ``NaverUnauthorized``. A gateway revoking tokens in a storm is not the item's fault.
    """


class NaverDeploymentFault(NaverError, TransientError):
    """A fault of this deployment that an operator must fix; no item is at fault.

    Transient with a long ``retry_after_s``, so items wait (re-queued, no attempt counted: see
    ``GATEWAY_WAITS``) instead of being parked one by one; never retried in-client. The transport
    logs ``event`` at ERROR once, with ``action`` (the operator's fix, also in the message), and
    then holds every call for a while without sending it.
    """

    #: Log event of the operator's alert.
    event: ClassVar[str]
    #: What the operator must do.
    action: ClassVar[str]

    def not_sent(self, where: str, *, retry_after_s: float) -> Self:
        """The same fault for a call to ``where`` that the transport's hold kept from being sent."""
        error = type(self)(f"{where} -> not sent, held after: {self}", retry_after_s=max(retry_after_s, 0.0))
        error._describe(where, None, self.api_code, None)
        return error


class NaverIpNotAllowed(NaverDeploymentFault):
    """403 ``GW.IP_NOT_ALLOWED``: this deployment's egress IP is not registered with Naver."""

    event = "naver.ip_not_allowed"
    action = IP_NOT_ALLOWED_ACTION


class NaverUnauthorized(NaverDeploymentFault):
    """Naver refuses the credentials: the token request itself is refused (wrong secret or client
    id, clock off), or a 401 persisted on every retry of a call, each with a freshly fetched token.
    """

    event = "naver.credentials_refused"
    action = CREDENTIALS_ACTION


class NaverMaintenance(NaverTransient):
    """503 ``GW.BLOCK.*``: the gateway refused the call (circuit open, maintenance) without forwarding it.

    Nothing was applied, so even a create may be sent again; back off, do not count an attempt.
    """


class NaverRejected(NaverError, PermanentError):
    """A 4xx (or unexpected redirect) that retrying cannot fix; a person or a code change must."""


class NaverValidationError(NaverRejected):
    """400: the payload broke a rule; ``invalid_inputs`` lists the fields (may be empty, read message)."""

    invalid_inputs: tuple[InvalidInput, ...] = ()
    server_message: str = ""


class NaverForbidden(NaverRejected):
    """403 other than ``GW.IP_NOT_ALLOWED`` (``NaverIpNotAllowed``): e.g. an API group not granted."""


class NaverNotFound(NaverRejected):
    """404: no such product (or category)."""


#: Refusals by the gateway in front of Naver (rate limits, maintenance, this deployment's IP or
#: credentials): the item is not at fault, so the sync waits (re-queues with the error's delay)
#: without counting an attempt.
GATEWAY_WAITS: tuple[type[NaverError], ...] = (NaverRateLimited, NaverDeploymentFault, NaverMaintenance)


def error_body(response: RawResponse) -> NaverErrorBody:
    """The answer's error body; an empty one when the body is not a JSON object of that shape."""
    try:
        return NaverErrorBody.model_validate_json(response.body)
    except ValidationError:
        return NaverErrorBody()


def rate_limit_of(response: RawResponse) -> RateLimitHeaders | None:
    """The gateway's rate-limit state after this answer; None when it sent no usable header."""
    seen = RateLimitHeaders.from_headers(response.headers)
    return None if seen.empty else seen


def trace_id_of(response: RawResponse, body: NaverErrorBody | None = None) -> str | None:
    """The gateway trace ID: the ``GNCP-GW-Trace-ID`` header, else the body's ``traceId``."""
    found = header(response.headers, TRACE_ID_HEADER)
    if found:
        return found
    return (body or error_body(response)).trace_id or None


def _rate_limit_wait_s(quota: QuotaHeaders, code: str, info: RateLimitHeaders | None) -> float:
    if code == "GW.QUOTA_LIMIT" or quota.exhausted:
        return quota.reset_after_s
    if info is not None and info.replenish_rate_per_s:
        return 1.0 / info.replenish_rate_per_s
    return DEFAULT_RATE_LIMIT_WAIT_S


def error_for(
    response: RawResponse, endpoint: str, *, write: bool = False, quote_body: bool = True
) -> NaverError:
    """The exception for a non-2xx answer to ``endpoint`` (e.g. ``POST /v2/products``).

    ``write=True`` turns 5xx into ``NaverOutcomeUnknown`` (the server may have applied it).
    ``quote_body=False`` keeps the server message out of the text (token answers).
    Branches on the HTTP status, not on exact ``code`` spellings (reference §7.17).
    """
    body = error_body(response)
    code, server_message = body.code, body.message
    trace_id = trace_id_of(response, body)
    info = rate_limit_of(response)
    status = response.status
    text = f"{endpoint} -> HTTP {status}" + (f" {code}" if code else "") + f" (trace {trace_id or '-'})"
    inputs = tuple(body.invalid_inputs)
    if quote_body and server_message:
        text += ": " + server_message[:MAX_MESSAGE_CHARS]
    if quote_body and inputs:
        text += " [" + "; ".join(f"{i.name or '-'} {i.type}: {i.message}" for i in inputs)[:MAX_MESSAGE_CHARS]
        text += "]"
    error: NaverError
    if status == 429:
        quota = QuotaHeaders.from_headers(response.headers)
        error = NaverRateLimited(text, retry_after_s=_rate_limit_wait_s(quota, code, info))
        error.quota_period = quota.period
    elif status == 503 and code.startswith(GATEWAY_BLOCK_PREFIX):
        wait_s = MAINTENANCE_RETRY_S if code.startswith(GATEWAY_BLOCK_PREFIX + ".02") else None
        error = NaverMaintenance(text, retry_after_s=wait_s)
    elif status >= 500:
        error = NaverOutcomeUnknown(text) if write else NaverTransient(text)
    elif status == 400:
        error = NaverValidationError(text, code=code or "BAD_REQUEST")
        error.invalid_inputs, error.server_message = inputs, server_message
    elif status == 401:
        error = NaverTokenRefused(text)
    elif status == 403 and code == IP_NOT_ALLOWED:
        error = NaverIpNotAllowed(f"{text}. {IP_NOT_ALLOWED_ACTION}", retry_after_s=IP_NOT_ALLOWED_RETRY_S)
    elif status == 403:
        error = NaverForbidden(text, code=code or "FORBIDDEN")
    elif status == 404:
        error = NaverNotFound(text, code=code or "NOT_FOUND")
    else:
        error = NaverRejected(text, code=code or f"HTTP_{status}")
    error._describe(endpoint, status, code or None, trace_id)
    error.rate_limit = info
    return error


def credentials_refused(cause: NaverError, why: str) -> NaverUnauthorized:
    """The deployment fault for refused credentials, ``why`` and ``cause`` (the last refusal) in its text."""
    error = NaverUnauthorized(
        f"{why}: {str(cause).rstrip('.')}. {CREDENTIALS_ACTION}", retry_after_s=CREDENTIALS_RETRY_S
    )
    error._describe(cause.endpoint, cause.status, cause.api_code, cause.trace_id)
    error.rate_limit = cause.rate_limit
    return error


def transport_error(endpoint: str, kind: str, *, write: bool, sent: bool) -> NaverError:
    """The exception for a request that got no HTTP answer (timeout, reset, refused connection)."""
    text = f"{endpoint} -> no answer ({kind})"
    error: NaverError = NaverOutcomeUnknown(text) if write and sent else NaverTransient(text)
    error._describe(endpoint, None, None, None)
    return error


def unexpected_body(response: RawResponse, endpoint: str, what: str, *, write: bool) -> NaverError:
    """A 2xx whose body is not what the API documents (not JSON, numbers missing ...)."""
    trace_id = trace_id_of(response)
    text = f"{endpoint} -> HTTP {response.status} with unexpected body: {what} (trace {trace_id or '-'})"
    error: NaverError = NaverOutcomeUnknown(text) if write else NaverTransient(text)
    error._describe(endpoint, response.status, None, trace_id)
    error.rate_limit = rate_limit_of(response)
    return error
