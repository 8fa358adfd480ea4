"""The one mutable state object of a Domeggook simulator app, stored on the app under ``STATE_KEY``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from storebridge.sandbox.catalog.model import Catalog
from storebridge.sandbox.domeggook.config import DomeggookSimConfig
from storebridge.sandbox.domeggook.limits import SimKeyQuota
from storebridge.sandbox.faults import Faults
from storebridge.sandbox.images import ImageHost


@dataclass
class SimStats:
    """Counters served by ``GET /_sandbox/stats``; what tests and the demo assert on."""

    requests_total: int = 0
    requests_by_mode: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    errors_by_dcode: Counter[str] = field(default_factory=Counter)


@dataclass
class DomeggookSimState:
    """Catalog, settings, faults, limiter, image host and counters of one simulator instance."""

    catalog: Catalog
    config: DomeggookSimConfig
    faults: Faults
    clock: Callable[[], float]
    limiter: SimKeyQuota
    images: ImageHost
    stats: SimStats = field(default_factory=SimStats)

    def stats_json(self) -> dict[str, Any]:
        """The ``/_sandbox/stats`` body."""
        now = self.clock()
        keys = sorted(self.config.keys)
        by_key = self.limiter.snapshot(now)
        return {
            "requests": {"total": self.stats.requests_total, "by_mode": dict(self.stats.requests_by_mode)},
            "rate_limited": self.stats.rate_limited,
            "daily_used": sum(self.limiter.daily_used(k, now) for k in keys),
            "keys": by_key,
            "faults": dict(self.stats.faults),
            "errors": dict(self.stats.errors_by_dcode),
            "images": dict(self.images.stats),
            "items": len(self.catalog),
        }


STATE_KEY: web.AppKey[DomeggookSimState] = web.AppKey("domeggook_state", DomeggookSimState)
