"""Figures from the scenarios' raw counts, printed as tables (arithmetic and formatting only).

The ceiling comes from the configured buckets and the global scenario's own call mix: for each
limiter bucket, ``rate ÷ calls per registered product in that bucket`` (the calls Naver rejected
count, because they spent the budget too); the smallest bounds the product rate. Naver's budgets
are per API, so image upload and product create are separate buckets. Throughput as a fraction of
it equals the busiest bucket's utilisation; our limiter paces at 95 % of the rate, so 0.95 is the
most a run can reach.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.results import FanoutResult, PassResult, ScenarioResult
from bench.settings import PACING_SAFETY_FACTOR, BenchConfig
from storebridge.limiter import DOMEGGOOK
from storebridge.sandbox.stats import ApiCounts

UPLOAD_API = "POST /v1/product-images/upload"
CREATE_API = "POST /v2/products"
#: States (service scenarios) and outcomes (sequential) of items neither registered nor rejected.
UNFINISHED = ("FAILED", "RETRYING", "UNKNOWN", "failed", "retry", "deferred")


@dataclass(frozen=True)
class Ceiling:
    """The product-rate bound, the bucket that sets it, and every bucket's own bound."""

    products_per_s: float
    bucket: str
    bucket_rate_per_s: float
    bucket_calls: int
    per_bucket: dict[str, float]


def div(a: float, b: float) -> float:
    """``a / b``, 0 when ``b`` is 0 (a figure with nothing to divide by is shown as 0)."""
    return a / b if b else 0.0


def fmt(value: float | None, digits: int = 2) -> str:
    """A number with ``digits`` decimals, ``-`` for None."""
    return "-" if value is None else f"{value:.{digits}f}"


def bucket_rate(cfg: BenchConfig, bucket: str) -> float:
    """The configured rate of one limiter bucket (requests/s)."""
    return cfg.domeggook_rate_per_s if bucket == DOMEGGOOK else cfg.naver_rate_per_s


def ceiling(cfg: BenchConfig, api: ApiCounts, registered: int) -> Ceiling | None:
    """min over buckets of rate ÷ (calls per registered product); None without a registered product."""
    calls = api.by_bucket()
    if not registered or not calls:
        return None
    bounds = {b: bucket_rate(cfg, b) / (n / registered) for b, n in calls.items() if n}
    bucket = min(bounds, key=lambda b: bounds[b])
    return Ceiling(bounds[bucket], bucket, bucket_rate(cfg, bucket), calls[bucket], bounds)


def all_passes(s: ScenarioResult) -> list[PassResult]:
    """The passes a scenario ran (first, and for the product also unchanged and changed)."""
    return [p for p in (s.first, s.unchanged, s.changed) if p is not None]


def naver_429(s: ScenarioResult) -> int:
    """Naver 429s over every pass of a scenario."""
    return sum(p.api.naver_429 for p in all_passes(s))


def rejected_calls(api: ApiCounts, registered: int) -> tuple[int, float]:
    """``(creates Naver rejected, Naver calls spent on those items)``: each one create plus its uploads.

    Valid for a run without 429s (every create call was then either registered or rejected).
    """
    creates, uploads = api.naver(CREATE_API), api.naver(UPLOAD_API)
    rejected = max(0, creates - registered)
    return rejected, rejected * (1 + div(uploads, creates))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  " + "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(header))
    print("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def _per_item_ms(s: ScenarioResult) -> str:
    return fmt(div(s.procs.first_pass_cpu_s, s.procs.first_pass_items) * 1000, 1) if s.procs else "-"


def _per_product_ms(s: ScenarioResult) -> str:
    return fmt(div(s.procs.first_pass_cpu_s, s.registered) * 1000, 1) if s.procs else "-"


def _rss(s: ScenarioResult) -> str:
    return " ".join(f"{m:.0f}" for m in s.procs.worker_peak_rss_mib) if s.procs else "-"


def _deferred(s: ScenarioResult) -> str:
    return str(s.first_log.deferred) if s.first_log else "-"


def _retried(s: ScenarioResult) -> str:
    return str(s.first_log.client_retries) if s.first_log else "-"


def summary_table(scenarios: Sequence[ScenarioResult], cap: Ceiling | None) -> None:
    """One column per scenario: the figures the issue asks for, side by side."""
    first_pass: list[tuple[str, Callable[[ScenarioResult], str]]] = [
        ("items synced", lambda s: str(s.first.items)),
        ("registered products (COMPLETED)", lambda s: str(s.registered)),
        ("first enqueue → last item settled (s)", lambda s: fmt(s.first.elapsed_s, 1)),
        ("products/s", lambda s: fmt(s.products_per_s)),
        (
            f"fraction of ceiling (achievable {PACING_SAFETY_FACTOR:.2f})",
            lambda s: fmt(div(s.products_per_s, cap.products_per_s)) if cap else "-",
        ),
        ("create calls/s, middle 80 % of them", lambda s: fmt(s.mid_create_rate_per_s)),
        ("Naver 429s received (all passes)", lambda s: str(naver_429(s))),
        ("Domeggook 429s received", lambda s: str(sum(p.api.domeggook_429 for p in all_passes(s)))),
        ("duplicate products on Naver", lambda s: str(s.first.api.duplicates)),
        ("Naver calls per registered product", lambda s: fmt(div(s.first.api.naver_calls, s.registered))),
        ("Domeggook calls per item", lambda s: fmt(div(s.first.api.domeggook_calls, s.first.items), 3)),
        ("items deferred by a limiter wait", _deferred),
        ("Naver calls retried after a 429", _retried),
        ("items failed or still retrying", lambda s: str(sum(s.states.get(k, 0) for k in UNFINISHED))),
        ("worker CPU per item synced (ms)", _per_item_ms),
        ("worker CPU per registered product (ms)", _per_product_ms),
        ("peak RSS per worker process (MiB)", _rss),
    ]
    _table(
        ["first pass", *(s.name for s in scenarios)], [[k, *(f(s) for s in scenarios)] for k, f in first_pass]
    )
    for s in scenarios:
        if s.remark:
            print(f"  note, {s.name}: {s.remark}")
        if not s.first.reached:
            print(f"  note, {s.name}: first pass not drained {s.first.note}; figures cover what it reached")


def ratios(scenarios: Sequence[ScenarioResult]) -> None:
    """The product against each baseline: throughput ratio, 429s and products registered."""
    best = scenarios[0]
    print("\nGlobal limiter against the baselines (same sandbox, rates, items and processes):")
    for other in scenarios[1:]:
        print(
            f"  global ÷ {other.name}: throughput ×{div(best.products_per_s, other.products_per_s):.2f} "
            f"({best.products_per_s:.2f} vs {other.products_per_s:.2f} products/s); Naver 429s "
            f"{naver_429(best)} vs {naver_429(other)}; registered {best.registered} vs {other.registered}"
        )


def fanout_line(f: FanoutResult | None) -> None:
    """The intake daemon's hand-off rate."""
    if f is None:
        return
    print(
        f"\nIntake fan-out (daemon alone, no workers): {f.entries} entries → {f.batches} Dramatiq "
        f"messages in {f.elapsed_s:.2f} s = {f.entries_per_s:,.0f} entries/s"
        + (f"; daemon CPU {f.daemon_cpu_s:.2f} s" if f.daemon_cpu_s is not None else "")
        + ("" if f.reached else f" [did not drain {f.note}]")
    )
