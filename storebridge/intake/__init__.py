"""Intake: the Redis stream producer (``enqueue``), the daemon's consumer (stream → Dramatiq) and
the per-item in-flight markers.
"""

from storebridge.intake.consumer import HandoffFailed, IntakeConsumer
from storebridge.intake.producer import STREAM_SAFETY_MAXLEN, enqueue_entries, redis_time_ms

__all__ = ["STREAM_SAFETY_MAXLEN", "HandoffFailed", "IntakeConsumer", "enqueue_entries", "redis_time_ms"]
