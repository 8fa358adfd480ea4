"""Every StoreBridge metric, defined once, the API clients' metrics hook and the daemon's gauge collector."""

from storebridge.metrics.collector import GaugeCollector
from storebridge.metrics.definitions import (
    Metrics,
    endpoint_label,
    multiprocess_active,
    record_sync_results,
    show_naver_operator_hold,
)
from storebridge.metrics.hook import MetricsHook, request_labels

__all__ = [
    "GaugeCollector",
    "Metrics",
    "MetricsHook",
    "endpoint_label",
    "multiprocess_active",
    "record_sync_results",
    "request_labels",
    "show_naver_operator_hold",
]
