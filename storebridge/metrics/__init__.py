"""Every StoreBridge metric, defined once, the API clients' metrics hook and the daemon's gauge collector."""

from storebridge.metrics.collector import COMPLETED_SUCCESS_CODES, GaugeCollector
from storebridge.metrics.definitions import (
    FAILURE_OUTCOMES,
    SUCCESS_OUTCOMES,
    Metrics,
    endpoint_label,
    multiprocess_active,
    record_sync_results,
)
from storebridge.metrics.hook import MetricsHook, request_labels

__all__ = [
    "COMPLETED_SUCCESS_CODES",
    "FAILURE_OUTCOMES",
    "SUCCESS_OUTCOMES",
    "GaugeCollector",
    "Metrics",
    "MetricsHook",
    "endpoint_label",
    "multiprocess_active",
    "record_sync_results",
    "request_labels",
]
