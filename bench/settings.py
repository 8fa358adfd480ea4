"""The benchmark's knobs, in one place: rates, catalog, processes and every wait's bound.

Rates are scaled up from the real ones (Naver 2 requests/s per API, Domeggook 180 calls/min) so a
run takes minutes; what the benchmark reports are ratios to the ceiling those rates imply, which
do not depend on the scale. The sandbox and StoreBridge are configured to the same rates, so our
limiter's 95 % pacing (``BucketConfig.safety_factor``) is the only built-in headroom.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Naver sandbox refill rate per API (requests/s) and ``NAVER_MAX_TPS``; burst capacity is 2× (Naver's).
NAVER_RATE_PER_S = 10.0
NAVER_BURST_MULTIPLIER = 2.0
#: ``DOMEGGOOK_MAX_TPS``; the sandbox's per-minute limit is set far above it (it never binds).
DOMEGGOOK_RATE_PER_S = 20.0
DOMEGGOOK_SANDBOX_PER_MINUTE = 100_000
DOMEGGOOK_SANDBOX_PER_DAY = 10_000_000
#: Our limiter paces at this share of the configured rate: the best achievable fraction of the ceiling.
PACING_SAFETY_FACTOR = 0.95

#: Sandbox catalog (same seed for every scenario, so every scenario sees the same items).
CATALOG_ITEMS = 600
CATALOG_SEED = 7

#: Dramatiq processes per queue group (``storebridge worker`` starts two groups: normal and batch).
WORKER_PROCESSES = 2
#: In-flight messages per batch-queue process (each syncs ``ITEM_CONCURRENCY`` = 4 items at once).
#: Four, not the default two, so that the pipeline is bound by the rate limits, not by latency:
#: with 2 × 2 × 4 = 16 items in flight a sandbox round trip already costs a few percent of the
#: ceiling, and a per-process limiter only overshoots when there is more work than budget.
WORKER_BATCH_THREADS = 4
#: Items per Dramatiq message: one batched ``getItemView`` call each.
INTAKE_BATCH_SIZE = 50
#: Base of the item retry backoff (s); production's 300 s would leave the per-process baseline
#: waiting for minutes on items that got 429s.
RETRY_BACKOFF_BASE_S = 5.0
#: Registered items (without options) whose price is changed for the "changed product" figure.
CHANGED_ITEMS = 30
#: Price the Domeggook sandbox is given for a changed item (its ``price`` field format).
CHANGED_PRICE = "1+54321"
#: Entries of the daemon-only intake burst (item numbers that no worker will ever sync).
FANOUT_ENTRIES = 5_000

#: Bounds on every wait, in seconds; a wait that hits one prints what it reached and the run goes on.
WORKERS_READY_TIMEOUT_S = 90.0
FIRST_PASS_TIMEOUT_S = 240.0
RESYNC_TIMEOUT_S = 90.0
FANOUT_TIMEOUT_S = 60.0
#: The sequential baseline stops after this long and reports the rate over what it did.
SEQUENTIAL_BUDGET_S = 75.0
#: How often progress is polled (s).
POLL_INTERVAL_S = 0.25


@dataclass(frozen=True)
class BenchConfig:
    """One run's choices (``python -m bench.run --items N`` overrides the catalog size)."""

    items: int = CATALOG_ITEMS
    seed: int = CATALOG_SEED
    naver_rate_per_s: float = NAVER_RATE_PER_S
    domeggook_rate_per_s: float = DOMEGGOOK_RATE_PER_S
    worker_processes: int = WORKER_PROCESSES
    batch_threads: int = WORKER_BATCH_THREADS
    batch_size: int = INTAKE_BATCH_SIZE
    sequential_budget_s: float = SEQUENTIAL_BUDGET_S
    fanout_entries: int = FANOUT_ENTRIES
    #: Keep each scenario's child-process logs under this directory ("" = a temporary one, removed).
    logs_dir: str = ""

    def service_env(self) -> dict[str, str]:
        """StoreBridge settings every scenario shares (only ``RATE_LIMIT_MODE`` differs between them)."""
        return {
            "NAVER_MAX_TPS": str(self.naver_rate_per_s),
            "DOMEGGOOK_MAX_TPS": str(self.domeggook_rate_per_s),
            "DOMEGGOOK_DAILY_LIMIT": str(DOMEGGOOK_SANDBOX_PER_DAY),
            "WORKER_PROCESSES": str(self.worker_processes),
            "WORKER_BATCH_THREADS": str(self.batch_threads),
            "INTAKE_BATCH_SIZE": str(self.batch_size),
            "RETRY_BACKOFF_BASE": str(RETRY_BACKOFF_BASE_S),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
        }
