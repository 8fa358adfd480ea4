"""Request metrics for the API clients, as a ``storebridge.http.Limiter`` hook wrapped around the real one.

``MetricsHook(LimiterHook(limiter))`` is what the clients get: ``before_request`` times the inner
limiter's wait (``storebridge_limiter_wait_seconds``) and then starts the request clock;
``after_response`` stops it, counts the answer (``storebridge_api_requests_total``) and records its
duration (``storebridge_api_request_duration_seconds``) before delegating, so the limiter's own
bookkeeping is not counted as request time.

Labels come from the client's bucket name: ``naver:<METHOD> <path template>`` gives ``api="naver"``
and ``endpoint="<METHOD> <path template>"``; Domeggook's bucket is plain ``domeggook`` (its client
does not say which mode it calls), so its endpoint is ``all``; a future ``domeggook:<mode>`` bucket
would give ``endpoint="<mode>"`` with no change here (``LimiterHook`` would then have to map it to
the ``domeggook`` budget).

The request clock lives in a ``ContextVar``: ``storebridge.http.send`` awaits both hooks in the same
task, so concurrent requests in other tasks never see each other's start time. Requests that got no
HTTP answer (timeout, reset, refused) never reach ``after_response`` and are not counted; their
start time is overwritten by the next request of the task.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Mapping

from storebridge.http import Limiter
from storebridge.limiter import limiter_bucket
from storebridge.metrics.definitions import METRICS, Metrics, observe_api_request, observe_limiter_wait

#: ``endpoint`` label of Domeggook requests while its bucket does not name the mode.
DOMEGGOOK_ALL_ENDPOINTS = "all"
#: Limiter bucket label used when a client bucket maps to no limiter bucket (then ``inner`` fails anyway).
UNKNOWN_BUCKET = "unknown"

#: (client bucket, monotonic start) of the request this task is sending.
_request_start: contextvars.ContextVar[tuple[str, float] | None] = contextvars.ContextVar(
    "storebridge_request_start", default=None
)


def request_labels(bucket: str) -> tuple[str, str]:
    """``(api, endpoint)`` of a client bucket name, e.g. ``("naver", "GET /v1/categories")``."""
    api, sep, rest = bucket.partition(":")
    if api == "naver" and sep:
        return "naver", rest or "unknown"
    if api == "domeggook":
        return "domeggook", rest if sep and rest else DOMEGGOOK_ALL_ENDPOINTS
    raise ValueError(f"bucket {bucket!r} belongs to no known API")


def _limiter_label(bucket: str) -> str:
    try:
        return limiter_bucket(bucket)
    except ValueError:
        return UNKNOWN_BUCKET


class MetricsHook:
    """A ``Limiter`` that records request metrics and delegates to ``inner`` (None: metrics only)."""

    def __init__(self, inner: Limiter | None, *, metrics: Metrics = METRICS) -> None:
        self.inner = inner
        self.metrics = metrics

    async def before_request(self, bucket: str) -> None:
        """Wait for ``inner`` (timed as limiter wait), then start this request's clock."""
        if self.inner is not None:
            started = time.monotonic()
            await self.inner.before_request(bucket)  # may raise RateLimitWait: nothing is sent, nothing timed
            observe_limiter_wait(_limiter_label(bucket), time.monotonic() - started, metrics=self.metrics)
        _request_start.set((bucket, time.monotonic()))

    async def after_response(self, bucket: str, status: int, headers: Mapping[str, str]) -> None:
        """Count the answer with its duration, then let ``inner`` learn from it."""
        ended = time.monotonic()
        start = _request_start.get()
        _request_start.set(None)
        duration_s = ended - start[1] if start is not None and start[0] == bucket else None
        try:
            api, endpoint = request_labels(bucket)
            observe_api_request(api, endpoint, status, duration_s, metrics=self.metrics)
        finally:  # a metrics problem must never cost the limiter its 429 penalty
            if self.inner is not None:
                await self.inner.after_response(bucket, status, headers)
