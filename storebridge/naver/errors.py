"""Naver Commerce API errors, named for the caller's decision, and the mapping from an HTTP answer.

Every leaf inherits ``NaverError`` and exactly one of ``TransientError`` / ``PermanentError``.
Messages name the endpoint, HTTP status, error code and gateway trace ID; they never contain the
client secret, the signature or a token (bodies of token answers are never quoted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from storebridge.errors import PermanentError, StoreBridgeError, TransientError
from storebridge.http import RateLimitInfo, RawResponse, header

TRACE_ID_HEADER = "GNCP-GW-Trace-ID"
QUOTA_PERIOD_HEADER = "GNCP-GW-Quota-Period"
#: Seconds to wait after a 429 when the headers give no replenish rate (Naver sends no Retry-After).
DEFAULT_RATE_LIMIT_WAIT_S = 1.0
#: Seconds to wait after a GW.QUOTA_LIMIT, by ``GNCP-GW-Quota-Period`` (HOURS = the token-spec penalty).
QUOTA_WAIT_S = {"SECONDS": 1.0, "MINUTES": 60.0, "HOURS": 3600.0}
#: Default wait after a GW.QUOTA_LIMIT with an unknown period (``ROUND`` etc.): [UNK], be patient.
DEFAULT_QUOTA_WAIT_S = 3600.0
#: Longest server message quoted in an exception.
MAX_MESSAGE_CHARS = 300


@dataclass(frozen=True)
class InvalidInput:
    """One ``invalidInputs[]`` entry of a 400: dot-path ``name`` (may be empty), rule ``type``, message."""

    name: str
    type: str
    message: str


class NaverError(StoreBridgeError):
    """Family base: each failure carries endpoint, HTTP status, ``api_code``, trace ID and rate state."""

    endpoint: str = ""
    status: int | None = None
    api_code: str | None = None
    trace_id: str | None = None
    rate_limit: RateLimitInfo | None = None

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


class NaverRejected(NaverError, PermanentError):
    """A 4xx (or unexpected redirect) that retrying cannot fix; a person or a code change must."""


class NaverValidationError(NaverRejected):
    """400: the payload broke a rule; ``invalid_inputs`` lists the fields (may be empty, read message)."""

    invalid_inputs: tuple[InvalidInput, ...] = ()
    server_message: str = ""


class NaverUnauthorized(NaverRejected):
    """401 even after one fresh token, or the token request itself was refused (bad credentials)."""


class NaverForbidden(NaverRejected):
    """403: caller IP not allow-listed (``GW.IP_NOT_ALLOWED``) or API group not granted."""


class NaverNotFound(NaverRejected):
    """404: no such product (or category)."""


def parse_json(body: bytes) -> Any:
    """The decoded JSON body, or None when the body is empty or not JSON."""
    if not body.strip():
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def invalid_inputs(doc: Any) -> tuple[InvalidInput, ...]:
    """``invalidInputs[]`` of an error body as a tuple (missing or malformed entries are skipped)."""
    items = doc.get("invalidInputs") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        return ()
    return tuple(
        InvalidInput(str(item.get("name") or ""), str(item.get("type") or ""), str(item.get("message") or ""))
        for item in items
        if isinstance(item, dict)
    )


def error_code(response: RawResponse) -> str | None:
    """The body's ``code`` (``GW.AUTHN``, ``BAD_REQUEST`` ...), if the body is a JSON object."""
    doc = parse_json(response.body)
    return _str(doc.get("code")) if isinstance(doc, dict) else None


def trace_id_of(response: RawResponse) -> str | None:
    """The gateway trace ID: the ``GNCP-GW-Trace-ID`` header, else the body's ``traceId``."""
    found = header(response.headers, TRACE_ID_HEADER)
    if found:
        return found
    doc = parse_json(response.body)
    return _str(doc.get("traceId")) if isinstance(doc, dict) else None


def _rate_limit_wait_s(response: RawResponse, code: str | None, info: RateLimitInfo | None) -> float:
    if code == "GW.QUOTA_LIMIT":
        period = (header(response.headers, QUOTA_PERIOD_HEADER) or "").upper()
        return QUOTA_WAIT_S.get(period, DEFAULT_QUOTA_WAIT_S)
    if info is not None and info.replenish_rate and info.replenish_rate > 0:
        return 1.0 / info.replenish_rate
    return DEFAULT_RATE_LIMIT_WAIT_S


def error_for(
    response: RawResponse, endpoint: str, *, write: bool = False, quote_body: bool = True
) -> NaverError:
    """The exception for a non-2xx answer to ``endpoint`` (e.g. ``POST /v2/products``).

    ``write=True`` turns 5xx into ``NaverOutcomeUnknown`` (the server may have applied it).
    ``quote_body=False`` keeps the server message out of the text (token answers).
    Branches on the HTTP status, not on exact ``code`` spellings (reference §7.17).
    """
    doc = parse_json(response.body)
    code = _str(doc.get("code")) if isinstance(doc, dict) else None
    server_message = (_str(doc.get("message")) or "") if isinstance(doc, dict) else ""
    trace_id = trace_id_of(response)
    info = RateLimitInfo.from_headers(response.headers)
    status = response.status
    text = f"{endpoint} -> HTTP {status}" + (f" {code}" if code else "") + f" (trace {trace_id or '-'})"
    inputs = invalid_inputs(doc)
    if quote_body and server_message:
        text += ": " + server_message[:MAX_MESSAGE_CHARS]
    if quote_body and inputs:
        text += " [" + "; ".join(f"{i.name or '-'} {i.type}: {i.message}" for i in inputs)[:MAX_MESSAGE_CHARS]
        text += "]"
    error: NaverError
    if status == 429:
        error = NaverRateLimited(text, retry_after_s=_rate_limit_wait_s(response, code, info))
        error.quota_period = header(response.headers, QUOTA_PERIOD_HEADER)
    elif status >= 500:
        error = NaverOutcomeUnknown(text) if write else NaverTransient(text)
    elif status == 400:
        error = NaverValidationError(text, code=code or "BAD_REQUEST")
        error.invalid_inputs, error.server_message = inputs, server_message
    elif status == 401:
        error = NaverUnauthorized(text, code=code or "UNAUTHORIZED")
    elif status == 403:
        error = NaverForbidden(text, code=code or "FORBIDDEN")
    elif status == 404:
        error = NaverNotFound(text, code=code or "NOT_FOUND")
    else:
        error = NaverRejected(text, code=code or f"HTTP_{status}")
    error._describe(endpoint, status, code, trace_id)
    error.rate_limit = info
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
    error.rate_limit = RateLimitInfo.from_headers(response.headers)
    return error
