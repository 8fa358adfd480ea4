"""Every StoreBridge metric, defined once; the names and labels are the contract for dashboards and alerts.

``Metrics(registry)`` builds the whole set on one registry. The module-level ``METRICS`` is the
set on prometheus_client's default registry that the processes use; tests build their own on a
fresh ``CollectorRegistry`` and pass it in (every record function takes ``metrics=``), so no test
leaves state behind for another. docs/METRICS.md lists every metric with example PromQL.

Multiprocess (Dramatiq workers, the daemon): prometheus_client decides *when it is first
imported* whether values live in memory or in mmap files under ``PROMETHEUS_MULTIPROC_DIR``, so
that variable must be in the environment before the process starts (the chart sets it, equal to
``dramatiq_prom_db``); ``multiprocess_active()`` tells which mode this process is in. Counters and
histograms are then summed across processes by ``MultiProcessCollector``. The gauges are written
by one process only, the daemon's ``GaugeCollector``, and use ``multiprocess_mode="mostrecent"``:
the newest write wins and no ``pid`` label appears. ``livemax`` was rejected because a crashed
daemon's last value (say a queue depth of 5,000) would stay the maximum until someone called
``mark_process_dead``; ``all`` would export one series per pid, including dead ones. Processes
that import this module but never set a gauge (the workers) register it with timestamp 0, which
``mostrecent`` ignores. Custom collectors and ``set_function`` do not work in multiprocess mode and
are not used.

The one gauge the workers write, ``storebridge_naver_operator_hold``, is ``mostrecent`` too, which
makes it the latest Naver answer any process of the pod got: a hold sets it to 1, every call that
goes through sets it to 0. A pod's processes share its egress IP and the credentials, so a call
that went through in one of them ends the hold for all; and a process that died in a hold cannot
leave a 1 behind, because the next call that goes through in its pod writes a newer 0.

Labels never carry secrets or unbounded values: ``api`` is ``domeggook``/``naver`` (requests) or a
limiter bucket id (limiter gauges); ``endpoint`` is a path template; ``status`` an HTTP code;
``reason`` one of ``NAVER_HOLD_REASONS``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, values

from storebridge.store import State
from storebridge.sync import SyncResult

#: Request durations from 10 ms to 30 s; 3 s and 5 s are the p95 alert thresholds (business rules §12).
REQUEST_DURATION_BUCKETS_S = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0)
#: Limiter waits: mostly 0 (first bucket), at most the limiter's 2 s cap before it defers.
LIMITER_WAIT_BUCKETS_S = (0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)
#: The two ``api`` values of the request metrics.
REQUEST_APIS = frozenset({"domeggook", "naver"})
#: Longest ``endpoint`` label kept (a defence against a caller passing something unexpected).
MAX_ENDPOINT_CHARS = 120
_NUMERIC_SEGMENT = re.compile(r"(?<=/)\d+(?=/|$)")
#: ``reason`` values of ``storebridge_naver_operator_hold``: the ERROR event that reports each
#: deployment fault (``storebridge.naver.errors.NaverDeploymentFault.event``).
NAVER_HOLD_REASONS = ("naver.ip_not_allowed", "naver.credentials_refused")


class Metrics:
    """The full metric set on one registry (``METRICS`` for the process; a fresh one per test)."""

    def __init__(self, registry: CollectorRegistry | None = REGISTRY) -> None:
        self.registry = registry
        self.api_requests = Counter(
            "storebridge_api_requests_total",
            "HTTP answers from Domeggook and Naver by api, endpoint template and status code "
            "(requests without an answer, e.g. timeouts, are not counted).",
            ["api", "endpoint", "status"],
            registry=registry,
        )
        self.api_request_duration = Histogram(
            "storebridge_api_request_duration_seconds",
            "Time from the limiter's go-ahead to the whole answer read, per api and endpoint template.",
            ["api", "endpoint"],
            buckets=REQUEST_DURATION_BUCKETS_S,
            registry=registry,
        )
        self.limiter_wait = Histogram(
            "storebridge_limiter_wait_seconds",
            "Time a request waited for a slot of the shared rate limiter, per limiter bucket.",
            ["api"],
            buckets=LIMITER_WAIT_BUCKETS_S,
            registry=registry,
        )
        self.registrations = Counter(
            "storebridge_registrations_total",
            "Item syncs by outcome (storebridge.sync.result.Outcome values).",
            ["outcome"],
            registry=registry,
        )
        self.registration_success_rate = Gauge(
            "storebridge_registration_success_rate",
            "Share of successful outcomes among finished ones over the last hour, from product_events "
            "(NaN when nothing finished).",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.queue_depth = Gauge(
            "storebridge_queue_depth",
            "Messages not yet acknowledged per Dramatiq queue (waiting, in progress and delayed) and "
            "intake stream entries not yet handed off (undelivered + pending).",
            ["queue"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.rate_limit_remaining = Gauge(
            "storebridge_rate_limit_remaining",
            "Calls a limiter bucket could start right now without waiting (0 while paused or booked ahead).",
            ["api"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.rate_limit_paused = Gauge(
            "storebridge_rate_limit_paused_seconds",
            "Seconds a limiter bucket stays paused for everyone (a used-up Naver gateway quota pauses "
            "every naver bucket for the quota's period; a 429 penalty for seconds); 0 when not paused.",
            ["api"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.rate_limit_rate = Gauge(
            "storebridge_rate_limit_rate_per_second",
            "Effective pacing rate of a limiter bucket (after safety factor, headers and 429 penalty).",
            ["api"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.items = Gauge(
            "storebridge_items",
            "Products per state in PostgreSQL.",
            ["state"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.intake_lag = Gauge(
            "storebridge_intake_lag_seconds",
            "Age of the oldest intake stream entry not yet handed off (0 when there is none).",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.sweeper_redriven = Counter(
            "storebridge_sweeper_redriven_total",
            "Stalled items the daemon's sweeper put back on the intake stream, by the state they "
            "stalled in (NO_ROW: handed to a worker, never got a product row).",
            ["state"],
            registry=registry,
        )
        self.domeggook_daily_used = Gauge(
            "storebridge_domeggook_daily_used",
            "Domeggook calls counted today (KST) against storebridge_domeggook_daily_limit.",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.domeggook_daily_limit = Gauge(
            "storebridge_domeggook_daily_limit",
            "Domeggook calls the key may make per KST day, as configured (DOMEGGOOK_DAILY_LIMIT).",
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        self.naver_operator_hold = Gauge(
            "storebridge_naver_operator_hold",
            "1 while this pod's Naver calls are held by a deployment fault an operator must fix, by "
            "the ERROR event that reported it (naver.ip_not_allowed, naver.credentials_refused); 0 "
            "once a call went through. Written by the processes that call Naver.",
            ["reason"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )


#: The process-wide metric set on the default registry.
METRICS = Metrics()


def multiprocess_active() -> bool:
    """True if this process writes samples to ``PROMETHEUS_MULTIPROC_DIR`` (decided at first import)."""
    return bool(getattr(values.ValueClass, "_multiprocess", False))


def endpoint_label(endpoint: str) -> str:
    """A bounded ``endpoint`` label: no query string, numeric path segments as ``{no}``, length capped."""
    text = endpoint.partition("?")[0]
    text = _NUMERIC_SEGMENT.sub("{no}", text)
    return text[:MAX_ENDPOINT_CHARS]


def observe_api_request(
    api: str, endpoint: str, status: int, duration_s: float | None, *, metrics: Metrics = METRICS
) -> None:
    """Count one HTTP answer and, when known, how long it took (``duration_s`` None: count only)."""
    if api not in REQUEST_APIS:
        raise ValueError(f"api must be one of {sorted(REQUEST_APIS)}, got {api!r}")
    endpoint = endpoint_label(endpoint)
    metrics.api_requests.labels(api, endpoint, str(int(status))).inc()
    if duration_s is not None and math.isfinite(duration_s):
        metrics.api_request_duration.labels(api, endpoint).observe(max(duration_s, 0.0))


def observe_limiter_wait(bucket: str, wait_s: float, *, metrics: Metrics = METRICS) -> None:
    """Record how long one request waited for limiter bucket ``bucket`` (``naver:products`` …)."""
    metrics.limiter_wait.labels(bucket).observe(max(wait_s, 0.0))


def record_sync_result(result: SyncResult, *, metrics: Metrics = METRICS) -> None:
    """Count one item's outcome (call once per ``SyncResult`` an actor gets back)."""
    metrics.registrations.labels(result.outcome.value).inc()


def record_sync_results(results: Iterable[SyncResult], *, metrics: Metrics = METRICS) -> None:
    """``record_sync_result`` for every result of a batch."""
    for result in results:
        record_sync_result(result, metrics=metrics)


def set_items(counts: dict[State, int], *, metrics: Metrics = METRICS) -> None:
    """Products per state (``StateStore.counts_by_state()``; every state, zeros included)."""
    for state, count in counts.items():
        metrics.items.labels(state.value).set(count)


def set_success_rate(succeeded: int, failed: int, *, metrics: Metrics = METRICS) -> None:
    """Success share among finished outcomes; NaN when nothing finished (alerts then stay quiet)."""
    total = succeeded + failed
    metrics.registration_success_rate.set(succeeded / total if total else math.nan)


def set_queue_depth(queue: str, depth: int, *, metrics: Metrics = METRICS) -> None:
    """Backlog of one queue (``normal``, ``batch``) or of the ``intake`` stream."""
    metrics.queue_depth.labels(queue).set(depth)


def set_rate_limit(bucket: str, remaining: int, rate_per_s: float, *, metrics: Metrics = METRICS) -> None:
    """Free slots and effective rate of one limiter bucket."""
    metrics.rate_limit_remaining.labels(bucket).set(remaining)
    metrics.rate_limit_rate.labels(bucket).set(rate_per_s)


def set_rate_limit_paused(bucket: str, paused_for_s: float, *, metrics: Metrics = METRICS) -> None:
    """Seconds limiter bucket ``bucket`` stays paused for everyone (0: not paused)."""
    metrics.rate_limit_paused.labels(bucket).set(max(paused_for_s, 0.0))


def set_intake_lag(seconds: float, *, metrics: Metrics = METRICS) -> None:
    """Age of the oldest unfinished intake entry."""
    metrics.intake_lag.set(max(seconds, 0.0))


def set_domeggook_daily_used(calls: int, *, metrics: Metrics = METRICS) -> None:
    """Domeggook calls counted today (KST)."""
    metrics.domeggook_daily_used.set(calls)


def set_domeggook_daily_limit(calls: int, *, metrics: Metrics = METRICS) -> None:
    """Domeggook calls allowed per KST day (the limiter's quota limit)."""
    metrics.domeggook_daily_limit.set(calls)


def show_naver_operator_hold(reason: str | None, *, metrics: Metrics = METRICS) -> None:
    """The Naver transport's ``on_hold``: calls of this process are held for ``reason`` (one of
    ``NAVER_HOLD_REASONS``), or ``None``: a call went through, no deployment fault holds them."""
    for known in NAVER_HOLD_REASONS:
        if reason is None or known == reason:
            metrics.naver_operator_hold.labels(known).set(0 if reason is None else 1)
