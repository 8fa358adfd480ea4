"""Every Redis key, stream and consumer-group name StoreBridge uses, in one place (principle 8).

All keys live under one namespace (default ``storebridge``; tests use a unique one each) so that
several deployments or tests can share a Redis without seeing each other. No other module spells a
key literal.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_NAMESPACE = "storebridge"


@dataclass(frozen=True)
class Keys:
    """Key builder for one namespace."""

    namespace: str = DEFAULT_NAMESPACE

    # -- intake --------------------------------------------------------------------------------
    @property
    def intake_stream(self) -> str:
        """The Redis stream the enqueue scripts XADD item numbers to."""
        return f"{self.namespace}:intake"

    @property
    def intake_group(self) -> str:
        """Consumer group the daemons read the intake stream with."""
        return "daemon"

    @property
    def intake_dead_letter(self) -> str:
        """Stream that receives intake entries delivered too often without success."""
        return f"{self.namespace}:intake:dead"

    def inflight(self, market: str, item_no: int) -> str:
        """Marker held while an item is queued or being synced (the same item is never in flight twice)."""
        return f"{self.namespace}:inflight:{market}:{item_no}"

    @property
    def dramatiq_namespace(self) -> str:
        """Namespace of the Dramatiq Redis broker's own keys (queues ``{ns}:{queue}.msgs`` …)."""
        return f"{self.namespace}-dramatiq"

    # -- rate limiting -------------------------------------------------------------------------
    def bucket(self, api: str) -> str:
        """Hash with the GCRA schedule (``tat_us``) and 429 penalty state of one upstream API's bucket."""
        return f"{self.namespace}:limit:{api}"

    def bucket_pause(self, api: str) -> str:
        """Set while an API is paused for everyone after a 429 (value: resume time, ms)."""
        return f"{self.namespace}:limit:{api}:pause"

    def bucket_rate(self, api: str) -> str:
        """Hash ``{rps, burst}`` learnt from the provider's rate-limit headers (expires after an hour)."""
        return f"{self.namespace}:limit:{api}:rate"

    def daily_quota(self, api: str, day: str) -> str:
        """Calls made on one KST day (``YYYYMMDD``), e.g. the Domeggook 15,000/day quota."""
        return f"{self.namespace}:quota:{api}:{day}"


def reply_text(value: object) -> str:
    """A Redis reply (``bytes`` unless the client decodes) as text; what every reader of our keys uses."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
