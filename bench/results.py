"""What one scenario measured, kept as plain numbers so ``bench.report`` only does arithmetic."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.worklog import WorkLog
from storebridge.sandbox.stats import ApiCounts


@dataclass(frozen=True)
class PassResult:
    """One pass over a set of items: how many, how long, what the providers counted meanwhile."""

    items: int
    elapsed_s: float
    api: ApiCounts
    reached: bool = True
    #: What a timed-out wait saw (empty when ``reached``).
    note: str = ""


@dataclass(frozen=True)
class ProcessUse:
    """CPU and memory of the processes that did the syncing (figures exclude process start-up)."""

    #: CPU seconds spent syncing (after the processes were ready), and the items synced meanwhile.
    cpu_s: float
    items_synced: int
    #: The same for the first pass alone (new products and rejections).
    first_pass_cpu_s: float
    first_pass_items: int
    #: Peak resident set of each process that ran actors (MiB), busiest first.
    worker_peak_rss_mib: list[float] = field(default_factory=list)
    #: CPU seconds and peak RSS of the intake daemon (None where there is none).
    daemon_cpu_s: float | None = None
    daemon_peak_rss_mib: float | None = None
    #: CPU seconds of the supervisor and group leaders (they sync nothing; shown for completeness).
    overhead_cpu_s: float = 0.0


@dataclass(frozen=True)
class ScenarioResult:
    """Everything one scenario produced."""

    name: str
    first: PassResult
    #: Items that ended COMPLETED (new products on Naver) and the final state counts.
    registered: int
    states: dict[str, int]
    #: Create calls per second over the middle 80 % of the first pass's creates (no ramp-up, no tail).
    mid_create_rate_per_s: float | None = None
    #: What the workers logged during the first pass (deferrals, re-queues, client retries).
    first_log: WorkLog | None = None
    unchanged: PassResult | None = None
    unchanged_events: int = 0
    changed: PassResult | None = None
    changed_settled: int = 0
    procs: ProcessUse | None = None
    #: Extra line for the report (e.g. "stopped after the time budget").
    remark: str = ""

    @property
    def products_per_s(self) -> float:
        """Registered products per second, from the first enqueue to the last item settled."""
        return self.registered / self.first.elapsed_s if self.first.elapsed_s > 0 else 0.0


@dataclass(frozen=True)
class FanoutResult:
    """The daemon alone handing a burst of intake entries to Dramatiq."""

    entries: int
    elapsed_s: float
    batches: int
    reached: bool
    note: str = ""
    daemon_cpu_s: float | None = None

    @property
    def entries_per_s(self) -> float:
        """Entries handed off per second."""
        return self.entries / self.elapsed_s if self.elapsed_s > 0 else 0.0
