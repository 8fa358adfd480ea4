"""The one mutable object of a Naver simulator instance, stored on the app under ``NAVER_STATE``.

Everything that changes while the simulator runs (tokens, buckets, images, products, counters, the
fault settings) hangs off ``NaverState``, so a sandbox reset or a test can see and clear it in one
place, and two simulator apps in one process never share anything.
"""

from __future__ import annotations

import random
import string
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from storebridge.sandbox.faults import Faults
from storebridge.sandbox.naver.config import NaverSimConfig
from storebridge.sandbox.naver.image_store import SimNaverImageHost
from storebridge.sandbox.naver.products.store import SimSmartStore
from storebridge.sandbox.naver.ratelimit import BucketSet
from storebridge.sandbox.naver.tokens import TokenStore


@dataclass
class NaverStats:
    """Counters served by ``GET /_sandbox/stats`` (products and duplicates come from the store)."""

    requests: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    lost_answers: int = 0
    tokens_issued: int = 0
    auth_failures: int = 0
    validation_failures: int = 0
    token_spec_violations: int = 0
    faults_injected: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        """Plain-JSON form of the counters."""
        return {
            "requests": dict(sorted(self.requests.items())),
            "rate_limited": self.rate_limited,
            "lost_answers": self.lost_answers,
            "tokens_issued": self.tokens_issued,
            "auth_failures": self.auth_failures,
            "validation_failures": self.validation_failures,
            "token_spec_violations": self.token_spec_violations,
            "faults_injected": dict(sorted(self.faults_injected.items())),
        }


class NaverState:
    """Config, clock, RNG and every store of one simulator; built by ``create_naver_app``."""

    def __init__(self, config: NaverSimConfig, faults: Faults, clock: Callable[[], float]) -> None:
        self.config = config
        self.faults = faults
        self.clock = clock
        self.rng = random.Random(config.seed)
        self.tokens = TokenStore(
            rng=self.rng, ttl_s=config.token_ttl_s, reuse_min_remaining_s=config.token_reuse_min_remaining_s
        )
        self.buckets = BucketSet(rate_per_s=config.rate_per_s, capacity=config.burst_capacity, clock=clock)
        self.images = SimNaverImageHost(rng=self.rng)
        self.products = SimSmartStore(rng=self.rng)
        self.stats = NaverStats()
        # Trace IDs look like Naver's "pod^epoch-ms^sequence" (reference §0).
        pod = "".join(self.rng.choices(string.ascii_lowercase + string.digits, k=6))
        self._trace_prefix = f"sbx1-{pod}"
        self._trace_seq = self.rng.randrange(100_000, 1_000_000)

    def next_trace_id(self) -> str:
        """A unique ``GNCP-GW-Trace-ID`` value."""
        self._trace_seq += 1
        return f"{self._trace_prefix}^{int(self.clock() * 1000)}^{self._trace_seq}"

    def reset(self) -> None:
        """Forget tokens, buckets, images, products and counters; config and faults stay."""
        self.tokens.clear()
        self.buckets.clear()
        self.images.clear()
        self.products.clear()
        self.stats = NaverStats()

    def stats_json(self) -> dict[str, Any]:
        """Body of ``GET /_sandbox/stats``."""
        return {
            "products": len(self.products),
            "duplicates": self.products.duplicates(),
            "duplicate_creates": self.products.duplicate_creates,
            "images": len(self.images),
            **self.stats.as_json(),
        }


NAVER_STATE: web.AppKey[NaverState] = web.AppKey("naver_state", NaverState)


def get_state(request: web.Request) -> NaverState:
    """The simulator state of the app serving ``request``."""
    return request.config_dict[NAVER_STATE]
