"""Request metrics for the API clients, as a ``storebridge.http.Limiter`` hook wrapped around the real one.

``MetricsHook(LimiterHook(limiter))`` is what the clients get: ``before_request`` times the inner
limiter's wait (``storebridge_limiter_wait_seconds``) and then starts the request clock;
``after_response`` stops it, counts the answer (``storebridge_api_requests_total``) and records its
duration (``storebridge_api_request_duration_seconds``) before delegating, so the limiter's own
bookkeeping is not counted as request time.

Labels come from the request's ``RequestKey``: ``api`` is its API and ``endpoint`` its
``<METHOD> <path template>`` (``GET /v2/products/origin-products/{no}``). Domeggook picks the
operation by query parameters on one URL, so its key has no path template and its endpoint is
``all``. The limiter wait is labelled with the bucket the key spends (``limiter.bucket_for``).

The request clock lives in a ``ContextVar``: ``storebridge.http.send`` awaits both hooks in the same
task, so concurrent requests in other tasks never see each other's start time. Requests that got no
HTTP answer (timeout, reset, refused) never reach ``after_response`` and are not counted; their
start time is overwritten by the next request of the task.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Mapping

from storebridge.http import Limiter, RequestKey
from storebridge.limiter import bucket_for
from storebridge.metrics.definitions import (
    METRICS,
    REQUEST_APIS,
    Metrics,
    observe_api_request,
    observe_limiter_wait,
)

#: ``endpoint`` label of a request whose key has no path template (Domeggook: one URL, any mode).
ALL_ENDPOINTS = "all"
#: Limiter bucket label used when a key maps to no limiter bucket (then ``inner`` fails anyway).
UNKNOWN_BUCKET = "unknown"

#: (request key, monotonic start) of the request this task is sending.
_request_start: contextvars.ContextVar[tuple[RequestKey, float] | None] = contextvars.ContextVar(
    "storebridge_request_start", default=None
)


def request_labels(key: RequestKey) -> tuple[str, str]:
    """``(api, endpoint)`` labels of a request, e.g. ``("naver", "GET /v1/categories")``.

    Raises ``ValueError`` for an API the metrics do not know (its series would be unbounded).
    """
    if key.api not in REQUEST_APIS:
        raise ValueError(f"request {key.endpoint!r} belongs to no known API ({key.api!r})")
    return key.api, key.endpoint if key.template else ALL_ENDPOINTS


def _limiter_label(key: RequestKey) -> str:
    try:
        return bucket_for(key)
    except ValueError:
        return UNKNOWN_BUCKET


class MetricsHook:
    """A ``Limiter`` that records request metrics and delegates to ``inner`` (None: metrics only)."""

    def __init__(self, inner: Limiter | None, *, metrics: Metrics = METRICS) -> None:
        self.inner = inner
        self.metrics = metrics

    async def before_request(self, key: RequestKey) -> None:
        """Wait for ``inner`` (timed as limiter wait), then start this request's clock."""
        if self.inner is not None:
            started = time.monotonic()
            await self.inner.before_request(key)  # may raise RateLimitWait: nothing is sent, nothing timed
            observe_limiter_wait(_limiter_label(key), time.monotonic() - started, metrics=self.metrics)
        _request_start.set((key, time.monotonic()))

    async def after_response(self, key: RequestKey, status: int, headers: Mapping[str, str]) -> None:
        """Count the answer with its duration, then let ``inner`` learn from it."""
        ended = time.monotonic()
        start = _request_start.get()
        _request_start.set(None)
        duration_s = ended - start[1] if start is not None and start[0] == key else None
        try:
            api, endpoint = request_labels(key)
            observe_api_request(api, endpoint, status, duration_s, metrics=self.metrics)
        finally:  # a metrics problem must never cost the limiter its 429 penalty
            if self.inner is not None:
                await self.inner.after_response(key, status, headers)
