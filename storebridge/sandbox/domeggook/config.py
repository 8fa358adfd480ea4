"""Settings of the Domeggook simulator (``DomeggookSimConfig``), re-exported by the package.

``storebridge sandbox`` generates ``--domeggook-<field>`` CLI flags from this dataclass
(``commands/dataclass_flags.py``), so every field has a default, a ``help`` text and a plain
int/float/str/bool type. The default limits are the published ones (``domeggook-api.md`` §4).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DomeggookSimConfig:
    """Knobs of the simulated Domeggook API; the defaults reproduce the published limits."""

    api_key: str = field(
        default="sandbox-domeggook-key",
        metadata={
            "help": "accepted API key(s) for the aid parameter, comma-separated; each key has its own quota"
        },
    )
    per_minute_limit: int = field(
        default=180, metadata={"help": "calls per key in any sliding 60 s window before a 429 and a block"}
    )
    per_day_limit: int = field(default=15_000, metadata={"help": "calls per key per KST day before a 429"})
    minute_block_s: int = field(
        default=180,
        metadata={"help": "seconds a key stays blocked (429) after breaking the per-minute limit"},
    )
    daily_block_until_midnight: bool = field(
        default=True,
        metadata={
            "help": "true: the daily count resets at midnight KST and breaking it blocks until then; "
            "false: a rolling 24 h window, only calls over the limit get 429"
        },
    )
    error_http_status: int = field(
        default=200,
        metadata={"help": "HTTP status of 'errors' bodies other than UNKNOWN_SERVICE (real API: 200)"},
    )
    unknown_service_http_status: int = field(
        default=404, metadata={"help": "HTTP status of the UNKNOWN_SERVICE error (unknown mode/ver)"}
    )
    slow_image_delay_s: float = field(
        default=5.0, metadata={"help": "delay before a slow_image item's representative image is answered, s"}
    )
    max_multiple: int = field(
        default=100, metadata={"help": "most item numbers accepted by getItemView multiple=true"}
    )

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("api_key must name at least one key")
        for name in ("per_minute_limit", "per_day_limit", "max_multiple"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.minute_block_s < 0 or self.slow_image_delay_s < 0:
            raise ValueError("minute_block_s and slow_image_delay_s must be >= 0")
        for name in ("error_http_status", "unknown_service_http_status"):
            if not 200 <= getattr(self, name) <= 599:
                raise ValueError(f"{name} must be an HTTP status (200-599)")

    @property
    def keys(self) -> frozenset[str]:
        """The accepted keys parsed from ``api_key``."""
        return frozenset(k.strip() for k in self.api_key.split(",") if k.strip())
